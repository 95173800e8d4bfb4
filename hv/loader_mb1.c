/* Multiboot 1 kernel loader. Works in three steps: validate the image into a
 * list of segments (ELF program headers or the header's a.out address
 * fields), place the boot information and the modules around the kernel,
 * and only then write guest memory. Every read of the image is checked
 * against its length first; all arithmetic on guest addresses is 64-bit,
 * so 32-bit fields cannot wrap. Fields are read with memcpy(): the image
 * has no alignment guarantee.
 */
#include "hv/loader_mb1.h"
#include "hv/fmt.h"
#include "hv/lib.h"

#define EBDA_START 0x9fc00ULL   /* end of low RAM, as mem_lower = 639 says */
#define HOLE_START 0xa0000ULL   /* VGA memory; not in the memory map */
#define BIOS_START 0xe8000ULL   /* reserved up to 1 MiB */
#define HIGH_START 0x100000ULL
#define LOW_FREE_START 0x1000ULL /* keep page 0 (and NULL) free */
#define FOUR_GIB (4 * GiB)
#define MIN_RAM (2 * MiB)

#define MAX_SEGMENTS 16

/* ELF32 (System V ABI, i386 supplement). */
#define EHDR_SIZE 52
#define PHDR_SIZE 32
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1

struct segment {
	unsigned int index; /* program header number, for messages */
	uint64_t offset;    /* in the file */
	uint64_t filesz;
	uint64_t paddr;
	uint64_t vaddr;
	uint64_t memsz;
};

struct loader {
	const uint8_t *img;
	uint64_t len;
	uint64_t ram;       /* guest RAM size */
	uint64_t top;       /* min(RAM, 4 GiB): where 32-bit things must end */
	char *err;
	size_t errlen;
	bool aout;
	struct segment seg[MAX_SEGMENTS];
	unsigned int nseg;
	uint32_t entry;
	uint64_t kstart, kend;
};

/* Free guest memory for the boot information and modules. */
struct area {
	uint64_t next, end;
};

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static int __printf(2, 3) fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->err && l->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "16 MiB", "640 KiB" or "0x1234 bytes", into a caller's buffer. */
static const char *size_str(char *buf, size_t len, uint64_t v)
{
	if (v && v % MiB == 0)
		fmt_snprintf(buf, len, "%llu MiB",
			     (unsigned long long)(v / MiB));
	else if (v && v % KiB == 0)
		fmt_snprintf(buf, len, "%llu KiB",
			     (unsigned long long)(v / KiB));
	else
		fmt_snprintf(buf, len, "0x%llx bytes", (unsigned long long)v);
	return buf;
}

/* "segment 1 [0x100000-0x180000)" or "a.out image [...)" */
static const char *seg_str(const struct loader *l, const struct segment *s,
			   char *buf, size_t len)
{
	if (l->aout)
		fmt_snprintf(buf, len, "a.out image [0x%llx-0x%llx)",
			     (unsigned long long)s->paddr,
			     (unsigned long long)(s->paddr + s->memsz));
	else
		fmt_snprintf(buf, len, "segment %u [0x%llx-0x%llx)", s->index,
			     (unsigned long long)s->paddr,
			     (unsigned long long)(s->paddr + s->memsz));
	return buf;
}

/* ---- the multiboot header ------------------------------------------------ */

/* Finds the header (spec 3.1.1); returns its offset or -1. */
static int64_t find_header(struct loader *l)
{
	uint64_t lim = MIN(l->len, (uint64_t)MB1_SEARCH_LEN);
	int64_t bad = -1;
	uint32_t bad_sum = 0;

	for (uint64_t off = 0; off + 12 <= lim; off += 4) {
		const uint8_t *h = l->img + off;
		if (rd32(h) != MB1_HEADER_MAGIC)
			continue;
		uint32_t sum = MB1_HEADER_MAGIC + rd32(h + 4) + rd32(h + 8);
		if (sum == 0)
			return (int64_t)off;
		if (bad < 0) {
			bad = (int64_t)off;
			bad_sum = sum;
		}
	}
	if (bad >= 0)
		return fail(l, "multiboot header at offset 0x%llx has a bad "
			    "checksum: magic + flags + checksum = 0x%x, must "
			    "be 0", (unsigned long long)bad, bad_sum);
	return fail(l, "no multiboot header in the first 8 KiB");
}

