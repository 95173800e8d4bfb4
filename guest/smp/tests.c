/* tests.c: the checks, each printing "smp: PASS|FAIL|SKIP <name>[: ...]".
 * Names: bsp-apic cpuid-timing ap-start ipi-pingpong ipi-broadcast
 * ipi-self ipi-logical ipi-lowest ipi-mesh ipi-illegal priority tpr
 * nmi timer-oneshot timer-periodic timer-tsc-deadline timer-aps x2apic
 * apic-disable init-restart. */
#include "smp.h"

#define PINGS 20          /* ping-pong round trips per AP */
#define BCASTS 10         /* broadcast rounds */
#define MESH_ROUNDS 5     /* all-to-all: requests per ordered pair */
#define SECOND 1000000ull

unsigned int npassed, nfailed;
uint32_t ipi_count;
static const struct mb1_info *opts;
static uint32_t tick_slack = 2; /* periods a periodic run may take beyond its ticks */
static int have_x2apic, have_deadline;

void report(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	gprintf("smp: %s %s", ok ? "PASS" : "FAIL", name);
	if (fmt && fmt[0]) {
		gprintf(": ");
		va_start(ap, fmt);
		gvprintf(fmt, ap);
		va_end(ap);
	}
	gprintf("\n");
	if (ok)
		npassed++;
	else
		nfailed++;
}

void skip(const char *name, const char *why)
{
	gprintf("smp: SKIP %s: %s\n", name, why);
}

static int want(const char *name)
{
	char buf[4];
	if (cmdline_has_item(opts, "skip", name) ||
	    (cmdline_get(opts, "only", buf, sizeof(buf)) >= 0 &&
	     !cmdline_has_item(opts, "only", name))) {
		skip(name, "not selected");
		return 0;
	}
	return 1;
}

/* ---- handlers ---- */

static volatile uint32_t acks;      /* answers counted in memory */
static volatile uint32_t mesh_req[MAX_CPUS][MAX_CPUS], mesh_ack[MAX_CPUS][MAX_CPUS];
static volatile uint32_t mesh_recv[MAX_CPUS][MAX_CPUS];

static void on_ping(unsigned int v __attribute__((unused)))
{
	apic_send(apic_id_of(0), ICR_ASSERT | VEC_PONG);
}

static void on_ack(unsigned int v __attribute__((unused)))
{
	__atomic_fetch_add(&acks, 1, __ATOMIC_SEQ_CST);
	if (this_cpu() != 0)
		apic_send(apic_id_of(0), ICR_ASSERT | VEC_WAKE);
}

static void on_mesh(unsigned int v __attribute__((unused)))
{
	unsigned int me = this_cpu();
	for (unsigned int s = 0; s < nstarted; s++) {
		uint32_t r = mesh_req[s][me];
		if (r != mesh_ack[s][me]) {
			mesh_ack[s][me] = r;
			mesh_recv[s][me]++;
			apic_send(apic_id_of(s), ICR_ASSERT | VEC_WAKE);
		}
	}
}

static void on_order(unsigned int v)
{
	struct cpu *c = &cpus[this_cpu()];
	if (c->norder < 8)
		c->order[c->norder++] = v;
}

static void on_timer(unsigned int v __attribute__((unused)))
{
	struct cpu *c = &cpus[this_cpu()];
	uint64_t now = rdtsc();
	c->last_tick = now;
	if (!c->first_tick)
		c->first_tick = now;
	if (c->tick_expected) {
		int64_t late = (int64_t)(now - c->tick_expected);
		if (late < 0)
			late = -late; /* early counts as off-grid too */
		c->tick_n++;
		if ((uint64_t)late > c->tick_late_max) {
			c->tick_late_max = (uint64_t)late;
			c->tick_late_at = c->tick_n;
		}
		c->tick_expected += c->tick_period;
	}
}

