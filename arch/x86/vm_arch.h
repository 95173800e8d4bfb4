/* x86 part of a VM: its EPT and the I/O and MSR bitmaps its VMCSs share. */
#ifndef ARCH_X86_VM_ARCH_H
#define ARCH_X86_VM_ARCH_H

#include "hv/types.h"
#include "arch/x86/ept.h"

struct vm_arch {
	struct ept ept;
	uint64_t eptp;
	paddr_t io_bitmap_a, io_bitmap_b; /* all ones: every port exits */
	paddr_t msr_bitmap;               /* all ones: every MSR exits */
};

struct vm;
struct vcpu;

/* Builds the EPT from vm->mem[] and the shared bitmaps. */
bool vm_arch_init(struct vm *vm, char *err, size_t len);
/* Sets up a vCPU's VMCS. 'bsp': the vCPU that starts running; the others
 * wait for INIT-SIPI. */
bool vcpu_arch_init(struct vcpu *v, bool bsp, char *err, size_t len);
/* Sets the guest's initial registers for a multiboot v1 entry. */
struct guest_boot;
/* The boot vCPU's start state, as a loader asked for it (hv/loader.h). */
void vcpu_arch_set_boot(struct vcpu *v, const struct guest_boot *b);

#endif