/* ---- ELF ----------------------------------------------------------------- */

static int add_segment(struct loader *l, const struct segment *s)
{
	if (l->nseg == MAX_SEGMENTS)
		return fail(l, "more than %u loadable segments", MAX_SEGMENTS);
	l->seg[l->nseg++] = *s;
	return 0;
}

static int load_elf_headers(struct loader *l)
{
	const uint8_t *e = l->img;

	if (l->len < 4 || e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' ||
	    e[3] != 'F')
		return fail(l, "not an ELF file and no multiboot a.out address "
			    "fields (header flag bit 16 clear)");
	if (l->len < EHDR_SIZE)
		return fail(l, "ELF image truncated: the ELF header needs 0x%x "
			    "bytes, file size 0x%llx", EHDR_SIZE,
			    (unsigned long long)l->len);
	if (e[4] == ELFCLASS64)
		return fail(l, "ELF64 image: a multiboot 1 kernel must be "
			    "ELF32 (or use the a.out address fields, header "
			    "flag bit 16)");
	if (e[4] != ELFCLASS32)
		return fail(l, "bad ELF class %u (expected 1, ELFCLASS32)",
			    e[4]);
	if (e[5] != ELFDATA2LSB)
		return fail(l, "ELF data encoding %u is not little-endian "
			    "(expected 1, ELFDATA2LSB)", e[5]);
	if (e[6] != EV_CURRENT)
		return fail(l, "ELF version %u is not EV_CURRENT (1)", e[6]);
	if (rd16(e + 16) != ET_EXEC)
		return fail(l, "ELF type %u is not an executable (expected 2, "
			    "ET_EXEC)", rd16(e + 16));
	if (rd16(e + 18) != EM_386)
		return fail(l, "ELF machine %u is not i386 (expected 3, "
			    "EM_386)", rd16(e + 18));

	uint32_t entry = rd32(e + 24);
	uint64_t phoff = rd32(e + 28);
	unsigned int phentsize = rd16(e + 42);
	unsigned int phnum = rd16(e + 44);

	if (phnum == 0)
		return fail(l, "ELF image has no program headers");
	if (phentsize != PHDR_SIZE)
		return fail(l, "ELF program header size %u, expected %u",
			    phentsize, PHDR_SIZE);
	if (phoff + (uint64_t)phnum * PHDR_SIZE > l->len)
		return fail(l, "ELF image truncated: program headers at "
			    "0x%llx+0x%x exceed file size 0x%llx",
			    (unsigned long long)phoff, phnum * PHDR_SIZE,
			    (unsigned long long)l->len);

	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * PHDR_SIZE;
		struct segment s = {
			.index = i,
			.offset = rd32(ph + 4),
			.vaddr = rd32(ph + 8),
			.paddr = rd32(ph + 12),
			.filesz = rd32(ph + 16),
			.memsz = rd32(ph + 20),
		};
		if (rd32(ph) != PT_LOAD)
			continue;
		if (s.filesz > s.memsz)
			return fail(l, "segment %u: file size 0x%llx exceeds "
				    "memory size 0x%llx", i,
				    (unsigned long long)s.filesz,
				    (unsigned long long)s.memsz);
		if (s.offset + s.filesz > l->len)
			return fail(l, "ELF image truncated: segment %u data "
				    "at 0x%llx+0x%llx exceeds file size 0x%llx",
				    i,
				    (unsigned long long)s.offset,
				    (unsigned long long)s.filesz,
				    (unsigned long long)l->len);
		if (s.memsz == 0)
			continue;
		if (add_segment(l, &s))
			return -1;
	}
	if (l->nseg == 0)
		return fail(l, "ELF image has no loadable segments");

	/* e_entry is virtual: translate it through its segment (GRUB does
	 * the same); an identity-mapped kernel needs no translation. */
	for (unsigned int i = 0; i < l->nseg; i++) {
		const struct segment *s = &l->seg[i];
		if (entry >= s->vaddr && entry < s->vaddr + s->memsz) {
			l->entry = (uint32_t)(s->paddr + (entry - s->vaddr));
			return 0;
		}
	}
	for (unsigned int i = 0; i < l->nseg; i++) {
		const struct segment *s = &l->seg[i];
		if (entry >= s->paddr && entry < s->paddr + s->memsz) {
			l->entry = entry;
			return 0;
		}
	}
	return fail(l, "entry point 0x%x is not inside a loaded segment",
		    entry);
}

