/* The VM-exit path. vmexit_handle() runs after every exit: first the
 * debug-register exit rule (which writes nothing unless a guest or the
 * hypervisor uses debug registers), then one table lookup by basic exit
 * reason. Handlers are short; anything unexpected stops only the vCPU it
 * happened on, with a dump. */
#include "arch/x86/vmexit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/dr.h"
#include "arch/x86/guest_mem.h"
#include "arch/x86/insn.h"
#include "arch/x86/vcpu_ops.h"
#include "arch/x86/vcpuid.h"
#include "arch/x86/vlapic.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmsr.h"
#include "arch/x86/vmx_names.h"
#include "arch/x86/vmx_ops.h"
#include "arch/x86/irq.h"
#include "hv/io.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched_core.h"
#include "hv/vm.h"

typedef enum exit_action (*exit_handler_t)(struct vcpu *v);

static enum exit_action advance(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}

/* A #DB exit of a vCPU whose breakpoints a debugger owns (the VM's break=
 * option; rule 8): reports and counts the debugger's hits and returns what
 * is left for the guest (its own single-step), or 0. */
static uint64_t debugger_db(struct vcpu *v, uint64_t qual)
{
	static const char *const kind[4] = { "x", "w", "io", "rw" };
	struct dr_vcpu *d = &v->arch.dr;
	bool fault;
	uint64_t mine = dr_debugger_db(d, qual, &fault);

	if (!mine)
		return qual;
	for (unsigned n = 0; n < DR_WATCH_SLOTS; n++) {
		if (!(mine & DR6_B(n)) || d->dbg_hits[n] > 3)
			continue;
		log_info("vm %s vcpu %u: break %u (%s %#llx) hit at RIP %#llx%s", v->vm->name,
			 v->id, n, kind[(d->dbg_dr7 >> (16 + n * 4)) & 3],
			 (unsigned long long)d->db[n], (unsigned long long)vmcs_readl(GUEST_RIP),
			 d->dbg_hits[n] == 3 ? " (further hits are only counted)" : "");
	}
	/* An instruction breakpoint is a fault: resume with RF set so the
	 * instruction runs once without hitting it again (SDM 18.3.1.1). */
	if (fault)
		vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) | RFLAGS_RF);
	return qual & DR6_BS;
}

static enum exit_action handle_exception_nmi(struct vcpu *v)
{
	uint32_t info = vmcs_read32(EXIT_INTR_INFO);
	unsigned type = (info >> 8) & 7, vector = info & 0xff;

	if (type == INTR_TYPE_NMI) {
		irq_host_nmi();
		return EXIT_RESUME;
	}
	if (vector == VEC_DB_GUEST) {
		/* A #DB while the vCPU's debug registers are not loaded: the
		 * processor left DR6 alone and put the bits in the exit
		 * qualification. Record them in the guest's DR6 and deliver
		 * the #DB as the hardware would have (SDM 27.1, 28.2.1). */
		uint64_t qual = vmcs_readl(EXIT_QUALIFICATION);
		if (unlikely(v->arch.dr.debugger)) {
			qual = debugger_db(v, qual);
			if (!qual)
				return EXIT_RESUME;
		}
		dr_guest_db(&this_cpu()->arch.dr, &v->arch.dr, qual);
		if (type == INTR_TYPE_PRIV_SW_EXC) { /* ICEBP / INT1 */
			v->arch.event = (struct pending_event){ true, 1, INTR_TYPE_PRIV_SW_EXC,
								false, 0 };
			v->arch.event_instr_len = vmcs_read32(EXIT_INSTR_LEN);
		} else {
			vcpu_inject_exception(v, 1, false, 0);
		}
		return EXIT_RESUME;
	}
	if (vector == 18) {
		vcpu_stop(v, VM_END_UNHANDLED_EXIT, "machine check in guest (vector 18)");
		return EXIT_YIELD;
	}
	vcpu_stop(v, VM_END_UNHANDLED_EXIT, "unexpected exception exit: vector %u type %u", vector,
		  type);
	return EXIT_YIELD;
}

