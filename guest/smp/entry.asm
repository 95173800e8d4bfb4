; entry.asm: the AP trampoline and the interrupt stubs of the SMP guest.
;
; The trampoline is copied to TRAMP_BASE (below 1 MiB, page aligned) and
; started by SIPI with vector TRAMP_BASE >> 12: real mode, CS = 0x0800,
; IP = 0 (SDM Vol. 3, 10.4.4.1). It loads its own flat GDT (same
; selectors as the guest's), enters protected mode and calls the C entry
; from its mailbox with the AP's stack and number. The BSP fills the
; mailbox (the copy at TRAMP_BASE) before each SIPI.

bits 16

TRAMP_BASE equ 0x8000

%include "gdt.inc"

global tramp_start, tramp_end, tramp_gdtr, tramp_mb_stack, tramp_mb_entry, tramp_mb_arg
global irq_stub_table
extern smp_irq_dispatch

section .text
tramp_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [tramp_gdtr - tramp_start]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp dword KERNEL_CS:(TRAMP_BASE + .pm - tramp_start)
bits 32
.pm:
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov esp, [TRAMP_BASE + tramp_mb_stack - tramp_start]
	xor ebp, ebp
	push dword [TRAMP_BASE + tramp_mb_arg - tramp_start]
	call [TRAMP_BASE + tramp_mb_entry - tramp_start]
.hang:
	cli
	hlt
	jmp .hang

align 8
tramp_gdt:
	dq 0
	dq 0x00cf9a000000ffff           ; 0x08: flat 32-bit code
	dq 0x00cf92000000ffff           ; 0x10: flat data
tramp_gdtr:
	dw 3 * 8 - 1
	dd TRAMP_BASE + tramp_gdt - tramp_start
align 4
tramp_mb_stack: dd 0
tramp_mb_entry: dd 0
tramp_mb_arg:   dd 0
tramp_end:

; ---- interrupt stubs for vectors 0x20-0xFF (no error codes) --------------
%macro IRQ_STUB 1
irq_stub_%1:
	push dword %1
	jmp irq_common
%endmacro

%assign v 0x20
%rep 0xE0
IRQ_STUB v
%assign v v + 1
%endrep

irq_common:
	pushad
	cld
	push dword [esp + 32]           ; the vector
	call smp_irq_dispatch
	add esp, 4
	popad
	add esp, 4
	iretd

section .rodata
align 4
irq_stub_table:                     ; addresses of the stubs, from 0x20
%assign v 0x20
%rep 0xE0
	dd irq_stub_ %+ v
%assign v v + 1
%endrep