/* ---- a.out kludge (spec 3.1.3, header flag bit 16) ----------------------- */

static int load_aout_headers(struct loader *l, uint64_t hoff)
{
	if (hoff + 32 > l->len)
		return fail(l, "multiboot header at offset 0x%llx: flag bit 16 "
			    "is set but the address fields end at 0x%llx, past "
			    "the end of the file (0x%llx bytes)",
			    (unsigned long long)hoff,
			    (unsigned long long)(hoff + 32),
			    (unsigned long long)l->len);

	const uint8_t *h = l->img + hoff;
	uint64_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
	uint64_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
	uint32_t entry = rd32(h + 28);
	uint64_t size, mem_end;

	l->aout = true;
	if (header_addr < load_addr)
		return fail(l, "a.out kludge: header_addr 0x%llx is below "
			    "load_addr 0x%llx", (unsigned long long)header_addr,
			    (unsigned long long)load_addr);
	/* The header is loaded at header_addr, so the file is loaded from
	 * (header_addr - load_addr) bytes before the header. */
	if (header_addr - load_addr > hoff)
		return fail(l, "a.out kludge: header_addr - load_addr = 0x%llx "
			    "exceeds the header's file offset 0x%llx",
			    (unsigned long long)(header_addr - load_addr),
			    (unsigned long long)hoff);
	uint64_t text = hoff - (header_addr - load_addr);

	if (load_end == 0) {
		size = l->len - text; /* load to the end of the file */
	} else {
		if (load_end <= load_addr)
			return fail(l, "a.out kludge: load_end_addr 0x%llx is "
				    "not above load_addr 0x%llx",
				    (unsigned long long)load_end,
				    (unsigned long long)load_addr);
		size = load_end - load_addr;
		if (text + size > l->len)
			return fail(l, "a.out kludge: [load_addr, "
				    "load_end_addr) needs 0x%llx bytes from "
				    "file offset 0x%llx, but the file has "
				    "0x%llx bytes", (unsigned long long)size,
				    (unsigned long long)text,
				    (unsigned long long)l->len);
	}
	mem_end = load_addr + size;
	if (bss_end) {
		if (bss_end < mem_end)
			return fail(l, "a.out kludge: bss_end_addr 0x%llx is "
				    "below the end of the loaded data 0x%llx",
				    (unsigned long long)bss_end,
				    (unsigned long long)mem_end);
		mem_end = bss_end;
	}

	struct segment s = {
		.index = 0, .offset = text, .filesz = size,
		.paddr = load_addr, .vaddr = load_addr,
		.memsz = mem_end - load_addr,
	};
	if (entry < load_addr || entry >= mem_end)
		return fail(l, "entry point 0x%x is not inside a loaded "
			    "segment (a.out image [0x%llx-0x%llx))", entry,
			    (unsigned long long)load_addr,
			    (unsigned long long)mem_end);
	l->entry = entry;
	return add_segment(l, &s);
}

