/* Host tests for arch/x86/acpi.c: fake ACPI tables (built here, with their
 * checksums computed) placed at fake physical addresses. Each fake region
 * is its own heap block, so ASan catches any read past a table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/acpi.h"

/* --- fake physical memory --- */

struct region {
	uint64_t pa;
	size_t len;
	uint8_t *buf;
};

static struct {
	struct region r[32];
	int n;
	int nwarn;
	char warns[4096]; /* all warnings, one per line */
} fm;

static const void *fake_map(void *ctx, uint64_t pa, size_t len)
{
	int i;

	for (i = 0; i < fm.n; i++) {
		struct region *r = &fm.r[i];

		if (pa >= r->pa && len <= r->len && pa - r->pa <= r->len - len)
			return r->buf + (pa - r->pa);
	}
	return NULL;
}

static void fake_warn(void *ctx, const char *msg)
{
	size_t used = strlen(fm.warns);

	fm.nwarn++;
	snprintf(fm.warns + used, sizeof(fm.warns) - used, "%s\n", msg);
}

static const struct acpi_mem mem = {
	.map = fake_map,
	.ctx = NULL,
	.warn = fake_warn,
};

static uint8_t *region(uint64_t pa, size_t len)
{
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	assert_true(fm.n < (int)(sizeof(fm.r) / sizeof(fm.r[0])));
	fm.r[fm.n].pa = pa;
	fm.r[fm.n].len = len;
	fm.r[fm.n].buf = b;
	fm.n++;
	return b;
}

static int setup(void **state)
{
	memset(&fm, 0, sizeof(fm));
	return 0;
}

static int teardown(void **state)
{
	int i;

	for (i = 0; i < fm.n; i++)
		free(fm.r[i].buf);
	fm.n = 0;
	return 0;
}

#define assert_contains(hay, needle)                                        \
	do {                                                                \
		if (!strstr((hay), (needle)))                               \
			fail_msg("\"%s\" does not contain \"%s\"", (hay),  \
				 (needle));                                 \
	} while (0)

/* --- builders --- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Makes the n bytes at p sum to zero by adjusting p[at]. */
static void fix_sum(uint8_t *p, size_t n, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)(0x100 - sum8(p, n));
}

static void build_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "TERNOE", 6);
	p[15] = rev;
	put32(p + 16, rsdt);
	fix_sum(p, 20, 8);
	if (rev >= 2) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
		fix_sum(p, 36, 32);
	}
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "TERNOE", 6);
	memcpy(t + 16, "TESTTBL ", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "TERN", 4);
	put32(t + 32, 1);
}

