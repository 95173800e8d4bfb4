/* cpl3.c: MOV DR is privileged: at CPL > 0 it raises #GP(0) (SDM Vol. 2B,
 * "MOV - Move to/from Debug Registers", protected-mode exceptions; Vol. 3,
 * 18.2). The test runs routines at CPL 3 through user_call(); traps.c sends
 * a CPL 3 fault back to ring 0, and this file checks what was recorded. */
#include "drtest.h"
#include "dr.h"
#include "targets.h"

static int expect_gp(const char *what, void (*fn)(void), char *insn)
{
	uint32_t r;

	traps_reset(0);
	r = user_call(fn);
	if (r != DR45_FAULTED || faultlog.count != 1 ||
	    faultlog.vector != VEC_GP || faultlog.error != 0 ||
	    (faultlog.cs & 3) != 3 || faultlog.eip != ADDR(insn)) {
		fail("cpl3-mov-dr-gp", "%s at CPL 3: result 0x%x, %u faults, last "
		     "vector %u error 0x%x cs 0x%x eip 0x%08x; want #GP(0) from "
		     "CPL 3 at 0x%08x", what, r, faultlog.count, faultlog.vector,
		     faultlog.error, faultlog.cs & 0xFFFF, faultlog.eip, ADDR(insn));
		return 0;
	}
	return 1;
}

void check_cpl3_mov_dr(void)
{
	uint32_t r, dr7;

	traps_reset(0);
	r = user_call(t_user_nop);
	if (r != USER_OK || faultlog.count) {
		fail("cpl3-mov-dr-gp", "cannot run at CPL 3: result 0x%x, %u faults",
		     r, faultlog.count);
		return;
	}
	if (!expect_gp("mov eax, dr7", t_user_read_dr7, t_user_read_dr7_insn) ||
	    !expect_gp("mov eax, dr6", t_user_read_dr6, t_user_read_dr6_insn) ||
	    !expect_gp("mov dr7, eax", t_user_write_dr7, t_user_write_dr7_insn))
		return;
	dr7 = DR_READ(7);
	if (dr7 != DR7_FIXED) {
		fail("cpl3-mov-dr-gp", "DR7=0x%08x after the refused write", dr7);
		return;
	}
	pass("cpl3-mov-dr-gp", "3 accesses at CPL 3, 3 #GP(0)");
}
