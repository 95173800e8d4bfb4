/* apic.c: local APIC access (xAPIC MMIO through explicit MOV instructions,
 * or x2APIC MSRs once a CPU switched), time keeping, the interrupt gates
 * and their dispatch, and HLT-based waiting. */
#include "smp.h"

uint32_t tsc_khz = 1000000, apic_khz = 1000000;

/* 64-by-32 division without libgcc: the high half first, then DIV with the
 * remainder in EDX (below the divisor, so DIV cannot overflow). */
uint64_t udiv64(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
	uint32_t qhi = hi / d, r = hi % d, qlo;

	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	return ((uint64_t)qhi << 32) | qlo;
}

uint64_t us_to_tsc(uint64_t us)
{
	return udiv64(us * tsc_khz, 1000);
}

uint64_t tsc_to_us(uint64_t ticks)
{
	return udiv64(ticks * 1000, tsc_khz);
}

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);
	while (rdtsc() < end)
		pause();
}

/* PIT channel 2 counts 10 ms (the speaker gate, polled). */
static uint64_t pit_10ms(uint32_t *apic_ticks)
{
	uint16_t count = 11932; /* 1193182 Hz * 10 ms */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	apic_write(APIC_TDCR, 0xB);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TMICT, 0xFFFFFFFFu);
	uint64_t t0 = rdtsc();
	for (uint32_t spins = 0; !(inb(0x61) & 0x20) && spins < 50000000u; spins++)
		;
	uint64_t t1 = rdtsc();
	*apic_ticks = 0xFFFFFFFFu - apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	return t1 - t0;
}

const char *time_init(void)
{
	if (under_tern && cpuid(0x40000000, 0).eax >= 0x40000010) {
		struct cpuid_regs r = cpuid(0x40000010, 0);
		if (r.eax && r.ebx) {
			tsc_khz = r.eax;
			apic_khz = r.ebx;
			/* Leaves 0x15/0x16 must agree with it. */
			struct cpuid_regs c15 = cpuid(0x15, 0), c16 = cpuid(0x16, 0);
			uint64_t f15 = c15.eax ? udiv64((uint64_t)c15.ecx * c15.ebx, c15.eax) : 0;
			if (udiv64(f15, 1000) != tsc_khz || c16.eax != tsc_khz / 1000 ||
			    c16.ecx != apic_khz / 1000)
				return "CPUID 0x40000010 (leaves 0x15/0x16 DISAGREE)";
			return "CPUID 0x40000010 (0x15/0x16 agree)";
		}
	}
	uint32_t apic_ticks;
	uint64_t tsc = pit_10ms(&apic_ticks);
	tsc_khz = (uint32_t)udiv64(tsc, 10);
	apic_khz = apic_ticks / 10;
	return "measured against the PIT";
}

unsigned int this_cpu(void)
{
	extern uint8_t ap_stacks[];
	extern const uint32_t ap_stack_size;
	uint32_t sp;
	__asm__ volatile("mov %%esp, %0" : "=r"(sp));
	uint32_t base = (uint32_t)(uintptr_t)ap_stacks;
	if (sp > base && sp <= base + (MAX_CPUS - 1) * ap_stack_size)
		return (sp - base - 1) / ap_stack_size + 1;
	return 0;
}

/* ---- register access ---- */

static inline uint32_t mmio_read(uint32_t reg)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(APIC_BASE_PA + reg) : "memory");
	return v;
}

static inline void mmio_write(uint32_t reg, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(APIC_BASE_PA + reg) : "memory");
}

