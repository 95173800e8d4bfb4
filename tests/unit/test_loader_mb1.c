/* Host tests for the multiboot 1 loader: ELF images built in memory (one
 * and two segments, bss, higher-half entry), the a.out kludge, modules and
 * their placement, the multiboot information the guest sees, every
 * rejection with its exact message, truncation at every length and random
 * corruption under the sanitizers, and the real guest kernels if built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "hv/loader_mb1.h"

#define RAM_FILL 0xcc
#define MB_OFF 0x100 /* where the builder puts the multiboot header */

/* --- guest memory --------------------------------------------------------- */

static struct guest_mem_view mem;
static uint8_t *ram;
static struct mb1_load_result res;
static char err[256];

static void ram_alloc(uint64_t size)
{
	free(ram);
	ram = malloc(size);
	assert_non_null(ram);
	memset(ram, RAM_FILL, size);
	mem.base = ram;
	mem.size = size;
}

/* Every test starts with 16 MiB of guest RAM, all RAM_FILL. */
static int setup(void **state)
{
	ram_alloc(16 * MiB);
	return 0;
}

static int teardown(void **state)
{
	free(ram);
	ram = NULL;
	return 0;
}

static uint32_t g32(uint64_t gpa)
{
	uint32_t v;
	assert_true(gpa + 4 <= mem.size);
	memcpy(&v, mem.base + gpa, 4);
	return v;
}

static uint64_t g64(uint64_t gpa)
{
	uint64_t v;
	assert_true(gpa + 8 <= mem.size);
	memcpy(&v, mem.base + gpa, 8);
	return v;
}

static const char *gstr(uint64_t gpa)
{
	assert_true(gpa < mem.size);
	assert_non_null(memchr(mem.base + gpa, 0, mem.size - gpa));
	return (const char *)mem.base + gpa;
}

static bool untouched(uint64_t gpa, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (mem.base[gpa + i] != RAM_FILL)
			return false;
	return true;
}

/* --- image builder -------------------------------------------------------- */

struct phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

