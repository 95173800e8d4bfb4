; VM entry and the VM-exit landing point.
;
;   int vmx_enter(struct guest_regs *regs, int launched)
;
; Saves the host's callee-saved registers, points HOST_RSP at the current
; stack (which holds 'regs' on top), loads the guest GPRs and executes
; VMLAUNCH (first entry) or VMRESUME. A VM exit arrives at vmx_exit_entry
; (HOST_RIP) with RSP = that HOST_RSP; the guest GPRs are stored back into
; 'regs' and vmx_enter returns 0. If the entry instruction itself fails
; (VMfailInvalid/VMfailValid), it returns 1 with the guest registers
; untouched. Guest RSP, RIP and RFLAGS live in the VMCS, not here.
;
; struct guest_regs holds the 16 GPRs in SDM register-number order
; (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15), so an exit
; qualification's register field indexes it directly.

bits 64
global vmx_enter
global vmx_exit_entry

%define R_RAX 0*8
%define R_RCX 1*8
%define R_RDX 2*8
%define R_RBX 3*8
%define R_RBP 5*8
%define R_RSI 6*8
%define R_RDI 7*8
%define R_R8  8*8
%define R_R9  9*8
%define R_R10 10*8
%define R_R11 11*8
%define R_R12 12*8
%define R_R13 13*8
%define R_R14 14*8
%define R_R15 15*8

VMCS_HOST_RSP equ 0x6c14

section .text
vmx_enter:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                    ; 'regs', found again at [rsp] after an exit

    mov eax, VMCS_HOST_RSP
    vmwrite rax, rsp            ; the stack is this CPU's, and may differ per call

    mov eax, esi                ; launched?
    mov rsi, rdi
    mov rcx, [rsi + R_RCX]
    mov rdx, [rsi + R_RDX]
    mov rbx, [rsi + R_RBX]
    mov rbp, [rsi + R_RBP]
    mov r8,  [rsi + R_R8]
    mov r9,  [rsi + R_R9]
    mov r10, [rsi + R_R10]
    mov r11, [rsi + R_R11]
    mov r12, [rsi + R_R12]
    mov r13, [rsi + R_R13]
    mov r14, [rsi + R_R14]
    mov r15, [rsi + R_R15]
    mov rdi, [rsi + R_RDI]
    test eax, eax
    mov rax, [rsi + R_RAX]      ; (mov leaves the flags of 'test' intact)
    mov rsi, [rsi + R_RSI]
    jnz .resume
    vmlaunch
    jmp .failed
.resume:
    vmresume
.failed:
    ; Entry failed: nothing of the guest was loaded. Report 1.
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    mov eax, 1
    ret

vmx_exit_entry:
    push rdi                    ; free a register, keep the guest RDI
    mov rdi, [rsp + 8]          ; 'regs'
    mov [rdi + R_RAX], rax
    mov [rdi + R_RCX], rcx
    mov [rdi + R_RDX], rdx
    mov [rdi + R_RBX], rbx
    mov [rdi + R_RBP], rbp
    mov [rdi + R_RSI], rsi
    mov [rdi + R_R8],  r8
    mov [rdi + R_R9],  r9
    mov [rdi + R_R10], r10
    mov [rdi + R_R11], r11
    mov [rdi + R_R12], r12
    mov [rdi + R_R13], r13
    mov [rdi + R_R14], r14
    mov [rdi + R_R15], r15
    pop rax
    mov [rdi + R_RDI], rax
    add rsp, 8                  ; drop 'regs'
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    xor eax, eax
    ret