static void on_nmi(struct trap_frame *f __attribute__((unused)))
{
	unsigned int me = this_cpu();
	cpus[me].nmis++;
	if (me)
		apic_send(apic_id_of(0), ICR_ASSERT | VEC_WAKE);
}

/* ---- identity and start-up ---- */

static void t_bsp_apic(void)
{
	uint32_t id = apic_read(APIC_ID) >> 24, cid = cpuid(1, 0).ebx >> 24;
	uint32_t ver = apic_read(APIC_VERSION);
	uint64_t base = rdmsr(MSR_APIC_BASE);
	int ok = id == 0 && id == cid && (ver & 0xff) >= 0x10 && ((ver >> 16) & 0xff) >= 4 &&
		 (base & APIC_BASE_BSP) && (base & APIC_BASE_EN) && !(base & APIC_BASE_EXTD) &&
		 (uint32_t)(base & 0xfffff000u) == APIC_BASE_PA;
	report(ok, "bsp-apic", "APIC id %u (CPUID %u), version 0x%x, IA32_APIC_BASE 0x%llx", id, cid,
	       ver, base);
}

static void t_ap_start(void)
{
	uint64_t t0 = rdtsc();
	unsigned int up = start_aps();
	uint64_t us = tsc_to_us(rdtsc() - t0);
	int ok = up == ncpus - 1;
	for (unsigned int i = 1; i < nstarted; i++)
		if (cpus[i].apic_id != apic_id_of(i) || (cpus[i].base_msr & APIC_BASE_BSP) ||
		    !(cpus[i].base_msr & APIC_BASE_EN)) {
			ok = 0;
			gprintf("smp:   cpu %u: APIC id %u, IA32_APIC_BASE 0x%x\n", i, cpus[i].apic_id,
				cpus[i].base_msr);
		}
	report(ok, "ap-start", "%u of %u APs up with INIT-SIPI-SIPI in %llu us, APIC ids match", up,
	       ncpus - 1, us);
}

/* ---- IPIs ---- */

static void t_pingpong(const char *name)
{
	int ok = 1;
	uint32_t total = 0;
	for (unsigned int i = 1; i < nstarted; i++) {
		uint32_t got0 = cpus[i].count[VEC_PING];
		for (unsigned int k = 0; k < PINGS; k++) {
			uint32_t w = cpus[0].count[VEC_PONG] + 1;
			apic_send(apic_id_of(i), ICR_ASSERT | VEC_PING);
			if (!wait_for(&cpus[0].count[VEC_PONG], w, SECOND)) {
				ok = 0;
				break;
			}
			total += 2;
		}
		if (cpus[i].count[VEC_PING] - got0 != PINGS)
			ok = 0;
	}
	ipi_count += total;
	report(ok && nstarted > 1, name, "%u IPIs in %u round trips with %u APs", total, total / 2,
	       nstarted - 1);
}

static void t_broadcast(void)
{
	uint32_t before[MAX_CPUS];
	int ok = 1;
	for (unsigned int i = 0; i < nstarted; i++)
		before[i] = cpus[i].count[VEC_BCAST];
	for (unsigned int k = 0; k < BCASTS && ok; k++) {
		uint32_t w = acks + (nstarted - 1);
		apic_send(0, ICR_ASSERT | ICR_OTHERS | VEC_BCAST);
		ok = wait_for(&acks, w, SECOND);
	}
	/* And once to everyone, ourselves included. */
	uint32_t w = acks + nstarted;
	apic_send(0, ICR_ASSERT | ICR_ALL | VEC_BCAST);
	ok = ok && wait_for(&acks, w, SECOND);
	for (unsigned int i = 0; i < nstarted; i++) {
		uint32_t got = cpus[i].count[VEC_BCAST] - before[i];
		if (got != (i ? BCASTS + 1u : 1u)) {
			gprintf("smp:   cpu %u got %u broadcasts\n", i, got);
			ok = 0;
		}
	}
	ipi_count += BCASTS * (nstarted - 1) + nstarted;
	report(ok, "ipi-broadcast", "%u all-but-self rounds + 1 all-including-self to %u CPUs",
	       BCASTS, nstarted);
}

