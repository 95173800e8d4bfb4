/* Operations on the current vCPU for exit handlers: GPRs, RIP, event
 * injection, control-register writes, stopping with a report. */
#include "arch/x86/cpu.h"
#include "arch/x86/vcpu_ops.h"
#include "arch/x86/vlapic.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmx_guest_check.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_names.h"
#include "arch/x86/vmx_ops.h"
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched_core.h"
#include "hv/vm.h"

uint64_t vcpu_gpr(struct vcpu *v, unsigned int n)
{
	if (n == GPR_RSP)
		return vmcs_readl(GUEST_RSP);
	return v->arch.regs.gpr[n & 15];
}

void vcpu_set_gpr(struct vcpu *v, unsigned int n, uint64_t val)
{
	if (n == GPR_RSP)
		vmcs_writel(GUEST_RSP, val);
	else
		v->arch.regs.gpr[n & 15] = val;
}


void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	v->arch.event = (struct pending_event){ true, vector, INTR_TYPE_HW_EXC, has_error, error };
	v->stats.injected++;
}

void vcpu_inject_ud(struct vcpu *v)
{
	vcpu_inject_exception(v, 6, false, 0);
}

void vcpu_inject_gp(struct vcpu *v)
{
	vcpu_inject_exception(v, 13, true, 0);
}

unsigned int vcpu_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR) >> 5) & 3;
}

uint64_t vcpu_guest_cr4(struct vcpu *v)
{
	/* Bits Tern owns come from the read shadow, the rest from CR4. */
	uint64_t mask = vmcs_readl(CR4_GUEST_HOST_MASK);
	return (vmcs_readl(GUEST_CR4) & ~mask) | (v->arch.cr4_shadow & mask);
}

bool vcpu_long_mode(void)
{
	return vmcs_read64(GUEST_IA32_EFER) & EFER_LMA;
}

void vcpu_dump(struct vcpu *v)
{
	static const struct { const char *name; uint32_t field; } f[] = {
		{ "RIP", GUEST_RIP }, { "RSP", GUEST_RSP }, { "RFLAGS", GUEST_RFLAGS },
		{ "CR0", GUEST_CR0 }, { "CR3", GUEST_CR3 }, { "CR4", GUEST_CR4 },
		{ "EFER", GUEST_IA32_EFER }, { "CS", GUEST_CS_SEL }, { "CS.base", GUEST_CS_BASE },
		{ "CS.limit", GUEST_CS_LIMIT }, { "CS.ar", GUEST_CS_AR }, { "SS", GUEST_SS_SEL },
		{ "SS.ar", GUEST_SS_AR }, { "DS", GUEST_DS_SEL }, { "DS.ar", GUEST_DS_AR },
		{ "ES.ar", GUEST_ES_AR }, { "FS.ar", GUEST_FS_AR }, { "GS.ar", GUEST_GS_AR },
		{ "TR", GUEST_TR_SEL }, { "TR.base", GUEST_TR_BASE }, { "TR.limit", GUEST_TR_LIMIT },
		{ "TR.ar", GUEST_TR_AR }, { "LDTR.ar", GUEST_LDTR_AR },
		{ "GDTR.base", GUEST_GDTR_BASE }, { "GDTR.limit", GUEST_GDTR_LIMIT },
		{ "IDTR.base", GUEST_IDTR_BASE }, { "IDTR.limit", GUEST_IDTR_LIMIT },
		{ "intr.state", GUEST_INTERRUPTIBILITY }, { "activity", GUEST_ACTIVITY_STATE },
		{ "DR7", GUEST_DR7 }, { "pend.dbg", GUEST_PENDING_DBG }, { "link.ptr", VMCS_LINK_POINTER },
		{ "entry.ctls", ENTRY_CTLS }, { "entry.intr", ENTRY_INTR_INFO },
		{ "proc2.ctls", PROC_BASED_CTLS2 },
		{ "exit.qual", EXIT_QUALIFICATION },
	};
	/* Built whole and printed at once, so that dumps from two CPUs do
	 * not interleave. */
	static char buf[MAX_CPUS][2048];
	char *out = buf[cpu_id()];
	size_t n = (size_t)fmt_snprintf(out, sizeof(buf[0]), "  vm %s vcpu %u guest state:\n",
					v->vm->name, v->id);
	for (unsigned i = 0; i < ARRAY_SIZE(f) && n < sizeof(buf[0]); i++) {
		uint64_t val = 0;
		vmread_safe(f[i].field, &val);
		bool eol = i % 3 == 2 || i == ARRAY_SIZE(f) - 1;
		n += (size_t)fmt_snprintf(out + n, sizeof(buf[0]) - n,
					  eol ? "%s%-10s %#llx\n" : "%s%-10s %#-18llx",
					  i % 3 ? "  " : "    ", f[i].name,
					  (unsigned long long)val);
	}
	if (n < sizeof(buf[0]))
		fmt_snprintf(out + n, sizeof(buf[0]) - n,
			     "    RAX=%#llx RBX=%#llx RCX=%#llx RDX=%#llx RSI=%#llx RDI=%#llx\n",
			     (unsigned long long)v->arch.regs.gpr[GPR_RAX],
			     (unsigned long long)v->arch.regs.gpr[GPR_RBX],
			     (unsigned long long)v->arch.regs.gpr[GPR_RCX],
			     (unsigned long long)v->arch.regs.gpr[GPR_RDX],
			     (unsigned long long)v->arch.regs.gpr[GPR_RSI],
			     (unsigned long long)v->arch.regs.gpr[GPR_RDI]);
	console_puts(out);
}

