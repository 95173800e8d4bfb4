/* Host tests for arch/x86/ept.c: the EPT builder against SDM Vol. 3, 29.3
 * (entry formats) and 25.6.11 (EPT pointer), with a fake page allocator
 * over one aligned host buffer. Physical addresses are buffer offsets plus
 * FAKE_BASE; virt() maps them back and refuses anything else.
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

#include "arch/x86/ept.h"

#define FAKE_BASE 0x100000000ULL
#define FAKE_PAGES 1024

struct fake_mem {
	uint8_t *buf;
	unsigned next;            /* bump allocator */
	unsigned limit;           /* allocations allowed in total */
	unsigned allocs;
	bool allocated[FAKE_PAGES];
	unsigned freed[FAKE_PAGES];
	unsigned frees;
};

static struct fake_mem mem;

static paddr_t fake_alloc(void *ctx)
{
	struct fake_mem *m = ctx;
	assert_ptr_equal(m, &mem);
	if (m->allocs >= m->limit || m->next >= FAKE_PAGES)
		return 0;
	unsigned i = m->next++;
	m->allocs++;
	m->allocated[i] = true;
	/* A recycled page would be dirty: the allocator promises zeroes. */
	memset(m->buf + (size_t)i * PAGE_SIZE, 0, PAGE_SIZE);
	return FAKE_BASE + (paddr_t)i * PAGE_SIZE;
}

static void *fake_virt(void *ctx, paddr_t pa)
{
	struct fake_mem *m = ctx;
	assert_ptr_equal(m, &mem);
	if (pa < FAKE_BASE || pa >= FAKE_BASE + (paddr_t)FAKE_PAGES * PAGE_SIZE)
		fail_msg("virt() of %#llx: not a table page", (unsigned long long)pa);
	if (pa & (PAGE_SIZE - 1))
		fail_msg("virt() of unaligned %#llx", (unsigned long long)pa);
	unsigned i = (unsigned)((pa - FAKE_BASE) / PAGE_SIZE);
	if (!m->allocated[i])
		fail_msg("virt() of page %u that was never allocated", i);
	if (m->freed[i])
		fail_msg("virt() of freed page %u", i);
	return m->buf + (size_t)i * PAGE_SIZE;
}

static void fake_free(void *ctx, paddr_t pa)
{
	struct fake_mem *m = ctx;
	assert_ptr_equal(m, &mem);
	assert_true(pa >= FAKE_BASE && !(pa & (PAGE_SIZE - 1)));
	unsigned i = (unsigned)((pa - FAKE_BASE) / PAGE_SIZE);
	assert_true(i < FAKE_PAGES);
	assert_true(m->allocated[i]);
	m->freed[i]++;
	m->frees++;
}

static const struct ept_ops ops = { fake_alloc, fake_virt, &mem };

static int setup(void **state)
{
	uint8_t *buf = mem.buf;
	memset(&mem, 0, sizeof(mem));
	if (!buf) {
		buf = aligned_alloc(PAGE_SIZE, (size_t)FAKE_PAGES * PAGE_SIZE);
		assert_non_null(buf);
	}
	mem.buf = buf;
	/* Garbage everywhere: pages must come back zeroed from the allocator
	 * and nothing else may be read. */
	memset(mem.buf, 0xa5, (size_t)FAKE_PAGES * PAGE_SIZE);
	mem.limit = FAKE_PAGES;
	return 0;
}

static uint64_t *tab(paddr_t pa)
{
	return fake_virt(&mem, pa);
}

/* The raw entry for 'gpa' at 'level' (0 = PML4 ... 3 = PT), or 0 if the
 * walk stops earlier. */
static uint64_t raw_entry(const struct ept *e, uint64_t gpa, int level)
{
	static const unsigned shifts[4] = { 39, 30, 21, 12 };
	paddr_t t = e->root;
	for (int l = 0; l <= level; l++) {
		uint64_t ent = tab(t)[(gpa >> shifts[l]) & 511];
		if (l == level)
			return ent;
		if (!(ent & EPT_RWX) || (ent & EPT_LARGE))
			return 0;
		t = ent & EPT_ADDR_MASK;
	}
	return 0;
}

