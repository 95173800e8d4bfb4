; isr.asm: one entry stub per installed vector, all funnelling into
; idt_dispatch(struct trap_frame *) (see idt.h for the frame layout).
;
; Vectors that push no error code get a dummy 0 so every frame has the same
; shape. Error codes: 8, 10-14, 17, 21, 29, 30 (SDM Vol. 3, 6.15, table 6-1
; "Protected-Mode Exceptions and Interrupts"; 21, 29, 30 are #CP, #VC, #SX).

bits 32

%include "gdt.inc"

extern idt_dispatch
global isr_stub_table

%macro STUB 1
isr_stub_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
	; the CPU pushed an error code
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

section .text
%assign v 0
%rep 32
STUB v
%assign v v + 1
%endrep
STUB 128                        ; VEC_USER_RETURN (0x80)

isr_common:
	pushad
	push ds
	push es
	mov ax, KERNEL_DS           ; a trap from CPL 3 arrives with user DS/ES
	mov ds, ax
	mov es, ax
	cld                         ; the C ABI wants DF clear
	push esp                    ; struct trap_frame *
	call idt_dispatch
	add esp, 4
	pop es
	pop ds
	popad
	add esp, 8                  ; vector, error code
	iretd

section .rodata
align 4
; Addresses of the stubs for vectors 0-31, then 0x80 (index 32).
isr_stub_table:
%assign v 0
%rep 32
	dd isr_stub_ %+ v
%assign v v + 1
%endrep
	dd isr_stub_128
