/* Host tests for arch/x86/vcpuid.c: the guest's CPUID computed from a fake
 * host (a Skylake-like CPU with every feature bit set that Tern must hide,
 * and a realistic one), checked leaf by leaf against SDM Vol. 2A (CPUID)
 * and Tern's policy: VMX, SMX, PDCM, the PMU, XSAVE/AVX, MONITOR and MCE
 * hidden, the hypervisor bit and leaves 0x40000000+ present, the vCPU's own
 * APIC id and topology, the TSC frequency in leaves 0x15/0x16/0x40000010.
 * Tests named test_bug_* reproduce bugs found and fixed in the module;
 * they stay as regression tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/vcpuid.h"

#define R(a, b, c, d) ((struct vcpuid_regs){ a, b, c, d })

/* Which fake host answers. */
static bool host_all_ones;          /* every feature bit set */
static uint32_t host_max_ext = 0x80000008u;
static unsigned host_calls;

/* Skylake (i7-6700K)-like values. */
static struct vcpuid_regs host_skylake(uint32_t leaf, uint32_t sub)
{
	switch (leaf) {
	case 0: return R(0x16, 0x756e6547, 0x6c65746e, 0x49656e69); /* GenuineIntel */
	case 1: return R(0x000506e3, 0x02100800, 0x7ffafbbf, 0xbfebfbff);
	case 2: return R(0x76036301, 0x00f0b5ff, 0, 0x00c30000);
	case 4:
		switch (sub) {
		case 0: return R(0x1c004121, 0x01c0003f, 0x3f, 0);
		case 1: return R(0x1c004122, 0x01c0003f, 0x3f, 0);
		case 2: return R(0x1c004143, 0x00c0003f, 0x3ff, 0);
		case 3: return R(0x1c03c163, 0x03c0003f, 0x1fff, 6);
		default: return R(0, 0, 0, 0);
		}
	case 5: return R(0x40, 0x40, 3, 0x11142120);
	case 6: return R(0x27f7, 2, 9, 0);
	case 7: return sub == 0 ? R(0, 0x029c6fbf, 0, 0x9c000000) : R(0, 0, 0, 0);
	case 0xa: return R(0x07300404, 0, 0, 0x603);
	case 0xb:
		return sub == 0 ? R(1, 2, 0x100, 2) : sub == 1 ? R(4, 8, 0x201, 2) : R(0, 0, sub, 2);
	case 0xd: return R(0x1f, 0x440, 0x440, 0);
	case 0x15: return R(2, 0x11c, 0, 0);
	case 0x16: return R(4000, 4200, 100, 0);
	case 0x80000000u: return R(host_max_ext, 0, 0, 0);
	case 0x80000001u: return R(0, 0, 0x121, 0x2c100800);
	case 0x80000002u: return R(0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865);
	case 0x80000006u: return R(0, 0, 0x01006040, 0);
	case 0x80000007u: return R(0, 0, 0, 0x100);
	case 0x80000008u: return R(0x3027, 0, 0, 0);
	default:
		if (leaf < 0x80000000u)
			return host_skylake(0x16, 0);
		return R(0, 0, 0, 0);
	}
}

static struct vcpuid_regs host(uint32_t leaf, uint32_t sub)
{
	host_calls++;
	struct vcpuid_regs r = host_skylake(leaf, sub);
	if (host_all_ones && leaf != 0 && leaf != 0x80000000u && leaf != 0xb && leaf != 4)
		r = R(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff);
	if (host_all_ones && leaf == 1)
		r.ecx &= ~(uint32_t)BIT(31); /* the host is bare metal */
	return r;
}

static struct vcpuid_ctx ctx;

static int setup(void **state)
{
	host_all_ones = false;
	host_max_ext = 0x80000008u;
	host_calls = 0;
	ctx = (struct vcpuid_ctx){
		.apic_id = 3,
		.nvcpus = 4,
		.tsc_hz = 3999990000ULL,
		.lapic_timer_hz = 1000000000ULL,
		.x2apic = true,
		.tsc_deadline = true,
		.apic = true,
	};
	return 0;
}

