/* The virtual local APIC of each vCPU (xAPIC MMIO page and x2APIC MSRs,
 * timer, IPIs, INIT/SIPI). */
#ifndef ARCH_X86_VLAPIC_H
#define ARCH_X86_VLAPIC_H

#include "hv/types.h"

struct vcpu;

/* What CPUID advertises. */
#define VLAPIC_PRESENT 0
#define VLAPIC_X2APIC 0
#define VLAPIC_TSC_DEADLINE 0

uint64_t vlapic_timer_hz(void);
/* An interrupt is pending and deliverable now / an NMI is pending. */
bool vlapic_has_pending(struct vcpu *v);
bool vlapic_has_nmi(struct vcpu *v);
/* Before VM entry: inject what can be injected, or ask for an
 * interrupt-window exit. */
void vlapic_inject(struct vcpu *v);
void vlapic_intr_window_open(struct vcpu *v);
/* x2APIC and APIC-base MSRs: read returns false if not an APIC MSR;
 * write returns -1 if not an APIC MSR, else 1 (done) or 0 (#GP). */
bool vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