static void t_self(void)
{
	uint32_t c0 = cpus[0].count[VEC_SELF];
	for (int k = 0; k < 5; k++)
		apic_send(0, ICR_ASSERT | ICR_SELF | VEC_SELF);
	for (int k = 0; k < 5; k++)
		apic_send(apic_id_of(0), ICR_ASSERT | VEC_SELF); /* by physical id */
	uint32_t got = cpus[0].count[VEC_SELF] - c0;
	ipi_count += got;
	report(got == 10, "ipi-self", "%u of 10 self IPIs (shorthand and own id)", got);
}

static void set_flat_ldr(unsigned int me)
{
	apic_write(APIC_DFR, 0xFFFFFFFFu);
	apic_write(APIC_LDR, (1u << me) << 24);
}

static void t_logical(void)
{
	if (nstarted < 3 || nstarted > 8) {
		skip("ipi-logical", "needs 3 to 8 CPUs");
		return;
	}
	int ok = run_on_all(set_flat_ldr, SECOND);
	uint32_t mask = 0, before[MAX_CPUS], n = 0;
	for (unsigned int i = 1; i < nstarted; i += 2) { /* odd CPUs */
		mask |= 1u << i;
		n++;
	}
	for (unsigned int i = 0; i < nstarted; i++)
		before[i] = cpus[i].count[VEC_LOGICAL];
	uint32_t w = acks + n;
	apic_send(mask, ICR_ASSERT | ICR_LOGICAL | VEC_LOGICAL);
	ok = ok && wait_for(&acks, w, SECOND);
	delay_us(2000); /* any stray delivery would show by now */
	for (unsigned int i = 0; i < nstarted; i++) {
		uint32_t got = cpus[i].count[VEC_LOGICAL] - before[i];
		if (got != ((mask >> i) & 1)) {
			gprintf("smp:   cpu %u got %u logical IPIs\n", i, got);
			ok = 0;
		}
	}
	ipi_count += n;
	report(ok, "ipi-logical", "flat logical mask 0x%x reached exactly CPUs in it", mask);

	/* Lowest priority to the same set: exactly one of them. */
	for (unsigned int i = 0; i < nstarted; i++)
		before[i] = cpus[i].count[VEC_LOGICAL];
	w = acks + 1;
	apic_send(mask, ICR_ASSERT | ICR_LOGICAL | ICR_LOWEST | VEC_LOGICAL);
	ok = wait_for(&acks, w, SECOND);
	delay_us(2000);
	uint32_t total = 0;
	for (unsigned int i = 0; i < nstarted; i++) {
		uint32_t got = cpus[i].count[VEC_LOGICAL] - before[i];
		total += got;
		if (got && !((mask >> i) & 1))
			ok = 0;
	}
	ipi_count += total;
	report(ok && total == 1, "ipi-lowest", "lowest-priority to mask 0x%x: %u delivery", mask,
	       total);
}

static void mesh(unsigned int me)
{
	for (unsigned int k = 1; k <= MESH_ROUNDS; k++)
		for (unsigned int t = 0; t < nstarted; t++) {
			if (t == me)
				continue;
			mesh_req[me][t] = k;
			apic_send(apic_id_of(t), ICR_ASSERT | VEC_MESH);
			wait_for(&mesh_ack[me][t], k, SECOND);
		}
}

static void t_mesh(void)
{
	for (unsigned int s = 0; s < MAX_CPUS; s++)
		for (unsigned int t = 0; t < MAX_CPUS; t++)
			mesh_req[s][t] = mesh_ack[s][t] = mesh_recv[s][t] = 0;
	uint64_t t0 = rdtsc();
	int ok = run_on_all(mesh, 10 * SECOND);
	uint64_t us = tsc_to_us(rdtsc() - t0);
	uint32_t total = 0;
	for (unsigned int s = 0; s < nstarted; s++)
		for (unsigned int t = 0; t < nstarted; t++) {
			if (s == t)
				continue;
			total += mesh_recv[s][t];
			if (mesh_recv[s][t] != MESH_ROUNDS) {
				gprintf("smp:   %u -> %u: %u of %u\n", s, t, mesh_recv[s][t], MESH_ROUNDS);
				ok = 0;
			}
		}
	ipi_count += total;
	report(ok && nstarted > 1, "ipi-mesh",
	       "every CPU to every other, %u rounds at once: %u requests counted in %llu us",
	       MESH_ROUNDS, total, us);
}

