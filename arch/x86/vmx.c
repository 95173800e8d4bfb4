/* VMX root operation (SDM Vol. 3, chapter 24 "Introduction to VMX
 * operation", 24.6-24.8, and Appendix A for the capability MSRs). */
#include "arch/x86/vmx.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_ops.h"
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/panic.h"
#include "hv/percpu.h"
#include "hv/pmm.h"

struct vmx_config vmx_cfg;

/* What every VMCS needs. */
#define PIN_REQUIRED (PIN_EXT_INTR_EXIT | PIN_NMI_EXIT)
#define PIN_OPTIONAL (PIN_VIRTUAL_NMIS | PIN_PREEMPT_TIMER)
#define PROC_REQUIRED (CPU_HLT_EXIT | CPU_MOV_DR_EXIT | CPU_IO_BITMAPS | \
		       CPU_MSR_BITMAPS | CPU_SECONDARY)
#define PROC_OPTIONAL 0
#define PROC2_REQUIRED (CPU2_EPT | CPU2_UNRESTRICTED)
#define PROC2_OPTIONAL (CPU2_VPID | CPU2_RDTSCP | CPU2_INVPCID | CPU2_XSAVES)
#define EXIT_REQUIRED (EXIT_HOST_64BIT | EXIT_SAVE_DEBUG | EXIT_ACK_INTR | \
		       EXIT_LOAD_EFER | EXIT_SAVE_EFER)
#define EXIT_OPTIONAL (EXIT_LOAD_PAT | EXIT_SAVE_PAT | EXIT_SAVE_PREEMPT_TIMER)
#define ENTRY_REQUIRED (ENTRY_LOAD_DEBUG | ENTRY_LOAD_EFER)
#define ENTRY_OPTIONAL (ENTRY_LOAD_PAT)

__noreturn void vmx_insn_failed(const char *insn, uint64_t operand, bool valid)
{
	uint64_t err = 0;
	if (valid && vmread_safe(VM_INSTRUCTION_ERROR, &err) && err)
		panic("%s (operand %#llx) failed: VM-instruction error %llu (%s)",
		      insn, (unsigned long long)operand, (unsigned long long)err,
		      vmx_insn_error_name((uint32_t)err));
	panic("%s (operand %#llx) failed: VMfailInvalid (no current VMCS)",
	      insn, (unsigned long long)operand);
}

static int vmx_ptr_op(bool clear, paddr_t vmcs)
{
	bool invalid, valid_fail;
	if (clear)
		__asm__ volatile("vmclear %2; setc %0; setz %1"
				 : "=qm"(invalid), "=qm"(valid_fail)
				 : "m"(vmcs) : "cc", "memory");
	else
		__asm__ volatile("vmptrld %2; setc %0; setz %1"
				 : "=qm"(invalid), "=qm"(valid_fail)
				 : "m"(vmcs) : "cc", "memory");
	if (invalid)
		return -1;
	if (valid_fail) {
		uint64_t err = 0;
		vmread_safe(VM_INSTRUCTION_ERROR, &err);
		return err ? (int)err : -1;
	}
	return 0;
}

int vmclear_checked(paddr_t vmcs)
{
	return vmx_ptr_op(true, vmcs);
}

int vmptrld_checked(paddr_t vmcs)
{
	return vmx_ptr_op(false, vmcs);
}

static bool adjust(enum vmx_ctl_word w, uint32_t req, uint32_t opt,
		   uint32_t *out, char *err, size_t len)
{
	uint32_t refused;
	*out = vmx_adjust_ctl(vmx_cfg.caps.ctl[w], req, opt, &refused);
	if (refused) {
		char what[200];
		vmx_describe_refused(w, refused, what, sizeof(what));
		fmt_snprintf(err, len, "CPU refused VMX %s", what);
		return false;
	}
	return true;
}