void vcpu_stop(struct vcpu *v, int why, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (why != VM_END_HALTED) {
		log_err("vm %s vcpu %u stopped: %s", v->vm->name, v->id, msg);
		vcpu_dump(v);
	} else {
		log_info("vm %s: %s", v->vm->name, msg);
	}
	sched_stop_vcpu(v, why, msg);
}

static uint64_t vmcs_peek(uint32_t field)
{
	uint64_t v = 0;
	vmread_safe(field, &v);
	return v;
}

/* The guest-state area of the current VMCS, for vmx_guest_state_check(). */
static void read_guest_state(struct vmx_guest_state *g)
{
	/* A segment's base, limit and access-rights fields lie as far from
	 * ES's as its selector field from ES's (SDM Appendix B). */
	for (uint32_t i = 0; i < VSEG_COUNT; i++) {
		uint32_t off = 2 * i;
		g->seg[i].sel = (uint16_t)vmcs_peek(GUEST_ES_SEL + off);
		g->seg[i].base = vmcs_peek(GUEST_ES_BASE + off);
		g->seg[i].limit = (uint32_t)vmcs_peek(GUEST_ES_LIMIT + off);
		g->seg[i].ar = (uint32_t)vmcs_peek(GUEST_ES_AR + off);
	}
	g->cr0 = vmcs_peek(GUEST_CR0);
	g->cr3 = vmcs_peek(GUEST_CR3);
	g->cr4 = vmcs_peek(GUEST_CR4);
	g->dr7 = vmcs_peek(GUEST_DR7);
	g->rip = vmcs_peek(GUEST_RIP);
	g->rflags = vmcs_peek(GUEST_RFLAGS);
	g->efer = vmcs_peek(GUEST_IA32_EFER);
	g->pat = vmcs_peek(GUEST_IA32_PAT);
	g->debugctl = vmcs_peek(GUEST_IA32_DEBUGCTL);
	g->pending_dbg = vmcs_peek(GUEST_PENDING_DBG);
	g->link_ptr = vmcs_peek(VMCS_LINK_POINTER);
	g->gdtr_base = vmcs_peek(GUEST_GDTR_BASE);
	g->idtr_base = vmcs_peek(GUEST_IDTR_BASE);
	g->gdtr_limit = (uint32_t)vmcs_peek(GUEST_GDTR_LIMIT);
	g->idtr_limit = (uint32_t)vmcs_peek(GUEST_IDTR_LIMIT);
	g->interruptibility = (uint32_t)vmcs_peek(GUEST_INTERRUPTIBILITY);
	g->activity = (uint32_t)vmcs_peek(GUEST_ACTIVITY_STATE);
	g->entry_ctls = (uint32_t)vmcs_peek(ENTRY_CTLS);
	g->entry_intr_info = (uint32_t)vmcs_peek(ENTRY_INTR_INFO);
	g->proc2_ctls = (uint32_t)vmcs_peek(PROC_BASED_CTLS2);
	g->cr0_fixed0 = vmx_cfg.caps.cr0_fixed0;
	g->cr0_fixed1 = vmx_cfg.caps.cr0_fixed1;
	g->cr4_fixed0 = vmx_cfg.caps.cr4_fixed0;
	g->cr4_fixed1 = vmx_cfg.caps.cr4_fixed1;
	g->phys_addr_bits = cpuid(0x80000008u, 0).eax & 0xff;
}

/* A failed VM entry (SDM 27.8): exit reason bit 31 with basic reason 33
 * (invalid guest state), 34 (MSR loading) or 41 (machine check). For
 * reason 33 the processor rarely says which check failed, so Tern runs
 * the checks of SDM 27.3.1 itself and names the first that fails. */
