/* VM life cycle: creating a VM from its spec and kernel module (memory,
 * loader, EPT, devices, vCPUs), translating guest-physical addresses, and
 * ending it. */
#include "hv/vm.h"
#include "hv/fmt.h"
#include "hv/heap.h"
#include "hv/lib.h"
#include "hv/loader_mb1.h"
#include "hv/log.h"
#include "hv/pmm.h"
#include "hv/sched_core.h"
#include "arch/x86/vlapic.h"
#include "arch/x86/vm_arch.h"

struct vm *vms[VM_MAX];
unsigned int nvms;

static const char *const end_names[] = {
	[VM_END_NONE] = "running",
	[VM_END_DEBUG_EXIT] = "debug-exit",
	[VM_END_TRIPLE_FAULT] = "triple-fault",
	[VM_END_BAD_ACCESS] = "bad-access",
	[VM_END_UNHANDLED_EXIT] = "unhandled-exit",
	[VM_END_ENTRY_FAILED] = "entry-failed",
	[VM_END_HALTED] = "halted",
	[VM_END_LOAD_FAILED] = "not-created",
	[VM_END_TIMEOUT] = "timeout",
};

const char *vm_end_name(int end)
{
	if (end >= 0 && (unsigned)end < ARRAY_SIZE(end_names) && end_names[end])
		return end_names[end];
	return "unknown";
}

void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < vm->nmem; i++) {
		const struct vm_mem_region *r = &vm->mem[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return phys_to_virt(r->hpa + (gpa - r->gpa));
	}
	return NULL;
}

/* A guest that reports on the VGA text screen (0xB8000, 80x25 cells of
 * character + attribute) has that screen shown when it ends, as lines
 * "[name] vga: ...". Tern emulates no display: the buffer is guest RAM. */
static void dump_vga_text(struct vm *vm)
{
	const uint8_t *screen = vm_gpa_to_hva(vm, 0xb8000, 80 * 25 * 2);
	char line[81];

	if (!screen)
		return;
	for (unsigned row = 0; row < 25; row++) {
		unsigned len = 0, used = 0;
		for (unsigned col = 0; col < 80; col++) {
			uint8_t c = screen[(row * 80 + col) * 2];
			line[col] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
			if (line[col] != ' ') {
				len = col + 1;
				used = 1;
			}
		}
		if (!used)
			continue;
		line[len] = '\0';
		printk("[%s] vga: %s\n", vm->name, line);
	}
}

void vm_end(struct vm *vm, enum vm_end why, uint32_t status, const char *fmt, ...)
{
	va_list ap;
	bool first = false;

	spin_lock(&vm->lock);
	if (vm->end == VM_END_NONE) {
		vm->end = why;
		vm->status = status;
		va_start(ap, fmt);
		fmt_vsnprintf(vm->end_detail, sizeof(vm->end_detail), fmt, ap);
		va_end(ap);
		first = true;
	}
	spin_unlock(&vm->lock);
	if (!first)
		return;
	dump_vga_text(vm);
	if (why == VM_END_DEBUG_EXIT || why == VM_END_HALTED)
		log_info("vm %s ended: %s (status %#x)", vm->name, vm->end_detail, vm->status);
	else
		log_err("vm %s ended: %s: %s", vm->name, vm_end_name(why), vm->end_detail);
	/* Every vCPU stops at its next exit; wake the blocked ones so that
	 * they notice, and kick the running ones. */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i])
			sched_kick_vcpu(vm->vcpus[i]);
}

static bool alloc_ram(struct vm *vm, char *err, size_t len)
{
	size_t pages = vm->mem_size / PAGE_SIZE;
	/* One contiguous, 2 MiB aligned block: EPT can then map it with
	 * large pages, and the loader sees guest RAM as one buffer. */
	paddr_t hpa = pmm_alloc(pages, LARGE_PAGE_SIZE);
	if (!hpa)
		hpa = pmm_alloc(pages, PAGE_SIZE);
	if (!hpa) {
		fmt_snprintf(err, len, "not enough free memory for %llu MiB of guest RAM (%llu MiB free)",
			     (unsigned long long)(vm->mem_size / MiB),
			     (unsigned long long)(pmm_free_bytes() / MiB));
		return false;
	}
	vm->mem[0] = (struct vm_mem_region){ 0, hpa, vm->mem_size };
	vm->nmem = 1;
	return true;
}

struct vm *vm_create(const struct vm_spec *spec, const struct guest_image *img, char *err,
		     size_t len)
{
	struct vm *vm = kzalloc(sizeof(*vm));
	if (!vm) {
		fmt_snprintf(err, len, "out of memory");
		return NULL;
	}
	vm->spec = *spec;
	strlcpy(vm->name, spec->name, sizeof(vm->name));
	vm->mem_size = spec->mem;
	vm->nvcpus = spec->ncpus;
	vm->state = VM_CREATED;
	if (!alloc_ram(vm, err, len))
		return vm;

	struct guest_mem_view view = { phys_to_virt(vm->mem[0].hpa), vm->mem_size };
	struct guest_boot boot;
	/* Multiboot loaders (GRUB, QEMU -kernel) pass the kernel's name as the
	 * first word of its command line; the VM's name stands in for it. */
	static char cmdline[VM_NAME_LEN + VMSPEC_CMDLINE_MAX + 2];
	fmt_snprintf(cmdline, sizeof(cmdline), "%s%s%s", vm->name, spec->cmdline[0] ? " " : "",
		     spec->cmdline);
	if (guest_load(img, cmdline, &view, &boot, err, len))
		return vm;
	if (boot.note)
		log_info("vm %s: %s", vm->name, boot.note);
	log_info("vm %s: kernel [%#llx-%#llx) entry %#llx, %llu MiB RAM, %u vcpu%s, weight %u",
		 vm->name, (unsigned long long)boot.kernel_start,
		 (unsigned long long)boot.kernel_end, (unsigned long long)boot.rip,
		 (unsigned long long)(vm->mem_size / MiB), vm->nvcpus,
		 vm->nvcpus == 1 ? "" : "s", spec->weight);

	if (!vm_arch_init(vm, err, len) || !vdev_attach_all(vm))
		return vm;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = kzalloc(sizeof(*v));
		if (!v) {
			fmt_snprintf(err, len, "out of memory for vcpu %u", i);
			return vm;
		}
		v->vm = vm;
		v->id = i;
		v->last_cpu = -1;
		v->state = VCPU_BLOCKED;
		se_init(&v->se, spec->weight * SCHED_WEIGHT_UNIT, spec->pin_mask);
		if (!vcpu_arch_init(v, i == 0, err, len) || !vlapic_create(v, err, len))
			return vm;
		vm->vcpus[i] = v;
	}
	vcpu_arch_set_boot(vm->vcpus[0], &boot);
	vm->state = VM_RUNNING;
	return vm;
}