static void sdt_fix(uint8_t *t)
{
	uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 |
		       (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;

	fix_sum(t, len, 9);
}

/* A table with a valid header and checksum around 'body'. */
static uint8_t *add_table(uint64_t pa, const char *sig, const void *body,
			  size_t blen)
{
	uint8_t *t = region(pa, 36 + blen);

	sdt_header(t, sig, (uint32_t)(36 + blen), 1);
	if (blen)
		memcpy(t + 36, body, blen);
	sdt_fix(t);
	return t;
}

static uint8_t *add_root(uint64_t pa, bool xsdt, const uint64_t *ent, int n)
{
	size_t esize = xsdt ? 8 : 4;
	uint8_t *t = region(pa, 36 + n * esize);
	int i;

	sdt_header(t, xsdt ? "XSDT" : "RSDT", (uint32_t)(36 + n * esize), 1);
	for (i = 0; i < n; i++) {
		if (xsdt)
			put64(t + 36 + i * 8, ent[i]);
		else
			put32(t + 36 + i * 4, (uint32_t)ent[i]);
	}
	sdt_fix(t);
	return t;
}

static struct acpi_root root_of(uint64_t pa, bool xsdt, uint32_t entries)
{
	struct acpi_root r = { .pa = pa, .xsdt = xsdt, .entries = entries };

	return r;
}

/* MADT body builder. */
struct madt_b {
	uint8_t b[4096];
	size_t len;
};

static void mb_init(struct madt_b *m, uint32_t lapic, uint32_t flags)
{
	memset(m, 0, sizeof(*m));
	put32(m->b, lapic);
	put32(m->b + 4, flags);
	m->len = 8;
}

static uint8_t *mb_entry(struct madt_b *m, uint8_t type, uint8_t len)
{
	uint8_t *e = m->b + m->len;

	assert_true(m->len + len <= sizeof(m->b));
	e[0] = type;
	e[1] = len;
	m->len += len ? len : 2;
	return e;
}

static void mb_lapic(struct madt_b *m, uint8_t uid, uint8_t id, uint32_t fl)
{
	uint8_t *e = mb_entry(m, 0, 8);

	e[2] = uid;
	e[3] = id;
	put32(e + 4, fl);
}

static void mb_x2apic(struct madt_b *m, uint32_t id, uint32_t fl, uint32_t uid)
{
	uint8_t *e = mb_entry(m, 9, 16);

	put32(e + 4, id);
	put32(e + 8, fl);
	put32(e + 12, uid);
}

static void mb_ioapic(struct madt_b *m, uint8_t id, uint32_t addr,
		      uint32_t gsi)
{
	uint8_t *e = mb_entry(m, 1, 12);

	e[2] = id;
	put32(e + 4, addr);
	put32(e + 8, gsi);
}

static void mb_iso(struct madt_b *m, uint8_t src, uint32_t gsi, uint16_t fl)
{
	uint8_t *e = mb_entry(m, 2, 10);

	e[3] = src;
	put32(e + 4, gsi);
	put16(e + 8, fl);
}

/* Installs the MADT at pa and returns its validated descriptor. */
static struct acpi_table madt_install(uint64_t pa, const struct madt_b *m)
{
	struct acpi_table t;
	char err[160];

	add_table(pa, "APIC", m->b, m->len);
	assert_int_equal(acpi_table_check(&mem, pa, "APIC", &t, err,
					  sizeof(err)), ACPI_OK);
	return t;
}

#define EN ACPI_MADT_CPU_ENABLED
#define OC ACPI_MADT_CPU_ONLINE_CAPABLE

/* --- RSDP --- */

static void test_rsdp_v1_valid(void **state)
{
	uint8_t p[20];
	struct acpi_rsdp r;
	char err[128];

	build_rsdp(p, 0, 0x7fe1000, 0);
	assert_int_equal(acpi_rsdp_check(p, sizeof(p), &r, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(r.revision, 0);
	assert_int_equal(r.rsdt, 0x7fe1000);
	assert_int_equal(r.xsdt, 0);
	assert_int_equal(r.length, 20);
	assert_string_equal(r.oem_id, "TERNOE");
}

static void test_rsdp_v2_valid(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp r;
	char err[128];

	build_rsdp(p, 2, 0x7fe1000, 0x100007fe2000ULL);
	assert_int_equal(acpi_rsdp_check(p, sizeof(p), &r, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.length, 36);
	assert_true(r.xsdt == 0x100007fe2000ULL);
}

static void test_rsdp_bad_checksum(void **state)
{
	uint8_t p[36];
	char err[128];

	build_rsdp(p, 0, 0x1000, 0);
	p[16] ^= 1;
	assert_int_equal(acpi_rsdp_check(p, 20, NULL, err, sizeof(err)),
			 ACPI_ECSUM);
	assert_contains(err, "first 20 bytes");
}

static void test_rsdp_bad_ext_checksum(void **state)
{
	uint8_t p[36];
	char err[128];

	build_rsdp(p, 2, 0x1000, 0x2000);
	p[24] ^= 0x10; /* XSDT address: outside the 20-byte checksum */
	assert_int_equal(acpi_rsdp_check(p, sizeof(p), NULL, err, sizeof(err)),
			 ACPI_ECSUM);
	assert_contains(err, "extended checksum");
}

static void test_rsdp_bad_signature_and_sizes(void **state)
{
	uint8_t p[36];
	char err[128];

	build_rsdp(p, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_rsdp_check(p, 19, NULL, err, sizeof(err)),
			 ACPI_ELEN);
	/* A revision 2 RSDP needs 36 readable bytes. */
	assert_int_equal(acpi_rsdp_check(p, 20, NULL, err, sizeof(err)),
			 ACPI_ELEN);
	/* Length below 36 is rejected even with a matching checksum. */
	put32(p + 20, 20);
	fix_sum(p, 36, 32);
	assert_int_equal(acpi_rsdp_check(p, 36, NULL, err, sizeof(err)),
			 ACPI_ELEN);
	/* Length above what is available. */
	put32(p + 20, 64);
	assert_int_equal(acpi_rsdp_check(p, 36, NULL, err, sizeof(err)),
			 ACPI_ELEN);
	assert_contains(err, "length 64");
	p[0] = 'X';
	assert_int_equal(acpi_rsdp_check(p, 36, NULL, err, sizeof(err)),
			 ACPI_ESIG);
	assert_int_equal(acpi_rsdp_check(NULL, 0, NULL, NULL, 0), ACPI_ELEN);
}

static void test_rsdp_scan_aligned(void **state)
{
	uint8_t *area = region(0xe0000, 0x20000);
	struct acpi_rsdp r;
	char err[128];

	/* A valid copy at a misaligned address is not an RSDP. */
	build_rsdp(area + 0x1008, 0, 0x1111, 0);
	build_rsdp(area + 0x5a40, 2, 0x2222, 0x3333);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &r, err,
					sizeof(err)), ACPI_OK);
	assert_true(r.pa == 0xe5a40);
	assert_int_equal(r.rsdt, 0x2222);
	assert_true(r.xsdt == 0x3333);
	assert_int_equal(fm.nwarn, 0);
}

static void test_rsdp_scan_skips_bad_candidate(void **state)
{
	uint8_t *area = region(0xe0000, 0x20000);
	struct acpi_rsdp r;
	char err[128];

	build_rsdp(area + 0x100, 0, 0x1111, 0);
	area[0x100 + 8] ^= 0xff; /* bad checksum */
	build_rsdp(area + 0x200, 2, 0x2222, 0x3333);
	area[0x200 + 24] ^= 0xff; /* bad extended checksum */
	build_rsdp(area + 0x1ffe0, 0, 0x4444, 0);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &r, err,
					sizeof(err)), ACPI_OK);
	assert_true(r.pa == 0xfffe0);
	assert_int_equal(r.rsdt, 0x4444);
	assert_int_equal(fm.nwarn, 2);
	assert_contains(fm.warns, "0xe0100");
	assert_contains(fm.warns, "extended checksum");
}

static void test_rsdp_scan_none(void **state)
{
	uint8_t *area = region(0xe0000, 0x20000);
	char err[128];

	build_rsdp(area + 0x104, 0, 0x1111, 0); /* misaligned only */
	/* A signature whose 20 bytes run past the mapped area. */
	memcpy(area + 0x1fff0, "RSD PTR ", 8);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, NULL, err,
					sizeof(err)), ACPI_ENOTFOUND);
	assert_contains(err, "1 candidate(s) rejected");
	assert_int_equal(fm.nwarn, 1);
	assert_contains(fm.warns, "cannot map");
}

static void test_rsdp_find_bios_ebda_first(void **state)
{
	uint8_t *bda = region(0x400, 0x100);
	uint8_t *ebda = region(0x9fc00, 0x400);
	uint8_t *area = region(0xe0000, 0x20000);
	struct acpi_rsdp r;
	char err[128];

	put16(bda + 0x0e, 0x9fc0);
	build_rsdp(ebda + 0x30, 0, 0xebda, 0);
	build_rsdp(area + 0x10, 0, 0xb105, 0);
	assert_int_equal(acpi_rsdp_find_bios(&mem, &r, err, sizeof(err)),
			 ACPI_OK);
	assert_true(r.pa == 0x9fc30);
	assert_int_equal(r.rsdt, 0xebda);
}

