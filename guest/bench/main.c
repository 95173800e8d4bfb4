/* bench: what one operation costs a guest, timed the way kvm-unit-tests'
 * x86/vmexit.c does it: a loop whose iteration count doubles until its
 * RDTSC-measured time passes a goal, cost = ticks / iterations. Every
 * operation has a twin loop with the exiting instruction replaced by a NOP
 * (the native baseline, run for the same number of iterations); the
 * difference is the net cost of the operation. In Bochs the TSC counts
 * emulated instructions, so the figures are exact and repeatable.
 *
 * Command line (all optional):
 *   ops=a,b,...   operations to run, in this order (default: all of them)
 *   goal=N        ticks a measuring pass must reach (default 2000000)
 *   dry=1         run every loop's NOP twin in place of the loop, with
 *                 the same set-up and the same output shape: the VM exits
 *                 of a dry run are what the measured operation did not
 *                 cause (tools/bench.sh subtracts them)
 *   timer=N       initial count of the LAPIC timer for hlt-timer (1)
 *
 * Output: one line per operation, padded with spaces to a fixed length so
 * that a dry run prints exactly as many characters (and so causes exactly
 * as many serial-port exits) as the measuring run:
 *
 *   bench: op=NAME iters=N total=T ticks=X base_ticks=Y ticks_per_op=A.AA
 *          base_per_op=B.BB net=C.CC
 *   bench: op=NAME n/a (reason)
 *
 * iters is the final pass's iteration count, X and Y that pass's ticks for
 * the operation and its twin, total every execution of the operation in
 * the run (all passes), the denominator of exits per operation. */
#include "guest.h"
#include "bench.h"

#define GOAL_DEFAULT 2000000u
#define ITERS_MAX (1u << 26)
/* Tern's UART emulation flushes a line at 160 characters, with its own
 * "[vm] " prefix: pad to less than that. */
#define LINE_LEN 150

enum kind { K_LOOP, K_ONCE, K_APIC };
enum need { NEED_TERN = 1, NEED_APIC = 2, NEED_COLD_DR = 4 };

struct op {
	const char *name;
	enum kind kind;
	bench_loop_fn loop, base;       /* K_LOOP */
	void (*iter)(void);             /* K_APIC: one iteration */
	enum apic_op apic;              /* K_APIC */
	unsigned needs;
	void (*setup)(void);            /* untimed, before the passes */
	void (*teardown)(void);
};

static int dr_touched;              /* a debug register was accessed */

static void dr_handover(void)
{
	uint32_t v;

	/* The first access hands the debug registers to the guest. */
	__asm__ volatile("mov %%dr7, %0" : "=r"(v));
	dr_touched = 1;
}

static void dr6_dirty(void)
{
	dr_handover();
	/* B0 set: DR6 no longer holds its clean value 0xFFFF0FF0, so a
	 * hypervisor that keeps the host's DR6 clean must write it on every
	 * exit and put the guest's back on every entry. */
	__asm__ volatile("mov %0, %%dr6" : : "r"(0xFFFF0FF1u));
}

static void dr6_clean(void)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(0xFFFF0FF0u));
}

static void dr7_arm(void)
{
	dr_handover();
	/* An execute breakpoint (L0, R/W0 = 00, LEN0 = 00) on code that never
	 * runs: DR7 enables a breakpoint, so DR0 must be live in the guest. */
	__asm__ volatile("mov %0, %%dr0" : : "r"((uint32_t)(uintptr_t)bench_never));
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x401u));
}

static void dr7_disarm(void)
{
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400u));
}

static void iter_nop(void)
{
	__asm__ volatile("nop");
}

#define LOOP(n, fn, ...) { .name = n, .kind = K_LOOP, .loop = bench_loop_##fn, \
			   .base = bench_base_##fn, __VA_ARGS__ }
#define APICOP(n, which, fn) { .name = n, .kind = K_APIC, .iter = fn, .apic = which, \
			       .needs = NEED_APIC }

