/* 16550 UART: polled transmit only. Register layout per the PC16550D data
 * sheet: THR/RBR +0, IER +1, FCR +2, LCR +3, MCR +4, LSR +5, SCR +7. */
#include "arch/x86/serial.h"
#include "arch/x86/io.h"

#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20
#define LCR_DLAB 0x80

static uint16_t uart_port;

bool serial_init(uint16_t port, uint32_t baud)
{
	/* A UART keeps what is written to its scratch register. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;

	uint32_t div = baud ? UART_CLOCK / baud : 1;
	if (div == 0)
		div = 1;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + 0, (uint8_t)div);
	outb(port + 1, (uint8_t)(div >> 8));
	outb(port + UART_LCR, 0x03); /* 8 data bits, no parity, 1 stop */
	outb(port + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
	uart_port = port;
	return true;
}

void serial_putc(char c)
{
	if (!uart_port)
		return;
	/* Bounded wait: a missing or wedged UART must not hang Tern. */
	for (unsigned spin = 0; spin < 100000; spin++)
		if (inb(uart_port + UART_LSR) & LSR_THRE)
			break;
	outb(uart_port + UART_THR, (uint8_t)c);
}

void serial_flush(void)
{
	if (!uart_port)
		return;
	/* TEMT: transmitter holding register and shift register both empty. */
	for (unsigned spin = 0; spin < 100000; spin++)
		if (inb(uart_port + UART_LSR) & 0x40)
			return;
}

bool e9_present(void)
{
	return inb(0xe9) == 0xe9;
}

void e9_putc(char c)
{
	outb(0xe9, (uint8_t)c);
}
