/* ACPI table parsing: RSDP, RSDT/XSDT, MADT, FADT and the DSDT's \_S5
 * package, as much as Tern needs to start the CPUs and to power off.
 *
 * Pure code, tested on the host: every physical-memory read goes through
 * the caller's map callback, so the kernel passes an identity map and the
 * unit tests pass fake tables at fake addresses. Section numbers refer to
 * the ACPI Specification 6.5.
 *
 * Conventions for every function below:
 *  - returns ACPI_OK (0) or a negative ACPI_E* code; on failure a
 *    human-readable message (no trailing newline) is written to 'err'
 *    (may be NULL, when errlen is 0);
 *  - problems that were worked around (a corrupt table skipped, a duplicate
 *    APIC ID ignored, CPUs beyond the limit) are passed, one message each,
 *    to mem->warn when it is non-NULL, and are never an error;
 *  - a pointer returned by mem->map is used only until the next map call,
 *    so a mapper with a single temporary window works too.
 */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include "hv/types.h"

/* Returns a pointer to 'len' readable bytes at physical address 'pa', or
 * NULL if that range cannot be read. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, size_t len);

struct acpi_mem {
	acpi_map_fn map;
	void *ctx; /* passed to map and warn */
	/* Optional: one call per worked-around problem. */
	void (*warn)(void *ctx, const char *msg);
};

enum {
	ACPI_OK = 0,
	ACPI_ENOTFOUND = -1, /* no such table / object */
	ACPI_EMAP = -2,      /* a range could not be mapped (truncated) */
	ACPI_ESIG = -3,      /* wrong signature */
	ACPI_ECSUM = -4,     /* checksum mismatch */
	ACPI_ELEN = -5,      /* length field too small or too large */
	ACPI_ECORRUPT = -6,  /* malformed contents (MADT entry, AML) */
	ACPI_EUNSUPP = -7,   /* valid but beyond what we can decode */
};

/* "not found", "cannot map", ... */
const char *acpi_strerror(int rc);

/* Tables larger than this are taken as garbage. Real tables are at most a
 * few hundred KiB (large server DSDTs); a random length is usually huge. */
#define ACPI_TABLE_MAX_LEN (4u * 1024 * 1024)
#define ACPI_HDR_LEN 36 /* System Description Table Header, 5.2.6 */

/* Sum of 'len' bytes, mod 256. A valid table sums to 0. */
uint8_t acpi_checksum(const void *p, size_t len);

/* Copies a 4-byte signature into 'out' as a C string, with any
 * non-printable byte shown as '?'. Returns 'out'. */
char *acpi_sig_str(char out[5], const void *sig);
/* Common name for a signature: "APIC" -> "MADT", "FACP" -> "FADT";
 * otherwise NULL. */
const char *acpi_sig_name(const void *sig);

/* --- RSDP (5.2.5) --- */

#define ACPI_RSDP_V1_LEN 20 /* ACPI 1.0 part, covered by 'checksum' */
#define ACPI_RSDP_V2_LEN 36 /* covered by 'extended checksum' */

struct acpi_rsdp {
	uint64_t pa;       /* where it was found; 0 for a caller's copy */
	uint8_t revision;  /* 0 = ACPI 1.0, 2 = ACPI 2.0 and later */
	char oem_id[7];
	uint32_t rsdt;
	uint32_t length;   /* 20 for revision < 2 */
	uint64_t xsdt;     /* 0 for revision < 2 */
};

/* Validates an RSDP of which 'avail' bytes are readable at 'p' (e.g. the
 * copy in a Multiboot2 ACPI tag): signature, checksum of the first 20
 * bytes and, for revision >= 2, length (36 <= length <= avail) and the
 * extended checksum over 'length' bytes. */
int acpi_rsdp_check(const void *p, size_t avail, struct acpi_rsdp *out,
		    char *err, size_t errlen);

/* Looks for a valid RSDP on 16-byte boundaries in [pa, pa + len) (5.2.5.1).
 * Candidates with a matching signature but a bad checksum or length are
 * reported through warn and skipped. Returns ACPI_ENOTFOUND if none. */
