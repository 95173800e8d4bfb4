/* Virtual local APIC. Not virtualized yet: guests are told (CPUID.1:EDX
 * bit 9 clear) that there is no APIC, receive no interrupts, and an access
 * to the APIC page ends the VM as any access outside RAM does. */
#include "arch/x86/vlapic.h"
#include "arch/x86/tsc.h"

uint64_t vlapic_timer_hz(void)
{
	return tsc_hz();
}

bool vlapic_has_pending(struct vcpu *v)
{
	return false;
}

bool vlapic_has_nmi(struct vcpu *v)
{
	return false;
}

void vlapic_inject(struct vcpu *v)
{
}

void vlapic_intr_window_open(struct vcpu *v)
{
}

bool vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return false;
}

int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return -1;
}