/* Every non-leaf entry: full RWX, no other low bits (bits 7:3 are
 * reserved in non-leaf entries), a table address. Leaf entries: the
 * permissions, memory type, ignore-PAT and the large bit as expected. */
static void check_structure(const struct ept *e, uint64_t gpa, uint64_t size, uint64_t hpa,
			    uint64_t perms, uint64_t mt)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t a = gpa + off;
		uint64_t pml4e = raw_entry(e, a, 0), pdpte = raw_entry(e, a, 1);
		uint64_t pde = raw_entry(e, a, 2);
		assert_int_equal(pml4e & 0xfff, EPT_RWX);
		assert_int_equal(pml4e >> 52, 0);
		assert_int_equal(pdpte & 0xfff, EPT_RWX);
		assert_int_equal(pdpte >> 52, 0);
		uint64_t leaf, psz;
		if (pde & EPT_LARGE) {
			leaf = pde;
			psz = LARGE_PAGE_SIZE;
		} else {
			assert_int_equal(pde & 0xfff, EPT_RWX);
			assert_int_equal(pde >> 52, 0);
			leaf = raw_entry(e, a, 3);
			psz = PAGE_SIZE;
			assert_int_equal(leaf & EPT_LARGE, 0);
		}
		assert_int_equal(leaf & EPT_RWX, perms);
		assert_int_equal((leaf >> 3) & 7, mt);
		assert_true(leaf & EPT_IGNORE_PAT);
		assert_int_equal(leaf & 0xf00, 0);   /* A/D, ignored, user-exec */
		assert_int_equal(leaf >> 52, 0);     /* no SVE, no ignored bits */
		uint64_t want = (hpa + off) & ~(psz - 1);
		assert_int_equal(leaf & EPT_ADDR_MASK & ~(psz - 1), want);
	}
}

/* Lookup of every 4 KiB page of a range, and of a few bytes inside. */
static void check_lookup(const struct ept *e, uint64_t gpa, uint64_t size, uint64_t hpa,
			 uint64_t perms, const uint64_t *want_psz /* per page or NULL */)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t h = 0, p = 0, s = 0;
		if (!ept_lookup(e, &ops, gpa + off, &h, &p, &s))
			fail_msg("gpa %#llx not mapped", (unsigned long long)(gpa + off));
		assert_int_equal(h, hpa + off);
		assert_int_equal(p, perms);
		if (want_psz)
			assert_int_equal(s, want_psz[off / PAGE_SIZE]);
		assert_true(ept_lookup(e, &ops, gpa + off + 0x123, &h, &p, &s));
		assert_int_equal(h, hpa + off + 0x123);
		assert_true(ept_lookup(e, &ops, gpa + off + 0xfff, &h, &p, &s));
		assert_int_equal(h, hpa + off + 0xfff);
	}
}

static void check_unmapped(const struct ept *e, uint64_t gpa)
{
	uint64_t h = 0x5a5a, p = 0x5a5a, s = 0x5a5a;
	if (ept_lookup(e, &ops, gpa, &h, &p, &s))
		fail_msg("gpa %#llx mapped (to %#llx)", (unsigned long long)gpa,
			 (unsigned long long)h);
}

static unsigned count_psz(const struct ept *e, uint64_t gpa, uint64_t size, uint64_t psz)
{
	unsigned n = 0;
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t h, p, s;
		assert_true(ept_lookup(e, &ops, gpa + off, &h, &p, &s));
		if (s == psz)
			n++;
	}
	return n;
}

/* Snapshot of everything the builder could change. */
struct snapshot {
	uint8_t *bytes;
	struct ept e;
	unsigned allocs;
};

static void take(struct snapshot *s, const struct ept *e)
{
	size_t n = (size_t)FAKE_PAGES * PAGE_SIZE;
	s->bytes = malloc(n);
	assert_non_null(s->bytes);
	memcpy(s->bytes, mem.buf, n);
	s->e = *e;
	s->allocs = mem.allocs;
}

static void same(struct snapshot *s, const struct ept *e)
{
	assert_int_equal(mem.allocs, s->allocs);
	assert_int_equal(e->root, s->e.root);
	assert_int_equal(e->pages, s->e.pages);
	assert_memory_equal(mem.buf, s->bytes, (size_t)FAKE_PAGES * PAGE_SIZE);
	free(s->bytes);
}

