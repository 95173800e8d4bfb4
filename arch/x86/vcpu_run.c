/* The VM entry/exit loop and vCPU switching on one pCPU. The loop keeps
 * work off the exit path: one VMREAD of the exit reason and one of the
 * IDT-vectoring information per exit, the debug-register rule (which
 * normally does nothing), and the handler. */
#include "arch/x86/vcpu_run.h"
#include "arch/x86/cpu.h"
#include "arch/x86/dr.h"
#include "arch/x86/dr_trace.h"
#include "arch/x86/irq.h"
#include "arch/x86/lapic.h"
#include "arch/x86/smp.h"
#include "arch/x86/trap.h"
#include "arch/x86/vcpu_ops.h"
#include "arch/x86/vlapic.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmexit.h"
#include "arch/x86/vmsr.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/sched_core.h"
#include "hv/trace.h"
#include "hv/vm.h"

int vmx_enter(struct guest_regs *regs, int launched);

static void fpu_switch(struct vcpu *v)
{
	struct cpu_arch *a = &this_cpu()->arch;
	struct vcpu *prev = a->fpu_owner;
	if (prev == v)
		return;
	if (v->arch.fx_valid)
		__asm__ volatile("fxrstor64 %0" : : "m"(v->arch.fx));
	else
		__asm__ volatile("fninit");
	a->fpu_owner = v;
}

void arch_vcpu_switch_in(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	struct vcpu_arch *va = &v->arch;

	/* A vCPU that just left another pCPU may still be current there
	 * until that pCPU's VMCLEAR (switch_out) completes. */
	while (__atomic_load_n(&va->loaded_cpu, __ATOMIC_ACQUIRE) != -1)
		cpu_relax();
	trace_record(TR_SWITCH_IN, v->vm->id << 8 | v->id, v->last_cpu);
	vmptrld(va->vmcs);
	p->arch.current_vmcs = va->vmcs;
	p->arch.current_vcpu_arch = va;
	va->loaded_cpu = (int)p->id;
	vmcs_write_host_percpu();
	if (va->start_rip_valid) {
		vmcs_writel(GUEST_RIP, va->start_rip);
		va->start_rip_valid = false;
	}
	/* Guest-physical and linear translations tagged with this VPID may
	 * be stale here if the vCPU ran elsewhere since. */
	if (vmx_cfg.vpid && v->last_cpu != (int)p->id && v->last_cpu >= 0)
		invvpid(INVVPID_SINGLE, va->vpid, 0);
	if (v->last_cpu != (int)p->id)
		p->arch.native_msr_owner = NULL; /* its MSRs may have changed elsewhere */
	v->last_cpu = (int)p->id;
	__asm__ volatile("mov %0, %%cr2" : : "r"(va->cr2));
	fpu_switch(v);
	vmsr_load_guest(v);
	dr_vcpu_load(&p->arch.dr, &va->dr);
}

void arch_vcpu_switch_out(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	struct vcpu_arch *va = &v->arch;

	trace_record(TR_SWITCH_OUT, v->vm->id << 8 | v->id, 0);
	dr_vcpu_put(&p->arch.dr, &va->dr);
	/* Save the FPU state now (its restore stays lazy): the vCPU may run
	 * next on another pCPU, which cannot reach these registers. */
	if (p->arch.fpu_owner == v) {
		__asm__ volatile("fxsave64 %0" : "=m"(va->fx));
		va->fx_valid = true;
		p->arch.fpu_owner = NULL;
	}
	__asm__ volatile("mov %%cr2, %0" : "=r"(va->cr2));
	vmclear(va->vmcs);
	va->launched = false;
	p->arch.current_vmcs = 0;
	p->arch.current_vcpu_arch = NULL;
	__atomic_store_n(&va->loaded_cpu, -1, __ATOMIC_RELEASE);
}

static void inject_pending(struct vcpu *v)
{
	struct pending_event *e = &v->arch.event;
	if (e->valid) {
		uint32_t info = INTR_INFO_VALID | ((uint32_t)e->type << 8) | e->vector;
		if (e->has_error) {
			info |= INTR_INFO_ERROR;
			vmcs_write32(ENTRY_EXCEPTION_ERROR, e->error);
		}
		if (e->type >= INTR_TYPE_SW_INT)
			vmcs_write32(ENTRY_INSTR_LEN, v->arch.event_instr_len);
		vmcs_write32(ENTRY_INTR_INFO, info);
		e->valid = false;
		vlapic_event_pending(v);
		return;
	}
	/* Nothing for the LAPIC to do on almost every entry: test its
	 * attention flag here rather than in a call (the first entry always
	 * goes through, for vlapic.c's ordering with other CPUs). */
	if (likely(v->arch.launched && !__atomic_load_n(&v->arch.lapic->attn, __ATOMIC_ACQUIRE)))
		return;
	vlapic_inject(v);
}

