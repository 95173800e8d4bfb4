/* The console: the 16550 UART plus, in emulators, the 0xE9 debug port.
 * Output is serialized by one lock so lines from different CPUs never mix. */
#include "hv/log.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/percpu.h"
#include "hv/spinlock.h"
#include "arch/x86/serial.h"

int log_level = LOG_INFO;

static spinlock_t console_lock = SPINLOCK_INIT;
static bool use_e9;

void console_init(uint16_t port, uint32_t baud)
{
	use_e9 = e9_present();
	if (!serial_init(port, baud) && port != COM1_PORT)
		serial_init(COM1_PORT, 115200); /* fall back so errors are seen */
}

static void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
		if (use_e9)
			e9_putc(s[i]);
	}
}

void console_force_unlock(void)
{
	spin_unlock(&console_lock);
}

void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	spin_lock(&console_lock);
	console_write(buf, (size_t)n);
	spin_unlock(&console_lock);
}

void console_puts(const char *s)
{
	spin_lock(&console_lock);
	console_write(s, strlen(s));
	spin_unlock(&console_lock);
}

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void log_printf(int level, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	char buf[512];
	va_list ap;

	if (level > log_level)
		return;
	int n = fmt_snprintf(buf, sizeof(buf), "[cpu%u] %s", cpu_id(),
			     tag[level & 3]);
	va_start(ap, fmt);
	if (n < (int)sizeof(buf))
		n += fmt_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	spin_lock(&console_lock);
	console_write(buf, (size_t)n);
	spin_unlock(&console_lock);
}