static const struct op ops[] = {
	LOOP("nop", nop),
	LOOP("cpuid", cpuid),
	LOOP("vmcall", vmcall, .needs = NEED_TERN),
	LOOP("out80", out80),
	LOOP("in80", in80),
	{ .name = "dr7-cold", .kind = K_ONCE, .needs = NEED_COLD_DR },
	LOOP("dr7-read", rd_dr7, .setup = dr_handover),
	LOOP("dr0-write", wr_dr0, .setup = dr_handover),
	LOOP("cpuid-drloaded", cpuid, .setup = dr_handover),
	LOOP("cpuid-dr6dirty", cpuid, .setup = dr6_dirty, .teardown = dr6_clean),
	LOOP("cpuid-dr7armed", cpuid, .setup = dr7_arm, .teardown = dr7_disarm),
	APICOP("hlt-timer", APIC_TIMER, apic_iter_timer),
	APICOP("ipi", APIC_IPI, apic_iter_ipi),
	APICOP("switch", APIC_SWITCH, apic_iter_switch),
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* --- arithmetic and output --------------------------------------------- */

/* 64-by-32 division without libgcc: two 32-bit DIVs. */
static uint64_t div64(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
	uint32_t qhi = hi / d, r = hi % d, qlo;

	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	return ((uint64_t)qhi << 32) | qlo;
}

struct line {
	char buf[LINE_LEN + 1];
	unsigned len;
};

static void put_str(struct line *l, const char *s)
{
	while (*s && l->len < LINE_LEN)
		l->buf[l->len++] = *s++;
}

static void put_u64(struct line *l, uint64_t v)
{
	char tmp[21];
	int n = 0;

	do {
		uint64_t q = div64(v, 10);
		tmp[n++] = (char)('0' + (v - q * 10));
		v = q;
	} while (v);
	while (n && l->len < LINE_LEN)
		l->buf[l->len++] = tmp[--n];
}

/* v / n with two decimals (truncated toward zero), v may be negative. */
static void put_ratio(struct line *l, int64_t v, uint32_t n)
{
	uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;
	uint64_t h = div64(a * 100, n);
	uint64_t w = div64(h, 100);

	if (v < 0 && h)
		put_str(l, "-");
	put_u64(l, w);
	put_str(l, ".");
	put_u64(l, div64(h - w * 100, 10));
	put_u64(l, (h - w * 100) - div64(h - w * 100, 10) * 10);
}

static void put_kv(struct line *l, const char *k, uint64_t v)
{
	put_str(l, " ");
	put_str(l, k);
	put_str(l, "=");
	put_u64(l, v);
}

/* Pad to LINE_LEN so every run prints the same number of characters. */
static void emit(struct line *l)
{
	while (l->len < LINE_LEN)
		l->buf[l->len++] = ' ';
	l->buf[l->len] = '\0';
	gprintf("%s\n", l->buf);
}

/* --- measuring --------------------------------------------------------- */

struct result {
	uint32_t iters;     /* final pass */
	uint32_t total;     /* executions of the operation in all passes */
	uint64_t ticks, base_ticks;
};

static uint64_t run_apic(void (*iter)(void), uint32_t n)
{
	uint64_t t0 = rdtsc();

	for (uint32_t i = 0; i < n; i++)
		iter();
	return rdtsc() - t0;
}

static void measure(const struct op *op, int dry, uint32_t goal, struct result *r)
{
	uint32_t n = 1;
	uint64_t t;

	*r = (struct result){ 0 };
	if (op->kind == K_ONCE) {
		r->iters = r->total = 1;
		r->ticks = dry ? bench_once_nop() : bench_once_rd_dr7();
		r->base_ticks = bench_once_nop();
		return;
	}
	for (;;) {
		if (op->kind == K_LOOP)
			(dry ? op->base : op->loop)(n, &t);
		else
			t = run_apic(dry ? iter_nop : op->iter, n);
		r->total += n;
		if (t >= goal || n >= ITERS_MAX)
			break;
		n *= 2;
	}
	r->iters = n;
	r->ticks = t;
	if (op->kind == K_LOOP)
		op->base(n, &r->base_ticks);
	else
		r->base_ticks = run_apic(iter_nop, n);
}

static void report(const struct op *op, const struct result *r)
{
	struct line l = { .len = 0 };

	put_str(&l, "bench: op=");
	put_str(&l, op->name);
	put_kv(&l, "iters", r->iters);
	put_kv(&l, "total", r->total);
	put_kv(&l, "ticks", r->ticks);
	put_kv(&l, "base_ticks", r->base_ticks);
	put_str(&l, " ticks_per_op=");
	put_ratio(&l, (int64_t)r->ticks, r->iters);
	put_str(&l, " base_per_op=");
	put_ratio(&l, (int64_t)r->base_ticks, r->iters);
	put_str(&l, " net=");
	put_ratio(&l, (int64_t)r->ticks - (int64_t)r->base_ticks, r->iters);
	emit(&l);
}

static void report_na(const struct op *op, const char *why)
{
	struct line l = { .len = 0 };

	put_str(&l, "bench: op=");
	put_str(&l, op->name);
	put_str(&l, " n/a (");
	put_str(&l, why);
	put_str(&l, ")");
	emit(&l);
}

/* --- main ---------------------------------------------------------------- */

static int selected(const struct mb1_info *mbi, const char *name, int have_list)
{
	return !have_list || cmdline_has_item(mbi, "ops", name);
}

int gmain(uint32_t magic, struct mb1_info *mbi)
{
	static struct result res[NOPS];
	static const char *why[NOPS];
	static int run[NOPS];
	char buf[8];
	int have_list, tern, apic, dry, known;
	uint32_t goal;
	struct line l = { .len = 0 };

	if (magic != MB1_BOOTLOADER_MAGIC)
		mbi = NULL;
	have_list = cmdline_get(mbi, "ops", buf, sizeof(buf)) >= 0;
	goal = cmdline_get_u32(mbi, "goal", GOAL_DEFAULT);
	dry = cmdline_get_u32(mbi, "dry", 0) != 0;
	apic_timer_count = cmdline_get_u32(mbi, "timer", 1);
	if (!goal)
		goal = 1;
	tern = hv_is_tern();
	apic = apic_present();
	/* Everything is read from the command line before any operation
	 * runs (the AP trampoline may overwrite low memory). */
	for (unsigned i = 0; i < NOPS; i++)
		run[i] = selected(mbi, ops[i].name, have_list);

	/* Measure everything first, print afterwards: no serial-port exits
	 * between the passes. */
	for (unsigned i = 0; i < NOPS; i++) {
		const struct op *op = &ops[i];

		if (!run[i])
			continue;
		if ((op->needs & NEED_TERN) && !tern) {
			why[i] = "not under Tern: VMCALL would #UD";
			continue;
		}
		if ((op->needs & NEED_COLD_DR) && dr_touched) {
			why[i] = "debug registers already used in this run";
			continue;
		}
		if (op->kind == K_APIC) {
			why[i] = apic_prepare(op->apic, tern);
			if (why[i])
				continue;
		}
		if (op->setup)
			op->setup();
		measure(op, dry, goal, &res[i]);
		if (op->needs & NEED_COLD_DR)
			dr_touched = 1;
		if (op->teardown)
			op->teardown();
	}

	put_str(&l, "bench: start");
	put_kv(&l, "tern", (uint64_t)tern);
	put_kv(&l, "apic", (uint64_t)apic);
	put_kv(&l, "goal", goal);
	put_kv(&l, "dry", (uint64_t)dry);
	emit(&l);
	known = 0;
	for (unsigned i = 0; i < NOPS; i++) {
		if (!run[i])
			continue;
		known++;
		if (why[i])
			report_na(&ops[i], why[i]);
		else
			report(&ops[i], &res[i]);
	}
	if (!known)
		gprintf("bench: no operation selected (ops=%s)\n", cmdline_str(mbi));
	gprintf("bench: done\n");
	return known ? 0 : 1;
}
