/* IDT setup and the common exception/interrupt dispatcher. An exception in
 * Tern itself is never silent: it becomes a panic naming the vector, the
 * error code, RIP, CR2 and every register. */
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "arch/x86/gdt.h"
#include "hv/ksyms.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/power.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __packed;

extern const uint64_t isr_stub_table[256];
extern const struct extable_entry __extable_start[], __extable_end[];

static struct idt_gate idt[256] __aligned(16);
static trap_handler_t handlers[256];

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved (15)",
	"#MF x87 FP error", "#AC alignment check", "#MC machine check",
	"#XM SIMD FP", "#VE virtualization", "#CP control protection",
};

static void set_gate(unsigned v, uint64_t addr, uint8_t ist)
{
	idt[v].off_lo = (uint16_t)addr;
	idt[v].sel = GDT_KERNEL_CS;
	idt[v].ist = ist;
	idt[v].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
	idt[v].off_mid = (uint16_t)(addr >> 16);
	idt[v].off_hi = (uint32_t)(addr >> 32);
	idt[v].reserved = 0;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	idt[VEC_DF].ist = IST_DOUBLE_FAULT;
	idt[VEC_NMI].ist = IST_NMI;
	idt[VEC_MC].ist = IST_MACHINE_CHECK;
}

void idt_load(void)
{
	struct descriptor_ptr p = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}

void trap_register(unsigned vector, trap_handler_t h)
{
	if (vector < 256)
		handlers[vector] = h;
}

uint64_t extable_lookup(uint64_t rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->fault_rip == rip)
			return e->fixup_rip;
	return 0;
}

bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int ok = 1;
	__asm__ volatile("1: rdmsr\n\t"
			 "jmp 3f\n"
			 "2: xorl %2, %2\n"
			 "3:\n\t" EXTABLE_ENTRY("1b", "2b")
			 : "=a"(lo), "=d"(hi), "+r"(ok)
			 : "c"(msr));
	*val = ((uint64_t)hi << 32) | lo;
	return ok;
}

void dump_frame(const struct trap_frame *f)
{
	char sym[48];
	uint64_t off = 0;
	if (ksym_name(f->rip, &off, sym, sizeof(sym)))
		printk("  RIP is %s+%#llx\n", sym, (unsigned long long)off);
	printk("  RIP=%016llx CS=%04llx RFLAGS=%016llx\n"
	       "  RSP=%016llx SS=%04llx CR2=%016llx CR3=%016llx\n"
	       "  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
	       "  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n"
	       "  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n"
	       "  R13=%016llx R14=%016llx R15=%016llx CR0=%016llx CR4=%016llx\n",
	       (unsigned long long)f->rip, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	       (unsigned long long)f->ss, (unsigned long long)read_cr2(),
	       (unsigned long long)read_cr3(), (unsigned long long)f->rax,
	       (unsigned long long)f->rbx, (unsigned long long)f->rcx,
	       (unsigned long long)f->rdx, (unsigned long long)f->rsi,
	       (unsigned long long)f->rdi, (unsigned long long)f->rbp,
	       (unsigned long long)f->r8, (unsigned long long)f->r9,
	       (unsigned long long)f->r10, (unsigned long long)f->r11,
	       (unsigned long long)f->r12, (unsigned long long)f->r13,
	       (unsigned long long)f->r14, (unsigned long long)f->r15,
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
}

void trap_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (v == VEC_GP || v == VEC_PF) {
		uint64_t fix = extable_lookup(f->rip);
		if (fix) {
			f->rip = fix;
			return;
		}
	}
	if (v == VEC_NMI && (panic_in_progress() || cpus_stopping()))
		panic_stop_this_cpu();

	const char *name = v < 32 ? exception_names[v] : "unexpected interrupt";
	if (!name)
		name = "reserved exception";
	panic_frame(f, "exception %u (%s), error code %#llx at RIP %#llx, CR2 %#llx",
		    v, name, (unsigned long long)f->error,
		    (unsigned long long)f->rip, (unsigned long long)read_cr2());
}
