/* Hypervisor watchpoints. The #DB handler only records a hit (slot, data
 * address, RIP) in a per-CPU ring and lets dr.c clean DR6: printing from
 * it could deadlock if the watched variable is written under the console
 * lock. The scheduler loop prints what was recorded (watch_report_pending). */
#include "arch/x86/watch.h"
#include "arch/x86/cpu.h"
#include "arch/x86/dr.h"
#include "arch/x86/trap.h"
#include "hv/cmdline.h"
#include "hv/ksyms.h"
#include "hv/log.h"
#include "hv/percpu.h"

#define HIT_RING 16

struct hit {
	unsigned int slot;
	uint64_t rip;
};

struct watch_cpu {
	struct hit ring[HIT_RING];
	volatile unsigned int head, tail;
	uint64_t dropped;
};

static struct watch_spec specs[DR_WATCH_SLOTS];
static unsigned int nspecs;
static struct watch_cpu wcpu[MAX_CPUS];

static bool sym_lookup(const char *name, size_t len, uint64_t *addr)
{
	return ksym_lookup(name, len, addr);
}

void watch_setup(const struct tern_options *o)
{
	char err[160];
	for (unsigned i = 0; i < o->nwatch && nspecs < DR_WATCH_SLOTS; i++) {
		if (watchspec_parse(o->watch[i], ksyms_available() ? sym_lookup : NULL,
				    &specs[nspecs], err, sizeof(err))) {
			log_err("%s; not armed", err);
			continue;
		}
		const struct watch_spec *w = &specs[nspecs];
		log_info("watchpoint %u: %s of %u byte%s at %#llx (%s) on every CPU", nspecs,
			 watch_kind_name(w->kind), w->len, w->len == 1 ? "" : "s",
			 (unsigned long long)w->addr, w->target);
		nspecs++;
	}
}

unsigned int watch_count(void)
{
	return nspecs;
}

static void host_db(struct trap_frame *f)
{
	struct percpu *p = this_cpu();
	uint64_t bits = dr_host_db(&p->arch.dr);
	struct watch_cpu *w = &wcpu[p->id];

	for (unsigned s = 0; s < DR_WATCH_SLOTS; s++) {
		if (!(bits & DR6_B(s)))
			continue;
		if (w->head - w->tail < HIT_RING)
			w->ring[w->head++ % HIT_RING] = (struct hit){ s, f->rip };
		else
			w->dropped++;
		/* An instruction breakpoint is a fault: resume past it once. */
		if (s < nspecs && specs[s].kind == WATCH_EXEC)
			f->rflags |= RFLAGS_RF;
	}
}

bool watch_arm(unsigned int slot, const struct watch_spec *w)
{
	return dr_watch_arm(&this_cpu()->arch.dr, slot, w->addr, (enum dr_watch_type)w->kind,
			    w->len);
}

void watch_arm_this_cpu(void)
{
	if (this_cpu()->id == 0)
		trap_register(VEC_DB, host_db);
	for (unsigned i = 0; i < nspecs; i++)
		if (!watch_arm(i, &specs[i]))
			log_err("watchpoint %u could not be armed", i);
}

void watch_report_pending(void)
{
	struct watch_cpu *w = &wcpu[this_cpu()->id];
	while (w->tail != w->head) {
		struct hit h = w->ring[w->tail++ % HIT_RING];
		char name[48];
		uint64_t off = 0;
		const char *fn = ksym_name(h.rip, &off, name, sizeof(name));
		log_info("watchpoint %u hit: %s of %#llx (%s) by RIP %#llx (%s+%#llx)", h.slot,
			 watch_kind_name(specs[h.slot].kind),
			 (unsigned long long)specs[h.slot].addr, specs[h.slot].target,
			 (unsigned long long)h.rip, fn ? fn : "?", (unsigned long long)off);
	}
	if (w->dropped) {
		log_warn("watchpoints: %llu hits not reported (ring full)",
			 (unsigned long long)w->dropped);
		w->dropped = 0;
	}
}

uint64_t watch_hits(unsigned int slot)
{
	uint64_t n = 0;
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (percpu[c].online)
			n += percpu[c].arch.dr.slot_hits[slot];
	return n;
}
