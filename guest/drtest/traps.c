/* traps.c: drtest's exception handlers. They record what arrived and
 * resume in a controlled way; the checks then compare the record with what
 * the SDM says should have happened.
 *
 * #DB (SDM Vol. 3, 18.2.3 and 18.3): the handler reads DR6 and DR7 first,
 * then writes the clean value 0xFFFF0FF0 back to DR6, because the processor
 * never clears DR6 itself. It always sets RF in the saved EFLAGS: for an
 * instruction breakpoint (a fault) that is what lets the IRET re-execute the
 * instruction without hitting the breakpoint again (SDM 18.3.1.1); for traps
 * it is harmless. TF is cleared in the saved EFLAGS so single-step checks
 * see exactly one step. */
#include "drtest.h"
#include "dr.h"
#include "targets.h"

volatile struct db_log dblog;
volatile struct fault_log faultlog;
static uint32_t resume_eip;

static void db_handler(struct trap_frame *f)
{
	uint32_t dr6 = DR_READ(6);
	uint32_t dr7 = DR_READ(7);
	unsigned n = dblog.count;

	DR_WRITE(6, DR6_CLEAN);
	if (n < MAX_HITS) {
		dblog.hit[n].dr6 = dr6;
		dblog.hit[n].dr7 = dr7;
		dblog.hit[n].eip = f->eip;
		dblog.hit[n].eflags = f->eflags;
	}
	dblog.count = n + 1;
	f->eflags |= EFLAGS_RF;
	f->eflags &= ~EFLAGS_TF;
	if (n + 1 >= MAX_HITS)          /* runaway: disarm everything */
		DR_WRITE(7, DR7_FIXED);
}

static void fault_handler(struct trap_frame *f)
{
	faultlog.count++;
	faultlog.vector = f->vector;
	faultlog.error = f->error;
	faultlog.eip = f->eip;
	faultlog.cs = f->cs;
	if (f->cs & 3) {
		user_abort(f, DR45_FAULTED);
		return;
	}
	if (!resume_eip) {
		gprintf("drtest: FAIL suite: unexpected %s error=0x%x at 0x%08x\n",
			trap_name(f->vector), f->error, f->eip);
		guest_exit(1);
	}
	f->eip = resume_eip;
}

void traps_init(void)
{
	idt_set_handler(VEC_DB, db_handler);
	idt_set_handler(VEC_BP, fault_handler);
	idt_set_handler(VEC_UD, fault_handler);
	idt_set_handler(VEC_GP, fault_handler);
}

void traps_reset(uint32_t resume)
{
	dblog.count = 0;
	faultlog.count = 0;
	faultlog.vector = faultlog.error = faultlog.eip = faultlog.cs = 0;
	resume_eip = resume;
}