static uint8_t pattern(uint64_t file_off)
{
	return (uint8_t)(file_off * 7 + 3);
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put_mb_header(uint8_t *img, size_t off, uint32_t flags)
{
	put32(img + off, MB1_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, -(MB1_HEADER_MAGIC + flags));
}

/* An ELF32 i386 executable: header, program headers at 0x34, multiboot
 * header at MB_OFF, file filled with pattern(). Returns its length. */
static size_t make_elf(uint8_t *img, size_t cap, const struct phdr *ph,
		       unsigned int n, uint32_t entry, uint32_t mbflags)
{
	size_t len = MB_OFF + 12;

	for (unsigned int i = 0; i < n; i++)
		if (ph[i].type == 1 && ph[i].offset + ph[i].filesz > len)
			len = ph[i].offset + ph[i].filesz;
	assert_true(len <= cap);
	assert_true(0x34 + n * 32 <= MB_OFF);
	for (size_t i = 0; i < len; i++)
		img[i] = pattern(i);
	memset(img, 0, MB_OFF);
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 1; /* ELFCLASS32 */
	img[5] = 1; /* little-endian */
	img[6] = 1; /* EV_CURRENT */
	put16(img + 16, 2);  /* ET_EXEC */
	put16(img + 18, 3);  /* EM_386 */
	put32(img + 20, 1);
	put32(img + 24, entry);
	put32(img + 28, 0x34);
	put16(img + 40, 52);
	put16(img + 42, 32);
	put16(img + 44, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = img + 0x34 + i * 32;
		put32(p, ph[i].type);
		put32(p + 4, ph[i].offset);
		put32(p + 8, ph[i].vaddr);
		put32(p + 12, ph[i].paddr);
		put32(p + 16, ph[i].filesz);
		put32(p + 20, ph[i].memsz);
		put32(p + 24, 7);
		put32(p + 28, 0x1000);
	}
	put_mb_header(img, MB_OFF, mbflags);
	return len;
}

static uint8_t img[64 * 1024];

/* The standard kernel: text+data at 1 MiB, 0x2000 bytes of it in the file,
 * memory size 0x5000 (0x3000 of bss). */
static const struct phdr one_seg[] = {
	{ 1, 0x1000, 0x100000, 0x100000, 0x2000, 0x5000 },
};

static size_t std_image(void)
{
	return make_elf(img, sizeof(img), one_seg, 1, 0x100010, 0x3);
}

/* --- checks --------------------------------------------------------------- */

static int load(size_t len, const char *cmdline,
		const struct guest_module *mods, unsigned int nmods)
{
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	return mb1_load(img, len, cmdline, mods, nmods, &mem, &res, err,
			sizeof(err));
}

static void load_ok(size_t len, const char *cmdline,
		    const struct guest_module *mods, unsigned int nmods)
{
	if (load(len, cmdline, mods, nmods))
		fail_msg("load failed: %s", err);
	assert_string_equal(err, "");
}

/* The load fails with exactly 'msg' and guest memory is untouched. */
static void load_fails(size_t len, const struct guest_module *mods,
		       unsigned int nmods, const char *msg)
{
	memset(mem.base, RAM_FILL, mem.size);
	int rc = load(len, "x", mods, nmods);
	if (rc == 0)
		fail_msg("load succeeded, expected: %s", msg);
	assert_int_equal(rc, -1);
	assert_string_equal(err, msg);
	assert_true(untouched(0, mem.size));
}

static bool disjoint(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a1 <= b0 || b1 <= a0 || a0 == a1 || b0 == b1;
}

/* Everything placed lies in RAM below 4 GiB, outside the legacy area,
 * and nothing overlaps anything else; the MBI agrees with 'res'. */
static void check_layout(unsigned int nmods)
{
	uint64_t r[2 + MB1_MAX_MODULES][2];
	unsigned int n = 0;

	r[n][0] = res.kernel_start;
	r[n++][1] = res.kernel_end;
	r[n][0] = res.info_start;
	r[n++][1] = res.info_end;
	assert_int_equal(res.nmods, nmods);
	for (unsigned int i = 0; i < nmods; i++) {
		r[n][0] = res.mods[i].start;
		r[n++][1] = res.mods[i].end;
		assert_int_equal(res.mods[i].start % 4096, 0);
	}
	for (unsigned int i = 0; i < n; i++) {
		assert_true(r[i][0] <= r[i][1]);
		assert_true(r[i][1] <= mem.size);
		assert_true(r[i][1] <= 4 * GiB);
		/* (The kernel's span may cross it, its segments do not.) */
		if (i > 0)
			assert_true(disjoint(r[i][0], r[i][1], 0x9fc00,
					     0x100000));
		for (unsigned int j = 0; j < i; j++)
			if (!disjoint(r[i][0], r[i][1], r[j][0], r[j][1]))
				fail_msg("ranges %u [0x%llx-0x%llx) and %u "
					 "[0x%llx-0x%llx) overlap", j,
					 (unsigned long long)r[j][0],
					 (unsigned long long)r[j][1], i,
					 (unsigned long long)r[i][0],
					 (unsigned long long)r[i][1]);
	}
	assert_true(res.info_start >= 0x1000);
	assert_int_equal(res.mbi_gpa, res.info_start);
	assert_int_equal(res.mbi_gpa % 4096, 0);

	/* The MBI's pointers lie inside the info block. */
	uint64_t m = res.mbi_gpa;
	assert_int_equal(g32(m), 0x24d);
	uint64_t ptrs[] = { g32(m + 16), g32(m + 24), g32(m + 48),
			    g32(m + 64) };
	for (size_t i = 0; i < 4; i++)
		assert_true(ptrs[i] >= res.info_start &&
			    ptrs[i] < res.info_end);
	assert_int_equal(g32(m + 20), nmods);
	for (unsigned int i = 0; i < nmods; i++) {
		uint64_t e = g32(m + 24) + 16 * i;
		assert_int_equal(g32(e), res.mods[i].start);
		assert_int_equal(g32(e + 4), res.mods[i].end);
		assert_true(g32(e + 8) >= res.info_start &&
			    g32(e + 8) < res.info_end);
		assert_int_equal(g32(e + 12), 0);
	}
}

static void check_mmap(uint64_t ram_size)
{
	static const struct { uint64_t base, len; uint32_t type; } want[] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 },
		{ 0xe8000, 0x18000, 2 }, { 0x100000, 0, 1 },
	};
	uint64_t m = res.mbi_gpa;
	uint64_t p = g32(m + 48), end = p + g32(m + 44);
	unsigned int n = 0;

	assert_int_equal(g32(m + 44), 96);
	for (; p < end; p += g32(p) + 4, n++) {
		assert_true(n < 4);
		assert_int_equal(g32(p), 20);
		assert_true(g64(p + 4) == want[n].base);
		assert_true(g64(p + 12) == (want[n].len ? want[n].len :
					    ram_size - 0x100000));
		assert_int_equal(g32(p + 20), want[n].type);
	}
	assert_int_equal(n, 4);
}

/* --- valid kernels -------------------------------------------------------- */

static void test_one_segment(void **state)
{
	size_t len = std_image();

	load_ok(len, "console=ttyS0 x=1", NULL, 0);
	assert_int_equal(res.entry, 0x100010);
	assert_true(res.kernel_start == 0x100000);
	assert_true(res.kernel_end == 0x105000);
	assert_int_equal(res.header_flags, 3);
	assert_int_equal(res.header_offset, MB_OFF);
	assert_false(res.aout_kludge);
	assert_null(res.note);
	/* Text copied from file offset 0x1000, bss zeroed. */
	for (uint64_t i = 0; i < 0x2000; i++)
		assert_int_equal(ram[0x100000 + i], pattern(0x1000 + i));
	for (uint64_t i = 0x2000; i < 0x5000; i++)
		assert_int_equal(ram[0x100000 + i], 0);
	assert_true(untouched(0, 0x100000));

	/* The MBI follows the kernel. */
	assert_int_equal(res.mbi_gpa, 0x105000);
	uint64_t m = res.mbi_gpa;
	assert_int_equal(g32(m + 0), 0x24d); /* bits 0, 2, 3, 6, 9 */
	assert_int_equal(g32(m + 4), 639);
	assert_int_equal(g32(m + 8), 15 * 1024);
	assert_int_equal(g32(m + 12), 0);
	assert_string_equal(gstr(g32(m + 16)), "console=ttyS0 x=1");
	assert_int_equal(g32(m + 20), 0);
	assert_string_equal(gstr(g32(m + 64)), "Tern");
	for (uint64_t o = 28; o < 44; o += 4)
		assert_int_equal(g32(m + o), 0); /* syms */
	for (uint64_t o = 52; o < 64; o += 4)
		assert_int_equal(g32(m + o), 0); /* drives, config table */
	for (uint64_t o = 68; o < 116; o += 4)
		assert_int_equal(g32(m + o), 0); /* apm, vbe, framebuffer */
	check_mmap(16 * MiB);
	check_layout(0);
	/* Nothing written past the info block. */
	assert_true(untouched(res.info_end, mem.size - res.info_end));
}

