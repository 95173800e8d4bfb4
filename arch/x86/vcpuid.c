/* Guest CPUID (SDM Vol. 2A, CPUID). Features are passed through only if
 * Tern lets the guest use them safely: VMX, SMX, performance monitoring
 * (leaf 0xA, PDCM), XSAVE and everything that needs it (AVX...), MONITOR,
 * machine-check architecture, thermal and power management are hidden.
 * The hypervisor-present bit and leaves 0x40000000+ identify Tern. */
#include "arch/x86/vcpuid.h"
#include "hv/lib.h"

#define MAX_BASIC 0x16u
_Static_assert(MAX_BASIC + 1 == 0x17, "VCPUID_CACHE_BASIC covers the basic leaves");
#define MAX_EXT 0x80000008u

/* CPUID.1 ECX/EDX bits kept: SSE3, PCLMULQDQ, SSSE3, CX16, SSE4.1, SSE4.2,
 * MOVBE, POPCNT, AES, RDRAND (ECX); the base ISA of EDX. */
#define LEAF1_ECX_KEEP (BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | \
			BIT(22) | BIT(23) | BIT(25) | BIT(30))
#define LEAF1_ECX_X2APIC BIT(21)
#define LEAF1_ECX_TSC_DEADLINE BIT(24)
#define LEAF1_ECX_HYPERVISOR BIT(31)
/* FPU VME DE PSE TSC MSR PAE CX8 (APIC) SEP PGE CMOV PAT PSE36 CLFSH
 * MMX FXSR SSE SSE2 SS HTT; not MCE/MCA, MTRR, DS, ACPI, TM, PBE. */
#define LEAF1_EDX_KEEP (BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | \
			BIT(8) | BIT(11) | BIT(13) | BIT(15) | BIT(16) |             \
			BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26) |   \
			BIT(27) | BIT(28))
#define LEAF1_EDX_APIC BIT(9)
/* Leaf 7.0 EBX: FSGSBASE BMI1 SMEP BMI2 ERMS RDSEED ADX SMAP CLFLUSHOPT. */
#define LEAF7_EBX_KEEP (BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | \
			BIT(20) | BIT(23))
/* 0x80000001 ECX: LAHF/SAHF, ABM/LZCNT, PREFETCHW; EDX: SYSCALL, NX,
 * 1 GiB pages, RDTSCP, LM. */
#define EXT1_ECX_KEEP (BIT(0) | BIT(5) | BIT(8))
#define EXT1_EDX_KEEP (BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29))

static void topology(const struct vcpuid_ctx *c, uint32_t sub, struct vcpuid_regs *r)
{
	/* Leaf 0xB: one thread per core, nvcpus cores in one package. */
	uint32_t shift = 0;
	while ((1u << shift) < c->nvcpus)
		shift++;
	*r = (struct vcpuid_regs){ 0, 0, sub & 0xff, c->apic_id };
	if (sub == 0) {
		r->eax = 0;
		r->ebx = 1;
		r->ecx |= 1u << 8; /* SMT level */
	} else if (sub == 1) {
		r->eax = shift;
		r->ebx = c->nvcpus;
		r->ecx |= 2u << 8; /* core level */
	}
}