static enum exit_action handle_external_intr(struct vcpu *v)
{
	/* "Acknowledge interrupt on exit": the vector is in the exit
	 * information and the LAPIC already considers it in service. */
	uint32_t info = vmcs_read32(EXIT_INTR_INFO);
	irq_host_dispatch(info & 0xff);
	return sched_need_resched() ? EXIT_YIELD : EXIT_RESUME;
}

static enum exit_action handle_triple_fault(struct vcpu *v)
{
	vm_end(v->vm, VM_END_TRIPLE_FAULT, 0, "triple fault on vcpu %u at RIP %#llx",
	       v->id, (unsigned long long)vmcs_readl(GUEST_RIP));
	return EXIT_YIELD;
}

static enum exit_action handle_intr_window(struct vcpu *v)
{
	vlapic_intr_window_open(v);
	return EXIT_RESUME;
}

static enum exit_action handle_cpuid(struct vcpu *v)
{
	uint64_t *gpr = v->arch.regs.gpr;
	const struct vcpuid_regs *r = vcpuid_cached(v->cpuid_cache, (uint32_t)gpr[GPR_RAX]);
	if (likely(r)) {
		gpr[GPR_RAX] = r->eax;
		gpr[GPR_RBX] = r->ebx;
		gpr[GPR_RCX] = r->ecx;
		gpr[GPR_RDX] = r->edx;
	} else {
		vcpuid_emulate(v, (uint32_t)gpr[GPR_RAX], (uint32_t)gpr[GPR_RCX], gpr);
	}
	return advance(v);
}

static enum exit_action handle_hlt(struct vcpu *v)
{
	vcpu_skip_instruction(v);
	v->stats.halts++;
	if (!(vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) && !vlapic_has_nmi(v)) {
		/* Nothing but NMI or INIT can wake it: on a test kernel this
		 * "cli; hlt" is the end. */
		vcpu_stop(v, VM_END_HALTED, "vcpu %u halted with interrupts disabled at RIP %#llx",
			  v->id, (unsigned long long)vmcs_readl(GUEST_RIP));
		return EXIT_YIELD;
	}
	if (vlapic_has_pending(v))
		return EXIT_RESUME;
	sched_block_current(v);
	/* An IPI or timer that came after the check may have seen the vCPU
	 * still runnable and not woken it (see vlapic.c notify). */
	if (vlapic_block_check(v))
		sched_wake(v);
	return EXIT_YIELD;
}

/* Tern's hypercalls (VMCALL with the function in EAX). */
#define HC_NOP 0
#define HC_VCPU_ID 1

static enum exit_action handle_vmcall(struct vcpu *v)
{
	if (vcpu_cpl() != 0) {
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	}
	uint64_t fn = v->arch.regs.gpr[GPR_RAX] & 0xffffffffu, ret;
	switch (fn) {
	case HC_NOP: ret = 0; break;
	case HC_VCPU_ID: ret = v->id; break;
	default: ret = (uint64_t)-38; break; /* -ENOSYS */
	}
	v->arch.regs.gpr[GPR_RAX] = ret;
	return advance(v);
}

static enum exit_action handle_vmx_insn(struct vcpu *v)
{
	/* Nested VMX is not offered (CPUID hides VMX): #UD, as on a CPU
	 * without it. */
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

static enum exit_action handle_cr_access(struct vcpu *v)
{
	return vmexit_cr_access(v, exitqual_cr(vmcs_readl(EXIT_QUALIFICATION)));
}

static enum exit_action handle_dr_access(struct vcpu *v)
{
	struct dr_qual q = exitqual_dr(vmcs_readl(EXIT_QUALIFICATION));
	struct dr_cpu *c = &this_cpu()->arch.dr;
	unsigned dr = q.dr;
	uint64_t val = q.from_dr ? 0 : vcpu_gpr(v, q.gpr);