static void t_illegal(void)
{
	uint32_t e0 = cpus[0].count[VEC_ERROR];
	apic_write(APIC_ESR, 0);
	apic_send(nstarted > 1 ? apic_id_of(1) : 0, ICR_ASSERT | 5); /* vector 5 */
	apic_write(APIC_ESR, 0);
	uint32_t esr = apic_read(APIC_ESR);
	apic_write(APIC_ESR, 0);
	uint32_t errs = cpus[0].count[VEC_ERROR] - e0;
	if (!under_tern && !esr) {
		skip("ipi-illegal", "this APIC model reports no send error in ESR");
		return;
	}
	report((esr & (1u << 5)) && errs == 1, "ipi-illegal",
	       "send of vector 5: ESR 0x%x, %u error interrupt", esr, errs);
}

/* ---- priorities ---- */

static void t_priority(void)
{
	struct cpu *c = &cpus[0];
	__asm__ volatile("cli" ::: "memory");
	c->norder = 0;
	apic_send(0, ICR_ASSERT | ICR_SELF | VEC_LOW);
	apic_send(0, ICR_ASSERT | ICR_SELF | VEC_HIGH);
	apic_send(0, ICR_ASSERT | ICR_SELF | VEC_LOW2);
	uint32_t irr3 = apic_read(APIC_IRR + 0x30), irr4 = apic_read(APIC_IRR + 0x40);
	sti();
	__asm__ volatile("nop; nop" ::: "memory");
	uint32_t want3 = (1u << (VEC_LOW & 31)) | (1u << (VEC_LOW2 & 31));
	int ok = c->norder == 3 && c->order[0] == VEC_HIGH && c->order[1] == VEC_LOW2 &&
		 c->order[2] == VEC_LOW && (irr3 & want3) == want3 &&
		 (irr4 & (1u << (VEC_HIGH & 31)));
	report(ok, "priority", "sent 0x%x 0x%x 0x%x with IF=0 (IRR 0x%x 0x%x); taken 0x%x 0x%x 0x%x",
	       VEC_LOW, VEC_HIGH, VEC_LOW2, irr3, irr4, c->order[0], c->order[1], c->order[2]);
}

static void t_tpr(void)
{
	uint32_t c0 = cpus[0].count[VEC_LOW];
	apic_write(APIC_TPR, 0x70);
	apic_send(0, ICR_ASSERT | ICR_SELF | VEC_LOW);
	delay_us(100);
	uint32_t held = cpus[0].count[VEC_LOW] - c0, ppr = apic_read(APIC_PPR);
	uint32_t irr = apic_read(APIC_IRR + 0x30) & 2;
	apic_write(APIC_TPR, 0x60); /* same class as 0x61: still held */
	delay_us(100);
	uint32_t held2 = cpus[0].count[VEC_LOW] - c0;
	apic_write(APIC_TPR, 0x50);
	delay_us(100);
	uint32_t got = cpus[0].count[VEC_LOW] - c0;
	apic_write(APIC_TPR, 0);
	ipi_count++;
	report(!held && irr && ppr == 0x70 && !held2 && got == 1, "tpr",
	       "TPR 0x70 holds 0x%x (PPR 0x%x, in IRR), 0x60 holds, 0x50 lets it in", VEC_LOW, ppr);
}

/* ---- NMI ---- */

