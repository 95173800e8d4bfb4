/* Formatted printing into a buffer: the printf subset Tern uses.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, with flags '-' '0' '+' ' ' '#',
 * a width and a precision (either may be '*'), and the length modifiers
 * hh h l ll z t j. Output is truncated to fit and always terminated; the
 * return value is the length the full output would have had (C99 snprintf).
 */
#ifndef TERN_FMT_H
#define TERN_FMT_H

#include "hv/types.h"

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
