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

__noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("PANIC on cpu%u at %s:%d: %s\n", cpu_id(), file, line, msg);
	struct trap_frame f;
	arch_capture_regs(&f);
	dump_frame(&f);
	panic_finish();
}

__noreturn void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("PANIC on cpu%u: %s\n", cpu_id(), msg);
	dump_frame(f);
	panic_finish();
}
