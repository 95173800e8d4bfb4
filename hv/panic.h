/* panic(): print why and where, dump registers, stop every CPU. */
#ifndef TERN_PANIC_H
#define TERN_PANIC_H

#include "hv/types.h"

struct trap_frame;

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

__noreturn void panic_at(const char *file, int line, const char *fmt, ...)
	__printf(3, 4);
/* Panic from an exception, with the faulting frame's registers. */
__noreturn void panic_frame(const struct trap_frame *f, const char *fmt, ...)
	__printf(2, 3);
bool panic_in_progress(void);
/* Called on the other CPUs when the panicking CPU stops them. */
__noreturn void panic_stop_this_cpu(void);

#define BUG_ON(cond)                                              \
	do {                                                      \
		if (unlikely(cond))                               \
			panic("assertion failed: %s", #cond);     \
	} while (0)

#endif
