/* Host tests for the COM1 model (hv/dev_uart.c): the registers a polling
 * 16550 driver relies on behave as on an idle real UART, and transmitted
 * bytes come out as whole lines prefixed with the VM's name.
 *
 * The device file is included whole, so its static handlers are reachable;
 * kzalloc, printk and pio_register are stubs that capture what it does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hv/dev_uart.c"

/* --- stubs ----------------------------------------------------------------- */

static char out[8][256]; /* console lines printed, newest last */
static int nout;

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void printk(const char *fmt, ...)
{
	va_list ap;
	assert_true(nout < 8);
	va_start(ap, fmt);
	vsnprintf(out[nout++], sizeof(out[0]), fmt, ap);
	va_end(ap);
}

static struct {
	uint16_t base, len;
	pio_read_fn rd;
	pio_write_fn wr;
	void *dev;
} reg;

bool pio_register(struct vm *vm, uint16_t base, uint16_t len, pio_read_fn rd,
		  pio_write_fn wr, void *dev, const char *name)
{
	reg.base = base;
	reg.len = len;
	reg.rd = rd;
	reg.wr = wr;
	reg.dev = dev;
	return true;
}

/* --- harness --------------------------------------------------------------- */

enum { THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static struct vm *vm;

static int setup(void **state)
{
	vm = calloc(1, sizeof(*vm));
	strcpy(vm->name, "guest1");
	memset(&reg, 0, sizeof(reg));
	memset(out, 0, sizeof(out));
	nout = 0;
	assert_true(uart_type.attach(vm));
	return 0;
}

static int teardown(void **state)
{
	free(reg.dev);
	free(vm);
	return 0;
}

static uint8_t in(unsigned r)
{
	return (uint8_t)reg.rd(reg.dev, NULL, (uint16_t)(reg.base + r), 1);
}

static void outp(unsigned r, uint8_t v)
{
	reg.wr(reg.dev, NULL, (uint16_t)(reg.base + r), 1, v);
}

static void send(const char *s)
{
	while (*s)
		outp(THR, (uint8_t)*s++);
}

/* --- tests ----------------------------------------------------------------- */

static void test_ports(void **state)
{
	assert_int_equal(reg.base, 0x3f8);
	assert_int_equal(reg.len, 8);
	assert_non_null(reg.rd);
	assert_non_null(reg.wr);
}

/* An idle UART after firmware set it to 115200 8N1: transmitter empty,
 * no interrupt pending, nothing received, modem lines DCD/DSR/CTS up. */
static void test_idle_state(void **state)
{
	assert_int_equal(in(LSR), 0x60); /* THRE | TEMT, no data ready */
	assert_int_equal(in(IIR), 0x01); /* no interrupt pending */
	assert_int_equal(in(LCR), 0x03);
	assert_int_equal(in(IER), 0);
	assert_int_equal(in(MCR), 0);
	assert_int_equal(in(MSR), 0xb0);
	assert_int_equal(in(THR), 0);    /* RBR: nothing received */
	outp(LCR, 0x83);                 /* DLAB */
	assert_int_equal(in(0), 1);      /* divisor 1: 115200 baud */
	assert_int_equal(in(1), 0);
}

static void test_registers_read_back(void **state)
{
	outp(LCR, 0x1b);
	assert_int_equal(in(LCR), 0x1b);
	outp(IER, 0xff);
	assert_int_equal(in(IER), 0x0f); /* bits 7:4 are reserved, read 0 */
	outp(MCR, 0xff);
	assert_int_equal(in(MCR), 0x1f); /* bits 7:5 are reserved */
	outp(MCR, 0x0b);
	assert_int_equal(in(MCR), 0x0b);
	outp(SCR, 0x5a);
	assert_int_equal(in(SCR), 0x5a);
	/* LSR and MSR are read-only. */
	outp(LSR, 0x00);
	outp(MSR, 0x00);
	assert_int_equal(in(LSR), 0x60);
	assert_int_equal(in(MSR), 0xb0);
}

/* With DLAB set, ports 0 and 1 are the divisor latch: a driver setting
 * the baud rate must neither print a byte nor change IER. */
static void test_divisor_latch(void **state)
{
	outp(IER, 0x05);
	outp(LCR, 0x80 | 0x03);
	outp(0, 0x0c); /* 9600 baud */
	outp(1, 0x00);
	assert_int_equal(in(0), 0x0c);
	assert_int_equal(in(1), 0x00);
	outp(LCR, 0x03);
	assert_int_equal(in(IER), 0x05);
	assert_int_equal(in(THR), 0);
	outp(LCR, 0x80);
	assert_int_equal(in(0), 0x0c); /* kept */
	outp(LCR, 0x03);
	outp(THR, '\n');
	assert_int_equal(nout, 1);     /* only the real newline printed */
	assert_string_equal(out[0], "[guest1] \n");
}

static void test_fifo_bits_in_iir(void **state)
{
	outp(FCR, 0x07);                 /* enable and clear the FIFOs */
	assert_int_equal(in(IIR), 0xc1); /* FIFOs enabled, no interrupt */
	outp(FCR, 0x00);
	assert_int_equal(in(IIR), 0x01);
}

/* Loopback (MCR bit 4): transmitted bytes do not leave, and the modem
 * status inputs mirror the MCR outputs (DTR->DSR, RTS->CTS, OUT1->RI,
 * OUT2->DCD). Drivers use it to probe for a UART. */
static void test_loopback(void **state)
{
	outp(MCR, 0x10 | 0x0f);
	assert_int_equal(in(MSR), 0xf0);
	outp(MCR, 0x10 | 0x01);              /* DTR only */
	assert_int_equal(in(MSR), 0x20);     /* DSR */
	outp(MCR, 0x10 | 0x02);              /* RTS only */
	assert_int_equal(in(MSR), 0x10);     /* CTS */
	send("hidden\n");
	assert_int_equal(nout, 0);
	outp(MCR, 0x03);
	assert_int_equal(in(MSR), 0xb0);
}

static void test_lines(void **state)
{
	send("hello, world\r\n");
	send("second");
	assert_int_equal(nout, 1);
	assert_string_equal(out[0], "[guest1] hello, world\n");
	send(" line\n");
	assert_int_equal(nout, 2);
	assert_string_equal(out[1], "[guest1] second line\n");
}

static void test_control_characters_escaped(void **state)
{
	send("a\tb\x1b[0m\x7f\xff" "c\n");
	assert_int_equal(nout, 1);
	assert_string_equal(out[0], "[guest1] a\tb?[0m??c\n");
}

/* A line longer than the buffer comes out in pieces; nothing is lost. */
static void test_long_line(void **state)
{
	char buf[LINE_MAX + 11];
	for (int i = 0; i < LINE_MAX + 10; i++)
		buf[i] = (char)('a' + i % 26);
	buf[LINE_MAX + 10] = '\0';
	send(buf);
	assert_int_equal(nout, 1);
	assert_int_equal(strlen(out[0]), strlen("[guest1] \n") + LINE_MAX);
	assert_memory_equal(out[0] + 9, buf, LINE_MAX);
	send("\n");
	assert_int_equal(nout, 2);
	char rest[64];
	snprintf(rest, sizeof(rest), "[guest1] %s\n", buf + LINE_MAX);
	assert_string_equal(out[1], rest);
	struct uart *u = reg.dev;
	assert_int_equal(u->bytes, LINE_MAX + 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registers_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_divisor_latch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_bits_in_iir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_characters_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
