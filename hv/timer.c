/* Host timers (see timer.h): one sorted queue per pCPU under its own lock,
 * the earliest deadline programmed into that pCPU's LAPIC timer.
 *
 * Where callbacks may run. The scheduler loop takes the run-queue and
 * vCPU locks with interrupts enabled, and callbacks wake vCPUs, which
 * takes the same locks: running a callback from an interrupt that hit the
 * scheduler loop could deadlock on this pCPU. So callbacks run only where
 * this pCPU is known to hold no lock: in the external-interrupt VM exit
 * (the run loop handles exits with interrupts off and no lock held) and
 * when the interrupt woke the idle loop (the "sti; hlt" of arch_idle,
 * found by its bytes at set-up). An interrupt elsewhere re-arms the LAPIC
 * timer a few microseconds later; by then the pCPU has entered a guest or
 * gone idle. (A hook in arch_idle would make the byte search unneeded.) */
#include "hv/timer.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched_core.h"
#include "hv/spinlock.h"
#include "arch/x86/cpu.h"
#include "arch/x86/irq.h"
#include "arch/x86/lapic.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vcpu_run.h"

#define RETRY_US 5
#define IDLE_SCAN_BYTES 64

struct timer_cpu {
	spinlock_t lock;
	struct timer *head;
	bool hw_ready;
	struct timer_stats stats;
} __aligned(64);

static struct timer_cpu queues[MAX_CPUS];
static uint64_t retry_ticks;
/* Where an interrupt that woke arch_idle's "sti; hlt" returns to. */
static uintptr_t idle_resume_rip;

static inline struct timer_cpu *here(void)
{
	return &queues[this_cpu()->id];
}

static uint64_t irq_save(void)
{
	uint64_t flags = read_rflags();
	irq_disable();
	return flags;
}

static void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}

/* Runs expired callbacks if 'safe', then programs the next deadline.
 * Interrupts are off. */
static void run_expired(bool safe)
{
	struct timer_cpu *q = here();
	uint64_t next = 0;

	q->stats.irqs++;
	spin_lock(&q->lock);
	for (;;) {
		struct timer *t = q->head;
		if (!t) {
			next = 0;
			break;
		}
		uint64_t now = rdtsc();
		if (t->deadline > now) {
			next = t->deadline;
			break;
		}
		if (!safe) {
			if (!sched_vms_running()) {
				/* The run is over: nobody will run these. */
				q->head = t->next;
				__atomic_store_n(&t->cpu, -1, __ATOMIC_RELEASE);
				continue;
			}
			q->stats.deferred++;
			next = now + retry_ticks;
			break;
		}
		q->head = t->next;
		t->next = NULL;
		__atomic_store_n(&t->cpu, -1, __ATOMIC_RELEASE);
		q->stats.fired++;
		spin_unlock(&q->lock);
		t->fn(t);
		spin_lock(&q->lock);
	}
	lapic_timer_set_deadline(next);
	spin_unlock(&q->lock);
}

/* The interrupt arrived through a VM exit (irq_host_dispatch, which also
 * signals EOI). */
static void timer_irq(unsigned int vector)
{
	run_expired(true);
}

/* The interrupt arrived through the IDT: in the idle loop or in the
 * scheduler loop. */
static void timer_trap(struct trap_frame *f)
{
	run_expired(f->rip == idle_resume_rip);
	lapic_eoi();
}

/* Finds the "sti; hlt" (FB F4) of arch_idle: an interrupt that returns
 * right after it came while that pCPU idled, holding no lock. */
static void find_idle_hlt(void)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)arch_idle;
	for (unsigned i = 0; i + 1 < IDLE_SCAN_BYTES; i++) {
		if (code[i] == 0xfb && code[i + 1] == 0xf4) {
			idle_resume_rip = (uintptr_t)code + i + 2;
			return;
		}
		if (code[i] == 0xc3) /* ret: the end of it */
			break;
	}
	log_err("timers: no 'sti; hlt' in arch_idle; expired timers wait for a VM exit");
}

void timer_setup(void)
{
	retry_ticks = tsc_from_us(RETRY_US);
	if (!retry_ticks)
		retry_ticks = 1;
	find_idle_hlt();
	lapic_timer_setup(VEC_TIMER);
	irq_register(VEC_TIMER, timer_irq);
	trap_register(VEC_TIMER, timer_trap);
}

void timer_init(struct timer *t, timer_fn fn)
{
	*t = (struct timer){ .fn = fn, .cpu = -1 };
}

/* Unlinks 't' from whatever queue holds it. Interrupts are off. */
static void unlink(struct timer *t)
{
	for (;;) {
		int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (cpu < 0)
			return;
		struct timer_cpu *q = &queues[cpu];
		spin_lock(&q->lock);
		if (t->cpu == cpu) {
			struct timer **pp = &q->head;
			while (*pp && *pp != t)
				pp = &(*pp)->next;
			if (*pp)
				*pp = t->next;
			t->next = NULL;
			__atomic_store_n(&t->cpu, -1, __ATOMIC_RELEASE);
			/* If it was first, that pCPU's LAPIC fires early once
			 * and re-programs itself. */
			spin_unlock(&q->lock);
			return;
		}
		spin_unlock(&q->lock);
	}
}

void timer_arm(struct timer *t, uint64_t deadline)
{
	uint64_t flags = irq_save();
	struct timer_cpu *q = here();

	unlink(t);
	if (!q->hw_ready) {
		lapic_timer_cpu_init(VEC_TIMER);
		q->hw_ready = true;
	}
	spin_lock(&q->lock);
	t->deadline = deadline;
	struct timer **pp = &q->head;
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	__atomic_store_n(&t->cpu, (int)this_cpu()->id, __ATOMIC_RELEASE);
	if (q->head == t)
		lapic_timer_set_deadline(deadline);
	spin_unlock(&q->lock);
	irq_restore(flags);
}

void timer_cancel(struct timer *t)
{
	if (__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE) < 0)
		return;
	uint64_t flags = irq_save();
	unlink(t);
	irq_restore(flags);
}

void timer_get_stats(unsigned int cpu, struct timer_stats *out)
{
	*out = queues[cpu < MAX_CPUS ? cpu : 0].stats;
}
