/* cpus.c: starting the application processors the standard way (INIT,
 * SIPI, SIPI; SDM Vol. 3, 10.4.4.1) through the real-mode trampoline in
 * entry.asm, and handing them work. An AP sleeps in `sti; hlt` until the
 * BSP posts a function in its slot and sends VEC_WAKE; it runs it, bumps
 * 'done' and wakes the BSP the same way. */
#include "smp.h"

#define TRAMP_BASE 0x8000u /* SIPI vector 0x08 */
#define AP_STACK 16384u

uint8_t ap_stacks[(MAX_CPUS - 1) * AP_STACK] __attribute__((aligned(16)));
const uint32_t ap_stack_size = AP_STACK;
struct cpu cpus[MAX_CPUS];
unsigned int ncpus = 1, nstarted = 1;

extern char tramp_start[], tramp_end[], tramp_mb_stack[], tramp_mb_entry[], tramp_mb_arg[];

static struct {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed)) bsp_gdtr, bsp_idtr;

static void ap_loop(unsigned int me) __attribute__((noreturn));
static void ap_loop(unsigned int me)
{
	struct cpu *c = &cpus[me];
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if (c->posted != c->done) {
			sti();
			c->work(me);
			c->done = c->posted;
			apic_send(apic_id_of(0), ICR_ASSERT | VEC_WAKE);
			continue;
		}
		sti_hlt();
	}
}

void ap_entry(uint32_t me);
void ap_entry(uint32_t me)
{
	/* The guest's own GDT (same selectors as the trampoline's) and IDT. */
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w2, %%fs\n\t"
			 "movw %w2, %%gs\n\t"
			 "lidt %3"
			 :
			 : "m"(bsp_gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "m"(bsp_idtr)
			 : "memory");
	struct cpu *c = &cpus[me];
	uint32_t base = (uint32_t)rdmsr(MSR_APIC_BASE);
	c->x2apic = (base & APIC_BASE_EXTD) != 0;
	c->base_msr = base;
	apic_enable();
	c->apic_id = c->x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
	c->done = c->posted; /* a restart forgets unfinished work */
	__atomic_fetch_add(&c->alive, 1, __ATOMIC_SEQ_CST);
	apic_send(apic_id_of(0), ICR_ASSERT | VEC_WAKE);
	ap_loop(me);
}

static void fill_mailbox(unsigned int cpu)
{
	uint8_t *t = (uint8_t *)(uintptr_t)TRAMP_BASE;
	*(uint32_t *)(t + (tramp_mb_stack - tramp_start)) =
		(uint32_t)(uintptr_t)(ap_stacks + cpu * AP_STACK);
	*(uint32_t *)(t + (tramp_mb_entry - tramp_start)) = (uint32_t)(uintptr_t)ap_entry;
	*(uint32_t *)(t + (tramp_mb_arg - tramp_start)) = cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static int start_one(unsigned int cpu)
{
	uint32_t id = apic_id_of(cpu), want = cpus[cpu].alive + 1;
	int x2 = cpus[this_cpu()].x2apic;

	fill_mailbox(cpu);
	apic_send(id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	if (!x2) /* the de-assert exists only in xAPIC mode */
		apic_send(id, ICR_INIT | ICR_LEVEL);
	delay_us(under_tern ? 100 : 10000);
	for (int sipi = 0; sipi < 2; sipi++) {
		apic_send(id, ICR_SIPI | ICR_ASSERT | (TRAMP_BASE >> 12));
		if (wait_for(&cpus[cpu].alive, want, sipi ? 2000000 : 200000))
			return 1;
	}
	return 0;
}

unsigned int start_aps(void)
{
	unsigned int up = 0;
	memcpy((void *)(uintptr_t)TRAMP_BASE, tramp_start, (size_t)(tramp_end - tramp_start));
	__asm__ volatile("sgdt %0" : "=m"(bsp_gdtr));
	__asm__ volatile("sidt %0" : "=m"(bsp_idtr));
	for (unsigned int i = 1; i < ncpus; i++) {
		if (start_one(i))
			up++;
		else
			gprintf("smp: cpu %u (APIC id %u) did not start\n", i, apic_id_of(i));
	}
	nstarted = 1 + up;
	return up;
}

int restart_ap(unsigned int cpu)
{
	return start_one(cpu);
}

static void post(unsigned int cpu, void (*fn)(unsigned int))
{
	struct cpu *c = &cpus[cpu];
	c->work = fn;
	__atomic_fetch_add(&c->posted, 1, __ATOMIC_SEQ_CST);
	apic_send(apic_id_of(cpu), ICR_ASSERT | VEC_WAKE);
}

int run_on(unsigned int cpu, void (*fn)(unsigned int), uint64_t timeout_us)
{
	post(cpu, fn);
	return wait_for(&cpus[cpu].done, cpus[cpu].posted, timeout_us);
}

int run_on_all(void (*fn)(unsigned int), uint64_t timeout_us)
{
	int ok = 1;
	for (unsigned int i = 1; i < nstarted; i++)
		post(i, fn);
	fn(0);
	for (unsigned int i = 1; i < nstarted; i++)
		if (!wait_for(&cpus[i].done, cpus[i].posted, timeout_us))
			ok = 0;
	return ok;
}
