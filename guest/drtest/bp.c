/* bp.c: breakpoints that fire: instruction, data write, data read/write,
 * lengths 1 and 2, I/O, single step and general detect. Each check arms
 * what it needs, runs a routine from targets.asm, disarms, and compares the
 * #DB record with SDM Vol. 3, 18.2-18.3 (table 18-2 "Debug Exception
 * Conditions"): which DR6 bits, and whether the saved EIP is the instruction
 * (fault) or the next one (trap). main.c resets every DR between checks. */
#include "drtest.h"
#include "dr.h"
#include "targets.h"

/* Data the watchpoints watch: 16-byte aligned, away from the stack. */
static volatile uint32_t watched[4] __attribute__((aligned(16)));
static volatile uint8_t bytes[16] __attribute__((aligned(16)));

/* One expected #DB. */
struct want_hit {
	uint32_t b_bits;    /* exact DR6 B0-B3 */
	uint32_t flag;      /* DR6_BS / DR6_BD that must be set, or 0 */
	uint32_t eip;
};

/* Compare dblog with `n` expected hits; on mismatch print one FAIL line
 * (with `what` as context) and return 0. */
static int expect_hits(const char *name, const char *what,
		       const struct want_hit *w, unsigned n)
{
	unsigned i;

	if (dblog.count != n) {
		fail(name, "%s: %u #DB, want %u%s (first: DR6=0x%08x EIP=0x%08x)",
		     what, dblog.count, n,
		     dblog.count >= MAX_HITS ? " (runaway: RF not honoured?)" : "",
		     dblog.count ? dblog.hit[0].dr6 : 0,
		     dblog.count ? dblog.hit[0].eip : 0);
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint32_t dr6 = dblog.hit[i].dr6, eip = dblog.hit[i].eip;

		if ((dr6 & DR6_B_MASK) != w[i].b_bits ||
		    (w[i].flag && !(dr6 & w[i].flag)) || eip != w[i].eip) {
			fail(name, "%s: #DB %u has DR6=0x%08x EIP=0x%08x, want "
			     "B=0x%x%s EIP=0x%08x", what, i + 1, dr6, eip,
			     w[i].b_bits, w[i].flag == DR6_BS ? " BS" :
			     w[i].flag == DR6_BD ? " BD" : "", w[i].eip);
			return 0;
		}
	}
	return 1;
}

/* Instruction breakpoint, DR0 + L0, R/W0 = 00, LEN0 = 00 (SDM 18.2.4:
 * LEN must be 00 for execution breakpoints). A fault: EIP = the target. */
void check_exec_bp(void)
{
	const struct want_hit w = { DR6_B(0), 0, ADDR(t_exec_target) };

	traps_reset(0);
	DR_WRITE(0, ADDR(t_exec_target));
	DR_WRITE(7, DR7_FIXED | DR7_L(0) |
		 DR7_RWLEN(0, DR7_RW_EXEC, DR7_LEN1));
	t_exec_target();
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("exec-bp", "call", &w, 1))
		return;
	if (dblog.hit[0].dr6 & DR6_BS) {
		fail("exec-bp", "DR6=0x%08x has BS set", dblog.hit[0].dr6);
		return;
	}
	pass("exec-bp", "DR6=0x%08x at 0x%08x, resumed with RF",
	     dblog.hit[0].dr6, dblog.hit[0].eip);
}

/* Breakpoints on CPUID and on the instruction after it. The handler
 * resumes the first with RF=1; the CPU clears RF once CPUID completes
 * (SDM 18.3.1.1), so the second breakpoint must fire. A hypervisor that
 * emulates CPUID and advances EIP must clear RF itself, or this second
 * #DB is lost. */
void check_exec_bp_rf_cpuid(void)
{
	const struct want_hit w[2] = {
		{ DR6_B(0), 0, ADDR(t_cpuid_bp_insn) },
		{ DR6_B(1), 0, ADDR(t_cpuid_bp_next) },
	};

	traps_reset(0);
	DR_WRITE(0, ADDR(t_cpuid_bp_insn));
	DR_WRITE(1, ADDR(t_cpuid_bp_next));
	DR_WRITE(7, DR7_FIXED | DR7_L(0) | DR7_L(1));
	t_cpuid_bp();
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("exec-bp-rf-cpuid", "cpuid; nop", w, 2))
		return;
	pass("exec-bp-rf-cpuid", "#DB on cpuid, then on the next instruction");
}

/* Write watchpoint, DR1 + L1, R/W1 = 01, LEN1 = 11 (4 bytes). Reads do not
 * trigger it; a write does, as a trap: the value is already written and
 * EIP is the next instruction. */
