/* Operations on the current vCPU used by exit handlers: registers, RIP,
 * event injection, stopping. The vCPU's VMCS must be current. */
#ifndef ARCH_X86_VCPU_OPS_H
#define ARCH_X86_VCPU_OPS_H

#include "hv/types.h"
#include "hv/vcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_ops.h"

#define VEC_DB_GUEST 1
#define INTR_TYPE_EXT 0
#define INTR_TYPE_NMI 2
#define INTR_TYPE_HW_EXC 3
#define INTR_TYPE_SW_INT 4
#define INTR_TYPE_PRIV_SW_EXC 5
#define INTR_TYPE_SW_EXC 6
#define INTR_INFO_VALID BIT(31)
#define INTR_INFO_ERROR BIT(11)

bool vcpu_long_mode(void);

/* Completes an emulated instruction, RIP now 'next': as after any
 * completed instruction, blocking by STI or MOV SS ends (SDM 26.4.1.2
 * would otherwise fail the next entry), RF is cleared (SDM 18.3.1.1), and
 * a single-stepping guest (RFLAGS.TF) gets its #DB, as a pending debug
 * exception with BS. Inline: it is on every exit that emulates. */
static inline void vcpu_complete_instruction(uint64_t next)
{
	vmcs_writel(GUEST_RIP, next);
	uint32_t intr = vmcs_read32(GUEST_INTERRUPTIBILITY);
	if (unlikely(intr & 3))
		vmcs_write32(GUEST_INTERRUPTIBILITY, intr & ~3u);
	uint64_t rflags = vmcs_readl(GUEST_RFLAGS);
	if (unlikely(rflags & (RFLAGS_RF | RFLAGS_TF))) {
		if (rflags & RFLAGS_RF)
			vmcs_writel(GUEST_RFLAGS, rflags & ~RFLAGS_RF);
		if (rflags & RFLAGS_TF)
			vmcs_writel(GUEST_PENDING_DBG, vmcs_readl(GUEST_PENDING_DBG) | BIT(14));
	}
}

/* Moves RIP past the instruction that exited (VM-exit instruction length). */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
	uint64_t rip = vmcs_readl(GUEST_RIP) + vmcs_read32(EXIT_INSTR_LEN);
	/* Outside 64-bit mode EIP wraps at 4 GiB; only then is the mode
	 * worth a VMREAD. */
	if (unlikely(rip > 0xffffffffULL) && !vcpu_long_mode())
		rip &= 0xffffffffu;
	vcpu_complete_instruction(rip);
}

uint64_t vcpu_gpr(struct vcpu *v, unsigned int n);
void vcpu_set_gpr(struct vcpu *v, unsigned int n, uint64_t val);
/* Queues a hardware exception for the next VM entry. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_gp(struct vcpu *v);
/* Current privilege level of the guest (SS.DPL). */
unsigned int vcpu_cpl(void);
/* CR4 as the guest sees it. */
uint64_t vcpu_guest_cr4(struct vcpu *v);

/* Stops this vCPU for good with a report; the VM ends when all have. */
void vcpu_stop(struct vcpu *v, int why, const char *fmt, ...) __printf(3, 4);
/* Prints the guest state (VMCS) for a report. */
void vcpu_dump(struct vcpu *v);

#endif
