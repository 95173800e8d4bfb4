/* hello: the smallest useful guest. It proves the boot path (multiboot
 * magic, info, command line), the serial console and the debug exit, and
 * causes a known number of VM exits (CPUID and port 0x80 writes).
 *
 * Command line: name=NAME (default "hello"), loops=N (default 100),
 * exit=CODE (default 0), spin=TICKS (default 0): afterwards, stay CPU-bound
 * for TICKS of TSC time without exiting, and report the work done, which is
 * proportional to the CPU share the vCPU got (scheduler tests).
 * touch=N (default 0): call hello_touch() N times, each writing
 * hello_touched: targets for breakpoints Tern places in the guest (the
 * VM's break= option). drcheck=1: write DR0-DR3 and DR7 and read them
 * back, to show the guest keeps its own values while Tern's breakpoints
 * are in the hardware. dr6dirty=TICKS: leave B0 set in DR6 while
 * computing for TICKS without exiting (the trace test of the exit path's
 * DR6 reset: the hypervisor must never carry it into its own code).
 * strio=1: string I/O (REP OUTSB to COM1, REP INSB forwards and backwards
 * from the UART's LSR, a 10000-byte REP OUTSB to port 0x80). */
#include "guest.h"

#define DR_WRITE(n, v) __asm__ volatile("mov %0, %%dr" #n : : "r"((uint32_t)(v)) : "memory")
#define DR_READ(n, v) __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v))

volatile uint32_t hello_touched;

__attribute__((noinline)) void hello_touch(uint32_t i);
__attribute__((noinline)) void hello_touch(uint32_t i)
{
	hello_touched = i + 1;
}

/* Own values in DR0-DR3 and DR7 (a write watchpoint on an address the
 * guest never writes), read back: returns the number of mismatches. */
static int drcheck(void)
{
	static const uint32_t want[4] = { 0x7000, 0x7100, 0x7200, 0x7300 };
	const uint32_t dr7 = 0x400 | 0x1 | (1u << 16) | (3u << 18); /* L0, write, 4 bytes */
	uint32_t got[5];
	int bad = 0;

	DR_WRITE(0, want[0]);
	DR_WRITE(1, want[1]);
	DR_WRITE(2, want[2]);
	DR_WRITE(3, want[3]);
	DR_WRITE(7, dr7);
	DR_READ(0, got[0]);
	DR_READ(1, got[1]);
	DR_READ(2, got[2]);
	DR_READ(3, got[3]);
	DR_READ(7, got[4]);
	for (int n = 0; n < 4; n++)
		if (got[n] != want[n]) {
			gprintf("hello: DR%d reads 0x%x, wrote 0x%x\n", n, got[n], want[n]);
			bad++;
		}
	if (got[4] != dr7) {
		gprintf("hello: DR7 reads 0x%x, wrote 0x%x\n", got[4], dr7);
		bad++;
	}
	DR_WRITE(7, 0x400);
	return bad;
}

static uint8_t strio_buf[10000];

/* Returns the number of failed checks; registers are checked after each
 * instruction as the SDM defines them (count to 0, index advanced). */
static int strio(void)
{
	static const char msg[] = "hello: rep outsb to COM1\n";
	uint32_t si = (uint32_t)msg, cx = sizeof(msg) - 1, di;
	uint8_t in[8];
	int bad = 0;

	__asm__ volatile("cld; rep outsb" : "+S"(si), "+c"(cx) : "d"(0x3f8) : "memory");
	if (cx != 0 || si != (uint32_t)msg + sizeof(msg) - 1) {
		gprintf("hello: rep outsb left ecx=%u esi+%u\n", cx, si - (uint32_t)msg);
		bad++;
	}
	/* Forwards: 4 bytes into in[0..3]; backwards: 4 into in[7..4]. */
	memset(in, 0, sizeof(in));
	di = (uint32_t)in;
	cx = 4;
	__asm__ volatile("cld; rep insb" : "+D"(di), "+c"(cx) : "d"(0x3fd) : "memory");
	if (cx != 0 || di != (uint32_t)in + 4)
		bad++;
	di = (uint32_t)&in[7];
	cx = 4;
	__asm__ volatile("std; rep insb; cld" : "+D"(di), "+c"(cx) : "d"(0x3fd) : "memory");
	if (cx != 0 || di != (uint32_t)&in[3])
		bad++;
	for (int i = 0; i < 8; i++)
		if (in[i] != 0x60) { /* LSR of an idle UART: THRE | TEMT */
			gprintf("hello: rep insb byte %d = 0x%x\n", i, in[i]);
			bad++;
		}
	/* Longer than one exit's chunk in Tern. */
	si = (uint32_t)strio_buf;
	cx = sizeof(strio_buf);
	__asm__ volatile("cld; rep outsb" : "+S"(si), "+c"(cx) : "d"(0x80) : "memory");
	if (cx != 0 || si != (uint32_t)strio_buf + sizeof(strio_buf)) {
		gprintf("hello: long rep outsb left ecx=%u\n", cx);
		bad++;
	}
	return bad;
}

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
	uint32_t touch = cmdline_get_u32(mbi, "touch", 0);
	for (i = 0; i < touch; i++)
		hello_touch(i);
	if (touch)
		gprintf("hello: touched %u times, hello_touched=%u\n", touch, hello_touched);
	uint32_t dirty = cmdline_get_u32(mbi, "dr6dirty", 0);
	if (dirty) {
		uint64_t start = rdtsc();
		volatile uint32_t x = 1;
		DR_WRITE(6, 0xffff0ff1u);
		while (rdtsc() - start < dirty)
			x = x * 1103515245u + 12345u;
		DR_WRITE(6, 0xffff0ff0u);
		gprintf("hello: DR6 left dirty for %u ticks\n", dirty);
	}
	if (cmdline_get_u32(mbi, "strio", 0))
		gprintf("hello: string I/O %s\n", strio() ? "WRONG" : "ok");
	if (cmdline_get_u32(mbi, "drcheck", 0))
		gprintf("hello: own debug registers %s\n", drcheck() ? "WRONG" : "ok");
	gprintf("hello: done\n");
	return (int)code;
}