static void t_nmi(void)
{
	if (nstarted < 2) {
		skip("nmi", "needs an AP");
		return;
	}
	unsigned int t = nstarted - 1;
	uint32_t n0 = cpus[t].nmis;
	apic_send(apic_id_of(t), ICR_ASSERT | ICR_NMI);
	int ok = wait_for(&cpus[t].nmis, n0 + 1, SECOND);
	report(ok, "nmi", "NMI IPI to cpu %u taken", t);
}

/* ---- timer ---- */

static uint64_t apic_to_tsc(uint64_t apic_ticks)
{
	return udiv64(apic_ticks * tsc_khz, apic_khz);
}

static void t_oneshot(void)
{
	struct cpu *c = &cpus[0];
	uint32_t count = (uint32_t)udiv64((uint64_t)apic_khz * 3, 16); /* 3 ms at /16 */
	uint32_t n0 = c->count[VEC_TIMER];
	apic_write(APIC_TDCR, 0x3);
	apic_write(APIC_LVT_TIMER, VEC_TIMER | TIMER_ONESHOT);
	__asm__ volatile("cli" ::: "memory");
	uint64_t t0 = rdtsc();
	apic_write(APIC_TMICT, count);
	uint32_t ccr1 = apic_read(APIC_TMCCT);
	delay_us(500);
	uint32_t ccr2 = apic_read(APIC_TMCCT);
	while (c->count[VEC_TIMER] == n0)
		sti_hlt();
	sti();
	uint64_t fired = c->last_tick - t0, want = apic_to_tsc((uint64_t)count * 16);
	uint32_t ccr3 = apic_read(APIC_TMCCT);
	delay_us(4000);
	uint32_t n = c->count[VEC_TIMER] - n0;
	int ok = ccr1 <= count && ccr1 > ccr2 && ccr2 > 0 && ccr3 == 0 && n == 1 && fired >= want &&
		 fired < want + us_to_tsc(2000);
	report(ok, "timer-oneshot",
	       "3 ms at divide 16: CCR %u -> %u, fired after %llu us (want %llu), %u interrupt",
	       ccr1, ccr2, tsc_to_us(fired), tsc_to_us(want), n);
}

/* A periodic timer of 'period_us' for 'ticks' ticks on this CPU, HLT in
 * between. Returns the elapsed TSC ticks and the worst lateness. */
static int periodic(unsigned int me, uint32_t period_us, uint32_t ticks, uint32_t div_code,
		    uint32_t div, uint64_t *elapsed, uint64_t *late_max)
{
	struct cpu *c = &cpus[me];
	uint32_t count = (uint32_t)udiv64((uint64_t)apic_khz * period_us, 1000 * div);
	uint64_t period = apic_to_tsc((uint64_t)count * div);
	apic_write(APIC_TDCR, div_code);
	apic_write(APIC_LVT_TIMER, VEC_TIMER | TIMER_PERIODIC);
	__asm__ volatile("cli" ::: "memory");
	uint32_t n0 = c->count[VEC_TIMER];
	c->tick_late_max = 0;
	c->tick_late_at = 0;
	c->tick_n = 0;
	c->tick_period = period;
	uint64_t t0 = rdtsc();
	c->tick_expected = t0 + period;
	apic_write(APIC_TMICT, count);
	while (c->count[VEC_TIMER] - n0 < ticks)
		sti_hlt();
	apic_write(APIC_TMICT, 0);
	c->tick_expected = 0;
	sti();
	*elapsed = c->last_tick - t0;
	*late_max = c->tick_late_max;
	/* Never early. Late by at most 'tick_slack' periods: a vCPU that
	 * waits for a CPU longer than a period loses ticks (they coalesce in
	 * one IRR bit, as on hardware when interrupts stay masked). */
	uint64_t want = period * ticks;
	return *elapsed >= want - period / 2 && *elapsed < want + period * tick_slack;
}

