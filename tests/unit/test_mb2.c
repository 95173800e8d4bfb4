/* Host tests for the multiboot2 parser: boot-information blobs are built in
 * memory, valid and broken in every way the parser checks, and each error
 * must name the tag it is about. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/mb2.h"

/* --- blob builder ------------------------------------------------------ */

struct blob {
	_Alignas(8) uint8_t buf[16384];
	uint32_t len;
};

static void put32(struct blob *b, uint32_t off, uint32_t v)
{
	memcpy(b->buf + off, &v, 4);
}

static void b_init(struct blob *b)
{
	memset(b->buf, 0xcc, sizeof(b->buf));
	b->len = 8;
	put32(b, 4, 0);
}

/* Adds a tag whose size field is 'size' (normally 8 + plen) and whose
 * payload is 'plen' bytes; pads to 8. Returns the tag's offset. */
static uint32_t b_tag_sized(struct blob *b, uint32_t type, uint32_t size,
			    const void *payload, uint32_t plen)
{
	uint32_t off = b->len;
	assert_true(off + 8 + plen + 8 <= sizeof(b->buf));
	put32(b, off, type);
	put32(b, off + 4, size);
	if (plen)
		memcpy(b->buf + off + 8, payload, plen);
	b->len = (off + 8 + plen + 7) & ~7u;
	memset(b->buf + off + 8 + plen, 0, b->len - (off + 8 + plen));
	return off;
}

static uint32_t b_tag(struct blob *b, uint32_t type, const void *payload,
		      uint32_t plen)
{
	return b_tag_sized(b, type, 8 + plen, payload, plen);
}

static uint32_t b_string(struct blob *b, uint32_t type, const char *s)
{
	return b_tag(b, type, s, (uint32_t)strlen(s) + 1);
}

struct mm {
	uint64_t base, len;
	uint32_t type;
};

static uint32_t b_mmap_ex(struct blob *b, const struct mm *e, unsigned int n,
			  uint32_t esize, uint32_t version)
{
	uint8_t p[8 + 200 * 40];
	uint32_t plen = 8 + n * esize;
	assert_true(plen <= sizeof(p));
	memset(p, 0, sizeof(p));
	memcpy(p, &esize, 4);
	memcpy(p + 4, &version, 4);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *q = p + 8 + i * esize;
		memcpy(q, &e[i].base, 8);
		if (esize >= 16)
			memcpy(q + 8, &e[i].len, 8);
		if (esize >= 20)
			memcpy(q + 16, &e[i].type, 4);
	}
	return b_tag(b, MB2_TAG_MMAP, p, plen);
}

static uint32_t b_mmap(struct blob *b, const struct mm *e, unsigned int n)
{
	return b_mmap_ex(b, e, n, 24, 0);
}

static uint32_t b_module(struct blob *b, uint32_t start, uint32_t end,
			 const char *cmd)
{
	uint8_t p[256];
	uint32_t n = (uint32_t)strlen(cmd) + 1;
	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, cmd, n);
	return b_tag(b, MB2_TAG_MODULE, p, 8 + n);
}

/* An RSDP of 'len' bytes; 'good' selects a valid checksum. */
static void make_rsdp(uint8_t *r, size_t len, bool good, uint8_t rev)
{
	memset(r, 0, len);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TERNOE", 6);
	r[15] = rev;
	r[16] = 0x00;
	r[17] = 0xe0;
	r[18] = 0x0f;
	uint8_t sum = 0;
	for (int i = 0; i < 20; i++)
		sum = (uint8_t)(sum + r[i]);
	r[8] = (uint8_t)(0x100 - sum);
	if (!good)
		r[8] ^= 0x55;
	if (len >= 36) {
		uint32_t l = 36;
		memcpy(r + 20, &l, 4);
		sum = 0;
		for (int i = 0; i < 36; i++)
			sum = (uint8_t)(sum + r[i]);
		r[32] = (uint8_t)(0x100 - sum);
	}
}

static uint32_t b_rsdp(struct blob *b, uint32_t type, size_t len, bool good)
{
	uint8_t r[64];
	make_rsdp(r, len, good, type == MB2_TAG_ACPI_NEW ? 2 : 0);
	return b_tag(b, type, r, (uint32_t)len);
}

static void b_end(struct blob *b)
{
	b_tag(b, MB2_TAG_END, NULL, 0);
	put32(b, 0, b->len);
}

