/* smp: a multiprocessor guest for the virtual local APIC. The BSP starts
 * the other CPUs with INIT-SIPI-SIPI, they exchange fixed IPIs (counted),
 * and the timer is checked in its three modes, on one CPU and on all at
 * once; x2APIC mode, disabling and re-enabling the APIC, NMI and INIT of a
 * running AP follow. It runs under Tern and on bare Bochs/QEMU (where the
 * TSC and APIC timer are measured against the PIT).
 *
 * Command line:
 *   mode=test|idle|burn  (default test)
 *   cpus=N      CPUs to use (default: CPUID.1:EBX[23:16], i.e. the VM's vCPUs)
 *   skip=a,b    tests not to run; only=a,b   only these
 *   slack=N     periods a periodic-timer run may end late (default 2): ticks
 *               a vCPU misses while it waits for a CPU coalesce
 *   mode=idle:  hz=H ticks=N late_us=L  (100, 100, 10000): periodic timer,
 *               HLT between ticks, worst lateness must stay under L
 *   mode=burn:  ms=M (1000): every CPU computes for M ms
 * Output: "smp: PASS|FAIL|SKIP name: ..." lines, then
 * "smp: N passed, M failed"; exit code 0 if none failed, else 1. */
#include "smp.h"

int under_tern;
const char *time_source;

/* The loader's information may sit where the trampoline goes: keep a copy
 * of the command line. */
static struct mb1_info mbi_copy;
static char cmdline_copy[256];

static const struct mb1_info *save_mbi(const struct mb1_info *mbi)
{
	const char *s = cmdline_str(mbi);
	size_t n = strlen(s);
	if (n >= sizeof(cmdline_copy))
		n = sizeof(cmdline_copy) - 1;
	memcpy(cmdline_copy, s, n);
	cmdline_copy[n] = '\0';
	mbi_copy.flags = MB1_INFO_CMDLINE;
	mbi_copy.cmdline = (uint32_t)(uintptr_t)cmdline_copy;
	return &mbi_copy;
}

int gmain(uint32_t magic, struct mb1_info *mbi_in)
{
	const struct mb1_info *mbi;
	char mode[16];

	mbi = save_mbi(magic == MB1_BOOTLOADER_MAGIC ? mbi_in : NULL);
	if (cmdline_get(mbi, "mode", mode, sizeof(mode)) <= 0)
		memcpy(mode, "test", 5);
	under_tern = hv_is_tern();
	struct cpuid_regs r1 = cpuid(1, 0);
	if (!((r1.edx >> 9) & 1)) {
		report(0, "apic-present", "CPUID.1:EDX.APIC[9] is 0");
		gprintf("smp: %u passed, %u failed\n", npassed, nfailed);
		return 1;
	}
	ncpus = (r1.edx >> 28) & 1 ? (r1.ebx >> 16) & 0xff : 1;
	ncpus = cmdline_get_u32(mbi, "cpus", ncpus);
	if (ncpus < 1)
		ncpus = 1;
	if (ncpus > MAX_CPUS)
		ncpus = MAX_CPUS;
	if (!under_tern) {
		/* Bare machine: mask the 8259s, whose timer would arrive at
		 * vector 8 once IF is set. */
		outb(0x21, 0xff);
		outb(0xa1, 0xff);
	}
	irq_init();
	gp_init();
	apic_enable();
	time_source = time_init();
	gprintf("smp: mode %s, %u CPUs, %s, TSC %u kHz, APIC timer %u kHz (%s)\n", mode, ncpus,
		under_tern ? "under Tern" : "no Tern", tsc_khz, apic_khz, time_source);
	sti();

	if (!strcmp(mode, "idle"))
		run_idle(mbi);
	else if (!strcmp(mode, "burn"))
		run_burn(mbi);
	else
		run_tests(mbi);
	gprintf("smp: ipis=%u\n", ipi_count);
	gprintf("smp: %u passed, %u failed\n", npassed, nfailed);
	return nfailed ? 1 : 0;
}
