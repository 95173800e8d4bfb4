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
/* Per-vCPU table of answers that depend neither on the subleaf nor on
 * guest state (arch/x86/vcpuid.c fills it at the first CPUID exit). */
#define VCPUID_CACHE_BASIC 0x17
#define VCPUID_CACHE_HV (TERN_CPUID_MAX - TERN_CPUID_BASE + 1)
#define VCPUID_CACHE_EXT 9
/* Basic leaves answered per subleaf or from changing state: 1 (APIC
 * enable bit), 4, 7, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14. */
#define VCPUID_UNCACHED ((1u << 1) | (1u << 4) | (1u << 7) | (1u << 0xb) | (1u << 0xd) | \
			 (1u << 0xf) | (1u << 0x10) | (1u << 0x12) | (1u << 0x14))

struct vcpuid_cache {
	struct vcpuid_regs basic[VCPUID_CACHE_BASIC];
	struct vcpuid_regs hv[VCPUID_CACHE_HV];
	struct vcpuid_regs ext[VCPUID_CACHE_EXT];
};

/* The cached answer for 'leaf', or NULL (then call vcpuid_emulate). */
static inline const struct vcpuid_regs *vcpuid_cached(const struct vcpuid_cache *k,
						       uint32_t leaf)
{
	if (!k)
		return NULL;
	if (leaf < VCPUID_CACHE_BASIC)
		return (VCPUID_UNCACHED & (1u << leaf)) ? NULL : &k->basic[leaf];
	if (leaf - TERN_CPUID_BASE < VCPUID_CACHE_HV)
		return &k->hv[leaf - TERN_CPUID_BASE];
	if (leaf - 0x80000000u < VCPUID_CACHE_EXT)
		return &k->ext[leaf - 0x80000000u];
	return NULL;
}

struct vcpu;
/* Answers a guest CPUID into gpr[RAX, RCX, RDX, RBX] (SDM register order). */
void vcpuid_emulate(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint64_t *gpr);
#endif

#endif