	switch (dr_mov_check(&dr, !q.from_dr, val, vcpu_cpl(),
			     vcpu_guest_cr4(v) & CR4_DE, dr_guest_dr7(&v->arch.dr),
			     vcpu_long_mode())) {
	case DR_MOV_UD:
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	case DR_MOV_GP:
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	case DR_MOV_DB_GD:
		/* The exit has priority over the GD #DB (SDM 25.1.3), so we
		 * deliver it: BD set in the guest's DR6 and GD cleared in its
		 * DR7, RIP unchanged. */
		dr_guest_db(c, &v->arch.dr, DR6_BD);
		dr_set_guest_dr7(&v->arch.dr, dr_guest_dr7(&v->arch.dr) & ~DR7_GD);
		vcpu_inject_exception(v, 1, false, 0);
		return EXIT_RESUME;
	default:
		break;
	}
	if (dr_movdr_exit(c, &v->arch.dr, dr, !q.from_dr, &val))
		return EXIT_RESUME; /* registers handed over: re-execute natively */
	if (q.from_dr)
		vcpu_set_gpr(v, q.gpr, vcpu_long_mode() ? val : (uint32_t)val);
	return advance(v);
}

/* An emulated IN/OUT must raise the guest's I/O breakpoints itself: the
 * instruction never ran, so the hardware never checked them. The #DB is a
 * trap delivered after the instruction (RIP already advanced). */
static __attribute__((noinline)) void io_breakpoints_slow(struct vcpu *v, uint16_t port,
							 unsigned int size, uint64_t guest_dr7)
{
	struct dr_cpu *c = &this_cpu()->arch.dr;
	uint64_t db[4];
	for (unsigned n = 0; n < 4; n++)
		db[n] = dr_guest_value(c, &v->arch.dr, n);
	uint64_t hits = dr_io_hits(guest_dr7, db, port, size);
	if (hits) {
		dr_guest_db(c, &v->arch.dr, hits);
		vcpu_inject_exception(v, 1, false, 0);
	}
}

/* The common case, no breakpoint enabled, decided inline: one VMREAD. */
static inline void io_breakpoints(struct vcpu *v, uint16_t port, unsigned int size)
{
	uint64_t guest_dr7 = vmcs_readl(GUEST_DR7);
	/* (Under a debugger the guest's own breakpoints do not fire.) */
	if (likely(!(guest_dr7 & DR7_ENABLES)) || v->arch.dr.debugger ||
	    !(vcpu_guest_cr4(v) & CR4_DE))
		return;
	io_breakpoints_slow(v, port, size, guest_dr7);
}

/* Completes an emulated instruction of 'len' bytes at 'rip' (the exit
 * gives no length for EPT violations). */
static void skip_emulated(struct vcpu *v, uint64_t rip, unsigned int len, bool wide)
{
	rip += len;
	vcpu_complete_instruction(wide ? rip : rip & 0xffffffffu);
}

/* Access to a guest-physical address outside RAM: the vCPU's APIC page or
 * a registered MMIO device. The exit gives the address but not the data,
 * so the instruction is fetched at CS.base + RIP through the guest's page
 * tables, decoded (MOV/MOVZX forms, insn.h), performed and skipped.
 * Returns EXIT_YIELD with the vCPU not stopped if nothing claims the
 * address: the caller reports the bad access. */
static enum exit_action mmio_access_exit(struct vcpu *v, gpa_t gpa, bool write)
{
	const struct mmio_handler *h = NULL;
	bool apic = vlapic_mmio_claims(v, gpa);
	if (!apic) {
		for (unsigned i = 0; i < v->vm->mmio.n && !h; i++)
			if (gpa - v->vm->mmio.h[i].base < v->vm->mmio.h[i].len)
				h = &v->vm->mmio.h[i];
		if (!h)
			return EXIT_YIELD;
	}
	const char *what = apic ? "the local APIC" : h->name;

