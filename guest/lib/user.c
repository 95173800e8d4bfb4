/* user.c: CPL 3 support: a user stack and the two ways back to ring 0.
 *
 * Getting back: a handler at CPL 0 rewrites the CPL 3 frame into a frame
 * for ring 0 (CS = KERNEL_CS, EIP = user_resume in user.asm). The IRET is
 * then a same-privilege return, which pops only EIP, CS and EFLAGS and
 * leaves the old user ESP/SS unused on the TSS stack (SDM Vol. 2, IRET
 * operation, RETURN-TO-SAME-PRIVILEGE-LEVEL); user_resume switches back to
 * the stack saved by user_call. */
#include "user.h"
#include "cpu.h"
#include "exit.h"
#include "gdt.h"
#include "idt.h"
#include "serial.h"

extern void user_resume(void);
extern uint32_t user_enter(void (*fn)(void), uint32_t user_esp);

static uint8_t user_stack[4096] __attribute__((aligned(16)));

uint32_t user_call(void (*fn)(void))
{
	return user_enter(fn, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

void user_abort(struct trap_frame *f, uint32_t value)
{
	f->eip = (uint32_t)(uintptr_t)user_resume;
	f->cs = KERNEL_CS;
	f->ds = KERNEL_DS;
	f->es = KERNEL_DS;
	f->eflags &= ~(EFLAGS_TF | EFLAGS_RF);
	f->eax = value;
}

void user_return_handler(struct trap_frame *f)
{
	if ((f->cs & 3) == 0) {
		gprintf("guest: int 0x80 at CPL 0 (eip 0x%08x)\n", f->eip);
		guest_exit(GUEST_EXIT_UNEXPECTED_TRAP);
	}
	user_abort(f, f->eax);
}
