/* Turning the boot configuration into VMs: VM specs come from Tern's
 * command line (vm=...) and from GRUB modules whose own command line holds
 * a "vm:" spec. Each spec is parsed, its modules resolved, and its VM
 * created; a spec or image that is wrong means only that VM is not created. */
#include "hv/vm_config.h"
#include "hv/cmdline.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/mb2.h"
#include "hv/pmm.h"
#include "hv/vm.h"
#include "hv/vmspec.h"

/* VMs that could not even be described keep a record for the summary. */
static struct vm failed_specs[VM_MAX];

static void record_failure(const char *name, const char *why)
{
	if (nvms == VM_MAX)
		return;
	struct vm *vm = &failed_specs[nvms];
	fmt_snprintf(vm->name, sizeof(vm->name), "%s", name[0] ? name : "?");
	vm->state = VM_FAILED;
	vm->end = VM_END_LOAD_FAILED;
	fmt_snprintf(vm->end_detail, sizeof(vm->end_detail), "%s", why);
	vms[nvms++] = vm;
}

/* Guest modules: the boot modules except Tern's own symbol list, numbered
 * from 0 in GRUB order, so that VM specs' module indices do not depend on
 * whether the symbol module is there. */
static const struct mb2_module *gmods[MB2_MAX_MODULES];
static unsigned int ngmods;

static void create_one(const struct vm_spec *spec, const struct boot_info *bi,
		       const char *const *modlines)
{
	char err[192];
	unsigned kernel, mods[VMSPEC_MAX_MODULES];

	if (nvms == VM_MAX) {
		log_err("vm %s: not created: at most %u VMs", spec->name, VM_MAX);
		return;
	}
	if (vmspec_resolve_all(spec, modlines, ngmods, &kernel, mods, err, sizeof(err))) {
		log_err("vm %s: not created: %s", spec->name, err);
		record_failure(spec->name, err);
		return;
	}
	_Static_assert(GUEST_MAX_MODULES >= VMSPEC_MAX_MODULES, "a VM's modules must fit");
	struct guest_image img = { 0 };
	const struct mb2_module *m = gmods[kernel];
	img.kernel = phys_to_virt(m->start);
	img.kernel_len = m->end - m->start;
	img.nmods = spec->nmodules;
	for (unsigned i = 0; i < spec->nmodules; i++) {
		const struct mb2_module *x = gmods[mods[i]];
		img.mods[i] = (struct guest_module){ phys_to_virt(x->start), x->end - x->start,
						      modlines[mods[i]] };
	}
	err[0] = '\0';
	struct vm *vm = vm_create(spec, &img, err, sizeof(err));
	if (!vm) {
		log_err("vm %s: not created: out of memory", spec->name);
		record_failure(spec->name, "out of memory");
		return;
	}
	vm->id = nvms;
	vms[nvms++] = vm;
	if (vm->state != VM_RUNNING) {
		vm->state = VM_FAILED;
		vm->end = VM_END_LOAD_FAILED;
		fmt_snprintf(vm->end_detail, sizeof(vm->end_detail), "%s", err);
		log_err("vm %s: not created: %s (module %u)", spec->name, err, kernel);
	}
}

unsigned int vm_config_create_all(const struct boot_info *bi, const struct tern_options *o)
{
	static struct vm_spec specs[VM_MAX];
	const char *modlines[MB2_MAX_MODULES];
	unsigned n = 0;
	char err[192];

	static char unquoted[MB2_MAX_MODULES][512];
	ngmods = 0;
	for (unsigned i = 0; i < bi->nmodules; i++) {
		const char *c = bi->modules[i].cmdline;
		if (!strncmp(c, "ternsyms", 8) && (c[8] == '\0' || c[8] == ' '))
			continue;
		cmdline_grub_unquote(c, unquoted[ngmods], sizeof(unquoted[ngmods]));
		modlines[ngmods] = unquoted[ngmods];
		gmods[ngmods++] = &bi->modules[i];
	}

	for (unsigned i = 0; i < o->nvms && n < VM_MAX; i++) {
		if (vmspec_parse(o->vms[i], &specs[n], err, sizeof(err))) {
			log_err("%s; that VM is not created", err);
			record_failure(specs[n].name, err);
			continue;
		}
		n++;
	}
	for (unsigned i = 0; i < ngmods && n < VM_MAX; i++) {
		int rc = vmspec_parse_module(modlines[i], i, &specs[n], err, sizeof(err));
		if (rc < 0) {
			log_err("%s; that VM is not created", err);
			record_failure(specs[n].name, err);
		} else if (rc > 0) {
			n++;
		}
	}
	/* A duplicate name is reported and the later VM dropped. */
	for (unsigned i = 0; i < n; i++) {
		bool dup = false;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(specs[i].name, specs[j].name))
				dup = true;
		if (dup) {
			log_err("vm %s: name used twice; the second is not created", specs[i].name);
			continue;
		}
		create_one(&specs[i], bi, modlines);
	}
	unsigned running = 0;
	for (unsigned i = 0; i < nvms; i++)
		if (vms[i]->state == VM_RUNNING)
			running++;
	log_info("vms: %u configured, %u created, %llu MiB free", nvms, running,
		 (unsigned long long)(pmm_free_bytes() / MiB));
	return running;
}
