/* drtest: debug-register semantics, checked against the Intel SDM (Vol. 3,
 * chapter 18 "Debug, Branch Profile, TSC, and Intel Resource Director
 * Technology Features", and MOV DR in Vol. 2B). The same ELF runs on bare
 * QEMU, bare Bochs and under Tern; every check prints one PASS/FAIL line
 * (or SKIP), then "drtest: N passed, M failed"; the exit code is 0 when
 * nothing failed, 1 otherwise.
 *
 * Command line:
 *   skip=a,b,...   skip the named checks (io-bp where I/O breakpoints are
 *                  not emulated)
 *   only=a,b,...   run only the named checks
 *   loops=N        iterations of dr-loop (default 100)
 *   seed=N         varies dr-loop's values between instances (default 1) */
#include "drtest.h"
#include "dr.h"

struct check {
	const char *name;
	void (*run)(void);
};

static struct dr_snapshot at_entry;
static uint32_t loop_count, loop_seed;

static void run_reset_values(void) { check_reset_values(&at_entry); }
static void run_dr_loop(void) { check_dr_loop(loop_count, loop_seed); }

/* 8-byte breakpoints: LEN = 10b is architectural only in IA-32e mode (and
 * on a few older models, SDM 18.2.5); this guest runs in protected mode. */
static void skip_len8(void)
{
	skip("wp-len8", "LEN=10b (8 bytes) is defined only in IA-32e mode");
}

static const struct check checks[] = {
	{ "reset-values", run_reset_values },   /* must stay first */
	{ "dr0-3-roundtrip", check_dr0_3_roundtrip },
	{ "dr7-roundtrip", check_dr7_roundtrip },
	{ "dr6-write", check_dr6_write },
	{ "dr4-dr5-alias", check_dr45_alias },
	{ "dr4-dr5-ud", check_dr45_ud },
	{ "exec-bp", check_exec_bp },
	{ "exec-bp-rf-cpuid", check_exec_bp_rf_cpuid },
	{ "write-wp", check_write_wp },
	{ "rw-wp-read", check_rw_wp_read },
	{ "wp-len1", check_wp_len1 },
	{ "wp-len2", check_wp_len2 },
	{ "wp-len8", skip_len8 },
	{ "wp-across-exits", check_wp_across_exits },
	{ "single-step", check_single_step },
	{ "single-step-cpuid", check_single_step_cpuid },
	{ "gd-read", check_gd_read },
	{ "gd-write", check_gd_write },
	{ "io-bp", check_io_bp },
	{ "cpl3-mov-dr-gp", check_cpl3_mov_dr },
	{ "dr-loop", run_dr_loop },
};

int gmain(uint32_t magic, struct mb1_info *mbi)
{
	char sig[13];
	unsigned i;

	/* Before anything else may touch them (entry.asm and the GDT/IDT
	 * setup do not). */
	at_entry.dr0 = DR_READ(0);
	at_entry.dr1 = DR_READ(1);
	at_entry.dr2 = DR_READ(2);
	at_entry.dr3 = DR_READ(3);
	at_entry.dr6 = DR_READ(6);
	at_entry.dr7 = DR_READ(7);

	if (magic != MB1_BOOTLOADER_MAGIC)
		mbi = NULL;
	loop_count = cmdline_get_u32(mbi, "loops", 100);
	loop_seed = cmdline_get_u32(mbi, "seed", 1);
	traps_init();

	gprintf("drtest: start, cmdline \"%s\"\n", cmdline_str(mbi));
	if (hv_signature(sig))
		gprintf("drtest: hypervisor \"%s\"\n", sig);

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const char *name = checks[i].name;

		if (cmdline_get(mbi, "only", NULL, 0) >= 0 &&
		    !cmdline_has_item(mbi, "only", name))
			continue;
		if (cmdline_has_item(mbi, "skip", name)) {
			skip(name, "skip= on the command line");
			continue;
		}
		checks[i].run();
		/* Leave nothing armed for the next check. */
		dr_reset_all();
		write_cr4(read_cr4() & ~CR4_DE);
		traps_reset(0);
	}
	return report_summary();
}
