/* Post-mortem event rings (see trace.h). */
#include "hv/trace.h"
#include "hv/percpu.h"
#include "arch/x86/cpu.h"

struct trace_ring trace_rings[MAX_CPUS];

void trace_record(uint32_t event, uint32_t a, uint64_t b)
{
	struct trace_ring *r = &trace_rings[cpu_id()];
	struct trace_entry *e = &r->e[r->next++ % TRACE_ENTRIES];
	e->tsc = rdtsc();
	e->event = event;
	e->a = a;
	e->b = b;
}
