/* bad: a guest that misbehaves on purpose, to test that the hypervisor
 * contains it. Command line: mode=MODE, one of
 *   oob-read  read a dword far beyond RAM (addr=, default 0xC0000000);
 *             under Tern the VM must be stopped; elsewhere it exits 2
 *   triple    load an empty IDT, then int3: the #BP cannot be delivered
 *             (#GP), nor can that (#DF), so the CPU shuts down (triple
 *             fault; SDM Vol. 3, 6.15 "Interrupt 8 - Double Fault")
 *   msr       WRMSR to an MSR that does not exist (msr=, default 0x2ff0;
 *             value val= low half, default 0x12345678, valhi= high half,
 *             default 0): the #GP handler prints "bad: got #GP from wrmsr"
 *             and exits 3; without a #GP it prints "bad: wrmsr did not
 *             fault" and exits 4. (QEMU 7.2 TCG ignores writes to unknown
 *             MSRs; msr=0x6e1 valhi=0x100, IA32_PKRS with reserved bits
 *             63:32 set, is a #GP there.)
 *   loop      spin forever with interrupts off (timeout/preemption tests)
 *   ins-oob   REP INSB from COM1's LSR into memory beyond RAM (addr=,
 *             default 0xC0000000); under Tern the VM must be stopped;
 *             elsewhere it exits 2 */
#include "guest.h"

#define EXIT_SURVIVED_OOB  2
#define EXIT_GOT_GP        3
#define EXIT_NO_GP         4
#define EXIT_BAD_USAGE     9

static uint32_t msr_index;

static void wrmsr_gp(struct trap_frame *f)
{
	gprintf("bad: got #GP from wrmsr (error 0x%x, eip 0x%08x, msr 0x%x)\n",
		f->error, f->eip, msr_index);
	guest_exit(EXIT_GOT_GP);
}

static int do_ins_oob(const struct mb1_info *mbi)
{
	uint32_t di = cmdline_get_u32(mbi, "addr", 0xC0000000u), cx = 16;

	gprintf("bad: rep insb to 0x%08x, beyond RAM\n", di);
	serial_flush();
	__asm__ volatile("cld; rep insb" : "+D"(di), "+c"(cx) : "d"(0x3fd) : "memory");
	gprintf("bad: rep insb survived (ecx=%u)\n", cx);
	return EXIT_SURVIVED_OOB;
}

static int do_oob_read(const struct mb1_info *mbi)
{
	uint32_t addr = cmdline_get_u32(mbi, "addr", 0xC0000000u);
	uint32_t v;

	gprintf("bad: reading 0x%08x, beyond RAM\n", addr);
	serial_flush();         /* the next instruction may end the VM */
	v = *(volatile uint32_t *)(uintptr_t)addr;
	gprintf("bad: oob read returned 0x%08x\n", v);
	return EXIT_SURVIVED_OOB;
}

static int do_triple(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	gprintf("bad: triple fault next (empty IDT, int3)\n");
	serial_flush();         /* the machine resets before the UART drains */
	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
	gprintf("bad: survived a triple fault\n");
	return EXIT_SURVIVED_OOB;
}

static int do_msr(const struct mb1_info *mbi)
{
	uint64_t val = ((uint64_t)cmdline_get_u32(mbi, "valhi", 0) << 32) |
		       cmdline_get_u32(mbi, "val", 0x12345678);

	msr_index = cmdline_get_u32(mbi, "msr", 0x2ff0);
	idt_set_handler(VEC_GP, wrmsr_gp);
	gprintf("bad: wrmsr 0x%x <- 0x%llx\n", msr_index, val);
	wrmsr(msr_index, val);
	gprintf("bad: wrmsr did not fault\n");
	return EXIT_NO_GP;
}

static void __attribute__((noreturn)) do_loop(void)
{
	gprintf("bad: spinning forever with interrupts off\n");
	cli();
	for (;;)
		__asm__ volatile("" ::: "memory");
}

int gmain(uint32_t magic, struct mb1_info *mbi)
{
	char mode[16];

	if (magic != MB1_BOOTLOADER_MAGIC)
		mbi = NULL;
	cmdline_get(mbi, "mode", mode, sizeof(mode));
	gprintf("bad: mode %s\n", mode[0] ? mode : "(none)");
	if (!strcmp(mode, "oob-read"))
		return do_oob_read(mbi);
	if (!strcmp(mode, "triple"))
		return do_triple();
	if (!strcmp(mode, "msr"))
		return do_msr(mbi);
	if (!strcmp(mode, "loop"))
		do_loop();
	if (!strcmp(mode, "ins-oob"))
		return do_ins_oob(mbi);
	gprintf("bad: usage: mode=oob-read|triple|msr|loop|ins-oob\n");
	return EXIT_BAD_USAGE;
}
