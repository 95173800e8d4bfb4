/* CPUID as guests see it: the host's values with everything Tern does not
 * virtualize hidden, the vCPU's own topology, the hypervisor leaves and
 * the TSC frequency. The filtering is pure and unit-tested. */
#ifndef ARCH_X86_VCPUID_H
#define ARCH_X86_VCPUID_H

#include "hv/types.h"

struct vcpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* What the answer depends on besides the host's CPUID. */
struct vcpuid_ctx {
	uint32_t apic_id;        /* the vCPU's APIC id */
	uint32_t nvcpus;
	uint64_t tsc_hz;         /* TSC frequency reported to the guest */
	uint64_t lapic_timer_hz; /* LAPIC timer input frequency */
	bool x2apic;             /* the virtual LAPIC offers x2APIC mode */
	bool tsc_deadline;       /* ... and the TSC-deadline timer */
	bool apic;               /* a virtual LAPIC exists */
	bool osxsave;            /* unused while XSAVE is hidden */
};

#define TERN_CPUID_BASE 0x40000000u
#define TERN_CPUID_MAX 0x40000010u
#define TERN_SIGNATURE "TernTernTern"

typedef struct vcpuid_regs (*host_cpuid_fn)(uint32_t leaf, uint32_t subleaf);

void vcpuid_compute(const struct vcpuid_ctx *ctx, host_cpuid_fn host, uint32_t leaf,
		    uint32_t subleaf, struct vcpuid_regs *out);

#ifndef TERN_HOST_TEST
struct vcpu;
struct cpuid_regs;
void vcpuid_emulate(struct vcpu *v, uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out);
#endif

#endif
