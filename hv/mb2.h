/* Multiboot2 boot information: validation and extraction of what Tern needs
 * (command line, memory map, modules, ACPI RSDP, boot loader name).
 * Pure code, tested on the host with malformed and truncated inputs. */
#ifndef TERN_MB2_H
#define TERN_MB2_H

#include "hv/types.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

#define MB2_MEM_AVAILABLE 1
#define MB2_MEM_RESERVED 2
#define MB2_MEM_ACPI_RECLAIMABLE 3
#define MB2_MEM_NVS 4
#define MB2_MEM_BADRAM 5

#define MB2_MAX_MMAP 128
#define MB2_MAX_MODULES 32

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* MB2_MEM_* */
};

struct mb2_module {
	uint64_t start; /* physical, inclusive */
	uint64_t end;   /* physical, exclusive */
	const char *cmdline; /* points into the boot information; "" if none */
};

struct boot_info {
	const char *cmdline;     /* "" if the tag is absent */
	const char *loader_name; /* "" if absent */
	struct mem_range mmap[MB2_MAX_MMAP];
	unsigned int nmmap;
	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned int nmodules;
	const void *rsdp;  /* copy inside the boot information, or NULL */
	size_t rsdp_len;
	int rsdp_revision; /* 0 = ACPI 1.0 RSDP (tag 14), 2 = tag 15 */
	uint32_t total_size;
};

/*
 * Validates the magic and the tag list of the boot information at 'info'
 * (at most 'avail' bytes are readable there) and fills 'bi'. On failure
 * returns a negative value and writes a message naming the bad tag (by
 * name and offset) into 'err'. A missing memory map is an error; a missing
 * command line, loader name or ACPI tag is not (fields stay empty).
 * Entries beyond MB2_MAX_MMAP / MB2_MAX_MODULES are dropped with a message
 * in 'warn' (if non-NULL) but are not an error.
 */
int mb2_parse(uint32_t magic, const void *info, size_t avail,
	      struct boot_info *bi, char *err, size_t errlen,
	      char *warn, size_t warnlen);

/* Human-readable name of a tag type ("memory map", "module", ...). */
const char *mb2_tag_name(uint32_t type);
const char *mb2_mem_type_name(uint32_t type);

#endif
