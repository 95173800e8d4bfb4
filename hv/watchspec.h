/* Hypervisor watchpoint specs (the watch= option):
 *
 *   watch=[TYPE:]TARGET[+OFFSET][/LEN]
 *
 * TYPE is w (write, the default), rw (read or write) or x (execute);
 * TARGET is a symbol of Tern's (needs the ternsyms module) or an address
 * (0x...); OFFSET a number; LEN 1, 2, 4 or 8 bytes (default 4 for data,
 * 1 for execute, which must be 1). The address must be aligned to LEN.
 * Examples: watch=w:vms_running  watch=rw:0x2f0040/8  watch=x:summary_print
 * Pure code, tested on the host. */
#ifndef TERN_WATCHSPEC_H
#define TERN_WATCHSPEC_H

#include "hv/types.h"

enum watch_kind { WATCH_EXEC = 0, WATCH_WRITE = 1, WATCH_RW = 3 }; /* DR7 R/W codes */

struct watch_spec {
	enum watch_kind kind;
	uint64_t addr;
	unsigned int len;
	char target[48]; /* as written, for messages */
};

/* Resolves a symbol name; false if unknown (or no symbols). */
typedef bool (*watch_sym_fn)(const char *name, size_t len, uint64_t *addr);

int watchspec_parse(const char *s, watch_sym_fn sym, struct watch_spec *out, char *err,
		    size_t errlen);
const char *watch_kind_name(enum watch_kind k);

#endif