static struct vcpuid_regs q(uint32_t leaf, uint32_t sub)
{
	struct vcpuid_regs r = { 0xdead, 0xdead, 0xdead, 0xdead };
	vcpuid_compute(&ctx, host, leaf, sub, &r);
	return r;
}

static void assert_regs(struct vcpuid_regs a, struct vcpuid_regs b)
{
	if (a.eax != b.eax || a.ebx != b.ebx || a.ecx != b.ecx || a.edx != b.edx)
		fail_msg("%08x %08x %08x %08x != %08x %08x %08x %08x", a.eax, a.ebx, a.ecx, a.edx,
			 b.eax, b.ebx, b.ecx, b.edx);
}

static void test_leaf0(void **state)
{
	struct vcpuid_regs r = q(0, 0);
	assert_int_equal(r.eax, 0x16);
	char vendor[13];
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = 0;
	assert_string_equal(vendor, "GenuineIntel");
}

#define L1C_SSE3 BIT(0)
#define L1C_PCLMUL BIT(1)
#define L1C_MONITOR BIT(3)
#define L1C_VMX BIT(5)
#define L1C_SMX BIT(6)
#define L1C_EST BIT(7)
#define L1C_SSSE3 BIT(9)
#define L1C_FMA BIT(12)
#define L1C_CX16 BIT(13)
#define L1C_PDCM BIT(15)
#define L1C_PCID BIT(17)
#define L1C_SSE41 BIT(19)
#define L1C_SSE42 BIT(20)
#define L1C_X2APIC BIT(21)
#define L1C_MOVBE BIT(22)
#define L1C_POPCNT BIT(23)
#define L1C_TSCDL BIT(24)
#define L1C_AES BIT(25)
#define L1C_XSAVE BIT(26)
#define L1C_OSXSAVE BIT(27)
#define L1C_AVX BIT(28)
#define L1C_F16C BIT(29)
#define L1C_RDRAND BIT(30)
#define L1C_HV BIT(31)

#define L1D_MCE BIT(7)
#define L1D_APIC BIT(9)
#define L1D_MTRR BIT(12)
#define L1D_MCA BIT(14)
#define L1D_DS BIT(21)
#define L1D_ACPI BIT(22)
#define L1D_HTT BIT(28)
#define L1D_TM BIT(29)
#define L1D_PBE BIT(31)

static void check_leaf1_hidden(struct vcpuid_regs r)
{
	static const uint64_t hidden_c[] = { L1C_MONITOR, L1C_VMX, L1C_SMX, L1C_EST, L1C_PDCM,
					     L1C_XSAVE, L1C_OSXSAVE, L1C_AVX, L1C_F16C, L1C_FMA };
	for (unsigned i = 0; i < ARRAY_SIZE(hidden_c); i++)
		if (r.ecx & hidden_c[i])
			fail_msg("leaf 1 ECX bit %d visible", __builtin_ctzll(hidden_c[i]));
	static const uint64_t hidden_d[] = { L1D_MCE, L1D_MTRR, L1D_MCA, L1D_DS,
					     L1D_ACPI, L1D_TM, L1D_PBE };
	for (unsigned i = 0; i < ARRAY_SIZE(hidden_d); i++)
		if (r.edx & hidden_d[i])
			fail_msg("leaf 1 EDX bit %d visible", __builtin_ctzll(hidden_d[i]));
	assert_true(r.ecx & L1C_HV);
}