bool vmx_global_init(char *err, size_t len)
{
	struct vmx_caps *c = &vmx_cfg.caps;

	if (!(cpuid(1, 0).ecx & BIT(5))) {
		fmt_snprintf(err, len, "CPU lacks VMX (CPUID.1:ECX.VMX[bit 5] is 0)");
		return false;
	}
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		fmt_snprintf(err, len,
			     "VMX is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx is locked with "
			     "'VMX outside SMX' off); enable VT-x in the firmware setup",
			     (unsigned long long)fc);
		return false;
	}

	vmx_caps_read(c);
	vmx_cfg.revision = (uint32_t)c->basic & 0x7fffffff;
	if (VMX_BASIC_MEMTYPE(c->basic) != VMX_MEMTYPE_WB) {
		fmt_snprintf(err, len, "CPU lacks write-back VMCS memory (IA32_VMX_BASIC memory type %llu)",
			     (unsigned long long)VMX_BASIC_MEMTYPE(c->basic));
		return false;
	}
	if (!((c->ctl[VMX_CTL_PROC] >> 32) & CPU_SECONDARY)) {
		fmt_snprintf(err, len, "CPU lacks secondary processor-based controls, so it lacks EPT");
		return false;
	}
	if (!vmx_ctl_allowed(c, VMX_CTL_PROC2, CPU2_EPT)) {
		fmt_snprintf(err, len, "CPU lacks EPT (secondary control 'enable EPT' not allowed)");
		return false;
	}
	if (!vmx_ctl_allowed(c, VMX_CTL_PROC2, CPU2_UNRESTRICTED)) {
		fmt_snprintf(err, len, "CPU lacks unrestricted guest");
		return false;
	}
	const char *ept_missing = vmx_check_ept_caps(c->ept_vpid);
	if (ept_missing) {
		fmt_snprintf(err, len, "%s", ept_missing);
		return false;
	}

	if (!adjust(VMX_CTL_PIN, PIN_REQUIRED, PIN_OPTIONAL, &vmx_cfg.pin, err, len) ||
	    !adjust(VMX_CTL_PROC, PROC_REQUIRED, PROC_OPTIONAL, &vmx_cfg.proc, err, len) ||
	    !adjust(VMX_CTL_PROC2, PROC2_REQUIRED, PROC2_OPTIONAL, &vmx_cfg.proc2, err, len) ||
	    !adjust(VMX_CTL_EXIT, EXIT_REQUIRED, EXIT_OPTIONAL, &vmx_cfg.exit, err, len) ||
	    !adjust(VMX_CTL_ENTRY, ENTRY_REQUIRED, ENTRY_OPTIONAL, &vmx_cfg.entry, err, len))
		return false;

	/* Interrupt-window exiting is switched on only when needed, and only
	 * if the CPU has it; likewise the monitor trap flag. */
	vmx_cfg.mtf = vmx_ctl_allowed(c, VMX_CTL_PROC, CPU_MTF);
	vmx_cfg.vpid = (vmx_cfg.proc2 & CPU2_VPID) && vmx_vpid_usable(c->ept_vpid);
	if (!vmx_cfg.vpid)
		vmx_cfg.proc2 &= ~CPU2_VPID;
	vmx_cfg.invept_single = c->ept_vpid & EPT_CAP_INVEPT_SINGLE;
	vmx_cfg.preempt_shift = (unsigned)(c->misc & 0x1f);

	log_debug("VMX caps: pin %#llx proc %#llx proc2 %#llx exit %#llx entry %#llx misc %#llx ept %#llx",
		  (unsigned long long)c->ctl[VMX_CTL_PIN], (unsigned long long)c->ctl[VMX_CTL_PROC],
		  (unsigned long long)c->ctl[VMX_CTL_PROC2], (unsigned long long)c->ctl[VMX_CTL_EXIT],
		  (unsigned long long)c->ctl[VMX_CTL_ENTRY], (unsigned long long)c->misc,
		  (unsigned long long)c->ept_vpid);
	log_info("VMX: revision %#x, EPT, unrestricted guest%s%s%s, TRUE controls %s",
		 vmx_cfg.revision, vmx_cfg.vpid ? ", VPID" : "",
		 (vmx_cfg.pin & PIN_PREEMPT_TIMER) ? ", preemption timer" : "",
		 vmx_cfg.mtf ? ", monitor trap flag" : "",
		 (c->basic & VMX_BASIC_TRUE_CTLS) ? "yes" : "no");
	return true;
}

bool vmx_cpu_enable(char *err, size_t len)
{
	struct vmx_caps *c = &vmx_cfg.caps;
	struct percpu *p = this_cpu();

	if (!(cpuid(1, 0).ecx & BIT(5))) {
		fmt_snprintf(err, len, "CPU lacks VMX (CPUID.1:ECX.VMX[bit 5] is 0)");
		return false;
	}
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Firmware left it open: enable VMX outside SMX and lock. */
		fc |= FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		fmt_snprintf(err, len, "VMX is disabled by the firmware on this CPU (IA32_FEATURE_CONTROL=%#llx, locked)",
			     (unsigned long long)fc);
		return false;
	}
	if ((rdmsr(MSR_IA32_VMX_BASIC) & 0x7fffffff) != vmx_cfg.revision) {
		fmt_snprintf(err, len, "VMCS revision differs from the boot CPU's");
		return false;
	}

	/* CR0/CR4 bits fixed in VMX operation (A.7, A.8). */
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;
	uint64_t cr0_fixed = vmx_fix_cr(cr0, c->cr0_fixed0, c->cr0_fixed1);
	uint64_t cr4_fixed = vmx_fix_cr(cr4, c->cr4_fixed0, c->cr4_fixed1);
	if (cr0_fixed != cr0)
		write_cr0(cr0_fixed);
	write_cr4(cr4_fixed);

	if (!p->arch.vmxon_region) {
		p->arch.vmxon_region = pmm_alloc_page();
		if (!p->arch.vmxon_region) {
			fmt_snprintf(err, len, "no memory for the VMXON region");
			return false;
		}
	}
	*(uint32_t *)phys_to_virt(p->arch.vmxon_region) = vmx_cfg.revision;
	if (!vmx_on(p->arch.vmxon_region)) {
		fmt_snprintf(err, len, "VMXON failed (CR0=%#llx CR4=%#llx)",
			     (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		return false;
	}
	p->arch.vmx_on = true;
	return true;
}