uint32_t apic_read(uint32_t reg)
{
	if (cpus[this_cpu()].x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio_read(reg);
}

void apic_write(uint32_t reg, uint32_t val)
{
	if (cpus[this_cpu()].x2apic)
		wrmsr(0x800 + (reg >> 4), val);
	else
		mmio_write(reg, val);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_enable(void)
{
	apic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	apic_write(APIC_LVT_ERROR, VEC_ERROR);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	apic_write(APIC_TPR, 0);
}

uint32_t apic_id_of(unsigned int cpu)
{
	return cpu; /* checked by the ap-start test */
}

void apic_send(uint32_t dest, uint32_t lo)
{
	if (cpus[this_cpu()].x2apic) {
		wrmsr(0x830, ((uint64_t)dest << 32) | lo);
		return;
	}
	/* An interrupt handler that sends an IPI between the two writes
	 * would change ICR_HI under us: interrupts off. */
	uint32_t flags = read_eflags();
	__asm__ volatile("cli" ::: "memory");
	mmio_write(APIC_ICR_HI, dest << 24);
	mmio_write(APIC_ICR_LO, lo);
	uint64_t end = rdtsc() + us_to_tsc(100000);
	while ((mmio_read(APIC_ICR_LO) & ICR_BUSY) && rdtsc() < end)
		pause();
	if (flags & EFLAGS_IF)
		sti();
}

/* ---- interrupts ---- */

extern const uint32_t irq_stub_table[0xE0];
static irq_fn handlers[256];
static uint64_t idt_base;

void irq_set(unsigned int vector, irq_fn fn)
{
	handlers[vector & 0xff] = fn;
}

static void set_gate(unsigned int vec, uint32_t stub)
{
	uint8_t *g = (uint8_t *)(uintptr_t)(idt_base + vec * 8);
	g[0] = (uint8_t)stub;
	g[1] = (uint8_t)(stub >> 8);
	g[2] = KERNEL_CS;
	g[3] = 0;
	g[4] = 0;
	g[5] = 0x8E; /* present, DPL 0, 32-bit interrupt gate */
	g[6] = (uint8_t)(stub >> 16);
	g[7] = (uint8_t)(stub >> 24);
}

void irq_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	idt_base = idtr.base;
	/* Gates for 0x20-0xFF into the runtime's IDT, except its 0x80. */
	for (unsigned v = 0x20; v < 0x100; v++)
		if (v != VEC_USER_RETURN)
			set_gate(v, irq_stub_table[v - 0x20]);
}

void smp_irq_dispatch(uint32_t vector);
void smp_irq_dispatch(uint32_t vector)
{
	struct cpu *c = &cpus[this_cpu()];
	c->count[vector & 0xff]++;
	if (handlers[vector & 0xff])
		handlers[vector & 0xff](vector);
	if (vector != VEC_SPURIOUS)
		apic_eoi();
}

int wait_for(volatile uint32_t *p, uint32_t want, uint64_t timeout_us)
{
	uint64_t end = rdtsc() + us_to_tsc(timeout_us);
	/* Watchdog: a one-shot timer at the timeout (APIC ticks = TSC ticks
	 * scaled by apic_khz / tsc_khz). */
	uint64_t ticks = udiv64(us_to_tsc(timeout_us) * apic_khz, tsc_khz) + 1;
	apic_write(APIC_TDCR, 0xB);
	apic_write(APIC_LVT_TIMER, VEC_TIMER | TIMER_ONESHOT);
	apic_write(APIC_TMICT, ticks > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)ticks);
	int ok;
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if ((int32_t)(*p - want) >= 0) {
			ok = 1;
			break;
		}
		if (rdtsc() >= end) {
			ok = 0;
			break;
		}
		sti_hlt();
		/* a long timeout may need more than one timer period */
		if (!apic_read(APIC_TMCCT) && rdtsc() < end)
			apic_write(APIC_TMICT, 0xFFFFFFFFu);
	}
	apic_write(APIC_TMICT, 0);
	sti();
	return ok;
}

int spin_for(volatile uint32_t *p, uint32_t want, uint64_t timeout_us)
{
	uint64_t end = rdtsc() + us_to_tsc(timeout_us);
	while ((int32_t)(*p - want) < 0)
		if (rdtsc() >= end)
			return 0;
	return 1;
}

/* ---- MSR access that may fault ---- */

/* One #GP handler for every CPU (the runtime's handler table is shared):
 * a CPU that expects a fault from RDMSR/WRMSR skips the instruction and
 * counts it; anything else is fatal. */
static volatile uint32_t gp_expected[MAX_CPUS], gp_count[MAX_CPUS];

static void gp_handler(struct trap_frame *f)
{
	unsigned int me = this_cpu();
	const uint8_t *ip = (const uint8_t *)(uintptr_t)f->eip;
	if (gp_expected[me] && ip[0] == 0x0F && (ip[1] == 0x30 || ip[1] == 0x32)) {
		gp_count[me]++;
		f->eip += 2;
		return;
	}
	gprintf("smp: unexpected #GP on cpu %u at 0x%08x\n", me, f->eip);
	guest_exit(GUEST_EXIT_UNEXPECTED_TRAP);
}

void gp_init(void)
{
	idt_set_handler(VEC_GP, gp_handler);
}

int wrmsr_gp(uint32_t msr, uint64_t v)
{
	unsigned int me = this_cpu();
	uint32_t before = gp_count[me];
	gp_expected[me] = 1;
	wrmsr(msr, v);
	gp_expected[me] = 0;
	return gp_count[me] != before;
}

int rdmsr_gp(uint32_t msr, uint64_t *v)
{
	unsigned int me = this_cpu();
	uint32_t before = gp_count[me], lo = 0, hi = 0;
	gp_expected[me] = 1;
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	gp_expected[me] = 0;
	*v = ((uint64_t)hi << 32) | lo;
	return gp_count[me] != before;
}