	uint64_t rip = vmcs_readl(GUEST_RIP);
	uint32_t cs_ar = vmcs_read32(GUEST_CS_AR);
	bool wide = vcpu_long_mode() && (cs_ar & BIT(13)); /* 64-bit code (CS.L) */
	enum insn_mode mode = wide ? INSN_MODE_64 : (cs_ar & BIT(14)) ? INSN_MODE_32 : INSN_MODE_16;
	uint64_t la = vmcs_readl(GUEST_CS_BASE) + rip;
	uint8_t bytes[INSN_MAX_LEN] = { 0 };
	struct insn in;
	int n = guest_read_linear(v, wide ? la : la & 0xffffffffu, bytes, sizeof(bytes));
	int rc = n > 0 ? insn_decode(bytes, (size_t)n, mode, &in) : INSN_ERR_TRUNCATED;
	if (rc || in.write != write) {
		vcpu_stop(v, VM_END_UNHANDLED_EXIT,
			  "%s of %s at %#llx by an instruction Tern does not emulate (%s): "
			  "%02x %02x %02x %02x %02x %02x at RIP %#llx",
			  write ? "write" : "read", what, (unsigned long long)gpa,
			  rc ? insn_error_name(rc) : "direction differs from the exit's",
			  bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5],
			  (unsigned long long)rip);
		return EXIT_YIELD;
	}
	uint64_t val = 0;
	bool ok;
	if (write) {
		val = insn_store_value(&in, vcpu_gpr(v, in.reg));
		ok = apic ? vlapic_mmio_access(v, gpa, in.mem_size, true, &val)
			  : h->write && h->write(h->dev, v, gpa, in.mem_size, val);
	} else {
		ok = apic ? vlapic_mmio_access(v, gpa, in.mem_size, false, &val)
			  : h->read && h->read(h->dev, v, gpa, in.mem_size, &val);
		if (ok)
			vcpu_set_gpr(v, in.reg, insn_load_result(&in, vcpu_gpr(v, in.reg), val));
	}
	if (!ok) {
		vcpu_stop(v, VM_END_UNHANDLED_EXIT, "%u-byte %s of %s at %#llx refused",
			  in.mem_size, write ? "write" : "read", what, (unsigned long long)gpa);
		return EXIT_YIELD;
	}
	skip_emulated(v, rip, in.len, wide);
	return EXIT_RESUME;
}

/* At most this many elements of a REP INS/OUTS per exit; the guest then
 * executes the instruction again with RCX and RSI/RDI advanced, as a REP
 * string instruction may be interrupted between iterations. */
#define STRING_IO_CHUNK 4096

static inline uint64_t masked_add(uint64_t reg, int64_t d, uint64_t mask)
{
	return (reg & ~mask) | ((reg + (uint64_t)d) & mask);
}

/* INS/OUTS, with or without REP (SDM Vol. 2B, INS/OUTS). The processor
 * checked I/O permission before the exit; the qualification gives the
 * port, size and REP, the instruction information the address size, and
 * the guest-linear-address field where the memory operand starts. */
