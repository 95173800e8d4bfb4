/* VMCS set-up for a vCPU (SDM Vol. 3, chapter 25 "Virtual-machine control
 * structures" and 27.3 "Checks on the guest-state area"), and the host
 * fields that depend on the physical CPU a vCPU runs on. */
#include "arch/x86/vmcs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/dr.h"
#include "arch/x86/gdt.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/boot.h"
#include "hv/cmdline.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/loader.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/pmm.h"
#include "hv/vm.h"

extern char vmx_exit_entry[];

static uint16_t next_vpid = 1;

static paddr_t ept_alloc(void *ctx)
{
	return pmm_alloc_page();
}

static void *ept_virt(void *ctx, paddr_t pa)
{
	return phys_to_virt(pa);
}

const struct ept_ops ept_host_ops = { ept_alloc, ept_virt, NULL };

bool vm_arch_init(struct vm *vm, char *err, size_t len)
{
	struct vm_arch *a = &vm->arch;

	if (!ept_init(&a->ept, &ept_host_ops)) {
		fmt_snprintf(err, len, "no memory for the EPT");
		return false;
	}
	for (unsigned i = 0; i < vm->nmem; i++) {
		const struct vm_mem_region *r = &vm->mem[i];
		int rc = ept_map(&a->ept, &ept_host_ops, r->gpa, r->hpa, r->size,
				 EPT_RWX, EPT_MT_WB);
		if (rc) {
			fmt_snprintf(err, len, "EPT mapping of guest RAM failed (%s)",
				     rc == -2 ? "out of memory" : "bad region");
			return false;
		}
	}
	a->eptp = ept_pointer(&a->ept);
	a->io_bitmap_a = pmm_alloc_page();
	a->io_bitmap_b = pmm_alloc_page();
	a->msr_bitmap = pmm_alloc_page();
	if (!a->io_bitmap_a || !a->io_bitmap_b || !a->msr_bitmap) {
		fmt_snprintf(err, len, "no memory for the I/O and MSR bitmaps");
		return false;
	}
	memset(phys_to_virt(a->io_bitmap_a), 0xff, PAGE_SIZE);
	memset(phys_to_virt(a->io_bitmap_b), 0xff, PAGE_SIZE);
	memset(phys_to_virt(a->msr_bitmap), 0xff, PAGE_SIZE);
	return true;
}

/* Access rights of a flat 32-bit segment (SDM 25.4.1, Table 25-2). */
#define AR_CODE32 0xc09b  /* G, D/B, P, S, type 11 (execute/read, accessed) */
#define AR_DATA32 0xc093  /* G, D/B, P, S, type 3 (read/write, accessed) */
#define AR_P BIT(7)       /* segment present */
#define AR_TSS32_BUSY 0x008b
#define AR_LDT_UNUSABLE 0x10000

void vmcs_write_host_percpu(void)
{
	struct percpu *p = this_cpu();
	vmcs_writel(HOST_GS_BASE, (uint64_t)p);
	vmcs_writel(HOST_TR_BASE, (uint64_t)&p->arch.gdt.tss);
	vmcs_writel(HOST_GDTR_BASE, (uint64_t)p->arch.gdt.gdt);
}

static void write_host_state(void)
{
	struct descriptor_ptr idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));

	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_writel(HOST_CR3, read_cr3());
	vmcs_writel(HOST_CR4, read_cr4());
	vmcs_write16(HOST_CS_SEL, GDT_KERNEL_CS);
	vmcs_write16(HOST_SS_SEL, GDT_KERNEL_DS);
	vmcs_write16(HOST_DS_SEL, GDT_KERNEL_DS);
	vmcs_write16(HOST_ES_SEL, GDT_KERNEL_DS);
	vmcs_write16(HOST_FS_SEL, 0);
	vmcs_write16(HOST_GS_SEL, 0);
	vmcs_write16(HOST_TR_SEL, GDT_TSS);
	vmcs_writel(HOST_FS_BASE, 0);
	vmcs_writel(HOST_IDTR_BASE, idtr.base);
	vmcs_write32(HOST_SYSENTER_CS, 0);
	vmcs_writel(HOST_SYSENTER_ESP, 0);
	vmcs_writel(HOST_SYSENTER_EIP, 0);
	vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	if (vmx_cfg.exit & EXIT_LOAD_PAT)
		vmcs_write64(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_writel(HOST_RIP, (uint64_t)vmx_exit_entry);
	vmcs_write_host_percpu();
}

static void write_guest_seg(uint32_t sel_f, uint32_t base_f, uint32_t limit_f,
			    uint32_t ar_f, uint16_t sel, uint64_t base, uint32_t limit,
			    uint32_t ar)
{
	__vmwrite(sel_f, sel);
	__vmwrite(base_f, base);
	__vmwrite(limit_f, limit);
	__vmwrite(ar_f, ar);
}

/* DS, ES, SS, FS and GS all set alike. */
static void write_data_segs(uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	static const uint32_t segs[][4] = {
		{ GUEST_DS_SEL, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR },
		{ GUEST_ES_SEL, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR },
		{ GUEST_SS_SEL, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR },
		{ GUEST_FS_SEL, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR },
		{ GUEST_GS_SEL, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(segs); i++)
		write_guest_seg(segs[i][0], segs[i][1], segs[i][2], segs[i][3], sel, base, limit, ar);
}

/* Reset state of an x86 CPU after INIT (SDM Vol. 3, Table 10-1), in real
 * mode at F000:FFF0 — used for application vCPUs waiting for a SIPI, whose
 * CS:IP the SIPI then replaces. */
static void write_guest_reset_state(void)
{
	write_guest_seg(GUEST_CS_SEL, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR,
			0xf000, 0xffff0000, 0xffff, 0x9b);
	write_data_segs(0, 0, 0xffff, 0x93);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
}

static void write_guest_common(struct vcpu *v)
{
	struct vcpu_arch *va = &v->arch;
	/* The guest's CR0 is ET (and later whatever it sets); the real CR0
	 * adds the bits VMX requires (NE) that unrestricted guest still
	 * needs. The mask makes guest reads of those bits see the shadow
	 * and guest writes to them (and to PG, CD, NW) exit. */
	va->cr0_shadow = CR0_ET;
	va->cr4_shadow = 0;
	vmcs_writel(CR0_GUEST_HOST_MASK, CR0_NE | CR0_PG | CR0_CD | CR0_NW);
	vmcs_writel(CR0_READ_SHADOW, va->cr0_shadow);
	vmcs_writel(GUEST_CR0, vmcs_guest_cr0(va->cr0_shadow));
	vmcs_writel(CR4_GUEST_HOST_MASK, CR4_VMXE | vmx_cfg.caps.cr4_fixed0);
	vmcs_writel(CR4_READ_SHADOW, va->cr4_shadow);
	vmcs_writel(GUEST_CR4, vmcs_guest_cr4(va->cr4_shadow));
	vmcs_writel(GUEST_CR3, 0);

	write_guest_seg(GUEST_LDTR_SEL, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR,
			0, 0, 0, AR_LDT_UNUSABLE);
	write_guest_seg(GUEST_TR_SEL, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR,
			0, 0, 0xffff, AR_TSS32_BUSY);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, 0x2);
	vmcs_writel(GUEST_DR7, DR7_RESET);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_EFER, 0);
	if (vmx_cfg.entry & ENTRY_LOAD_PAT)
		vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ULL); /* power-on PAT */
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
}

uint64_t vmcs_guest_cr0(uint64_t shadow)
{
	const struct vmx_caps *c = &vmx_cfg.caps;
	/* Unrestricted guest lets PE and PG be 0 (SDM 27.3.1.1). */
	uint64_t fixed0 = c->cr0_fixed0 & ~(CR0_PE | CR0_PG);
	return vmx_fix_cr(shadow & ~(CR0_CD | CR0_NW), fixed0, c->cr0_fixed1);
}

uint64_t vmcs_guest_cr4(uint64_t shadow)
{
	const struct vmx_caps *c = &vmx_cfg.caps;
	return vmx_fix_cr(shadow, c->cr4_fixed0, c->cr4_fixed1);
}

/* The VM's break= breakpoints: Tern's debugger takes the vCPU's debug
 * registers over (contract rule 8). The VMCS must be current. */
static void attach_breaks(struct vcpu *v)
{
	const struct vm_spec *s = &v->vm->spec;
	if (!s->nbreaks)
		return;
	dr_debugger_attach(&this_cpu()->arch.dr, &v->arch.dr);
	for (unsigned i = 0; i < s->nbreaks; i++) {
		const struct watch_spec *b = &s->breaks[i];
		bool ok = dr_debugger_set(&v->arch.dr, i, b->addr, (enum dr_watch_type)b->kind,
					  b->len);
		if (v->id == 0 || !ok)
			log_printf(ok ? LOG_INFO : LOG_ERR, "vm %s: break %u: %s at %s, %u byte%s%s",
				   v->vm->name, i, watch_kind_name(b->kind), b->target, b->len,
				   b->len == 1 ? "" : "s", ok ? "" : ": refused");
	}
}

bool vcpu_arch_init(struct vcpu *v, bool bsp, char *err, size_t len)
{
	struct vcpu_arch *va = &v->arch;
	struct vm_arch *a = &v->vm->arch;

	va->vmcs = pmm_alloc_page();
	if (!va->vmcs) {
		fmt_snprintf(err, len, "no memory for a VMCS");
		return false;
	}
	*(uint32_t *)phys_to_virt(va->vmcs) = vmx_cfg.revision;
	va->loaded_cpu = -1;
	dr_vcpu_init(&va->dr);
	if (vmx_cfg.vpid)
		va->vpid = __atomic_fetch_add(&next_vpid, 1, __ATOMIC_RELAXED);
	va->msr_misc_enable = 1; /* fast strings */
	va->msr_apic_base = 0xfee00000ULL | BIT(11) | (bsp ? BIT(8) : 0);

	/* Build it on this CPU, then VMCLEAR so any CPU can load it. */
	vmclear(va->vmcs);
	vmptrld(va->vmcs);

	vmcs_write32(PIN_BASED_CTLS, vmx_cfg.pin);
	va->proc = vmx_cfg.proc;
	vmcs_write32(PROC_BASED_CTLS, va->proc);
	vmcs_write32(PROC_BASED_CTLS2, vmx_cfg.proc2);
	vmcs_write32(EXIT_CTLS, vmx_cfg.exit);
	vmcs_write32(ENTRY_CTLS, vmx_cfg.entry);
	/* #DB is intercepted while the vCPU's debug registers are not loaded
	 * (see dr.h); #MC always goes to the host. */
	va->exc_bitmap = BIT(1) | BIT(18);
	vmcs_write32(EXCEPTION_BITMAP, va->exc_bitmap);
	vmcs_write32(PF_ERROR_MASK, 0);
	vmcs_write32(PF_ERROR_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(ENTRY_INTR_INFO, 0);
	vmcs_write64(IO_BITMAP_A, a->io_bitmap_a);
	vmcs_write64(IO_BITMAP_B, a->io_bitmap_b);
	vmcs_write64(MSR_BITMAP, a->msr_bitmap);
	vmcs_write64(EPT_POINTER, a->eptp);
	vmcs_write64(TSC_OFFSET, 0);
	if (vmx_cfg.vpid)
		vmcs_write16(VPID, va->vpid);

	write_host_state();
	write_guest_common(v);
	if (bsp) {
		/* Multiboot v1 machine state (spec 3.2): flat 32-bit protected
		 * mode, paging off; RIP and registers set by the loader. */
		va->cr0_shadow = CR0_ET | CR0_PE;
		vmcs_writel(CR0_READ_SHADOW, va->cr0_shadow);
		vmcs_writel(GUEST_CR0, vmcs_guest_cr0(va->cr0_shadow));
		write_guest_seg(GUEST_CS_SEL, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR,
				0x08, 0, 0xffffffff, AR_CODE32);
		write_data_segs(0x10, 0, 0xffffffff, AR_DATA32);
		static bool selftest_done;
		if (options.selftest == SELFTEST_ENTRY_FAIL && !selftest_done) {
			/* The first VM gets an invalid guest state on purpose
			 * (tests/boot/33). VMs are created one by one on cpu0. */
			selftest_done = true;
			log_warn("selftest=entry-fail: vm %s gets a CS that is not present",
				 v->vm->name);
			vmcs_write32(GUEST_CS_AR, AR_CODE32 & ~AR_P);
		}
		vmcs_writel(GUEST_GDTR_BASE, 0);
		vmcs_write32(GUEST_GDTR_LIMIT, 0);
		vmcs_writel(GUEST_IDTR_BASE, 0);
		vmcs_write32(GUEST_IDTR_LIMIT, 0x3ff);
	} else {
		write_guest_reset_state();
		va->wait_for_sipi = true;
	}
	attach_breaks(v);

	vmclear(va->vmcs);
	this_cpu()->arch.current_vmcs = 0;
	this_cpu()->arch.current_vcpu_arch = NULL;
	return true;
}

void vcpu_arch_set_boot(struct vcpu *v, const struct guest_boot *b)
{
	/* GUEST_ENTRY_PROT32_FLAT, the one mode so far, is what
	 * vcpu_arch_init gives a boot vCPU; a new mode sets its segments
	 * here. Only registers: the VMCS RIP is written when the vCPU is
	 * first loaded (vcpu_load), since the VMCS is not current here. */
	v->arch.regs.gpr[GPR_RAX] = b->rax;
	v->arch.regs.gpr[GPR_RBX] = b->rbx;
	v->arch.regs.gpr[GPR_RSI] = b->rsi;
	v->arch.start_rip = b->rip;
	v->arch.start_rip_valid = true;
}
