/* Hypervisor watchpoints: hardware breakpoints on Tern's own addresses,
 * armed on every CPU from watch= options or from code. */
#ifndef ARCH_X86_WATCH_H
#define ARCH_X86_WATCH_H

#include "hv/types.h"
#include "hv/watchspec.h"

struct tern_options;

/* Parses the watch= options (boot CPU, before the others arm them). */
void watch_setup(const struct tern_options *o);
/* Arms the configured watchpoints on this CPU and installs the #DB handler. */
void watch_arm_this_cpu(void);
/* Arms slot 'slot' on this CPU from code. */
bool watch_arm(unsigned int slot, const struct watch_spec *w);
/* Prints the hits recorded since the last call (safe context only). */
void watch_report_pending(void);
/* Hits per slot, all CPUs. */
uint64_t watch_hits(unsigned int slot);
unsigned int watch_count(void);

#endif
