/* Tern's own page tables: an identity map of physical memory. */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "hv/types.h"

#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_U BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_G BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

struct range_set;

/*
 * Builds the final page tables and switches to them: every address below
 * max(4 GiB, top of RAM) identity mapped, RAM write-back, the rest uncached;
 * Tern's text read-only and executable, everything else no-execute (when
 * the CPU has NX); 'exec_page' (the AP trampoline) executable as well.
 */
void paging_init(const struct range_set *ram, paddr_t exec_page);
/* The CR3 value every CPU loads. */
paddr_t paging_root(void);
bool paging_nx_enabled(void);

#endif
