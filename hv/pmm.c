/* Physical page allocator. One bit per 4 KiB page up to the highest usable
 * address; a set bit means "in use or not RAM". The bitmap itself lives in
 * the first usable range large enough to hold it. Allocation is first fit
 * from a rotating hint, which keeps the common single-page case short. */
#include "hv/pmm.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/spinlock.h"

static uint64_t *bitmap;
static uint64_t npages;   /* pages covered by the bitmap */
static uint64_t nfree;
static uint64_t ntotal;
static uint64_t hint;
static spinlock_t pmm_lock = SPINLOCK_INIT;

static inline bool page_used(uint64_t pfn)
{
	return bitmap[pfn / 64] & BIT(pfn % 64);
}
static inline void mark(uint64_t pfn, bool used)
{
	if (used)
		bitmap[pfn / 64] |= BIT(pfn % 64);
	else
		bitmap[pfn / 64] &= ~BIT(pfn % 64);
}

void pmm_init(const struct range_set *usable)
{
	if (!usable->n)
		panic("no usable memory left for the page allocator");
	uint64_t top = usable->r[usable->n - 1].end;
	npages = top / PAGE_SIZE;
	uint64_t bytes = ALIGN_UP((npages + 63) / 64 * 8, PAGE_SIZE);

	struct range_set free = *usable;
	for (unsigned i = 0; i < free.n; i++) {
		if (free.r[i].end - free.r[i].start >= bytes) {
			bitmap = phys_to_virt(free.r[i].start);
			range_set_remove(&free, free.r[i].start,
					 free.r[i].start + bytes);
			break;
		}
	}
	if (!bitmap)
		panic("no usable range can hold the %llu-byte page bitmap",
		      (unsigned long long)bytes);

	memset(bitmap, 0xff, bytes);
	for (unsigned i = 0; i < free.n; i++)
		for (uint64_t pa = free.r[i].start; pa < free.r[i].end; pa += PAGE_SIZE) {
			mark(pa / PAGE_SIZE, false);
			nfree++;
		}
	ntotal = nfree;
	hint = 0;
}

paddr_t pmm_alloc(size_t n, size_t align)
{
	uint64_t step = align > PAGE_SIZE ? align / PAGE_SIZE : 1;
	paddr_t found = 0;

	if (!n)
		return 0;
	spin_lock(&pmm_lock);
	for (int pass = 0; pass < 2 && !found; pass++) {
		uint64_t start = pass ? 0 : ALIGN_UP(hint, step);
		for (uint64_t pfn = start; pfn + n <= npages; pfn += step) {
			uint64_t i;
			/* Skip whole used words quickly. */
			if (step == 1 && bitmap[pfn / 64] == ~0ULL && pfn % 64 == 0) {
				pfn += 63;
				continue;
			}
			for (i = 0; i < n; i++)
				if (page_used(pfn + i))
					break;
			if (i == n) {
				for (i = 0; i < n; i++)
					mark(pfn + i, true);
				nfree -= n;
				hint = pfn + n;
				found = pfn * PAGE_SIZE;
				break;
			}
		}
	}
	spin_unlock(&pmm_lock);
	if (found)
		memset(phys_to_virt(found), 0, n * PAGE_SIZE);
	return found;
}

void pmm_free(paddr_t pa, size_t n)
{
	spin_lock(&pmm_lock);
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = pa / PAGE_SIZE + i;
		BUG_ON(pfn >= npages || !page_used(pfn));
		mark(pfn, false);
	}
	nfree += n;
	spin_unlock(&pmm_lock);
}

uint64_t pmm_free_bytes(void)
{
	return nfree * PAGE_SIZE;
}

uint64_t pmm_total_bytes(void)
{
	return ntotal * PAGE_SIZE;
}
