/* Host tests for range sets and the usable-RAM computation, including a
 * randomized comparison of range_set_add/remove against a bitmap model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/memmap.h"

static struct range_set s;

static void check_invariants(const struct range_set *rs)
{
	assert_true(rs->n <= RANGE_SET_MAX);
	for (unsigned int i = 0; i < rs->n; i++) {
		assert_true(rs->r[i].start < rs->r[i].end);
		/* Sorted and neither overlapping nor adjacent. */
		if (i)
			assert_true(rs->r[i - 1].end < rs->r[i].start);
	}
}

/* Compares the set with an expected list of start/end pairs. */
static void expect_ranges(const struct range_set *rs, const uint64_t *exp,
			  unsigned int n)
{
	check_invariants(rs);
	if (rs->n != n) {
		for (unsigned int i = 0; i < rs->n; i++)
			print_message("  [%#llx, %#llx)\n",
				      (unsigned long long)rs->r[i].start,
				      (unsigned long long)rs->r[i].end);
		fail_msg("expected %u ranges, got %u", n, rs->n);
	}
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(rs->r[i].start, exp[2 * i]);
		assert_int_equal(rs->r[i].end, exp[2 * i + 1]);
	}
}

#define EXPECT(rs, ...)                                                     \
	do {                                                                \
		static const uint64_t e_[] = { __VA_ARGS__ };               \
		expect_ranges((rs), e_, ARRAY_SIZE(e_) / 2);                \
	} while (0)
#define EXPECT_EMPTY(rs) expect_ranges((rs), NULL, 0)

static void test_add_disjoint_unsorted(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x5000, 0x6000);
	range_set_add(&s, 0x1000, 0x2000);
	range_set_add(&s, 0x9000, 0xa000);
	range_set_add(&s, 0x3000, 0x4000);
	EXPECT(&s, 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000,
	       0x9000, 0xa000);
	assert_false(s.overflow);
	assert_int_equal(range_set_total(&s), 0x4000);
}

static void test_add_merge(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x1000, 0x3000);
	range_set_add(&s, 0x2000, 0x4000); /* overlaps right */
	EXPECT(&s, 0x1000, 0x4000);
	range_set_add(&s, 0x0800, 0x1800); /* overlaps left */
	EXPECT(&s, 0x0800, 0x4000);
	range_set_add(&s, 0x1000, 0x2000); /* contained */
	EXPECT(&s, 0x0800, 0x4000);
	range_set_add(&s, 0, 0x10000); /* contains */
	EXPECT(&s, 0, 0x10000);
}

static void test_add_adjacent(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x1000, 0x2000);
	range_set_add(&s, 0x3000, 0x4000);
	range_set_add(&s, 0x2000, 0x3000); /* touches both */
	EXPECT(&s, 0x1000, 0x4000);
	range_set_add(&s, 0x4000, 0x5000);
	range_set_add(&s, 0x0, 0x1000);
	EXPECT(&s, 0x0, 0x5000);
	range_set_add(&s, 0x5001, 0x6000); /* one byte gap: stays apart */
	EXPECT(&s, 0x0, 0x5000, 0x5001, 0x6000);
}

static void test_add_bridges_many(void **state)
{
	range_set_init(&s);
	for (uint64_t i = 0; i < 10; i++)
		range_set_add(&s, i * 0x10000, i * 0x10000 + 0x1000);
	range_set_add(&s, 0x15000, 0x75000);
	EXPECT(&s, 0x0, 0x1000, 0x10000, 0x11000, 0x15000, 0x75000,
	       0x80000, 0x81000, 0x90000, 0x91000);
}

static void test_add_empty_and_inverted(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x1000, 0x1000);
	range_set_add(&s, 0x2000, 0x1000);
	EXPECT_EMPTY(&s);
	range_set_add(&s, 0, UINT64_MAX);
	EXPECT(&s, 0, UINT64_MAX);
	assert_int_equal(range_set_total(&s), UINT64_MAX);
}

