/* hello: the smallest useful guest. It proves the boot path (multiboot
 * magic, info, command line), the serial console and the debug exit, and
 * causes a known number of VM exits (CPUID and port 0x80 writes).
 *
 * Command line: name=NAME (default "hello"), loops=N (default 100),
 * exit=CODE (default 0), spin=TICKS (default 0): afterwards, stay CPU-bound
 * for TICKS of TSC time without exiting, and report the work done, which is
 * proportional to the CPU share the vCPU got (scheduler tests). */
#include "guest.h"

int gmain(uint32_t magic, struct mb1_info *mbi)
{
	char name[32], sig[13];
	uint32_t loops, code, i, apic_id, acc = 0;
	uint64_t t0, t1;

	if (magic != MB1_BOOTLOADER_MAGIC) {
		gprintf("hello: bad multiboot magic 0x%08x, ignoring the info\n",
			magic);
		mbi = NULL;
	}
	if (cmdline_get(mbi, "name", name, sizeof(name)) <= 0)
		memcpy(name, "hello", 6);
	loops = cmdline_get_u32(mbi, "loops", 100);
	code = cmdline_get_u32(mbi, "exit", 0);

	gprintf("hello from %s\n", name);
	gprintf("hello: cmdline \"%s\"\n", cmdline_str(mbi));
	/* Initial APIC ID: CPUID.1:EBX[31:24] (SDM Vol. 2A, CPUID). */
	apic_id = cpuid(1, 0).ebx >> 24;
	gprintf("hello: apic id %u\n", apic_id);
	if (mbi && (mbi->flags & MB1_INFO_MEM))
		gprintf("hello: mem_lower=%u KiB mem_upper=%u KiB\n",
			mbi->mem_lower, mbi->mem_upper);
	else
		gprintf("hello: no memory information\n");
	if (hv_signature(sig))
		gprintf("hello: hypervisor \"%s\"%s\n", sig,
			hv_is_tern() ? " (running under Tern)" : "");
	else
		gprintf("hello: no hypervisor\n");

	/* Each CPUID and each OUT is one VM exit under Tern. */
	t0 = rdtsc();
	for (i = 0; i < loops; i++) {
		acc += cpuid(0, 0).eax;
		outb(0x80, (uint8_t)i);
	}
	t1 = rdtsc();
	gprintf("hello: %u loops of cpuid + out 0x80 in %llu tsc ticks "
		"(max leaf %u)\n", loops, t1 - t0, loops ? acc / loops : 0);
	uint32_t spin = cmdline_get_u32(mbi, "spin", 0);
	if (spin) {
		/* Count how many blocks of pure computation fit in 'spin' ticks
		 * of (global) time: with N vCPUs sharing a CPU by weight, the
		 * counts divide as the weights do. */
		uint64_t start = rdtsc(), work = 0;
		volatile uint32_t x = 1;
		while (rdtsc() - start < spin) {
			for (int k = 0; k < 256; k++)
				x = x * 1103515245u + 12345u;
			work++;
		}
		gprintf("hello: spin %u ticks: work=%llu\n", spin, work);
	}
	gprintf("hello: done\n");
	return (int)code;
}
