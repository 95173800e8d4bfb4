/* Time: the TSC, calibrated once against the PIT, and busy-wait delays. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include "hv/types.h"

void tsc_calibrate(void);
uint64_t tsc_hz(void);
void udelay(uint64_t us);
/* TSC ticks in 'us' microseconds. */
uint64_t tsc_from_us(uint64_t us);
uint64_t tsc_to_us(uint64_t ticks);

#endif
