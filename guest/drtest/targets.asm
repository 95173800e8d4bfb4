; targets.asm: the instructions drtest aims its breakpoints and faults at.
;
; Each routine names the instruction under test (*_insn) and, where it
; matters, the next one (*_after / *_next) or a resume point (*_resume).
; A fault-class #DB (instruction breakpoint, DR7.GD) or #UD/#GP reports the
; EIP of the instruction itself; a trap-class #DB (data or I/O breakpoint,
; single step) reports the EIP of the next instruction (SDM Vol. 3, 18.2.3
; and table 18-2 "Debug Exception Conditions"). The checks compare the
; saved EIP with these labels. cdecl: arguments at [esp+4], [esp+8]; EAX,
; ECX, EDX are scratch, EBX is saved around CPUID.

bits 32

%macro LABEL 1
global %1
%1:
%endmacro

section .text

; void t_exec_target(void): an instruction breakpoint goes on its first byte.
LABEL t_exec_target
	nop
	ret

; void t_write32(volatile void *p, uint32_t v)
LABEL t_write32
	mov ecx, [esp + 4]
	mov eax, [esp + 8]
LABEL t_write32_insn
	mov [ecx], eax
LABEL t_write32_after
	ret

; void t_write16(volatile void *p, uint32_t v)
LABEL t_write16
	mov ecx, [esp + 4]
	mov eax, [esp + 8]
LABEL t_write16_insn
	mov [ecx], ax
LABEL t_write16_after
	ret

; void t_write8(volatile void *p, uint32_t v)
LABEL t_write8
	mov ecx, [esp + 4]
	mov eax, [esp + 8]
LABEL t_write8_insn
	mov [ecx], al
LABEL t_write8_after
	ret

; uint32_t t_read32(volatile const void *p)
LABEL t_read32
	mov ecx, [esp + 4]
LABEL t_read32_insn
	mov eax, [ecx]
LABEL t_read32_after
	ret

; void t_out80(uint32_t v): one byte to the POST port.
LABEL t_out80
	mov eax, [esp + 4]
LABEL t_out80_insn
	out 0x80, al
LABEL t_out80_after
	ret

; void t_single_step(void): set TF with POPFD. The instruction that sets TF
; does not trap; the one after it does (SDM 18.3.1.4), so the #DB reports
; EIP = t_ss_after.
LABEL t_single_step
	pushfd
	or dword [esp], 0x100
	popfd
LABEL t_ss_insn
	nop
LABEL t_ss_after
	nop
	ret

; void t_single_step_cpuid(void): as above, but the stepped instruction is
; CPUID, which a hypervisor emulates: it must deliver the single-step #DB
; itself after skipping the instruction.
LABEL t_single_step_cpuid
	push ebx
	xor eax, eax
	xor ecx, ecx
	pushfd
	or dword [esp], 0x100
	popfd
LABEL t_ss_cpuid_insn
	cpuid
LABEL t_ss_cpuid_after
	nop
	pop ebx
	ret

; void t_cpuid_bp(void): instruction breakpoints on CPUID and on the next
; instruction. The #DB handler sets RF to get past the first; the CPU
; clears RF when CPUID completes (SDM 18.3.1.1), so the second must hit too.
LABEL t_cpuid_bp
	push ebx
	xor eax, eax
	xor ecx, ecx
LABEL t_cpuid_bp_insn
	cpuid
LABEL t_cpuid_bp_next
	nop
	pop ebx
	ret

; uint32_t t_gd_read(void) / void t_gd_write(uint32_t v): MOV from/to DR0,
; the accesses that DR7.GD turns into a #DB (fault: EIP = the MOV).
LABEL t_gd_read
LABEL t_gd_read_insn
	mov eax, dr0
	ret

LABEL t_gd_write
	mov eax, [esp + 4]
LABEL t_gd_write_insn
	mov dr0, eax
	ret

; DR4/DR5 accesses. With CR4.DE = 0 they alias DR6/DR7; with CR4.DE = 1 they
; are #UD (SDM 18.2.2). A handler resumes a faulting one at *_resume; the
; readers then return 0xBADDBADD.
LABEL t_read_dr4
	mov eax, 0xBADDBADD
LABEL t_read_dr4_insn
	mov eax, dr4
LABEL t_read_dr4_resume
	ret

LABEL t_read_dr5
	mov eax, 0xBADDBADD
LABEL t_read_dr5_insn
	mov eax, dr5
LABEL t_read_dr5_resume
	ret

LABEL t_write_dr4
	mov eax, [esp + 4]
LABEL t_write_dr4_insn
	mov dr4, eax
LABEL t_write_dr4_resume
	ret

LABEL t_write_dr5
	mov eax, [esp + 4]
LABEL t_write_dr5_insn
	mov dr5, eax
LABEL t_write_dr5_resume
	ret

; CPL 3 routines, entered through user_call(); they end with int 0x80 (EAX
; is user_call's result) unless a #GP handler takes them back to ring 0.
USER_OK equ 0x600D

LABEL t_user_nop
	mov eax, USER_OK
	int 0x80

LABEL t_user_read_dr7
LABEL t_user_read_dr7_insn
	mov eax, dr7
	mov eax, USER_OK
	int 0x80

LABEL t_user_write_dr7
	mov eax, 0x00000401         ; would arm L0 if it were allowed
LABEL t_user_write_dr7_insn
	mov dr7, eax
	mov eax, USER_OK
	int 0x80

LABEL t_user_read_dr6
LABEL t_user_read_dr6_insn
	mov eax, dr6
	mov eax, USER_OK
	int 0x80