static void test_rsdp_find_bios_area(void **state)
{
	uint8_t *bda = region(0x400, 0x100);
	uint8_t *area = region(0xe0000, 0x20000);
	struct acpi_rsdp r;
	char err[128];

	put16(bda + 0x0e, 0x9fc0); /* EBDA not mappable: skipped */
	build_rsdp(area + 0x16a40, 0, 0xb105, 0);
	assert_int_equal(acpi_rsdp_find_bios(&mem, &r, err, sizeof(err)),
			 ACPI_OK);
	assert_true(r.pa == 0xf6a40);

	memset(area, 0, 0x20000);
	assert_int_equal(acpi_rsdp_find_bios(&mem, &r, err, sizeof(err)),
			 ACPI_ENOTFOUND);
	assert_contains(err, "EBDA");
}

/* --- root table and table lookup --- */

static void test_root_prefers_xsdt(void **state)
{
	uint64_t ent[2] = { 0x10000, 0x20000 };
	struct acpi_rsdp r = { .revision = 2, .rsdt = 0x3000, .xsdt = 0x4000 };
	struct acpi_root root;
	uint64_t pa;
	char err[128];

	add_root(0x3000, false, ent, 1);
	add_root(0x4000, true, ent, 2);
	assert_int_equal(acpi_root_init(&mem, &r, &root, err, sizeof(err)),
			 ACPI_OK);
	assert_true(root.xsdt);
	assert_true(root.pa == 0x4000);
	assert_int_equal(root.entries, 2);
	assert_int_equal(acpi_root_entry(&mem, &root, 1, &pa, err,
					 sizeof(err)), ACPI_OK);
	assert_true(pa == 0x20000);
	assert_int_equal(acpi_root_entry(&mem, &root, 2, &pa, err,
					 sizeof(err)), ACPI_ENOTFOUND);
}

static void test_root_uses_rsdt(void **state)
{
	uint64_t ent[3] = { 0x10000, 0x20000, 0x30000 };
	struct acpi_rsdp v1 = { .revision = 0, .rsdt = 0x3000, .xsdt = 0x4000 };
	struct acpi_rsdp v2 = { .revision = 2, .rsdt = 0x3000, .xsdt = 0 };
	struct acpi_root root;
	char err[128];

	add_root(0x3000, false, ent, 3);
	/* Revision 0 ignores any XSDT value; revision 2 with XSDT 0 too. */
	assert_int_equal(acpi_root_init(&mem, &v1, &root, err, sizeof(err)),
			 ACPI_OK);
	assert_false(root.xsdt);
	assert_int_equal(root.entries, 3);
	assert_int_equal(acpi_root_init(&mem, &v2, &root, err, sizeof(err)),
			 ACPI_OK);
	assert_false(root.xsdt);
	assert_true(root.pa == 0x3000);
}

static void test_root_bad_xsdt_falls_back(void **state)
{
	uint64_t ent[1] = { 0x10000 };
	struct acpi_rsdp r = { .revision = 2, .rsdt = 0x3000, .xsdt = 0x4000 };
	struct acpi_root root;
	char err[128];
	uint8_t *x;

	add_root(0x3000, false, ent, 1);
	x = add_root(0x4000, true, ent, 1);
	x[40] ^= 1; /* corrupt the XSDT's checksum */
	assert_int_equal(acpi_root_init(&mem, &r, &root, err, sizeof(err)),
			 ACPI_OK);
	assert_false(root.xsdt);
	assert_int_equal(fm.nwarn, 1);
	assert_contains(fm.warns, "XSDT");
	assert_contains(fm.warns, "checksum");

	r.rsdt = 0;
	assert_int_equal(acpi_root_init(&mem, &r, &root, err, sizeof(err)),
			 ACPI_ECSUM);
	assert_contains(err, "XSDT");
}

static void test_root_wrong_signature(void **state)
{
	uint64_t ent[1] = { 0x10000 };
	struct acpi_rsdp r = { .revision = 0, .rsdt = 0x3000 };
	struct acpi_root root;
	char err[128];

	add_root(0x3000, true, ent, 1); /* an XSDT where the RSDT should be */
	assert_int_equal(acpi_root_init(&mem, &r, &root, err, sizeof(err)),
			 ACPI_ESIG);
	assert_contains(err, "'XSDT', expected 'RSDT'");
	r.rsdt = 0;
	assert_int_equal(acpi_root_init(&mem, &r, &root, err, sizeof(err)),
			 ACPI_ENOTFOUND);
}

static void test_find_table(void **state)
{
	uint64_t ent[5] = { 0x10000, 0, 0x20000, 0x30000, 0x40000 };
	uint8_t body[8] = { 0 };
	struct acpi_root root = root_of(0x4000, true, 5);
	struct acpi_table t;
	char err[200];

	add_root(0x4000, true, ent, 5);
	add_table(0x10000, "FACP", body, 8);
	add_table(0x20000, "SSDT", body, 4);
	add_table(0x30000, "APIC", body, 8);
	add_table(0x40000, "SSDT", body, 6);
	assert_int_equal(acpi_find_table(&mem, &root, "APIC", 0, &t, err,
					 sizeof(err)), ACPI_OK);
	assert_true(t.pa == 0x30000);
	assert_string_equal(t.sig, "APIC");
	assert_string_equal(t.oem_id, "TERNOE");
	assert_string_equal(t.oem_table_id, "TESTTBL ");
	assert_int_equal(t.length, 44);
	assert_int_equal(acpi_find_table(&mem, &root, "SSDT", 1, &t, err,
					 sizeof(err)), ACPI_OK);
	assert_true(t.pa == 0x40000);
	assert_int_equal(acpi_find_table(&mem, &root, "SSDT", 2, &t, err,
					 sizeof(err)), ACPI_ENOTFOUND);
	assert_int_equal(acpi_find_table(&mem, &root, "HPET", 0, &t, err,
					 sizeof(err)), ACPI_ENOTFOUND);
	assert_contains(err, "'HPET'");
	assert_int_equal(fm.nwarn, 0); /* the null entry is not a problem */
}