static void test_two_segments(void **state)
{
	const struct phdr ph[] = {
		{ 4, 0x100, 0, 0, 0x10, 0x10 },                     /* NOTE */
		{ 1, 0x1000, 0x100000, 0x100000, 0x1800, 0x1800 },  /* text */
		{ 1, 0x0, 0x300000, 0x300000, 0, 0 },               /* empty */
		{ 1, 0x3000, 0x200000, 0x200000, 0x100, 0x8000 },   /* data */
	};
	size_t len = make_elf(img, sizeof(img), ph, 4, 0x100000, 0x2);

	load_ok(len, NULL, NULL, 0);
	assert_int_equal(res.entry, 0x100000);
	assert_true(res.kernel_start == 0x100000);
	assert_true(res.kernel_end == 0x208000);
	for (uint64_t i = 0; i < 0x1800; i++)
		assert_int_equal(ram[0x100000 + i], pattern(0x1000 + i));
	for (uint64_t i = 0; i < 0x100; i++)
		assert_int_equal(ram[0x200000 + i], pattern(0x3000 + i));
	for (uint64_t i = 0x100; i < 0x8000; i++)
		assert_int_equal(ram[0x200000 + i], 0);
	/* The gap between the segments is not written. */
	assert_true(untouched(0x101800, 0x200000 - 0x101800));
	assert_int_equal(res.mbi_gpa, 0x208000);
	/* No cmdline: the flag is still set, the string is empty. */
	assert_string_equal(gstr(g32(res.mbi_gpa + 16)), "");
	check_layout(0);
}

static void test_higher_half_entry(void **state)
{
	const struct phdr ph[] = {
		{ 1, 0x1000, 0xc0100000, 0x100000, 0x1000, 0x1000 },
	};
	size_t len = make_elf(img, sizeof(img), ph, 1, 0xc0100040, 0);

	load_ok(len, "", NULL, 0);
	assert_int_equal(res.entry, 0x100040);
	/* An entry given as the physical address works too. */
	make_elf(img, sizeof(img), ph, 1, 0x100080, 0);
	load_ok(len, "", NULL, 0);
	assert_int_equal(res.entry, 0x100080);
	check_layout(0);
}

static void test_modules(void **state)
{
	static uint8_t m0[0x1234], m2[0x3000];
	for (size_t i = 0; i < sizeof(m0); i++)
		m0[i] = (uint8_t)(i ^ 0x5a);
	for (size_t i = 0; i < sizeof(m2); i++)
		m2[i] = (uint8_t)(i * 3);
	const struct guest_module mods[] = {
		{ m0, sizeof(m0), "/boot/initrd.img root=x" },
		{ NULL, 0, NULL },
		{ m2, sizeof(m2), "data" },
	};
	for (int flags = 0; flags < 4; flags++) {
		size_t len = make_elf(img, sizeof(img), one_seg, 1, 0x100000,
				      (uint32_t)flags);
		memset(ram, RAM_FILL, mem.size);
		load_ok(len, "k", mods, 3);
		check_layout(3);
		check_mmap(16 * MiB);
		/* Info block at the kernel's end, then the modules in order,
		 * each on its own page. */
		assert_int_equal(res.mbi_gpa, 0x105000);
		assert_int_equal(res.mods[0].start, 0x106000);
		assert_int_equal(res.mods[0].end, 0x106000 + 0x1234);
		assert_int_equal(res.mods[1].start, 0x108000);
		assert_int_equal(res.mods[1].end, 0x108000);
		assert_int_equal(res.mods[2].start, 0x108000);
		assert_int_equal(res.mods[2].end, 0x10b000);
		assert_memory_equal(ram + res.mods[0].start, m0, sizeof(m0));
		assert_memory_equal(ram + res.mods[2].start, m2, sizeof(m2));
		uint64_t e = g32(res.mbi_gpa + 24);
		assert_int_equal(e, res.mbi_gpa + 120 + 96);
		assert_string_equal(gstr(g32(e + 8)),
				    "/boot/initrd.img root=x");
		assert_string_equal(gstr(g32(e + 16 + 8)), "");
		assert_string_equal(gstr(g32(e + 32 + 8)), "data");
		assert_string_equal(gstr(g32(res.mbi_gpa + 16)), "k");
		assert_string_equal(gstr(g32(res.mbi_gpa + 64)), "Tern");
		assert_true(untouched(0x10b000, mem.size - 0x10b000));
	}

	/* The most modules. */
	struct guest_module many[MB1_MAX_MODULES];
	for (int i = 0; i < MB1_MAX_MODULES; i++) {
		many[i].data = m0;
		many[i].len = 1 + (uint64_t)i * 100;
		many[i].cmdline = "m";
	}
	load_ok(std_image(), "k", many, MB1_MAX_MODULES);
	check_layout(MB1_MAX_MODULES);
	for (int i = 0; i < MB1_MAX_MODULES; i++)
		assert_memory_equal(ram + res.mods[i].start, m0, many[i].len);
}

