/* Starting the application processors. */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "hv/types.h"

struct tern_options;

/* Starts the CPUs in apic_ids[1..n-1] (apic_ids[0] is the boot CPU) with
 * INIT-SIPI-SIPI through the trampoline page, honouring maxcpus= and
 * nosmp. A CPU that does not come up is reported and left out. */
void smp_start(const uint32_t *apic_ids, unsigned int n,
	       const struct tern_options *o, paddr_t trampoline);

/* Number of CPUs Tern numbered (online or not): ids are 0..smp_cpu_slots()-1. */
unsigned int smp_cpu_slots(void);

/* Sends an IPI with 'vector' to Tern CPU 'cpu'. */
void smp_send_ipi(unsigned int cpu, uint8_t vector);

#endif
