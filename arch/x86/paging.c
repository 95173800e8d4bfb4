/* Tern's page tables. Tern runs identity mapped (virtual = physical), so
 * guest memory, ACPI tables and MMIO are all reachable at their physical
 * addresses. Large (2 MiB) pages everywhere except the 2 MiB regions that
 * hold Tern's image or the AP trampoline, which get 4 KiB pages so that
 * text can be read-only and data no-execute (SDM Vol. 3, 4.5). */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "hv/memmap.h"
#include "hv/panic.h"
#include "hv/pmm.h"

static paddr_t pml4_pa;
static bool nx;

static uint64_t *table_alloc(void)
{
	paddr_t pa = pmm_alloc_page();
	if (!pa)
		panic("out of memory building page tables");
	return phys_to_virt(pa);
}

static uint64_t *next_level(uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		uint64_t *t = table_alloc();
		*entry = virt_to_phys(t) | PTE_P | PTE_W;
	}
	return phys_to_virt(*entry & PTE_ADDR_MASK);
}

static uint64_t attrs_4k(paddr_t pa, paddr_t exec_page)
{
	uint64_t text_s = (uint64_t)__text_start, text_e = (uint64_t)__text_end;
	uint64_t ro_s = (uint64_t)__rodata_start, ro_e = (uint64_t)__rodata_end;
	uint64_t xd = nx ? PTE_NX : 0;

	if (pa >= text_s && pa < text_e)
		return PTE_P; /* read-only, executable */
	if (pa >= ro_s && pa < ro_e)
		return PTE_P | xd;
	if (pa == exec_page)
		return PTE_P | PTE_W;
	return PTE_P | PTE_W | xd;
}

void paging_init(const struct range_set *ram, paddr_t exec_page)
{
	nx = (rdmsr(MSR_IA32_EFER) & EFER_NXE) != 0;
	uint64_t top = 4 * GiB;
	if (ram->n && ram->r[ram->n - 1].end > top)
		top = ALIGN_UP(ram->r[ram->n - 1].end, GiB);

	uint64_t *pml4 = table_alloc();
	uint64_t img_s = ALIGN_DOWN((uint64_t)__image_start, LARGE_PAGE_SIZE);
	uint64_t img_e = ALIGN_UP((uint64_t)__image_end, LARGE_PAGE_SIZE);
	uint64_t exec_s = ALIGN_DOWN(exec_page, LARGE_PAGE_SIZE);
	uint64_t xd = nx ? PTE_NX : 0;

	for (uint64_t va = 0; va < top; va += LARGE_PAGE_SIZE) {
		uint64_t *pdpt = next_level(&pml4[(va >> 39) & 511]);
		uint64_t *pd = next_level(&pdpt[(va >> 30) & 511]);
		uint64_t *pde = &pd[(va >> 21) & 511];
		bool is_ram = range_set_contains(ram, va, va + LARGE_PAGE_SIZE);

		if ((va >= img_s && va < img_e) || (exec_page && va == exec_s)) {
			uint64_t *pt = next_level(pde);
			for (unsigned i = 0; i < 512; i++) {
				paddr_t pa = va + i * PAGE_SIZE;
				pt[i] = pa | attrs_4k(pa, exec_page);
			}
			continue;
		}
		/* RAM is write-back; anything else (MMIO, holes, firmware
		 * areas partly covered by RAM) is mapped uncached. */
		*pde = va | PTE_P | PTE_W | PTE_PS | xd |
		       (is_ram ? 0 : PTE_PCD | PTE_PWT);
	}

	pml4_pa = virt_to_phys(pml4);
	write_cr3(pml4_pa);
}

paddr_t paging_root(void)
{
	return pml4_pa;
}

bool paging_nx_enabled(void)
{
	return nx;
}
