/* Guest-linear to guest-physical translation by walking the guest's page
 * tables in software (SDM Vol. 3, 5.3 to 5.5), and reads of guest memory
 * through it. Access rights are not checked: the reader fetches bytes the
 * guest itself just used (the instruction that exited). */
#include "arch/x86/guest_mem.h"

#define PTE_P BIT(0)
#define PTE_PS BIT(7)
#define ADDR_MASK 0x000ffffffffff000ULL /* bits 51:12 */

static int entry(gm_read_fn rd, void *ctx, gpa_t gpa, unsigned int size, uint64_t *e)
{
	if (!rd(ctx, gpa, size, e))
		return GM_BAD_GPA;
	return (*e & PTE_P) ? GM_OK : GM_NOT_PRESENT;
}

static int walk_32(const struct gm_paging *p, uint32_t la, gm_read_fn rd, void *ctx,
		   gpa_t *gpa)
{
	uint64_t pde, pte;
	int rc = entry(rd, ctx, (p->cr3 & 0xfffff000u) + ((la >> 22) & 0x3ff) * 4, 4, &pde);
	if (rc)
		return rc;
	if ((pde & PTE_PS) && p->pse) {
		/* 4 MiB page: bits 31:22 from the PDE, 39:32 from PDE bits 20:13. */
		uint64_t base = (pde & 0xffc00000u) | ((pde >> 13) & 0xffULL) << 32;
		*gpa = base | (la & 0x3fffff);
		return GM_OK;
	}
	rc = entry(rd, ctx, (pde & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4, 4, &pte);
	if (rc)
		return rc;
	*gpa = (pte & 0xfffff000u) | (la & 0xfff);
	return GM_OK;
}

/* The levels below the top for PAE and 4-level paging: 'e' is the entry
 * that points to the page directory (PDPTE), 'la' the linear address. */
static int walk_from_pdpte(uint64_t pdpte, uint64_t la, gm_read_fn rd, void *ctx, gpa_t *gpa,
			   bool allow_1g)
{
	uint64_t pde, pte;
	if (pdpte & PTE_PS) {
		if (!allow_1g)
			return GM_RESERVED;
		*gpa = (pdpte & ADDR_MASK & ~0x3fffffffULL) | (la & 0x3fffffff);
		return GM_OK;
	}
	int rc = entry(rd, ctx, (pdpte & ADDR_MASK) + ((la >> 21) & 0x1ff) * 8, 8, &pde);
	if (rc)
		return rc;
	if (pde & PTE_PS) {
		*gpa = (pde & ADDR_MASK & ~0x1fffffULL) | (la & 0x1fffff);
		return GM_OK;
	}
	rc = entry(rd, ctx, (pde & ADDR_MASK) + ((la >> 12) & 0x1ff) * 8, 8, &pte);
	if (rc)
		return rc;
	*gpa = (pte & ADDR_MASK) | (la & 0xfff);
	return GM_OK;
}

int gm_translate(const struct gm_paging *p, uint64_t la, gm_read_fn rd, void *ctx, gpa_t *gpa)
{
	uint64_t e;
	int rc;

	switch (p->mode) {
	case GM_PAGING_OFF:
		*gpa = la & 0xffffffffu;
		return GM_OK;
	case GM_PAGING_32:
		return walk_32(p, (uint32_t)la, rd, ctx, gpa);
	case GM_PAGING_PAE:
		/* Four PDPTEs at CR3[31:5] (SDM 5.4.1). */
		rc = entry(rd, ctx, (p->cr3 & 0xffffffe0u) + ((la >> 30) & 3) * 8, 8, &e);
		if (rc)
			return rc;
		return walk_from_pdpte(e, (uint32_t)la, rd, ctx, gpa, false);
	case GM_PAGING_4LEVEL:
		rc = entry(rd, ctx, (p->cr3 & ADDR_MASK) + ((la >> 39) & 0x1ff) * 8, 8, &e);
		if (rc)
			return rc;
		if (e & PTE_PS)
			return GM_RESERVED;
		rc = entry(rd, ctx, (e & ADDR_MASK) + ((la >> 30) & 0x1ff) * 8, 8, &e);
		if (rc)
			return rc;
		return walk_from_pdpte(e, la, rd, ctx, gpa, true);
	default:
		return GM_RESERVED;
	}
}

#ifndef TERN_HOST_TEST
#include "arch/x86/cpu.h"
#include "arch/x86/vcpu_ops.h"
#include "arch/x86/vmx_ops.h"
#include "hv/lib.h"
#include "hv/vm.h"

static bool read_gpa(void *ctx, gpa_t gpa, unsigned int size, uint64_t *val)
{
	const void *p = vm_gpa_to_hva(ctx, gpa, size);
	if (!p)
		return false;
	if (size == 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		*val = v;
	} else {
		memcpy(val, p, 8);
	}
	return true;
}

struct gm_paging gm_current_paging(struct vcpu *v)
{
	uint64_t cr4 = vcpu_guest_cr4(v);
	struct gm_paging p = { GM_PAGING_OFF, vmcs_readl(GUEST_CR3), cr4 & CR4_PSE };
	if (v->arch.cr0_shadow & CR0_PG) {
		if (!(cr4 & CR4_PAE))
			p.mode = GM_PAGING_32;
		else if (vcpu_long_mode())
			p.mode = GM_PAGING_4LEVEL;
		else
			p.mode = GM_PAGING_PAE;
	}
	return p;
}

/* Copies between buf and guest-linear memory, page by page. */
static int copy_linear(struct vcpu *v, uint64_t la, void *buf, size_t len, bool to_guest)
{
	struct gm_paging p = gm_current_paging(v);
	size_t done = 0;
	while (done < len) {
		gpa_t gpa;
		int rc = gm_translate(&p, la + done, read_gpa, v->vm, &gpa);
		if (rc)
			return done ? (int)done : rc;
		size_t chunk = MIN(len - done, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		void *ram = vm_gpa_to_hva(v->vm, gpa, chunk);
		if (!ram)
			return done ? (int)done : GM_BAD_GPA;
		if (to_guest)
			memcpy(ram, (const uint8_t *)buf + done, chunk);
		else
			memcpy((uint8_t *)buf + done, ram, chunk);
		done += chunk;
	}
	return (int)done;
}

int guest_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t len)
{
	return copy_linear(v, la, buf, len, false);
}

int guest_write_linear(struct vcpu *v, uint64_t la, const void *buf, size_t len)
{
	return copy_linear(v, la, (void *)buf, len, true);
}
#endif
