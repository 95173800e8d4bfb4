/* Multiboot2 boot information parser. The boot loader's data is treated as
 * untrusted input: every size is checked against the bytes that exist before
 * anything is read, and every error names the tag and its offset, so that a
 * bad loader or a corrupted blob gives a clear message instead of a fault.
 *
 * Fields are read with memcpy() so that no alignment is assumed anywhere
 * (the spec promises 8-byte alignment, but checking that buys nothing). */
#include "hv/mb2.h"
#include "hv/fmt.h"
#include "hv/lib.h"

struct mb2_ctx {
	const uint8_t *base;
	uint32_t total;
	char *err;
	size_t errlen;
	char *warn;
	size_t warnlen;
	unsigned int dropped_mmap;
	unsigned int dropped_modules;
	bool have_mmap;
	bool have_cmdline;
	bool have_loader_name;
};

static const char *const tag_names[] = {
	[MB2_TAG_END] = "end",
	[MB2_TAG_CMDLINE] = "command line",
	[MB2_TAG_LOADER_NAME] = "boot loader name",
	[MB2_TAG_MODULE] = "module",
	[MB2_TAG_BASIC_MEMINFO] = "basic memory information",
	[5] = "BIOS boot device",
	[MB2_TAG_MMAP] = "memory map",
	[7] = "VBE information",
	[8] = "framebuffer information",
	[9] = "ELF symbols",
	[10] = "APM table",
	[11] = "EFI 32-bit system table",
	[12] = "EFI 64-bit system table",
	[13] = "SMBIOS tables",
	[MB2_TAG_ACPI_OLD] = "ACPI 1.0 RSDP",
	[MB2_TAG_ACPI_NEW] = "ACPI 2.0 RSDP",
	[16] = "networking information",
	[17] = "EFI memory map",
	[18] = "EFI boot services not terminated",
	[19] = "EFI 32-bit image handle",
	[20] = "EFI 64-bit image handle",
	[21] = "image load base address",
};

const char *mb2_tag_name(uint32_t type)
{
	if (type < ARRAY_SIZE(tag_names) && tag_names[type])
		return tag_names[type];
	return "unknown";
}

const char *mb2_mem_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE:
		return "available";
	case MB2_MEM_RESERVED:
		return "reserved";
	case MB2_MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MB2_MEM_NVS:
		return "ACPI NVS";
	case MB2_MEM_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Appends formatted text at the end of buf (bounded, always terminated). */
static void vappend(char *buf, size_t size, const char *fmt, va_list ap)
{
	if (!buf || !size)
		return;
	size_t used = strnlen(buf, size - 1);
	fmt_vsnprintf(buf + used, size - used, fmt, ap);
}

static void __printf(3, 4) append(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(buf, size, fmt, ap);
	va_end(ap);
}