static void test_remove(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x1000, 0x9000);
	range_set_remove(&s, 0x3000, 0x4000); /* split */
	EXPECT(&s, 0x1000, 0x3000, 0x4000, 0x9000);
	range_set_remove(&s, 0x0, 0x1800); /* trim left */
	EXPECT(&s, 0x1800, 0x3000, 0x4000, 0x9000);
	range_set_remove(&s, 0x8000, 0xa000); /* trim right */
	EXPECT(&s, 0x1800, 0x3000, 0x4000, 0x8000);
	range_set_remove(&s, 0x2000, 0x5000); /* spans a gap */
	EXPECT(&s, 0x1800, 0x2000, 0x5000, 0x8000);
	range_set_remove(&s, 0x3000, 0x4000); /* in a gap: no-op */
	EXPECT(&s, 0x1800, 0x2000, 0x5000, 0x8000);
	range_set_remove(&s, 0x6000, 0x5000); /* inverted: no-op */
	range_set_remove(&s, 0x6000, 0x6000); /* empty: no-op */
	EXPECT(&s, 0x1800, 0x2000, 0x5000, 0x8000);
	range_set_remove(&s, 0x5000, 0x8000); /* exact */
	EXPECT(&s, 0x1800, 0x2000);
	range_set_remove(&s, 0, UINT64_MAX);
	EXPECT_EMPTY(&s);
}

static void test_remove_many(void **state)
{
	range_set_init(&s);
	for (uint64_t i = 0; i < 20; i++)
		range_set_add(&s, i * 0x10000, i * 0x10000 + 0x8000);
	range_set_remove(&s, 0x14000, 0x104000);
	EXPECT(&s, 0x0, 0x8000, 0x10000, 0x14000, 0x104000, 0x108000,
	       0x110000, 0x118000, 0x120000, 0x128000, 0x130000, 0x138000);
}

static void test_align_inward(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x1001, 0x3fff); /* -> [0x2000, 0x3000) */
	range_set_add(&s, 0x5000, 0x6000); /* already aligned */
	range_set_add(&s, 0x7010, 0x7ff0); /* less than a page: dropped */
	range_set_add(&s, 0x9800, 0xa800); /* straddles: dropped */
	range_set_add(&s, UINT64_MAX - 0x2800, UINT64_MAX);
	range_set_align_inward(&s, 0x1000);
	EXPECT(&s, 0x2000, 0x3000, 0x5000, 0x6000,
	       0xfffffffffffff000ull - 0x1000, 0xfffffffffffff000ull);

	/* Rounding the start up would wrap past 2^64. */
	range_set_init(&s);
	range_set_add(&s, UINT64_MAX - 0x10, UINT64_MAX);
	range_set_align_inward(&s, 0x1000);
	EXPECT_EMPTY(&s);

	/* 2 MiB alignment; 1 and 0 are no-ops. */
	range_set_init(&s);
	range_set_add(&s, 0x100000, 0x800000);
	range_set_align_inward(&s, 1);
	range_set_align_inward(&s, 0);
	EXPECT(&s, 0x100000, 0x800000);
	range_set_align_inward(&s, 2 * MiB);
	EXPECT(&s, 0x200000, 0x800000);
}

static void test_contains(void **state)
{
	range_set_init(&s);
	range_set_add(&s, 0x1000, 0x3000);
	range_set_add(&s, 0x4000, 0x5000);
	assert_true(range_set_contains(&s, 0x1000, 0x3000));
	assert_true(range_set_contains(&s, 0x1800, 0x2000));
	assert_true(range_set_contains(&s, 0x4fff, 0x5000));
	assert_false(range_set_contains(&s, 0x0fff, 0x2000));
	assert_false(range_set_contains(&s, 0x2000, 0x3001));
	assert_false(range_set_contains(&s, 0x2000, 0x4800)); /* spans gap */
	assert_false(range_set_contains(&s, 0x3000, 0x4000));
	/* Empty and inverted requests are never "contained". */
	assert_false(range_set_contains(&s, 0x1800, 0x1800));
	assert_false(range_set_contains(&s, 0x2000, 0x1800));
	range_set_init(&s);
	assert_false(range_set_contains(&s, 0, 1));
}