/* When memory above the kernel runs out, things go below it. */
static void test_placement_fallback(void **state)
{
	static uint8_t big[0x10000];
	struct guest_module mods[2] = {
		{ big, sizeof(big), "big" }, { big, 0x100, "small" },
	};

	/* 2 MiB of RAM, the kernel up to 2 MiB - 0x800: the info block and
	 * both modules go to low memory from 0x1000. */
	ram_alloc(2 * MiB);
	const struct phdr full[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x1000, 0xff800 },
	};
	size_t len = make_elf(img, sizeof(img), full, 1, 0x100000, 1);
	load_ok(len, "cmd", mods, 2);
	assert_int_equal(res.mbi_gpa, 0x1000);
	assert_int_equal(res.mods[0].start, 0x2000);
	assert_int_equal(res.mods[1].start, 0x12000);
	assert_int_equal(g32(res.mbi_gpa + 8), 1024);
	check_layout(2);
	check_mmap(2 * MiB);

	/* Kernel at 12 MiB in 16 MiB: a 7.5 MiB module does not fit above it
	 * and goes to 1 MiB; the info block stays above the kernel. */
	ram_alloc(16 * MiB);
	static uint8_t *huge;
	huge = calloc(1, 0x780000);
	const struct phdr high[] = {
		{ 1, 0x1000, 0xc00000, 0xc00000, 0x1000, 0x80000 },
	};
	mods[0].data = huge;
	mods[0].len = 0x780000;
	len = make_elf(img, sizeof(img), high, 1, 0xc00000, 1);
	load_ok(len, "cmd", mods, 2);
	assert_int_equal(res.mbi_gpa, 0xc80000);
	assert_int_equal(res.mods[0].start, 0x100000);
	assert_int_equal(res.mods[1].start, 0xc81000);
	check_layout(2);

	/* 12 MiB fits neither above (3.5 MiB) nor below (11 MiB). */
	mods[0].len = 0xc00000;
	huge = realloc(huge, 0xc00000);
	mods[0].data = huge;
	load_fails(len, mods, 2, "guest RAM too small (16 MiB): kernel ends at "
		   "0xc80000, module 0 (0xc00000 bytes) does not fit; boot "
		   "information and modules need 0xc01100 bytes");
	free(huge);

	/* RAM too small for the modules after a kernel at 1 MiB. */
	ram_alloc(2 * MiB);
	len = std_image();
	mods[0].data = big;
	mods[0].len = sizeof(big);
	static uint8_t *m1;
	m1 = calloc(1, 0x100000);
	mods[1].data = m1;
	mods[1].len = 0x100000;
	load_fails(len, mods, 2, "guest RAM too small (2 MiB): kernel ends at "
		   "0x105000, module 1 (0x100000 bytes) does not fit; boot "
		   "information and modules need 0x111000 bytes");
	free(m1);

	/* A kernel in low memory: the info block goes to the last low page
	 * above it, a module that does not fit there to 1 MiB. */
	const struct phdr lowk[] = {
		{ 1, 0x1000, 0x1000, 0x1000, 0x1000, 0x9e000 },
	};
	const struct guest_module small = { big, 0x100, "small" };
	len = make_elf(img, sizeof(img), lowk, 1, 0x1000, 0);
	load_ok(len, "x", &small, 1);
	assert_int_equal(res.mbi_gpa, 0x9f000);
	assert_int_equal(res.mods[0].start, 0x100000);
	check_layout(1);

	/* The kernel's span covers all free memory: not even the info block
	 * fits (memory between segments is never used). */
	const struct phdr all[] = {
		{ 1, 0x1000, 0x1000, 0x1000, 0x1000, 0x1000 },
		{ 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x100000 },
	};
	len = make_elf(img, sizeof(img), all, 2, 0x100000, 0);
	load_fails(len, NULL, 0, "guest RAM too small (2 MiB): kernel ends at "
		   "0x200000, the boot information needs 0xdf bytes and does "
		   "not fit");
	ram_alloc(16 * MiB);
}

/* RAM above 4 GiB: 32-bit things stay below 4 GiB, the map shows it all. */
static void test_ram_above_4g(void **state)
{
	uint64_t size = 5 * GiB;
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		print_message("skipped: cannot map 5 GiB\n");
		return;
	}
	struct guest_mem_view saved = mem;
	mem.base = p;
	mem.size = size;

	/* The kernel ends 2 KiB below 4 GiB: everything else goes low. */
	const struct phdr top[] = {
		{ 1, 0x1000, 0xfff00000, 0xfff00000, 0x1000, 0xff800 },
	};
	static uint8_t m0[100];
	const struct guest_module mods[] = { { m0, sizeof(m0), "m" } };
	size_t len = make_elf(img, sizeof(img), top, 1, 0xfff00000, 0);
	if (load(len, "x", mods, 1))
		fail_msg("%s", err);
	assert_int_equal(res.mbi_gpa, 0x1000);
	assert_int_equal(res.mods[0].start, 0x2000);
	assert_int_equal(g32(res.mbi_gpa + 8), (4 * GiB - MiB) / KiB);
	check_mmap(size);
	check_layout(1);

	/* A segment ending past 4 GiB is refused even with RAM there. */
	const struct phdr over[] = {
		{ 1, 0x1000, 0xfffff000, 0xfffff000, 0x1000, 0x2000 },
	};
	len = make_elf(img, sizeof(img), over, 1, 0xfffff000, 0);
	assert_int_equal(load(len, "x", NULL, 0), -1);
	assert_string_equal(err, "segment 0 [0xfffff000-0x100001000) extends "
			    "beyond 4 GiB");
	munmap(p, size);
	mem = saved;
}

