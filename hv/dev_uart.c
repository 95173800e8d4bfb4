/* COM1: a 16550 UART as an idle real one looks to a polling driver. The
 * transmitter is always empty (LSR.THRE and TEMT set), nothing is ever
 * received, interrupts are never raised, and LCR, IER, MCR, SCR and the
 * divisor latch keep what is written. Transmitted bytes are collected into
 * lines that appear on Tern's console prefixed with the VM's name. */
#include "hv/heap.h"
#include "hv/io.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/vm.h"

#define COM1 0x3f8
#define LINE_MAX 160

#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

struct uart {
	struct vm *vm;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	char line[LINE_MAX + 1];
	unsigned int len;
	uint64_t bytes;
};

static void flush_line(struct uart *u)
{
	u->line[u->len] = '\0';
	printk("[%s] %s\n", u->vm->name, u->line);
	u->len = 0;
}

static void put_byte(struct uart *u, uint8_t c)
{
	u->bytes++;
	if (c == '\n') {
		flush_line(u);
		return;
	}
	if (c == '\r')
		return;
	/* Keep control characters out of the console: show them escaped. */
	if ((c < 0x20 && c != '\t') || c >= 0x7f)
		c = '?';
	u->line[u->len++] = (char)c;
	if (u->len == LINE_MAX)
		flush_line(u);
}

static uint32_t uart_read(void *dev, struct vcpu *v, uint16_t port, unsigned int size)
{
	struct uart *u = dev;
	switch (port - COM1) {
	case 0: return (u->lcr & LCR_DLAB) ? u->dll : 0;
	case 1: return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2: return 0x01 | ((u->fcr & 1) ? 0xc0 : 0); /* no interrupt pending */
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return LSR_THRE | LSR_TEMT;
	case 6:
		/* In loopback the modem inputs mirror MCR's outputs; otherwise
		 * an idle line with DCD, DSR and CTS asserted. */
		if (u->mcr & MCR_LOOP)
			return ((u->mcr & 0x0c) << 4) | ((u->mcr & 0x01) << 5) |
			       ((u->mcr & 0x02) << 3);
		return 0xb0;
	default: return u->scr;
	}
}

static void uart_write(void *dev, struct vcpu *v, uint16_t port, unsigned int size,
		       uint32_t val)
{
	struct uart *u = dev;
	uint8_t b = (uint8_t)val;
	switch (port - COM1) {
	case 0:
		if (u->lcr & LCR_DLAB)
			u->dll = b;
		else if (!(u->mcr & MCR_LOOP))
			put_byte(u, b);
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = b;
		else
			u->ier = b & 0x0f;
		break;
	case 2: u->fcr = b; break;
	case 3: u->lcr = b; break;
	case 4: u->mcr = b & 0x1f; break;
	case 7: u->scr = b; break;
	default: break; /* LSR and MSR are read-only */
	}
}

static bool uart_attach(struct vm *vm)
{
	struct uart *u = kzalloc(sizeof(*u));
	if (!u)
		return false;
	u->vm = vm;
	u->dll = 1; /* 115200 baud */
	u->lcr = 0x03;
	return pio_register(vm, COM1, 8, uart_read, uart_write, u, "COM1");
}

static const struct vdev_type uart_type = { "16550 UART (COM1)", uart_attach };
VDEV_REGISTER(uart_type);
