/* The hardware side of the debug-register module: the only place in Tern
 * that executes MOV to or from DR0-DR7, plus the VMCS fields and controls
 * the policy in dr.c switches. */
#include "arch/x86/dr.h"
#include "arch/x86/vcpu_arch.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_ops.h"
#include "hv/percpu.h"

uint64_t dr_hw_read(unsigned int n)
{
	uint64_t v = 0;
	switch (n) {
	case 0: __asm__ volatile("mov %%db0, %0" : "=r"(v)); break;
	case 1: __asm__ volatile("mov %%db1, %0" : "=r"(v)); break;
	case 2: __asm__ volatile("mov %%db2, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%db3, %0" : "=r"(v)); break;
	case 6: __asm__ volatile("mov %%db6, %0" : "=r"(v)); break;
	case 7: __asm__ volatile("mov %%db7, %0" : "=r"(v)); break;
	default: break;
	}
	return v;
}

void dr_hw_write(unsigned int n, uint64_t v)
{
	switch (n) {
	case 0: __asm__ volatile("mov %0, %%db0" : : "r"(v)); break;
	case 1: __asm__ volatile("mov %0, %%db1" : : "r"(v)); break;
	case 2: __asm__ volatile("mov %0, %%db2" : : "r"(v)); break;
	case 3: __asm__ volatile("mov %0, %%db3" : : "r"(v)); break;
	case 6: __asm__ volatile("mov %0, %%db6" : : "r"(v)); break;
	case 7: __asm__ volatile("mov %0, %%db7" : : "r"(v)); break;
	default: break;
	}
}

uint64_t dr_hw_guest_dr7(void)
{
	return vmcs_readl(GUEST_DR7);
}

void dr_hw_set_guest_dr7(uint64_t v)
{
	vmcs_writel(GUEST_DR7, v);
}

void dr_hw_set_intercepts(bool on)
{
	struct vcpu_arch *va = this_cpu()->arch.current_vcpu_arch;
	uint32_t proc = on ? va->proc | CPU_MOV_DR_EXIT : va->proc & ~CPU_MOV_DR_EXIT;
	if (proc != va->proc) {
		va->proc = proc;
		vmcs_write32(PROC_BASED_CTLS, proc);
	}
	uint32_t bitmap = on ? va->exc_bitmap | BIT(1) : va->exc_bitmap & ~(uint32_t)BIT(1);
	if (bitmap != va->exc_bitmap) {
		va->exc_bitmap = bitmap;
		vmcs_write32(EXCEPTION_BITMAP, bitmap);
	}
}
