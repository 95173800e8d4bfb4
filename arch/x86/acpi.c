/* ACPI table parsing (see acpi.h). Tables are read only through the
 * caller's map callback and every field is bounds-checked against the
 * table's length first, so a corrupt table yields an error message, never
 * a wild read. Multi-byte fields are assembled byte by byte: ACPI tables
 * are little-endian and their fields are often misaligned. */
#include "arch/x86/acpi.h"
#include "hv/fmt.h"
#include "hv/lib.h"

#define RSDP_SIG "RSD PTR "
#define RSDP_MAX_LEN 1024 /* 36 in every revision so far */
#define MADT_ENTRIES 44   /* header + Local Interrupt Controller Address + Flags */
#define FADT_MIN_LEN 44   /* header + FIRMWARE_CTRL + DSDT */

/* AML opcodes, 20.2. */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE 0x12
#define AML_ROOT_CHAR '\\'
#define AML_ONES 0xff

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static __printf(4, 5) int fail(int rc, char *err, size_t errlen,
			       const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static __printf(2, 3) void report(const struct acpi_mem *mem,
				  const char *fmt, ...)
{
	char buf[192];
	va_list ap;

	if (!mem->warn)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mem->warn(mem->ctx, buf);
}

/* The callback is asked only for ranges that do not wrap around. */
static const uint8_t *map(const struct acpi_mem *mem, uint64_t pa, size_t len)
{
	if (len == 0 || pa + (len - 1) < pa)
		return NULL;
	return mem->map(mem->ctx, pa, len);
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* Copies a fixed-size, space- or NUL-padded ID as a printable string. */
static void copy_id(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

const char *acpi_strerror(int rc)
{
	static const char *const names[] = {
		[-ACPI_OK] = "success",
		[-ACPI_ENOTFOUND] = "not found",
		[-ACPI_EMAP] = "cannot map",
		[-ACPI_ESIG] = "bad signature",
		[-ACPI_ECSUM] = "bad checksum",
		[-ACPI_ELEN] = "bad length",
		[-ACPI_ECORRUPT] = "corrupt contents",
		[-ACPI_EUNSUPP] = "unsupported",
	};

	if (rc > 0 || rc <= -(int)ARRAY_SIZE(names))
		return "unknown error";
	return names[-rc];
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}

char *acpi_sig_str(char out[5], const void *sig)
{
	const uint8_t *s = sig;
	int i;

	for (i = 0; i < 4; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	out[4] = '\0';
	return out;
}

const char *acpi_sig_name(const void *sig)
{
	/* Signatures reserved by 5.2.6, with the usual name of the table. */
	static const struct {
		char sig[4];
		const char *name;
	} names[] = {
		{ "APIC", "MADT" }, { "FACP", "FADT" }, { "DSDT", "DSDT" },
		{ "SSDT", "SSDT" }, { "FACS", "FACS" }, { "RSDT", "RSDT" },
		{ "XSDT", "XSDT" }, { "HPET", "HPET" }, { "MCFG", "MCFG" },
		{ "SRAT", "SRAT" }, { "SLIT", "SLIT" }, { "DMAR", "DMAR" },
		{ "WAET", "WAET" }, { "BGRT", "BGRT" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!memcmp(sig, names[i].sig, 4))
			return names[i].name;
	return NULL;
}

/* --- RSDP --- */

int acpi_rsdp_check(const void *rsdp, size_t avail, struct acpi_rsdp *out,
		    char *err, size_t errlen)
{
	const uint8_t *p = rsdp;
	struct acpi_rsdp r;
	uint8_t sum;

	if (!p || avail < ACPI_RSDP_V1_LEN)
		return fail(ACPI_ELEN, err, errlen,
			    "RSDP: %zu bytes given, at least %u needed", avail,
			    ACPI_RSDP_V1_LEN);
	if (memcmp(p, RSDP_SIG, 8))
		return fail(ACPI_ESIG, err, errlen,
			    "RSDP: signature is not \"" RSDP_SIG "\"");
	/* 5.2.5.3: the ACPI 1.0 fields (20 bytes) must sum to zero. */
	sum = acpi_checksum(p, ACPI_RSDP_V1_LEN);
	if (sum)
		return fail(ACPI_ECSUM, err, errlen,
			    "RSDP: checksum of the first 20 bytes is 0x%02x, not 0",
			    sum);

	memset(&r, 0, sizeof(r));
	r.revision = p[15];
	copy_id(r.oem_id, p + 9, 6);
	r.rsdt = get32(p + 16);
	r.length = ACPI_RSDP_V1_LEN;
	if (r.revision >= 2) {
		/* The extended checksum covers the whole 'length' bytes. */
		if (avail < ACPI_RSDP_V2_LEN)
			return fail(ACPI_ELEN, err, errlen,
				    "RSDP: revision %u needs %u bytes, %zu given",
				    r.revision, ACPI_RSDP_V2_LEN, avail);
		r.length = get32(p + 20);
		if (r.length < ACPI_RSDP_V2_LEN || r.length > avail)
			return fail(ACPI_ELEN, err, errlen,
				    "RSDP: length %u not in [%u, %zu]",
				    r.length, ACPI_RSDP_V2_LEN, avail);
		sum = acpi_checksum(p, r.length);
		if (sum)
			return fail(ACPI_ECSUM, err, errlen,
				    "RSDP: extended checksum over %u bytes is 0x%02x, not 0",
				    r.length, sum);
		r.xsdt = get64(p + 24);
	}
	if (out)
		*out = r;
	return ACPI_OK;
}

/* Validates the RSDP at 'pa', mapping as much as its revision needs. */
static int rsdp_check_at(const struct acpi_mem *mem, uint64_t pa,
			 struct acpi_rsdp *out, char *err, size_t errlen)
{
	const uint8_t *p;
	size_t len = ACPI_RSDP_V1_LEN;
	uint32_t want;
	int rc;

	p = map(mem, pa, ACPI_RSDP_V1_LEN);
	if (!p)
		return fail(ACPI_EMAP, err, errlen, "RSDP: cannot map 20 bytes");
	if (p[15] >= 2) {
		p = map(mem, pa, ACPI_RSDP_V2_LEN);
		if (!p)
			return fail(ACPI_EMAP, err, errlen,
				    "RSDP: cannot map 36 bytes");
		len = ACPI_RSDP_V2_LEN;
		want = get32(p + 20);
		/* A larger length is mapped if plausible; otherwise the check
		 * below rejects it against the 36 bytes we have. */
		if (want > ACPI_RSDP_V2_LEN && want <= RSDP_MAX_LEN) {
			p = map(mem, pa, want);
			if (!p)
				return fail(ACPI_EMAP, err, errlen,
					    "RSDP: cannot map its %u bytes",
					    want);
			len = want;
		}
	}
	rc = acpi_rsdp_check(p, len, out, err, errlen);
	if (!rc && out)
		out->pa = pa;
	return rc;
}

int acpi_rsdp_scan(const struct acpi_mem *mem, uint64_t pa, size_t len,
		   struct acpi_rsdp *out, char *err, size_t errlen)
{
	char msg[128];
	unsigned int rejected = 0;
	uint64_t off, a;
	const uint8_t *p;

	if (len > UINT64_MAX - pa)
		len = (size_t)(UINT64_MAX - pa);
	/* 5.2.5.1: the RSDP sits on a 16-byte boundary. */
	for (off = (16 - (pa & 15)) & 15; off + 8 <= len; off += 16) {
		a = pa + off;
		p = map(mem, a, 8);
		if (!p || memcmp(p, RSDP_SIG, 8))
			continue;
		if (!rsdp_check_at(mem, a, out, msg, sizeof(msg)))
			return ACPI_OK;
		report(mem, "RSDP candidate at %#llx rejected: %s", ull(a), msg);
		rejected++;
	}
	return fail(ACPI_ENOTFOUND, err, errlen,
		    "no valid RSDP in %#llx-%#llx (%u candidate(s) rejected)",
		    ull(pa), ull(pa + len), rejected);
}

int acpi_rsdp_find_bios(const struct acpi_mem *mem, struct acpi_rsdp *out,
			char *err, size_t errlen)
{
	const uint8_t *p;
	uint64_t ebda = 0;

	/* 5.2.5.1: first the first KiB of the EBDA, whose real-mode segment
	 * is in the BIOS data area at 40:0Eh; then the BIOS ROM area. An
	 * EBDA outside conventional memory is garbage. */
	p = map(mem, ACPI_BDA_EBDA_SEG, 2);
	if (p)
		ebda = (uint64_t)get16(p) << 4;
	if (ebda >= 0x400 && ebda < 0xa0000 &&
	    !acpi_rsdp_scan(mem, ebda, ACPI_EBDA_SCAN_LEN, out, NULL, 0))
		return ACPI_OK;
	if (!acpi_rsdp_scan(mem, ACPI_BIOS_AREA, ACPI_BIOS_AREA_LEN, out,
			    NULL, 0))
		return ACPI_OK;
	return fail(ACPI_ENOTFOUND, err, errlen,
		    "no valid RSDP in the EBDA (%#llx) or in %#x-%#x",
		    ull(ebda), ACPI_BIOS_AREA,
		    ACPI_BIOS_AREA + ACPI_BIOS_AREA_LEN - 1);
}

/* --- System description tables --- */

int acpi_table_check(const struct acpi_mem *mem, uint64_t pa, const char *sig,
		     struct acpi_table *out, char *err, size_t errlen)
{
	struct acpi_table t;
	const uint8_t *p;
	uint8_t sum;

	if (!pa)
		return fail(ACPI_EMAP, err, errlen, "table address is 0");
	p = map(mem, pa, ACPI_HDR_LEN);
	if (!p)
		return fail(ACPI_EMAP, err, errlen,
			    "cannot map the table header at %#llx", ull(pa));

	/* 5.2.6: System Description Table Header. */
	memset(&t, 0, sizeof(t));
	t.pa = pa;
	acpi_sig_str(t.sig, p);
	t.length = get32(p + 4);
	t.revision = p[8];
	copy_id(t.oem_id, p + 10, 6);
	copy_id(t.oem_table_id, p + 16, 8);
	if (sig && memcmp(p, sig, 4))
		return fail(ACPI_ESIG, err, errlen,
			    "table at %#llx has signature '%s', expected '%.4s'",
			    ull(pa), t.sig, sig);
	if (t.length < ACPI_HDR_LEN || t.length > ACPI_TABLE_MAX_LEN)
		return fail(ACPI_ELEN, err, errlen,
			    "%s at %#llx: length %u not in [%u, %u]", t.sig,
			    ull(pa), t.length, ACPI_HDR_LEN, ACPI_TABLE_MAX_LEN);
	p = map(mem, pa, t.length);
	if (!p)
		return fail(ACPI_EMAP, err, errlen,
			    "%s at %#llx: cannot map its %u bytes (truncated?)",
			    t.sig, ull(pa), t.length);
	sum = acpi_checksum(p, t.length);
	if (sum)
		return fail(ACPI_ECSUM, err, errlen,
			    "%s at %#llx: bad checksum (its %u bytes sum to 0x%02x)",
			    t.sig, ull(pa), t.length, sum);
	if (out)
		*out = t;
	return ACPI_OK;
}

static int root_check(const struct acpi_mem *mem, uint64_t pa, bool xsdt,
		      struct acpi_root *root, char *err, size_t errlen)
{
	struct acpi_table t;
	unsigned int esize = xsdt ? 8 : 4;
	uint32_t body;
	int rc;

	rc = acpi_table_check(mem, pa, xsdt ? "XSDT" : "RSDT", &t, err, errlen);
	if (rc)
		return rc;
	/* 5.2.7 / 5.2.8: the header is followed by 4- or 8-byte addresses. */
	body = t.length - ACPI_HDR_LEN;
	if (body % esize)
		report(mem, "%s at %#llx: length %u leaves %u trailing byte(s), ignored",
		       t.sig, ull(pa), t.length, body % esize);
	root->pa = pa;
	root->xsdt = xsdt;
	root->entries = body / esize;
	return ACPI_OK;
}

int acpi_root_init(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
		   struct acpi_root *root, char *err, size_t errlen)
{
	char msg[128];
	int rc;

	memset(root, 0, sizeof(*root));
	/* 5.2.5.3: an ACPI 2.0+ OS uses the XSDT when there is one. */
	if (rsdp->revision >= 2 && rsdp->xsdt) {
		rc = root_check(mem, rsdp->xsdt, true, root, msg, sizeof(msg));
		if (!rc)
			return ACPI_OK;
		if (!rsdp->rsdt)
			return fail(rc, err, errlen, "XSDT unusable and no RSDT: %s",
				    msg);
		report(mem, "XSDT unusable, using the RSDT: %s", msg);
	}
	if (!rsdp->rsdt)
		return fail(ACPI_ENOTFOUND, err, errlen,
			    "the RSDP gives no RSDT address");
	return root_check(mem, rsdp->rsdt, false, root, err, errlen);
}

int acpi_root_entry(const struct acpi_mem *mem, const struct acpi_root *root,
		    uint32_t idx, uint64_t *pa, char *err, size_t errlen)
{
	unsigned int esize = root->xsdt ? 8 : 4;
	uint64_t at = root->pa + ACPI_HDR_LEN + (uint64_t)idx * esize;
	const uint8_t *p;

	if (idx >= root->entries)
		return fail(ACPI_ENOTFOUND, err, errlen,
			    "entry %u past the last (%u entries)", idx,
			    root->entries);
	p = map(mem, at, esize);
	if (!p)
		return fail(ACPI_EMAP, err, errlen, "cannot map entry %u at %#llx",
			    idx, ull(at));
	*pa = root->xsdt ? get64(p) : get32(p);
	return ACPI_OK;
}

int acpi_find_table(const struct acpi_mem *mem, const struct acpi_root *root,
		    const char *sig, unsigned int instance,
		    struct acpi_table *out, char *err, size_t errlen)
{
	const char *rname = root->xsdt ? "XSDT" : "RSDT";
	const char *name = acpi_sig_name(sig);
	unsigned int found = 0, skipped = 0;
	struct acpi_table t;
	char msg[128];
	const uint8_t *p;
	uint64_t pa;
	uint32_t i;

	for (i = 0; i < root->entries; i++) {
		if (acpi_root_entry(mem, root, i, &pa, msg, sizeof(msg))) {
			report(mem, "%s: %s", rname, msg);
			continue;
		}
		if (!pa)
			continue; /* firmware leaves unused slots null */
		p = map(mem, pa, ACPI_HDR_LEN);
		if (!p) {
			report(mem, "%s entry %u: cannot map the table header at %#llx",
			       rname, i, ull(pa));
			continue;
		}
		if (memcmp(p, sig, 4))
			continue;
		if (acpi_table_check(mem, pa, sig, &t, msg, sizeof(msg))) {
			report(mem, "%s entry %u skipped: %s", rname, i, msg);
			skipped++;
			continue;
		}
		if (found++ == instance) {
			if (out)
				*out = t;
			return ACPI_OK;
		}
	}
	return fail(ACPI_ENOTFOUND, err, errlen,
		    "no valid '%.4s' table%s%s (instance %u) in the %s (%u entries, %u corrupt one(s) skipped)",
		    sig, name ? ", " : "", name ? name : "", instance, rname,
		    root->entries, skipped);
}

/* --- MADT --- */

static void madt_add_cpu(const struct acpi_mem *mem, struct acpi_madt *m,
			 uint32_t off, uint32_t apic_id, uint32_t uid,
			 uint32_t flags, bool x2apic)
{
	uint32_t bcast = x2apic ? 0xffffffffu : 0xffu;
	uint32_t i;

	/* 5.2.12.2: Enabled means usable now; Online Capable without it
	 * means the CPU may be hot-added later; neither means ignore it. */
	if (!(flags & ACPI_MADT_CPU_ENABLED)) {
		if (flags & ACPI_MADT_CPU_ONLINE_CAPABLE)
			m->cpus_hotplug++;
		else
			m->cpus_disabled++;
		return;
	}
	if (apic_id == bcast) {
		report(mem, "MADT entry at offset %#x: APIC ID %#x is the broadcast ID, CPU ignored",
		       off, apic_id);
		m->cpus_disabled++;
		return;
	}
	for (i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].apic_id == apic_id) {
			report(mem, "MADT entry at offset %#x: duplicate APIC ID %u (UID %u), ignored",
			       off, apic_id, uid);
			m->cpus_duplicate++;
			return;
		}
	}
	if (m->ncpus == ACPI_MADT_MAX_CPUS) {
		if (!m->cpus_extra)
			report(mem, "MADT: more than %u usable CPUs, ignoring APIC ID %u and later ones",
			       ACPI_MADT_MAX_CPUS, apic_id);
		m->cpus_extra++;
		return;
	}
	m->cpus[m->ncpus].apic_id = apic_id;
	m->cpus[m->ncpus].uid = uid;
	m->cpus[m->ncpus].flags = flags;
	m->cpus[m->ncpus].x2apic = x2apic;
	m->ncpus++;
}

/* 5.2.12.2 Processor Local APIC: UID u8 @2, APIC ID u8 @3, flags u32 @4. */
static void madt_lapic(const struct acpi_mem *mem, struct acpi_madt *m,
		       const uint8_t *e, uint32_t off)
{
	madt_add_cpu(mem, m, off, e[3], e[2], get32(e + 4), false);
}

/* 5.2.12.12 Processor Local x2APIC: x2APIC ID u32 @4, flags u32 @8,
 * UID u32 @12. */
static void madt_x2apic(const struct acpi_mem *mem, struct acpi_madt *m,
			const uint8_t *e, uint32_t off)
{
	madt_add_cpu(mem, m, off, get32(e + 4), get32(e + 12), get32(e + 8),
		     true);
}

/* 5.2.12.3 I/O APIC: ID u8 @2, address u32 @4, GSI base u32 @8. */
static void madt_ioapic(const struct acpi_mem *mem, struct acpi_madt *m,
			const uint8_t *e, uint32_t off)
{
	if (m->nioapics < ACPI_MADT_MAX_IOAPICS) {
		struct acpi_ioapic *io = &m->ioapics[m->nioapics];

		io->id = e[2];
		io->addr = get32(e + 4);
		io->gsi_base = get32(e + 8);
	}
	m->nioapics++;
}

/* 5.2.12.5 Interrupt Source Override: bus u8 @2, source u8 @3,
 * GSI u32 @4, flags u16 @8. */
static void madt_iso(const struct acpi_mem *mem, struct acpi_madt *m,
		     const uint8_t *e, uint32_t off)
{
	if (m->nisos < ACPI_MADT_MAX_ISOS) {
		struct acpi_iso *iso = &m->isos[m->nisos];

		iso->bus = e[2];
		iso->source = e[3];
		iso->gsi = get32(e + 4);
		iso->flags = get16(e + 8);
	}
	m->nisos++;
}

/* 5.2.12.8 Local APIC Address Override: 64-bit address @4, which
 * replaces the 32-bit one in the MADT header. */
static void madt_lapic_override(const struct acpi_mem *mem,
				struct acpi_madt *m, const uint8_t *e,
				uint32_t off)
{
	m->lapic_addr = get64(e + 4);
	m->lapic_addr_override = true;
}

/* Entry types (5.2.12, Table "Interrupt Controller Structure Types"). A
 * type we decode must be at least min_len bytes; the others are skipped
 * by their length and only named in messages. */
static const struct madt_type {
	uint8_t min_len;
	const char *name;
	void (*parse)(const struct acpi_mem *mem, struct acpi_madt *m,
		      const uint8_t *e, uint32_t off);
} madt_types[] = {
	[0] = { 8, "Processor Local APIC", madt_lapic },
	[1] = { 12, "I/O APIC", madt_ioapic },
	[2] = { 10, "Interrupt Source Override", madt_iso },
	[3] = { 2, "NMI Source", NULL },
	[4] = { 2, "Local APIC NMI", NULL },
	[5] = { 12, "Local APIC Address Override", madt_lapic_override },
	[6] = { 2, "I/O SAPIC", NULL },
	[7] = { 2, "Local SAPIC", NULL },
	[8] = { 2, "Platform Interrupt Sources", NULL },
	[9] = { 16, "Processor Local x2APIC", madt_x2apic },
	[10] = { 2, "Local x2APIC NMI", NULL },
};

static const char *madt_type_name(uint8_t type)
{
	if (type < ARRAY_SIZE(madt_types) && madt_types[type].name)
		return madt_types[type].name;
	return "unknown";
}

int acpi_madt_parse(const struct acpi_mem *mem, const struct acpi_table *t,
		    struct acpi_madt *out, char *err, size_t errlen)
{
	const struct madt_type *mt;
	const uint8_t *p;
	uint32_t off, len = t->length, left;
	uint8_t type, elen;

	memset(out, 0, sizeof(*out));
	if (len < MADT_ENTRIES || len > ACPI_TABLE_MAX_LEN)
		return fail(ACPI_ELEN, err, errlen,
			    "MADT at %#llx: length %u not in [%u, %u]",
			    ull(t->pa), len, MADT_ENTRIES, ACPI_TABLE_MAX_LEN);
	p = map(mem, t->pa, len);
	if (!p)
		return fail(ACPI_EMAP, err, errlen,
			    "MADT at %#llx: cannot map its %u bytes (truncated table?)",
			    ull(t->pa), len);

	out->lapic_addr = get32(p + 36);
	out->flags = get32(p + 40);

	/* Entries are (type u8, length u8, ...). Every length is checked
	 * before use: 0 would loop forever, a long one would read past the
	 * table. */
	for (off = MADT_ENTRIES; off < len; off += elen) {
		left = len - off;
		if (left < 2)
			return fail(ACPI_ECORRUPT, err, errlen,
				    "MADT entry at offset %#x: only %u byte left, no room for an entry header",
				    off, left);
		type = p[off];
		elen = p[off + 1];
		if (elen < 2)
			return fail(ACPI_ECORRUPT, err, errlen,
				    "MADT entry at offset %#x (type %u, %s): length %u < 2",
				    off, type, madt_type_name(type), elen);
		if (elen > left)
			return fail(ACPI_ECORRUPT, err, errlen,
				    "MADT entry at offset %#x (type %u, %s): length %u runs past the table end (%u bytes left)",
				    off, type, madt_type_name(type), elen, left);
		mt = type < ARRAY_SIZE(madt_types) ? &madt_types[type] : NULL;
		if (mt && elen < mt->min_len)
			return fail(ACPI_ECORRUPT, err, errlen,
				    "MADT entry at offset %#x (type %u, %s): length %u < %u",
				    off, type, mt->name, elen, mt->min_len);
		out->nentries++;
		if (mt && mt->parse)
			mt->parse(mem, out, p + off, off);
	}
	return ACPI_OK;
}

/* --- FADT --- */

/* FADT field offsets, 5.2.9 Table "FADT Format". */
#define FADT_DSDT 40
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_FLAGS 112
#define FADT_RESET_REG 116 /* GAS, 12 bytes */
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT_BLK 172 /* GAS */
#define FADT_X_PM1B_CNT_BLK 184 /* GAS */
#define GAS_LEN 12

static bool fadt_has(uint32_t len, uint32_t off, uint32_t size)
{
	return off + size <= len;
}

/* 5.2.3.2 Generic Address Structure. */
static void get_gas(struct acpi_gas *g, const uint8_t *p)
{
	g->space_id = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->address = get64(p + 4);
}

/* A 32-bit PM block of 0 may still be given by its X_ form; we use it
 * only if it is an I/O port, which is what the 32-bit field holds. */
static uint32_t fadt_x_port(const uint8_t *p, uint32_t len, uint32_t off)
{
	struct acpi_gas g;

	if (!fadt_has(len, off, GAS_LEN))
		return 0;
	get_gas(&g, p + off);
	if (g.space_id != ACPI_GAS_SYSTEM_IO || g.address > 0xffff)
		return 0;
	return (uint32_t)g.address;
}

int acpi_fadt_parse(const struct acpi_mem *mem, const struct acpi_table *t,
		    struct acpi_fadt *out, char *err, size_t errlen)
{
	uint32_t len = t->length, dsdt32 = 0;
	uint64_t x_dsdt = 0;
	const uint8_t *p;

	memset(out, 0, sizeof(*out));
	if (len < FADT_MIN_LEN || len > ACPI_TABLE_MAX_LEN)
		return fail(ACPI_ELEN, err, errlen,
			    "FADT at %#llx: length %u not in [%u, %u]",
			    ull(t->pa), len, FADT_MIN_LEN, ACPI_TABLE_MAX_LEN);
	p = map(mem, t->pa, len);
	if (!p)
		return fail(ACPI_EMAP, err, errlen,
			    "FADT at %#llx: cannot map its %u bytes (truncated table?)",
			    ull(t->pa), len);

	/* The FADT grew with each ACPI revision (an ACPI 1.0 FADT is 116
	 * bytes): every field is read only if the length covers it. */
	out->length = len;
	out->revision = t->revision;
	dsdt32 = get32(p + FADT_DSDT);
	if (fadt_has(len, FADT_SMI_CMD, 4))
		out->smi_cmd = get32(p + FADT_SMI_CMD);
	if (fadt_has(len, FADT_ACPI_ENABLE, 1))
		out->acpi_enable = p[FADT_ACPI_ENABLE];
	if (fadt_has(len, FADT_PM1A_CNT_BLK, 4))
		out->pm1a_cnt_blk = get32(p + FADT_PM1A_CNT_BLK);
	if (fadt_has(len, FADT_PM1B_CNT_BLK, 4))
		out->pm1b_cnt_blk = get32(p + FADT_PM1B_CNT_BLK);
	if (fadt_has(len, FADT_FLAGS, 4))
		out->flags = get32(p + FADT_FLAGS);
	if (fadt_has(len, FADT_RESET_VALUE, 1)) {
		get_gas(&out->reset_reg, p + FADT_RESET_REG);
		out->reset_value = p[FADT_RESET_VALUE];
		out->has_reset_reg = out->flags & ACPI_FADT_RESET_REG_SUP;
	}
	if (fadt_has(len, FADT_X_DSDT, 8))
		x_dsdt = get64(p + FADT_X_DSDT);
	if (!out->pm1a_cnt_blk)
		out->pm1a_cnt_blk = fadt_x_port(p, len, FADT_X_PM1A_CNT_BLK);
	if (!out->pm1b_cnt_blk)
		out->pm1b_cnt_blk = fadt_x_port(p, len, FADT_X_PM1B_CNT_BLK);

	/* 5.2.9: X_DSDT, when non-zero, supersedes DSDT. */
	if (x_dsdt && dsdt32 && x_dsdt != dsdt32)
		report(mem, "FADT: DSDT %#x and X_DSDT %#llx differ, using X_DSDT",
		       dsdt32, ull(x_dsdt));
	out->dsdt = x_dsdt ? x_dsdt : dsdt32;
	return ACPI_OK;
}

/* --- \_S5 --- */

/* 20.2.4 Package Length Encoding: bits 7:6 of the lead byte count the
 * bytes that follow (0-3). With none, bits 5:0 are the length; otherwise
 * bits 3:0 are its low nibble and each following byte adds 8 more bits. */
static int aml_pkglen(const uint8_t *p, size_t end, size_t *pos,
		      uint32_t *out)
{
	size_t at = *pos;
	unsigned int n, i;
	uint32_t v;

	if (at >= end)
		return -1;
	n = p[at] >> 6;
	if (end - at < 1 + n)
		return -1;
	v = n ? (p[at] & 0x0fu) : (p[at] & 0x3fu);
	for (i = 1; i <= n; i++)
		v |= (uint32_t)p[at + i] << (4 + 8 * (i - 1));
	*pos = at + 1 + n;
	*out = v;
	return 0;
}

/* An integer constant (20.2.3 ComputationalData: ConstObj or a
 * Byte/Word/DWord/QWord prefix). Anything else, e.g. a name reference,
 * would need an AML interpreter. */
static int aml_integer(const uint8_t *p, size_t end, size_t *pos,
		       uint64_t *val, const char *what, char *err,
		       size_t errlen)
{
	size_t at = *pos, size, i;
	uint8_t op;

	if (at >= end)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "package ends before %s", what);
	op = p[at];
	switch (op) {
	case AML_ZERO:
		*val = 0;
		*pos = at + 1;
		return ACPI_OK;
	case AML_ONE:
		*val = 1;
		*pos = at + 1;
		return ACPI_OK;
	case AML_ONES:
		*val = UINT64_MAX;
		*pos = at + 1;
		return ACPI_OK;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	case AML_QWORD_PREFIX:
		size = 8;
		break;
	default:
		return fail(ACPI_EUNSUPP, err, errlen,
			    "%s at offset %#zx is opcode 0x%02x, not an integer constant (would need an AML interpreter)",
			    what, at, op);
	}
	if (end - at - 1 < size)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "%s at offset %#zx: %zu-byte constant runs past the package end",
			    what, at, size);
	*val = 0;
	for (i = size; i > 0; i--) /* little-endian */
		*val = *val << 8 | p[at + i];
	*pos = at + 1 + size;
	return ACPI_OK;
}

/* Decodes the package whose PkgLength starts at 'pos'. */
static int s5_package(const uint8_t *p, size_t len, size_t pos,
		      struct acpi_s5 *out, char *err, size_t errlen)
{
	size_t start = pos, end;
	uint32_t pkglen;
	uint64_t a, b;
	uint8_t n;
	int rc;

	if (aml_pkglen(p, len, &pos, &pkglen))
		return fail(ACPI_ECORRUPT, err, errlen,
			    "PkgLength at offset %#zx runs past the end of the AML",
			    start);
	/* PkgLength counts itself and the package contents. */
	if (pkglen < pos - start)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "PkgLength %u at offset %#zx is shorter than its own encoding",
			    pkglen, start);
	if (pkglen > len - start)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "package at offset %#zx (%u bytes) runs past the end of the AML (%zu bytes left)",
			    start, pkglen, len - start);
	end = start + pkglen;
	if (pos >= end)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "package at offset %#zx has no NumElements", start);
	n = p[pos++];
	if (n == 0)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "package at offset %#zx is empty", start);
	rc = aml_integer(p, end, &pos, &a, "SLP_TYPa", err, errlen);
	if (rc)
		return rc;
	if (n >= 2) {
		rc = aml_integer(p, end, &pos, &b, "SLP_TYPb", err, errlen);
		if (rc)
			return rc;
	} else {
		/* Old firmware: one integer, SLP_TYPa in bits 7:0 and
		 * SLP_TYPb in bits 15:8 (as ACPICA accepts). */
		b = (a >> 8) & 0xff;
		a &= 0xff;
	}
	/* SLP_TYPx is a 3-bit field of PM1x_CNT (4.8.3.2.1); a wider value
	 * would spill into SLP_EN and beyond. */
	if (a > 7 || b > 7)
		return fail(ACPI_ECORRUPT, err, errlen,
			    "SLP_TYPa %#llx / SLP_TYPb %#llx do not fit in 3 bits",
			    ull(a), ull(b));
	out->slp_typa = (uint8_t)a;
	out->slp_typb = (uint8_t)b;
	return ACPI_OK;
}