static int __printf(2, 3) fail(struct mb2_ctx *c, const char *fmt, ...)
{
	va_list ap;
	if (c->err && c->errlen)
		c->err[0] = '\0';
	va_start(ap, fmt);
	vappend(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Prefix naming the tag: "multiboot2 memory map tag at offset 0x30". */
static void tag_prefix(char *buf, size_t size, uint32_t type, uint32_t off)
{
	if (type < ARRAY_SIZE(tag_names) && tag_names[type])
		append(buf, size, "multiboot2 %s tag at offset 0x%x: ",
		       tag_names[type], off);
	else
		append(buf, size, "multiboot2 tag of type %u at offset 0x%x: ",
		       type, off);
}

static int __printf(4, 5) tag_fail(struct mb2_ctx *c, uint32_t type,
				   uint32_t off, const char *fmt, ...)
{
	va_list ap;
	if (c->err && c->errlen)
		c->err[0] = '\0';
	tag_prefix(c->err, c->errlen, type, off);
	va_start(ap, fmt);
	vappend(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Warnings accumulate, separated by "; ", since several can occur. */
static void __printf(4, 5) tag_warn(struct mb2_ctx *c, uint32_t type,
				    uint32_t off, const char *fmt, ...)
{
	va_list ap;
	if (!c->warn || !c->warnlen)
		return;
	if (c->warn[0])
		append(c->warn, c->warnlen, "; ");
	tag_prefix(c->warn, c->warnlen, type, off);
	va_start(ap, fmt);
	vappend(c->warn, c->warnlen, fmt, ap);
	va_end(ap);
}

/* A string tag's text must end with a NUL inside the tag's own size. */
static const char *tag_string(struct mb2_ctx *c, uint32_t type, uint32_t off,
			      uint32_t size, uint32_t hdr)
{
	const char *s = (const char *)c->base + off + hdr;
	size_t max = size - hdr;
	if (strnlen(s, max) == max) {
		tag_fail(c, type, off, "string is not NUL-terminated within the "
			 "tag's %u bytes", size);
		return NULL;
	}
	return s;
}

static int parse_mmap(struct mb2_ctx *c, struct boot_info *bi, uint32_t off,
		      uint32_t size)
{
	const uint8_t *t = c->base + off;

	if (size < 16)
		return tag_fail(c, MB2_TAG_MMAP, off,
				"size %u is smaller than its 16-byte header",
				size);
	uint32_t esize = rd32(t + 8);
	uint32_t version = rd32(t + 12);
	if (esize < 24)
		return tag_fail(c, MB2_TAG_MMAP, off,
				"entry size %u is smaller than 24", esize);
	if (esize % 8)
		return tag_fail(c, MB2_TAG_MMAP, off,
				"entry size %u is not a multiple of 8", esize);
	if ((size - 16) % esize)
		return tag_fail(c, MB2_TAG_MMAP, off,
				"%u bytes of entries are not a whole number of "
				"%u-byte entries", size - 16, esize);
	/* The spec promises later versions stay compatible with version 0
	 * (extra fields are appended), so a new version is not fatal. */
	if (version != 0)
		tag_warn(c, MB2_TAG_MMAP, off,
			 "entry version %u is not 0, reading entries as "
			 "version 0", version);
	if (c->have_mmap) {
		tag_warn(c, MB2_TAG_MMAP, off,
			 "second memory map tag ignored");
		return 0;
	}
	c->have_mmap = true;

	for (uint32_t e = 16; e < size; e += esize) {
		if (bi->nmmap == MB2_MAX_MMAP) {
			c->dropped_mmap++;
			continue;
		}
		struct mem_range *r = &bi->mmap[bi->nmmap++];
		r->base = rd64(t + e);
		r->len = rd64(t + e + 8);
		r->type = rd32(t + e + 16);
	}
	if (c->dropped_mmap)
		tag_warn(c, MB2_TAG_MMAP, off,
			 "%u entries beyond the first %u dropped",
			 c->dropped_mmap, MB2_MAX_MMAP);
	return 0;
}

static int parse_module(struct mb2_ctx *c, struct boot_info *bi, uint32_t off,
			uint32_t size)
{
	const uint8_t *t = c->base + off;

	/* 16 bytes of header and addresses, then at least the NUL. */
	if (size < 17)
		return tag_fail(c, MB2_TAG_MODULE, off,
				"size %u is smaller than 17", size);
	uint32_t start = rd32(t + 8);
	uint32_t end = rd32(t + 12);
	if (end < start)
		return tag_fail(c, MB2_TAG_MODULE, off,
				"end 0x%x is below start 0x%x", end, start);
	const char *cmd = tag_string(c, MB2_TAG_MODULE, off, size, 16);
	if (!cmd)
		return -1;
	if (bi->nmodules == MB2_MAX_MODULES) {
		c->dropped_modules++;
		return 0;
	}
	struct mb2_module *m = &bi->modules[bi->nmodules++];
	m->start = start;
	m->end = end;
	m->cmdline = cmd;
	return 0;
}

/*
 * ACPI 1.0 RSDP is 20 bytes; 2.0 and later is at least 36. The checksum
 * over the first 20 bytes is valid in both. A bad RSDP is only a warning:
 * Tern can run without ACPI (power-off falls back to other means).
 */
static void parse_rsdp(struct mb2_ctx *c, struct boot_info *bi, uint32_t type,
		       uint32_t off, uint32_t size)
{
	const uint8_t *p = c->base + off + 8;
	size_t len = size - 8;
	size_t need = type == MB2_TAG_ACPI_NEW ? 36 : 20;

	if (len < need) {
		tag_warn(c, type, off, "RSDP is %zu bytes, expected at least "
			 "%zu; ignored", len, need);
		return;
	}
	if (memcmp(p, "RSD PTR ", 8) != 0) {
		tag_warn(c, type, off, "RSDP signature is not \"RSD PTR \"; "
			 "ignored");
		return;
	}
	uint8_t sum = 0;
	for (size_t i = 0; i < 20; i++)
		sum = (uint8_t)(sum + p[i]);
	if (sum != 0) {
		tag_warn(c, type, off, "RSDP checksum is bad (sum 0x%02x); "
			 "ignored", sum);
		return;
	}
	/* Tag 15 (the 2.0 RSDP, which gives the XSDT) wins over tag 14. */
	if (type == MB2_TAG_ACPI_OLD && bi->rsdp && bi->rsdp_revision == 2)
		return;
	bi->rsdp = p;
	bi->rsdp_len = len;
	bi->rsdp_revision = type == MB2_TAG_ACPI_NEW ? 2 : 0;
}

static int parse_tag(struct mb2_ctx *c, struct boot_info *bi, uint32_t type,
		     uint32_t off, uint32_t size)
{
	const char *s;

	switch (type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
		s = tag_string(c, type, off, size, 8);
		if (!s)
			return -1;
		/* The first tag of each kind wins; later ones are ignored. */
		if (type == MB2_TAG_CMDLINE && !c->have_cmdline) {
			bi->cmdline = s;
			c->have_cmdline = true;
		} else if (type == MB2_TAG_LOADER_NAME && !c->have_loader_name) {
			bi->loader_name = s;
			c->have_loader_name = true;
		}
		return 0;
	case MB2_TAG_MODULE:
		return parse_module(c, bi, off, size);
	case MB2_TAG_MMAP:
		return parse_mmap(c, bi, off, size);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(c, bi, type, off, size);
		return 0;
	default:
		/* Tags Tern does not use only need to be well-formed. */
		return 0;
	}
}

int mb2_parse(uint32_t magic, const void *info, size_t avail,
	      struct boot_info *bi, char *err, size_t errlen,
	      char *warn, size_t warnlen)
{
	struct mb2_ctx c = {
		.base = info, .err = err, .errlen = errlen,
		.warn = warn, .warnlen = warnlen,
	};

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->loader_name = "";
	if (err && errlen)
		err[0] = '\0';
	if (warn && warnlen)
		warn[0] = '\0';

	if (magic != MB2_BOOTLOADER_MAGIC)
		return fail(&c, "multiboot2: boot loader magic is 0x%x, "
			    "expected 0x%x (not booted by a multiboot2 loader?)",
			    magic, MB2_BOOTLOADER_MAGIC);
	if (!info)
		return fail(&c, "multiboot2 boot information pointer is NULL");
	if (avail < 8)
		return fail(&c, "multiboot2 boot information: only %zu bytes "
			    "readable, the fixed header needs 8", avail);

	uint32_t total = rd32(c.base);
	if (total < 16)
		return fail(&c, "multiboot2 boot information total size %u is "
			    "smaller than 16 (header and end tag)", total);
	if (total > avail)
		return fail(&c, "multiboot2 boot information total size %u is "
			    "larger than the %zu bytes readable", total, avail);
	c.total = total;
	bi->total_size = total;

	/* 64-bit offsets: aligning a size near 4 GiB must not wrap. */
	uint64_t off = 8;
	for (;;) {
		if (off + 8 > total)
			return fail(&c, "multiboot2 boot information has no end "
				    "tag (tag list reaches offset 0x%llx, total "
				    "size %u)", (unsigned long long)off, total);
		uint32_t type = rd32(c.base + off);
		uint32_t size = rd32(c.base + off + 4);
		if (size < 8)
			return tag_fail(&c, type, (uint32_t)off,
					"size %u is smaller than 8", size);
		if (size > total - off)
			return tag_fail(&c, type, (uint32_t)off,
					"size %u runs past the end of the boot "
					"information (total size %u)", size,
					total);
		if (type == MB2_TAG_END)
			break;
		if (parse_tag(&c, bi, type, (uint32_t)off, size) < 0)
			return -1;
		off += ALIGN_UP((uint64_t)size, 8);
	}

	if (c.dropped_modules && warn && warnlen)
		append(warn, warnlen, "%smultiboot2 module tags: %u beyond the "
		       "first %u dropped", warn[0] ? "; " : "",
		       c.dropped_modules, MB2_MAX_MODULES);
	if (!c.have_mmap)
		return fail(&c, "multiboot2 boot information has no memory map "
			    "tag");
	return 0;
}
