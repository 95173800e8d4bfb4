/* Per-CPU areas. */
#include "hv/percpu.h"
#include "arch/x86/cpu.h"

struct percpu percpu[MAX_CPUS] __aligned(4096);
unsigned int ncpus_online;

void percpu_init_cpu(uint32_t id)
{
	struct percpu *p = &percpu[id];
	p->self = p;
	p->id = id;
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}
