/* A bump allocator over pages from the page allocator. Tern creates its
 * VMs once at boot and keeps them until power-off, so nothing is freed. */
#include "hv/heap.h"
#include "hv/lib.h"
#include "hv/pmm.h"
#include "hv/spinlock.h"

static spinlock_t heap_lock = SPINLOCK_INIT;
static uint8_t *cur, *end;

void *kzalloc(size_t size)
{
	void *p = NULL;

	size = ALIGN_UP(size, 64);
	spin_lock(&heap_lock);
	if (size > (size_t)(end - cur)) {
		size_t pages = ALIGN_UP(size, 64 * KiB) / PAGE_SIZE;
		paddr_t pa = pmm_alloc(pages, PAGE_SIZE);
		if (!pa)
			goto out;
		cur = phys_to_virt(pa); /* the old tail is abandoned */
		end = cur + pages * PAGE_SIZE;
	}
	p = cur;
	cur += size;
out:
	spin_unlock(&heap_lock);
	if (p)
		memset(p, 0, size);
	return p;
}
