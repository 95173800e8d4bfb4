; user.asm: the ring transitions behind user_call() (see user.c).
;
; user_enter(fn, user_esp) saves the callee-saved registers and ESP, then
; IRETs to fn at CPL 3 with an inter-privilege frame (SS, ESP, EFLAGS, CS,
; EIP; SDM Vol. 3, 6.12.1, figure 6-4 read backwards). user_resume is where
; user_abort() points a trap frame: it restores that state and returns the
; value in EAX from user_enter.

bits 32

%include "gdt.inc"

global user_enter
global user_resume

section .text
user_enter:
	push ebp
	push ebx
	push esi
	push edi
	mov [saved_esp], esp
	mov eax, [esp + 20]         ; fn
	mov ecx, [esp + 24]         ; user_esp
	push USER_DS                ; SS
	push ecx                    ; ESP
	push 0x00000002             ; EFLAGS: IF=0, IOPL=0, reserved bit 1
	push USER_CS                ; CS
	push eax                    ; EIP
	; Data segments with DPL < CPL would be nulled by the IRET; load the
	; user ones now (ring 0 may load DPL 3 data segments).
	mov dx, USER_DS
	mov ds, dx
	mov es, dx
	mov fs, dx
	mov gs, dx
	iretd

user_resume:
	mov dx, KERNEL_DS
	mov ds, dx
	mov es, dx
	mov fs, dx
	mov gs, dx
	mov ss, dx
	mov esp, [saved_esp]
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

section .bss
align 4
saved_esp:
	resd 1