static const struct mm default_map[] = {
	{ 0, 0x9fc00, MB2_MEM_AVAILABLE },
	{ 0xf0000, 0x10000, MB2_MEM_RESERVED },
	{ 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE },
};

/* --- helpers ------------------------------------------------------------ */

static struct boot_info bi;
static char err[256], warn[512];

static int parse(const struct blob *b)
{
	return mb2_parse(MB2_BOOTLOADER_MAGIC, b->buf, b->len, &bi, err,
			 sizeof(err), warn, sizeof(warn));
}

#define assert_contains(hay, needle)                                        \
	do {                                                                \
		if (!strstr((hay), (needle)))                               \
			fail_msg("\"%s\" does not contain \"%s\"", (hay),   \
				 (needle));                                 \
	} while (0)

/* Parse must fail, and the message must contain every given fragment. */
static void expect_error(const struct blob *b, const char *a, const char *c)
{
	assert_int_equal(parse(b) < 0, 1);
	assert_contains(err, a);
	if (c)
		assert_contains(err, c);
}

/* --- tests -------------------------------------------------------------- */

static void test_valid_full(void **state)
{
	struct blob b;
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "loglevel=debug vm=name=a");
	b_string(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	uint32_t meminfo[2] = { 639, 130048 };
	b_tag(&b, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	b_mmap(&b, default_map, 3);
	b_module(&b, 0x200000, 0x201000, "guest1 arg");
	b_module(&b, 0x300000, 0x300000, "");
	uint8_t junk[5] = { 1, 2, 3, 4, 5 };
	b_tag(&b, 99, junk, sizeof(junk)); /* unknown: skipped */
	uint32_t acpi = b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, true);
	b_end(&b);

	assert_int_equal(parse(&b), 0);
	assert_string_equal(err, "");
	assert_string_equal(warn, "");
	assert_string_equal(bi.cmdline, "loglevel=debug vm=name=a");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_int_equal(bi.nmmap, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(bi.mmap[i].base, default_map[i].base);
		assert_int_equal(bi.mmap[i].len, default_map[i].len);
		assert_int_equal(bi.mmap[i].type, default_map[i].type);
	}
	assert_int_equal(bi.nmodules, 2);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x201000);
	assert_string_equal(bi.modules[0].cmdline, "guest1 arg");
	assert_string_equal(bi.modules[1].cmdline, "");
	assert_ptr_equal(bi.rsdp, b.buf + acpi + 8);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp_revision, 2);
	assert_int_equal(bi.total_size, b.len);
}

static void test_minimal(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 1);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
	assert_null(bi.rsdp);
	assert_int_equal(bi.nmodules, 0);
	assert_int_equal(bi.nmmap, 1);
}

static void test_wrong_magic(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	b_end(&b);
	assert_true(mb2_parse(0x2badb002, b.buf, b.len, &bi, err, sizeof(err),
			      warn, sizeof(warn)) < 0);
	assert_contains(err, "0x2badb002");
	assert_contains(err, "0x36d76289");
	assert_contains(err, "magic");
}

static void test_null_info(void **state)
{
	assert_true(mb2_parse(MB2_BOOTLOADER_MAGIC, NULL, 4096, &bi, err,
			      sizeof(err), warn, sizeof(warn)) < 0);
	assert_contains(err, "NULL");
	assert_string_equal(bi.cmdline, "");
}

static void test_truncated(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	b_end(&b);
	assert_true(mb2_parse(MB2_BOOTLOADER_MAGIC, b.buf, b.len - 8, &bi, err,
			      sizeof(err), warn, sizeof(warn)) < 0);
	assert_contains(err, "total size");
	assert_contains(err, "larger than");

	assert_true(mb2_parse(MB2_BOOTLOADER_MAGIC, b.buf, 4, &bi, err,
			      sizeof(err), warn, sizeof(warn)) < 0);
	assert_contains(err, "only 4 bytes");
}

static void test_total_too_small(void **state)
{
	struct blob b;
	b_init(&b);
	b_end(&b);
	put32(&b, 0, 8);
	expect_error(&b, "total size 8 is smaller than 16", NULL);
}