static void test_find_table_skips_bad_checksum(void **state)
{
	uint64_t ent[2] = { 0x10000, 0x20000 };
	uint8_t body[8] = { 0 };
	struct acpi_root root = root_of(0x3000, false, 2);
	struct acpi_table t;
	char err[200];
	uint8_t *bad;

	add_root(0x3000, false, ent, 2);
	bad = add_table(0x10000, "APIC", body, 8);
	bad[37] ^= 0x80;
	add_table(0x20000, "APIC", body, 8);
	assert_int_equal(acpi_find_table(&mem, &root, "APIC", 0, &t, err,
					 sizeof(err)), ACPI_OK);
	assert_true(t.pa == 0x20000);
	assert_int_equal(fm.nwarn, 1);
	assert_contains(fm.warns, "RSDT entry 0 skipped");
	assert_contains(fm.warns, "bad checksum");

	/* With only the corrupt one, the error counts it. */
	put32(fm.r[0].buf + 40, 0);
	sdt_fix(fm.r[0].buf);
	assert_int_equal(acpi_find_table(&mem, &root, "APIC", 0, &t, err,
					 sizeof(err)), ACPI_ENOTFOUND);
	assert_contains(err, "MADT");
	assert_contains(err, "1 corrupt");
}

static void test_find_table_unmappable(void **state)
{
	uint64_t ent[3] = { 0xdead0000, 0x10000, 0x20000 };
	uint8_t body[8] = { 0 };
	struct acpi_root root = root_of(0x3000, true, 3);
	struct acpi_table t;
	char err[200];
	uint8_t *big;

	add_root(0x3000, true, ent, 3);
	/* Header readable, but its stated length runs past the mapping. */
	big = region(0x10000, 36);
	sdt_header(big, "APIC", 0x1000, 1);
	add_table(0x20000, "APIC", body, 8);
	assert_int_equal(acpi_find_table(&mem, &root, "APIC", 0, &t, err,
					 sizeof(err)), ACPI_OK);
	assert_true(t.pa == 0x20000);
	assert_int_equal(fm.nwarn, 2);
	assert_contains(fm.warns, "entry 0: cannot map the table header at 0xdead0000");
	assert_contains(fm.warns, "cannot map its 4096 bytes");

	/* A root table whose entries cannot be read at all. */
	root = root_of(0x7000, true, 2);
	assert_int_equal(acpi_find_table(&mem, &root, "APIC", 0, &t, err,
					 sizeof(err)), ACPI_ENOTFOUND);
}

static void test_table_check_lengths(void **state)
{
	uint8_t *t = region(0x5000, 64);
	char err[160];

	sdt_header(t, "HPET", 20, 1);
	sdt_fix(t);
	assert_int_equal(acpi_table_check(&mem, 0x5000, NULL, NULL, err,
					  sizeof(err)), ACPI_ELEN);
	assert_contains(err, "length 20");
	sdt_header(t, "HPET", 0xffffffff, 1);
	assert_int_equal(acpi_table_check(&mem, 0x5000, "HPET", NULL, err,
					  sizeof(err)), ACPI_ELEN);
	assert_int_equal(acpi_table_check(&mem, 0, NULL, NULL, err,
					  sizeof(err)), ACPI_EMAP);
	sdt_header(t, "HPET", 64, 1);
	sdt_fix(t);
	assert_int_equal(acpi_table_check(&mem, 0x5000, "HPET", NULL, err,
					  sizeof(err)), ACPI_OK);
	/* A map request that would wrap around is never passed on. */
	assert_int_equal(acpi_table_check(&mem, UINT64_MAX - 8, NULL, NULL,
					  err, sizeof(err)), ACPI_EMAP);
}

/* --- MADT --- */

static void test_madt_xapic_and_x2apic(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	mb_lapic(&m, 0, 0, EN);
	mb_lapic(&m, 1, 2, EN);
	mb_x2apic(&m, 0x100, EN, 7);
	mb_ioapic(&m, 4, 0xfec00000, 0);
	mb_iso(&m, 0, 2, 0);
	mb_iso(&m, 9, 9, 0xd);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_true(madt.lapic_addr == 0xfee00000);
	assert_false(madt.lapic_addr_override);
	assert_int_equal(madt.flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(madt.ncpus, 3);
	assert_int_equal(madt.cpus[0].apic_id, 0);
	assert_int_equal(madt.cpus[1].apic_id, 2);
	assert_int_equal(madt.cpus[1].uid, 1);
	assert_false(madt.cpus[1].x2apic);
	assert_int_equal(madt.cpus[2].apic_id, 0x100);
	assert_int_equal(madt.cpus[2].uid, 7);
	assert_true(madt.cpus[2].x2apic);
	assert_int_equal(madt.nioapics, 1);
	assert_int_equal(madt.ioapics[0].id, 4);
	assert_int_equal(madt.ioapics[0].addr, 0xfec00000);
	assert_int_equal(madt.nisos, 2);
	assert_int_equal(madt.isos[0].source, 0);
	assert_int_equal(madt.isos[0].gsi, 2);
	assert_int_equal(madt.isos[1].source, 9);
	assert_int_equal(madt.isos[1].flags, 0xd);
	assert_int_equal(madt.nentries, 6);
	assert_int_equal(fm.nwarn, 0);
}

static void test_madt_disabled_and_online_capable(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	mb_lapic(&m, 1, 1, 0);      /* disabled */
	mb_lapic(&m, 2, 2, OC);     /* hot-pluggable */
	mb_x2apic(&m, 300, OC, 3);  /* hot-pluggable */
	mb_x2apic(&m, 301, 0, 4);   /* disabled */
	mb_lapic(&m, 5, 5, EN | 0x80); /* unknown flag bits are kept */
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.ncpus, 2);
	assert_int_equal(madt.cpus[1].apic_id, 5);
	assert_int_equal(madt.cpus[1].flags, EN | 0x80);
	assert_int_equal(madt.cpus_disabled, 2);
	assert_int_equal(madt.cpus_hotplug, 2);
	assert_int_equal(madt.flags, 0);
}