static void destroy_and_check(struct ept *e)
{
	uint64_t pages = e->pages;
	assert_int_equal(pages, mem.allocs);
	ept_destroy(e, &ops, fake_free);
	assert_int_equal(mem.frees, pages);
	for (unsigned i = 0; i < FAKE_PAGES; i++)
		assert_int_equal(mem.freed[i], mem.allocated[i] ? 1 : 0);
	assert_int_equal(e->root, 0);
	assert_int_equal(e->pages, 0);
}

/* ------------------------------------------------------------------ */

static void test_init_and_pointer(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(e.pages, 1);
	assert_int_equal(e.root & (PAGE_SIZE - 1), 0);
	assert_true(e.root >= FAKE_BASE);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(tab(e.root)[i], 0);
	uint64_t eptp = ept_pointer(&e);
	assert_int_equal(eptp & 7, 6);                /* WB paging structures */
	assert_int_equal((eptp >> 3) & 7, 3);         /* 4-level walk (length - 1) */
	assert_int_equal(eptp & BIT(6), 0);           /* no A/D flags */
	assert_int_equal(eptp & 0xf80, 0);            /* reserved */
	assert_int_equal(eptp & ~0xfffULL, e.root);
	check_unmapped(&e, 0);
	check_unmapped(&e, 0xfffffffff000ULL);
	destroy_and_check(&e);
}

static void test_init_oom(void **state)
{
	struct ept e = { 0x1234, 99 };
	mem.limit = 0;
	assert_false(ept_init(&e, &ops));
	assert_int_equal(e.pages, 0);
	assert_int_equal(mem.allocs, 0);
}

static void test_map_large_pages(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 0, 0x40000000, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	/* PML4 + PDPT + PD, no page table. */
	assert_int_equal(e.pages, 3);
	check_lookup(&e, 0, 4 * MiB, 0x40000000, EPT_RWX, NULL);
	assert_int_equal(count_psz(&e, 0, 4 * MiB, LARGE_PAGE_SIZE), 1024);
	check_structure(&e, 0, 4 * MiB, 0x40000000, EPT_RWX, EPT_MT_WB);
	/* The exact leaf: RWX | WB << 3 | ignore PAT | large. */
	assert_int_equal(raw_entry(&e, 0, 2), 0x40000000 | 0x7 | (6 << 3) | BIT(6) | BIT(7));
	assert_int_equal(raw_entry(&e, 2 * MiB, 2), 0x40200000 | 0xf7);
	check_unmapped(&e, 4 * MiB);
	check_unmapped(&e, 1 * GiB);
	destroy_and_check(&e);
}

static void test_map_mixed_unaligned(void **state)
{
	/* 0x1ff000: one 4K page, two 2M pages, then three 4K pages. */
	struct ept e;
	assert_true(ept_init(&e, &ops));
	uint64_t gpa = 0x1ff000, hpa = 0x800000000ULL + 0x1ff000, size = 0x1000 + 4 * MiB + 0x3000;
	assert_int_equal(ept_map(&e, &ops, gpa, hpa, size, EPT_RWX, EPT_MT_WB), 0);
	uint64_t want[0x404];
	unsigned n = (unsigned)(size / PAGE_SIZE);
	assert_int_equal(n, ARRAY_SIZE(want));
	for (unsigned i = 0; i < n; i++)
		want[i] = (i == 0 || i > 1024) ? PAGE_SIZE : LARGE_PAGE_SIZE;
	check_lookup(&e, gpa, size, hpa, EPT_RWX, want);
	check_structure(&e, gpa, size, hpa, EPT_RWX, EPT_MT_WB);
	/* PML4, PDPT, PD, and two page tables (first and last 2M region). */
	assert_int_equal(e.pages, 5);
	check_unmapped(&e, gpa - PAGE_SIZE);
	check_unmapped(&e, gpa + size);
	check_unmapped(&e, 0);
	destroy_and_check(&e);
}

