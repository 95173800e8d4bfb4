; header.asm: the Multiboot v1 header (Multiboot Specification 0.6.96, 3.1).
; It must lie 4-byte aligned within the first 8 KiB of the image; guest.ld
; places section .multiboot first. The image is ELF, so the loader takes the
; load addresses from the program headers and flag bit 16 (a.out kludge) is
; not needed.

MB1_MAGIC    equ 0x1BADB002
MB1_F_ALIGN  equ 1 << 0           ; modules page aligned
MB1_F_MEM    equ 1 << 1           ; please fill mem_lower/mem_upper (and mmap)
MB1_FLAGS    equ MB1_F_ALIGN | MB1_F_MEM

section .multiboot progbits alloc noexec nowrite align=4
	dd MB1_MAGIC
	dd MB1_FLAGS
	dd -(MB1_MAGIC + MB1_FLAGS)     ; magic + flags + checksum == 0
