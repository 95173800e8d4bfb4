/* hv.c: hypervisor detection through the CPUID conventions shared by KVM,
 * Hyper-V, Xen and Tern: CPUID.1:ECX bit 31 says "a hypervisor is present"
 * (reserved as 0 on real CPUs, SDM Vol. 2A CPUID), and leaf 0x40000000
 * returns the hypervisor's signature in EBX, ECX, EDX. */
#include <stdint.h>
#include "hv.h"
#include "cpu.h"
#include "string.h"

int hv_signature(char sig[13])
{
	struct cpuid_regs r = cpuid(1, 0);

	sig[0] = '\0';
	if (!(r.ecx & (1u << 31)))
		return 0;
	r = cpuid(0x40000000, 0);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	return 1;
}

int hv_is_tern(void)
{
	char sig[13];

	return hv_signature(sig) && !strcmp(sig, "TernTernTern");
}