static void t_periodic(void)
{
	uint64_t el, late;
	int ok = periodic(0, 2000, 25, 0x3, 16, &el, &late);
	report(ok, "timer-periodic", "25 ticks of 2 ms: %llu us, worst tick %llu us off the grid",
	       tsc_to_us(el), tsc_to_us(late));
}

static void ap_periodic(unsigned int me)
{
	uint64_t el, late;
	cpus[me].result = (uint32_t)periodic(me, 1000, 20, 0xB, 1, &el, &late);
	cpus[me].value = el;
	cpus[me].result2 = (uint32_t)tsc_to_us(late);
}

static void t_timer_aps(void)
{
	int ok = run_on_all(ap_periodic, 5 * SECOND);
	uint32_t worst = 0;
	for (unsigned int i = 0; i < nstarted; i++) {
		ok = ok && cpus[i].result;
		if (cpus[i].result2 > worst)
			worst = cpus[i].result2;
		if (!cpus[i].result)
			gprintf("smp:   cpu %u: 20 ticks in %llu us\n", i, tsc_to_us(cpus[i].value));
	}
	report(ok, "timer-aps",
	       "%u CPUs, 20 ticks of 1 ms each at once, worst tick %u us late (slack %u periods)",
	       nstarted, worst, tick_slack);
}

static void t_deadline(void)
{
	if (!have_deadline) {
		skip("timer-tsc-deadline", "CPUID.1:ECX.TSC_DEADLINE[24] is 0");
		return;
	}
	struct cpu *c = &cpus[0];
	apic_write(APIC_LVT_TIMER, VEC_TIMER | TIMER_TSC_DEADLINE);
	uint32_t n0 = c->count[VEC_TIMER];
	__asm__ volatile("cli" ::: "memory");
	uint64_t dl = rdtsc() + us_to_tsc(2000);
	wrmsr(MSR_TSC_DEADLINE, dl);
	uint64_t armed = rdmsr(MSR_TSC_DEADLINE);
	while (c->count[VEC_TIMER] == n0)
		sti_hlt();
	sti();
	uint64_t at = c->last_tick, after = rdmsr(MSR_TSC_DEADLINE);
	/* SDM 11.5.4.1: firing clears the MSR (bare Bochs 2.7 leaves it). */
	int ok = armed == dl && at >= dl && at < dl + us_to_tsc(2000) && (after == 0 || !under_tern);
	/* Disarm with 0: nothing comes. */
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(500));
	wrmsr(MSR_TSC_DEADLINE, 0);
	delay_us(1500);
	int quiet = c->count[VEC_TIMER] == n0 + 1;
	/* A deadline in the past fires at once. */
	wrmsr(MSR_TSC_DEADLINE, 1);
	delay_us(200);
	int past = c->count[VEC_TIMER] == n0 + 2;
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	report(ok && quiet && past, "timer-tsc-deadline",
	       "deadline +2 ms fired %llu us after it; MSR read back %s, %s after firing; "
	       "0 disarms: %s; a past deadline fires: %s",
	       tsc_to_us(at - dl), armed == dl ? "equal" : "DIFFERENT", after ? "NOT 0" : "0",
	       quiet ? "yes" : "no", past ? "yes" : "no");
}

/* ---- x2APIC and APIC disable ---- */

/* The mode switch and the flag that apic_write() follows change together,
 * interrupts off: a handler in between would EOI through the wrong
 * interface. */
static void go_x2apic(unsigned int me)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t flags = read_eflags();
	cpus[me].result = 0;
	cli();
	if (wrmsr_gp(MSR_APIC_BASE, base | APIC_BASE_EXTD)) {
		if (flags & EFLAGS_IF)
			sti();
		return;
	}
	cpus[me].x2apic = 1;
	if (flags & EFLAGS_IF)
		sti();
	uint32_t id = (uint32_t)rdmsr(0x802), ldr = (uint32_t)rdmsr(0x80D);
	uint32_t want_ldr = ((me >> 4) << 16) | (1u << (me & 15));
	cpus[me].result = id == me && ldr == want_ldr && (rdmsr(0x803) & 0xff) >= 0x10;
	cpus[me].value = ((uint64_t)id << 32) | ldr;
}