static void test_madt_lapic_override(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];
	uint8_t *e;

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	e = mb_entry(&m, 5, 12);
	put64(e + 4, 0x1fee00000ULL);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_true(madt.lapic_addr == 0x1fee00000ULL);
	assert_true(madt.lapic_addr_override);
}

static void test_madt_many_ioapics_and_isos(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];
	int i;

	mb_init(&m, 0xfee00000, 0);
	for (i = 0; i < ACPI_MADT_MAX_IOAPICS + 2; i++)
		mb_ioapic(&m, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	for (i = 0; i < ACPI_MADT_MAX_ISOS + 3; i++)
		mb_iso(&m, (uint8_t)i, i, 0);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.nioapics, ACPI_MADT_MAX_IOAPICS + 2);
	assert_int_equal(madt.ioapics[ACPI_MADT_MAX_IOAPICS - 1].gsi_base,
			 (ACPI_MADT_MAX_IOAPICS - 1) * 24);
	assert_int_equal(madt.nisos, ACPI_MADT_MAX_ISOS + 3);
	assert_int_equal(madt.ncpus, 0);
}

static void test_madt_too_many_cpus(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];
	int i;

	mb_init(&m, 0xfee00000, 0);
	for (i = 0; i < 70; i++)
		mb_x2apic(&m, (uint32_t)i, EN, (uint32_t)i);
	mb_x2apic(&m, 500, 0, 500); /* disabled still counted as such */
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.ncpus, ACPI_MADT_MAX_CPUS);
	assert_int_equal(madt.cpus_extra, 70 - ACPI_MADT_MAX_CPUS);
	assert_int_equal(madt.cpus[63].apic_id, 63);
	assert_int_equal(madt.cpus_disabled, 1);
	assert_int_equal(fm.nwarn, 1); /* once, not per extra CPU */
	assert_contains(fm.warns, "more than 64");
}

static void test_madt_duplicate_apic_id(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	mb_lapic(&m, 1, 1, EN);
	mb_x2apic(&m, 1, EN, 1); /* same CPU listed as x2APIC too */
	mb_lapic(&m, 2, 0, EN);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.ncpus, 2);
	assert_int_equal(madt.cpus_duplicate, 2);
	assert_false(madt.cpus[1].x2apic); /* the first listing wins */
	assert_int_equal(fm.nwarn, 2);
	assert_contains(fm.warns, "offset 0x3c: duplicate APIC ID 1");
	assert_contains(fm.warns, "offset 0x4c: duplicate APIC ID 0");
}

static void test_madt_broadcast_id_ignored(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	mb_lapic(&m, 1, 0xff, EN);
	mb_x2apic(&m, 0xffffffff, EN, 2);
	mb_x2apic(&m, 0xff, EN, 3); /* valid as an x2APIC ID */
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.ncpus, 2);
	assert_int_equal(madt.cpus[1].apic_id, 0xff);
	assert_int_equal(madt.cpus_disabled, 2);
	assert_int_equal(fm.nwarn, 2);
}

static void test_madt_entry_length_zero(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	mb_lapic(&m, 1, 1, EN);
	mb_entry(&m, 0, 0); /* would loop forever if trusted */
	mb_lapic(&m, 2, 2, EN);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "offset 0x3c");
	assert_contains(err, "type 0");
	assert_contains(err, "length 0 < 2");
	assert_int_equal(madt.ncpus, 2); /* the CPUs before it are kept */
	assert_int_equal(madt.cpus[1].apic_id, 1);
}

static void test_madt_entry_past_end(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	mb_x2apic(&m, 1, EN, 1);
	m.len -= 6; /* the table now ends inside the x2APIC entry */
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "offset 0x34");
	assert_contains(err, "type 9");
	assert_contains(err, "runs past the table end (10 bytes left)");
	assert_int_equal(madt.ncpus, 1);
}

static void test_madt_entry_shorter_than_type(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];
	uint8_t *e;

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	e = mb_entry(&m, 9, 12); /* x2APIC needs 16 */
	put32(e + 4, 5);
	put32(e + 8, EN);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "Processor Local x2APIC");
	assert_contains(err, "length 12 < 16");
	assert_int_equal(madt.ncpus, 1);
}

static void test_madt_trailing_byte(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_lapic(&m, 0, 0, EN);
	m.len += 1;
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "offset 0x34");
	assert_contains(err, "only 1 byte left");
	assert_int_equal(madt.ncpus, 1);
}

static void test_madt_unknown_types_skipped(void **state)
{
	struct madt_b m;
	struct acpi_table t;
	struct acpi_madt madt;
	char err[200];

	mb_init(&m, 0xfee00000, 0);
	mb_entry(&m, 4, 6);    /* Local APIC NMI */
	mb_entry(&m, 0x7f, 3); /* reserved type, odd length */
	mb_entry(&m, 0xff, 2);
	mb_lapic(&m, 0, 3, EN);
	t = madt_install(0x8000, &m);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.nentries, 4);
	assert_int_equal(madt.ncpus, 1);
	assert_int_equal(madt.cpus[0].apic_id, 3);
}

static void test_madt_truncated(void **state)
{
	struct acpi_table t = { .pa = 0x8000, .length = 200 };
	struct acpi_madt madt;
	char err[200];
	uint8_t *b;

	/* The header claims 200 bytes, only 100 are mapped. */
	b = region(0x8000, 100);
	sdt_header(b, "APIC", 200, 3);
	assert_int_equal(acpi_table_check(&mem, 0x8000, "APIC", NULL, err,
					  sizeof(err)), ACPI_EMAP);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_EMAP);
	assert_contains(err, "truncated");
	assert_int_equal(madt.ncpus, 0);
	/* Too short to hold the MADT's own fields. */
	t.length = 40;
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_ELEN);
}

/* --- FADT --- */

static uint8_t *fadt_build(uint64_t pa, uint32_t len, uint8_t rev)
{
	uint8_t *f = region(pa, len);

	sdt_header(f, "FACP", len, rev);
	put32(f + 40, 0x7fe0000);  /* DSDT */
	put32(f + 48, 0xb2);       /* SMI_CMD */
	f[52] = 0xf0;              /* ACPI_ENABLE */
	put32(f + 64, 0x604);      /* PM1a_CNT_BLK */
	put32(f + 68, 0);          /* PM1b_CNT_BLK */
	put32(f + 112, ACPI_FADT_RESET_REG_SUP);
	return f;
}

