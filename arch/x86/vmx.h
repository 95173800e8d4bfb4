/* VMX root operation: feature checks, the control words every VMCS uses,
 * and VMXON on each CPU. */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include "hv/types.h"
#include "arch/x86/vmx_caps.h"

/* The adjusted control words and capabilities, decided once on the boot
 * CPU and used for every VMCS (all CPUs must agree; checked per CPU). */
struct vmx_config {
	struct vmx_caps caps;
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry;
	bool vpid;           /* VPID in use */
	bool mtf;            /* monitor trap flag available */
	bool invept_single;  /* else all-context */
	unsigned preempt_shift; /* timer ticks at TSC >> preempt_shift */
};

extern struct vmx_config vmx_cfg;

/* Checks on the boot CPU that VMX and everything Tern needs is there and
 * computes vmx_cfg. Returns false with a message naming the missing feature
 * or the refused control. */
bool vmx_global_init(char *err, size_t len);
/* Enables VMX on this CPU (feature control, CR0/CR4 fixed bits, VMXON).
 * Returns false with a message. */
bool vmx_cpu_enable(char *err, size_t len);

#endif
