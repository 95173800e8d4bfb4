/* Physical page allocator: a bitmap over all usable RAM. */
#ifndef TERN_PMM_H
#define TERN_PMM_H

#include "hv/types.h"
#include "hv/memmap.h"

/* Builds the allocator from the usable ranges (which must already exclude
 * Tern's image, the modules and the first MiB). */
void pmm_init(const struct range_set *usable);
/* 'n' contiguous pages aligned to 'align' bytes (a power of two, at least
 * PAGE_SIZE); returns 0 if none are free. Pages are zeroed. */
paddr_t pmm_alloc(size_t n, size_t align);
static inline paddr_t pmm_alloc_page(void)
{
	return pmm_alloc(1, PAGE_SIZE);
}
void pmm_free(paddr_t pa, size_t n);
uint64_t pmm_free_bytes(void);
uint64_t pmm_total_bytes(void);

/* Tern runs identity mapped: physical and virtual addresses coincide. */
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}

#endif