static void test_tag_size_below_8(void **state)
{
	struct blob b;
	b_init(&b);
	b_tag_sized(&b, MB2_TAG_CMDLINE, 4, "ab", 2);
	b_end(&b);
	expect_error(&b, "multiboot2 command line tag at offset 0x8: size 4 is "
		     "smaller than 8", NULL);

	b_init(&b);
	b_mmap(&b, default_map, 1);
	b_tag_sized(&b, 77, 0, NULL, 0);
	b_end(&b);
	expect_error(&b, "tag of type 77 at offset 0x30", "size 0");
}

static void test_tag_past_end(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint32_t off = b_module(&b, 0x1000, 0x2000, "x");
	b_end(&b);
	put32(&b, off + 4, b.len); /* module claims more than is left */
	char where[64];
	snprintf(where, sizeof(where), "module tag at offset 0x%x", off);
	expect_error(&b, where, "runs past the end");

	/* An end tag that does not fit is the same error. */
	b_init(&b);
	b_mmap(&b, default_map, 1);
	b_end(&b);
	put32(&b, 0, b.len - 4);
	expect_error(&b, "no end tag", NULL);
}

static void test_missing_end_tag(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	b_string(&b, MB2_TAG_CMDLINE, "abc");
	put32(&b, 0, b.len);
	expect_error(&b, "no end tag", NULL);
}

static void test_unterminated_strings(void **state)
{
	struct blob b;
	b_init(&b);
	b_tag(&b, MB2_TAG_CMDLINE, "abc", 3);
	b_mmap(&b, default_map, 3);
	b_end(&b);
	expect_error(&b, "multiboot2 command line tag at offset 0x8: string is "
		     "not NUL-terminated", NULL);

	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint32_t off = b_tag(&b, MB2_TAG_LOADER_NAME, NULL, 0);
	b_end(&b);
	char where[64];
	snprintf(where, sizeof(where), "boot loader name tag at offset 0x%x",
		 off);
	expect_error(&b, where, "not NUL-terminated");

	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint8_t p[12] = { 0, 0x10, 0, 0, 0, 0x20, 0, 0, 'a', 'b', 'c', 'd' };
	off = b_tag(&b, MB2_TAG_MODULE, p, sizeof(p));
	b_end(&b);
	snprintf(where, sizeof(where), "module tag at offset 0x%x", off);
	expect_error(&b, where, "not NUL-terminated");
}

static void test_bad_mmap(void **state)
{
	struct blob b;
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "0123456789abcdefghijkl"); /* 0x8..0x28 */
	b_mmap_ex(&b, default_map, 2, 12, 0);
	b_end(&b);
	expect_error(&b, "multiboot2 memory map tag at offset 0x28: entry size "
		     "12 is smaller than 24", NULL);

	b_init(&b);
	b_mmap_ex(&b, default_map, 2, 28, 0);
	b_end(&b);
	expect_error(&b, "memory map tag at offset 0x8: entry size 28 is not a "
		     "multiple of 8", NULL);

	/* Entries do not fill the tag exactly. */
	b_init(&b);
	uint32_t off = b_mmap(&b, default_map, 3);
	put32(&b, off + 4, 16 + 3 * 24 - 8);
	b_end(&b);
	expect_error(&b, "memory map tag at offset 0x8", "whole number");

	/* Header shorter than 16. */
	b_init(&b);
	uint32_t esz = 24;
	b_tag(&b, MB2_TAG_MMAP, &esz, 4);
	b_end(&b);
	expect_error(&b, "memory map tag at offset 0x8", "smaller than its "
		     "16-byte header");

	/* A larger entry size (future version) is read with the stride. */
	b_init(&b);
	b_mmap_ex(&b, default_map, 3, 32, 1);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.nmmap, 3);
	assert_int_equal(bi.mmap[2].base, 0x100000);
	assert_int_equal(bi.mmap[2].type, MB2_MEM_AVAILABLE);
	assert_contains(warn, "memory map tag at offset 0x8: entry version 1");

	/* An empty map is valid (and leaves nothing usable). */
	b_init(&b);
	b_mmap(&b, default_map, 0);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.nmmap, 0);
}

static void test_missing_mmap(void **state)
{
	struct blob b;
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "x");
	b_end(&b);
	expect_error(&b, "multiboot2 boot information has no memory map tag",
		     NULL);
	assert_string_equal(err, "multiboot2 boot information has no memory "
			    "map tag");
}

