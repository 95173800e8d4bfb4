/* Platform discovery through ACPI: the CPUs (MADT), how to power off
 * (FADT + \_S5), the LAPIC and the TSC; then the other CPUs are started. */
#include "arch/x86/platform.h"
#include "arch/x86/acpi.h"
#include "arch/x86/acpi_power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/lapic.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "hv/cmdline.h"
#include "hv/log.h"
#include "hv/mb2.h"
#include "hv/percpu.h"
#include "hv/pmm.h"

static struct acpi_madt madt;
static bool have_madt;
static struct acpi_fadt fadt;
static struct acpi_s5 s5;
static bool can_power_off;

static const void *identity_map(void *ctx, uint64_t pa, size_t len)
{
	/* Everything below the top of the identity map is reachable. */
	if (pa + len < pa || pa + len > 64 * GiB)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static void acpi_warn(void *ctx, const char *msg)
{
	log_warn("ACPI: %s", msg);
}

static const struct acpi_mem acpi_mem = { identity_map, NULL, acpi_warn };

paddr_t platform_trampoline_page(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nmmap; i++) {
		const struct mem_range *m = &bi->mmap[i];
		if (m->type == MB2_MEM_AVAILABLE && m->base <= TRAMPOLINE_PA &&
		    m->base + m->len >= TRAMPOLINE_PA + PAGE_SIZE)
			return TRAMPOLINE_PA;
	}
	return 0;
}

static bool find_rsdp(const struct boot_info *bi, struct acpi_rsdp *rsdp)
{
	char err[160];

	if (bi->rsdp) {
		if (acpi_rsdp_check(bi->rsdp, bi->rsdp_len, rsdp, err, sizeof(err)) == ACPI_OK)
			return true;
		log_warn("ACPI: RSDP from the boot loader is invalid: %s", err);
	}
	if (acpi_rsdp_find_bios(&acpi_mem, rsdp, err, sizeof(err)) == ACPI_OK)
		return true;
	log_warn("ACPI: no RSDP (%s)", err);
	return false;
}

static void acpi_discover(const struct boot_info *bi)
{
	struct acpi_rsdp rsdp;
	struct acpi_root root;
	struct acpi_table t;
	char err[192];

	if (!find_rsdp(bi, &rsdp))
		return;
	if (acpi_root_init(&acpi_mem, &rsdp, &root, err, sizeof(err)) != ACPI_OK) {
		log_warn("ACPI: no usable root table: %s", err);
		return;
	}
	log_info("ACPI: revision %u RSDP, %s with %u entries, OEM '%s'",
		 rsdp.revision, root.xsdt ? "XSDT" : "RSDT", root.entries,
		 rsdp.oem_id);

	if (acpi_find_table(&acpi_mem, &root, "APIC", 0, &t, err, sizeof(err)) == ACPI_OK) {
		int rc = acpi_madt_parse(&acpi_mem, &t, &madt, err, sizeof(err));
		if (rc != ACPI_OK)
			log_err("ACPI: MADT: %s%s", err,
				madt.ncpus ? " (using the CPUs found before it)" : "");
		have_madt = madt.ncpus > 0;
		if (madt.cpus_extra)
			log_warn("ACPI: %u CPUs beyond Tern's limit of %u are not used",
				 madt.cpus_extra, ACPI_MADT_MAX_CPUS);
	} else {
		log_warn("ACPI: no MADT (%s); only the boot CPU will run", err);
	}

	if (acpi_find_table(&acpi_mem, &root, "FACP", 0, &t, err, sizeof(err)) == ACPI_OK &&
	    acpi_fadt_parse(&acpi_mem, &t, &fadt, err, sizeof(err)) == ACPI_OK &&
	    acpi_dsdt_find_s5(&acpi_mem, &fadt, &s5, err, sizeof(err)) == ACPI_OK &&
	    fadt.pm1a_cnt_blk) {
		can_power_off = true;
	} else {
		log_warn("ACPI: power-off unavailable: %s", err);
	}
}

void acpi_power_off(void)
{
	if (!can_power_off)
		return;
	/* Switch to ACPI mode first if the firmware left it in legacy mode. */
	if (!(inw((uint16_t)fadt.pm1a_cnt_blk) & ACPI_PM1_SCI_EN) && fadt.smi_cmd &&
	    fadt.acpi_enable) {
		outb((uint16_t)fadt.smi_cmd, fadt.acpi_enable);
		for (int i = 0; i < 300 && !(inw((uint16_t)fadt.pm1a_cnt_blk) & ACPI_PM1_SCI_EN); i++)
			udelay(10000);
	}
	uint16_t a = inw((uint16_t)fadt.pm1a_cnt_blk);
	outw((uint16_t)fadt.pm1a_cnt_blk, acpi_pm1_cnt_sleep(a, s5.slp_typa));
	if (fadt.pm1b_cnt_blk) {
		uint16_t b = inw((uint16_t)fadt.pm1b_cnt_blk);
		outw((uint16_t)fadt.pm1b_cnt_blk, acpi_pm1_cnt_sleep(b, s5.slp_typb));
	}
	udelay(100000);
}

unsigned int platform_cpu_count(void)
{
	return have_madt ? madt.ncpus : 1;
}

void platform_init(const struct boot_info *bi, const struct tern_options *o)
{
	acpi_discover(bi);
	/* A PC with legacy 8259 PICs: mask them, Tern uses only the LAPIC. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	lapic_init_boot(true);
	tsc_calibrate();

	uint32_t bsp = lapic_id();
	unsigned n = 0;
	uint32_t apic_ids[MAX_CPUS];
	apic_ids[n++] = bsp;
	if (have_madt) {
		for (unsigned i = 0; i < madt.ncpus && n < MAX_CPUS; i++)
			if (madt.cpus[i].apic_id != bsp)
				apic_ids[n++] = madt.cpus[i].apic_id;
	}
	log_info("cpus: %u found (boot CPU APIC id %u)%s", n, bsp,
		 have_madt ? "" : "; no MADT");
	smp_start(apic_ids, n, o, platform_trampoline_page(bi));
}
