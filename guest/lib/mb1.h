/* mb1.h: Multiboot version 1 definitions used by the guest runtime.
 * Layout from the Multiboot Specification 0.6.96, section 3.3 ("Boot
 * information format"). Only the fields the guests read are named. */
#ifndef GUEST_MB1_H
#define GUEST_MB1_H

#include <stdint.h>

#define MB1_HEADER_MAGIC     0x1BADB002u  /* in the kernel image */
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u  /* in EAX at entry */

/* mb1_info.flags bits: which fields are valid. */
#define MB1_INFO_MEM     (1u << 0)   /* mem_lower, mem_upper */
#define MB1_INFO_CMDLINE (1u << 2)   /* cmdline */
#define MB1_INFO_MMAP    (1u << 6)   /* mmap_length, mmap_addr */

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower;      /* KiB below 1 MiB */
	uint32_t mem_upper;      /* KiB above 1 MiB (up to the first hole) */
	uint32_t boot_device;
	uint32_t cmdline;        /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
} __attribute__((packed));

/* One memory-map entry. `size` does not count itself: the next entry is at
 * (char *)entry + entry->size + 4. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;           /* 1 = available RAM */
} __attribute__((packed));

#endif
