/* Per-CPU GDT with a 64-bit TSS. Each CPU has its own TSS because the TSS
 * descriptor's busy bit and the IST stacks are per CPU. */
#include "arch/x86/gdt.h"
#include "hv/lib.h"

void gdt_init_cpu(struct gdt_cpu *g)
{
	memset(&g->tss, 0, sizeof(g->tss));
	for (int i = 0; i < IST_COUNT; i++)
		g->tss.ist[i] = (uint64_t)&g->ist_stacks[i][IST_STACK_SIZE];
	g->tss.iomap_base = sizeof(struct tss); /* no I/O bitmap */

	uint64_t base = (uint64_t)&g->tss;
	uint64_t limit = sizeof(struct tss) - 1;

	g->gdt[0] = 0;
	g->gdt[1] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
	g->gdt[2] = 0x00cf92000000ffffULL; /* data, DPL 0 */
	/* 64-bit available TSS (type 9), present. */
	g->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		    (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
		    (((base >> 24) & 0xff) << 56);
	g->gdt[4] = base >> 32;

	struct descriptor_ptr p = { sizeof(g->gdt) - 1, (uint64_t)g->gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3\n\t"
			 :
			 : "m"(p), "i"(GDT_KERNEL_CS), "i"(GDT_KERNEL_DS),
			   "r"((uint16_t)GDT_TSS)
			 : "rax", "memory");
}
