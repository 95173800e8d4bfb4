/* Fatal errors. The first CPU to panic prints the reason, the location and
 * the registers, stops the other CPUs with an NMI, and halts the machine
 * (in Bochs it also hits the magic breakpoint so that a run ends). */
#include "hv/panic.h"
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"

static volatile uint32_t panicking;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_RELAXED) != 0;
}

__noreturn void panic_stop_this_cpu(void)
{
	irq_disable();
	for (;;)
		cpu_halt();
}

static __noreturn void panic_finish(void)
{
	arch_stop_other_cpus();
	printk("tern: halted after panic\n");
	machine_halt();
}

static void panic_begin(void)
{
	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		panic_stop_this_cpu(); /* another CPU is already panicking */
	console_force_unlock();
}

/* Prints the header line and the registers, then stops everything. */
static __noreturn void panic_report(const struct trap_frame *f, const char *where,
				    const char *fmt, va_list ap)
{
	char msg[256];

	panic_begin();
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	printk("PANIC on cpu%u%s: %s\n", cpu_id(), where, msg);
	struct trap_frame regs;
	if (!f) {
		arch_capture_regs(&regs);
		f = &regs;
	}
	dump_frame(f);
	panic_finish();
}

__noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	char where[96];
	va_list ap;

	fmt_snprintf(where, sizeof(where), " at %s:%d", file, line);
	va_start(ap, fmt);
	panic_report(NULL, where, fmt, ap);
}

__noreturn void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_report(f, "", fmt, ap);
}
