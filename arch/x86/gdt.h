/* Per-CPU GDT and TSS (long mode needs a TSS for the IST stacks, and VMX
 * host state needs a valid TR). */
#ifndef ARCH_X86_GDT_H
#define ARCH_X86_GDT_H

#include "hv/types.h"

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18
#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

/* IST slots (1-based, as in the IDT gate). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3
#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct descriptor_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

struct gdt_cpu {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss tss __aligned(16);
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);
};

/* Loads this CPU's GDT, segment registers and TR. */
void gdt_init_cpu(struct gdt_cpu *g);

#endif
