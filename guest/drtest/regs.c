/* regs.c: register-level debug-register checks: reset values, round trips,
 * the fixed bits of DR6/DR7, DR4/DR5 aliasing and #UD, and the long
 * round-trip loop across forced VM exits. No breakpoint is armed here: DR7
 * enable bits (L0-L3, G0-G3) and GD stay 0 throughout. */
#include "drtest.h"
#include "dr.h"
#include "targets.h"

/* SDM Vol. 3, 18.2 / table 10-1 "IA-32 and Intel 64 Processor States
 * Following Power-up, Reset, or INIT": DR0-DR3 = 0, DR6 = 0xFFFF0FF0,
 * DR7 = 0x400. Under a loader the values are what it left, which for QEMU's
 * -kernel, GRUB and Tern is the reset state. */
void check_reset_values(const struct dr_snapshot *s)
{
	if (s->dr0 || s->dr1 || s->dr2 || s->dr3 || s->dr6 != DR6_CLEAN ||
	    s->dr7 != DR7_FIXED) {
		fail("reset-values", "DR0=0x%08x DR1=0x%08x DR2=0x%08x DR3=0x%08x "
		     "DR6=0x%08x DR7=0x%08x, want 0 0 0 0 0xffff0ff0 0x00000400",
		     s->dr0, s->dr1, s->dr2, s->dr3, s->dr6, s->dr7);
		return;
	}
	pass("reset-values", "DR0-3=0 DR6=0x%08x DR7=0x%08x", s->dr6, s->dr7);
}

/* DR0-DR3 hold any 32-bit linear address (SDM 18.2.1). All four are
 * written before any is read, with distinct values, so a hypervisor that
 * mixed up registers would show. */
void check_dr0_3_roundtrip(void)
{
	static const uint32_t patterns[] = {
		0x00000000, 0xFFFFFFFF, 0x12345678, 0x87654321,
		0x55555555, 0xAAAAAAAA, 0x00100000, 0xFFFFF000,
	};
	unsigned p, n;

	for (p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		uint32_t want[4];

		for (n = 0; n < 4; n++) {
			want[n] = patterns[p] ^ (n * 0x11111111u);
			dr_write(n, want[n]);
		}
		for (n = 0; n < 4; n++) {
			uint32_t got = dr_read(n);

			if (got != want[n]) {
				fail("dr0-3-roundtrip", "DR%u wrote 0x%08x read 0x%08x",
				     n, want[n], got);
				return;
			}
		}
	}
	pass("dr0-3-roundtrip", "%u patterns x 4 registers",
	     (unsigned)(sizeof(patterns) / sizeof(patterns[0])));
}

/* DR7: R/W and LEN fields, LE and GE are plain storage; bit 10 reads 1
 * whatever was written (SDM 18.2.4). Enables and GD are left 0 so nothing
 * is armed; LEN = 10b is stored even though its meaning is
 * model-specific outside IA-32e mode. */
void check_dr7_roundtrip(void)
{
	static const uint32_t values[] = {
		0x00000400, 0x00000000, 0x00000300, 0xFFFF0400,
		0x55550500, 0xAAAA0600, 0x12340000, 0xEDCB0700,
	};
	unsigned i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint32_t want = values[i] | DR7_FIXED;
		uint32_t got;

		DR_WRITE(7, values[i]);
		got = DR_READ(7);
		if (got != want) {
			DR_WRITE(7, DR7_FIXED);
			fail("dr7-roundtrip", "wrote 0x%08x read 0x%08x want 0x%08x",
			     values[i], got, want);
			return;
		}
	}
	DR_WRITE(7, DR7_FIXED);
	pass("dr7-roundtrip", "%u values, bit 10 always 1",
	     (unsigned)(sizeof(values) / sizeof(values[0])));
}

/* DR6's reserved bits read as fixed values (SDM 18.2.3): bits 4-10 read 1,
 * bit 12 reads 0. Bits 11 (BLD) and 16 (RTM) are writable only on CPUs
 * with bus-lock detection / RTM and otherwise read 1; bits 17-31 read 1.
 * Only the architectural fixed bits are asserted; the rest is printed. */
void check_dr6_write(void)
{
	uint32_t after0, after1, clean;

	DR_WRITE(6, 0);
	after0 = DR_READ(6);
	DR_WRITE(6, 0xFFFFFFFF);
	after1 = DR_READ(6);
	DR_WRITE(6, DR6_CLEAN);
	clean = DR_READ(6);

	if ((after0 & DR6_ONES_4_10) != DR6_ONES_4_10 || (after0 & DR6_BIT12)) {
		fail("dr6-write", "wrote 0 read 0x%08x: bits 4-10 must read 1, "
		     "bit 12 must read 0", after0);
		return;
	}
	if (clean != DR6_CLEAN) {
		fail("dr6-write", "wrote 0xffff0ff0 read 0x%08x", clean);
		return;
	}
	pass("dr6-write", "wrote 0 read 0x%08x, wrote 0xffffffff read 0x%08x, "
	     "wrote 0xffff0ff0 read 0x%08x", after0, after1, clean);
}

/* With CR4.DE = 0, DR4 and DR5 are aliases of DR6 and DR7 (SDM 18.2.2).
 * B1|B3 and R/W0 = 01 are writable on every implementation. */
