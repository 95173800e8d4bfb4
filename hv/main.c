/* Tern's C entry point on the boot CPU: validate what GRUB handed over,
 * bring up the console, memory, traps and the platform, then the other
 * CPUs, VMX and the VMs. */
#include "hv/cmdline.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/mb2.h"
#include "hv/memmap.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "hv/pmm.h"
#include "hv/power.h"
#include "hv/boot.h"
#include "hv/ksyms.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/paging.h"
#include "arch/x86/platform.h"
#include "arch/x86/trap.h"

void kmain(uint32_t magic, uint64_t info_pa);

struct boot_info boot_info;
struct tern_options options;

/* Command-line diagnostics are collected before the console exists (the
 * console's port is itself an option) and printed right after. */
#define EARLY_MSGS 16
static struct {
	int level;
	char text[160];
} early_msgs[EARLY_MSGS];
static unsigned n_early_msgs, n_dropped_msgs;

static void early_report(void *ctx, int level, const char *msg)
{
	if (n_early_msgs == EARLY_MSGS) {
		n_dropped_msgs++;
		return;
	}
	early_msgs[n_early_msgs].level = level;
	strlcpy(early_msgs[n_early_msgs].text, msg, sizeof(early_msgs[0].text));
	n_early_msgs++;
}

static void flush_early_msgs(void)
{
	for (unsigned i = 0; i < n_early_msgs; i++)
		log_printf(early_msgs[i].level, "command line: %s", early_msgs[i].text);
	if (n_dropped_msgs)
		log_warn("command line: %u more diagnostics dropped", n_dropped_msgs);
}

static void setup_memory(uint64_t info_pa)
{
	struct range excl[MB2_MAX_MODULES + 3];
	unsigned n = 0;

	excl[n++] = (struct range){ 0, 1 * MiB };
	excl[n++] = (struct range){ (uint64_t)__image_start, (uint64_t)__image_end };
	excl[n++] = (struct range){ info_pa, info_pa + boot_info.total_size };
	for (unsigned i = 0; i < boot_info.nmodules; i++)
		excl[n++] = (struct range){ boot_info.modules[i].start,
					    boot_info.modules[i].end };

	static struct range_set usable, ram;
	memmap_usable(boot_info.mmap, boot_info.nmmap, excl, n, &usable);
	memmap_usable(boot_info.mmap, boot_info.nmmap, NULL, 0, &ram);
	if (usable.overflow)
		log_warn("memory map has more than %u ranges; some RAM is unused",
			 RANGE_SET_MAX);

	uint64_t total = memmap_total_available(boot_info.mmap, boot_info.nmmap);
	log_info("memory: total %llu MiB, usable %llu MiB in %u ranges (%u map entries)",
		 (unsigned long long)(total / MiB),
		 (unsigned long long)(range_set_total(&usable) / MiB), usable.n,
		 boot_info.nmmap);
	for (unsigned i = 0; i < boot_info.nmmap; i++)
		log_debug("  e820 %#014llx-%#014llx %s",
			  (unsigned long long)boot_info.mmap[i].base,
			  (unsigned long long)(boot_info.mmap[i].base + boot_info.mmap[i].len),
			  mb2_mem_type_name(boot_info.mmap[i].type));

	pmm_init(&usable);
	paging_init(&ram, platform_trampoline_page(&boot_info));
}

void kmain(uint32_t magic, uint64_t info_pa)
{
	char err[192], warn[192];

	percpu_init_cpu(0);
	cmdline_defaults(&options);
	err[0] = warn[0] = '\0';
	int rc = mb2_parse(magic, (const void *)(uintptr_t)info_pa, 64 * MiB,
			   &boot_info, err, sizeof(err), warn, sizeof(warn));
	int nerr = 0;
	static char cmdline[4096];
	if (rc >= 0) {
		cmdline_grub_unquote(boot_info.cmdline, cmdline, sizeof(cmdline));
		boot_info.cmdline = cmdline;
		nerr = cmdline_parse(cmdline, &options, early_report, NULL);
	}

	console_init(options.console_port, options.baud);
	log_level = options.loglevel;
	printk("\nTern %s - x86-64 microhypervisor\n", TERN_VERSION);
#ifdef TERN_BREAK_SKIP_DR6_RESET
	printk("tern: DELIBERATELY BROKEN BUILD (BREAK=skip-dr6-reset): "
	       "the VM-exit path leaves guest DR6 bits in the hardware\n");
#endif
	if (rc < 0) {
		log_err("invalid boot information: %s", err);
		log_err("Tern must be started by a multiboot2 loader (GRUB 2: 'multiboot2 /boot/tern.elf'); stopping");
		machine_halt();
	}
	if (warn[0])
		log_warn("boot information: %s", warn);
	log_info("booted by %s; command line: '%s'",
		 boot_info.loader_name[0] ? boot_info.loader_name : "an unnamed loader",
		 boot_info.cmdline);
	flush_early_msgs();
	for (unsigned i = 0; i < boot_info.nmodules; i++)
		log_info("module %u: [%#llx-%#llx) '%s'", i,
			 (unsigned long long)boot_info.modules[i].start,
			 (unsigned long long)boot_info.modules[i].end, boot_info.modules[i].cmdline);
	if (nerr)
		log_warn("command line: %d invalid value%s, defaults used for %s", nerr,
			 nerr == 1 ? "" : "s", nerr == 1 ? "it" : "them");

	gdt_init_cpu(&this_cpu()->arch.gdt);
	idt_init();
	idt_load();
	setup_memory(info_pa);
	ksyms_init(&boot_info);

	platform_init(&boot_info, &options);
	if (options.selftest == SELFTEST_PANIC)
		panic("selftest=panic: a deliberate panic");
	if (options.selftest == SELFTEST_FAULT) {
		/* A write to Tern's own read-only text: a #PF inside Tern. */
		log_info("selftest=fault: writing to read-only text at %p", (void *)kmain);
		*(volatile uint8_t *)(uintptr_t)kmain = 0xcc;
	}
	hv_start(&boot_info, &options);
	if (!options.poweroff) {
		printk("tern: all VMs ended; halting (poweroff=off)\n");
		machine_halt();
	}
	machine_power_off();
}
