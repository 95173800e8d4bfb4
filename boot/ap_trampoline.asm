; Application-processor trampoline. The boot CPU copies this flat binary to
; TRAMPOLINE_PA (below 1 MiB, page aligned) and sends INIT-SIPI-SIPI with
; vector TRAMPOLINE_PA >> 12; the AP starts here in real mode at
; CS:IP = (TRAMPOLINE_PA >> 4):0. It switches to protected mode, then long
; mode with Tern's page tables, and jumps to the C entry with the stack
; and CPU number the boot CPU left in the mailbox at the end of the page.
;
; Assembled with -f bin; boot/ap_blob.asm includes the result.

TRAMPOLINE_PA   equ 0x8000
MAILBOX         equ TRAMPOLINE_PA + 0xf00

bits 16
org TRAMPOLINE_PA

ap_start:
    cli
    cld
    xor ax, ax
    mov ds, ax
    mov byte [MAILBOX + mb_alive - mailbox_base], 1
    lgdt [gdt_ptr]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword 0x08:pm32

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, 1 << 5              ; PAE
    mov cr4, eax
    mov eax, [MAILBOX + mb_cr3 - mailbox_base]
    mov cr3, eax
    mov ecx, 0xC0000080         ; IA32_EFER
    rdmsr
    or eax, 1 << 8              ; LME
    or eax, [MAILBOX + mb_efer_extra - mailbox_base]   ; NXE if the BSP uses it
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)   ; PG, WP
    mov cr0, eax
    jmp 0x18:lm64

bits 64
lm64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [MAILBOX + mb_stack - mailbox_base]
    mov edi, [MAILBOX + mb_cpu - mailbox_base]
    mov rax, [MAILBOX + mb_entry - mailbox_base]
    xor ebp, ebp
    push 0                      ; fake return address: entry never returns
    jmp rax

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 0x08: 32-bit code
    dq 0x00CF92000000FFFF       ; 0x10: data
    dq 0x00AF9A000000FFFF       ; 0x18: 64-bit code
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt

; Mailbox layout, shared with arch/x86/smp.c (struct ap_mailbox).
times 0xf00 - ($ - $$) db 0
mailbox_base:
mb_cr3:         dq 0
mb_stack:       dq 0
mb_entry:       dq 0
mb_cpu:         dd 0
mb_efer_extra:  dd 0
mb_alive:       db 0
