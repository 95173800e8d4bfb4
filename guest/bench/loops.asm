; loops.asm: the timed loops of guest/bench, one per operation, each with
; a twin ("base") that is the same loop with the exiting instruction
; replaced by a NOP. In Bochs one instruction is one TSC tick, so
;
;   (ticks of the loop - ticks of its base) / iterations
;
; is exactly what the operation costs beyond a native one-tick instruction:
; the hypervisor's instructions for the exit it causes.
;
;   uint32_t bench_loop_NAME(uint32_t n, uint64_t *ticks)   (cdecl)
;   uint32_t bench_base_NAME(uint32_t n, uint64_t *ticks)
;
; run the body n times (n >= 1) between two RDTSCs and store the difference
; in *ticks. Both RDTSCs sit inside the same prologue/epilogue in the two
; variants, so their cost cancels in the subtraction.
;
; Also here: the single timed first access to a debug register, the
; interrupt stubs of the LAPIC operations and the real-mode trampoline that
; starts the second vCPU.

bits 32

%include "gdt.inc"

APIC_EOI equ 0xFEE000B0
BENCH_AP_STACK equ 4096          ; keep in sync with bench.h

; DEFLOOP name, setup-macro, insn-macro: bench_loop_name and bench_base_name.
%macro DEFLOOP 3
global bench_loop_%1
global bench_base_%1
bench_loop_%1:
	LOOPBODY %2, %3
bench_base_%1:
	LOOPBODY %2, nop
%endmacro

%macro LOOPBODY 2
	push ebp
	push ebx
	push esi
	push edi
	mov esi, [esp + 20]         ; n
	rdtsc
	mov edi, eax                ; start, low
	mov ebp, edx                ; start, high
%%again:
	%1
	%2
	dec esi
	jnz %%again
	rdtsc
	sub eax, edi
	sbb edx, ebp
	mov ecx, [esp + 24]         ; ticks
	mov [ecx], eax
	mov [ecx + 4], edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret
%endmacro

; Per-iteration setup (executed by the loop and its base alike).
%macro SET_NONE 0
%endmacro
%macro SET_LEAF0 0
	xor eax, eax                ; CPUID leaf 0, subleaf 0
	xor ecx, ecx
%endmacro
%macro SET_HC_NOP 0
	xor eax, eax                ; Tern hypercall 0: no-op, returns 0
%endmacro
%macro SET_ZERO 0
	xor eax, eax
%endmacro

; The measured instructions.
%macro I_CPUID 0
	cpuid
%endmacro
%macro I_VMCALL 0
	vmcall
%endmacro
%macro I_OUT80 0
	out 0x80, al
%endmacro
%macro I_IN80 0
	in al, 0x80
%endmacro
%macro I_RD_DR7 0
	mov eax, dr7
%endmacro
%macro I_WR_DR0 0
	mov dr0, eax
%endmacro
%macro I_NOP 0
	nop
%endmacro

section .text
DEFLOOP nop, SET_NONE, I_NOP
DEFLOOP cpuid, SET_LEAF0, I_CPUID
DEFLOOP vmcall, SET_HC_NOP, I_VMCALL
DEFLOOP out80, SET_ZERO, I_OUT80
DEFLOOP in80, SET_NONE, I_IN80
DEFLOOP rd_dr7, SET_NONE, I_RD_DR7
DEFLOOP wr_dr0, SET_ZERO, I_WR_DR0

; uint64_t bench_once_rd_dr7(void) / bench_once_nop(void): ticks between two
; RDTSCs around one MOV from DR7 (or one NOP).
%macro ONCE 2
global bench_once_%1
bench_once_%1:
	push esi
	push edi
	rdtsc
	mov esi, eax
	mov edi, edx
	%2
	rdtsc
	sub eax, esi
	sbb edx, edi
	pop edi
	pop esi
	ret
%endmacro
%macro I_RD_DR7_ECX 0
	mov ecx, dr7
%endmacro
ONCE rd_dr7, I_RD_DR7_ECX
ONCE nop, nop

; Never executed: the target of the armed execute breakpoint.
global bench_never
bench_never:
	ud2
	ret

; --- interrupt stubs ---------------------------------------------------------
; Count the interrupt, end it at the local APIC, return. Flat ring-0
; segments throughout, so DS needs no reload.
extern bench_irq_count              ; uint32_t [3]: timer, IPI, reply IPI
%macro IRQSTUB 2
global %1
%1:
	push eax
	lock inc dword [bench_irq_count + 4 * %2]
	mov dword [APIC_EOI], 0
	pop eax
	iretd
%endmacro
IRQSTUB bench_isr_timer, 0
IRQSTUB bench_isr_ipi, 1
IRQSTUB bench_isr_reply, 2

global bench_isr_spurious
bench_isr_spurious:
	iretd                           ; a spurious interrupt needs no EOI

; --- second vCPU start-up ----------------------------------------------------
; bench_tramp is copied to a page below 1 MiB; the SIPI starts the AP there
; in real mode with CS = page >> 4, IP = 0. It loads the GDT the BSP wrote
; into bench_tramp_gdtr (offset from bench_tramp), enters protected mode
; and jumps to bench_ap_entry in the image.
extern bench_ap_main
extern bench_ap_stack              ; BENCH_AP_STACK bytes
extern bench_idtr                   ; the BSP's IDTR (6 bytes)
global bench_tramp
global bench_tramp_end
global bench_tramp_gdtr

bits 16
bench_tramp:
	cli
	cld
	mov ax, cs
	mov ds, ax
	lgdt [bench_tramp_gdtr - bench_tramp]
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp dword KERNEL_CS:bench_ap_entry
	align 4
bench_tramp_gdtr:
	dw 0
	dd 0
bench_tramp_end:

bits 32
bench_ap_entry:
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, bench_ap_stack + BENCH_AP_STACK
	lidt [bench_idtr]
	xor ebp, ebp
	call bench_ap_main
.hang:
	cli
	hlt
	jmp .hang
