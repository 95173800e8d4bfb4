/* serial.h: COM1 output and gprintf, the guests' only console. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stdarg.h>

void serial_putc(char c);
void serial_puts(const char *s);
/* Wait until the last character has left the UART (LSR.TEMT), so that
 * stopping the machine right after does not lose it (Bochs does). */
void serial_flush(void);

/* printf subset: %d %i %u %x %X %s %c %p %% with flags '0' '-', a width,
 * and the length modifiers l and ll (so %llx, %llu, %lld). */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gvprintf(const char *fmt, va_list ap);

#endif