void vcpu_entry_failure(struct vcpu *v, uint32_t reason)
{
	uint32_t basic = reason & 0xffff;
	uint64_t qual = vmcs_readl(EXIT_QUALIFICATION);
	const char *what;

	if (basic == EXIT_ENTRY_FAIL_GUEST) {
		struct vmx_guest_state g;
		read_guest_state(&g);
		what = vmx_guest_state_check(&g);
		if (qual == 2)
			what = "PDPTEs: loading them failed";
		else if (qual == 3)
			what = "NMI injection: blocked by the interruptibility state";
		else if (qual == 4)
			what = "VMCS link pointer: invalid";
		else if (!what)
			what = "a check Tern does not model (SDM 27.3.1)";
	} else {
		what = basic == EXIT_ENTRY_FAIL_MSR ? "MSR loading failed" :
			"machine check during VM entry";
	}
	vcpu_stop(v, VM_END_ENTRY_FAILED, "VM entry failed: %s (exit reason %#x, qualification %llu)",
		  what, reason, (unsigned long long)qual);
}

/* Guest writes to CR0/CR4 bits Tern owns (the guest/host masks), and
 * CR8. SDM 25.6.6: a MOV to CR exits if it would change an owned bit from
 * its read-shadow value. */
static bool emulate_cr0(struct vcpu *v, uint64_t val)
{
	struct vcpu_arch *va = &v->arch;
	if (val >> 32 || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	uint64_t efer = vmcs_read64(GUEST_IA32_EFER);
	bool pg_on = (val & CR0_PG) && !(va->cr0_shadow & CR0_PG);
	bool pg_off = !(val & CR0_PG) && (va->cr0_shadow & CR0_PG);
	if (pg_on && (efer & EFER_LME)) {
		/* Entering IA-32e mode (SDM 10.8.5): needs PAE. */
		if (!(va->cr4_shadow & CR4_PAE))
			return false;
		vmcs_write64(GUEST_IA32_EFER, efer | EFER_LMA);
		vmcs_write32(ENTRY_CTLS, vmcs_read32(ENTRY_CTLS) | ENTRY_IA32E_GUEST);
	} else if (pg_off && (efer & EFER_LMA)) {
		vmcs_write64(GUEST_IA32_EFER, efer & ~EFER_LMA);
		vmcs_write32(ENTRY_CTLS, vmcs_read32(ENTRY_CTLS) & ~ENTRY_IA32E_GUEST);
	}
	va->cr0_shadow = val | CR0_ET;
	vmcs_writel(CR0_READ_SHADOW, va->cr0_shadow);
	vmcs_writel(GUEST_CR0, vmcs_guest_cr0(va->cr0_shadow));
	return true;
}

static bool emulate_cr4(struct vcpu *v, uint64_t val)
{
	struct vcpu_arch *va = &v->arch;
	/* No nested VMX, no SMX; reserved bits fault. */
	if (val & (CR4_VMXE | CR4_SMXE) || val >> 32 ||
	    (!(val & CR4_PAE) && vcpu_long_mode()))
		return false;
	va->cr4_shadow = val;
	vmcs_writel(CR4_READ_SHADOW, val);
	vmcs_writel(GUEST_CR4, vmcs_guest_cr4(val));
	return true;
}

enum exit_action vmexit_cr_access(struct vcpu *v, struct cr_qual q)
{
	uint64_t val;
	bool ok = true;

	switch (q.type) {
	case 0: /* MOV to CR */
		val = vcpu_gpr(v, q.gpr);
		if (!vcpu_long_mode())
			val &= 0xffffffffu;
		if (q.cr == 0)
			ok = emulate_cr0(v, val);
		else if (q.cr == 4)
			ok = emulate_cr4(v, val);
		else if (q.cr == 8) {
			/* CR8 is TPR[7:4] (SDM 10.8.6.1); bits 63:4 reserved. */
			ok = !(val >> 4);
			if (ok)
				vlapic_cr8_write(v, val);
		} else
			ok = false;
		break;
	case 1: /* MOV from CR (only CR8 can exit this way) */
		vcpu_set_gpr(v, q.gpr, vlapic_cr8_read(v));
		break;
	case 3: /* LMSW: may set PE, MP, EM, TS; never clear PE */
		val = (v->arch.cr0_shadow & ~0xeULL) | (q.lmsw_src & 0xf) |
		      (v->arch.cr0_shadow & CR0_PE);
		ok = emulate_cr0(v, val);
		break;
	default: /* CLTS only exits when TS is owned, which it is not */
		break;
	}
	if (!ok) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}
