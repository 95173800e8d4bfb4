/* cmdline.h: key=value items on the multiboot command line. */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stddef.h>
#include <stdint.h>
#include "mb1.h"

/* The command line, or "" when the loader passed none (flags bit 2 clear).
 * QEMU's -kernel and GRUB put the kernel's path first; it never looks like
 * key=value, so the helpers below skip it naturally. */
const char *cmdline_str(const struct mb1_info *mbi);

/* Copy the value of the first item `key=value` into buf (NUL-terminated,
 * truncated to len - 1 characters). Returns the value's full length, or -1
 * when the key is absent (buf is then "" if len > 0). */
int cmdline_get(const struct mb1_info *mbi, const char *key, char *buf,
		size_t len);

/* The value of `key` as a number (decimal, or hex with 0x), or def when the
 * key is absent or not a number. */
uint32_t cmdline_get_u32(const struct mb1_info *mbi, const char *key,
			 uint32_t def);

/* Whether `key` has `item` in its comma-separated value: for
 * "skip=io-bp,gd", cmdline_has_item(mbi, "skip", "gd") is true. */
int cmdline_has_item(const struct mb1_info *mbi, const char *key,
		     const char *item);

#endif