static void test_overflow_add(void **state)
{
	range_set_init(&s);
	for (uint64_t i = 0; i < RANGE_SET_MAX; i++)
		range_set_add(&s, i * 0x2000, i * 0x2000 + 0x1000);
	assert_int_equal(s.n, RANGE_SET_MAX);
	assert_false(s.overflow);
	/* Merging still works on a full set... */
	range_set_add(&s, 0x1000, 0x2000);
	assert_int_equal(s.n, RANGE_SET_MAX - 1);
	range_set_add(&s, 0x1000000, 0x1001000);
	assert_int_equal(s.n, RANGE_SET_MAX);
	assert_false(s.overflow);
	/* ...but a new separate range does not fit. */
	range_set_add(&s, 0x2000000, 0x2001000);
	assert_int_equal(s.n, RANGE_SET_MAX);
	assert_true(s.overflow);
	check_invariants(&s);
	assert_false(range_set_contains(&s, 0x2000000, 0x2001000));
}

static void test_overflow_remove_split(void **state)
{
	range_set_init(&s);
	for (uint64_t i = 0; i < RANGE_SET_MAX; i++)
		range_set_add(&s, i * 0x4000, i * 0x4000 + 0x3000);
	range_set_remove(&s, 0x5000, 0x6000); /* needs a split */
	assert_true(s.overflow);
	assert_int_equal(s.n, RANGE_SET_MAX);
	check_invariants(&s);
	/* The removed range must be gone; losing the upper part is the
	 * safe direction. */
	assert_false(range_set_contains(&s, 0x5000, 0x5001));
	assert_false(range_set_contains(&s, 0x5fff, 0x6000));
	assert_true(range_set_contains(&s, 0x4000, 0x5000));
}

/* Randomized: a range set over [0, 1024) must match a bitmap. */
static void test_random_vs_bitmap(void **state)
{
	enum { U = 1024 };
	static bool bits[U];
	uint32_t seed = 1;

	for (int round = 0; round < 200; round++) {
		range_set_init(&s);
		memset(bits, 0, sizeof(bits));
		for (int op = 0; op < 60; op++) {
			seed = seed * 1103515245u + 12345u;
			uint64_t a = (seed >> 8) % (U + 1);
			seed = seed * 1103515245u + 12345u;
			uint64_t b = (seed >> 8) % (U + 1);
			seed = seed * 1103515245u + 12345u;
			bool add = (seed >> 12) % 3 != 0;
			if (add)
				range_set_add(&s, a, b);
			else
				range_set_remove(&s, a, b);
			for (uint64_t x = a; x < b; x++)
				bits[x] = add;
			check_invariants(&s);
		}
		uint64_t total = 0;
		for (uint64_t x = 0; x < U; x++) {
			total += bits[x];
			assert_int_equal(range_set_contains(&s, x, x + 1),
					 bits[x]);
		}
		assert_int_equal(range_set_total(&s), total);
		assert_false(s.overflow);
	}
}

/* --- memmap_usable ----------------------------------------------------- */

static struct range_set out;

static void test_usable_typical(void **state)
{
	/* A QEMU-like map: low RAM, BIOS area, high RAM with an ACPI
	 * reclaimable hole, RAM above 4 GiB. Unsorted on purpose. */
	const struct mem_range map[] = {
		{ 0x100000000ull, 0x40000000, MB2_MEM_AVAILABLE },
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x9fc00, 0x400, MB2_MEM_RESERVED },
		{ 0xf0000, 0x10000, MB2_MEM_RESERVED },
		{ 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE },
		{ 0x7fe0000, 0x20000, MB2_MEM_RESERVED },
		{ 0x3000000, 0x800, MB2_MEM_ACPI_RECLAIMABLE },
		{ 0xfffc0000, 0x40000, MB2_MEM_RESERVED },
	};
	memmap_usable(map, ARRAY_SIZE(map), NULL, 0, &out);
	EXPECT(&out, 0x0, 0x9f000, 0x100000, 0x3000000, 0x3001000, 0x7fe0000,
	       0x100000000ull, 0x140000000ull);
	assert_false(out.overflow);
}

