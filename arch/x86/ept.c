/* EPT construction. Four levels (PML4, PDPT, PD, PT), 512 entries each; a
 * PD entry with bit 7 set maps 2 MiB directly. Non-leaf entries carry full
 * RWX so that leaf permissions alone decide (SDM Vol. 3, 29.3.2). */
#include "arch/x86/ept.h"

#define ENTRIES 512

static uint64_t *table(const struct ept_ops *ops, uint64_t entry)
{
	return ops->virt(ops->ctx, entry & EPT_ADDR_MASK);
}

bool ept_init(struct ept *e, const struct ept_ops *ops)
{
	e->pages = 0;
	e->root = ops->alloc_page(ops->ctx);
	if (!e->root)
		return false;
	e->pages = 1;
	return true;
}

/* Returns the next-level table under *entry, allocating it if absent.
 * NULL if out of memory or if *entry is a large-page leaf. */
static uint64_t *walk_alloc(struct ept *e, const struct ept_ops *ops, uint64_t *entry)
{
	if (!(*entry & EPT_RWX)) {
		paddr_t pa = ops->alloc_page(ops->ctx);
		if (!pa)
			return NULL;
		e->pages++;
		*entry = pa | EPT_RWX;
	} else if (*entry & EPT_LARGE) {
		return NULL;
	}
	return table(ops, *entry);
}

static bool range_free(const struct ept *e, const struct ept_ops *ops,
		       uint64_t gpa, uint64_t size)
{
	for (uint64_t off = 0; off < size;) {
		uint64_t hpa, perms, psz;
		if (ept_lookup(e, ops, gpa + off, &hpa, &perms, &psz))
			return false;
		off += PAGE_SIZE;
	}
	return true;
}

int ept_map(struct ept *e, const struct ept_ops *ops, uint64_t gpa,
	    uint64_t hpa, uint64_t size, uint64_t perms, uint64_t mt)
{
	/* Write without read, and memory types 2, 3 and 7, are EPT
	 * misconfigurations (SDM 29.3.3.1); addresses must fit in 52 bits. */
	if ((gpa | hpa | size) & (PAGE_SIZE - 1) || !size || !(perms & EPT_RWX) ||
	    gpa + size < gpa || gpa + size > (1ULL << 48) || (perms & ~EPT_RWX) ||
	    (perms & (EPT_R | EPT_W)) == EPT_W || mt == 2 || mt == 3 || mt > 6 ||
	    hpa + size < hpa || hpa + size > (1ULL << 52))
		return -1;
	if (!range_free(e, ops, gpa, size))
		return -1;

	uint64_t *pml4 = ops->virt(ops->ctx, e->root);
	while (size) {
		uint64_t *pdpt = walk_alloc(e, ops, &pml4[(gpa >> 39) & 511]);
		uint64_t *pd = pdpt ? walk_alloc(e, ops, &pdpt[(gpa >> 30) & 511]) : NULL;
		if (!pd)
			return -2;
		uint64_t *pde = &pd[(gpa >> 21) & 511];
		uint64_t leaf = perms | (mt << EPT_MT_SHIFT) | EPT_IGNORE_PAT;

		if (!(gpa & (LARGE_PAGE_SIZE - 1)) && !(hpa & (LARGE_PAGE_SIZE - 1)) &&
		    size >= LARGE_PAGE_SIZE && !(*pde & EPT_RWX)) {
			*pde = hpa | leaf | EPT_LARGE;
			gpa += LARGE_PAGE_SIZE;
			hpa += LARGE_PAGE_SIZE;
			size -= LARGE_PAGE_SIZE;
			continue;
		}
		uint64_t *pt = walk_alloc(e, ops, pde);
		if (!pt)
			return -2;
		pt[(gpa >> 12) & 511] = hpa | leaf;
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
		size -= PAGE_SIZE;
	}
	return 0;
}

bool ept_lookup(const struct ept *e, const struct ept_ops *ops, uint64_t gpa,
		uint64_t *hpa, uint64_t *perms, uint64_t *page_size)
{
	uint64_t entry = e->root | EPT_RWX;
	static const unsigned shifts[4] = { 39, 30, 21, 12 };

	for (int level = 0; level < 4; level++) {
		uint64_t *t = table(ops, entry);
		entry = t[(gpa >> shifts[level]) & 511];
		if (!(entry & EPT_RWX))
			return false;
		bool leaf = level == 3 || ((level == 1 || level == 2) && (entry & EPT_LARGE));
		if (leaf) {
			uint64_t psz = 1ULL << shifts[level];
			*hpa = (entry & EPT_ADDR_MASK & ~(psz - 1)) | (gpa & (psz - 1));
			*perms = entry & EPT_RWX;
			*page_size = psz;
			return true;
		}
	}
	return false;
}

static void free_level(const struct ept_ops *ops, uint64_t pa, int level,
		       void (*free_page)(void *ctx, paddr_t pa))
{
	uint64_t *t = ops->virt(ops->ctx, pa);
	if (level < 3) {
		for (unsigned i = 0; i < ENTRIES; i++)
			if ((t[i] & EPT_RWX) && !(t[i] & EPT_LARGE))
				free_level(ops, t[i] & EPT_ADDR_MASK, level + 1, free_page);
	}
	free_page(ops->ctx, pa);
}

void ept_destroy(struct ept *e, const struct ept_ops *ops,
		 void (*free_page)(void *ctx, paddr_t pa))
{
	if (e->root)
		free_level(ops, e->root, 0, free_page);
	e->root = 0;
	e->pages = 0;
}