static void test_video_note_and_flags(void **state)
{
	size_t len = make_elf(img, sizeof(img), one_seg, 1, 0x100000, 0x7);
	load_ok(len, "", NULL, 0);
	assert_non_null(res.note);
	assert_string_equal(res.note, "the kernel asks for a video mode "
			    "(multiboot flag bit 2); ignored, no framebuffer "
			    "is provided");
	/* Bits 17-31 are optional and ignored. */
	len = make_elf(img, sizeof(img), one_seg, 1, 0x100000, 0xfffe0003);
	load_ok(len, "", NULL, 0);
	assert_null(res.note);
	assert_int_equal(res.header_flags, 0xfffe0003);

	len = make_elf(img, sizeof(img), one_seg, 1, 0x100000, 0x8);
	load_fails(len, NULL, 0, "unsupported required multiboot flag bit 3 "
		   "(header flags 0x8)");
	len = make_elf(img, sizeof(img), one_seg, 1, 0x100000, 0x8003);
	load_fails(len, NULL, 0, "unsupported required multiboot flag bit 15 "
		   "(header flags 0x8003)");
	len = make_elf(img, sizeof(img), one_seg, 1, 0x100000, 0x1010);
	load_fails(len, NULL, 0, "unsupported required multiboot flag bit 4 "
		   "(header flags 0x1010)");
}

/* --- the multiboot header search ------------------------------------------ */

static void test_header_search(void **state)
{
	size_t len = std_image();

	/* No header at all. */
	memset(img + MB_OFF, 0, 12);
	load_fails(len, NULL, 0, "no multiboot header in the first 8 KiB");
	/* Unaligned: not found. */
	put_mb_header(img, MB_OFF + 2, 0);
	load_fails(len, NULL, 0, "no multiboot header in the first 8 KiB");
	/* At the last possible place, 8192 - 12. */
	size_t big = 0x3000;
	memset(img + MB_OFF, 0, 16);
	for (size_t i = 0x1000; i < big; i++)
		img[i] = pattern(i);
	put_mb_header(img, 8192 - 12, 0);
	load_ok(big, "", NULL, 0);
	assert_int_equal(res.header_offset, 8192 - 12);
	/* One step further is too far. */
	memset(img + 8192 - 12, 0, 12);
	put_mb_header(img, 8192 - 8, 0);
	load_fails(big, NULL, 0, "no multiboot header in the first 8 KiB");
	memset(img + 8192 - 8, 0, 12);

	/* Bad checksum; a later good header is still found. */
	len = std_image();
	put32(img + MB_OFF + 8, 0);
	load_fails(len, NULL, 0, "multiboot header at offset 0x100 has a bad "
		   "checksum: magic + flags + checksum = 0x1badb005, must "
		   "be 0");
	put_mb_header(img, MB_OFF + 12, 3);
	load_ok(len, "", NULL, 0);
	assert_int_equal(res.header_offset, MB_OFF + 12);

	/* Header too close to the end of a short file. */
	len = std_image();
	load_fails(MB_OFF + 11, NULL, 0,
		   "no multiboot header in the first 8 KiB");
}

/* --- ELF rejections ------------------------------------------------------- */

static void test_elf_errors(void **state)
{
	size_t len;

	len = std_image();
	img[0] = 0x7e;
	load_fails(len, NULL, 0, "not an ELF file and no multiboot a.out "
		   "address fields (header flag bit 16 clear)");

	len = std_image();
	img[4] = 2;
	load_fails(len, NULL, 0, "ELF64 image: a multiboot 1 kernel must be "
		   "ELF32 (or use the a.out address fields, header flag bit "
		   "16)");
	img[4] = 0;
	load_fails(len, NULL, 0, "bad ELF class 0 (expected 1, ELFCLASS32)");

	len = std_image();
	img[5] = 2;
	load_fails(len, NULL, 0, "ELF data encoding 2 is not little-endian "
		   "(expected 1, ELFDATA2LSB)");
	len = std_image();
	img[6] = 0;
	load_fails(len, NULL, 0, "ELF version 0 is not EV_CURRENT (1)");
	len = std_image();
	put16(img + 16, 3);
	load_fails(len, NULL, 0, "ELF type 3 is not an executable (expected 2, "
		   "ET_EXEC)");
	len = std_image();
	put16(img + 18, 62);
	load_fails(len, NULL, 0, "ELF machine 62 is not i386 (expected 3, "
		   "EM_386)");
	len = std_image();
	put16(img + 42, 56);
	load_fails(len, NULL, 0, "ELF program header size 56, expected 32");
	len = std_image();
	put16(img + 44, 0);
	load_fails(len, NULL, 0, "ELF image has no program headers");
	len = std_image();
	put32(img + 28, 0x2ff0);
	load_fails(len, NULL, 0, "ELF image truncated: program headers at "
		   "0x2ff0+0x20 exceed file size 0x3000");
	len = std_image();
	put32(img + 28, 0xffffffff);
	put16(img + 44, 0xffff);
	load_fails(len, NULL, 0, "ELF image truncated: program headers at "
		   "0xffffffff+0x1fffe0 exceed file size 0x3000");

	/* ELF header cut short (multiboot header moved inside it). */
	len = std_image();
	put_mb_header(img, 0x20, 0);
	load_fails(0x30, NULL, 0, "ELF image truncated: the ELF header needs "
		   "0x34 bytes, file size 0x30");
}