void check_write_wp(void)
{
	const struct want_hit w = { DR6_B(1), 0, ADDR(t_write32_after) };
	uint32_t v;

	watched[0] = 0x11111111;
	traps_reset(0);
	DR_WRITE(1, ADDR(&watched[0]));
	DR_WRITE(7, DR7_FIXED | DR7_L(1) |
		 DR7_RWLEN(1, DR7_RW_WRITE, DR7_LEN4));
	v = t_read32(&watched[0]);
	if (dblog.count) {
		DR_WRITE(7, DR7_FIXED);
		fail("write-wp", "a read hit the write-only watchpoint (DR6=0x%08x)",
		     dblog.hit[0].dr6);
		return;
	}
	t_write32(&watched[0], 0xC0FFEE11);
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("write-wp", "write", &w, 1))
		return;
	if (v != 0x11111111 || watched[0] != 0xC0FFEE11) {
		fail("write-wp", "memory read 0x%08x then holds 0x%08x, want "
		     "0x11111111 then 0xc0ffee11", v, watched[0]);
		return;
	}
	pass("write-wp", "DR6=0x%08x, trap after the write, value written",
	     dblog.hit[0].dr6);
}

/* Read/write watchpoint, DR2 + L2, R/W2 = 11, LEN2 = 11, hit by a read. */
void check_rw_wp_read(void)
{
	const struct want_hit w = { DR6_B(2), 0, ADDR(t_read32_after) };
	uint32_t v;

	watched[1] = 0x5EED5EED;
	traps_reset(0);
	DR_WRITE(2, ADDR(&watched[1]));
	DR_WRITE(7, DR7_FIXED | DR7_L(2) | DR7_RWLEN(2, DR7_RW_RW, DR7_LEN4));
	v = t_read32(&watched[1]);
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("rw-wp-read", "read", &w, 1))
		return;
	if (v != 0x5EED5EED) {
		fail("rw-wp-read", "read returned 0x%08x, want 0x5eed5eed", v);
		return;
	}
	pass("rw-wp-read", "DR6=0x%08x, trap after the read", dblog.hit[0].dr6);
}

/* Breakpoint lengths (SDM 18.2.5): a data breakpoint fires when any byte
 * accessed falls in [DRn, DRn + LEN). 1 byte at bytes+1 via DR3. */
void check_wp_len1(void)
{
	const struct want_hit w[2] = {
		{ DR6_B(3), 0, ADDR(t_write8_after) },
		{ DR6_B(3), 0, ADDR(t_write32_after) },
	};

	traps_reset(0);
	DR_WRITE(3, ADDR(&bytes[1]));
	DR_WRITE(7, DR7_FIXED | DR7_L(3) |
		 DR7_RWLEN(3, DR7_RW_WRITE, DR7_LEN1));
	t_write8(&bytes[0], 1);         /* just below: no #DB */
	t_write8(&bytes[2], 2);         /* just above: no #DB */
	t_write8(&bytes[1], 3);         /* the byte: #DB */
	t_write32(&bytes[0], 4);        /* a dword covering it: #DB */
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("wp-len1", "bytes 0, 2, 1, dword 0-3", w, 2))
		return;
	pass("wp-len1", "only accesses touching the byte hit");
}

/* 2 bytes at bytes+2 (LEN = 01; DR0 must be 2-byte aligned). */
void check_wp_len2(void)
{
	const struct want_hit w[2] = {
		{ DR6_B(0), 0, ADDR(t_write8_after) },
		{ DR6_B(0), 0, ADDR(t_write16_after) },
	};

	traps_reset(0);
	DR_WRITE(0, ADDR(&bytes[2]));
	DR_WRITE(7, DR7_FIXED | DR7_L(0) |
		 DR7_RWLEN(0, DR7_RW_WRITE, DR7_LEN2));
	t_write8(&bytes[1], 1);         /* below: no #DB */
	t_write8(&bytes[4], 2);         /* above: no #DB */
	t_write8(&bytes[3], 3);         /* second byte of the range: #DB */
	t_write16(&bytes[2], 4);        /* the word: #DB */
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("wp-len2", "bytes 1, 4, 3, word 2-3", w, 2))
		return;
	pass("wp-len2", "only accesses touching the word hit");
}

/* An armed watchpoint must survive VM exits: on every exit VMX sets DR7 to
 * 0x400 (the guest's DR7 is kept in the VMCS) while DR0-DR3 are not
 * switched by the CPU at all, so the hypervisor has to give them back. */
void check_wp_across_exits(void)
{
	const struct want_hit w = { DR6_B(1), 0, ADDR(t_write32_after) };
	unsigned i;

	traps_reset(0);
	DR_WRITE(1, ADDR(&watched[2]));
	DR_WRITE(7, DR7_FIXED | DR7_L(1) |
		 DR7_RWLEN(1, DR7_RW_WRITE, DR7_LEN4));
	for (i = 0; i < 100; i++) {
		(void)cpuid(0, 0);
		outb(0x80, (uint8_t)i);
	}
	t_write32(&watched[2], 0xABCD0123);
	DR_WRITE(7, DR7_FIXED);
	if (!expect_hits("wp-across-exits", "write after 100 cpuid + out", &w, 1))
		return;
	pass("wp-across-exits", "still armed after 200 exits");
}

