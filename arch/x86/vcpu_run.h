/* Running a vCPU on this pCPU: switching it in and out, and the VM
 * entry/exit loop. */
#ifndef ARCH_X86_VCPU_RUN_H
#define ARCH_X86_VCPU_RUN_H

#include "hv/types.h"

struct vcpu;

/* Makes v's VMCS current here and loads its state (host fields for this
 * CPU, FPU, native MSRs, debug registers per the contract). */
void arch_vcpu_switch_in(struct vcpu *v);
/* Saves what must be saved (reads only for debug registers) and VMCLEARs
 * the VMCS so that any CPU can run the vCPU next. */
void arch_vcpu_switch_out(struct vcpu *v);
/* Enters the guest repeatedly until it must yield the CPU. 'slice':
 * ticks until preemption (UINT64_MAX: none). */
void arch_vcpu_run(struct vcpu *v, uint64_t slice);
/* Per-CPU set-up of the run machinery (host FPU mode, IPI vector). */
void arch_sched_cpu_init(void);
/* Sends the reschedule IPI to pCPU 'cpu'. */
void arch_kick_cpu(unsigned int cpu);
/* Idles until an interrupt arrives. */
void arch_idle(void);

#endif