/* Disable (EN = 0) and re-enable in xAPIC mode: back to the power-up
 * state (SVR 0xFF), then set up again. */
static void go_xapic(unsigned int me)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t flags = read_eflags();
	cli();
	int bad = wrmsr_gp(MSR_APIC_BASE, base & ~(uint64_t)APIC_BASE_EXTD); /* must #GP */
	int off = !wrmsr_gp(MSR_APIC_BASE, base & ~(uint64_t)(APIC_BASE_EXTD | APIC_BASE_EN));
	uint64_t ext;
	int gone = rdmsr_gp(0x802, &ext); /* x2APIC MSRs are gone while disabled */
	int on = !wrmsr_gp(MSR_APIC_BASE, (base & ~(uint64_t)APIC_BASE_EXTD) | APIC_BASE_EN);
	cpus[me].x2apic = 0;
	if (flags & EFLAGS_IF)
		sti();
	uint32_t svr = apic_read(APIC_SVR);
	apic_enable();
	cpus[me].result = bad && off && gone && on && (svr & 0x1ff) == 0xff;
	cpus[me].result2 = svr;
}

static void t_x2apic(void)
{
	if (!have_x2apic) {
		skip("x2apic", "CPUID.1:ECX.x2APIC[21] is 0");
		return;
	}
	int ok = run_on_all(go_x2apic, SECOND);
	for (unsigned int i = 0; i < nstarted; i++)
		if (!cpus[i].result) {
			ok = 0;
			gprintf("smp:   cpu %u: x2APIC id/LDR 0x%llx\n", i, cpus[i].value);
		}
	uint32_t s0 = cpus[0].count[VEC_SELF];
	wrmsr(MSR_X2APIC_SELF_IPI, VEC_SELF);
	apic_send(0, ICR_ASSERT | ICR_SELF | VEC_SELF);
	int self = cpus[0].count[VEC_SELF] - s0 == 2;
	ipi_count += 2;
	report(ok && self, "x2apic", "all %u CPUs switched; ids, LDRs, SELF IPI MSR and ICR shorthand",
	       nstarted);
	if (ok)
		t_pingpong("ipi-pingpong-x2apic");
	if (!want("apic-disable"))
		return; /* the CPUs stay in x2APIC mode; what follows works in both */
	ok = run_on_all(go_xapic, SECOND);
	for (unsigned int i = 0; i < nstarted; i++)
		if (!cpus[i].result) {
			ok = 0;
			gprintf("smp:   cpu %u: SVR after re-enable 0x%x\n", i, cpus[i].result2);
		}
	report(ok, "apic-disable",
	       "x2APIC -> xAPIC refused (#GP), disabled (x2APIC MSRs #GP), re-enabled at power-up state");
	if (ok)
		t_pingpong("ipi-pingpong-reenabled");
}

static void noop(unsigned int me)
{
	cpus[me].result = 0x600d;
}

static void t_init_restart(void)
{
	if (nstarted < 2) {
		skip("init-restart", "needs an AP");
		return;
	}
	unsigned int t = nstarted - 1;
	uint32_t a0 = cpus[t].alive;
	int up = restart_ap(t);
	cpus[t].result = 0;
	int works = up && run_on(t, noop, SECOND) && cpus[t].result == 0x600d;
	report(up && works && cpus[t].alive == a0 + 1, "init-restart",
	       "INIT + SIPI to halted cpu %u: it ran the trampoline again and takes work", t);
}

static void t_cpuid_timing(const char *how)
{
	int ok = !under_tern || !strcmp(how, "CPUID 0x40000010 (0x15/0x16 agree)");
	report(ok, "cpuid-timing", "TSC %u kHz, APIC timer %u kHz, %s", tsc_khz, apic_khz, how);
}