static void test_bad_module(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint32_t off = b_module(&b, 0x5000, 0x4000, "m");
	b_end(&b);
	char where[128];
	snprintf(where, sizeof(where), "multiboot2 module tag at offset 0x%x: "
		 "end 0x4000 is below start 0x5000", off);
	expect_error(&b, where, NULL);

	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint32_t addrs[2] = { 0x1000, 0x2000 };
	off = b_tag(&b, MB2_TAG_MODULE, addrs, sizeof(addrs));
	b_end(&b);
	snprintf(where, sizeof(where), "module tag at offset 0x%x: size 16 is "
		 "smaller than 17", off);
	expect_error(&b, where, NULL);
}

static void test_too_many_modules(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	for (uint32_t i = 0; i < MB2_MAX_MODULES + 3; i++)
		b_module(&b, 0x1000000 + i * 0x1000, 0x1001000 + i * 0x1000,
			 "m");
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.nmodules, MB2_MAX_MODULES);
	assert_int_equal(bi.modules[MB2_MAX_MODULES - 1].start,
			 0x1000000 + (MB2_MAX_MODULES - 1) * 0x1000);
	assert_contains(warn, "module tags: 3 beyond the first 32 dropped");
}

static void test_too_many_mmap_entries(void **state)
{
	static struct mm e[MB2_MAX_MMAP + 5];
	for (unsigned int i = 0; i < ARRAY_SIZE(e); i++)
		e[i] = (struct mm){ i * 0x10000ull, 0x8000, 1 + i % 2 };
	struct blob b;
	b_init(&b);
	b_mmap(&b, e, ARRAY_SIZE(e));
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_int_equal(bi.nmmap, MB2_MAX_MMAP);
	assert_int_equal(bi.mmap[MB2_MAX_MMAP - 1].base,
			 (MB2_MAX_MMAP - 1) * 0x10000ull);
	assert_contains(warn, "memory map tag at offset 0x8: 5 entries beyond "
			"the first 128 dropped");
}

static void test_bad_rsdp(void **state)
{
	struct blob b;
	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint32_t off = b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, false);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_null(bi.rsdp);
	char where[64];
	snprintf(where, sizeof(where), "ACPI 2.0 RSDP tag at offset 0x%x", off);
	assert_contains(warn, where);
	assert_contains(warn, "checksum");

	/* Bad signature. */
	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint8_t r[20];
	make_rsdp(r, 20, true, 0);
	r[0] = 'X';
	b_tag(&b, MB2_TAG_ACPI_OLD, r, 20);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_null(bi.rsdp);
	assert_contains(warn, "ACPI 1.0 RSDP tag");
	assert_contains(warn, "signature");

	/* Too short for its kind. */
	b_init(&b);
	b_mmap(&b, default_map, 3);
	b_rsdp(&b, MB2_TAG_ACPI_NEW, 20, true);
	b_rsdp(&b, MB2_TAG_ACPI_OLD, 16, true);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_null(bi.rsdp);
	assert_contains(warn, "ACPI 2.0 RSDP tag");
	assert_contains(warn, "RSDP is 20 bytes, expected at least 36");
	assert_contains(warn, "; multiboot2 ACPI 1.0 RSDP tag");
	assert_contains(warn, "RSDP is 16 bytes, expected at least 20");

	/* A bad 2.0 RSDP with a good 1.0 one: the 1.0 one is used. */
	b_init(&b);
	b_mmap(&b, default_map, 3);
	b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, false);
	off = b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, true);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_ptr_equal(bi.rsdp, b.buf + off + 8);
	assert_int_equal(bi.rsdp_revision, 0);
	assert_int_equal(bi.rsdp_len, 20);
}

static void test_both_acpi(void **state)
{
	struct blob b;
	/* Either order: tag 15 wins. */
	for (int order = 0; order < 2; order++) {
		uint32_t off_new;
		b_init(&b);
		b_mmap(&b, default_map, 3);
		if (order) {
			off_new = b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, true);
			b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, true);
		} else {
			b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, true);
			off_new = b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, true);
		}
		b_end(&b);
		assert_int_equal(parse(&b), 0);
		assert_ptr_equal(bi.rsdp, b.buf + off_new + 8);
		assert_int_equal(bi.rsdp_revision, 2);
		assert_int_equal(bi.rsdp_len, 36);
		assert_string_equal(warn, "");
	}

	b_init(&b);
	b_mmap(&b, default_map, 3);
	uint32_t off = b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, true);
	b_end(&b);
	assert_int_equal(parse(&b), 0);
	assert_ptr_equal(bi.rsdp, b.buf + off + 8);
	assert_int_equal(bi.rsdp_revision, 0);
}