static __attribute__((noinline, cold)) enum exit_action
handle_string_io(struct vcpu *v, uint64_t qual)
{
	const struct io_qual q = exitqual_io(qual);
	struct io_string_info si = exitqual_io_string(vmcs_read32(EXIT_INSTR_INFO));
	uint64_t *gpr = v->arch.regs.gpr;
	unsigned int idx = q.in ? GPR_RDI : GPR_RSI;
	/* The memory operand's segment base: the linear address less the
	 * offset, so that the offset can wrap at the address size. */
	uint64_t base = vmcs_readl(GUEST_LINEAR_ADDR) - (gpr[idx] & si.addr_mask);
	int64_t step = (vmcs_readl(GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)q.size : q.size;
	uint64_t left = q.rep ? gpr[GPR_RCX] & si.addr_mask : 1;

	if (!si.valid) {
		vcpu_stop(v, VM_END_UNHANDLED_EXIT, "%s: invalid address size in the exit information",
			  q.in ? "INS" : "OUTS");
		return EXIT_YIELD;
	}
	for (unsigned int n = 0; left && n < STRING_IO_CHUNK; n++, left--) {
		uint64_t la = base + (gpr[idx] & si.addr_mask);
		uint32_t val = 0;
		int done;
		if (si.addr_mask != ~0ULL)
			la &= 0xffffffffULL; /* 32-bit linear addresses outside 64-bit mode */
		if (q.in) {
			val = pio_in(v, q.port, q.size);
			done = guest_write_linear(v, la, &val, q.size);
		} else {
			done = guest_read_linear(v, la, &val, q.size);
			if (done == (int)q.size)
				pio_out(v, q.port, q.size, val);
		}
		if (done != (int)q.size) {
			vcpu_stop(v, VM_END_BAD_ACCESS, "%s on port %#x: its operand at linear %#llx "
				  "is not guest RAM (RIP %#llx)", q.in ? "INS" : "OUTS", q.port,
				  (unsigned long long)la, (unsigned long long)vmcs_readl(GUEST_RIP));
			return EXIT_YIELD;
		}
		gpr[idx] = masked_add(gpr[idx], step, si.addr_mask);
		if (q.rep)
			gpr[GPR_RCX] = masked_add(gpr[GPR_RCX], -1, si.addr_mask);
		if (v->state == VCPU_STOPPED || v->vm->end != VM_END_NONE)
			return EXIT_YIELD;
	}
	if (left)
		return EXIT_RESUME; /* RIP unchanged: the REP goes on */
	vcpu_skip_instruction(v);
	io_breakpoints(v, q.port, q.size);
	return EXIT_RESUME;
}

static enum exit_action handle_io(struct vcpu *v)
{
	uint64_t qual = vmcs_readl(EXIT_QUALIFICATION);
	struct io_qual q = exitqual_io(qual);

	if (unlikely(q.string))
		return handle_string_io(v, qual);
	if (q.in) {
		uint32_t val = pio_in(v, q.port, q.size);
		uint64_t rax = v->arch.regs.gpr[GPR_RAX];
		if (q.size == 4)
			rax = val; /* 32-bit results zero-extend */
		else if (q.size == 2)
			rax = (rax & ~0xffffULL) | (val & 0xffff);
		else
			rax = (rax & ~0xffULL) | (val & 0xff);
		v->arch.regs.gpr[GPR_RAX] = rax;
	} else {
		pio_out(v, q.port, q.size, (uint32_t)v->arch.regs.gpr[GPR_RAX]);
	}
	if (v->state == VCPU_STOPPED || v->vm->end != VM_END_NONE)
		return EXIT_YIELD;
	vcpu_skip_instruction(v);
	io_breakpoints(v, q.port, q.size);
	return EXIT_RESUME;
}

static enum exit_action handle_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->arch.regs.gpr[GPR_RCX];
	uint64_t val;
	if (!vmsr_read(v, msr, &val)) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	v->arch.regs.gpr[GPR_RAX] = (uint32_t)val;
	v->arch.regs.gpr[GPR_RDX] = val >> 32;
	return advance(v);
}

static enum exit_action handle_wrmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->arch.regs.gpr[GPR_RCX];
	uint64_t val = (v->arch.regs.gpr[GPR_RDX] << 32) | (uint32_t)v->arch.regs.gpr[GPR_RAX];
	if (!vmsr_write(v, msr, val)) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	return advance(v);
}

static const char *access_name(struct ept_qual q)
{
	return q.fetch ? "instruction fetch" : q.write ? "write" : "read";
}

static enum exit_action handle_ept_violation(struct vcpu *v)
{
	struct ept_qual q = exitqual_ept(vmcs_readl(EXIT_QUALIFICATION));
	gpa_t gpa = vmcs_read64(GUEST_PHYS_ADDR);

	if (!q.fetch && mmio_access_exit(v, gpa, q.write) == EXIT_RESUME)
		return EXIT_RESUME;
	if (v->state == VCPU_STOPPED)
		return EXIT_YIELD;
	vm_end(v->vm, VM_END_BAD_ACCESS, 0,
	       "%s of guest-physical %#llx outside its RAM (%llu MiB) at RIP %#llx on vcpu %u",
	       access_name(q), (unsigned long long)gpa,
	       (unsigned long long)(v->vm->mem_size / MiB),
	       (unsigned long long)vmcs_readl(GUEST_RIP), v->id);
	return EXIT_YIELD;
}