/* Single step (SDM 18.3.1.4): POPFD sets TF, the next instruction traps
 * with DR6.BS = 1 and EIP after it. */
void check_single_step(void)
{
	const struct want_hit w = { 0, DR6_BS, ADDR(t_ss_after) };

	traps_reset(0);
	t_single_step();
	if (!expect_hits("single-step", "popfd(TF); nop", &w, 1))
		return;
	pass("single-step", "DR6=0x%08x after one instruction", dblog.hit[0].dr6);
}

/* The same over CPUID: under a hypervisor CPUID exits and is emulated, and
 * the hypervisor must deliver the single-step #DB after it. */
void check_single_step_cpuid(void)
{
	const struct want_hit w = { 0, DR6_BS, ADDR(t_ss_cpuid_after) };

	traps_reset(0);
	t_single_step_cpuid();
	if (!expect_hits("single-step-cpuid", "popfd(TF); cpuid", &w, 1))
		return;
	pass("single-step-cpuid", "DR6=0x%08x after cpuid", dblog.hit[0].dr6);
}

/* General detect (SDM 18.2.4, 18.3.1.2): with DR7.GD = 1 the next MOV DR
 * is a #DB fault with DR6.BD = 1, and the CPU clears GD before the handler
 * runs, so the handler can use the debug registers. After the handler the
 * MOV executes normally. */
void check_gd_read(void)
{
	const struct want_hit w = { 0, DR6_BD, ADDR(t_gd_read_insn) };
	uint32_t v, dr7_after;

	traps_reset(0);
	DR_WRITE(0, 0x00C0FFEE);
	DR_WRITE(7, DR7_FIXED | DR7_GD);
	v = t_gd_read();
	dr7_after = DR_READ(7);
	if (!expect_hits("gd-read", "mov eax, dr0", &w, 1))
		return;
	if (dblog.hit[0].dr7 & DR7_GD) {
		fail("gd-read", "DR7=0x%08x in the #DB handler: GD not cleared",
		     dblog.hit[0].dr7);
		return;
	}
	if (v != 0x00C0FFEE || dr7_after != DR7_FIXED) {
		fail("gd-read", "after the #DB: mov read 0x%08x (want 0x00c0ffee), "
		     "DR7=0x%08x (want 0x00000400)", v, dr7_after);
		return;
	}
	pass("gd-read", "DR6=0x%08x, DR7 in handler 0x%08x",
	     dblog.hit[0].dr6, dblog.hit[0].dr7);
}

void check_gd_write(void)
{
	const struct want_hit w = { 0, DR6_BD, ADDR(t_gd_write_insn) };
	uint32_t v;

	traps_reset(0);
	DR_WRITE(0, 0);
	DR_WRITE(7, DR7_FIXED | DR7_GD);
	t_gd_write(0x0BADF00D);
	v = DR_READ(0);
	if (!expect_hits("gd-write", "mov dr0, eax", &w, 1))
		return;
	if (dblog.hit[0].dr7 & DR7_GD) {
		fail("gd-write", "DR7=0x%08x in the #DB handler: GD not cleared",
		     dblog.hit[0].dr7);
		return;
	}
	if (v != 0x0BADF00D) {
		fail("gd-write", "DR0=0x%08x after the re-executed mov, want "
		     "0x0badf00d", v);
		return;
	}
	pass("gd-write", "DR6=0x%08x, mov re-executed", dblog.hit[0].dr6);
}

/* I/O breakpoint (SDM 18.2.4, R/W = 10 needs CR4.DE = 1): DR0 = port 0x80,
 * LEN 1; OUT to it is a trap with B0. Under a hypervisor port 0x80 exits and
 * is emulated, so the hypervisor must deliver this #DB itself. */
void check_io_bp(void)
{
	const struct want_hit w = { DR6_B(0), 0, ADDR(t_out80_after) };

	traps_reset(0);
	write_cr4(read_cr4() | CR4_DE);
	DR_WRITE(0, 0x80);
	DR_WRITE(7, DR7_FIXED | DR7_L(0) | DR7_RWLEN(0, DR7_RW_IO, DR7_LEN1));
	t_out80(0x42);
	DR_WRITE(7, DR7_FIXED);
	write_cr4(read_cr4() & ~CR4_DE);
	if (!expect_hits("io-bp", "out 0x80, al", &w, 1))
		return;
	pass("io-bp", "DR6=0x%08x after out 0x80", dblog.hit[0].dr6);
}
