/* Local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode. */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include "hv/types.h"

#define LAPIC_DEFAULT_BASE 0xfee00000ULL

/* Enables the boot CPU's LAPIC; prefers x2APIC mode when the CPU has it
 * and 'allow_x2apic'. */
void lapic_init_boot(bool allow_x2apic);
/* Enables this (application) CPU's LAPIC in the mode the boot CPU chose. */
void lapic_init_cpu(void);
bool lapic_ready(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi_all_but_self(void);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* One-shot timer interrupt after 'ticks' LAPIC timer ticks (divide by 1);
 * 0 stops it. */
void lapic_timer_oneshot(uint32_t ticks, uint8_t vector);
/* The deadline timer (hv/timer.c). Boot CPU, once: picks TSC-deadline mode
 * if the CPU has it (returns true), else calibrates one-shot mode against
 * the TSC. Then on each CPU: lapic_timer_cpu_init. */
bool lapic_timer_setup(uint8_t vector);
void lapic_timer_cpu_init(uint8_t vector);
/* Interrupt at TSC value 'tsc' (at once if past); 0 stops the timer. */
void lapic_timer_set_deadline(uint64_t tsc);

#endif
