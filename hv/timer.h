/* Host timers: per-pCPU queues of deadlines (TSC ticks) with callbacks,
 * driven by the pCPU's LAPIC timer (TSC-deadline mode when the CPU has
 * it, else one-shot mode calibrated against the TSC) on vector VEC_TIMER.
 *
 * A timer is armed on the pCPU that arms it and fires there. Callbacks run
 * with interrupts disabled, from a context that holds no scheduler lock:
 * the external-interrupt VM exit, or an idle pCPU. A timer interrupt that
 * arrives elsewhere (the scheduler loop, which takes its locks with
 * interrupts enabled) is put off by a few microseconds, so callbacks may
 * call sched_wake() and friends. A callback can still run once after
 * timer_cancel() returns if it had already started on another pCPU:
 * callbacks must check that their work is still wanted. */
#ifndef TERN_TIMER_H
#define TERN_TIMER_H

#include "hv/types.h"

struct timer;
typedef void (*timer_fn)(struct timer *t);

struct timer {
	uint64_t deadline;    /* TSC value */
	timer_fn fn;
	struct timer *next;   /* in its pCPU's queue, sorted by deadline */
	volatile int cpu;     /* queue it is on, -1 if not armed */
};

/* Once, on the boot CPU, before any timer is armed. */
void timer_setup(void);
void timer_init(struct timer *t, timer_fn fn);
/* Arms (or re-arms) 't' to fire at 'deadline' on this pCPU. */
void timer_arm(struct timer *t, uint64_t deadline);
void timer_cancel(struct timer *t);

struct timer_stats {
	uint64_t irqs;      /* timer interrupts taken */
	uint64_t fired;     /* callbacks run */
	uint64_t deferred;  /* interrupts put off (arrived in an unsafe context) */
};
void timer_get_stats(unsigned int cpu, struct timer_stats *out);

#endif
