/* Guest RDMSR/WRMSR: a documented allow-list (README, "MSRs"); anything
 * else raises #GP in the guest. */
#ifndef ARCH_X86_VMSR_H
#define ARCH_X86_VMSR_H

#include "hv/types.h"

struct vcpu;

/* False: the access faults (#GP). */
bool vmsr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
bool vmsr_write(struct vcpu *v, uint32_t msr, uint64_t val);

/* MSRs the guest uses natively (SYSCALL, SWAPGS, RDTSCP) that the VMCS
 * does not switch: loaded into the hardware when a vCPU is scheduled in
 * on a pCPU where another vCPU ran last. */
void vmsr_load_guest(struct vcpu *v);

#endif