void run_tests(const struct mb1_info *mbi)
{
	opts = mbi;
	tick_slack = cmdline_get_u32(mbi, "slack", 2);
	struct cpuid_regs r1 = cpuid(1, 0);
	have_x2apic = (r1.ecx >> 21) & 1;
	have_deadline = (r1.ecx >> 24) & 1;

	irq_set(VEC_PING, on_ping);
	irq_set(VEC_BCAST, on_ack);
	irq_set(VEC_LOGICAL, on_ack);
	irq_set(VEC_MESH, on_mesh);
	irq_set(VEC_LOW, on_order);
	irq_set(VEC_LOW2, on_order);
	irq_set(VEC_HIGH, on_order);
	irq_set(VEC_TIMER, on_timer);
	idt_set_handler(2, on_nmi);

	if (want("bsp-apic"))
		t_bsp_apic();
	if (want("cpuid-timing"))
		t_cpuid_timing(time_source);
	t_ap_start(); /* the rest needs it */
	if (want("ipi-pingpong"))
		t_pingpong("ipi-pingpong");
	if (want("ipi-broadcast"))
		t_broadcast();
	if (want("ipi-self"))
		t_self();
	if (want("ipi-logical"))
		t_logical();
	if (want("ipi-mesh"))
		t_mesh();
	if (want("ipi-illegal"))
		t_illegal();
	if (want("priority"))
		t_priority();
	if (want("tpr"))
		t_tpr();
	if (want("nmi"))
		t_nmi();
	if (want("timer-oneshot"))
		t_oneshot();
	if (want("timer-periodic"))
		t_periodic();
	if (want("timer-tsc-deadline"))
		t_deadline();
	if (want("timer-aps"))
		t_timer_aps();
	if (want("x2apic"))
		t_x2apic();
	if (want("init-restart"))
		t_init_restart();
}

/* ---- other modes ---- */

/* mode=idle: a periodic timer at hz= for ticks=, HLT in between; reports
 * how late the worst tick was. */
void run_idle(const struct mb1_info *mbi)
{
	uint32_t hz = cmdline_get_u32(mbi, "hz", 100), ticks = cmdline_get_u32(mbi, "ticks", 100);
	uint32_t late_us = cmdline_get_u32(mbi, "late_us", 10000);
	uint32_t period_us = 1000000u / (hz ? hz : 1);
	uint64_t el, late;
	irq_set(VEC_TIMER, on_timer);
	int ok = periodic(0, period_us, ticks, 0xB, 1, &el, &late);
	uint64_t late_u = tsc_to_us(late);
	gprintf("smp: idle: ticks=%u period_us=%u elapsed_us=%llu max_late_us=%llu at_tick=%u\n",
		ticks, period_us, tsc_to_us(el), late_u, cpus[0].tick_late_at);
	report(ok && late_u < late_us, "idle-timer",
	       "%u ticks at %u Hz in HLT, worst tick %llu us late (limit %u us)", ticks, hz,
	       late_u, late_us);
}

static uint32_t burn_ms;

static void burn(unsigned int me)
{
	uint64_t end = rdtsc() + us_to_tsc(burn_ms * 1000ull);
	uint32_t loops = 0;
	while (rdtsc() < end)
		loops++;
	cpus[me].result = loops;
}

/* mode=burn: every vCPU computes for ms= milliseconds of its own time. */
void run_burn(const struct mb1_info *mbi)
{
	burn_ms = cmdline_get_u32(mbi, "ms", 1000);
	if (ncpus > 1)
		start_aps();
	int ok = run_on_all(burn, 600 * SECOND);
	/* The work each vCPU got done is proportional to its CPU share. */
	uint64_t total = 0;
	for (unsigned int i = 0; i < ncpus; i++) {
		gprintf("smp: burn cpu %u work=%u\n", i, cpus[i].result);
		total += cpus[i].result;
	}
	gprintf("smp: burn total work=%llu\n", total);
	report(ok && nstarted == ncpus, "burn", "%u CPUs computed for %u ms each", nstarted,
	       burn_ms);
}
