/* gdt.c: a flat 32-bit GDT (ring 0 and ring 3 code/data) plus a TSS.
 *
 * The Multiboot spec says GDTR may be invalid at entry, so a guest must not
 * reload a segment register before installing its own GDT. The TSS is only
 * needed for its SS0:ESP0: the stack the CPU switches to when an interrupt
 * or exception arrives at CPL 3 (SDM Vol. 3, 6.12.1 "Exception- or
 * Interrupt-Handler Procedures", 8.2.1 "Task-State Segment"). Its I/O map
 * base points past the limit, so CPL 3 has no port access (IOPL stays 0). */
#include <stdint.h>
#include "gdt.h"

struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS is 104 bytes");

static struct tss32 tss;
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));
static uint64_t gdt[6];

/* A segment descriptor (SDM Vol. 3, 3.4.5): access byte and flags nibble. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (uint64_t)(limit & 0xFFFF) |
	       ((uint64_t)(base & 0xFFFFFF) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xF) << 48) |
	       ((uint64_t)(flags & 0xF) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

void gdt_init(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr;

	/* flags 0xC: 4 KiB granularity, 32-bit. Access: present, DPL, code
	 * (0x9A execute/read) or data (0x92 read/write); 0x89 = 32-bit TSS. */
	gdt[0] = 0;
	gdt[KERNEL_CS >> 3] = seg_desc(0, 0xFFFFF, 0x9A, 0xC);
	gdt[KERNEL_DS >> 3] = seg_desc(0, 0xFFFFF, 0x92, 0xC);
	gdt[USER_CS >> 3] = seg_desc(0, 0xFFFFF, 0xFA, 0xC);
	gdt[USER_DS >> 3] = seg_desc(0, 0xFFFFF, 0xF2, 0xC);
	gdt[TSS_SEL >> 3] = seg_desc((uint32_t)(uintptr_t)&tss,
				     sizeof(tss) - 1, 0x89, 0x0);

	tss.ss0 = KERNEL_DS;
	tss.esp0 = (uint32_t)(uintptr_t)(ring0_stack + sizeof(ring0_stack));
	tss.iomap_base = sizeof(tss);

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)(uintptr_t)gdt;
	__asm__ volatile(
		"lgdt %0\n\t"
		"ljmp %1, $1f\n"
		"1:\n\t"
		"movw %w2, %%ds\n\t"
		"movw %w2, %%es\n\t"
		"movw %w2, %%fs\n\t"
		"movw %w2, %%gs\n\t"
		"movw %w2, %%ss\n\t"
		"ltr %w3"
		:
		: "m"(gdtr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
		: "memory");
}