static void test_fadt_acpi1_short(void **state)
{
	struct acpi_table t;
	struct acpi_fadt fadt;
	char err[160];

	fadt_build(0x9000, 116, 1);
	sdt_fix(fm.r[0].buf);
	assert_int_equal(acpi_table_check(&mem, 0x9000, "FACP", &t, err,
					  sizeof(err)), ACPI_OK);
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(fadt.length, 116);
	assert_true(fadt.dsdt == 0x7fe0000);
	assert_int_equal(fadt.smi_cmd, 0xb2);
	assert_int_equal(fadt.acpi_enable, 0xf0);
	assert_int_equal(fadt.pm1a_cnt_blk, 0x604);
	assert_int_equal(fadt.pm1b_cnt_blk, 0);
	assert_int_equal(fadt.flags, ACPI_FADT_RESET_REG_SUP);
	/* RESET_REG (offset 116) is beyond an ACPI 1.0 FADT. */
	assert_false(fadt.has_reset_reg);
	assert_true(fadt.reset_reg.address == 0);
}

static void test_fadt_long(void **state)
{
	struct acpi_table t = { .pa = 0x9000, .length = 276, .revision = 6 };
	struct acpi_fadt fadt;
	char err[160];
	uint8_t *f = fadt_build(0x9000, 276, 6);

	f[116] = ACPI_GAS_SYSTEM_IO;
	f[117] = 8;
	put64(f + 120, 0xcf9);
	f[128] = 0x06;
	put64(f + 140, 0x1007fe0000ULL); /* X_DSDT wins over DSDT */
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_OK);
	assert_true(fadt.dsdt == 0x1007fe0000ULL);
	assert_true(fadt.has_reset_reg);
	assert_int_equal(fadt.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(fadt.reset_reg.bit_width, 8);
	assert_true(fadt.reset_reg.address == 0xcf9);
	assert_int_equal(fadt.reset_value, 6);
	assert_int_equal(fadt.revision, 6);
	assert_int_equal(fm.nwarn, 1); /* DSDT and X_DSDT differ */
	assert_contains(fm.warns, "X_DSDT");

	/* X_DSDT zero: the 32-bit DSDT is used, silently. */
	put64(f + 140, 0);
	/* Reset register present but RESET_REG_SUP clear. */
	put32(f + 112, 0);
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_OK);
	assert_true(fadt.dsdt == 0x7fe0000);
	assert_false(fadt.has_reset_reg);
	assert_true(fadt.reset_reg.address == 0xcf9);
	assert_int_equal(fm.nwarn, 1);
}

static void test_fadt_x_pm1_fallback(void **state)
{
	struct acpi_table t = { .pa = 0x9000, .length = 244, .revision = 3 };
	struct acpi_fadt fadt;
	char err[160];
	uint8_t *f = fadt_build(0x9000, 244, 3);

	put32(f + 64, 0);
	f[172] = ACPI_GAS_SYSTEM_IO;
	put64(f + 176, 0x1804);
	f[184] = ACPI_GAS_SYSTEM_MEMORY; /* not a port: not used */
	put64(f + 188, 0xfed00000);
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(fadt.pm1a_cnt_blk, 0x1804);
	assert_int_equal(fadt.pm1b_cnt_blk, 0);
}

static void test_fadt_too_short(void **state)
{
	struct acpi_table t = { .pa = 0x9000, .length = 40 };
	struct acpi_fadt fadt;
	char err[160];
	uint8_t *f = region(0x9000, 60);

	sdt_header(f, "FACP", 60, 1);
	put32(f + 40, 0x1234);
	put32(f + 48, 0xb2);
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_ELEN);
	/* 60 bytes: DSDT and SMI_CMD present, PM1a_CNT_BLK (64) not. */
	t.length = 60;
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_OK);
	assert_true(fadt.dsdt == 0x1234);
	assert_int_equal(fadt.smi_cmd, 0xb2);
	assert_int_equal(fadt.pm1a_cnt_blk, 0);
	/* Longer than what is mapped. */
	t.length = 116;
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_EMAP);
}

/* --- \_S5 --- */

static int s5(const uint8_t *aml, size_t len, struct acpi_s5 *out,
	      char *err, size_t errlen)
{
	/* A heap copy of the exact size, so ASan sees any over-read. */
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, aml, len);
	memset(out, 0xee, sizeof(*out));
	rc = acpi_aml_find_s5(copy, len, out, err, errlen);
	free(copy);
	return rc;
}

static void test_s5_byte_prefix(void **state)
{
	/* Name(_S5, Package(4) { 5, 5, 0, 0 }) written with BytePrefix. */
	static const uint8_t aml[] = {
		0x10, 0x05, 0x5c, 0x00, 0xa3, /* some Scope before it */
		0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
		0x14, 0x08, '_', 'P', 'T', 'S', 0x01, 0xa3,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)), ACPI_OK);
	assert_int_equal(r.slp_typa, 5);
	assert_int_equal(r.slp_typb, 5);
}

static void test_s5_zero_one(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
		0x00, 0x01, 0x00, 0x00,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)), ACPI_OK);
	assert_int_equal(r.slp_typa, 0);
	assert_int_equal(r.slp_typb, 1);
}

static void test_s5_root_prefix_word_dword(void **state)
{
	static const uint8_t aml[] = {
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x02,
		0x0b, 0x07, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)), ACPI_OK);
	assert_int_equal(r.slp_typa, 7);
	assert_int_equal(r.slp_typb, 6);
}