static void test_segment_errors(void **state)
{
	size_t len;

	const struct phdr beyond[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
		{ 1, 0x2000, 0x100000, 0x100000, 0x1000, 0x1080000 },
	};
	len = make_elf(img, sizeof(img), beyond, 2, 0x100000, 0);
	load_fails(len, NULL, 0, "segment 1 [0x100000-0x1180000) lies beyond "
		   "guest RAM (16 MiB)");

	const struct phdr at_end[] = {
		{ 1, 0x1000, 0xfff000, 0xfff000, 0x1000, 0x1000 },
	};
	len = make_elf(img, sizeof(img), at_end, 1, 0xfff000, 0);
	load_ok(len, "", NULL, 0); /* ends exactly at the end of RAM */
	check_layout(0);
	assert_int_equal(res.mbi_gpa, 0x1000); /* below the kernel, low first */

	const struct phdr overlap[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x3000 },
		{ 1, 0x2000, 0x102000, 0x102fff, 0x1000, 0x1000 },
	};
	len = make_elf(img, sizeof(img), overlap, 2, 0x100000, 0);
	load_fails(len, NULL, 0, "segment 0 [0x100000-0x103000) and segment 1 "
		   "[0x102fff-0x103fff) overlap");

	const struct phdr vga[] = {
		{ 1, 0x1000, 0xb8000, 0xb8000, 0x1000, 0x1000 },
	};
	len = make_elf(img, sizeof(img), vga, 1, 0xb8000, 0);
	load_fails(len, NULL, 0, "segment 0 [0xb8000-0xb9000) overlaps "
		   "[0x9fc00-0x100000) (EBDA, VGA and BIOS area), which is not "
		   "RAM for the guest");
	const struct phdr low_edge[] = {
		{ 1, 0x1000, 0x9f000, 0x9f000, 0x800, 0xc01 },
	};
	len = make_elf(img, sizeof(img), low_edge, 1, 0x9f000, 0);
	load_fails(len, NULL, 0, "segment 0 [0x9f000-0x9fc01) overlaps "
		   "[0x9fc00-0x100000) (EBDA, VGA and BIOS area), which is not "
		   "RAM for the guest");
	/* A low kernel right up to the EBDA is fine. */
	const struct phdr low[] = {
		{ 1, 0x1000, 0x10000, 0x10000, 0x1000, 0x8fc00 },
	};
	len = make_elf(img, sizeof(img), low, 1, 0x10000, 0);
	load_ok(len, "", NULL, 0);
	assert_int_equal(res.mbi_gpa, 0x100000);
	check_layout(0);

	const struct phdr filesz[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x1001, 0x1000 },
	};
	len = make_elf(img, sizeof(img), filesz, 1, 0x100000, 0);
	load_fails(len, NULL, 0, "segment 0: file size 0x1001 exceeds memory "
		   "size 0x1000");

	const struct phdr data_beyond[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
		{ 1, 0x1000, 0x200000, 0x200000, 0x1000, 0x1000 },
	};
	len = make_elf(img, sizeof(img), data_beyond, 2, 0x100000, 0);
	put32(img + 0x34 + 32 + 4, 0x1800);
	load_fails(len, NULL, 0, "ELF image truncated: segment 1 data at "
		   "0x1800+0x1000 exceeds file size 0x2000");
	put32(img + 0x34 + 32 + 4, 0xfffff000);
	load_fails(len, NULL, 0, "ELF image truncated: segment 1 data at "
		   "0xfffff000+0x1000 exceeds file size 0x2000");

	const struct phdr none[] = {
		{ 4, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
		{ 1, 0x1000, 0x100000, 0x100000, 0, 0 },
	};
	len = make_elf(img, sizeof(img), none, 2, 0x100000, 0);
	load_fails(len, NULL, 0, "ELF image has no loadable segments");

	len = make_elf(img, sizeof(img), one_seg, 1, 0x105000, 0);
	load_fails(len, NULL, 0, "entry point 0x105000 is not inside a loaded "
		   "segment");
	len = make_elf(img, sizeof(img), one_seg, 1, 0xfffff, 0);
	load_fails(len, NULL, 0, "entry point 0xfffff is not inside a loaded "
		   "segment");

	struct phdr many[6];
	for (int i = 0; i < 6; i++)
		many[i] = (struct phdr){ 1, 0x1000, 0x100000 + i * 0x1000,
					 0x100000 + i * 0x1000, 0x10, 0x10 };
	len = make_elf(img, sizeof(img), many, 6, 0x100000, 0);
	load_ok(len, "", NULL, 0);
	assert_true(res.kernel_end == 0x105010);
	assert_int_equal(res.mbi_gpa, 0x106000);
	check_layout(0);
}