int acpi_rsdp_scan(const struct acpi_mem *mem, uint64_t pa, size_t len,
		   struct acpi_rsdp *out, char *err, size_t errlen);

#define ACPI_BDA_EBDA_SEG 0x40e   /* BDA word: EBDA segment */
#define ACPI_BIOS_AREA 0xe0000    /* BIOS read-only area, to 0xfffff */
#define ACPI_BIOS_AREA_LEN 0x20000
#define ACPI_EBDA_SCAN_LEN 1024

/* The legacy search of 5.2.5.1, for when the boot loader gave no RSDP: the
 * first KiB of the EBDA (segment at 0x40E), then 0xE0000-0xFFFFF. */
int acpi_rsdp_find_bios(const struct acpi_mem *mem, struct acpi_rsdp *out,
			char *err, size_t errlen);

/* --- System description tables (5.2.6 - 5.2.8) --- */

struct acpi_table {
	uint64_t pa;
	uint32_t length; /* whole table, header included */
	uint8_t revision;
	char sig[5];
	char oem_id[7];
	char oem_table_id[9];
};

/* Validates the table at 'pa': signature ('sig', 4 bytes, or NULL for any),
 * ACPI_HDR_LEN <= length <= ACPI_TABLE_MAX_LEN, the whole length mappable,
 * checksum. Fills 'out' (may be NULL). */
int acpi_table_check(const struct acpi_mem *mem, uint64_t pa, const char *sig,
		     struct acpi_table *out, char *err, size_t errlen);

struct acpi_root {
	uint64_t pa;
	bool xsdt;        /* 64-bit entries (XSDT) rather than 32-bit (RSDT) */
	uint32_t entries; /* number of table addresses */
};

/* Picks the root table: the XSDT if revision >= 2 and its address is
 * non-zero, else the RSDT (5.2.5.3). An invalid XSDT falls back to a valid
 * RSDT, with a warning. */
int acpi_root_init(const struct acpi_mem *mem, const struct acpi_rsdp *rsdp,
		   struct acpi_root *root, char *err, size_t errlen);

/* Physical address held in root entry 'idx' (< root->entries). */
int acpi_root_entry(const struct acpi_mem *mem, const struct acpi_root *root,
		    uint32_t idx, uint64_t *pa, char *err, size_t errlen);

/* Finds the 'instance'-th (0 = first) valid table with signature 'sig'
 * (e.g. "APIC", "FACP", "SSDT"). Entries that are null, unmappable or
 * corrupt are skipped with a warning naming the entry and the reason. */
int acpi_find_table(const struct acpi_mem *mem, const struct acpi_root *root,
		    const char *sig, unsigned int instance,
		    struct acpi_table *out, char *err, size_t errlen);

/* --- MADT (5.2.12) --- */

#define ACPI_MADT_MAX_CPUS 64
#define ACPI_MADT_MAX_IOAPICS 8
#define ACPI_MADT_MAX_ISOS 16

#define ACPI_MADT_PCAT_COMPAT BIT(0) /* dual 8259s present: mask them */

/* Local APIC / x2APIC flags (5.2.12.2). */
#define ACPI_MADT_CPU_ENABLED BIT(0)
#define ACPI_MADT_CPU_ONLINE_CAPABLE BIT(1)

struct acpi_cpu {
	uint32_t apic_id; /* 8-bit for a type 0 entry */
	uint32_t uid;     /* ACPI processor UID */
	uint32_t flags;
	bool x2apic;      /* from a type 9 (Processor Local x2APIC) entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_iso { /* Interrupt Source Override, 5.2.12.5 */
	uint8_t bus;
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* polarity bits 1:0, trigger mode bits 3:2 */
};

struct acpi_madt {
	uint64_t lapic_addr;   /* after any type 5 override */
	bool lapic_addr_override;
	uint32_t flags;        /* ACPI_MADT_PCAT_COMPAT */

