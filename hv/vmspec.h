/* VM descriptions: the "vm=" option of Tern's command line and the "vm:"
 * spec on a GRUB module's own command line, parsed into struct vm_spec.
 * Pure code, tested on the host.
 *
 * Syntax: items "key=value" separated by commas or unquoted whitespace.
 *
 *   vm=name=web,kernel=1,mem=32M,cpus=2,pin=0-1,weight=2,
 *      cmdline="console=ttyS0 x=1",module=2,module=3
 *   (one word on the command line; wrapped here)
 *
 *   key        value                                          default
 *   name       1-15 characters A-Z a-z 0-9 _ -  (required; unique among VMs)
 *   kernel     module index (0-based, GRUB module order) or module name
 *              (required in vm=, not allowed in the module form)
 *   mem        size in bytes, suffix K/M/G, 2M..3G, multiple of 4K    16M
 *   cpus       number of vCPUs, 1-16 (synonym: vcpus)                 1
 *   pin        physical CPUs the vCPUs may run on: "0,2-5" (CPUs 0-63)
 *              or "any" (synonym: affinity)                           any
 *   weight     scheduling weight, 1-64                                1
 *   cmdline    the guest kernel's command line, up to 255 characters  ""
 *   module     an extra module for the guest (index or name), repeatable,
 *              up to 8, passed to the guest in the order given
 *   break      a hardware breakpoint/watchpoint Tern places inside the
 *              guest: [TYPE:]ADDR[/LEN] as in watch= (hv/watchspec.h),
 *              ADDR a guest-linear address (a number: there are no guest
 *              symbols); repeatable, up to 4 (a vCPU's DR0-DR3)
 *
 * Values may be double-quoted, in whole or in part, to contain commas and
 * whitespace; inside quotes \" is a quote and \\ a backslash (any other
 * backslash is kept as is). Outside quotes, a comma ends the item, except
 * in pin/affinity, where "pin=0,2-3" continues over items made only of
 * digits and '-' (quoting, pin="0,2-3", works too). Keys are
 * case-sensitive; each may be given once, except module and break. Numbers
 * are decimal or 0x-hex.
 *
 * Module names: a module is named by the first word of its command line
 * (e.g. "/boot/hello.elf") or by that word's basename ("hello.elf"); a name
 * matching more than one module is an error (use the index). A value that
 * is a number (decimal or 0x-hex, 0-1023) is an index.
 *
 * Module form: a GRUB module whose command line contains a word starting
 * with "vm:" defines a VM whose kernel is that module; the rest of the line
 * after "vm:" is the spec, with the same keys except kernel:
 *
 *   module2 /boot/hello.elf 'vm:name=a,mem=16M,cmdline="x y"'
 *   module2 /boot/hello.elf vm:name=b cpus=2 module=3
 *
 * (grub.cfg is parsed like a shell script, which removes double quotes
 * that are not inside single quotes: quote the whole spec there.) On Tern's
 * command line the top-level parser knows no backslash escapes and keeps
 * vm= values to 255 characters (hv/cmdline.h): a vm= value can hold quoted
 * sections with spaces (vm=name=a,cmdline="x y") but not an escaped quote;
 * the module form has neither limit.
 */
#ifndef TERN_VMSPEC_H
#define TERN_VMSPEC_H

#include "hv/types.h"
#include "hv/watchspec.h"

#define VMSPEC_NAME_MAX 15      /* characters of a VM name */
#define VMSPEC_REF_NAME_MAX 31  /* characters of a module name reference */
#define VMSPEC_CMDLINE_MAX 255  /* characters of a guest command line */
#define VMSPEC_MAX_MODULES 8
#define VMSPEC_MAX_BREAKS 4     /* a vCPU has four debug-address registers */
#define VMSPEC_MAX_VCPUS 16
#define VMSPEC_MAX_WEIGHT 64
#define VMSPEC_MAX_PCPUS 64     /* CPUs a pin set can name: 0..63 */
#define VMSPEC_MEM_DEFAULT (16 * MiB)
#define VMSPEC_MEM_MIN (2 * MiB)
/* Guest RAM is one block from address 0 and must end below the 3-4 GiB
 * hole where the (x)APIC page and other MMIO live. */
