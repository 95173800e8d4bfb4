/* Exceptions and interrupts: the IDT, the saved-register frame, and
 * registration of handlers for interrupt vectors. */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include "hv/types.h"

/* Pushed by trap_entry.asm, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18

/* Interrupt vectors Tern uses for its own purposes. */
#define VEC_TIMER 0x20
#define VEC_IPI_KICK 0xf0 /* wake a CPU to reschedule */
#define VEC_SPURIOUS 0xff

typedef void (*trap_handler_t)(struct trap_frame *f);

void idt_init(void);     /* builds the shared IDT (boot CPU) */
void idt_load(void);     /* loads it on this CPU */
void trap_register(unsigned vector, trap_handler_t h);
/* If set, a #GP or #PF at a RIP in the table resumes at the fixup. */
void dump_frame(const struct trap_frame *f);
void trap_dispatch(struct trap_frame *f);

#endif