static void test_leaf1_all_ones(void **state)
{
	host_all_ones = true;
	struct vcpuid_regs r = q(1, 0);
	check_leaf1_hidden(r);
	/* Kept: SSE3 PCLMULQDQ SSSE3 CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES RDRAND. */
	uint32_t kept = L1C_SSE3 | L1C_PCLMUL | L1C_SSSE3 | L1C_CX16 | L1C_SSE41 | L1C_SSE42 |
			L1C_MOVBE | L1C_POPCNT | L1C_AES | L1C_RDRAND;
	assert_int_equal(r.ecx, kept | L1C_HV | L1C_X2APIC | L1C_TSCDL);
	/* EDX: the base ISA, APIC, HTT. */
	assert_true(r.edx & BIT(0));  /* FPU */
	assert_true(r.edx & BIT(4));  /* TSC */
	assert_true(r.edx & BIT(5));  /* MSR */
	assert_true(r.edx & BIT(6));  /* PAE */
	assert_true(r.edx & BIT(8));  /* CX8 */
	assert_true(r.edx & L1D_APIC);
	assert_true(r.edx & BIT(15)); /* CMOV */
	assert_true(r.edx & BIT(16)); /* PAT */
	assert_true(r.edx & BIT(24)); /* FXSR */
	assert_true(r.edx & BIT(25)); /* SSE */
	assert_true(r.edx & BIT(26)); /* SSE2 */
	assert_true(r.edx & L1D_HTT);
	assert_int_equal(r.edx & BIT(10), 0); /* reserved */
	assert_int_equal(r.edx & BIT(20), 0); /* reserved */
	assert_int_equal(r.edx & BIT(30), 0); /* IA64 */
}

static void test_leaf1_skylake(void **state)
{
	struct vcpuid_regs h = host(1, 0);
	/* The fake host has what must be hidden. */
	assert_true(h.ecx & L1C_VMX);
	assert_true(h.ecx & L1C_PDCM);
	assert_true(h.ecx & L1C_XSAVE);
	assert_true(h.ecx & L1C_OSXSAVE);
	assert_true(h.ecx & L1C_AVX);
	assert_true(h.edx & L1D_MCE);
	struct vcpuid_regs r = q(1, 0);
	check_leaf1_hidden(r);
	assert_int_equal(r.eax, 0x000506e3); /* family/model/stepping */
	/* EBX: APIC id 31:24, logical count 23:16, CLFLUSH size and brand. */
	assert_int_equal(r.ebx >> 24, 3);
	assert_int_equal((r.ebx >> 16) & 0xff, 4);
	assert_int_equal(r.ebx & 0xffff, 0x0800);
	assert_true(r.edx & L1D_HTT);
	assert_true(r.ecx & L1C_SSE42);
	assert_true(r.ecx & L1C_AES);
	assert_true(r.ecx & L1C_POPCNT);
	/* Nothing the host lacks appears (bit 16 is reserved). */
	assert_int_equal(r.ecx & ~(h.ecx | L1C_HV | L1C_X2APIC | L1C_TSCDL), 0);
	assert_int_equal(r.edx & ~(h.edx | L1D_APIC | L1D_HTT), 0);
}

static void test_leaf1_ctx_flags(void **state)
{
	for (unsigned f = 0; f < 8; f++) {
		ctx.x2apic = f & 1;
		ctx.tsc_deadline = f & 2;
		ctx.apic = f & 4;
		for (int all = 0; all < 2; all++) {
			host_all_ones = all;
			struct vcpuid_regs r = q(1, 0);
			assert_int_equal(!!(r.ecx & L1C_X2APIC), ctx.x2apic);
			assert_int_equal(!!(r.ecx & L1C_TSCDL), ctx.tsc_deadline);
			assert_int_equal(!!(r.edx & L1D_APIC), ctx.apic);
			assert_true(r.ecx & L1C_HV);
		}
	}
	/* A host without x2APIC still gets the virtual one's bit. */
	ctx.x2apic = true;
	assert_true(q(1, 0).ecx & L1C_X2APIC);
}

static void test_leaf1_ids_and_count(void **state)
{
	static const uint32_t counts[] = { 1, 2, 3, 8, 64, 255, 256, 1000 };
	for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
		ctx.nvcpus = counts[i];
		ctx.apic_id = counts[i] - 1 > 255 ? 255 : counts[i] - 1;
		struct vcpuid_regs r = q(1, 0);
		assert_int_equal(r.ebx >> 24, ctx.apic_id);
		assert_int_equal((r.ebx >> 16) & 0xff, counts[i] > 255 ? 255 : counts[i]);
		assert_int_equal(!!(r.edx & L1D_HTT), counts[i] > 1);
		assert_int_equal(r.ebx & 0xffff, 0x0800);
	}
}

