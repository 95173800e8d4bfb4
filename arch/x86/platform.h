/* The platform: ACPI discovery, interrupt controllers, the other CPUs. */
#ifndef ARCH_X86_PLATFORM_H
#define ARCH_X86_PLATFORM_H

#include "hv/types.h"

struct boot_info;
struct tern_options;

#define TRAMPOLINE_PA 0x8000ULL /* must match boot/ap_trampoline.asm */

/* The page the AP trampoline will occupy if it is usable RAM, else 0. */
paddr_t platform_trampoline_page(const struct boot_info *bi);
/* ACPI tables, LAPIC, TSC; finds the CPUs and starts the others. */
void platform_init(const struct boot_info *bi, const struct tern_options *o);

/* CPUs that ACPI describes (usable ones), by Tern CPU number. */
unsigned int platform_cpu_count(void);

#endif