static void test_argument_errors(void **state)
{
	size_t len = std_image();
	struct guest_module mods[MB1_MAX_MODULES + 1];
	uint8_t byte = 1;

	for (unsigned int i = 0; i <= MB1_MAX_MODULES; i++)
		mods[i] = (struct guest_module){ &byte, 1, "" };
	load_fails(len, mods, MB1_MAX_MODULES + 1,
		   "too many modules: 17 (maximum 16)");
	mods[1].len = 4 * GiB;
	load_fails(len, mods, 2, "module 1 is 0x100000000 bytes, too large for "
		   "multiboot's 32-bit addresses");
	mods[1].len = 5;
	mods[1].data = NULL;
	load_fails(len, mods, 2, "module 1 has no data");

	ram_alloc(2 * MiB - 4096);
	load_fails(len, NULL, 0, "guest RAM too small: 2044 KiB, a multiboot "
		   "guest needs at least 2 MiB");
	ram_alloc(16 * MiB);

	struct guest_mem_view none = { NULL, 16 * MiB };
	assert_int_equal(mb1_load(img, len, "", NULL, 0, &none, &res, err,
				  sizeof(err)), -1);
	assert_string_equal(err, "no guest memory");
	assert_int_equal(mb1_load(img, len, "", NULL, 0, NULL, &res, NULL, 0),
			 -1);
	/* No image. */
	assert_int_equal(mb1_load(NULL, 100, "", NULL, 0, &mem, &res, err,
				  sizeof(err)), -1);
	assert_string_equal(err, "no multiboot header in the first 8 KiB");
	/* Small message buffers. */
	char small[9];
	memset(img + MB_OFF, 0, 12);
	assert_int_equal(mb1_load(img, len, "", NULL, 0, &mem, &res, small,
				  sizeof(small)), -1);
	assert_string_equal(small, "no multi");
}

/* --- a.out kludge --------------------------------------------------------- */

/* A flat binary loaded at 1 MiB: header at 0x40, file 0x2000 bytes. */
static size_t make_aout(uint32_t header_addr, uint32_t load_addr,
			uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	size_t len = 0x2000;
	for (size_t i = 0; i < len; i++)
		img[i] = pattern(i);
	put_mb_header(img, 0x40, MB1_HF_AOUT_KLUDGE | 1);
	put32(img + 0x40 + 12, header_addr);
	put32(img + 0x40 + 16, load_addr);
	put32(img + 0x40 + 20, load_end);
	put32(img + 0x40 + 24, bss_end);
	put32(img + 0x40 + 28, entry);
	return len;
}

static void test_aout(void **state)
{
	size_t len;

	/* Whole file at 1 MiB, bss to 0x110000. */
	len = make_aout(0x100040, 0x100000, 0, 0x110000, 0x100080);
	load_ok(len, "a", NULL, 0);
	assert_true(res.aout_kludge);
	assert_int_equal(res.entry, 0x100080);
	assert_true(res.kernel_start == 0x100000);
	assert_true(res.kernel_end == 0x110000);
	assert_memory_equal(ram + 0x100000, img, len);
	for (size_t i = len; i < 0x10000; i++)
		assert_int_equal(ram[0x100000 + i], 0);
	assert_int_equal(res.mbi_gpa, 0x110000);
	check_layout(0);

	/* Header 0x20 bytes into the loaded part: the file from 0x20 on is
	 * loaded; load_end limits it, no bss. */
	memset(ram, RAM_FILL, mem.size);
	len = make_aout(0x200020, 0x200000, 0x201000, 0, 0x200000);
	load_ok(len, "a", NULL, 0);
	assert_memory_equal(ram + 0x200000, img + 0x20, 0x1000);
	assert_true(res.kernel_end == 0x201000);
	assert_true(untouched(0, 0x200000));
	check_layout(0);

	/* An ELF file with bit 16: the address fields win (spec 3.1.3). */
	len = make_elf(img, sizeof(img), one_seg, 1, 0x100000,
		       MB1_HF_AOUT_KLUDGE);
	put32(img + MB_OFF + 12, 0x300000 + MB_OFF);
	put32(img + MB_OFF + 16, 0x300000);
	put32(img + MB_OFF + 20, 0);
	put32(img + MB_OFF + 24, 0);
	put32(img + MB_OFF + 28, 0x300000);
	load_ok(len, "", NULL, 0);
	assert_true(res.aout_kludge);
	assert_true(res.kernel_start == 0x300000);
	assert_true(res.kernel_end == 0x300000 + len);
	assert_memory_equal(ram + 0x300000, img, len);

	/* Errors. */
	len = make_aout(0x100000, 0x100040, 0, 0, 0x100040);
	load_fails(len, NULL, 0, "a.out kludge: header_addr 0x100000 is below "
		   "load_addr 0x100040");
	len = make_aout(0x100080, 0x100000, 0, 0, 0x100080);
	load_fails(len, NULL, 0, "a.out kludge: header_addr - load_addr = 0x80 "
		   "exceeds the header's file offset 0x40");
	len = make_aout(0x100040, 0x100000, 0x100000, 0, 0x100000);
	load_fails(len, NULL, 0, "a.out kludge: load_end_addr 0x100000 is not "
		   "above load_addr 0x100000");
	len = make_aout(0x100040, 0x100000, 0x102001, 0, 0x100000);
	load_fails(len, NULL, 0, "a.out kludge: [load_addr, load_end_addr) "
		   "needs 0x2001 bytes from file offset 0x0, but the file has "
		   "0x2000 bytes");
	len = make_aout(0x100040, 0x100000, 0x101000, 0x100fff, 0x100000);
	load_fails(len, NULL, 0, "a.out kludge: bss_end_addr 0x100fff is below "
		   "the end of the loaded data 0x101000");
	len = make_aout(0x100040, 0x100000, 0, 0, 0x102000);
	load_fails(len, NULL, 0, "entry point 0x102000 is not inside a loaded "
		   "segment (a.out image [0x100000-0x102000))");
	len = make_aout(0x100040, 0x100000, 0, 0x2000000, 0x100000);
	load_fails(len, NULL, 0, "a.out image [0x100000-0x2000000) lies beyond "
		   "guest RAM (16 MiB)");
	len = make_aout(0xa0040, 0xa0000, 0, 0, 0xa0000);
	load_fails(len, NULL, 0, "a.out image [0xa0000-0xa2000) overlaps "
		   "[0x9fc00-0x100000) (EBDA, VGA and BIOS area), which is not "
		   "RAM for the guest");
	len = make_aout(0x100040, 0x100000, 0, 0, 0x100000);
	load_fails(0x40 + 31, NULL, 0, "multiboot header at offset 0x40: flag "
		   "bit 16 is set but the address fields end at 0x60, past the "
		   "end of the file (0x5f bytes)");
	/* Exactly the header: 0x60 bytes loaded. */
	load_ok(0x60, "", NULL, 0);
	assert_true(res.kernel_end == 0x100060);
}

