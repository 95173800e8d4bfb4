/* x86 part of a vCPU: guest registers not held in the VMCS, the VMCS,
 * the debug-register state and pending events. */
#ifndef ARCH_X86_VCPU_ARCH_H
#define ARCH_X86_VCPU_ARCH_H

#include "hv/types.h"
#include "arch/x86/dr.h"

struct vlapic;

/* SDM register numbers, as used in exit qualifications (Table 28-3). */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

/* Layout fixed by arch/x86/vmx_entry.asm. The RSP slot is unused: the
 * guest RSP lives in the VMCS. */
struct guest_regs {
	uint64_t gpr[16];
};

/* An event to inject at the next VM entry (SDM Vol. 3, 27.6). */
struct pending_event {
	bool valid;
	uint8_t vector;
	uint8_t type;   /* 0 ext. interrupt, 2 NMI, 3 hw exception, 4 sw int, 6 sw exception */
	bool has_error;
	uint32_t error;
};

/* FXSAVE image: guest x87/SSE state, switched when vCPUs share a CPU. */
struct fx_state {
	uint8_t bytes[512];
} __aligned(16);

struct vcpu_arch {
	struct guest_regs regs; /* must stay first (asm) */
	paddr_t vmcs;
	bool launched;          /* VMLAUNCH done since the last VMCLEAR */
	int loaded_cpu;         /* pCPU whose current-VMCS this is, -1 none */
	uint16_t vpid;
	uint32_t proc;          /* current primary processor-based controls */
	uint32_t exc_bitmap;    /* current exception bitmap */
	uint64_t cr2;           /* not in the VMCS */
	uint64_t cr0_shadow, cr4_shadow; /* the guest's view of CR0/CR4 */
	struct pending_event event;
	uint32_t event_instr_len; /* for software interrupts/exceptions */
	struct dr_vcpu dr;      /* debug-register state, see dr.h */
	struct fx_state fx;
	bool fx_valid;
	/* MSRs kept here because the VMCS does not hold them. */
	uint64_t msr_kernel_gs_base, msr_star, msr_lstar, msr_cstar, msr_sfmask;
	uint64_t msr_tsc_aux, msr_misc_enable, msr_apic_base;
	uint64_t msr_tsc_deadline;
	/* Wait-for-SIPI state of application vCPUs. */
	bool wait_for_sipi;
	struct vlapic *lapic;   /* virtual local APIC (arch/x86/vlapic.h) */
	/* First RIP, applied when the VMCS is first loaded. */
	uint64_t start_rip;
	bool start_rip_valid;
};

#endif
