; entry.asm: first instructions of every guest.
;
; A Multiboot v1 loader enters here in 32-bit protected mode, paging off,
; flat segments, interrupts off, EAX = 0x2BADB002, EBX = physical address of
; the multiboot information (Multiboot Specification 0.6.96, 3.2 "Machine
; state"). The spec leaves ESP undefined and says GDTR may be invalid, so we
; set our own stack here and gdt_init() loads our own GDT before any segment
; register is reloaded. Nothing here touches a debug register: drtest's
; reset-value check relies on that.

bits 32

STACK_SIZE equ 16384

extern gdt_init
extern idt_init
extern gmain
extern guest_exit
extern __bss_start
extern __bss_end

global _start
global guest_stack_top

section .text
_start:
	cli
	cld
	mov esi, eax                ; magic (rep stosd below uses eax/ecx/edi)
	; Zero .bss ourselves rather than trust every loader to do it (Tern's
	; ELF loader, QEMU's and GRUB's all should; this costs nothing).
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2                  ; guest.ld aligns both ends to 4
	xor eax, eax
	rep stosd
	mov esp, guest_stack_top
	xor ebp, ebp                ; end of frame-pointer chains
	push ebx                    ; keep mbi and magic across the init calls
	push esi
	call gdt_init
	call idt_init
	call gmain                  ; int gmain(uint32_t magic, struct mb1_info *)
	push eax
	call guest_exit             ; does not return
.hang:
	cli
	hlt
	jmp .hang

section .bss
align 16
guest_stack:
	resb STACK_SIZE
guest_stack_top:
