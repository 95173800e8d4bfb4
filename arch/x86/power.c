/* Ending a run: ACPI S5 power-off (QEMU and hardware), the Bochs magic
 * breakpoint (Bochs's debugger script then quits), and a final halt. */
#include "hv/power.h"
#include "hv/log.h"
#include "arch/x86/acpi_power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/serial.h"
#include "arch/x86/trap.h"

__noreturn void machine_halt(void)
{
	irq_disable();
	serial_flush();
	bochs_magic_break();
	for (;;)
		cpu_halt();
}

__noreturn void machine_power_off(void)
{
	printk("tern: power off\n");
	irq_disable();
	arch_stop_other_cpus();
	serial_flush();
	bochs_magic_break();
	acpi_power_off();
	printk("tern: ACPI power-off did not take effect; halting\n");
	for (;;)
		cpu_halt();
}

static bool stopping;

bool cpus_stopping(void)
{
	return __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);
}

void arch_stop_other_cpus(void)
{
	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	if (lapic_ready())
		lapic_send_nmi_all_but_self();
}

void arch_capture_regs(struct trap_frame *f)
{
	__asm__ volatile("movq %%rax, %0\n\t"
			 "movq %%rbx, %1\n\t"
			 "movq %%rcx, %2\n\t"
			 "movq %%rdx, %3\n\t"
			 "movq %%rsi, %4\n\t"
			 "movq %%rdi, %5\n\t"
			 "movq %%rbp, %6\n\t"
			 "movq %%rsp, %7\n\t"
			 : "=m"(f->rax), "=m"(f->rbx), "=m"(f->rcx), "=m"(f->rdx),
			   "=m"(f->rsi), "=m"(f->rdi), "=m"(f->rbp), "=m"(f->rsp));
	__asm__ volatile("movq %%r8, %0\n\t"
			 "movq %%r9, %1\n\t"
			 "movq %%r10, %2\n\t"
			 "movq %%r11, %3\n\t"
			 "movq %%r12, %4\n\t"
			 "movq %%r13, %5\n\t"
			 "movq %%r14, %6\n\t"
			 "movq %%r15, %7\n\t"
			 : "=m"(f->r8), "=m"(f->r9), "=m"(f->r10), "=m"(f->r11),
			   "=m"(f->r12), "=m"(f->r13), "=m"(f->r14), "=m"(f->r15));
	f->rip = (uint64_t)__builtin_return_address(0);
	f->rflags = read_rflags();
	f->cs = GDT_KERNEL_CS;
	f->ss = GDT_KERNEL_DS;
	f->vector = f->error = 0;
}