	/* Usable CPUs (Enabled), in table order, duplicates removed. */
	struct acpi_cpu cpus[ACPI_MADT_MAX_CPUS];
	uint32_t ncpus;
	uint32_t cpus_extra;     /* usable, but beyond ACPI_MADT_MAX_CPUS */
	uint32_t cpus_disabled;  /* neither Enabled nor Online Capable */
	uint32_t cpus_hotplug;   /* Online Capable only: may be added later */
	uint32_t cpus_duplicate; /* APIC ID already listed: ignored */

	struct acpi_ioapic ioapics[ACPI_MADT_MAX_IOAPICS];
	uint32_t nioapics;       /* all seen; the first ones are recorded */
	struct acpi_iso isos[ACPI_MADT_MAX_ISOS];
	uint32_t nisos;          /* all seen; the first ones are recorded */
	uint32_t nentries;       /* entries walked, of any type */
};

/* Parses the MADT 't' (from acpi_find_table(..., "APIC", ...)). A corrupt
 * entry stops the walk with ACPI_ECORRUPT and a message naming its offset
 * and type, but 'out' keeps everything found before it. A table that
 * cannot be mapped for its full length is ACPI_EMAP. */
int acpi_madt_parse(const struct acpi_mem *mem, const struct acpi_table *t,
		    struct acpi_madt *out, char *err, size_t errlen);

/* --- FADT (5.2.9) --- */

#define ACPI_FADT_RESET_REG_SUP BIT(10)
#define ACPI_FADT_HW_REDUCED_ACPI BIT(20)

/* Generic Address Structure, 5.2.3.2. */
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_PCI_CONFIG 2

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* Fields missing from a short (older) FADT read as 0. */
struct acpi_fadt {
	uint32_t length;
	uint8_t revision;
	uint64_t dsdt;          /* X_DSDT if present and non-zero, else DSDT */
	uint32_t smi_cmd;       /* port; 0 = ACPI mode cannot be switched */
	uint8_t acpi_enable;    /* value to write to smi_cmd */
	uint32_t pm1a_cnt_blk;  /* I/O port (X_PM1a_CNT_BLK if this is 0) */
	uint32_t pm1b_cnt_blk;  /* I/O port, 0 if none */
	uint32_t flags;         /* ACPI_FADT_* */
	bool has_reset_reg;     /* RESET_REG_SUP and the fields are present */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

/* Parses the FADT 't' (from acpi_find_table(..., "FACP", ...)). */
int acpi_fadt_parse(const struct acpi_mem *mem, const struct acpi_table *t,
		    struct acpi_fadt *out, char *err, size_t errlen);

/* --- \_S5 sleep type (7.4.2, AML encoding 20.2) --- */

/* PM1 control register bits, 4.8.3.2.1. */
#define ACPI_PM1_SCI_EN BIT(0)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP_MASK (7u << ACPI_PM1_SLP_TYP_SHIFT)
#define ACPI_PM1_SLP_EN BIT(13)

struct acpi_s5 {
	uint8_t slp_typa; /* for PM1a_CNT */
	uint8_t slp_typb; /* for PM1b_CNT */
};

/* Finds Name(_S5_, Package(){ SLP_TYPa, SLP_TYPb, ... }) in 'len' bytes of
 * AML (any table body) by pattern: NameOp, optional '\', "_S5_",
 * PackageOp. Elements may be Zero, One, or Byte/Word/DWord/QWord
 * constants and must fit in 3 bits. */
int acpi_aml_find_s5(const void *aml, size_t len, struct acpi_s5 *out,
		     char *err, size_t errlen);

/* Validates the DSDT at fadt->dsdt and looks for \_S5 in it. */
int acpi_dsdt_find_s5(const struct acpi_mem *mem,
		      const struct acpi_fadt *fadt, struct acpi_s5 *out,
		      char *err, size_t errlen);

/* The PM1x_CNT value that enters S5: 'cur' with SLP_TYP replaced by
 * 'slp_typ' and SLP_EN set (the write that triggers the transition). */
uint16_t acpi_pm1_cnt_sleep(uint16_t cur, uint8_t slp_typ);

#endif