static void test_hidden_leaves(void **state)
{
	for (int all = 0; all < 2; all++) {
		host_all_ones = all;
		/* 0xA: performance monitoring, all zero. */
		assert_regs(q(0xa, 0), R(0, 0, 0, 0));
		/* 5 MONITOR, 6 power, 0xD XSAVE, 0xF/0x10 RDT, 0x12 SGX, 0x14 PT. */
		static const uint32_t leaves[] = { 5, 6, 0xd, 0xf, 0x10, 0x12, 0x14 };
		for (unsigned i = 0; i < ARRAY_SIZE(leaves); i++)
			for (uint32_t sub = 0; sub < 3; sub++)
				assert_regs(q(leaves[i], sub), R(0, 0, 0, 0));
	}
}

static void test_leaf7(void **state)
{
	for (int all = 0; all < 2; all++) {
		host_all_ones = all;
		struct vcpuid_regs r = q(7, 0);
		assert_int_equal(r.eax, 0);
		assert_int_equal(r.ecx, 0);
		assert_int_equal(r.edx, 0);
		/* AVX2 (5), HLE (4), RTM (11), MPX (14), AVX-512 (16...), SGX (2),
		 * INVPCID (10), PQM/PQE (12, 15), PT (25): hidden. */
		static const unsigned hidden[] = { 1, 2, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 21,
						   25, 26, 27, 28, 30, 31 };
		for (unsigned i = 0; i < ARRAY_SIZE(hidden); i++)
			if (r.ebx & BIT(hidden[i]))
				fail_msg("leaf 7 EBX bit %u visible", hidden[i]);
		assert_regs(q(7, 1), R(0, 0, 0, 0));
	}
	/* Kept when the host has them. */
	host_all_ones = true;
	assert_int_equal(q(7, 0).ebx, (uint32_t)(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) |
						 BIT(18) | BIT(19) | BIT(20) | BIT(23)));
}

static void test_leaf4(void **state)
{
	for (uint32_t n = 1; n <= 80; n++) {
		ctx.nvcpus = n;
		for (uint32_t sub = 0; sub < 4; sub++) {
			struct vcpuid_regs h = host(4, sub), r = q(4, sub);
			assert_int_equal(r.eax & 0x3ff, h.eax & 0x3ff); /* type, level, flags */
			assert_int_equal(r.eax >> 26, (n > 64 ? 64 : n) - 1);
			assert_int_equal((r.eax >> 14) & 0xfff, 0); /* one thread per cache */
			assert_int_equal(r.ebx, h.ebx);
			assert_int_equal(r.ecx, h.ecx);
			assert_int_equal(r.edx, h.edx);
		}
		/* The end of the list still has cache type 0. */
		assert_int_equal(q(4, 4).eax & 0x1f, 0);
	}
}

static void test_leaf_b_topology(void **state)
{
	static const uint32_t counts[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 64, 100 };
	for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
		uint32_t n = counts[i];
		uint32_t shift = 0;
		while ((1u << shift) < n)
			shift++;
		for (uint32_t id = 0; id < n; id++) {
			ctx.nvcpus = n;
			ctx.apic_id = id;
			struct vcpuid_regs s0 = q(0xb, 0), s1 = q(0xb, 1), s2 = q(0xb, 2);
			/* SMT level: one thread per core. */
			assert_int_equal(s0.eax & 0x1f, 0);
			assert_int_equal(s0.ebx & 0xffff, 1);
			assert_int_equal(s0.ecx & 0xff, 0);
			assert_int_equal((s0.ecx >> 8) & 0xff, 1);
			assert_int_equal(s0.edx, id);
			/* Core level: n cores; the shift covers every APIC id. */
			assert_int_equal(s1.eax & 0x1f, shift);
			assert_int_equal(s1.ebx & 0xffff, n);
			assert_int_equal(s1.ecx & 0xff, 1);
			assert_int_equal((s1.ecx >> 8) & 0xff, 2);
			assert_int_equal(s1.edx, id);
			assert_int_equal(id >> (s1.eax & 0x1f), 0); /* one package */
			/* Then the invalid level that ends the list. */
			assert_int_equal(s2.eax, 0);
			assert_int_equal(s2.ebx, 0);
			assert_int_equal(s2.ecx & 0xff, 2);
			assert_int_equal((s2.ecx >> 8) & 0xff, 0);
			assert_int_equal(s2.edx, id);
			struct vcpuid_regs s9 = q(0xb, 9);
			assert_int_equal(s9.ecx & 0xff, 9);
			assert_int_equal((s9.ecx >> 8) & 0xff, 0);
		}
	}
}