static void test_map_hpa_misaligned(void **state)
{
	/* gpa 2M-aligned but hpa only 4K-aligned: 4K pages throughout. */
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 2 * MiB, 0x80001000, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(count_psz(&e, 2 * MiB, 4 * MiB, PAGE_SIZE), 1024);
	check_lookup(&e, 2 * MiB, 4 * MiB, 0x80001000, EPT_RWX, NULL);
	check_structure(&e, 2 * MiB, 4 * MiB, 0x80001000, EPT_RWX, EPT_MT_WB);
	assert_int_equal(e.pages, 5);
	/* hpa 2M-aligned, gpa not. */
	assert_int_equal(ept_map(&e, &ops, 1 * GiB + 0x1000, 0xc0000000, 4 * MiB, EPT_RWX,
				 EPT_MT_WB), 0);
	assert_int_equal(count_psz(&e, 1 * GiB + 0x1000, 4 * MiB, PAGE_SIZE), 1024);
	check_lookup(&e, 1 * GiB + 0x1000, 4 * MiB, 0xc0000000, EPT_RWX, NULL);
	/* Both aligned, but less than 2M left. */
	assert_int_equal(ept_map(&e, &ops, 2 * GiB, 0x200000000ULL, 2 * MiB - PAGE_SIZE, EPT_RWX,
				 EPT_MT_WB), 0);
	assert_int_equal(count_psz(&e, 2 * GiB, 2 * MiB - PAGE_SIZE, PAGE_SIZE), 511);
	check_unmapped(&e, 2 * GiB + 2 * MiB - PAGE_SIZE);
	destroy_and_check(&e);
}

static void test_map_perms_and_types(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	static const struct {
		uint64_t perms, mt;
	} c[] = {
		{ EPT_R, EPT_MT_UC },         { EPT_R | EPT_W, EPT_MT_WB },
		{ EPT_R | EPT_X, EPT_MT_WB }, { EPT_RWX, 1 /* WC */ },
		{ EPT_RWX, 4 /* WT */ },      { EPT_R, 5 /* WP */ },
		{ EPT_X, EPT_MT_WB },         /* execute-only (needs the capability) */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++) {
		uint64_t gpa = (uint64_t)i * 8 * MiB;
		/* One large page and one small page each. */
		assert_int_equal(ept_map(&e, &ops, gpa, 0x300000000ULL + gpa, 2 * MiB + PAGE_SIZE,
					 c[i].perms, c[i].mt), 0);
		check_lookup(&e, gpa, 2 * MiB + PAGE_SIZE, 0x300000000ULL + gpa, c[i].perms, NULL);
		check_structure(&e, gpa, 2 * MiB + PAGE_SIZE, 0x300000000ULL + gpa, c[i].perms,
				c[i].mt);
	}
	destroy_and_check(&e);
}

