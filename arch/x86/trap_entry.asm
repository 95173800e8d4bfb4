; Interrupt and exception entry stubs: one per vector, each pushing a
; uniform frame (error code or 0, vector, then the GPRs) before calling
; trap_dispatch(struct trap_frame *). Layout must match arch/x86/trap.h.

bits 64
extern trap_dispatch
global isr_stub_table

section .text

; Vectors whose exceptions push an error code (SDM Vol. 3, table 6-1).
%define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%assign v 0
%rep 256
isr_ %+ v:
%if HAS_ERR(v) == 0
    push 0
%endif
    push v
    jmp isr_common
%assign v v + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rbp
    push rsi
    push rdi
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    mov rbx, rsp
    and rsp, -16            ; the C ABI wants a 16-byte aligned stack
    call trap_dispatch
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rdi
    pop rsi
    pop rbp
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16             ; vector and error code
    iretq

section .rodata
align 8
isr_stub_table:
%assign v 0
%rep 256
    dq isr_ %+ v
%assign v v + 1
%endrep