static void test_hypervisor_leaves(void **state)
{
	struct vcpuid_regs r = q(0x40000000u, 0);
	assert_int_equal(r.eax, 0x40000010u);
	char sig[13];
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	assert_string_equal(sig, "TernTernTern");
	/* Timing leaf: kHz. */
	r = q(0x40000010u, 0);
	assert_int_equal(r.eax, 3999990);
	assert_int_equal(r.ebx, 1000000);
	assert_int_equal(r.ecx, 0);
	assert_int_equal(r.edx, 0);
	ctx.tsc_hz = 2100000000ULL;
	ctx.lapic_timer_hz = 24000000ULL;
	r = q(0x40000010u, 0);
	assert_int_equal(r.eax, 2100000);
	assert_int_equal(r.ebx, 24000);
	/* The leaves in between are empty; none asks the host. */
	for (uint32_t l = 0x40000001u; l < 0x40000010u; l++) {
		host_calls = 0;
		assert_regs(q(l, 0), R(0, 0, 0, 0));
	}
	/* Same answer with a host full of ones. */
	host_all_ones = true;
	assert_int_equal(q(0x40000000u, 0).eax, 0x40000010u);
	assert_regs(q(0x40000005u, 0), R(0, 0, 0, 0));
}

static void check_tsc_leaves(uint64_t tsc_hz)
{
	ctx.tsc_hz = tsc_hz;
	struct vcpuid_regs r = q(0x15, 0);
	assert_true(r.eax != 0);
	assert_true(r.ebx != 0);
	assert_true(r.ecx != 0);
	uint64_t derived = (uint64_t)r.ecx * r.ebx / r.eax;
	if (derived != tsc_hz)
		fail_msg("leaf 0x15 says %llu Hz (ECX %u * EBX %u / EAX %u), TSC is %llu Hz",
			 (unsigned long long)derived, r.ecx, r.ebx, r.eax,
			 (unsigned long long)tsc_hz);
	r = q(0x16, 0);
	assert_int_equal(r.eax, (uint32_t)(tsc_hz / 1000000));
	/* Leaf 0x40000010 agrees. */
	assert_int_equal(q(0x40000010u, 0).eax, (uint32_t)(tsc_hz / 1000));
}

static void test_tsc_frequency(void **state)
{
	check_tsc_leaves(3999990000ULL);
	check_tsc_leaves(2100000000ULL);
	check_tsc_leaves(1000000000ULL);
	check_tsc_leaves(3192000000ULL);
	check_tsc_leaves(4200000000ULL);
	ctx.lapic_timer_hz = 100000000ULL;
	struct vcpuid_regs r = q(0x16, 0);
	assert_int_equal(r.ebx, r.eax); /* max = base: no turbo promised */
	assert_int_equal(r.ecx, 100);   /* bus/reference MHz */
	assert_int_equal(r.edx, 0);
}

static void test_out_of_range(void **state)
{
	struct vcpuid_regs max = q(0x16, 0);
	static const uint32_t basic[] = { 0x17, 0x18, 0x1f, 0x20, 0x1000, 0x3fffffffu,
					  0x40000011u, 0x40000100u, 0x4fffffffu, 0x7fffffffu };
	for (unsigned i = 0; i < ARRAY_SIZE(basic); i++)
		assert_regs(q(basic[i], 0), max);
	static const uint32_t ext[] = { 0x80000009u, 0x8000000au, 0x80000021u, 0x8fffffffu,
					0xffffffffu };
	for (unsigned i = 0; i < ARRAY_SIZE(ext); i++)
		assert_regs(q(ext[i], 0), max);
	/* Subleaves do not matter either. */
	assert_regs(q(0x17, 3), max);
}

