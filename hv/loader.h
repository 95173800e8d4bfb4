/* Guest kernel loaders behind one interface.
 *
 * Each kernel format is one file that registers a struct guest_loader
 * with LOADER_REGISTER: today multiboot v1 (loader_mb1.c); the Linux boot
 * protocol is the next. vm.c hands the image to guest_load(), which lets
 * the first loader that recognises it lay it out in guest RAM and say how
 * the boot vCPU must start. Adding a format is adding a file.
 */
#ifndef TERN_LOADER_H
#define TERN_LOADER_H

#include "hv/types.h"

/* As many as a VM description can name (VMSPEC_MAX_MODULES). */
#define GUEST_MAX_MODULES 8

/* Guest RAM [0, size) as one flat host buffer. */
struct guest_mem_view {
	uint8_t *base;
	uint64_t size;
};

/* A module given to the guest (an initrd, an environment file...). */
struct guest_module {
	const void *data;
	uint64_t len;
	const char *cmdline; /* the module's string; NULL gives "" */
};

/* What a VM boots: its kernel and modules, as GRUB loaded them. */
struct guest_image {
	const void *kernel;
	uint64_t kernel_len;
	struct guest_module mods[GUEST_MAX_MODULES];
	unsigned int nmods;
};

/* The processor state a loader asks the boot vCPU to start in. */
enum guest_entry_mode {
	/* 32-bit protected mode, flat 4 GiB code and data segments, paging
	 * off, interrupts off (multiboot spec 3.2; Linux's 32-bit entry). */
	GUEST_ENTRY_PROT32_FLAT,
};

struct guest_boot {
	enum guest_entry_mode mode;
	uint64_t rip;
	uint64_t rax, rbx, rsi;      /* the registers boot protocols use */
	uint64_t kernel_start, kernel_end; /* [start, end) in guest RAM */
	const char *note;            /* a remark for the log, or NULL */
};

struct guest_loader {
	const char *name;            /* "multiboot v1" */
	/* A cheap look at the image's magic numbers: true if this is the
	 * loader's format, else false with the reason in 'why'. */
	bool (*probe)(const void *image, uint64_t len, char *why, size_t whylen);
	/* Lays the image out in 'mem' and fills 'out'; 0, or -1 with a
	 * message in 'err' (and guest memory left unspecified). */
	int (*load)(const struct guest_image *img, const char *cmdline,
		    const struct guest_mem_view *mem, struct guest_boot *out,
		    char *err, size_t errlen);
};

#define LOADER_REGISTER(l)                                                \
	static const struct guest_loader *const __loader_ptr_##l           \
		__attribute__((used, section(".guest_loaders"))) = &(l)

/* Loads 'img' with the first loader that recognises it. With none, -1 and
 * "not a kernel Tern can load: multiboot v1: <why>; ..." in 'err'. */
int guest_load(const struct guest_image *img, const char *cmdline,
	       const struct guest_mem_view *mem, struct guest_boot *out,
	       char *err, size_t errlen);

#endif
