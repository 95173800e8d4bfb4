/* A virtual CPU: generic state (life cycle, scheduling, statistics); the
 * x86 state is in struct vcpu_arch. */
#ifndef TERN_VCPU_H
#define TERN_VCPU_H

#include "hv/sched.h"
#include "hv/spinlock.h"
#include "hv/types.h"
#include "arch/x86/vcpu_arch.h"

#define EXIT_REASONS 70

enum vcpu_state {
	VCPU_RUNNABLE,  /* on a run queue (running or waiting) */
	VCPU_BLOCKED,   /* HLT / wait-for-SIPI: off the run queues */
	VCPU_STOPPED,   /* ended; never runs again */
};

struct vcpu_stats {
	uint64_t exits_by_reason[EXIT_REASONS]; /* total: vcpu_exits() */
	uint64_t injected;      /* events injected */
	uint64_t halts;
	uint64_t wakeups;
};

struct vm;

struct vcpu {
	struct vcpu_arch arch;  /* first: the entry stub's guest_regs */
	struct vm *vm;
	unsigned int id;        /* index within the VM (its APIC id) */
	volatile int state;     /* enum vcpu_state */
	struct sched_entity se;
	int last_cpu;           /* pCPU it last ran on, -1 never */
	volatile bool kick;     /* someone wants it to leave guest mode */
	struct vcpu_stats stats;
	void *cpuid_cache;      /* see arch/x86/vcpuid.c */
	spinlock_t lock;        /* guards state changes from other CPUs */
};

static inline uint64_t vcpu_exits(const struct vcpu *v)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < EXIT_REASONS; i++)
		n += v->stats.exits_by_reason[i];
	return n;
}

/* Current vCPU on this pCPU (NULL in the idle loop). */
struct vcpu *current_vcpu(void);

#endif