static void test_small_and_null_buffers(void **state)
{
	struct blob b;
	b_init(&b);
	b_end(&b);
	char tiny[8];
	assert_true(mb2_parse(MB2_BOOTLOADER_MAGIC, b.buf, b.len, &bi, tiny,
			      sizeof(tiny), NULL, 0) < 0);
	assert_string_equal(tiny, "multibo");
	assert_true(mb2_parse(MB2_BOOTLOADER_MAGIC, b.buf, b.len, &bi, NULL, 0,
			      NULL, 0) < 0);

	/* Warnings with no warn buffer are dropped silently. */
	b_init(&b);
	b_mmap(&b, default_map, 3);
	b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, false);
	b_end(&b);
	assert_int_equal(mb2_parse(MB2_BOOTLOADER_MAGIC, b.buf, b.len, &bi,
				   NULL, 0, NULL, 0), 0);
}

static void test_names(void **state)
{
	assert_string_equal(mb2_tag_name(MB2_TAG_MMAP), "memory map");
	assert_string_equal(mb2_tag_name(MB2_TAG_CMDLINE), "command line");
	assert_string_equal(mb2_tag_name(1000), "unknown");
	assert_string_equal(mb2_mem_type_name(MB2_MEM_AVAILABLE), "available");
	assert_string_equal(mb2_mem_type_name(MB2_MEM_NVS), "ACPI NVS");
	assert_string_equal(mb2_mem_type_name(0), "unknown");
}

/* Every prefix of a valid blob, in a heap buffer of exactly that size (so
 * AddressSanitizer catches any read past it), must be rejected cleanly. */
static void test_every_truncation(void **state)
{
	struct blob b;
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "console=com1");
	b_mmap(&b, default_map, 3);
	b_module(&b, 0x200000, 0x300000, "g");
	b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, true);
	b_end(&b);
	for (uint32_t n = 0; n < b.len; n++) {
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, b.buf, n);
		assert_true(mb2_parse(MB2_BOOTLOADER_MAGIC, p, n, &bi, err,
				      sizeof(err), warn, sizeof(warn)) < 0);
		assert_true(err[0] != '\0');
		free(p);
	}
}

/* Random corruption of a valid blob: any result is fine as long as the
 * parser neither reads out of bounds nor returns an empty error. */
static void test_corruption(void **state)
{
	struct blob b;
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "console=com1 vm=name=a");
	b_string(&b, MB2_TAG_LOADER_NAME, "loader");
	b_mmap(&b, default_map, 3);
	b_module(&b, 0x200000, 0x300000, "g");
	b_rsdp(&b, MB2_TAG_ACPI_OLD, 20, true);
	b_rsdp(&b, MB2_TAG_ACPI_NEW, 36, true);
	b_end(&b);

	uint32_t seed = 12345;
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *p = malloc(b.len);
		memcpy(p, b.buf, b.len);
		int flips = 1 + iter % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t at = (seed >> 8) % b.len;
			seed = seed * 1103515245u + 12345u;
			p[at] = (uint8_t)(seed >> 16);
		}
		int rc = mb2_parse(MB2_BOOTLOADER_MAGIC, p, b.len, &bi, err,
				   sizeof(err), warn, sizeof(warn));
		if (rc < 0) {
			assert_true(err[0] != '\0');
		} else {
			assert_true(bi.nmmap <= MB2_MAX_MMAP);
			assert_true(bi.nmodules <= MB2_MAX_MODULES);
			assert_true(strlen(bi.cmdline) < b.len);
		}
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_wrong_magic),
		cmocka_unit_test(test_null_info),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_total_too_small),
		cmocka_unit_test(test_tag_size_below_8),
		cmocka_unit_test(test_tag_past_end),
		cmocka_unit_test(test_missing_end_tag),
		cmocka_unit_test(test_unterminated_strings),
		cmocka_unit_test(test_bad_mmap),
		cmocka_unit_test(test_missing_mmap),
		cmocka_unit_test(test_bad_module),
		cmocka_unit_test(test_too_many_modules),
		cmocka_unit_test(test_too_many_mmap_entries),
		cmocka_unit_test(test_bad_rsdp),
		cmocka_unit_test(test_both_acpi),
		cmocka_unit_test(test_small_and_null_buffers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_corruption),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