static void test_s5_two_byte_pkglength(void **state)
{
	uint8_t aml[96];
	struct acpi_s5 r;
	char err[160];
	size_t len = 0;
	uint32_t pkglen = 80; /* > 63: needs a 2-byte PkgLength */

	memset(aml, 0, sizeof(aml));
	aml[len++] = 0x08;
	memcpy(aml + len, "_S5_", 4);
	len += 4;
	aml[len++] = 0x12;
	aml[len++] = (uint8_t)(0x40 | (pkglen & 0x0f));
	aml[len++] = (uint8_t)(pkglen >> 4);
	aml[len++] = 40; /* NumElements */
	aml[len++] = 0x0a;
	aml[len++] = 3;
	aml[len++] = 0x01;
	/* The rest of the package is Zero elements. */
	len = 5 + pkglen + 1;
	assert_int_equal(s5(aml, len, &r, err, sizeof(err)), ACPI_OK);
	assert_int_equal(r.slp_typa, 3);
	assert_int_equal(r.slp_typb, 1);
	/* One byte short: the package runs past the end. */
	assert_int_equal(s5(aml, len - 1, &r, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "runs past the end");
}

static void test_s5_missing(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04,
		0x0a, 0x06, 0x0a, 0x06,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)),
			 ACPI_ENOTFOUND);
	assert_contains(err, "no \\_S5");
	assert_int_equal(s5(aml, 0, &r, err, sizeof(err)), ACPI_ENOTFOUND);
}

static void test_s5_not_a_name(void **state)
{
	/* Method (_S5) and a reference to _S5_ inside a string: neither is a
	 * Name(_S5_, Package). */
	static const uint8_t aml[] = {
		0x14, 0x09, '_', 'S', '5', '_', 0x00, 0xa4, 0x12, 0x02, 0x00,
		0x0d, '_', 'S', '5', '_', 0x12, 0x00,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)),
			 ACPI_ENOTFOUND);
	assert_contains(err, "occurs 2 time(s)");
}

static void test_s5_truncated_at_end(void **state)
{
	static const uint8_t pkg_cut[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a, 0x05,
	};
	static const uint8_t op_last[] = { 0x08, '_', 'S', '5', '_', 0x12 };
	static const uint8_t pkglen_cut[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x81,
	};
	static const uint8_t name_cut[] = { 0x08, '_', 'S', '5', '_' };
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(pkg_cut, sizeof(pkg_cut), &r, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "runs past the end of the AML");
	assert_int_equal(s5(op_last, sizeof(op_last), &r, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "PkgLength");
	assert_int_equal(s5(pkglen_cut, sizeof(pkglen_cut), &r, err,
			    sizeof(err)), ACPI_ECORRUPT);
	assert_int_equal(s5(name_cut, sizeof(name_cut), &r, err, sizeof(err)),
			 ACPI_ENOTFOUND);
}

static void test_s5_element_past_package(void **state)
{
	/* PkgLength says 4 bytes (through the first element's prefix), so
	 * the BytePrefix's data byte lies outside the package. */
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0a, 0x05, 0x00,
	};
	static const uint8_t no_b[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x05, 0x00,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "SLP_TYPa");
	assert_int_equal(s5(no_b, sizeof(no_b), &r, err, sizeof(err)),
			 ACPI_EUNSUPP); /* 0x05 is not an integer opcode */
}

