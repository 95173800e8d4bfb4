/* Debug-register trace points for Bochs (trace=dr). At each point Tern
 * executes a Bochs magic breakpoint (xchg bx, bx, a no-op elsewhere) with
 * what it believes in registers: RAX = 'DRTR', RCX = the point, RDX = the
 * vCPU (vm id << 8 | vcpu id, 0xffff for none), RSI = the DR7 that should
 * be in force, RDI = flags, R8-R11 = the host's watchpoint addresses,
 * R12-R15 = a debugger's breakpoint addresses (rule 8; 0 without one).
 * A debugger script (run-bochs.sh --trace-dr) prints the real DR0-DR7 at
 * each stop; tools/dr-trace-check compares the two. */
#ifndef ARCH_X86_DR_TRACE_H
#define ARCH_X86_DR_TRACE_H

#include "hv/types.h"
#include "arch/x86/dr.h"

#define DR_TRACE_MAGIC 0x44525452u /* "DRTR" */

enum dr_trace_point {
	DR_TRACE_SCHED = 1, /* top of the scheduler loop: host context */
	DR_TRACE_ENTRY = 2, /* just before VM entry */
	DR_TRACE_EXIT = 3,  /* just after VM exit, before Tern touches DRs */
};

#define DR_TRACE_LOADED BIT(0)  /* the vCPU's DR0-3/DR6 are in the hardware */
#define DR_TRACE_ARMED BIT(1)   /* hypervisor watchpoints armed on this CPU */
#define DR_TRACE_EXITING BIT(2) /* MOV-DR exiting on for the vCPU */
#define DR_TRACE_DR6_EMULATED BIT(3) /* Tern delivered a #DB: DR6 changed */
#define DR_TRACE_DEBUGGER BIT(4) /* a debugger owns the vCPU's DRs (rule 8) */

extern bool dr_trace_enabled;

void dr_trace_point(const struct dr_cpu *c, enum dr_trace_point p, uint32_t tag,
		    uint64_t guest_dr7, const struct dr_vcpu *d);

static inline void dr_trace(const struct dr_cpu *c, enum dr_trace_point p, uint32_t tag,
			    uint64_t guest_dr7, const struct dr_vcpu *d)
{
	if (unlikely(dr_trace_enabled))
		dr_trace_point(c, p, tag, guest_dr7, d);
}

#endif
