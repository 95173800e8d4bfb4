/* Host tests for arch/x86/guest_mem.c: page-table walks in a fake guest
 * memory for each paging mode (SDM Vol. 3, Figures 5-2 to 5-11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/guest_mem.h"

#define MEM_SIZE (1u << 20)
static uint8_t mem[MEM_SIZE];
static unsigned reads;

static bool rd(void *ctx, gpa_t gpa, unsigned size, uint64_t *val)
{
	reads++;
	if (gpa + size > MEM_SIZE)
		return false;
	*val = 0;
	memcpy(val, mem + gpa, size);
	return true;
}

static void w32(uint32_t at, uint32_t v) { memcpy(mem + at, &v, 4); }
static void w64(uint32_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

static gpa_t tr(const struct gm_paging *p, uint64_t la, int want_rc)
{
	gpa_t g = 0;
	int rc = gm_translate(p, la, rd, NULL, &g);
	if (rc != want_rc)
		fail_msg("la %#llx: rc %d, want %d", (unsigned long long)la, rc, want_rc);
	return g;
}

static void test_off(void **state)
{
	struct gm_paging p = { GM_PAGING_OFF, 0, false };
	assert_int_equal(tr(&p, 0x12345678, GM_OK), 0x12345678);
	assert_int_equal(tr(&p, 0x1fee00300ULL, GM_OK), 0xfee00300);
}

static void test_32bit(void **state)
{
	memset(mem, 0, sizeof(mem));
	/* CR3 = 0x1000; PDE[0x3fb] (0xfec00000-0xff000000) -> PT at 0x2000;
	 * PTE[0x200] (0xfee00000) -> 0x5000. PDE[1] is a 4 MiB page at
	 * 0x00c00000 with bits 39:32 = 0x12. */
	w32(0x1000 + 0x3fb * 4, 0x2000 | 1);
	w32(0x2000 + 0x200 * 4, 0x5000 | 1);
	w32(0x1000 + 1 * 4, 0x00c00000 | (0x12 << 13) | 0x80 | 1);
	struct gm_paging p = { GM_PAGING_32, 0x1000, true };
	assert_int_equal(tr(&p, 0xfee00300, GM_OK), 0x5300);
	assert_int_equal(tr(&p, 0x00412345, GM_OK), 0x1200c12345ULL);
	tr(&p, 0x00801000, GM_NOT_PRESENT);
	/* Without CR4.PSE the PS bit is ignored: PDE[1] points to a table. */
	p.pse = false;
	tr(&p, 0x00412345, GM_BAD_GPA);
}

static void test_pae(void **state)
{
	memset(mem, 0, sizeof(mem));
	/* CR3 = 0x1020 (32-byte aligned PDPT); PDPTE[3] -> PD 0x3000;
	 * PDE[0x1f7] (0xfee00000) -> PT 0x4000; PTE[0] -> 0x9000.
	 * PDPTE[0] -> PD 0x6000; PDE[1] is a 2 MiB page at 0x40000000. */
	w64(0x1020 + 3 * 8, 0x3000 | 1);
	w64(0x3000 + 0x1f7 * 8, 0x4000 | 1);
	w64(0x4000, 0x9000 | 1);
	w64(0x1020, 0x6000 | 1);
	w64(0x6000 + 8, 0x40000000ULL | 0x80 | 1);
	struct gm_paging p = { GM_PAGING_PAE, 0x1020, false };
	assert_int_equal(tr(&p, 0xfee00300, GM_OK), 0x9300);
	assert_int_equal(tr(&p, 0x00312345, GM_OK), 0x40112345ULL);
	tr(&p, 0x40000000, GM_NOT_PRESENT);
}

static void test_4level(void **state)
{
	memset(mem, 0, sizeof(mem));
	/* PML4 0x1000: [0] -> PDPT 0x2000, [511] -> PDPT 0x7000.
	 * PDPT 0x2000: [3] -> PD 0x3000; [1] is a 1 GiB page at 0x80000000.
	 * PD 0x3000: [0x1f7] -> PT 0x4000; PT [0] -> 0xa000.
	 * PDPT 0x7000: [510] -> PD 0x8000: [0] 2 MiB page at 0x200000. */
	w64(0x1000, 0x2000 | 3);
	w64(0x1000 + 511 * 8, 0x7000 | 3);
	w64(0x2000 + 3 * 8, 0x3000 | 3);
	w64(0x2000 + 1 * 8, 0x80000000ULL | 0x80 | 3);
	w64(0x3000 + 0x1f7 * 8, 0x4000 | 3);
	w64(0x4000, 0x800000000000a000ULL | 3); /* NX set: not an address bit */
	w64(0x7000 + 510 * 8, 0x8000 | 3);
	w64(0x8000, 0x200000 | 0x80 | 3);
	struct gm_paging p = { GM_PAGING_4LEVEL, 0x1000, false };
	assert_int_equal(tr(&p, 0xfee00300, GM_OK), 0xa300);
	assert_int_equal(tr(&p, 0x40012345, GM_OK), 0x80012345ULL);
	assert_int_equal(tr(&p, 0xffffffff80012345ULL, GM_OK), 0x212345);
	tr(&p, 0x8000000000ULL, GM_NOT_PRESENT);
	/* PS in a PML4E is reserved */
	w64(0x1000 + 2 * 8, 0x5000 | 0x80 | 3);
	tr(&p, 0x10000000000ULL, GM_RESERVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_4level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
