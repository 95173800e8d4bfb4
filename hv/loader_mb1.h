/* Loading a Multiboot version 1 kernel into a VM's guest-physical memory,
 * as a multiboot boot loader or QEMU's -kernel does (Multiboot
 * Specification 0.6.96). Pure code, tested on the host.
 *
 * The image is untrusted: every offset and size is checked before anything
 * is read, and nothing is written to guest memory until the whole load has
 * been validated and placed, so a failed load leaves the memory untouched.
 *
 * Kernel: the multiboot header must lie 4-byte aligned in the first 8 KiB.
 * With header flag bit 16 set the address fields (the "a.out kludge") say
 * what to load, as the spec requires, whether or not the file is ELF;
 * otherwise the file must be an ELF32 i386 executable and its PT_LOAD
 * segments are loaded at their physical addresses (p_paddr). The entry
 * point, e_entry, is translated through the segment whose virtual range
 * holds it (as GRUB does; the same address when p_vaddr == p_paddr).
 * Segments must lie in guest RAM below 4 GiB, outside the legacy area
 * [0x9fc00, 0x100000) (which the memory map shows as not RAM), and must not
 * overlap one another. Guest RAM must be at least 2 MiB.
 *
 * Boot information (multiboot info, memory map, module list, strings) and
 * modules are placed in free guest RAM below 4 GiB, never over the kernel
 * [kernel_start, kernel_end) or each other:
 *   1. above the kernel: [ALIGN_UP(kernel_end, 4K), min(RAM, 4 GiB)),
 *   2. then, if that is full, the other free areas from the bottom up:
 *      [0x1000, 0x9fc00) and [0x100000, kernel_start).
 * The boot information block goes first (one page-aligned block, so with a
 * kernel at 1 MiB it sits right after the kernel), then each module,
 * page aligned (which also satisfies header flag bit 0), first-fit in that
 * order. A typical layout, kernel at 1 MiB:
 *
 *   0x100000            kernel segments and bss
 *   ALIGN_UP(end, 4K)   MBI, mmap, module list, cmdline, module strings,
 *                       "Tern"
 *   next 4 KiB          module 0, module 1, ... (each page aligned)
 *
 * Memory map given to the guest (type 1 available, 2 reserved):
 *   [0, 0x9fc00) 1, [0x9fc00, 0xa0000) 2, [0xe8000, 0x100000) 2,
 *   [0x100000, RAM) 1.
 * mem_lower = 639, mem_upper = (min(RAM, 4 GiB) - 1 MiB) / 1 KiB.
 *
 * Machine state at entry (spec 3.2), for the caller to set: EAX =
 * MB1_BOOTLOADER_MAGIC, EBX = mbi_gpa, EIP = entry, 32-bit protected mode
 * without paging, flat 4 GiB CS (execute/read) and data segments, A20 on,
 * EFLAGS.IF = 0 and VM = 0.
 */
#ifndef TERN_LOADER_MB1_H
#define TERN_LOADER_MB1_H

#include "hv/types.h"
#include "hv/loader.h"

#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u /* EAX at entry */
#define MB1_SEARCH_LEN 8192              /* header within the first 8 KiB */

/* Multiboot header flags (spec 3.1.2). Bits 0-15 are required. */
#define MB1_HF_PAGE_ALIGN BIT(0)  /* modules page aligned */
#define MB1_HF_MEMINFO BIT(1)     /* mem_* and mmap wanted */
#define MB1_HF_VIDEO BIT(2)       /* video mode wanted (ignored) */
#define MB1_HF_AOUT_KLUDGE BIT(16) /* address fields valid */

/* Multiboot information flags (spec 3.3). */
#define MB1_INFO_MEM BIT(0)
#define MB1_INFO_CMDLINE BIT(2)
#define MB1_INFO_MODS BIT(3)
#define MB1_INFO_MMAP BIT(6)
#define MB1_INFO_LOADER_NAME BIT(9)

/* Offsets in the multiboot information structure (spec 3.3). */
#define MB1_MBI_FLAGS 0
#define MB1_MBI_MEM_LOWER 4
#define MB1_MBI_MEM_UPPER 8
#define MB1_MBI_CMDLINE 16
#define MB1_MBI_MODS_COUNT 20
#define MB1_MBI_MODS_ADDR 24
#define MB1_MBI_MMAP_LENGTH 44
#define MB1_MBI_MMAP_ADDR 48
#define MB1_MBI_LOADER_NAME 64
#define MB1_MBI_SIZE 116 /* through the framebuffer fields, all zeroed */

#define MB1_MMAP_ENTRY_SIZE 24 /* size(4) base(8) length(8) type(4) */
#define MB1_MMAP_ENTRIES 4
#define MB1_MOD_ENTRY_SIZE 16  /* mod_start, mod_end, string, reserved */

#define MB1_MAX_MODULES 16
#define MB1_LOADER_NAME "Tern"



struct mb1_load_result {
	uint32_t entry;        /* physical entry point: EIP */
	uint32_t mbi_gpa;      /* EBX */
	uint64_t kernel_start; /* [start, end): all segments including bss */
	uint64_t kernel_end;
	uint64_t info_start;   /* [start, end): MBI, mmap, modules, strings */
	uint64_t info_end;
	unsigned int nmods;
	struct {
		uint32_t start; /* page aligned */
		uint32_t end;   /* exclusive: start + length */
	} mods[MB1_MAX_MODULES];
	uint32_t header_flags; /* the kernel's multiboot header flags */
	uint32_t header_offset;
	bool aout_kludge;      /* loaded from the header's address fields */
	const char *note;      /* a non-fatal remark for the log, or NULL */
};

/*
 * Loads 'image' (image_len bytes) with command line 'cmdline' (NULL gives
 * "") and 'nmods' modules into 'mem' and builds the multiboot information.
 * Returns 0 and fills 'out', or -1 with a message in 'err' that names the
 * problem and the values involved, e.g.
 *   "segment 1 [0x100000-0x1180000) lies beyond guest RAM (16 MiB)"
 * and then guest memory has not been written.
 */
int mb1_load(const void *image, uint64_t image_len, const char *cmdline,
	     const struct guest_module *mods, unsigned int nmods,
	     const struct guest_mem_view *mem, struct mb1_load_result *out,
	     char *err, size_t errlen);

#endif
