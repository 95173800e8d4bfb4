/* serial.c: polled 16550 output on COM1 (0x3F8) and gprintf.
 *
 * The UART is programmed once, lazily, on the first character: 115200 8N1,
 * FIFOs on. Under Tern those register writes land on its emulated 16550,
 * which may ignore everything but THR; under QEMU and Bochs they are real.
 * Each character waits for LSR.THRE (bit 5) before it is written to THR,
 * with a bounded wait (100000 polls, about 0.1 s on hardware, far more than
 * one character time) so a missing or stuck UART cannot hang a guest.
 * Under a hypervisor every poll is a VM exit: an emulated LSR should read
 * THRE and TEMT (0x60) at once. */
#include <stdint.h>
#include "serial.h"
#include "cpu.h"

#define COM1     0x3F8
#define UART_THR 0      /* transmit holding (DLAB=0) */
#define UART_DLL 0      /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE (1u << 5)      /* THR empty: room for a character */
#define LSR_TEMT (1u << 6)      /* THR and shift register both empty */

static int serial_ready;

/* Wait (boundedly) until one of the LSR bits in mask is set. */
static void lsr_wait(uint8_t mask)
{
	unsigned spins;

	for (spins = 0; spins < 100000; spins++)
		if (inb(COM1 + UART_LSR) & mask)
			return;
}

static void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);    /* no interrupts: we poll */
	outb(COM1 + UART_LCR, 0x80);    /* DLAB on */
	outb(COM1 + UART_DLL, 0x01);    /* divisor 1 = 115200 baud */
	outb(COM1 + UART_DLM, 0x00);
	outb(COM1 + UART_LCR, 0x03);    /* DLAB off, 8N1 */
	outb(COM1 + UART_FCR, 0x07);    /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);    /* DTR, RTS */
	serial_ready = 1;
}

void serial_putc(char c)
{
	if (!serial_ready)
		serial_init();
	lsr_wait(LSR_THRE);
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_flush(void)
{
	if (serial_ready)
		lsr_wait(LSR_TEMT);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

/* --- formatting ----------------------------------------------------------- */

/* Unsigned 64-bit to text without libgcc's __udivdi3: divide by the base
 * 16 bits at a time, so every division is 32-bit by 32-bit. */
static int u64_to_text(uint64_t v, unsigned base, int upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, i;

	do {
		uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
		uint32_t q_hi = hi / base, r = hi % base;
		uint32_t mid = (r << 16) | (lo >> 16);
		uint32_t q_mid = mid / base;
		uint32_t low = ((mid % base) << 16) | (lo & 0xFFFF);
		uint32_t q_lo = low / base;

		tmp[n++] = digits[low % base];
		v = ((uint64_t)q_hi << 32) | (q_mid << 16) | q_lo;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

static void emit_padded(const char *s, int len, int width, int zero, int left)
{
	char pad = zero && !left ? '0' : ' ';
	int i;

	/* Zero padding goes after a leading minus sign. */
	if (pad == '0' && *s == '-') {
		serial_putc('-');
		s++;
		len--;
		width--;
	}
	if (!left)
		for (i = len; i < width; i++)
			serial_putc(pad);
	for (i = 0; i < len; i++)
		serial_putc(s[i]);
	if (left)
		for (i = len; i < width; i++)
			serial_putc(' ');
}

void gvprintf(const char *fmt, va_list ap)
{
	char buf[28];

	for (; *fmt; fmt++) {
		int zero = 0, left = 0, width = 0, longs = 0, len;
		uint64_t u;
		int64_t s;
		const char *str;

		if (*fmt != '%') {
			serial_putc(*fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = 1;
			else if (*fmt == '-')
				left = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			s = longs >= 2 ? va_arg(ap, long long)
				: longs ? va_arg(ap, long) : va_arg(ap, int);
			if (s < 0) {
				buf[0] = '-';
				len = 1 + u64_to_text(-(uint64_t)s, 10, 0, buf + 1);
			} else {
				len = u64_to_text((uint64_t)s, 10, 0, buf);
			}
			emit_padded(buf, len, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = longs >= 2 ? va_arg(ap, unsigned long long)
				: longs ? va_arg(ap, unsigned long)
				: va_arg(ap, unsigned int);
			len = u64_to_text(u, *fmt == 'u' ? 10 : 16, *fmt == 'X', buf);
			emit_padded(buf, len, width, zero, left);
			break;
		case 'p':
			buf[0] = '0';
			buf[1] = 'x';
			len = 2 + u64_to_text((uintptr_t)va_arg(ap, void *), 16, 0,
					      buf + 2);
			emit_padded(buf, len, width, 0, left);
			break;
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			emit_padded(buf, 1, width, 0, left);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (len = 0; str[len]; len++)
				;
			emit_padded(str, len, width, 0, left);
			break;
		case '%':
			serial_putc('%');
			break;
		case '\0':
			return;
		default:        /* unknown conversion: show it verbatim */
			serial_putc('%');
			serial_putc(*fmt);
			break;
		}
	}
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
}