/* Scans p[start, len) for Name(_S5_, Package(...)); offsets in messages
 * are from p. The first candidate that decodes wins; if none does, the
 * first candidate's error is returned. */
static int aml_find_s5(const uint8_t *p, size_t start, size_t len,
		       struct acpi_s5 *out, char *err, size_t errlen)
{
	unsigned int seen = 0, bad = 0;
	char msg[128];
	int rc, first_rc = ACPI_OK;
	size_t i;

	/* 20.2.5.1 DefName := NameOp NameString DataRefObject, where the
	 * NameString may carry the root prefix ('\_S5_'). */
	for (i = start + 1; i < len && len - i >= 5; i++) {
		if (memcmp(p + i, "_S5_", 4))
			continue;
		seen++;
		if (!(p[i - 1] == AML_NAME ||
		      (p[i - 1] == AML_ROOT_CHAR && i - 1 > start &&
		       p[i - 2] == AML_NAME)))
			continue;
		if (p[i + 4] != AML_PACKAGE)
			continue;
		rc = s5_package(p, len, i + 5, out, msg, sizeof(msg));
		if (!rc)
			return ACPI_OK;
		if (!bad++) {
			first_rc = rc;
			fail(rc, err, errlen, "\\_S5 at offset %#zx: %s", i, msg);
		}
	}
	if (bad)
		return first_rc;
	if (seen)
		return fail(ACPI_ENOTFOUND, err, errlen,
			    "'_S5_' occurs %u time(s) but never as Name(_S5_, Package(...))",
			    seen);
	return fail(ACPI_ENOTFOUND, err, errlen, "no \\_S5 object in the AML");
}

