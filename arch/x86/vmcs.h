/* VMCS set-up helpers. */
#ifndef ARCH_X86_VMCS_H
#define ARCH_X86_VMCS_H

#include "hv/types.h"
#include "arch/x86/ept.h"

/* Host fields that name per-CPU structures (GS base, TSS, GDT): written
 * whenever a VMCS becomes current on a CPU it did not run on before. */
void vmcs_write_host_percpu(void);
/* The real CR0/CR4 for a guest whose view (read shadow) is 'shadow'. */
uint64_t vmcs_guest_cr0(uint64_t shadow);
uint64_t vmcs_guest_cr4(uint64_t shadow);

/* EPT tables come from the page allocator, reached through the identity map. */
extern const struct ept_ops ept_host_ops;

#endif