/* --- robustness ----------------------------------------------------------- */

/* Every prefix of a valid image, in a buffer of exactly that size: the
 * sanitizers catch any read past the end. */
static void truncate_all(const uint8_t *src, size_t full)
{
	for (size_t n = 0; n <= full; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, src, n);
		int rc = mb1_load(copy, n, "c", NULL, 0, &mem, &res, err,
				  sizeof(err));
		assert_true(rc == 0 || rc == -1);
		if (rc)
			assert_true(strlen(err) > 0);
		else
			check_layout(0);
		free(copy);
	}
}

static void test_truncation(void **state)
{
	const struct phdr ph[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x800, 0x1000 },
		{ 1, 0x1800, 0x200000, 0x200000, 0x100, 0x800 },
	};
	ram_alloc(4 * MiB);
	size_t len = make_elf(img, sizeof(img), ph, 2, 0x100000, 3);
	assert_int_equal(len, 0x1900);
	truncate_all(img, len);
	/* Only the full image loads. */
	assert_int_equal(load(len - 1, "", NULL, 0), -1);
	assert_string_equal(err, "ELF image truncated: segment 1 data at "
			    "0x1800+0x100 exceeds file size 0x18ff");

	len = make_aout(0x100040, 0x100000, 0x101000, 0x103000, 0x100000);
	truncate_all(img, len);
	ram_alloc(16 * MiB);
}

/* Random corruption of the headers never crashes the loader, and whatever
 * it accepts is laid out consistently. */
static void test_corruption(void **state)
{
	const struct phdr ph[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x800, 0x1000 },
		{ 1, 0x1800, 0x180000, 0x180000, 0x100, 0x800 },
		{ 4, 0x1900, 0, 0, 0x10, 0x10 },
	};
	static uint8_t good[0x1a00];
	static const uint8_t mod[16];
	const struct guest_module mods[] = { { mod, sizeof(mod), "m" } };
	size_t len = make_elf(img, sizeof(img), ph, 3, 0x100000, 3);
	unsigned int seed = 12345, accepted = 0;

	ram_alloc(2 * MiB);
	memcpy(good, img, len);
	for (int iter = 0; iter < 4000; iter++) {
		uint8_t *copy = malloc(len);
		memcpy(copy, good, len);
		seed = seed * 1103515245 + 12345;
		int flips = 1 + (int)(seed >> 16) % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % (MB_OFF + 12);
			seed = seed * 1103515245 + 12345;
			copy[at] = (uint8_t)(seed >> 16);
		}
		int rc = mb1_load(copy, len, "c", mods, 1, &mem, &res, err,
				  sizeof(err));
		assert_true(rc == 0 || rc == -1);
		if (rc == 0) {
			check_layout(1);
			accepted++;
		} else {
			assert_true(strlen(err) > 0);
		}
		free(copy);
	}
	assert_true(accepted > 0);
	ram_alloc(16 * MiB);
}

/* --- the real guests ------------------------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_real_guests(void **state)
{
	static const char *const names[] = {
		"build/guest/hello.elf", "build/guest/bad.elf",
		"build/guest/drtest.elf",
	};
	int loaded = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len;
		uint8_t *buf = read_file(names[i], &len);
		if (!buf)
			continue;
		memset(ram, RAM_FILL, mem.size);
		if (mb1_load(buf, len, "test=1", NULL, 0, &mem, &res, err,
			     sizeof(err)))
			fail_msg("%s: %s", names[i], err);
		uint32_t e_entry;
		memcpy(&e_entry, buf + 24, 4);
		assert_int_equal(res.entry, e_entry);
		assert_true(res.kernel_start == 0x100000);
		assert_false(res.aout_kludge);
		check_layout(0);
		check_mmap(16 * MiB);
		assert_string_equal(gstr(g32(res.mbi_gpa + 16)), "test=1");
		free(buf);
		loaded++;
	}
	if (!loaded)
		print_message("skipped: no guest kernels (make guests)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_one_segment, setup),
		cmocka_unit_test_setup(test_two_segments, setup),
		cmocka_unit_test_setup(test_higher_half_entry, setup),
		cmocka_unit_test_setup(test_modules, setup),
		cmocka_unit_test_setup(test_placement_fallback, setup),
		cmocka_unit_test_setup(test_ram_above_4g, setup),
		cmocka_unit_test_setup(test_video_note_and_flags, setup),
		cmocka_unit_test_setup(test_header_search, setup),
		cmocka_unit_test_setup(test_elf_errors, setup),
		cmocka_unit_test_setup(test_segment_errors, setup),
		cmocka_unit_test_setup(test_argument_errors, setup),
		cmocka_unit_test_setup(test_aout, setup),
		cmocka_unit_test_setup(test_truncation, setup),
		cmocka_unit_test_setup(test_corruption, setup),
		cmocka_unit_test_setup(test_real_guests, setup),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
