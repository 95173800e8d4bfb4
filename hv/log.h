/* Console output and the leveled log. Every log line is prefixed with the
 * CPU it came from: "[cpu1] ...". Callers give no trailing newline. */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include "hv/types.h"

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

extern int log_level;

void console_init(uint16_t port, uint32_t baud);
/* Raw text to the console, no prefix. */
void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);
/* A string of any length (printk stops at 511 bytes), in one piece: no
 * other CPU's line lands inside it. */
void console_puts(const char *s);
void log_printf(int level, const char *fmt, ...) __printf(2, 3);
/* For panic: take the console even if another CPU holds it. */
void console_force_unlock(void);

#define log_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
