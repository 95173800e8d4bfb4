/* x86 part of the per-CPU structure. */
#ifndef ARCH_X86_CPU_ARCH_H
#define ARCH_X86_CPU_ARCH_H

#include "hv/types.h"
#include "arch/x86/dr.h"
#include "arch/x86/gdt.h"

struct percpu;
struct vcpu_arch;

struct cpu_arch {
	struct gdt_cpu gdt;
	void *stack_top;     /* this CPU's hypervisor stack */
	paddr_t vmxon_region;
	bool vmx_on;
	paddr_t current_vmcs;               /* VMPTRLD'd here, 0 if none */
	struct vcpu_arch *current_vcpu_arch; /* owner of current_vmcs */
	struct dr_cpu dr;                   /* debug registers of this CPU */
	uint64_t host_cr2;
	void *native_msr_owner;             /* vCPU whose SYSCALL MSRs are loaded */
	void *fpu_owner;                    /* vCPU whose FPU state is loaded */
};

/* %gs:0 holds the per-CPU self pointer: set for the boot CPU by
 * boot/entry.asm before any C code, for the others by percpu_init_cpu()
 * first thing in ap_entry(). */
static inline struct percpu *arch_this_cpu_ptr(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
