; Embeds the flat AP trampoline (built from ap_trampoline.asm) in Tern's
; read-only data, between __ap_trampoline_start and __ap_trampoline_end.
section .ap_trampoline progbits alloc noexec nowrite align=16
incbin "ap_trampoline.bin"