static void test_map_table_boundaries(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	/* Across a PDPT entry (1 GiB) and a PML4 entry (512 GiB). */
	uint64_t g1 = 1 * GiB - 2 * MiB, g2 = 512 * GiB - 2 * MiB;
	assert_int_equal(ept_map(&e, &ops, g1, 0x10000000, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(e.pages, 4); /* root, PDPT, 2 PDs */
	assert_int_equal(ept_map(&e, &ops, g2, 0x20000000, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(e.pages, 7); /* + the PDPT of PML4 entry 1, 2 PDs */
	check_lookup(&e, g1, 4 * MiB, 0x10000000, EPT_RWX, NULL);
	check_lookup(&e, g2, 4 * MiB, 0x20000000, EPT_RWX, NULL);
	assert_int_equal(count_psz(&e, g2, 4 * MiB, LARGE_PAGE_SIZE), 1024);
	/* The top of the 48-bit guest-physical space. */
	uint64_t top = (1ULL << 48) - 2 * MiB;
	assert_int_equal(ept_map(&e, &ops, top, 0x30000000, 2 * MiB, EPT_RWX, EPT_MT_WB), 0);
	check_lookup(&e, top, 2 * MiB, 0x30000000, EPT_RWX, NULL);
	/* High host addresses (up to bit 51). */
	uint64_t hh = 0x000ffffff0000000ULL;
	assert_int_equal(ept_map(&e, &ops, 4 * GiB, hh, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	check_lookup(&e, 4 * GiB, 4 * MiB, hh, EPT_RWX, NULL);
	check_structure(&e, 4 * GiB, 4 * MiB, hh, EPT_RWX, EPT_MT_WB);
	destroy_and_check(&e);
}

static void test_map_overlap_rejected(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 2 * MiB, 0x40000000, 2 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&e, &ops, 8 * MiB, 0x50000000, 3 * PAGE_SIZE, EPT_RWX, EPT_MT_WB),
			 0);
	struct snapshot s;
	static const struct {
		uint64_t gpa, size;
	} bad[] = {
		{ 2 * MiB, 2 * MiB },                          /* same */
		{ 2 * MiB + 0x1000, PAGE_SIZE },               /* inside a large page */
		{ 2 * MiB - PAGE_SIZE, 2 * PAGE_SIZE },        /* its first page */
		{ 4 * MiB - PAGE_SIZE, 2 * PAGE_SIZE },        /* its last page */
		{ 0, 64 * MiB },                               /* around everything */
		{ 8 * MiB + 2 * PAGE_SIZE, PAGE_SIZE },        /* a small page */
		{ 8 * MiB - 2 * MiB, 2 * MiB + PAGE_SIZE },    /* large candidate + 1 */
		{ 4 * MiB - 2 * PAGE_SIZE, 6 * MiB },          /* starts mapped */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		take(&s, &e);
		int rc = ept_map(&e, &ops, bad[i].gpa, 0x60000000, bad[i].size, EPT_RWX, EPT_MT_WB);
		if (rc != -1)
			fail_msg("overlap %u: %d", i, rc);
		same(&s, &e);
	}
	/* Neighbours are fine. */
	assert_int_equal(ept_map(&e, &ops, 0, 0x60000000, 2 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&e, &ops, 4 * MiB, 0x60200000, 4 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&e, &ops, 8 * MiB + 3 * PAGE_SIZE, 0x70003000,
				 2 * MiB - 3 * PAGE_SIZE, EPT_RWX, EPT_MT_WB), 0);
	check_lookup(&e, 0, 2 * MiB, 0x60000000, EPT_RWX, NULL);
	check_lookup(&e, 2 * MiB, 2 * MiB, 0x40000000, EPT_RWX, NULL);
	check_lookup(&e, 4 * MiB, 4 * MiB, 0x60200000, EPT_RWX, NULL);
	check_lookup(&e, 8 * MiB, 3 * PAGE_SIZE, 0x50000000, EPT_RWX, NULL);
	check_lookup(&e, 8 * MiB + 3 * PAGE_SIZE, 2 * MiB - 3 * PAGE_SIZE, 0x70003000, EPT_RWX,
		     NULL);
	destroy_and_check(&e);
}

static void test_map_bad_arguments(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 0, 0x40000000, 2 * MiB, EPT_RWX, EPT_MT_WB), 0);
	static const struct {
		uint64_t gpa, hpa, size, perms, mt;
	} bad[] = {
		{ 0x400001, 0x40000000, PAGE_SIZE, EPT_RWX, EPT_MT_WB },  /* gpa */
		{ 0x400800, 0x40000000, PAGE_SIZE, EPT_RWX, EPT_MT_WB },
		{ 0x400000, 0x40000010, PAGE_SIZE, EPT_RWX, EPT_MT_WB },  /* hpa */
		{ 0x400000, 0x40000000, 0x1800, EPT_RWX, EPT_MT_WB },     /* size */
		{ 0x400000, 0x40000000, 0, EPT_RWX, EPT_MT_WB },
		{ 0x400000, 0x40000000, PAGE_SIZE, 0, EPT_MT_WB },        /* perms */
		{ 0x400000, 0x40000000, PAGE_SIZE, EPT_RWX | BIT(3), EPT_MT_WB },
		{ 0x400000, 0x40000000, PAGE_SIZE, EPT_R | EPT_LARGE, EPT_MT_WB },
		{ 0x400000, 0x40000000, PAGE_SIZE, EPT_RWX, 8 },          /* mt */
		{ 0x400000, 0x40000000, PAGE_SIZE, EPT_RWX, ~0ULL },
		{ 1ULL << 48, 0x40000000, PAGE_SIZE, EPT_RWX, EPT_MT_WB }, /* > 48 bits */
		{ (1ULL << 48) - PAGE_SIZE, 0x40000000, 2 * PAGE_SIZE, EPT_RWX, EPT_MT_WB },
		{ ~0xfffULL, 0x40000000, PAGE_SIZE, EPT_RWX, EPT_MT_WB }, /* wraps */
		{ 0x400000, 0x40000000, ~0xfffULL, EPT_RWX, EPT_MT_WB },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		struct snapshot s;
		take(&s, &e);
		int rc = ept_map(&e, &ops, bad[i].gpa, bad[i].hpa, bad[i].size, bad[i].perms,
				 bad[i].mt);
		if (rc != -1)
			fail_msg("bad argument case %u: %d", i, rc);
		same(&s, &e);
	}
	destroy_and_check(&e);
}

static void test_map_oom(void **state)
{
	/* Every possible allocation failure point of a map that needs a
	 * PDPT, a PD and two page tables. */
	for (unsigned budget = 1; budget <= 5; budget++) {
		setup(NULL);
		struct ept e;
		mem.limit = budget;
		assert_true(ept_init(&e, &ops));
		int rc = ept_map(&e, &ops, 0x1ff000, 0x40000000 + 0x1ff000, 2 * MiB + 2 * PAGE_SIZE,
				 EPT_RWX, EPT_MT_WB);
		if (budget < 5) {
			assert_int_equal(rc, -2);
		} else {
			assert_int_equal(rc, 0);
			check_lookup(&e, 0x1ff000, 2 * MiB + 2 * PAGE_SIZE, 0x40000000 + 0x1ff000,
				     EPT_RWX, NULL);
		}
		/* The partial tables are counted and all freed. */
		assert_int_equal(e.pages, mem.allocs);
		destroy_and_check(&e);
	}
	/* With memory back, a failed map can be completed ("rolled
	 * forward") only where nothing was mapped: a fresh EPT works. */
	setup(NULL);
	struct ept e;
	mem.limit = 3;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 0, 0x40000000, 2 * MiB, EPT_RWX, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&e, &ops, 2 * MiB, 0x40200000, PAGE_SIZE, EPT_RWX, EPT_MT_WB), -2);
	mem.limit = FAKE_PAGES;
	assert_int_equal(ept_map(&e, &ops, 2 * MiB, 0x40200000, PAGE_SIZE, EPT_RWX, EPT_MT_WB), 0);
	destroy_and_check(&e);
}

