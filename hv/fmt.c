/* A small, bounded vsnprintf for the console and the logs. Pure code:
 * it is also compiled into the host unit tests. */
#include "hv/fmt.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, including truncated ones */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* F_PTR: "0x" even for zero, which '#' omits (used by %p). */
enum {
	F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16,
	F_PTR = 32,
};

static void put_number(struct out *o, uint64_t v, bool neg, unsigned base,
		       bool upper, int flags, int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	bool zero = v == 0;

	if (!(v == 0 && prec == 0)) {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}

	char sign = 0;
	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';

	int zeros = prec > n ? prec - n : 0;

	/* C99 7.19.6.1: '#' gives "0x" only to a non-zero value, and for
	 * octal only raises the precision so the first digit is a 0. */
	const char *prefix = "";
	if (base == 16 && ((flags & F_PTR) || ((flags & F_ALT) && !zero)))
		prefix = upper ? "0X" : "0x";
	else if ((flags & F_ALT) && base == 8 && zeros == 0 &&
		 (n == 0 || tmp[n - 1] != '0'))
		prefix = "0";
	int plen = (int)(prefix[0] ? (prefix[1] ? 2 : 1) : 0);

	int body = n + zeros + plen + (sign ? 1 : 0);
	int fill = width > body ? width - body : 0;

	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', fill);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', fill);
}

static void put_string(struct out *o, const char *s, int flags, int width,
		       int prec)
{
	if (!s)
		s = "(null)";
	int n = 0;
	while (s[n] && (prec < 0 || n < prec))
		n++;
	int fill = width > n ? width - n : 0;
	if (!(flags & F_LEFT))
		pad(o, ' ', fill);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		pad(o, ' ', fill);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		const char *start = fmt++;
		int flags = 0, width = -1, prec = -1;

		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9') {
				width = (width < 0 ? 0 : width) * 10 + (*fmt - '0');
				fmt++;
			}
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}

		int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
		if (*fmt == 'h') {
			lng = -1;
			if (*++fmt == 'h') {
				lng = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			lng = 1;
			if (*++fmt == 'l') {
				lng = 2;
				fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') {
			lng = 2;
			fmt++;
		}

		char conv = *fmt;
		if (!conv)
			break;
		fmt++;

		switch (conv) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lng >= 1)
				v = lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			else
				v = va_arg(ap, int);
			if (lng == -1)
				v = (short)v;
			else if (lng == -2)
				v = (signed char)v;
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_number(&o, mag, v < 0, 10, false, flags, width, prec);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			if (lng >= 1)
				v = lng == 1 ? va_arg(ap, unsigned long)
					     : va_arg(ap, unsigned long long);
			else
				v = va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng == -2)
				v = (unsigned char)v;
			unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
			put_number(&o, v, false, base, conv == 'X',
				   flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		}
		case 'p':
			put_number(&o, (uintptr_t)va_arg(ap, void *), false, 16,
				   false, flags | F_PTR, width, prec);
			break;
		case 's':
			put_string(&o, va_arg(ap, const char *), flags, width, prec);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			int fill = width > 1 ? width - 1 : 0;
			if (!(flags & F_LEFT))
				pad(&o, ' ', fill);
			put(&o, c[0]);
			if (flags & F_LEFT)
				pad(&o, ' ', fill);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown conversion: print it literally so it is visible. */
			while (start < fmt)
				put(&o, *start++);
			break;
		}
	}

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