/* ---- checks on where the kernel goes ------------------------------------- */

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int check_segments(struct loader *l)
{
	char b1[64], b2[64], sz[32];

	l->kstart = UINT64_MAX;
	l->kend = 0;
	for (unsigned int i = 0; i < l->nseg; i++) {
		const struct segment *s = &l->seg[i];
		uint64_t end = s->paddr + s->memsz;

		if (end > FOUR_GIB)
			return fail(l, "%s extends beyond 4 GiB",
				    seg_str(l, s, b1, sizeof(b1)));
		if (end > l->ram)
			return fail(l, "%s lies beyond guest RAM (%s)",
				    seg_str(l, s, b1, sizeof(b1)),
				    size_str(sz, sizeof(sz), l->ram));
		if (overlaps(s->paddr, s->memsz, EBDA_START,
			     HIGH_START - EBDA_START))
			return fail(l, "%s overlaps [0x9fc00-0x100000) (EBDA, "
				    "VGA and BIOS area), which is not RAM for "
				    "the guest", seg_str(l, s, b1, sizeof(b1)));
		for (unsigned int j = 0; j < i; j++) {
			const struct segment *o = &l->seg[j];
			if (overlaps(s->paddr, s->memsz, o->paddr, o->memsz))
				return fail(l, "%s and %s overlap",
					    seg_str(l, o, b1, sizeof(b1)),
					    seg_str(l, s, b2, sizeof(b2)));
		}
		l->kstart = MIN(l->kstart, s->paddr);
		l->kend = MAX(l->kend, end);
	}
	return 0;
}

/* ---- placement ----------------------------------------------------------- */

/*
 * Free areas in preference order: above the kernel first, then below it,
 * each ascending. RAM is [LOW_FREE_START, EBDA_START) and
 * [HIGH_START, top), minus the kernel's whole span.
 */
static unsigned int free_areas(const struct loader *l, struct area *a)
{
	const uint64_t ram[2][2] = {
		{ LOW_FREE_START, EBDA_START }, { HIGH_START, l->top },
	};
	unsigned int n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 2; i++) {
			uint64_t s = ram[i][0], e = ram[i][1];
			if (pass == 0)
				s = MAX(s, l->kend);    /* above the kernel */
			else
				e = MIN(e, l->kstart);  /* below it */
			if (s < e) {
				a[n].next = s;
				a[n].end = e;
				n++;
			}
		}
	}
	return n;
}

/* First fit; returns false if nothing fits. */
static bool place(struct area *a, unsigned int n, uint64_t size,
		  uint64_t *addr)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t s = ALIGN_UP(a[i].next, PAGE_SIZE);
		if (s <= a[i].end && size <= a[i].end - s) {
			a[i].next = s + size;
			*addr = s;
			return true;
		}
	}
	return false;
}

static size_t str_or_empty_len(const char *s)
{
	return s ? strlen(s) : 0;
}

/* ---- writing ------------------------------------------------------------- */

static void put_mmap(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
	wr32(p, MB1_MMAP_ENTRY_SIZE - 4); /* size excludes itself */
	wr64(p + 4, base);
	wr64(p + 12, len);
	wr32(p + 20, type);
}

static uint32_t put_string(uint8_t *ram, uint64_t *at, const char *s)
{
	size_t n = str_or_empty_len(s);
	uint64_t gpa = *at;

	if (n)
		memcpy(ram + gpa, s, n);
	ram[gpa + n] = '\0';
	*at += n + 1;
	return (uint32_t)gpa;
}