/* Random non-overlapping maps against a reference list of ranges. */
struct range {
	uint64_t gpa, hpa, size, perms;
};

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static const struct range *find(const struct range *r, unsigned n, uint64_t gpa)
{
	for (unsigned i = 0; i < n; i++)
		if (gpa - r[i].gpa < r[i].size)
			return &r[i];
	return NULL;
}

static void test_map_random(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	struct range r[64];
	unsigned n = 0, rejected = 0;
	static const uint64_t perms[] = { EPT_R, EPT_R | EPT_W, EPT_R | EPT_X, EPT_RWX };
	for (int it = 0; it < 400 && n < ARRAY_SIZE(r); it++) {
		/* Guest addresses within 64 GiB, sizes up to ~9 MiB, with
		 * alignments chosen to hit both page sizes. */
		uint64_t gpa = (rnd() % (16 * 1024 * 1024)) * PAGE_SIZE;
		if (rnd() & 1)
			gpa &= ~(LARGE_PAGE_SIZE - 1);
		uint64_t size = (1 + rnd() % 2300) * PAGE_SIZE;
		uint64_t hpa = (rnd() % (1ULL << 26)) * PAGE_SIZE;
		if (rnd() & 1)
			hpa = (hpa & ~(LARGE_PAGE_SIZE - 1)) | (gpa & (LARGE_PAGE_SIZE - 1));
		uint64_t p = perms[rnd() % 4];
		bool overlap = false;
		for (uint64_t off = 0; off < size && !overlap; off += PAGE_SIZE)
			overlap = find(r, n, gpa + off) != NULL;
		int rc = ept_map(&e, &ops, gpa, hpa, size, p, EPT_MT_WB);
		if (rc == -2)
			break; /* fake memory exhausted: stop here */
		assert_int_equal(rc, overlap ? -1 : 0);
		if (overlap) {
			rejected++;
			continue;
		}
		r[n++] = (struct range){ gpa, hpa, size, p };
	}
	assert_true(n > 10);
	assert_true(rejected > 0);
	for (unsigned i = 0; i < n; i++) {
		check_lookup(&e, r[i].gpa, r[i].size, r[i].hpa, r[i].perms, NULL);
		check_structure(&e, r[i].gpa, r[i].size, r[i].hpa, r[i].perms, EPT_MT_WB);
	}
	for (int k = 0; k < 20000; k++) {
		uint64_t gpa = (rnd() % (64 * GiB)) & ~0xfULL;
		const struct range *m = find(r, n, gpa);
		uint64_t h, p, s;
		bool hit = ept_lookup(&e, &ops, gpa, &h, &p, &s);
		assert_int_equal(hit, m != NULL);
		if (m) {
			assert_int_equal(h, m->hpa + (gpa - m->gpa));
			assert_int_equal(p, m->perms);
		}
	}
	destroy_and_check(&e);
}