static void test_usable_reserved_inside_available(void **state)
{
	const struct mem_range map[] = {
		{ 0x100000, 0x1000000, MB2_MEM_AVAILABLE },
		{ 0x400000, 0x1000, MB2_MEM_RESERVED },
		{ 0x800800, 0x100, MB2_MEM_NVS },     /* mid-page */
		{ 0xa00000, 0x1000, MB2_MEM_BADRAM },
		{ 0xc00000, 0x1000, 42 },             /* unknown type */
	};
	memmap_usable(map, ARRAY_SIZE(map), NULL, 0, &out);
	EXPECT(&out, 0x100000, 0x400000, 0x401000, 0x800000, 0x801000,
	       0xa00000, 0xa01000, 0xc00000, 0xc01000, 0x1100000);
}

static void test_usable_reserved_wins_any_order(void **state)
{
	/* Reserved first, then an available entry covering it, then an
	 * available entry overlapping the first available one. */
	const struct mem_range map[] = {
		{ 0x200000, 0x100000, MB2_MEM_RESERVED },
		{ 0x100000, 0x400000, MB2_MEM_AVAILABLE },
		{ 0x300000, 0x400000, MB2_MEM_AVAILABLE },
	};
	memmap_usable(map, ARRAY_SIZE(map), NULL, 0, &out);
	EXPECT(&out, 0x100000, 0x200000, 0x300000, 0x700000);
	assert_int_equal(memmap_total_available(map, ARRAY_SIZE(map)),
			 0x600000);
}

static void test_usable_zero_length(void **state)
{
	const struct mem_range map[] = {
		{ 0x100000, 0, MB2_MEM_AVAILABLE },
		{ 0x200000, 0x100000, MB2_MEM_AVAILABLE },
		{ 0x250000, 0, MB2_MEM_RESERVED },
	};
	memmap_usable(map, ARRAY_SIZE(map), NULL, 0, &out);
	EXPECT(&out, 0x200000, 0x300000);
	assert_int_equal(memmap_total_available(map, ARRAY_SIZE(map)),
			 0x100000);
}

static void test_usable_unaligned(void **state)
{
	const struct mem_range map[] = {
		{ 0x100123, 0x5000, MB2_MEM_AVAILABLE },
		{ 0x200000, 0xfff, MB2_MEM_AVAILABLE },
	};
	memmap_usable(map, ARRAY_SIZE(map), NULL, 0, &out);
	EXPECT(&out, 0x101000, 0x105000);
}

static void test_usable_wrapping(void **state)
{
	const struct mem_range map[] = {
		{ 0x100000, 0x100000, MB2_MEM_AVAILABLE },
		/* base + len passes 2^64: clipped, then page aligned. */
		{ 0xffffffffffff0000ull, 0x20000, MB2_MEM_AVAILABLE },
		/* Exactly reaching 2^64 wraps to 0 too. */
		{ 0xfffffffff0000000ull, 0x10000000, MB2_MEM_AVAILABLE },
	};
	memmap_usable(map, ARRAY_SIZE(map), NULL, 0, &out);
	EXPECT(&out, 0x100000, 0x200000,
	       0xfffffffff0000000ull, 0xfffffffffffff000ull);
	assert_int_equal(memmap_total_available(map, ARRAY_SIZE(map)),
			 0x100000 + (UINT64_MAX - 0xfffffffff0000000ull));

	/* A wrapping reserved entry removes everything from its base up. */
	const struct mem_range map2[] = {
		{ 0x0, UINT64_MAX, MB2_MEM_AVAILABLE },
		{ 0x80000000, UINT64_MAX, MB2_MEM_RESERVED },
	};
	memmap_usable(map2, ARRAY_SIZE(map2), NULL, 0, &out);
	EXPECT(&out, 0x0, 0x80000000);
}

static void test_usable_exclusions(void **state)
{
	const struct mem_range map[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x100000, 0x7f00000, MB2_MEM_AVAILABLE },
	};
	const struct range excl[] = {
		{ 0x0, 0x100000 },               /* first MiB */
		{ 0x100000, 0x180345 },          /* kernel image, odd end */
		{ 0x400000, 0x401000 },          /* module 1 */
		{ 0x402800, 0x403800 },          /* module 2, unaligned */
		{ 0x7000000, 0x9000000 },        /* past the end of RAM */
	};
	memmap_usable(map, ARRAY_SIZE(map), excl, ARRAY_SIZE(excl), &out);
	EXPECT(&out, 0x181000, 0x400000, 0x401000, 0x402000, 0x404000,
	       0x7000000);
	for (unsigned int i = 0; i < out.n; i++) {
		assert_int_equal(out.r[i].start % PAGE_SIZE, 0);
		assert_int_equal(out.r[i].end % PAGE_SIZE, 0);
	}
	assert_false(range_set_contains(&out, 0x180000, 0x181000));
}