int mb1_load(const void *image, uint64_t image_len, const char *cmdline,
	     const struct guest_module *mods, unsigned int nmods,
	     const struct guest_mem_view *mem, struct mb1_load_result *out,
	     char *err, size_t errlen)
{
	struct loader l;
	char sz[32];
	int64_t hoff;

	memset(&l, 0, sizeof(l));
	memset(out, 0, sizeof(*out));
	l.img = image;
	l.len = image ? image_len : 0;
	l.err = err;
	l.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (!mem || !mem->base)
		return fail(&l, "no guest memory");
	l.ram = mem->size;
	l.top = MIN(l.ram, FOUR_GIB);
	if (l.ram < MIN_RAM)
		return fail(&l, "guest RAM too small: %s, a multiboot guest "
			    "needs at least 2 MiB",
			    size_str(sz, sizeof(sz), l.ram));
	if (nmods > MB1_MAX_MODULES)
		return fail(&l, "too many modules: %u (maximum %u)", nmods,
			    MB1_MAX_MODULES);
	for (unsigned int i = 0; i < nmods; i++) {
		if (mods[i].len >= FOUR_GIB)
			return fail(&l, "module %u is 0x%llx bytes, too large "
				    "for multiboot's 32-bit addresses", i,
				    (unsigned long long)mods[i].len);
		if (mods[i].len && !mods[i].data)
			return fail(&l, "module %u has no data", i);
	}

	/* 1. Validate the kernel. */
	hoff = find_header(&l);
	if (hoff < 0)
		return -1;
	uint32_t flags = rd32(l.img + hoff + 4);
	for (unsigned int bit = 3; bit < 16; bit++)
		if (flags & BIT(bit))
			return fail(&l, "unsupported required multiboot flag "
				    "bit %u (header flags 0x%x)", bit, flags);
	if (flags & MB1_HF_AOUT_KLUDGE) {
		if (load_aout_headers(&l, (uint64_t)hoff))
			return -1;
	} else if (load_elf_headers(&l)) {
		return -1;
	}
	if (check_segments(&l))
		return -1;

	/* 2. Place the boot information block, then the modules. */
	uint64_t mmap_off = ALIGN_UP((uint64_t)MB1_MBI_SIZE, 8);
	uint64_t mods_off = mmap_off + MB1_MMAP_ENTRIES * MB1_MMAP_ENTRY_SIZE;
	uint64_t str_off = mods_off + (uint64_t)nmods * MB1_MOD_ENTRY_SIZE;
	uint64_t info_size = str_off + str_or_empty_len(cmdline) + 1 +
			     sizeof(MB1_LOADER_NAME);
	for (unsigned int i = 0; i < nmods; i++)
		info_size += str_or_empty_len(mods[i].cmdline) + 1;

	uint64_t need = info_size;
	for (unsigned int i = 0; i < nmods; i++)
		need = ALIGN_UP(need, PAGE_SIZE) + mods[i].len;

	struct area areas[4];
	unsigned int nareas = free_areas(&l, areas);
	uint64_t info, mod_at[MB1_MAX_MODULES];

	if (!place(areas, nareas, info_size, &info))
		return fail(&l, "guest RAM too small (%s): kernel ends at "
			    "0x%llx, the boot information needs 0x%llx bytes "
			    "and does not fit", size_str(sz, sizeof(sz), l.ram),
			    (unsigned long long)l.kend,
			    (unsigned long long)info_size);
	for (unsigned int i = 0; i < nmods; i++)
		if (!place(areas, nareas, mods[i].len, &mod_at[i]))
			return fail(&l, "guest RAM too small (%s): kernel ends "
				    "at 0x%llx, module %u (0x%llx bytes) does "
				    "not fit; boot information and modules "
				    "need 0x%llx bytes",
				    size_str(sz, sizeof(sz), l.ram),
				    (unsigned long long)l.kend, i,
				    (unsigned long long)mods[i].len,
				    (unsigned long long)need);

	/* 3. Write: kernel, boot information, modules. */
	uint8_t *ram = mem->base;
	for (unsigned int i = 0; i < l.nseg; i++) {
		const struct segment *s = &l.seg[i];
		memcpy(ram + s->paddr, l.img + s->offset, s->filesz);
		memset(ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	}

	uint8_t *mbi = ram + info;
	uint64_t at = info + str_off;
	memset(mbi, 0, info_size);
	wr32(mbi + MB1_MBI_FLAGS, MB1_INFO_MEM | MB1_INFO_CMDLINE |
	     MB1_INFO_MODS | MB1_INFO_MMAP | MB1_INFO_LOADER_NAME);
	wr32(mbi + MB1_MBI_MEM_LOWER, (uint32_t)(EBDA_START / KiB));
	wr32(mbi + MB1_MBI_MEM_UPPER, (uint32_t)((l.top - HIGH_START) / KiB));
	wr32(mbi + MB1_MBI_CMDLINE, put_string(ram, &at, cmdline));
	wr32(mbi + MB1_MBI_MODS_COUNT, nmods);
	wr32(mbi + MB1_MBI_MODS_ADDR, (uint32_t)(info + mods_off));
	wr32(mbi + MB1_MBI_MMAP_LENGTH,
	     MB1_MMAP_ENTRIES * MB1_MMAP_ENTRY_SIZE);
	wr32(mbi + MB1_MBI_MMAP_ADDR, (uint32_t)(info + mmap_off));

	uint8_t *mm = mbi + mmap_off;
	put_mmap(mm, 0, EBDA_START, 1);
	put_mmap(mm + 24, EBDA_START, HOLE_START - EBDA_START, 2);
	put_mmap(mm + 48, BIOS_START, HIGH_START - BIOS_START, 2);
	put_mmap(mm + 72, HIGH_START, l.ram - HIGH_START, 1);

	for (unsigned int i = 0; i < nmods; i++) {
		uint8_t *m = mbi + mods_off + (uint64_t)i * MB1_MOD_ENTRY_SIZE;
		if (mods[i].len)
			memcpy(ram + mod_at[i], mods[i].data, mods[i].len);
		wr32(m, (uint32_t)mod_at[i]);
		wr32(m + 4, (uint32_t)(mod_at[i] + mods[i].len));
		wr32(m + 8, put_string(ram, &at, mods[i].cmdline));
		out->mods[i].start = (uint32_t)mod_at[i];
		out->mods[i].end = (uint32_t)(mod_at[i] + mods[i].len);
	}
	wr32(mbi + MB1_MBI_LOADER_NAME, put_string(ram, &at, MB1_LOADER_NAME));

	out->entry = l.entry;
	out->mbi_gpa = (uint32_t)info;
	out->kernel_start = l.kstart;
	out->kernel_end = l.kend;
	out->info_start = info;
	out->info_end = info + info_size;
	out->nmods = nmods;
	out->header_flags = flags;
	out->header_offset = (uint32_t)hoff;
	out->aout_kludge = l.aout;
	if (flags & MB1_HF_VIDEO)
		out->note = "the kernel asks for a video mode (multiboot flag "
			    "bit 2); ignored, no framebuffer is provided";
	return 0;
}

/* ---- the loader interface (loader.h) ------------------------------------- */

static bool mb1_probe(const void *image, uint64_t len, char *why, size_t whylen)
{
	struct loader l = { .img = image, .len = image ? len : 0, .err = why, .errlen = whylen };
	return find_header(&l) >= 0;
}

static int mb1_guest_load(const struct guest_image *img, const char *cmdline,
			  const struct guest_mem_view *mem, struct guest_boot *out,
			  char *err, size_t errlen)
{
	struct mb1_load_result res;
	if (mb1_load(img->kernel, img->kernel_len, cmdline, img->mods, img->nmods, mem, &res,
		     err, errlen))
		return -1;
	/* Multiboot spec 3.2: EAX = the magic, EBX = the information. */
	*out = (struct guest_boot){
		.mode = GUEST_ENTRY_PROT32_FLAT,
		.rip = res.entry,
		.rax = MB1_BOOTLOADER_MAGIC,
		.rbx = res.mbi_gpa,
		.kernel_start = res.kernel_start,
		.kernel_end = res.kernel_end,
		.note = res.note,
	};
	return 0;
}

static const struct guest_loader mb1_loader = { "multiboot v1", mb1_probe, mb1_guest_load };
LOADER_REGISTER(mb1_loader);
