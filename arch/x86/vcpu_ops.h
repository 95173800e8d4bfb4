/* Operations on the current vCPU used by exit handlers: registers, RIP,
 * event injection, stopping. The vCPU's VMCS must be current. */
#ifndef ARCH_X86_VCPU_OPS_H
#define ARCH_X86_VCPU_OPS_H

#include "hv/types.h"
#include "hv/vcpu.h"

#define VEC_DB_GUEST 1
#define INTR_TYPE_EXT 0
#define INTR_TYPE_NMI 2
#define INTR_TYPE_HW_EXC 3
#define INTR_TYPE_SW_INT 4
#define INTR_TYPE_PRIV_SW_EXC 5
#define INTR_TYPE_SW_EXC 6
#define INTR_INFO_VALID BIT(31)
#define INTR_INFO_ERROR BIT(11)

uint64_t vcpu_gpr(struct vcpu *v, unsigned int n);
void vcpu_set_gpr(struct vcpu *v, unsigned int n, uint64_t val);
/* Moves RIP past the instruction that exited (VM-exit instruction length). */
void vcpu_skip_instruction(struct vcpu *v);
/* Queues a hardware exception for the next VM entry. */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
void vcpu_inject_ud(struct vcpu *v);
void vcpu_inject_gp(struct vcpu *v);
/* Current privilege level of the guest (SS.DPL). */
unsigned int vcpu_cpl(void);
bool vcpu_long_mode(void);
/* CR4 as the guest sees it. */
uint64_t vcpu_guest_cr4(struct vcpu *v);

/* Stops this vCPU for good with a report; the VM ends when all have. */
void vcpu_stop(struct vcpu *v, int why, const char *fmt, ...) __printf(3, 4);
/* Prints the guest state (VMCS) for a report. */
void vcpu_dump(struct vcpu *v);

#endif
