/* Per-CPU data: one struct per physical CPU, reached through cpu_id() and
 * this_cpu(). Generic fields here; x86 state in struct cpu_arch. */
#ifndef TERN_PERCPU_H
#define TERN_PERCPU_H

#include "hv/types.h"
#include "arch/x86/cpu_arch.h"

#define MAX_CPUS 64

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads %gs:0 */
	uint32_t id;         /* Tern's CPU number, 0 = boot CPU */
	uint32_t apic_id;
	volatile bool online;
	volatile bool need_resched; /* pick again at the next chance (sched_core.c) */
	struct cpu_arch arch;
};

extern struct percpu percpu[MAX_CPUS];
extern unsigned int ncpus_online;

static inline struct percpu *this_cpu(void)
{
	return arch_this_cpu_ptr();
}

static inline uint32_t cpu_id(void)
{
	return this_cpu()->id;
}

/* Points this CPU's per-CPU accessor at percpu[id]. */
void percpu_init_cpu(uint32_t id);

#endif