static void test_extended_max(void **state)
{
	/* Capped at 0x80000008 ... */
	host_max_ext = 0x80000021u;
	assert_int_equal(q(0x80000000u, 0).eax, 0x80000008u);
	assert_regs(q(0x80000009u, 0), q(0x16, 0));
	assert_int_equal(q(0x80000008u, 0).eax, 0x3027);
	/* ... and never above the host's. */
	host_max_ext = 0x80000004u;
	assert_int_equal(q(0x80000000u, 0).eax, 0x80000004u);
	assert_regs(q(0x80000006u, 0), q(0x16, 0));
	assert_regs(q(0x80000008u, 0), q(0x16, 0));
	assert_int_equal(q(0x80000002u, 0).eax, 0x65746e49);
}

static void test_extended_leaves(void **state)
{
	struct vcpuid_regs r = q(0x80000001u, 0);
	assert_int_equal(r.ecx, 0x121); /* LAHF, ABM, PREFETCHW */
	assert_int_equal(r.edx, 0x2c100800);
	host_all_ones = true;
	r = q(0x80000001u, 0);
	assert_int_equal(r.ecx, (uint32_t)(BIT(0) | BIT(5) | BIT(8)));
	assert_int_equal(r.edx, (uint32_t)(BIT(11) | BIT(20) | BIT(26) | BIT(27) | BIT(29)));
	/* Invariant TSC only. */
	r = q(0x80000007u, 0);
	assert_regs(r, R(0, 0, 0, BIT(8)));
	host_all_ones = false;
	assert_regs(q(0x80000007u, 0), R(0, 0, 0, 0x100));
	/* Brand string, caches, address sizes: as the host. */
	assert_regs(q(0x80000002u, 0), host(0x80000002u, 0));
	assert_regs(q(0x80000006u, 0), host(0x80000006u, 0));
	assert_regs(q(0x80000008u, 0), host(0x80000008u, 0));
	/* Leaves 2 and 3: as the host. */
	assert_regs(q(2, 0), host(2, 0));
}

/* Leaf 0x15 puts the TSC frequency in ECX as a 32-bit value with
 * EBX/EAX = 1/1: a TSC at or above 2^32 Hz (4.295 GHz, e.g. a 4.3 GHz
 * Kaby Lake-X) wraps and the guest computes a wrong TSC frequency. */
static void test_bug_leaf15_tsc_above_4ghz(void **state)
{
	check_tsc_leaves(4300000000ULL);
	check_tsc_leaves(5000000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_leaf0, setup),
		cmocka_unit_test_setup(test_leaf1_all_ones, setup),
		cmocka_unit_test_setup(test_leaf1_skylake, setup),
		cmocka_unit_test_setup(test_leaf1_ctx_flags, setup),
		cmocka_unit_test_setup(test_leaf1_ids_and_count, setup),
		cmocka_unit_test_setup(test_hidden_leaves, setup),
		cmocka_unit_test_setup(test_leaf7, setup),
		cmocka_unit_test_setup(test_leaf4, setup),
		cmocka_unit_test_setup(test_leaf_b_topology, setup),
		cmocka_unit_test_setup(test_hypervisor_leaves, setup),
		cmocka_unit_test_setup(test_tsc_frequency, setup),
		cmocka_unit_test_setup(test_out_of_range, setup),
		cmocka_unit_test_setup(test_extended_max, setup),
		cmocka_unit_test_setup(test_extended_leaves, setup),
	};
	int failed = cmocka_run_group_tests_name("vcpuid", tests, NULL, NULL);
	const struct CMUnitTest known_bugs[] = {
		cmocka_unit_test_setup(test_bug_leaf15_tsc_above_4ghz, setup),
	};
	failed += cmocka_run_group_tests_name("vcpuid known bugs", known_bugs, NULL, NULL);
	return failed;
}