int acpi_aml_find_s5(const void *aml, size_t len, struct acpi_s5 *out,
		     char *err, size_t errlen)
{
	return aml_find_s5(aml, 0, len, out, err, errlen);
}

int acpi_dsdt_find_s5(const struct acpi_mem *mem,
		      const struct acpi_fadt *fadt, struct acpi_s5 *out,
		      char *err, size_t errlen)
{
	struct acpi_table t;
	const uint8_t *p;
	char msg[160];
	int rc;

	if (!fadt->dsdt)
		return fail(ACPI_ENOTFOUND, err, errlen,
			    "the FADT gives no DSDT address");
	rc = acpi_table_check(mem, fadt->dsdt, "DSDT", &t, err, errlen);
	if (rc)
		return rc;
	p = map(mem, t.pa, t.length);
	if (!p)
		return fail(ACPI_EMAP, err, errlen,
			    "DSDT at %#llx: cannot map its %u bytes",
			    ull(t.pa), t.length);
	/* Scan the body, but report offsets from the table start. */
	rc = aml_find_s5(p, ACPI_HDR_LEN, t.length, out, msg, sizeof(msg));
	if (rc)
		return fail(rc, err, errlen, "DSDT at %#llx: %s", ull(t.pa),
			    msg);
	return ACPI_OK;
}

uint16_t acpi_pm1_cnt_sleep(uint16_t cur, uint8_t slp_typ)
{
	/* 7.4.2 / 4.8.3.2.1: write SLP_TYPx and SLP_EN together; the other
	 * bits (SCI_EN in particular) are preserved. */
	return (uint16_t)((cur & ~ACPI_PM1_SLP_TYP_MASK) |
			  ((uint32_t)(slp_typ & 7) << ACPI_PM1_SLP_TYP_SHIFT) |
			  ACPI_PM1_SLP_EN);
}