void vcpuid_compute(const struct vcpuid_ctx *c, host_cpuid_fn host, uint32_t leaf,
		    uint32_t sub, struct vcpuid_regs *r)
{
	uint32_t host_ext_max = host(0x80000000u, 0).eax;

	/* Out-of-range basic or extended leaves return the highest basic
	 * leaf's data, as the SDM specifies for Intel processors. */
	if ((leaf < TERN_CPUID_BASE && leaf > MAX_BASIC) ||
	    (leaf >= 0x80000000u && leaf > MIN(MAX_EXT, host_ext_max)) ||
	    (leaf > TERN_CPUID_MAX && leaf < 0x80000000u)) {
		leaf = MAX_BASIC;
	}

	if (leaf >= TERN_CPUID_BASE && leaf <= TERN_CPUID_MAX) {
		*r = (struct vcpuid_regs){ 0, 0, 0, 0 };
		if (leaf == TERN_CPUID_BASE) {
			r->eax = TERN_CPUID_MAX;
			memcpy(&r->ebx, TERN_SIGNATURE, 4);
			memcpy(&r->ecx, &TERN_SIGNATURE[4], 4);
			memcpy(&r->edx, &TERN_SIGNATURE[8], 4);
		} else if (leaf == TERN_CPUID_BASE + 0x10) {
			/* Timing leaf (the de-facto hypervisor convention):
			 * TSC and APIC-timer frequencies in kHz. */
			r->eax = (uint32_t)(c->tsc_hz / 1000);
			r->ebx = (uint32_t)(c->lapic_timer_hz / 1000);
		}
		return;
	}

	*r = host(leaf, sub);
	switch (leaf) {
	case 0:
		r->eax = MAX_BASIC;
		break;
	case 1:
		r->ebx = (r->ebx & 0xffff) | (MIN(c->nvcpus, 255u) << 16) | (c->apic_id << 24);
		r->ecx = (r->ecx & LEAF1_ECX_KEEP) | LEAF1_ECX_HYPERVISOR |
			 (c->x2apic ? LEAF1_ECX_X2APIC : 0) |
			 (c->tsc_deadline ? LEAF1_ECX_TSC_DEADLINE : 0);
		r->edx = (r->edx & LEAF1_EDX_KEEP) | (c->apic ? LEAF1_EDX_APIC : 0);
		if (c->nvcpus > 1)
			r->edx |= BIT(28);
		else
			r->edx &= ~(uint32_t)BIT(28);
		break;
	case 4:
		/* Cache descriptors stay; the sharing/core counts describe our
		 * topology: nvcpus cores, one thread each. */
		r->eax = (r->eax & 0x3ff) | ((MIN(c->nvcpus, 64u) - 1) << 26);
		break;
	case 7:
		if (sub == 0) {
			r->eax = 0;
			r->ebx &= LEAF7_EBX_KEEP;
			r->ecx = 0;
			r->edx = 0;
		} else {
			*r = (struct vcpuid_regs){ 0, 0, 0, 0 };
		}
		break;
	case 0xb:
	case 0x1f:
		topology(c, sub, r);
		break;
	case 0x15:
		/* TSC = crystal * EBX / EAX: say the crystal is the TSC. */
		if (c->tsc_hz <= UINT32_MAX)
			*r = (struct vcpuid_regs){ 1, 1, (uint32_t)c->tsc_hz, 0 };
		else /* 1 MHz crystal, ratio in kHz: exact to the kHz */
			*r = (struct vcpuid_regs){ 1000, (uint32_t)(c->tsc_hz / 1000), 1000000, 0 };
		break;
	case 0x16:
		*r = (struct vcpuid_regs){ (uint32_t)(c->tsc_hz / 1000000),
					   (uint32_t)(c->tsc_hz / 1000000),
					   (uint32_t)(c->lapic_timer_hz / 1000000), 0 };
		break;
	case 2:
	case 3:
		break; /* cache descriptors / serial number: as the host */
	case 0x80000000u:
		r->eax = MIN(MAX_EXT, r->eax);
		break;
	case 0x80000001u:
		r->ecx &= EXT1_ECX_KEEP;
		r->edx &= EXT1_EDX_KEEP;
		break;
	case 0x80000002u:
	case 0x80000003u:
	case 0x80000004u:
	case 0x80000006u:
	case 0x80000008u:
		break; /* brand string, cache and address sizes */
	case 0x80000007u:
		r->edx &= BIT(8); /* invariant TSC only */
		r->eax = r->ebx = r->ecx = 0;
		break;
	default:
		/* 5 MONITOR, 6 power, 0xA PMU, 0xD XSAVE, 0xF/0x10 RDT, 0x12
		 * SGX, 0x14 PT, and the rest: not virtualized. */
		*r = (struct vcpuid_regs){ 0, 0, 0, 0 };
		break;
	}
}

#ifndef TERN_HOST_TEST
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vlapic.h"
#include "hv/heap.h"
#include "hv/vm.h"

static struct vcpuid_regs host_cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r = cpuid(leaf, sub);
	return (struct vcpuid_regs){ r.eax, r.ebx, r.ecx, r.edx };
}

static void vcpuid_ctx_of(struct vcpu *v, struct vcpuid_ctx *c)
{
	*c = (struct vcpuid_ctx){
		.apic_id = v->id,
		.nvcpus = v->vm->nvcpus,
		.tsc_hz = tsc_hz(),
		.lapic_timer_hz = vlapic_timer_hz(),
		.x2apic = VLAPIC_X2APIC,
		.tsc_deadline = VLAPIC_TSC_DEADLINE,
		.apic = VLAPIC_PRESENT,
	};
}

static struct vcpuid_cache *build_cache(struct vcpu *v)
{
	struct vcpuid_cache *k = kzalloc(sizeof(*k));
	struct vcpuid_ctx c;

	if (!k)
		return NULL;
	vcpuid_ctx_of(v, &c);
	for (uint32_t i = 0; i < VCPUID_CACHE_BASIC; i++)
		vcpuid_compute(&c, host_cpuid, i, 0, &k->basic[i]);
	for (uint32_t i = 0; i < VCPUID_CACHE_HV; i++)
		vcpuid_compute(&c, host_cpuid, TERN_CPUID_BASE + i, 0, &k->hv[i]);
	for (uint32_t i = 0; i < VCPUID_CACHE_EXT; i++)
		vcpuid_compute(&c, host_cpuid, 0x80000000u + i, 0, &k->ext[i]);
	v->cpuid_cache = k;
	return k;
}

void vcpuid_emulate(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint64_t *gpr)
{
	const struct vcpuid_regs *hit = NULL;
	struct vcpuid_regs r;

	if (!v->cpuid_cache)
		hit = vcpuid_cached(build_cache(v), leaf);
	if (!hit) {
		struct vcpuid_ctx c;
		vcpuid_ctx_of(v, &c);
		vcpuid_compute(&c, host_cpuid, leaf, subleaf, &r);
		hit = &r;
	}
	/* Straight into the guest's RAX, RBX, RCX, RDX (SDM register order). */
	gpr[0] = hit->eax;
	gpr[3] = hit->ebx;
	gpr[1] = hit->ecx;
	gpr[2] = hit->edx;
}
#endif