static void test_usable_empty(void **state)
{
	memmap_usable(NULL, 0, NULL, 0, &out);
	EXPECT_EMPTY(&out);
	assert_false(out.overflow);
	assert_int_equal(memmap_total_available(NULL, 0), 0);

	const struct mem_range map[] = {
		{ 0x100000, 0x100000, MB2_MEM_RESERVED },
	};
	memmap_usable(map, 1, NULL, 0, &out);
	EXPECT_EMPTY(&out);
	assert_int_equal(memmap_total_available(map, 1), 0);
}

static void test_usable_overflow(void **state)
{
	/* One big available range, shredded by more reserved holes than a
	 * range set can hold. */
	static struct mem_range map[MB2_MAX_MMAP];
	static struct range excl[200];
	map[0] = (struct mem_range){ 0, 0x10000000, MB2_MEM_AVAILABLE };
	for (unsigned int i = 1; i < MB2_MAX_MMAP; i++)
		map[i] = (struct mem_range){ i * 0x10000ull, 0x1000,
					     MB2_MEM_RESERVED };
	for (unsigned int i = 0; i < ARRAY_SIZE(excl); i++)
		excl[i] = (struct range){ 0x1000000 + i * 0x10000ull,
					  0x1001000 + i * 0x10000ull };
	memmap_usable(map, MB2_MAX_MMAP, excl, ARRAY_SIZE(excl), &out);
	assert_true(out.overflow);
	check_invariants(&out);
	/* Whatever was dropped, no hole may be reported usable. */
	for (unsigned int i = 1; i < MB2_MAX_MMAP; i++)
		assert_false(range_set_contains(&out, i * 0x10000ull,
						i * 0x10000ull + 1));
	for (unsigned int i = 0; i < ARRAY_SIZE(excl); i++)
		assert_false(range_set_contains(&out, excl[i].start,
						excl[i].start + 1));
}

static void test_total_available(void **state)
{
	const struct mem_range map[] = {
		{ 0x300000, 0x100000, MB2_MEM_AVAILABLE },
		{ 0x0, 0x100000, MB2_MEM_AVAILABLE },
		{ 0x80000, 0x100000, MB2_MEM_AVAILABLE },  /* overlaps */
		{ 0x300000, 0x80000, MB2_MEM_AVAILABLE },  /* duplicate base */
		{ 0x380000, 0x100000, MB2_MEM_AVAILABLE }, /* extends */
		{ 0x0, 0x10000000, MB2_MEM_RESERVED },     /* not counted */
		{ 0x1000000, 0x1000, MB2_MEM_AVAILABLE },
		{ 0x1001000, 0x1000, MB2_MEM_AVAILABLE },  /* adjacent */
	};
	assert_int_equal(memmap_total_available(map, ARRAY_SIZE(map)),
			 0x180000 + 0x180000 + 0x2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_disjoint_unsorted),
		cmocka_unit_test(test_add_merge),
		cmocka_unit_test(test_add_adjacent),
		cmocka_unit_test(test_add_bridges_many),
		cmocka_unit_test(test_add_empty_and_inverted),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_remove_many),
		cmocka_unit_test(test_align_inward),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_overflow_add),
		cmocka_unit_test(test_overflow_remove_split),
		cmocka_unit_test(test_random_vs_bitmap),
		cmocka_unit_test(test_usable_typical),
		cmocka_unit_test(test_usable_reserved_inside_available),
		cmocka_unit_test(test_usable_reserved_wins_any_order),
		cmocka_unit_test(test_usable_zero_length),
		cmocka_unit_test(test_usable_unaligned),
		cmocka_unit_test(test_usable_wrapping),
		cmocka_unit_test(test_usable_exclusions),
		cmocka_unit_test(test_usable_empty),
		cmocka_unit_test(test_usable_overflow),
		cmocka_unit_test(test_total_available),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
