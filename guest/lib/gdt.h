/* gdt.h: the guests' own GDT and TSS, with ring-3 segments for CPL 3 tests. */
#ifndef GUEST_GDT_H
#define GUEST_GDT_H

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS   (0x18 | 3)
#define USER_DS   (0x20 | 3)
#define TSS_SEL   0x28

#ifndef __ASSEMBLER__
/* Load the GDT, reload every segment register, load the TSS (its ESP0 is a
 * dedicated stack used when an interrupt arrives at CPL 3). Called by
 * entry.asm before gmain. */
void gdt_init(void);
#endif

#endif