/* An exit during event delivery (SDM 28.2.4): the event was not delivered
 * and must be injected again at the next entry. */
static void requeue_vectoring(struct vcpu *v)
{
	uint32_t idt = vmcs_read32(IDT_VECTORING_INFO);
	if (likely(!(idt & INTR_INFO_VALID)))
		return;
	unsigned type = (idt >> 8) & 7;
	v->arch.event = (struct pending_event){
		.valid = true,
		.vector = (uint8_t)idt,
		.type = (uint8_t)type,
		.has_error = idt & INTR_INFO_ERROR,
		.error = (idt & INTR_INFO_ERROR) ? vmcs_read32(IDT_VECTORING_ERROR) : 0,
	};
	if (type >= INTR_TYPE_SW_INT)
		v->arch.event_instr_len = vmcs_read32(EXIT_INSTR_LEN);
}

static void entry_instruction_failed(struct vcpu *v)
{
	uint64_t err = 0;
	vmread_safe(VM_INSTRUCTION_ERROR, &err);
	vcpu_stop(v, VM_END_ENTRY_FAILED, "%s failed: VM-instruction error %llu (%s)",
		  v->arch.launched ? "VMRESUME" : "VMLAUNCH", (unsigned long long)err,
		  vmx_insn_error_name((uint32_t)err));
}

void arch_vcpu_run(struct vcpu *v, uint64_t slice)
{
	struct percpu *p = this_cpu();
	bool timer = vmx_cfg.pin & PIN_PREEMPT_TIMER;
	/* With "save VMX-preemption timer value" the timer keeps counting
	 * down across exits (SDM 26.5.1, 28.3.4): it is armed once per run
	 * and ends slices of guest time. A slice is wall time, though, and an
	 * exit-heavy guest spends most of it in Tern: one TSC read per exit
	 * catches that. Without the save control the timer is re-armed for
	 * what is left before every entry. */
	bool rearm = timer && !(vmx_cfg.exit & EXIT_SAVE_PREEMPT_TIMER);
	bool arm = timer;
	uint64_t deadline = slice == UINT64_MAX ? UINT64_MAX : rdtsc() + slice;

	/* Interrupts stay off in the loop: one that arrives while Tern runs
	 * is taken as an external-interrupt exit at the next entry, through
	 * the same path as one that arrives in the guest. */
	irq_disable();
	for (;;) {
		if (unlikely(v->state != VCPU_RUNNABLE))
			break;
		if (unlikely(v->vm->end != VM_END_NONE)) {
			sched_stop_vcpu(v, v->vm->end, "its VM ended");
			break;
		}
		if (unlikely(sched_need_resched()))
			break;
		inject_pending(v);
		if (unlikely(arm || rearm || v->arch.wait_for_sipi) && timer) {
			uint64_t now = rdtsc(), left = deadline > now ? deadline - now : 0;
			arm = false;
			/* A vCPU in wait-for-SIPI (it just blocked, see vlapic.c)
			 * must not run: a zero timer exits before any instruction. */
			if (unlikely(v->arch.wait_for_sipi))
				left = 0;
			left >>= vmx_cfg.preempt_shift;
			vmcs_write32(PREEMPTION_TIMER, left > 0xffffffffu ? 0xffffffffu : (uint32_t)left);
		}
		dr_vmentry(&p->arch.dr, &v->arch.dr);
		dr_trace(&p->arch.dr, DR_TRACE_ENTRY, v->vm->id << 8 | v->id,
			 dr_trace_enabled ? vmcs_readl(GUEST_DR7) : 0, &v->arch.dr);
		if (unlikely(vmx_enter(&v->arch.regs, v->arch.launched))) {
			entry_instruction_failed(v);
			break;
		}
		v->arch.launched = true;
		dr_trace(&p->arch.dr, DR_TRACE_EXIT, v->vm->id << 8 | v->id,
			 dr_trace_enabled ? vmcs_readl(GUEST_DR7) : 0, &v->arch.dr);
		uint32_t reason = vmcs_read32(EXIT_REASON);
		requeue_vectoring(v);
		if (vmexit_handle(v, reason) == EXIT_YIELD)
			break;
		if (unlikely(rdtsc() >= deadline)) {
			sched_set_need_resched();
			break;
		}
	}
	irq_enable();
}

static void kick_irq(unsigned int vector)
{
	sched_set_need_resched();
}

void arch_sched_cpu_init(void)
{
	/* FXSAVE/FXRSTOR must include the SSE state guests use. */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	if (this_cpu()->id == 0)
		irq_register(VEC_IPI_KICK, kick_irq);
}

void arch_kick_cpu(unsigned int cpu)
{
	if (cpu == this_cpu()->id)
		sched_set_need_resched();
	else
		smp_send_ipi(cpu, VEC_IPI_KICK);
}

void arch_idle(void)
{
	cpu_safe_halt();
	irq_disable();
}
