/* Tern's own symbols, from the "ternsyms" boot module (build/tern.sym, an
 * "address name" list that tools/mkiso adds to every ISO). Used to arm
 * watchpoints by name and to name addresses in reports. */
#ifndef TERN_KSYMS_H
#define TERN_KSYMS_H

#include "hv/types.h"

struct boot_info;

/* Finds the module whose command line starts with "ternsyms". */
void ksyms_init(const struct boot_info *bi);
bool ksyms_available(void);
/* Address of symbol 'name' (exact match). */
bool ksym_lookup(const char *name, size_t len, uint64_t *addr);
/* Nearest symbol at or below 'addr' and the offset from it; NULL if none. */
const char *ksym_name(uint64_t addr, uint64_t *off, char *buf, size_t len);

#endif