void check_dr45_alias(void)
{
	const uint32_t v6a = DR6_CLEAN | DR6_B(0) | DR6_B(2);
	const uint32_t v6b = DR6_CLEAN | DR6_B(1) | DR6_B(3);
	const uint32_t v7a = DR7_FIXED | DR7_RWLEN(0, DR7_RW_WRITE, DR7_LEN4);
	const uint32_t v7b = DR7_FIXED | DR7_RWLEN(1, DR7_RW_RW, DR7_LEN2);
	uint32_t got;

	write_cr4(read_cr4() & ~CR4_DE);
	traps_reset(0);

	DR_WRITE(6, v6a);
	got = t_read_dr4();
	if (got != v6a) {
		fail("dr4-dr5-alias", "DR6=0x%08x but DR4 read 0x%08x", v6a, got);
		return;
	}
	t_write_dr4(v6b);
	got = DR_READ(6);
	if (got != v6b) {
		fail("dr4-dr5-alias", "DR4 wrote 0x%08x but DR6 read 0x%08x", v6b, got);
		return;
	}
	DR_WRITE(7, v7a);
	got = t_read_dr5();
	if (got != v7a) {
		fail("dr4-dr5-alias", "DR7=0x%08x but DR5 read 0x%08x", v7a, got);
		return;
	}
	t_write_dr5(v7b);
	got = DR_READ(7);
	if (got != v7b) {
		fail("dr4-dr5-alias", "DR5 wrote 0x%08x but DR7 read 0x%08x", v7b, got);
		return;
	}
	pass("dr4-dr5-alias", "CR4.DE=0: DR4=DR6, DR5=DR7 both ways");
}

/* With CR4.DE = 1, any MOV to or from DR4/DR5 is #UD (SDM 18.2.2; MOV DR
 * in Vol. 2B). Each access must fault at its own EIP. */
void check_dr45_ud(void)
{
	static const struct {
		const char *what;
		char *insn, *resume;
		int write;
		unsigned dr;
	} cases[] = {
		{ "mov eax, dr4", t_read_dr4_insn, t_read_dr4_resume, 0, 4 },
		{ "mov eax, dr5", t_read_dr5_insn, t_read_dr5_resume, 0, 5 },
		{ "mov dr4, eax", t_write_dr4_insn, t_write_dr4_resume, 1, 4 },
		{ "mov dr5, eax", t_write_dr5_insn, t_write_dr5_resume, 1, 5 },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		traps_reset(ADDR(cases[i].resume));
		write_cr4(read_cr4() | CR4_DE);
		if (!cases[i].write)
			(void)(cases[i].dr == 4 ? t_read_dr4() : t_read_dr5());
		else if (cases[i].dr == 4)
			t_write_dr4(DR6_CLEAN);   /* harmless if it is not #UD */
		else
			t_write_dr5(DR7_FIXED);
		write_cr4(read_cr4() & ~CR4_DE);
		if (faultlog.count != 1 || faultlog.vector != VEC_UD ||
		    faultlog.eip != ADDR(cases[i].insn)) {
			fail("dr4-dr5-ud", "CR4.DE=1 %s: %u faults, last vector %u at "
			     "0x%08x, want one #UD at 0x%08x", cases[i].what,
			     faultlog.count, faultlog.vector, faultlog.eip,
			     ADDR(cases[i].insn));
			return;
		}
	}
	pass("dr4-dr5-ud", "CR4.DE=1: 4 accesses, 4 #UD");
}

/* xorshift32: cheap, deterministic values per (seed, iteration). */
static uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* The values must survive VM exits: write DR0-DR3, DR6, DR7, force an exit
 * with CPUID, read them back. Run with large loops= in two DR-using VMs on
 * one CPU to check that no VM sees another's values. DR6 gets varying
 * B0-B3/BD/BS/BT bits (bits 0-3, 13-15, writable everywhere); DR7 varying
 * R/W, LEN, LE, GE fields with nothing enabled. */
void check_dr_loop(uint32_t loops, uint32_t seed)
{
	uint32_t state = seed * 0x9E3779B9u + 0x6A09E667u, i;

	if (!state)
		state = 1;
	for (i = 0; i < loops; i++) {
		uint32_t want[8], got[8];
		unsigned n;

		for (n = 0; n < 4; n++)
			want[n] = next_rand(&state);
		want[6] = DR6_CLEAN | (next_rand(&state) & 0x0000E00Fu);
		want[7] = DR7_FIXED | (next_rand(&state) & 0xFFFF0300u);
		for (n = 0; n < 4; n++)
			dr_write(n, want[n]);
		DR_WRITE(6, want[6]);
		DR_WRITE(7, want[7]);
		(void)cpuid(0, 0);      /* a VM exit under any hypervisor */
		for (n = 0; n < 4; n++)
			got[n] = dr_read(n);
		got[6] = DR_READ(6);
		got[7] = DR_READ(7);
		for (n = 0; n < 8; n++) {
			if (n == 4 || n == 5 || got[n] == want[n])
				continue;
			DR_WRITE(7, DR7_FIXED);
			fail("dr-loop", "iteration %u of %u (seed %u): DR%u wrote "
			     "0x%08x read 0x%08x", i, loops, seed, n, want[n], got[n]);
			return;
		}
	}
	DR_WRITE(7, DR7_FIXED);
	pass("dr-loop", "%u iterations, seed %u", loops, seed);
}
