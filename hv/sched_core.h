/* The per-CPU scheduling loop and vCPU state changes (blocking, waking,
 * stopping), built on the policy in hv/sched.h and the arch hooks in
 * arch/x86/vcpu_run.h. Each pCPU has one run queue under one lock. */
#ifndef TERN_SCHED_CORE_H
#define TERN_SCHED_CORE_H

#include "hv/percpu.h"
#include "hv/types.h"

struct vcpu;

void sched_core_init(void);
/* Makes a new vCPU runnable (placement by affinity and load). */
void sched_add_vcpu(struct vcpu *v);
/* Runs vCPUs on this pCPU until every VM has ended. */
void sched_run_cpu(void);
/* This pCPU should pick again (a kick arrived, the slice ended). Checked
 * before every VM entry, so inline. */
static inline bool sched_need_resched(void)
{
	return this_cpu()->need_resched;
}
static inline void sched_set_need_resched(void)
{
	this_cpu()->need_resched = true;
}
/* The running vCPU blocks (HLT): it leaves its run queue on return. */
void sched_block_current(struct vcpu *v);
/* A blocked vCPU becomes runnable (timer, interrupt, SIPI). */
void sched_wake(struct vcpu *v);
/* The vCPU stops for good; its VM ends when all its vCPUs have. */
void sched_stop_vcpu(struct vcpu *v, int why, const char *msg);
/* Asks the pCPU running 'v' (if any) to leave guest mode soon. */
void sched_kick_vcpu(struct vcpu *v);
/* Number of VMs that have not ended yet. */
unsigned int sched_vms_running(void);
/* Scheduler parameters, in TSC ticks. */
const struct sched_params *sched_get_params(void);

#endif
