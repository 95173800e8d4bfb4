; Tern boot path: multiboot2 header, 32-bit entry from GRUB, switch to long
; mode with an identity map of the first 4 GiB, then call the C entry point.
;
; GRUB leaves us in 32-bit protected mode, paging off, EAX = multiboot2
; magic, EBX = physical address of the boot information (multiboot2 spec,
; "I386 machine state"). No BIOS call is made here or later, so the same
; image works when GRUB itself was started from UEFI.

bits 32

MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0
COM1            equ 0x3F8

extern kmain
extern percpu
extern __bss_start, __bss_end
global _start
global boot_pml4
global boot_gdt64_ptr

section .multiboot2 align=8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; Information request: we need the memory map, command line, modules
    ; and an ACPI RSDP. GRUB supplies them anyway; requesting the memory map
    ; makes GRUB refuse to boot us rather than boot us without one.
    align 8
    dw 1, 0                 ; type 1: information request, required
    dd 12
    dd 6                    ; memory map
    align 8
    dw 0, 0                 ; end tag
    dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
_start:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax            ; keep magic and info pointer across the checks
    mov esi, ebx

    ; Zero .bss (it holds the boot page tables and stack).
    mov ebp, edi
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    mov edi, ebp

    ; Long mode needs CPUID leaf 0x80000001 EDX bit 29.
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21        ; can we flip RFLAGS.ID? then CPUID exists
    push eax
    popfd
    pushfd
    pop eax
    cmp eax, ecx
    je .no_long_mode
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode
    mov ebx, edx            ; EDX bit 20 = NX, remembered for EFER.NXE

    ; Identity map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs.
    mov eax, boot_pdpt
    or eax, 0x3             ; present, writable
    mov [boot_pml4], eax
    mov ecx, 0
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, 0x3
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jne .fill_pdpt
    mov ecx, 0
.fill_pd:                   ; 2048 entries, entry i maps i * 2 MiB
    mov eax, ecx
    shl eax, 21
    or eax, 0x83            ; present, writable, page size
    mov [boot_pd + ecx * 8], eax
    mov eax, ecx
    shr eax, 11
    mov [boot_pd + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne .fill_pd

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, 1 << 5          ; CR4.PAE
    mov cr4, eax
    mov ecx, 0xC0000080     ; IA32_EFER
    rdmsr
    or eax, 1 << 8          ; LME
    test ebx, 1 << 20
    jz .no_nx
    or eax, 1 << 11         ; NXE, so later page tables may use XD
.no_nx:
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16) | 1   ; PG, WP, PE
    mov cr0, eax

    lgdt [boot_gdt64_ptr]
    jmp 0x08:long_mode_entry

.no_long_mode:
    ; No console is set up yet: write straight to COM1 at its default
    ; rate (whatever the firmware left) and to the emulator port 0xE9.
    mov esi, msg_no_lm
.putc:
    lodsb
    test al, al
    jz .halt
    mov dx, 0xE9
    out dx, al
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, COM1
    out dx, al
    jmp .putc
.halt:
    hlt
    jmp .halt

bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    ; The boot CPU's per-CPU area from the first C instruction on:
    ; percpu[0].self = &percpu[0], GS base = &percpu[0] (hv/percpu.h).
    mov rax, percpu
    mov [rax], rax
    mov rdx, rax
    shr rdx, 32
    mov ecx, 0xC0000101     ; IA32_GS_BASE
    wrmsr
    mov edi, edi            ; arg0: multiboot2 magic (zero-extended)
    mov esi, esi            ; arg1: boot information address
    xor ebp, ebp
    call kmain
.hang:
    cli
    hlt
    jmp .hang

section .boot.data progbits alloc noexec write align=16
msg_no_lm: db "Tern: this CPU does not support 64-bit long mode; stopping.", 13, 10, 0

align 16
boot_gdt64:
    dq 0
    dq 0x00AF9A000000FFFF   ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF   ; 0x10: data
boot_gdt64_end:
boot_gdt64_ptr:
    dw boot_gdt64_end - boot_gdt64 - 1
    dq boot_gdt64

section .bss nobits alloc noexec write align=4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * 4
boot_stack: resb 16384
boot_stack_top:
