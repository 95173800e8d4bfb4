/* Extended page tables: building a VM's guest-physical to host-physical
 * map (SDM Vol. 3, 29.3). Pure: page allocation and physical-to-virtual
 * access go through callbacks, so the builder is unit-tested on the host. */
#ifndef ARCH_X86_EPT_H
#define ARCH_X86_EPT_H

#include "hv/types.h"

#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT 3
#define EPT_MT_UC 0ULL
#define EPT_MT_WB 6ULL
#define EPT_IGNORE_PAT BIT(6)
#define EPT_LARGE BIT(7)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL

struct ept_ops {
	paddr_t (*alloc_page)(void *ctx);      /* zeroed page, 0 if none */
	void *(*virt)(void *ctx, paddr_t pa);  /* access a table page */
	void *ctx;
};

struct ept {
	paddr_t root;   /* PML4 */
	uint64_t pages; /* table pages allocated */
};

/* Allocates an empty PML4. Returns false without memory. */
bool ept_init(struct ept *e, const struct ept_ops *ops);

/*
 * Maps [gpa, gpa + size) to [hpa, hpa + size) with permissions 'perms'
 * (EPT_R/W/X) and memory type 'mt' (EPT_MT_*). 2 MiB pages are used
 * wherever gpa, hpa and the remaining size allow; 4 KiB pages elsewhere.
 * All three must be 4 KiB aligned. A range that overlaps an existing
 * mapping is rejected (-1) before anything changes... and partially
 * mapped ranges are rolled forward, not back: callers map fresh VMs only.
 * Returns 0, -1 (bad arguments or overlap), -2 (out of memory).
 */
int ept_map(struct ept *e, const struct ept_ops *ops, uint64_t gpa,
	    uint64_t hpa, uint64_t size, uint64_t perms, uint64_t mt);

/* Translates 'gpa'. Returns true and the host address, permissions and
 * page size if it is mapped. */
bool ept_lookup(const struct ept *e, const struct ept_ops *ops, uint64_t gpa,
		uint64_t *hpa, uint64_t *perms, uint64_t *page_size);

/* EPT pointer for the VMCS: write-back paging structures, 4-level walk
 * (SDM Vol. 3, 25.6.11). */
static inline uint64_t ept_pointer(const struct ept *e)
{
	return e->root | (3ULL << 3) | EPT_MT_WB;
}

/* Frees every table page (not the mapped memory). */
void ept_destroy(struct ept *e, const struct ept_ops *ops,
		 void (*free_page)(void *ctx, paddr_t pa));

#endif
