/* Debug-register trace points (see dr_trace.h). */
#include "arch/x86/dr_trace.h"

bool dr_trace_enabled;

void dr_trace_point(const struct dr_cpu *c, enum dr_trace_point p, uint32_t tag,
		    uint64_t guest_dr7, const struct dr_vcpu *d)
{
	uint64_t flags = 0;
	if (d && c->loaded == d && !c->host_regs_in_hw)
		flags |= DR_TRACE_LOADED;
	if (c->armed)
		flags |= DR_TRACE_ARMED;
	if (d && d->exiting)
		flags |= DR_TRACE_EXITING;
	if (d && d->dr6_emulated)
		flags |= DR_TRACE_DR6_EMULATED;
	if (d && d->debugger)
		flags |= DR_TRACE_DEBUGGER;
	/* At SCHED the host's DR7 is in force; at ENTRY and EXIT the guest's. */
	uint64_t dr7 = p == DR_TRACE_SCHED ? c->host_dr7 : guest_dr7;

	register uint64_t r8 __asm__("r8") = c->host_db[0];
	register uint64_t r9 __asm__("r9") = c->host_db[1];
	register uint64_t r10 __asm__("r10") = c->host_db[2];
	register uint64_t r11 __asm__("r11") = c->host_db[3];
	/* A debugger's breakpoint addresses (what the vCPU runs with). */
	bool dbg = d && d->debugger;
	register uint64_t r12 __asm__("r12") = dbg ? d->db[0] : 0;
	register uint64_t r13 __asm__("r13") = dbg ? d->db[1] : 0;
	register uint64_t r14 __asm__("r14") = dbg ? d->db[2] : 0;
	register uint64_t r15 __asm__("r15") = dbg ? d->db[3] : 0;
	__asm__ volatile("xchg %%bx, %%bx"
			 :
			 : "a"((uint64_t)DR_TRACE_MAGIC), "c"((uint64_t)p), "d"((uint64_t)tag),
			   "S"(dr7), "D"(flags), "r"(r8), "r"(r9), "r"(r10), "r"(r11),
			   "r"(r12), "r"(r13), "r"(r14), "r"(r15)
			 : "memory");
}