static void test_s5_single_element_and_errors(void **state)
{
	/* Old firmware: one word, SLP_TYPa low byte, SLP_TYPb high byte. */
	static const uint8_t one[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b, 0x07, 0x05,
	};
	static const uint8_t empty[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00,
	};
	static const uint8_t ref[] = { /* element is a name: needs AML */
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02,
		'S', 'S', '5', 'A', 'S', 'S', '5', 'B',
	};
	static const uint8_t big[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00,
	};
	static const uint8_t short_pkglen[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x00, 0x00,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(one, sizeof(one), &r, err, sizeof(err)), ACPI_OK);
	assert_int_equal(r.slp_typa, 7);
	assert_int_equal(r.slp_typb, 5);
	assert_int_equal(s5(empty, sizeof(empty), &r, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "empty");
	assert_int_equal(s5(ref, sizeof(ref), &r, err, sizeof(err)),
			 ACPI_EUNSUPP);
	assert_contains(err, "opcode 0x53");
	assert_int_equal(s5(big, sizeof(big), &r, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "3 bits");
	assert_int_equal(s5(short_pkglen, sizeof(short_pkglen), &r, err,
			    sizeof(err)), ACPI_ECORRUPT);
	assert_contains(err, "shorter than its own encoding");
}

static void test_s5_second_candidate(void **state)
{
	/* A broken first Name(_S5_) does not hide a good later one. */
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x72,
		0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01,
	};
	struct acpi_s5 r;
	char err[160];

	assert_int_equal(s5(aml, sizeof(aml), &r, err, sizeof(err)), ACPI_OK);
	assert_int_equal(r.slp_typa, 1);
	assert_int_equal(r.slp_typb, 1);
}

/* --- whole chain and helpers --- */

static void test_end_to_end_power_off(void **state)
{
	static const uint8_t dsdt_body[] = {
		0x10, 0x05, 0x5c, 0x00, 0xa3,
		0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	uint64_t ent[2] = { 0x30000, 0x10000 };
	uint8_t *area = region(0xe0000, 0x20000);
	uint8_t *f;
	struct acpi_rsdp rsdp;
	struct acpi_root root;
	struct acpi_table t;
	struct acpi_fadt fadt;
	struct acpi_s5 s;
	struct acpi_madt madt;
	struct madt_b m;
	char err[200];

	build_rsdp(area + 0x100, 2, 0x3000, 0x4000);
	add_root(0x4000, true, ent, 2);
	f = fadt_build(0x10000, 244, 4);
	put64(f + 140, 0x20000);
	sdt_fix(f);
	add_table(0x20000, "DSDT", dsdt_body, sizeof(dsdt_body));
	mb_init(&m, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	mb_lapic(&m, 0, 0, EN);
	mb_lapic(&m, 1, 1, EN);
	madt_install(0x30000, &m);

	assert_int_equal(acpi_rsdp_find_bios(&mem, &rsdp, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(acpi_root_init(&mem, &rsdp, &root, err, sizeof(err)),
			 ACPI_OK);
	assert_true(root.xsdt);
	assert_int_equal(acpi_find_table(&mem, &root, "FACP", 0, &t, err,
					 sizeof(err)), ACPI_OK);
	assert_int_equal(acpi_fadt_parse(&mem, &t, &fadt, err, sizeof(err)),
			 ACPI_OK);
	assert_true(fadt.dsdt == 0x20000);
	assert_int_equal(acpi_dsdt_find_s5(&mem, &fadt, &s, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(s.slp_typa, 5);
	assert_int_equal(acpi_pm1_cnt_sleep(ACPI_PM1_SCI_EN, s.slp_typa),
			 0x3401);
	assert_int_equal(acpi_find_table(&mem, &root, "APIC", 0, &t, err,
					 sizeof(err)), ACPI_OK);
	assert_int_equal(acpi_madt_parse(&mem, &t, &madt, err, sizeof(err)),
			 ACPI_OK);
	assert_int_equal(madt.ncpus, 2);
	assert_int_equal(fm.nwarn, 1); /* DSDT 0x7fe0000 vs X_DSDT */
}

static void test_dsdt_s5_errors(void **state)
{
	static const uint8_t cut[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a,
	};
	struct acpi_fadt fadt = { .dsdt = 0 };
	struct acpi_s5 s;
	char err[200];
	uint8_t *d;

	assert_int_equal(acpi_dsdt_find_s5(&mem, &fadt, &s, err, sizeof(err)),
			 ACPI_ENOTFOUND);
	/* Truncated package at the very end of the DSDT; offsets are given
	 * from the start of the table. */
	add_table(0x20000, "DSDT", cut, sizeof(cut));
	fadt.dsdt = 0x20000;
	assert_int_equal(acpi_dsdt_find_s5(&mem, &fadt, &s, err, sizeof(err)),
			 ACPI_ECORRUPT);
	assert_contains(err, "DSDT at 0x20000");
	assert_contains(err, "offset 0x25");
	/* A corrupt DSDT is not scanned. */
	d = fm.r[0].buf;
	d[40] ^= 1;
	assert_int_equal(acpi_dsdt_find_s5(&mem, &fadt, &s, err, sizeof(err)),
			 ACPI_ECSUM);
	/* Not a DSDT at all. */
	memcpy(d, "SSDT", 4);
	assert_int_equal(acpi_dsdt_find_s5(&mem, &fadt, &s, err, sizeof(err)),
			 ACPI_ESIG);
}

static void test_helpers(void **state)
{
	char s[5];
	uint8_t odd[4] = { 'A', 0x01, 'C', 0xff };

	assert_string_equal(acpi_sig_name("APIC"), "MADT");
	assert_string_equal(acpi_sig_name("FACP"), "FADT");
	assert_null(acpi_sig_name("ZZZZ"));
	assert_string_equal(acpi_sig_str(s, odd), "A?C?");
	assert_string_equal(acpi_strerror(ACPI_ECSUM), "bad checksum");
	assert_string_equal(acpi_strerror(ACPI_OK), "success");
	assert_string_equal(acpi_strerror(-99), "unknown error");
	assert_string_equal(acpi_strerror(5), "unknown error");
	assert_int_equal(acpi_checksum("\x01\xff", 2), 0);
	/* SLP_TYP replaced, SLP_EN set, other bits kept. */
	assert_int_equal(acpi_pm1_cnt_sleep(0x1c01, 0), 0x2001);
	assert_int_equal(acpi_pm1_cnt_sleep(0, 7), 0x3c00);
	assert_int_equal(acpi_pm1_cnt_sleep(0x0200, 0xff), 0x3e00);
}

static void test_err_buffer_optional(void **state)
{
	uint8_t p[20] = { 0 };
	char tiny[8];

	/* No buffer, or a tiny one: never written past. */
	assert_int_equal(acpi_rsdp_check(p, 20, NULL, NULL, 0), ACPI_ESIG);
	assert_int_equal(acpi_rsdp_check(p, 20, NULL, tiny, sizeof(tiny)),
			 ACPI_ESIG);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rsdp_v1_valid),
		T(test_rsdp_v2_valid),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_ext_checksum),
		T(test_rsdp_bad_signature_and_sizes),
		T(test_rsdp_scan_aligned),
		T(test_rsdp_scan_skips_bad_candidate),
		T(test_rsdp_scan_none),
		T(test_rsdp_find_bios_ebda_first),
		T(test_rsdp_find_bios_area),
		T(test_root_prefers_xsdt),
		T(test_root_uses_rsdt),
		T(test_root_bad_xsdt_falls_back),
		T(test_root_wrong_signature),
		T(test_find_table),
		T(test_find_table_skips_bad_checksum),
		T(test_find_table_unmappable),
		T(test_table_check_lengths),
		T(test_madt_xapic_and_x2apic),
		T(test_madt_disabled_and_online_capable),
		T(test_madt_lapic_override),
		T(test_madt_many_ioapics_and_isos),
		T(test_madt_too_many_cpus),
		T(test_madt_duplicate_apic_id),
		T(test_madt_broadcast_id_ignored),
		T(test_madt_entry_length_zero),
		T(test_madt_entry_past_end),
		T(test_madt_entry_shorter_than_type),
		T(test_madt_trailing_byte),
		T(test_madt_unknown_types_skipped),
		T(test_madt_truncated),
		T(test_fadt_acpi1_short),
		T(test_fadt_long),
		T(test_fadt_x_pm1_fallback),
		T(test_fadt_too_short),
		T(test_s5_byte_prefix),
		T(test_s5_zero_one),
		T(test_s5_root_prefix_word_dword),
		T(test_s5_two_byte_pkglength),
		T(test_s5_missing),
		T(test_s5_not_a_name),
		T(test_s5_truncated_at_end),
		T(test_s5_element_past_package),
		T(test_s5_single_element_and_errors),
		T(test_s5_second_candidate),
		T(test_end_to_end_power_off),
		T(test_dsdt_s5_errors),
		T(test_helpers),
		T(test_err_buffer_optional),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