#define VMSPEC_MEM_MAX (3 * GiB)
#define VMSPEC_PIN_ANY UINT64_MAX /* pin_mask default: every CPU */

/* A reference to a GRUB module, by index or by name. */
struct vm_module_ref {
	bool is_index;
	unsigned int index;                  /* when is_index */
	char name[VMSPEC_REF_NAME_MAX + 1];  /* otherwise */
};

struct vm_spec {
	char name[VMSPEC_NAME_MAX + 1];
	struct vm_module_ref kernel;
	bool from_module;       /* module form: kernel is that module's index */
	uint64_t mem;           /* bytes */
	unsigned int ncpus;
	uint64_t pin_mask;      /* bit N: physical CPU N; VMSPEC_PIN_ANY */
	unsigned int weight;
	char cmdline[VMSPEC_CMDLINE_MAX + 1];
	unsigned int nmodules;
	struct vm_module_ref modules[VMSPEC_MAX_MODULES];
	/* break= in the order given; target holds the address in hex. */
	unsigned int nbreaks;
	struct watch_spec breaks[VMSPEC_MAX_BREAKS];
};

void vmspec_defaults(struct vm_spec *s);

/*
 * Parses the value of a vm= option into 'out' (defaults first). Returns 0,
 * or -1 with a message in 'err' naming the VM, the key and the value:
 *   "vm 'web': mem=3K is too small (minimum 2 MiB)"
 */
int vmspec_parse(const char *spec, struct vm_spec *out, char *err,
		 size_t errlen);

/*
 * The spec inside a module's command line: a pointer just past "vm:" of the
 * first word that starts with "vm:", or NULL if there is none.
 */
const char *vmspec_module_spec(const char *modline);

/*
 * Parses the module form for module number 'module_index' whose command line
 * is 'modline'. Returns 1 if it defined a VM (in 'out', kernel = that
 * module), 0 if the line has no "vm:" word, -1 on error (message in 'err',
 * "vm 'a' (module 3): ...").
 */
int vmspec_parse_module(const char *modline, unsigned int module_index,
			struct vm_spec *out, char *err, size_t errlen);

/*
 * Resolves a module reference against the modules' command lines
 * (modlines[i] of module i; NULL counts as ""). 'what' names the reference
 * in messages ("kernel", "module"). Returns 0 and the index, or -1.
 */
int vmspec_resolve(const struct vm_module_ref *ref, const char *what,
		   const char *const *modlines, unsigned int nmods,
		   unsigned int *index, char *err, size_t errlen);

/* Resolves the kernel and every module of 'spec': 'mods' receives
 * spec->nmodules indices. Messages start "vm 'web': kernel=...". */
int vmspec_resolve_all(const struct vm_spec *spec, const char *const *modlines,
		       unsigned int nmods, unsigned int *kernel,
		       unsigned int *mods, char *err, size_t errlen);

/* Returns 0 if all names differ, else -1: "duplicate VM name 'a' (VMs 0
 * and 2)". */
int vmspec_check_unique(const struct vm_spec *specs, unsigned int n,
			char *err, size_t errlen);

/*
 * Parses a CPU set "0,2-3" (CPUs 0..63) into a bit mask. Returns 0, or -1
 * with the reason in 'err' ("CPU 64 out of range (0-63)", "reversed range
 * 3-1", ...).
 */
int parse_cpuset(const char *s, uint64_t *mask, char *err, size_t errlen);

/* Formats a mask as a CPU set ("0-1,3"); returns the length it needs. */
int format_cpuset(uint64_t mask, char *buf, size_t len);

/*
 * Formats 'spec' back into vm= syntax, every key present, e.g.
 * name=web,kernel=1,mem=32M,cpus=2,pin=0-1,weight=2,cmdline="x",module=2,
 * break=x:0x101420,break=w:0x104000/4 (pin=any for VMSPEC_PIN_ANY; module
 * and break only as given). Parsing the text gives the same spec back.
 * Returns the length it needs.
 */
int vmspec_format(const struct vm_spec *spec, char *buf, size_t len);

#endif
