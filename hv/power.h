/* Ending a run: power the machine off, or halt it. */
#ifndef TERN_POWER_H
#define TERN_POWER_H

#include "hv/types.h"

struct trap_frame;

/* Prints "tern: power off", then ends the emulator run (Bochs magic
 * breakpoint, ACPI S5) and, failing all that, halts. */
__noreturn void machine_power_off(void);
/* Stops this CPU for good (Bochs: ends the run too). */
__noreturn void machine_halt(void);

/* Arch hooks used by panic and power off. arch_stop_other_cpus() NMIs the
 * other CPUs, which then halt for good: after it, cpus_stopping() is true. */
void arch_stop_other_cpus(void);
bool cpus_stopping(void);
void arch_capture_regs(struct trap_frame *f);

#endif
