/* A virtual machine: its memory, vCPUs, devices and how it ended. */
#ifndef TERN_VM_H
#define TERN_VM_H

#include "hv/io.h"
#include "hv/loader.h"
#include "hv/spinlock.h"
#include "hv/types.h"
#include "hv/vcpu.h"
#include "hv/vmspec.h"
#include "arch/x86/vm_arch.h"

#define VM_MAX 16
#define VM_MAX_VCPUS 16
#define VM_NAME_LEN 16
#define VM_MEM_REGIONS 64

enum vm_state {
	VM_CREATED,
	VM_RUNNING,
	VM_ENDED,     /* all vCPUs stopped */
	VM_FAILED,    /* could not be created (bad image, no memory) */
};

/* Why a VM ended (the first reason recorded wins). */
enum vm_end {
	VM_END_NONE,
	VM_END_DEBUG_EXIT,     /* wrote to port 0xF4 */
	VM_END_TRIPLE_FAULT,
	VM_END_BAD_ACCESS,     /* guest-physical access nothing handles */
	VM_END_UNHANDLED_EXIT, /* an exit Tern does not emulate */
	VM_END_ENTRY_FAILED,   /* VM entry refused the guest state */
	VM_END_HALTED,         /* every vCPU halted with interrupts off */
	VM_END_LOAD_FAILED,
	VM_END_TIMEOUT,
};

/* A contiguous piece of guest RAM. */
struct vm_mem_region {
	gpa_t gpa;
	paddr_t hpa;
	uint64_t size;
};

struct vm {
	unsigned int id;
	char name[VM_NAME_LEN];
	struct vm_spec spec;
	volatile int state;           /* enum vm_state */
	int end;                      /* enum vm_end */
	uint32_t status;              /* exit status, (v << 1) | 1 for 0xF4 */
	char end_detail[192];
	spinlock_t lock;

	uint64_t mem_size;
	struct vm_mem_region mem[VM_MEM_REGIONS];
	unsigned int nmem;

	unsigned int nvcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	volatile unsigned int vcpus_stopped;

	struct io_bus io;             /* port I/O devices */
	struct mmio_bus mmio;         /* MMIO devices (outside RAM) */
	struct vm_arch arch;
};

extern struct vm *vms[VM_MAX];
extern unsigned int nvms;

/* Host pointer to guest-physical [gpa, gpa + len) if it lies within one
 * RAM region, else NULL. */
void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len);
/* Ends the VM (all its vCPUs stop at their next exit): records why, once. */
void vm_end(struct vm *vm, enum vm_end why, uint32_t status, const char *fmt, ...)
	__printf(4, 5);
const char *vm_end_name(int end);


/* Creates a VM from its kernel image and modules (hv/loader.h). On failure the VM is returned with state VM_CREATED (not
 * runnable) and the reason in 'err'; NULL only without memory for it. */
struct vm *vm_create(const struct vm_spec *spec, const struct guest_image *img, char *err,
		     size_t len);

#endif
