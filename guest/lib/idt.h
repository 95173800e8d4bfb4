/* idt.h: exception handling for the guests. */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include <stdint.h>

#define VEC_DE 0    /* divide error */
#define VEC_DB 1    /* debug */
#define VEC_BP 3    /* breakpoint (int3) */
#define VEC_UD 6    /* invalid opcode */
#define VEC_DF 8    /* double fault */
#define VEC_GP 13   /* general protection */
#define VEC_PF 14   /* page fault */
#define VEC_USER_RETURN 0x80  /* int 0x80 from CPL 3: back to ring 0 (user.h) */

/* What isr.asm pushes, lowest address first. user_esp/user_ss exist only
 * when the trap came from CPL 3 ((cs & 3) != 0); a same-privilege trap
 * pushes just eip, cs, eflags (SDM Vol. 3, 6.12.1, figure 6-4). A handler
 * may change any field: the stub restores them all and IRETs. */
struct trap_frame {
	uint32_t es, ds;
	uint32_t edi, esi, ebp, esp_at_pushad, ebx, edx, ecx, eax;
	uint32_t vector, error;     /* error is 0 for vectors without one */
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss;
};

typedef void (*trap_handler_t)(struct trap_frame *f);

/* Install gates for vectors 0-31 and 0x80 and load IDTR. Called by
 * entry.asm before gmain. */
void idt_init(void);

/* Route a vector to h (NULL restores the default, which prints the frame and
 * exits with GUEST_EXIT_UNEXPECTED_TRAP). Returns the previous handler. */
trap_handler_t idt_set_handler(unsigned vector, trap_handler_t h);

const char *trap_name(unsigned vector);

/* Called from isr.asm only. */
void idt_dispatch(struct trap_frame *f);

#endif