static enum exit_action handle_ept_misconfig(struct vcpu *v)
{
	vcpu_stop(v, VM_END_UNHANDLED_EXIT, "EPT misconfiguration at guest-physical %#llx",
		  (unsigned long long)vmcs_read64(GUEST_PHYS_ADDR));
	return EXIT_YIELD;
}

static enum exit_action handle_preempt_timer(struct vcpu *v)
{
	/* The slice the run loop armed is over. */
	sched_set_need_resched();
	return EXIT_YIELD;
}

static enum exit_action handle_invd(struct vcpu *v)
{
	return advance(v); /* guest memory stays coherent: nothing to do */
}

static enum exit_action handle_gp(struct vcpu *v)
{
	vcpu_inject_gp(v);
	return EXIT_RESUME;
}

static enum exit_action handle_pause(struct vcpu *v)
{
	return advance(v);
}

static enum exit_action handle_unexpected(struct vcpu *v, uint32_t basic)
{
	vcpu_stop(v, VM_END_UNHANDLED_EXIT, "unexpected VM exit %u (%s)", basic,
		  vmx_exit_reason_name(basic));
	return EXIT_YIELD;
}

/* Indexed by basic exit reason; an empty slot is an exit Tern does not
 * expect, which stops the vCPU with a dump. */
static const exit_handler_t handlers[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_EXTERNAL_INTR] = handle_external_intr,
	[EXIT_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_INTR_WINDOW] = handle_intr_window,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_GETSEC] = handle_vmx_insn,
	[EXIT_HLT] = handle_hlt,
	[EXIT_INVD] = handle_invd,
	[EXIT_VMCALL] = handle_vmcall,
	[EXIT_VMCLEAR] = handle_vmx_insn,
	[EXIT_VMLAUNCH] = handle_vmx_insn,
	[EXIT_VMPTRLD] = handle_vmx_insn,
	[EXIT_VMPTRST] = handle_vmx_insn,
	[EXIT_VMREAD] = handle_vmx_insn,
	[EXIT_VMRESUME] = handle_vmx_insn,
	[EXIT_VMWRITE] = handle_vmx_insn,
	[EXIT_VMXOFF] = handle_vmx_insn,
	[EXIT_VMXON] = handle_vmx_insn,
	[EXIT_CR_ACCESS] = handle_cr_access,
	[EXIT_DR_ACCESS] = handle_dr_access,
	[EXIT_IO] = handle_io,
	[EXIT_RDMSR] = handle_rdmsr,
	[EXIT_WRMSR] = handle_wrmsr,
	[EXIT_MWAIT] = handle_vmx_insn,
	[EXIT_MONITOR] = handle_vmx_insn,
	[EXIT_PAUSE] = handle_pause,
	[EXIT_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_INVEPT] = handle_vmx_insn,
	[EXIT_INVVPID] = handle_vmx_insn,
	[EXIT_PREEMPT_TIMER] = handle_preempt_timer,
	[EXIT_WBINVD] = handle_invd,
	[EXIT_XSETBV] = handle_gp,
	[EXIT_VMFUNC] = handle_vmx_insn,
};

enum exit_action vmexit_handle(struct vcpu *v, uint32_t reason)
{
	/* Contract rule 3: the only debug-register work on the exit path. */
	dr_vmexit(&this_cpu()->arch.dr, &v->arch.dr);

	/* One comparison covers failed entries (bit 31) and reasons beyond
	 * the table. */
	if (likely(reason < EXIT_REASON_MAX)) {
		exit_handler_t h = handlers[reason];
		v->stats.exits_by_reason[reason]++;
		if (likely(h))
			return h(v);
		return handle_unexpected(v, reason);
	}
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		vcpu_entry_failure(v, reason);
		return EXIT_YIELD;
	}
	return handle_unexpected(v, reason & 0xffff);
}