/* A leaf with write permission but not read is an EPT misconfiguration
 * (SDM Vol. 3, 29.3.3.1): ept_map must refuse it (-1), not build it. */
static void test_bug_write_without_read(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 0, 0x40000000, PAGE_SIZE, EPT_W, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, &ops, 0, 0x40000000, PAGE_SIZE, EPT_W | EPT_X, EPT_MT_WB),
			 -1);
	check_unmapped(&e, 0);
}

/* Memory types 2, 3 and 7 are reserved in EPT leaves (29.3.7):
 * misconfiguration. */
static void test_bug_reserved_memory_types(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	static const uint64_t reserved[] = { 2, 3, 7 };
	for (unsigned i = 0; i < ARRAY_SIZE(reserved); i++)
		assert_int_equal(ept_map(&e, &ops, 0, 0x40000000, PAGE_SIZE, EPT_RWX, reserved[i]),
				 -1);
	check_unmapped(&e, 0);
}

/* Host addresses beyond bit 51 would spill into the entry's high bits
 * (bit 63 is "suppress #VE"): must be rejected. */
static void test_bug_hpa_beyond_52_bits(void **state)
{
	struct ept e;
	assert_true(ept_init(&e, &ops));
	assert_int_equal(ept_map(&e, &ops, 0, 1ULL << 52, PAGE_SIZE, EPT_RWX, EPT_MT_WB), -1);
	assert_int_equal(ept_map(&e, &ops, 0, 0x8000000000000000ULL, 2 * MiB, EPT_RWX, EPT_MT_WB),
			 -1);
	assert_int_equal(ept_map(&e, &ops, 0, (1ULL << 52) - PAGE_SIZE, 2 * PAGE_SIZE, EPT_RWX,
				 EPT_MT_WB), -1);
	check_unmapped(&e, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_and_pointer, setup),
		cmocka_unit_test_setup(test_init_oom, setup),
		cmocka_unit_test_setup(test_map_large_pages, setup),
		cmocka_unit_test_setup(test_map_mixed_unaligned, setup),
		cmocka_unit_test_setup(test_map_hpa_misaligned, setup),
		cmocka_unit_test_setup(test_map_perms_and_types, setup),
		cmocka_unit_test_setup(test_map_table_boundaries, setup),
		cmocka_unit_test_setup(test_map_overlap_rejected, setup),
		cmocka_unit_test_setup(test_map_bad_arguments, setup),
		cmocka_unit_test_setup(test_map_oom, setup),
		cmocka_unit_test_setup(test_map_random, setup),
	};
	int failed = cmocka_run_group_tests_name("ept", tests, NULL, NULL);
	const struct CMUnitTest known_bugs[] = {
		cmocka_unit_test_setup(test_bug_write_without_read, setup),
		cmocka_unit_test_setup(test_bug_reserved_memory_types, setup),
		cmocka_unit_test_setup(test_bug_hpa_beyond_52_bits, setup),
	};
	failed += cmocka_run_group_tests_name("ept known bugs", known_bugs, NULL, NULL);
	free(mem.buf);
	return failed;
}
