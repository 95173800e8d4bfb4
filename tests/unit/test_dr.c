/* Host tests for arch/x86/dr.c, the debug-register policy, against the
 * contract in shared/docs/debug-registers.md.
 *
 * The hardware is a fake: one register file per pCPU (DR0-DR3, DR6, DR7)
 * whose raw reads and writes are counted, and one fake VMCS per vCPU
 * (GUEST_DR7, MOV-DR exiting, #DB interception). VM entry and exit are
 * modelled as the hypervisor and the processor do them:
 *   entry = dr_vmentry(), then the CPU loads DR7 from GUEST_DR7;
 *   exit  = the CPU saves DR7 into GUEST_DR7 and sets DR7 = 0x400, then
 *           dr_vmexit();
 * a guest touches DR0-3/DR6/DR7 natively when MOV-DR exiting is off, and
 * through the MOV-DR exit path of arch/x86/vmexit.c otherwise. Each vCPU
 * keeps a reference model of what its own debug registers hold
 * architecturally; every guest read is checked against it, which is the
 * contract's isolation rule ("no vCPU can ever read another vCPU's, another
 * VM's, or the hypervisor's DR values").
 *
 * Tests named test_bug_* reproduce contract violations found and fixed in
 * dr.c; they stay as regression tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/dr.h"

/* ------------------------------------------------------------------ */
/* Fake hardware                                                       */
/* ------------------------------------------------------------------ */

struct fake_vmcs {
	uint64_t guest_dr7;
	bool movdr_exiting;
	bool db_intercept;
	unsigned intercept_calls;
};

struct tpcpu {
	uint64_t hw[8];
	uint64_t rd, wr;          /* raw accesses through the hooks */
	uint64_t rd_reg[8], wr_reg[8];
	bool watch_changed;       /* arm/disarm since the last entry */
	struct dr_cpu c;
};

struct tvcpu {
	struct dr_vcpu d;
	struct fake_vmcs vmcs;
	struct tpcpu *on;         /* pCPU it is scheduled on */
	bool in_guest;
	/* Reference model: the guest's architectural DR0-DR3 and DR6. */
	uint64_t db[4], dr6, dr7;
	unsigned movdr_exits, db_exits;
	bool quiet;               /* random test: not touching DRs now */
	/* With a debugger attached (rule 8): what the guest must run with. */
	bool dbg;
	uint64_t dbg_db[4], dbg_dr7;
};

static struct tpcpu *hw_cpu;         /* the pCPU the hooks act on */
static struct fake_vmcs *vmcs_cur;   /* the current VMCS, or NULL */

uint64_t dr_hw_read(unsigned int n)
{
	assert_non_null(hw_cpu);
	assert_true(n < 4 || n == 6 || n == 7);
	hw_cpu->rd++;
	hw_cpu->rd_reg[n]++;
	return hw_cpu->hw[n];
}

void dr_hw_write(unsigned int n, uint64_t v)
{
	assert_non_null(hw_cpu);
	assert_true(n < 4 || n == 6 || n == 7);
	if (n == 6) {
		/* Writing 0 asserts the active-low BLD/RTM bits. */
		if (v == 0)
			fail_msg("DR6 written with 0 (clean value is 0xFFFF0FF0)");
		if (v >> 32)
			fail_msg("DR6 written with bits 63:32 set: #GP");
		if ((v & DR6_FIXED1) != DR6_FIXED1)
			fail_msg("DR6 written with fixed-1 bits clear: %#llx",
				 (unsigned long long)v);
	}
	if (n == 7) {
		if (v >> 32)
			fail_msg("DR7 written with bits 63:32 set: #GP");
		if (!(v & DR7_FIXED1))
			fail_msg("DR7 written without bit 10: %#llx", (unsigned long long)v);
	}
	hw_cpu->wr++;
	hw_cpu->wr_reg[n]++;
	hw_cpu->hw[n] = v;
}

uint64_t dr_hw_guest_dr7(void)
{
	assert_non_null(vmcs_cur);
	return vmcs_cur->guest_dr7;
}

void dr_hw_set_guest_dr7(uint64_t v)
{
	assert_non_null(vmcs_cur);
	vmcs_cur->guest_dr7 = v;
}

void dr_hw_set_intercepts(bool on)
{
	assert_non_null(vmcs_cur);
	vmcs_cur->movdr_exiting = on;
	vmcs_cur->db_intercept = on;
	vmcs_cur->intercept_calls++;
}

/* ------------------------------------------------------------------ */
/* Harness                                                             */
/* ------------------------------------------------------------------ */

#define CLEAN DR6_CLEAN
#define L0 BIT(0)
#define G0 BIT(1)
#define DR7_L(n) BIT((n) * 2)
#define DR7_G(n) BIT((n) * 2 + 1)
#define DR7_RW(n, rw) ((uint64_t)(rw) << (16 + (n) * 4))
#define DR7_LEN(n, l) ((uint64_t)(l) << (18 + (n) * 4))

struct acc {
	uint64_t rd, wr;
};

static struct acc snap(const struct tpcpu *p)
{
	return (struct acc){ p->rd, p->wr };
}

static uint64_t rd_since(const struct tpcpu *p, struct acc s)
{
	return p->rd - s.rd;
}

static uint64_t wr_since(const struct tpcpu *p, struct acc s)
{
	return p->wr - s.wr;
}

/* The module's own counters must be exactly the raw accesses. */
static void check_counters(const struct tpcpu *p)
{
	assert_int_equal(p->c.count.reads, p->rd);
	assert_int_equal(p->c.count.writes, p->wr);
}

static void pcpu_init(struct tpcpu *p, unsigned id)
{
	memset(p, 0, sizeof(*p));
	/* Whatever firmware or a previous kernel left. */
	p->hw[0] = 0xdead0000;
	p->hw[1] = 0x1111;
	p->hw[2] = 0x2222;
	p->hw[3] = 0x3333;
	p->hw[6] = 0xffff4ff3;
	p->hw[7] = 0x4ff;
	hw_cpu = p;
	dr_cpu_init(&p->c, id);
	p->rd = p->wr = 0;
	memset(p->rd_reg, 0, sizeof(p->rd_reg));
	memset(p->wr_reg, 0, sizeof(p->wr_reg));
}

static void vcpu_init(struct tvcpu *v)
{
	memset(v, 0, sizeof(*v));
	dr_vcpu_init(&v->d);
	/* The VMCS set-up starts every vCPU lazy: MOV-DR exiting and #DB
	 * interception on, DR7 at its reset value. */
	v->vmcs = (struct fake_vmcs){ .guest_dr7 = DR7_RESET, .movdr_exiting = true,
				      .db_intercept = true };
	v->dr6 = CLEAN;
	v->dr7 = DR7_RESET;
}

/* What the guest must find in the hardware when it runs (checked at every
 * entry): with MOV-DR exiting off it reads DR0-3/DR6 natively, so they
 * must be its own; with breakpoints enabled in its DR7 its DR0-3 must be
 * live (rule 5); with #DB interception off a #DB updates the hardware DR6,
 * which must then be its own. */
static void check_guest_view(const struct tvcpu *v)
{
	const struct tpcpu *p = v->on;

	assert_int_equal(v->vmcs.movdr_exiting, v->vmcs.db_intercept);
	if (v->dbg) {
		/* The debugger's breakpoints are live; the guest can neither
		 * read them (MOV DR exits) nor get DR6 bits from them. */
		assert_true(v->vmcs.movdr_exiting);
		if (v->dbg_dr7 & DR7_ENABLES)
			for (unsigned n = 0; n < 4; n++)
				if (v->dbg_dr7 & (3ULL << (n * 2)))
					assert_int_equal(p->hw[n], v->dbg_db[n]);
		return;
	}
	if (!v->vmcs.movdr_exiting || (v->vmcs.guest_dr7 & DR7_ENABLES)) {
		for (unsigned n = 0; n < 4; n++)
			if (p->hw[n] != v->db[n])
				fail_msg("vCPU enters with DR%u=%#llx, its own is %#llx", n,
					 (unsigned long long)p->hw[n],
					 (unsigned long long)v->db[n]);
	}
	if (!v->vmcs.movdr_exiting || !v->vmcs.db_intercept)
		assert_int_equal(p->hw[6], v->dr6);
}

static void sched_in(struct tpcpu *p, struct tvcpu *v)
{
	assert_null(v->on);
	hw_cpu = p;
	vmcs_cur = &v->vmcs;
	v->on = p;
	dr_vcpu_load(&p->c, &v->d);
}

static void sched_out(struct tvcpu *v)
{
	struct tpcpu *p = v->on;
	assert_non_null(p);
	assert_false(v->in_guest);
	hw_cpu = p;
	vmcs_cur = &v->vmcs;
	dr_vcpu_put(&p->c, &v->d);
	vmcs_cur = NULL; /* VMCLEAR */
	v->on = NULL;
}

static void vm_entry(struct tvcpu *v)
{
	struct tpcpu *p = v->on;
	assert_non_null(p);
	assert_false(v->in_guest);
	hw_cpu = p;
	vmcs_cur = &v->vmcs;
	dr_vmentry(&p->c, &v->d);
	p->hw[7] = v->vmcs.guest_dr7; /* "load debug controls" */
	p->watch_changed = false;
	v->in_guest = true;
	assert_int_equal(p->hw[7], v->dbg ? v->dbg_dr7 : v->dr7);
	check_guest_view(v);
}

static void vm_exit(struct tvcpu *v)
{
	struct tpcpu *p = v->on;
	assert_true(v->in_guest);
	hw_cpu = p;
	vmcs_cur = &v->vmcs;
	v->vmcs.guest_dr7 = p->hw[7]; /* "save debug controls" */
	p->hw[7] = DR7_RESET;         /* the processor disarms everything */
	v->in_guest = false;
	dr_vmexit(&p->c, &v->d);
}

static void model_write(struct tvcpu *v, unsigned dr, uint64_t val)
{
	if (dr < 4)
		v->db[dr] = val;
	else if (dr == 6)
		v->dr6 = val;
	else
		v->dr7 = val;
}

static uint64_t model_read(const struct tvcpu *v, unsigned dr)
{
	if (dr < 4)
		return v->db[dr];
	if (dr == 6)
		return v->dr6;
	return v->dr7;
}

/* The guest executes MOV to/from DR 'dr' at CPL 0 in 64-bit mode. */
static uint64_t guest_mov(struct tvcpu *v, unsigned dr, bool write, uint64_t val)
{
	struct tpcpu *p = v->on;
	assert_true(v->in_guest);
	if (v->vmcs.movdr_exiting) {
		/* Exit reason 29, handled as arch/x86/vmexit.c does. */
		v->movdr_exits++;
		vm_exit(v);
		unsigned n = dr;
		assert_int_equal(dr_mov_check(&n, write, val, 0, false,
					      dr_guest_dr7(&v->d), true),
				 DR_MOV_OK);
		uint64_t x = write ? val : 0;
		bool reexecute = dr_movdr_exit(&p->c, &v->d, n, write, &x);
		if (reexecute) {
			assert_false(v->vmcs.movdr_exiting);
			vm_entry(v);
			unsigned before = v->movdr_exits;
			uint64_t r = guest_mov(v, dr, write, val);
			assert_int_equal(v->movdr_exits, before); /* native now */
			return r;
		}
		/* Emulated on the copy; RIP advanced. */
		if (write) {
			if (dr == 6)
				model_write(v, dr, (val & DR6_WRITABLE) | DR6_FIXED1);
			else if (dr == 7)
				model_write(v, dr, (val & DR7_WRITABLE) | DR7_FIXED1);
			else
				model_write(v, dr, val);
		}
		vm_entry(v);
		return x;
	}
	/* Native. */
	if (write) {
		p->hw[dr] = val;
		model_write(v, dr, val);
		return 0;
	}
	return p->hw[dr];
}

static uint64_t guest_read(struct tvcpu *v, unsigned dr)
{
	uint64_t got = guest_mov(v, dr, false, 0);
	uint64_t want = model_read(v, dr);
	if (got != want)
		fail_msg("guest reads DR%u=%#llx, its own value is %#llx", dr,
			 (unsigned long long)got, (unsigned long long)want);
	return got;
}

static void guest_write(struct tvcpu *v, unsigned dr, uint64_t val)
{
	guest_mov(v, dr, true, val);
}

/* A debug exception in the guest with DR6 status 'bits' (B0-B3, BS). */
static void guest_debug_exception(struct tvcpu *v, uint64_t bits)
{
	struct tpcpu *p = v->on;
	assert_true(v->in_guest);
	if (v->vmcs.db_intercept) {
		/* #DB exit: DR6 untouched, the bits are in the qualification. */
		v->db_exits++;
		vm_exit(v);
		if (v->d.debugger) { /* as arch/x86/vmexit.c does */
			bool fault;
			assert_int_equal(dr_debugger_db(&v->d, bits, &fault), 0);
		}
		dr_guest_db(&p->c, &v->d, bits);
		vm_entry(v);
	} else {
		p->hw[6] = (p->hw[6] & ~0xfULL) | bits;
	}
	v->dr6 = (v->dr6 & ~0xfULL) | bits;
}

/* A VM exit that has nothing to do with debug registers (CPUID, I/O...). */
static void common_exit(struct tvcpu *v, uint64_t *exit_rd, uint64_t *exit_wr,
			uint64_t *entry_rd, uint64_t *entry_wr)
{
	struct tpcpu *p = v->on;
	struct acc s = snap(p);
	vm_exit(v);
	if (exit_rd)
		*exit_rd = rd_since(p, s);
	if (exit_wr)
		*exit_wr = wr_since(p, s);
	s = snap(p);
	vm_entry(v);
	if (entry_rd)
		*entry_rd = rd_since(p, s);
	if (entry_wr)
		*entry_wr = wr_since(p, s);
}

/* After every exit with hypervisor watchpoints armed, the host's state is
 * back and DR6 is clean (the host #DB handler never sees guest bits). */
static void check_host_state(const struct tpcpu *p)
{
	assert_int_equal(p->hw[7], p->c.host_dr7);
	assert_int_equal(p->hw[6], CLEAN);
	for (unsigned n = 0; n < 4; n++)
		if (p->c.host_dr7 & (DR7_L(n) | DR7_G(n)))
			assert_int_equal(p->hw[n], p->c.host_db[n]);
}

static void host_arm(struct tpcpu *p, unsigned slot, uint64_t addr, enum dr_watch_type t,
		     unsigned len)
{
	hw_cpu = p;
	assert_true(dr_watch_arm(&p->c, slot, addr, t, len));
	p->watch_changed = true;
}

static void host_disarm(struct tpcpu *p, unsigned slot)
{
	hw_cpu = p;
	dr_watch_disarm(&p->c, slot);
	p->watch_changed = true;
}

static struct tpcpu P0, P1;
static struct tvcpu A, B, C;

static int setup(void **state)
{
	pcpu_init(&P0, 0);
	pcpu_init(&P1, 1);
	vcpu_init(&A);
	vcpu_init(&B);
	vcpu_init(&C);
	vmcs_cur = NULL;
	hw_cpu = NULL;
	return 0;
}

/* Runs 'v' on 'p' and hands its registers over with one MOV from DR7. */
static void run_and_touch(struct tpcpu *p, struct tvcpu *v)
{
	sched_in(p, v);
	vm_entry(v);
	guest_read(v, 7);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */
/* ------------------------------------------------------------------ */

static void test_cpu_init(void **state)
{
	struct tpcpu p;
	pcpu_init(&p, 5);
	assert_int_equal(p.c.cpu, 5);
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(p.hw[n], 0);
	assert_int_equal(p.hw[6], CLEAN);
	assert_int_equal(p.hw[7], DR7_RESET);
	assert_int_equal(p.c.host_dr7, DR7_RESET);
	assert_int_equal(p.c.armed, 0);
	assert_null(p.c.loaded);
	assert_int_equal(p.c.count.reads, 0);
	assert_int_equal(p.c.count.writes, 0);
	assert_int_equal(p.c.count.exits_with_writes, 0);
	assert_int_equal(p.c.count.watch_hits, 0);
}

static void test_vcpu_init(void **state)
{
	struct dr_vcpu d;
	memset(&d, 0x5a, sizeof(d));
	dr_vcpu_init(&d);
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(d.db[n], 0);
	assert_int_equal(d.dr6, 0xFFFF0FF0ULL);
	assert_int_equal(d.loaded_cpu, -1);
	assert_true(d.exiting);
	assert_false(d.debugger);
}

static void test_constants(void **state)
{
	assert_int_equal(DR6_CLEAN, 0xFFFF0FF0ULL);
	assert_int_equal(DR7_RESET, 0x400);
	assert_int_equal(DR7_ENABLES, 0xff);
	assert_int_equal(DR6_BD, 1u << 13);
	assert_int_equal(DR6_BS, 1u << 14);
	assert_int_equal(DR6_BT, 1u << 15);
	assert_int_equal(DR7_GD, 1u << 13);
}

/* ------------------------------------------------------------------ */
/* Row 1: nobody uses debug registers                                  */
/* ------------------------------------------------------------------ */

static void test_idle_exits_touch_nothing(void **state)
{
	sched_in(&P0, &A);
	assert_int_equal(P0.rd + P0.wr, 0);
	vm_entry(&A);
	for (int i = 0; i < 1000; i++) {
		uint64_t er, ew, nr, nw;
		common_exit(&A, &er, &ew, &nr, &nw);
		assert_int_equal(er, 0);
		assert_int_equal(ew, 0);
		assert_int_equal(nr, 0);
		assert_int_equal(nw, 0);
	}
	vm_exit(&A);
	assert_int_equal(A.vmcs.intercept_calls, 0);
	assert_true(A.vmcs.movdr_exiting);
	assert_true(A.vmcs.db_intercept);
	assert_int_equal(P0.c.count.exits_with_writes, 0);
	check_counters(&P0);
	assert_int_equal(P0.rd + P0.wr, 0);
}

static void test_idle_switch_touches_nothing(void **state)
{
	/* Two idle vCPUs alternating on one pCPU, then migrating. */
	for (int i = 0; i < 50; i++) {
		struct tvcpu *v = (i & 1) ? &B : &A;
		struct tpcpu *p = (i & 2) ? &P1 : &P0;
		sched_in(p, v);
		vm_entry(v);
		common_exit(v, NULL, NULL, NULL, NULL);
		vm_exit(v);
		sched_out(v);
	}
	assert_int_equal(P0.rd + P0.wr + P1.rd + P1.wr, 0);
	assert_int_equal(A.vmcs.intercept_calls + B.vmcs.intercept_calls, 0);
}

/* ------------------------------------------------------------------ */
/* Row 2: guest debug state loaded, no hypervisor watchpoints           */
/* ------------------------------------------------------------------ */

static void test_first_use_hands_over(void **state)
{
	sched_in(&P0, &A);
	vm_entry(&A);
	struct acc s = snap(&P0);
	assert_int_equal(guest_read(&A, 0), 0);
	assert_int_equal(A.movdr_exits, 1);
	assert_false(A.vmcs.movdr_exiting);
	assert_false(A.vmcs.db_intercept);
	assert_int_equal(A.vmcs.intercept_calls, 1);
	assert_false(A.d.exiting);
	assert_int_equal(A.d.loaded_cpu, 0);
	assert_ptr_equal(P0.c.loaded, &A.d);
	/* The hardware already held the vCPU's reset values: nothing to write. */
	assert_int_equal(wr_since(&P0, s), 0);

	/* From now on every access is native: no more MOV-DR exits. */
	for (unsigned i = 0; i < 200; i++) {
		guest_write(&A, i % 4, 0x1000 * (i + 1));
		guest_read(&A, i % 4);
		guest_read(&A, 6);
		guest_read(&A, 7);
		guest_write(&A, 7, DR7_RESET | ((i & 1) ? L0 : 0));
		common_exit(&A, NULL, NULL, NULL, NULL);
	}
	assert_int_equal(A.movdr_exits, 1);
	check_counters(&P0);
}

static void test_first_use_is_a_write(void **state)
{
	sched_in(&P0, &A);
	vm_entry(&A);
	guest_write(&A, 2, 0xffffffff81000000ULL);
	assert_int_equal(A.movdr_exits, 1);
	assert_int_equal(P0.hw[2], 0xffffffff81000000ULL);
	guest_read(&A, 2);
	guest_write(&A, 6, CLEAN | DR6_B(3));
	guest_read(&A, 6);
	assert_int_equal(A.movdr_exits, 1);
}

static void test_loaded_exit_clean_dr6(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0x401000);
	guest_write(&A, 1, 0x402000);
	guest_write(&A, 7, DR7_RESET | L0 | DR7_L(1) | DR7_RW(0, 1) | DR7_LEN(0, 3));
	uint64_t w0 = P0.c.count.exits_with_writes;
	for (int i = 0; i < 100; i++) {
		uint64_t er, ew, nr, nw;
		common_exit(&A, &er, &ew, &nr, &nw);
		/* Exit: one DR6 read, no write; entry: nothing. */
		assert_int_equal(er, 1);
		assert_int_equal(P0.rd_reg[6], (uint64_t)i + 1);
		assert_int_equal(ew, 0);
		assert_int_equal(nr, 0);
		assert_int_equal(nw, 0);
		/* DR0-3 stay loaded across the exit: DR7 is 0x400 in the host. */
		assert_int_equal(P0.hw[0], 0x401000);
		assert_int_equal(P0.hw[1], 0x402000);
	}
	assert_int_equal(P0.c.count.exits_with_writes, w0);
	assert_int_equal(A.movdr_exits, 1);
	guest_read(&A, 0);
	guest_read(&A, 1);
	guest_read(&A, 7);
	check_counters(&P0);
}

static void test_loaded_exit_dirty_dr6(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 6, CLEAN | DR6_B(1) | DR6_BS);
	uint64_t w0 = P0.c.count.exits_with_writes;
	for (int i = 0; i < 20; i++) {
		uint64_t er, ew, nr, nw;
		struct acc s = snap(&P0);
		vm_exit(&A);
		er = rd_since(&P0, s);
		ew = wr_since(&P0, s);
		/* The host never keeps a stale guest DR6. */
		assert_int_equal(P0.hw[6], CLEAN);
		assert_int_equal(A.d.dr6, CLEAN | DR6_B(1) | DR6_BS);
		s = snap(&P0);
		vm_entry(&A);
		nr = rd_since(&P0, s);
		nw = wr_since(&P0, s);
		assert_int_equal(er, 1);
		assert_int_equal(ew, 1);
		assert_int_equal(P0.wr_reg[6], (uint64_t)2 * (i + 1));
		assert_int_equal(nr, 0);
		assert_int_equal(nw, 1);
		assert_int_equal(P0.hw[6], CLEAN | DR6_B(1) | DR6_BS);
		guest_read(&A, 6);
	}
	assert_int_equal(P0.c.count.exits_with_writes, w0 + 20);
	/* The guest cleans DR6 itself: back to zero writes. */
	guest_write(&A, 6, CLEAN);
	uint64_t er, ew, nr, nw;
	common_exit(&A, &er, &ew, &nr, &nw);
	assert_int_equal(ew, 0);
	assert_int_equal(nw, 0);
	assert_int_equal(A.movdr_exits, 1);
	check_counters(&P0);
}

static void test_loaded_native_debug_exception(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0x7000);
	guest_write(&A, 7, DR7_RESET | L0 | DR7_RW(0, 1) | DR7_LEN(0, 3));
	/* #DB interception is off while loaded: the #DB stays in the guest. */
	guest_debug_exception(&A, DR6_B(0));
	assert_int_equal(A.db_exits, 0);
	assert_int_equal(P0.hw[6], CLEAN | DR6_B(0));
	uint64_t ew, nw;
	common_exit(&A, NULL, &ew, NULL, &nw);
	assert_int_equal(ew, 1);
	assert_int_equal(nw, 1);
	guest_read(&A, 6);
	/* The guest's #DB handler writes DR6 clean. */
	guest_write(&A, 6, CLEAN);
	common_exit(&A, NULL, &ew, NULL, &nw);
	assert_int_equal(ew + nw, 0);
}

static void test_loaded_guest_db_via_emulation(void **state)
{
	/* An emulated IN/OUT that hits an I/O breakpoint while the guest's
	 * registers are loaded: dr_guest_db on exit, the entry puts DR6 back. */
	run_and_touch(&P0, &A);
	vm_exit(&A);
	hw_cpu = &P0;
	dr_guest_db(&P0.c, &A.d, DR6_B(2));
	A.dr6 = (A.dr6 & ~0xfULL) | DR6_B(2);
	struct acc s = snap(&P0);
	vm_entry(&A);
	assert_int_equal(wr_since(&P0, s), 1);
	guest_read(&A, 6);
}

/* ------------------------------------------------------------------ */
/* Row 3: vCPU switch on one pCPU                                      */
/* ------------------------------------------------------------------ */

static void test_put_writes_nothing(void **state)
{
	/* Not loaded. */
	sched_in(&P0, &A);
	vm_entry(&A);
	vm_exit(&A);
	struct acc s = snap(&P0);
	sched_out(&A);
	assert_int_equal(rd_since(&P0, s) + wr_since(&P0, s), 0);

	/* Loaded, DR6 clean. */
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0xA);
	vm_exit(&A);
	s = snap(&P0);
	sched_out(&A);
	assert_int_equal(wr_since(&P0, s), 0);
	assert_true(rd_since(&P0, s) <= 5);
	assert_true(A.vmcs.movdr_exiting);
	assert_true(A.vmcs.db_intercept);
	assert_true(A.d.exiting);
	assert_int_equal(A.d.loaded_cpu, -1);
	assert_null(P0.c.loaded);
	assert_int_equal(A.d.db[0], 0xA);

	/* Loaded, DR6 dirty, DR7 enabling a breakpoint. */
	run_and_touch(&P0, &A);
	guest_write(&A, 6, CLEAN | DR6_B(0));
	guest_write(&A, 7, DR7_RESET | G0);
	vm_exit(&A);
	s = snap(&P0);
	sched_out(&A);
	assert_int_equal(wr_since(&P0, s), 0);
	assert_int_equal(A.d.dr6, CLEAN | DR6_B(0));
	check_counters(&P0);
}

static void test_switch_isolation(void **state)
{
	/* A uses every register; B, scheduled next on the same pCPU, must see
	 * only its own (reset) values. */
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0xA);
	guest_write(&A, 1, 0xA1);
	guest_write(&A, 2, 0xA2);
	guest_write(&A, 3, 0xA3);
	guest_write(&A, 6, CLEAN | DR6_B(2) | DR6_BS);
	vm_exit(&A);
	sched_out(&A);

	struct acc s = snap(&P0);
	sched_in(&P0, &B);
	vm_entry(&B);
	assert_int_equal(rd_since(&P0, s) + wr_since(&P0, s), 0);
	assert_true(B.vmcs.movdr_exiting);
	/* B's first MOV from DR0 exits, hands over, and reads B's value. */
	assert_int_equal(guest_read(&B, 0), 0);
	assert_int_equal(B.movdr_exits, 1);
	assert_int_equal(guest_read(&B, 1), 0);
	assert_int_equal(guest_read(&B, 2), 0);
	assert_int_equal(guest_read(&B, 3), 0);
	assert_int_equal(guest_read(&B, 6), CLEAN);
	assert_int_equal(guest_read(&B, 7), DR7_RESET);
	assert_int_equal(B.movdr_exits, 1);
	guest_write(&B, 0, 0xB);
	vm_exit(&B);
	sched_out(&B);

	/* Back to A: lazily, its first access hands its own values back. */
	sched_in(&P0, &A);
	vm_entry(&A);
	assert_true(A.vmcs.movdr_exiting);
	assert_int_equal(guest_read(&A, 0), 0xA);
	assert_int_equal(guest_read(&A, 3), 0xA3);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_B(2) | DR6_BS);
	assert_int_equal(A.movdr_exits, 2);
	check_counters(&P0);
}

static void test_switch_isolation_first_access_dr6(void **state)
{
	/* A leaves a dirty DR6 that the exit cleaned, B's first access is a
	 * DR6 read: it must see B's clean value. Then C's first access is a
	 * DR6 write, and A's DR6 is still A's. */
	run_and_touch(&P0, &A);
	guest_write(&A, 6, CLEAN | DR6_B(0) | DR6_B(3));
	vm_exit(&A);
	sched_out(&A);
	sched_in(&P0, &B);
	vm_entry(&B);
	assert_int_equal(guest_read(&B, 6), CLEAN);
	vm_exit(&B);
	sched_out(&B);
	sched_in(&P0, &C);
	vm_entry(&C);
	guest_write(&C, 6, CLEAN | DR6_BS);
	guest_read(&C, 6);
	vm_exit(&C);
	sched_out(&C);
	sched_in(&P0, &A);
	vm_entry(&A);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_B(0) | DR6_B(3));
}

static void test_switch_eager_load(void **state)
{
	/* A enables a breakpoint in DR7; after a switch it must be loaded as
	 * soon as it is scheduled in, before entry, without a MOV-DR exit. */
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0x1111);
	guest_write(&A, 2, 0x2222);
	guest_write(&A, 7, DR7_RESET | L0 | DR7_RW(0, 3) | DR7_LEN(0, 3));
	vm_exit(&A);
	sched_out(&A);

	run_and_touch(&P0, &B); /* B overwrites DR0-3 with its own */
	guest_write(&B, 0, 0xBBBB);
	guest_write(&B, 2, 0xB2B2);
	vm_exit(&B);
	sched_out(&B);

	unsigned exits = A.movdr_exits;
	sched_in(&P0, &A);
	assert_int_equal(P0.hw[0], 0x1111); /* before entry */
	assert_int_equal(P0.hw[2], 0x2222);
	assert_int_equal(P0.hw[1], 0);
	assert_int_equal(P0.hw[3], 0);
	assert_false(A.vmcs.movdr_exiting);
	assert_false(A.vmcs.db_intercept);
	assert_ptr_equal(P0.c.loaded, &A.d);
	vm_entry(&A);
	assert_int_equal(P0.hw[7], DR7_RESET | L0 | DR7_RW(0, 3) | DR7_LEN(0, 3));
	guest_read(&A, 0);
	guest_read(&A, 2);
	assert_int_equal(A.movdr_exits, exits);

	/* G-bits enable as well. */
	guest_write(&A, 7, DR7_RESET | DR7_G(3));
	vm_exit(&A);
	sched_out(&A);
	sched_in(&P0, &B);
	vm_entry(&B);
	guest_write(&B, 0, 0x5);
	vm_exit(&B);
	sched_out(&B);
	sched_in(&P0, &A);
	assert_int_equal(P0.hw[0], 0x1111);
	assert_false(A.vmcs.movdr_exiting);
	vm_entry(&A);

	/* LE/GE/GD alone do not enable a breakpoint: lazy. */
	guest_write(&A, 7, DR7_RESET | BIT(8) | BIT(9));
	vm_exit(&A);
	sched_out(&A);
	struct acc s = snap(&P0);
	sched_in(&P0, &A);
	assert_int_equal(wr_since(&P0, s), 0);
	assert_true(A.vmcs.movdr_exiting);
	vm_entry(&A);
	guest_read(&A, 0);
	check_counters(&P0);
}

static void test_eager_load_minimal_writes(void **state)
{
	/* Switching A out and straight back in: the hardware still holds A's
	 * values, so the eager load writes nothing. */
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0x1000);
	guest_write(&A, 7, DR7_RESET | L0);
	vm_exit(&A);
	sched_out(&A);
	struct acc s = snap(&P0);
	sched_in(&P0, &A);
	vm_entry(&A);
	assert_int_equal(wr_since(&P0, s), 0);
	assert_false(A.vmcs.movdr_exiting);
}

/* ------------------------------------------------------------------ */
/* Row 4: migration to another pCPU                                    */
/* ------------------------------------------------------------------ */

static void test_migration_lazy(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0xA);
	guest_write(&A, 1, 0xA1);
	guest_write(&A, 6, CLEAN | DR6_B(1));
	vm_exit(&A);
	sched_out(&A);
	struct acc s0 = snap(&P0), s1 = snap(&P1);

	sched_in(&P1, &A);
	vm_entry(&A);
	assert_int_equal(rd_since(&P1, s1) + wr_since(&P1, s1), 0);
	assert_true(A.vmcs.movdr_exiting);
	assert_int_equal(guest_read(&A, 0), 0xA); /* hand-over on P1 */
	assert_int_equal(A.d.loaded_cpu, 1);
	assert_ptr_equal(P1.c.loaded, &A.d);
	assert_null(P0.c.loaded);
	guest_read(&A, 1);
	guest_read(&A, 6);
	/* P0's hardware and counters were not touched by P1's work. */
	assert_int_equal(rd_since(&P0, s0) + wr_since(&P0, s0), 0);
	check_counters(&P0);
	check_counters(&P1);

	/* P0 still holds A's stale DR0 (inert); B on P0 must not see it. */
	assert_int_equal(P0.hw[0], 0xA);
	sched_in(&P0, &B);
	vm_entry(&B);
	assert_int_equal(guest_read(&B, 0), 0);
	assert_int_equal(guest_read(&B, 6), CLEAN);

	/* Exits of A on P1 follow the loaded rules on P1. */
	uint64_t er, ew, nr, nw;
	common_exit(&A, &er, &ew, &nr, &nw);
	assert_int_equal(er, 1);
	assert_int_equal(ew, 1); /* A's DR6 is dirty */
	assert_int_equal(nw, 1);
	assert_int_equal(P1.hw[0], 0xA);
	assert_int_equal(P0.hw[0], 0);
}

static void test_migration_eager(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0xA0);
	guest_write(&A, 3, 0xA3);
	guest_write(&A, 7, DR7_RESET | DR7_L(3));
	vm_exit(&A);
	sched_out(&A);
	sched_in(&P1, &A);
	/* On P1 before entry. */
	assert_int_equal(P1.hw[0], 0xA0);
	assert_int_equal(P1.hw[3], 0xA3);
	assert_int_equal(A.d.loaded_cpu, 1);
	assert_false(A.vmcs.movdr_exiting);
	vm_entry(&A);
	assert_int_equal(P1.hw[7], DR7_RESET | DR7_L(3));
	/* And back to P0, where B ran in between. */
	vm_exit(&A);
	sched_out(&A);
	run_and_touch(&P0, &B);
	guest_write(&B, 3, 0xB3);
	vm_exit(&B);
	sched_out(&B);
	sched_in(&P0, &A);
	assert_int_equal(P0.hw[3], 0xA3);
	vm_entry(&A);
	guest_read(&A, 3);
	guest_read(&A, 0);
	check_counters(&P0);
	check_counters(&P1);
}

static void test_migration_two_vcpus_swap(void **state)
{
	/* A on P0 and B on P1, both loaded, then they swap pCPUs. */
	run_and_touch(&P0, &A);
	run_and_touch(&P1, &B);
	guest_write(&A, 0, 0xA);
	guest_write(&B, 0, 0xB);
	guest_write(&A, 6, CLEAN | DR6_B(0));
	guest_write(&B, 6, CLEAN | DR6_B(1));
	vm_exit(&A);
	vm_exit(&B);
	sched_out(&A);
	sched_out(&B);
	sched_in(&P1, &A);
	sched_in(&P0, &B);
	vm_entry(&A);
	vm_entry(&B);
	assert_int_equal(guest_read(&A, 0), 0xA);
	assert_int_equal(guest_read(&B, 0), 0xB);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_B(0));
	assert_int_equal(guest_read(&B, 6), CLEAN | DR6_B(1));
}

/* ------------------------------------------------------------------ */
/* Hypervisor watchpoints                                              */
/* ------------------------------------------------------------------ */

#define HADDR0 0xffff800000123000ULL
#define HADDR2 0xffff800000456000ULL

static void test_watch_arm_installs(void **state)
{
	hw_cpu = &P0;
	struct acc s = snap(&P0);
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	uint64_t dr7 = DR7_RESET | G0 | DR7_RW(0, 1) | DR7_LEN(0, 2);
	assert_int_equal(P0.c.host_dr7, dr7);
	assert_int_equal(P0.hw[7], dr7);
	assert_int_equal(P0.hw[0], HADDR0);
	assert_int_equal(P0.c.armed, 1);
	assert_int_equal(wr_since(&P0, s), 2); /* DR0, then DR7 */
	assert_int_equal(P0.wr_reg[0], 1);
	assert_int_equal(P0.wr_reg[7], 1);

	host_arm(&P0, 2, HADDR2, DR_WATCH_RW, 4);
	assert_int_equal(P0.c.armed, 2);
	assert_int_equal(P0.hw[2], HADDR2);
	assert_int_equal(P0.hw[7], dr7 | DR7_G(2) | DR7_RW(2, 3) | DR7_LEN(2, 3));
	/* Re-arming a slot does not count it twice. */
	host_arm(&P0, 2, HADDR2 + 8, DR_WATCH_EXEC, 1);
	assert_int_equal(P0.c.armed, 2);
	assert_int_equal(P0.hw[7], dr7 | DR7_G(2));
	assert_int_equal(P0.hw[2], HADDR2 + 8);

	/* Disarm. */
	host_disarm(&P0, 2);
	assert_int_equal(P0.c.armed, 1);
	assert_int_equal(P0.hw[7], dr7);
	s = snap(&P0);
	host_disarm(&P0, 2); /* not armed: nothing */
	host_disarm(&P0, 7); /* no such slot */
	assert_int_equal(wr_since(&P0, s), 0);
	assert_int_equal(P0.c.armed, 1);
	host_disarm(&P0, 0);
	assert_int_equal(P0.c.armed, 0);
	assert_int_equal(P0.hw[7], DR7_RESET);
	assert_int_equal(P0.c.host_dr7, DR7_RESET);
	check_counters(&P0);
}

static void test_watch_guest_idle(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	sched_in(&P0, &A);
	vm_entry(&A);
	uint64_t w0 = P0.c.count.exits_with_writes;
	for (int i = 0; i < 100; i++) {
		uint64_t er, ew, nr, nw;
		common_exit(&A, &er, &ew, &nr, &nw);
		/* The exit cleared DR7: put the host's back, nothing else. */
		assert_true(ew <= 6);
		assert_int_equal(ew, 1);
		assert_int_equal(er, 0);
		assert_int_equal(nr + nw, 0);
	}
	vm_exit(&A);
	check_host_state(&P0);
	assert_int_equal(P0.c.count.exits_with_writes, w0 + 101);
	/* Scheduling out and in again writes nothing. */
	struct acc s = snap(&P0);
	sched_out(&A);
	sched_in(&P0, &A);
	assert_int_equal(wr_since(&P0, s), 0);
	vm_entry(&A);
	/* Disarmed: back to zero. */
	vm_exit(&A);
	host_disarm(&P0, 0);
	vm_entry(&A);
	for (int i = 0; i < 10; i++) {
		uint64_t er, ew, nr, nw;
		common_exit(&A, &er, &ew, &nr, &nw);
		assert_int_equal(er + ew + nr + nw, 0);
	}
	check_counters(&P0);
}

static void test_watch_guest_loaded(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	uint64_t host7 = P0.c.host_dr7;
	sched_in(&P0, &A);
	vm_entry(&A);
	guest_read(&A, 0); /* hand-over with the host's registers in place */
	assert_false(A.vmcs.movdr_exiting);
	guest_write(&A, 0, 0xA0);
	guest_write(&A, 6, CLEAN | DR6_B(1));
	guest_write(&A, 7, DR7_RESET | DR7_L(1));

	struct acc s = snap(&P0);
	vm_exit(&A);
	/* Saved: DR0-3 and DR6 read; restored: DR0, DR6 clean, DR7. */
	assert_int_equal(rd_since(&P0, s), 5);
	assert_int_equal(wr_since(&P0, s), 3);
	assert_int_equal(P0.hw[7], host7);
	assert_int_equal(P0.hw[0], HADDR0);
	assert_int_equal(P0.hw[6], CLEAN); /* no guest bits for the host */
	check_host_state(&P0);
	assert_int_equal(A.d.db[0], 0xA0);
	assert_int_equal(A.d.dr6, CLEAN | DR6_B(1));

	s = snap(&P0);
	vm_entry(&A);
	/* DR7 disarmed first, DR0 and DR6 back. */
	assert_int_equal(wr_since(&P0, s), 3);
	guest_read(&A, 0);
	guest_read(&A, 6);
	assert_int_equal(A.movdr_exits, 1);

	/* The guest uses all four: the worst case is 6 writes per exit. */
	guest_write(&A, 1, 0xA1);
	guest_write(&A, 2, 0xA2);
	guest_write(&A, 3, 0xA3);
	s = snap(&P0);
	vm_exit(&A);
	assert_int_equal(wr_since(&P0, s), 6);
	check_host_state(&P0);
	s = snap(&P0);
	vm_entry(&A);
	assert_true(wr_since(&P0, s) <= 6);
	for (unsigned n = 0; n < 4; n++)
		guest_read(&A, n);
	guest_read(&A, 6);
	guest_read(&A, 7);
	assert_int_equal(A.movdr_exits, 1);
	check_counters(&P0);
}

static void test_watch_switch_and_migrate(void **state)
{
	/* Watchpoints on P0 only. A loaded on P0 with watchpoints, then B on
	 * P0, then A on P1 (no watchpoints). */
	host_arm(&P0, 1, HADDR0, DR_WATCH_RW, 8);
	run_and_touch(&P0, &A);
	guest_write(&A, 1, 0xA1);
	guest_write(&A, 7, DR7_RESET | DR7_G(1));
	vm_exit(&A);
	check_host_state(&P0);
	struct acc s = snap(&P0);
	sched_out(&A);
	assert_int_equal(wr_since(&P0, s), 0);

	sched_in(&P0, &B);
	vm_entry(&B);
	assert_int_equal(guest_read(&B, 1), 0); /* not the host's HADDR0 */
	vm_exit(&B);
	check_host_state(&P0);
	sched_out(&B);

	sched_in(&P1, &A); /* eager: DR7 enables slot 1 */
	assert_int_equal(P1.hw[1], 0xA1);
	vm_entry(&A);
	guest_read(&A, 1);
	uint64_t er, ew;
	common_exit(&A, &er, &ew, NULL, NULL);
	assert_int_equal(ew, 0); /* P1 has no watchpoints */
	assert_int_equal(er, 1);
	vm_exit(&A);
	sched_out(&A);

	/* A back on P0 with the watchpoint armed. */
	sched_in(&P0, &A);
	vm_entry(&A);
	assert_int_equal(P0.hw[1], 0xA1);
	guest_read(&A, 1);
	vm_exit(&A);
	check_host_state(&P0);
}

static void test_watch_arm_with_guest_loaded(void **state)
{
	/* Arm and disarm between an exit and the next entry of a loaded
	 * vCPU: the guest's values are saved, the host's installed, and the
	 * guest gets its own back at entry. */
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0xA0);
	guest_write(&A, 1, 0xA1);
	guest_write(&A, 6, CLEAN | DR6_B(0));
	vm_exit(&A);
	host_arm(&P0, 1, HADDR0, DR_WATCH_WRITE, 4);
	check_host_state(&P0);
	assert_int_equal(P0.hw[1], HADDR0);
	vm_entry(&A);
	assert_int_equal(P0.hw[1], 0xA1);
	guest_read(&A, 0);
	guest_read(&A, 1);
	guest_read(&A, 6);
	vm_exit(&A);
	check_host_state(&P0);
	host_disarm(&P0, 1);
	assert_int_equal(P0.hw[7] & DR7_ENABLES, 0);
	vm_entry(&A);
	guest_read(&A, 0);
	guest_read(&A, 1);
	guest_read(&A, 6);
	uint64_t ew, nw;
	common_exit(&A, NULL, &ew, NULL, &nw);
	assert_true(ew <= 1);
	assert_true(nw <= 1);
	assert_int_equal(A.movdr_exits, 1);
}

static void test_host_db(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	host_arm(&P0, 2, HADDR2, DR_WATCH_EXEC, 1);
	/* The CPU hits slot 2. */
	P0.hw[6] = CLEAN | DR6_B(2);
	struct acc s = snap(&P0);
	uint64_t hits = dr_host_db(&P0.c);
	assert_int_equal(hits, DR6_B(2));
	assert_int_equal(rd_since(&P0, s), 1);
	assert_int_equal(wr_since(&P0, s), 1);
	assert_int_equal(P0.hw[6], CLEAN);
	assert_int_equal(P0.c.slot_hits[2], 1);
	assert_int_equal(P0.c.slot_hits[0], 0);
	assert_int_equal(P0.c.count.watch_hits, 1);
	/* Two at once, plus single-step. */
	P0.hw[6] = CLEAN | DR6_B(0) | DR6_B(2) | DR6_BS;
	hits = dr_host_db(&P0.c);
	assert_int_equal(hits, DR6_B(0) | DR6_B(2) | DR6_BS);
	assert_int_equal(P0.c.slot_hits[0], 1);
	assert_int_equal(P0.c.slot_hits[2], 2);
	assert_int_equal(P0.c.count.watch_hits, 3);
	assert_int_equal(P0.hw[6], CLEAN);
	check_counters(&P0);
}

static void test_host_db_never_sees_guest_bits(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	run_and_touch(&P0, &A);
	guest_write(&A, 3, 0x3000);
	guest_write(&A, 7, DR7_RESET | DR7_L(3));
	guest_debug_exception(&A, DR6_B(3)); /* native: hardware DR6 */
	guest_write(&A, 6, P0.hw[6] | DR6_BS);
	vm_exit(&A);
	assert_int_equal(P0.hw[6], CLEAN);
	/* The host now hits its slot 0. */
	P0.hw[6] |= DR6_B(0);
	hw_cpu = &P0;
	assert_int_equal(dr_host_db(&P0.c), DR6_B(0));
	assert_int_equal(P0.c.slot_hits[3], 0);
	/* The guest still has its bits. */
	vm_entry(&A);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_B(3) | DR6_BS);
}

/* ------------------------------------------------------------------ */
/* dr_watch_arm arguments, dr7_slot_bits                               */
/* ------------------------------------------------------------------ */

static void test_watch_arm_validation(void **state)
{
	hw_cpu = &P0;
	struct {
		unsigned slot;
		uint64_t addr;
		int type;
		unsigned len;
		bool ok;
	} cases[] = {
		{ 0, 0x1000, DR_WATCH_WRITE, 1, true },
		{ 1, 0x1001, DR_WATCH_WRITE, 1, true },
		{ 2, 0x1002, DR_WATCH_RW, 2, true },
		{ 3, 0x1004, DR_WATCH_RW, 4, true },
		{ 0, 0x1008, DR_WATCH_WRITE, 8, true },
		{ 1, 0xffffffff81234567ULL, DR_WATCH_EXEC, 1, true },
		{ 4, 0x1000, DR_WATCH_WRITE, 1, false },    /* slot */
		{ 100, 0x1000, DR_WATCH_WRITE, 1, false },
		{ 0, 0x1000, DR_WATCH_WRITE, 0, false },    /* len */
		{ 0, 0x1000, DR_WATCH_WRITE, 3, false },
		{ 0, 0x1000, DR_WATCH_WRITE, 16, false },
		{ 0, 0x1001, DR_WATCH_WRITE, 2, false },    /* alignment */
		{ 0, 0x1002, DR_WATCH_WRITE, 4, false },
		{ 0, 0x1004, DR_WATCH_RW, 8, false },
		{ 0, 0x1001, DR_WATCH_RW, 8, false },
		{ 0, 0x1000, DR_WATCH_EXEC, 2, false },     /* exec: len 1 */
		{ 0, 0x1000, DR_WATCH_EXEC, 4, false },
		{ 0, 0x1000, DR_WATCH_EXEC, 8, false },
		{ 0, 0x1000, 2, 1, false },                 /* I/O type */
		{ 0, 0x1000, 4, 1, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tpcpu p;
		pcpu_init(&p, 0);
		struct acc s = snap(&p);
		bool ok = dr_watch_arm(&p.c, cases[i].slot, cases[i].addr,
				       (enum dr_watch_type)cases[i].type, cases[i].len);
		if (ok != cases[i].ok)
			fail_msg("case %zu: dr_watch_arm returned %d", i, ok);
		if (!ok) {
			assert_int_equal(wr_since(&p, s), 0);
			assert_int_equal(p.c.armed, 0);
			assert_int_equal(p.c.host_dr7, DR7_RESET);
			assert_int_equal(p.hw[7], DR7_RESET);
		} else {
			assert_int_equal(p.c.armed, 1);
			assert_int_equal(p.hw[cases[i].slot], cases[i].addr);
			assert_int_equal(p.hw[7], DR7_RESET | dr7_slot_bits(cases[i].slot,
								     (enum dr_watch_type)cases[i].type,
								     cases[i].len));
		}
	}
}

static void test_dr7_slot_bits(void **state)
{
	static const unsigned lens[] = { 1, 2, 4, 8 };
	static const uint64_t len_enc[] = { 0, 1, 3, 2 }; /* SDM 18.2.5 */
	for (unsigned slot = 0; slot < 4; slot++) {
		for (unsigned l = 0; l < 4; l++) {
			uint64_t w = dr7_slot_bits(slot, DR_WATCH_WRITE, lens[l]);
			assert_int_equal(w, DR7_G(slot) | DR7_RW(slot, 1) |
						    DR7_LEN(slot, len_enc[l]));
			uint64_t rw = dr7_slot_bits(slot, DR_WATCH_RW, lens[l]);
			assert_int_equal(rw, DR7_G(slot) | DR7_RW(slot, 3) |
						     DR7_LEN(slot, len_enc[l]));
		}
		/* Instruction breakpoints: R/W = 00 and LEN = 00. */
		assert_int_equal(dr7_slot_bits(slot, DR_WATCH_EXEC, 1), DR7_G(slot));
		/* Never touches other slots, L bits, GD or bit 10. */
		uint64_t all = dr7_slot_bits(slot, DR_WATCH_RW, 4);
		assert_int_equal(all & ~((3ULL << (slot * 2)) | (0xfULL << (16 + slot * 4))), 0);
	}
	assert_int_equal(dr7_slot_bits(3, DR_WATCH_RW, 8), BIT(7) | (0xbULL << 28));
}

/* ------------------------------------------------------------------ */
/* dr_mov_check                                                        */
/* ------------------------------------------------------------------ */

static void test_mov_check(void **state)
{
	struct {
		unsigned dr;
		bool write;
		uint64_t val;
		unsigned cpl;
		bool de;
		uint64_t dr7;
		bool lm;
		enum dr_mov_result want;
		unsigned want_dr;
	} cases[] = {
		/* Plain accesses. */
		{ 0, false, 0, 0, false, DR7_RESET, true, DR_MOV_OK, 0 },
		{ 3, true, 0xffffffff81000000ULL, 0, true, DR7_RESET, true, DR_MOV_OK, 3 },
		{ 6, true, CLEAN, 0, false, DR7_RESET, true, DR_MOV_OK, 6 },
		{ 7, true, 0x401, 0, true, DR7_RESET, true, DR_MOV_OK, 7 },
		/* DR4/DR5 alias DR6/DR7 with CR4.DE=0 ... */
		{ 4, false, 0, 0, false, DR7_RESET, true, DR_MOV_OK, 6 },
		{ 5, false, 0, 0, false, DR7_RESET, true, DR_MOV_OK, 7 },
		{ 4, true, CLEAN, 0, false, DR7_RESET, false, DR_MOV_OK, 6 },
		{ 5, true, 0x400, 0, false, DR7_RESET, true, DR_MOV_OK, 7 },
		/* ... and #UD with CR4.DE=1, before the CPL check. */
		{ 4, false, 0, 0, true, DR7_RESET, true, DR_MOV_UD, 4 },
		{ 5, true, 0, 0, true, DR7_RESET, true, DR_MOV_UD, 5 },
		{ 5, true, 0, 3, true, DR7_RESET, true, DR_MOV_UD, 5 },
		/* #GP(0) at CPL > 0, before the GD check. */
		{ 0, false, 0, 1, false, DR7_RESET, true, DR_MOV_GP, 0 },
		{ 7, true, 0x400, 2, false, DR7_RESET, true, DR_MOV_GP, 7 },
		{ 6, false, 0, 3, false, DR7_RESET | DR7_GD, true, DR_MOV_GP, 6 },
		/* GD: #DB for any access, including DR7 itself and aliases. */
		{ 0, false, 0, 0, false, DR7_RESET | DR7_GD, true, DR_MOV_DB_GD, 0 },
		{ 7, true, 0x400, 0, false, DR7_RESET | DR7_GD, true, DR_MOV_DB_GD, 7 },
		{ 4, false, 0, 0, false, DR7_RESET | DR7_GD, true, DR_MOV_DB_GD, 6 },
		{ 6, true, 1ULL << 32, 0, false, DR7_RESET | DR7_GD, true, DR_MOV_DB_GD, 6 },
		/* Bits 63:32 on a 64-bit write to DR6/DR7: #GP(0). */
		{ 6, true, CLEAN | (1ULL << 32), 0, false, DR7_RESET, true, DR_MOV_GP, 6 },
		{ 7, true, 0x400 | (1ULL << 63), 0, false, DR7_RESET, true, DR_MOV_GP, 7 },
		{ 4, true, 1ULL << 40, 0, false, DR7_RESET, true, DR_MOV_GP, 6 },
		{ 5, true, 1ULL << 40, 0, false, DR7_RESET, true, DR_MOV_GP, 7 },
		/* ... not for DR0-3 (64-bit addresses), not for reads, not
		 * outside 64-bit mode (32-bit operands). */
		{ 0, true, 0xffff800000000000ULL, 0, false, DR7_RESET, true, DR_MOV_OK, 0 },
		{ 7, false, ~0ULL, 0, false, DR7_RESET, true, DR_MOV_OK, 7 },
		{ 7, true, 1ULL << 32, 0, false, DR7_RESET, false, DR_MOV_OK, 7 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned dr = cases[i].dr;
		enum dr_mov_result r = dr_mov_check(&dr, cases[i].write, cases[i].val, cases[i].cpl,
						    cases[i].de, cases[i].dr7, cases[i].lm);
		if (r != cases[i].want)
			fail_msg("case %zu: result %d, want %d", i, r, cases[i].want);
		if (r != DR_MOV_UD && r != DR_MOV_GP && dr != cases[i].want_dr)
			fail_msg("case %zu: dr %u, want %u", i, dr, cases[i].want_dr);
		if (r == DR_MOV_UD && dr != cases[i].dr)
			fail_msg("case %zu: dr changed on #UD", i);
	}
}

/* ------------------------------------------------------------------ */
/* dr_guest_db, dr_guest_value                                         */
/* ------------------------------------------------------------------ */

static void test_guest_db(void **state)
{
	struct dr_vcpu d;
	dr_vcpu_init(&d);
	dr_guest_db(&P0.c, &d, DR6_B(1));
	assert_int_equal(d.dr6, CLEAN | DR6_B(1));
	/* B0-B3 replaced. */
	dr_guest_db(&P0.c, &d, DR6_B(2) | DR6_B(3));
	assert_int_equal(d.dr6, CLEAN | DR6_B(2) | DR6_B(3));
	/* BS sets, B0-B3 cleared by a single-step #DB. */
	dr_guest_db(&P0.c, &d, DR6_BS);
	assert_int_equal(d.dr6, CLEAN | DR6_BS);
	/* BD and BS accumulate. */
	dr_guest_db(&P0.c, &d, DR6_BD);
	assert_int_equal(d.dr6, CLEAN | DR6_BS | DR6_BD);
	dr_guest_db(&P0.c, &d, DR6_B(0));
	assert_int_equal(d.dr6, CLEAN | DR6_BS | DR6_BD | DR6_B(0));
	/* RTM (bit 16) is active-low: reported in the qualification as 1,
	 * cleared in DR6. */
	dr_guest_db(&P0.c, &d, BIT(16) | DR6_B(3));
	assert_int_equal(d.dr6, (CLEAN & ~BIT(16)) | DR6_BS | DR6_BD | DR6_B(3));
	/* Undefined qualification bits never leak in, the fixed ones stay. */
	dr_vcpu_init(&d);
	dr_guest_db(&P0.c, &d, DR6_B(0) | 0x7f0ULL | BIT(12) | (0xffffULL << 48));
	assert_int_equal(d.dr6, CLEAN | DR6_B(0));
	/* The hardware is not touched. */
	check_counters(&P0);
	assert_int_equal(P0.rd + P0.wr, 0);
}

static void test_guest_db_exit_path(void **state)
{
	/* #DB exit of a vCPU whose registers are not loaded (single-step in
	 * the guest): recorded in memory, delivered at the guest's first DR6
	 * read after the hand-over. */
	sched_in(&P0, &A);
	vm_entry(&A);
	guest_debug_exception(&A, DR6_BS);
	assert_int_equal(A.db_exits, 1);
	assert_int_equal(P0.hw[6], CLEAN); /* hardware untouched */
	guest_debug_exception(&A, DR6_B(1));
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_BS | DR6_B(1));
	assert_int_equal(A.movdr_exits, 1);
}

static void test_guest_value(void **state)
{
	/* Not loaded: the copy in memory; DR7 from the VMCS. */
	sched_in(&P0, &A);
	vm_entry(&A);
	vm_exit(&A);
	A.d.db[2] = 0x2000;
	A.d.dr6 = CLEAN | DR6_B(0);
	A.vmcs.guest_dr7 = 0x700; /* LE, GE: no breakpoint enabled */
	A.dr7 = 0x700;
	struct acc s = snap(&P0);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 2), 0x2000);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 6), CLEAN | DR6_B(0));
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 7), 0x700);
	assert_int_equal(rd_since(&P0, s) + wr_since(&P0, s), 0);
	A.db[2] = 0x2000;
	A.dr6 = CLEAN | DR6_B(0);
	vm_entry(&A);
	guest_read(&A, 6);

	/* Loaded: DR0-3 live in the hardware. */
	guest_write(&A, 1, 0x1111);
	vm_exit(&A);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 1), 0x1111);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 2), 0x2000);
	/* With the host's watchpoints in the hardware: the saved copy. */
	host_arm(&P0, 1, HADDR0, DR_WATCH_WRITE, 8);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 1), 0x1111);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 6), CLEAN | DR6_B(0));
}

/* ------------------------------------------------------------------ */
/* Debugger-owned vCPUs (policy 8)                                     */
/* ------------------------------------------------------------------ */

/* Attaches a debugger to 'v' (scheduled on its pCPU, in the host). */
static void dbg_attach(struct tvcpu *v)
{
	assert_false(v->in_guest);
	hw_cpu = v->on;
	vmcs_cur = &v->vmcs;
	dr_debugger_attach(&v->on->c, &v->d);
	v->dbg = true;
	memset(v->dbg_db, 0, sizeof(v->dbg_db));
	v->dbg_dr7 = DR7_RESET;
}

static void dbg_detach(struct tvcpu *v)
{
	assert_false(v->in_guest);
	hw_cpu = v->on;
	vmcs_cur = &v->vmcs;
	dr_debugger_detach(&v->on->c, &v->d);
	v->dbg = false;
}

static void dbg_set(struct tvcpu *v, unsigned slot, uint64_t addr, enum dr_watch_type t,
		    unsigned len)
{
	assert_true(dr_debugger_set(&v->d, slot, addr, t, len));
	v->dbg_db[slot] = addr;
	v->dbg_dr7 = (v->dbg_dr7 & ~((3ULL << (slot * 2)) | (0xfULL << (16 + slot * 4)))) |
		     dr7_slot_bits(slot, t, len);
}

static void test_debugger_emulates(void **state)
{
	sched_in(&P0, &A);
	dbg_attach(&A);
	vm_entry(&A);
	struct acc s = snap(&P0);
	guest_write(&A, 0, 0x5000);
	assert_int_equal(A.d.guest_db[0], 0x5000);
	assert_int_equal(guest_read(&A, 0), 0x5000);
	guest_write(&A, 3, 0x7000);
	assert_int_equal(guest_read(&A, 3), 0x7000);
	/* DR6 and DR7 writes keep their fixed bits. */
	guest_write(&A, 6, CLEAN | DR6_B(2));
	assert_int_equal(A.d.guest_dr6, CLEAN | DR6_B(2));
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_B(2));
	guest_mov(&A, 6, true, 0);
	assert_int_equal(A.d.guest_dr6, DR6_FIXED1);
	A.dr6 = DR6_FIXED1;
	guest_mov(&A, 7, true, 0);
	assert_int_equal(A.d.guest_dr7, DR7_RESET);
	guest_mov(&A, 7, true, 0xffffdf00ULL); /* no enables, no GD */
	assert_int_equal(A.d.guest_dr7, 0xffff0f00ULL);
	assert_int_equal(guest_read(&A, 7), 0xffff0f00ULL);
	/* The guest's own DR7 never reaches the VMCS: it runs with the
	 * debugger's. */
	assert_int_equal(A.vmcs.guest_dr7, DR7_RESET);
	guest_write(&A, 7, DR7_RESET | L0 | DR7_RW(0, 1)); /* its own breakpoint */
	assert_int_equal(A.vmcs.guest_dr7, DR7_RESET);
	/* Every access exited; exiting stays on; the hardware DRs untouched. */
	assert_int_equal(A.movdr_exits, 11);
	assert_true(A.vmcs.movdr_exiting);
	assert_true(A.vmcs.db_intercept);
	assert_true(A.d.exiting);
	assert_null(P0.c.loaded);
	assert_int_equal(wr_since(&P0, s), 0);
	assert_int_equal(P0.hw[0], 0);
	assert_int_equal(P0.hw[6], CLEAN);
	/* Scheduling does not hand it over either. */
	vm_exit(&A);
	sched_out(&A);
	sched_in(&P0, &A);
	assert_true(A.vmcs.movdr_exiting);
	assert_null(P0.c.loaded);
	vm_entry(&A);
	assert_int_equal(guest_read(&A, 0), 0x5000);
	check_counters(&P0);
}

/* Attaching while the guest's registers are loaded keeps them as the
 * guest's view; its armed breakpoint stops firing (the debugger owns the
 * hardware) and nothing of the guest's reaches the debugger's slots. */
static void test_debugger_attach_while_loaded(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 0, 0xA000);
	guest_write(&A, 1, 0xA100);
	guest_write(&A, 7, DR7_RESET | L0 | DR7_RW(0, 1) | DR7_LEN(0, 3));
	guest_debug_exception(&A, DR6_B(0)); /* native: DR6 B0 in hardware */
	vm_exit(&A);
	assert_ptr_equal(P0.c.loaded, &A.d);
	dbg_attach(&A);
	assert_null(P0.c.loaded);
	assert_true(A.vmcs.movdr_exiting);
	assert_int_equal(A.vmcs.guest_dr7, DR7_RESET);
	vm_entry(&A);
	assert_int_equal(P0.hw[7], DR7_RESET); /* its breakpoint is not armed */
	for (unsigned n = 0; n < 4; n++)
		guest_read(&A, n);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_B(0));
	guest_read(&A, 7);
	check_counters(&P0);
}

/* The debugger's breakpoints are live in the guest, counted per slot;
 * an instruction breakpoint is reported as a fault. A single-step of the
 * guest's own is not the debugger's and lands in the guest's DR6. */
static void test_debugger_breakpoints(void **state)
{
	/* B leaves its values in P0's registers. */
	run_and_touch(&P0, &B);
	guest_write(&B, 0, 0xB000);
	guest_write(&B, 1, 0xB100);
	vm_exit(&B);
	sched_out(&B);

	sched_in(&P0, &A);
	dbg_attach(&A);
	dbg_set(&A, 1, 0x401000, DR_WATCH_EXEC, 1);
	dbg_set(&A, 2, 0x402000, DR_WATCH_WRITE, 4);
	vm_entry(&A); /* check_guest_view: DR1/DR2 are the debugger's */
	assert_int_equal(P0.hw[1], 0x401000);
	assert_int_equal(P0.hw[2], 0x402000);
	assert_ptr_equal(P0.c.loaded, &A.d);
	/* The guest reads only its own (reset) values. */
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(guest_read(&A, n), 0);
	assert_int_equal(guest_read(&A, 7), DR7_RESET);

	/* #DB exit for slot 1: the debugger's, a fault. */
	vm_exit(&A);
	bool fault;
	assert_int_equal(dr_debugger_db(&A.d, DR6_B(1), &fault), DR6_B(1));
	assert_true(fault);
	assert_int_equal(A.d.dbg_hits[1], 1);
	vm_entry(&A);
	/* Slot 2 (a write): a trap. B0 alone is no hit: slot 0 is unused. */
	vm_exit(&A);
	assert_int_equal(dr_debugger_db(&A.d, DR6_B(2) | DR6_B(0), &fault), DR6_B(2));
	assert_false(fault);
	assert_int_equal(A.d.dbg_hits[2], 1);
	assert_int_equal(A.d.dbg_hits[0], 0);
	vm_entry(&A);
	/* The guest's DR6 saw none of it. */
	assert_int_equal(guest_read(&A, 6), CLEAN);
	/* Its own single-step goes to its own DR6. */
	guest_debug_exception(&A, DR6_BS);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_BS);
	assert_int_equal(P0.hw[6], CLEAN);
	check_counters(&P0);
}

/* Rule 3 and 4 costs under a debugger: a loaded debugger state costs one
 * DR6 read per exit and nothing per entry; changing a slot costs that
 * slot's write at the next entry. */
static void test_debugger_costs(void **state)
{
	sched_in(&P0, &A);
	dbg_attach(&A);
	dbg_set(&A, 0, 0x1000, DR_WATCH_RW, 8);
	vm_entry(&A);
	uint64_t xr, xw, er, ew;
	for (int i = 0; i < 100; i++) {
		common_exit(&A, &xr, &xw, &er, &ew);
		assert_int_equal(xr, 1);
		assert_int_equal(xw, 0);
		assert_int_equal(er, 0);
		assert_int_equal(ew, 0);
	}
	vm_exit(&A);
	dbg_set(&A, 3, 0x3000, DR_WATCH_WRITE, 2);
	struct acc s = snap(&P0);
	vm_entry(&A);
	assert_int_equal(wr_since(&P0, s), 1);
	assert_int_equal(P0.hw[3], 0x3000);
	/* Cleared: no longer enabled, no write needed. */
	vm_exit(&A);
	dr_debugger_clear(&A.d, 3);
	A.dbg_dr7 &= ~(3ULL << 6 | 0xfULL << 28);
	s = snap(&P0);
	vm_entry(&A);
	assert_int_equal(wr_since(&P0, s), 0);
	assert_int_equal(P0.hw[7], A.dbg_dr7);
	check_counters(&P0);
}

/* Rules 5, 7 and 8 together: with a host watchpoint armed the exit puts
 * the host's registers back and the entry the debugger's. */
static void test_debugger_with_host_watch(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	sched_in(&P0, &A);
	dbg_attach(&A);
	dbg_set(&A, 1, 0x5000, DR_WATCH_WRITE, 4);
	for (int i = 0; i < 10; i++) {
		vm_entry(&A);
		assert_int_equal(P0.hw[1], 0x5000);
		vm_exit(&A);
		check_host_state(&P0);
	}
	vm_entry(&A);
	assert_int_equal(guest_read(&A, 1), 0); /* its own */
	check_counters(&P0);
}

/* A debugger-owned vCPU migrates with its debugger's breakpoints; the
 * old pCPU keeps nothing that the next vCPU there could read. */
static void test_debugger_migration(void **state)
{
	sched_in(&P0, &A);
	dbg_attach(&A);
	dbg_set(&A, 2, 0x7000, DR_WATCH_EXEC, 1);
	vm_entry(&A);
	guest_write(&A, 2, 0xA200);
	vm_exit(&A);
	sched_out(&A);
	sched_in(&P1, &A);
	vm_entry(&A);
	assert_int_equal(P1.hw[2], 0x7000);
	assert_int_equal(guest_read(&A, 2), 0xA200);
	vm_exit(&A);
	/* B on P0 sees its own values, never the debugger's 0x7000. */
	run_and_touch(&P0, &B);
	for (unsigned n = 0; n < 4; n++)
		guest_read(&B, n);
	check_counters(&P0);
	check_counters(&P1);
}

/* Detaching gives the guest its own registers back: eagerly when its DR7
 * enables a breakpoint (rule 5), with MOV DR native again. */
static void test_debugger_detach(void **state)
{
	sched_in(&P0, &A);
	dbg_attach(&A);
	dbg_set(&A, 0, 0x9000, DR_WATCH_WRITE, 4);
	vm_entry(&A);
	guest_write(&A, 0, 0xA000);
	guest_write(&A, 7, DR7_RESET | L0 | DR7_RW(0, 1) | DR7_LEN(0, 3));
	vm_exit(&A);
	dbg_detach(&A);
	assert_false(A.d.debugger);
	assert_false(A.vmcs.movdr_exiting);
	assert_int_equal(A.vmcs.guest_dr7, DR7_RESET | L0 | DR7_RW(0, 1) | DR7_LEN(0, 3));
	vm_entry(&A); /* check_guest_view: DR0 = 0xA000 in hardware */
	unsigned exits = A.movdr_exits;
	assert_int_equal(guest_read(&A, 0), 0xA000);
	assert_int_equal(A.movdr_exits, exits); /* native */
	check_counters(&P0);
}

/* The guest's own GD works on its own DR7 under a debugger. */
static void test_debugger_guest_gd(void **state)
{
	sched_in(&P0, &A);
	dbg_attach(&A);
	vm_entry(&A);
	guest_write(&A, 7, DR7_RESET | DR7_GD);
	vm_exit(&A);
	unsigned n = 0;
	assert_int_equal(dr_mov_check(&n, false, 0, 0, false, dr_guest_dr7(&A.d), true),
			 DR_MOV_DB_GD);
	/* As vmexit.c delivers it: BD in its DR6, GD cleared in its DR7. */
	dr_guest_db(&P0.c, &A.d, DR6_BD);
	dr_set_guest_dr7(&A.d, dr_guest_dr7(&A.d) & ~DR7_GD);
	A.dr6 |= DR6_BD;
	A.dr7 = DR7_RESET;
	vm_entry(&A);
	assert_int_equal(guest_read(&A, 6), CLEAN | DR6_BD);
	assert_int_equal(guest_read(&A, 7), DR7_RESET);
	assert_int_equal(A.vmcs.guest_dr7, DR7_RESET); /* the debugger's */
}

static void test_debugger_set_validation(void **state)
{
	assert_false(dr_debugger_set(&A.d, 0, 0x1000, DR_WATCH_WRITE, 4)); /* not attached */
	sched_in(&P0, &A);
	dbg_attach(&A);
	assert_false(dr_debugger_set(&A.d, 4, 0x1000, DR_WATCH_WRITE, 4));
	assert_false(dr_debugger_set(&A.d, 0, 0x1002, DR_WATCH_WRITE, 4));
	assert_false(dr_debugger_set(&A.d, 0, 0x1000, DR_WATCH_EXEC, 4));
	assert_false(dr_debugger_set(&A.d, 0, 0x1000, DR_WATCH_WRITE, 3));
	assert_true(dr_debugger_set(&A.d, 0, 0x1000, DR_WATCH_RW, 8));
}

/* ------------------------------------------------------------------ */
/* dr_io_hits                                                          */
/* ------------------------------------------------------------------ */

#define IOBP(n, len) (DR7_L(n) | DR7_RW(n, 2) | DR7_LEN(n, len))

static void test_io_hits(void **state)
{
	uint64_t db[4] = { 0x3f8, 0x60, 0xcf8, 0x80 };
	/* 1 byte at 0x3f8 */
	uint64_t dr7 = DR7_RESET | IOBP(0, 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x3f8, 1), DR6_B(0));
	assert_int_equal(dr_io_hits(dr7, db, 0x3f9, 1), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x3f7, 1), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x3f7, 2), DR6_B(0));
	assert_int_equal(dr_io_hits(dr7, db, 0x3f6, 2), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x3f5, 4), DR6_B(0));
	assert_int_equal(dr_io_hits(dr7, db, 0x3f4, 4), 0);
	/* 2 bytes at 0x60 (LEN=01) */
	dr7 = DR7_RESET | IOBP(1, 1);
	assert_int_equal(dr_io_hits(dr7, db, 0x60, 1), DR6_B(1));
	assert_int_equal(dr_io_hits(dr7, db, 0x61, 1), DR6_B(1));
	assert_int_equal(dr_io_hits(dr7, db, 0x62, 1), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x5f, 1), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x5f, 2), DR6_B(1));
	assert_int_equal(dr_io_hits(dr7, db, 0x5c, 4), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x5e, 4), DR6_B(1));
	/* 4 bytes at 0xcf8 (LEN=11) */
	dr7 = DR7_RESET | IOBP(2, 3);
	assert_int_equal(dr_io_hits(dr7, db, 0xcf8, 4), DR6_B(2));
	assert_int_equal(dr_io_hits(dr7, db, 0xcfb, 1), DR6_B(2));
	assert_int_equal(dr_io_hits(dr7, db, 0xcfc, 4), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0xcf4, 4), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0xcf6, 4), DR6_B(2));
	assert_int_equal(dr_io_hits(dr7, db, 0xcf7, 1), 0);
	/* 8 bytes at 0x80 (LEN=10) */
	dr7 = DR7_RESET | IOBP(3, 2);
	assert_int_equal(dr_io_hits(dr7, db, 0x80, 1), DR6_B(3));
	assert_int_equal(dr_io_hits(dr7, db, 0x87, 1), DR6_B(3));
	assert_int_equal(dr_io_hits(dr7, db, 0x88, 1), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x7c, 4), 0);
	assert_int_equal(dr_io_hits(dr7, db, 0x7e, 4), DR6_B(3));
	/* The address's low bits are ignored as the length implies. */
	uint64_t odd[4] = { 0, 0, 0xcf9, 0 };
	assert_int_equal(dr_io_hits(DR7_RESET | IOBP(2, 3), odd, 0xcf8, 1), DR6_B(2));
	/* G enables as well as L; neither: nothing. */
	dr7 = DR7_RESET | DR7_G(0) | DR7_RW(0, 2);
	assert_int_equal(dr_io_hits(dr7, db, 0x3f8, 1), DR6_B(0));
	dr7 = DR7_RESET | DR7_RW(0, 2);
	assert_int_equal(dr_io_hits(dr7, db, 0x3f8, 1), 0);
	/* Only R/W = 10 is an I/O breakpoint. */
	for (unsigned rw = 0; rw < 4; rw++) {
		if (rw == 2)
			continue;
		dr7 = DR7_RESET | DR7_L(0) | DR7_RW(0, rw);
		assert_int_equal(dr_io_hits(dr7, db, 0x3f8, 1), 0);
	}
	/* Several at once; others' enables do not leak. */
	dr7 = DR7_RESET | IOBP(0, 0) | IOBP(1, 1) | IOBP(2, 3) | IOBP(3, 2);
	uint64_t same[4] = { 0x70, 0x70, 0x70, 0x70 };
	assert_int_equal(dr_io_hits(dr7, same, 0x71, 1), DR6_B(1) | DR6_B(2) | DR6_B(3));
	assert_int_equal(dr_io_hits(dr7, same, 0x70, 1), 0xf);
	dr7 = DR7_RESET | IOBP(1, 0) | DR7_RW(0, 2); /* slot 0 disabled */
	assert_int_equal(dr_io_hits(dr7, same, 0x70, 1), DR6_B(1));
	/* Top of the port space. */
	uint64_t top[4] = { 0xfffc, 0, 0, 0 };
	assert_int_equal(dr_io_hits(DR7_RESET | IOBP(0, 3), top, 0xffff, 1), DR6_B(0));
	assert_int_equal(dr_io_hits(DR7_RESET | IOBP(0, 3), top, 0xfffe, 4), DR6_B(0));
	assert_int_equal(dr_io_hits(DR7_RESET | IOBP(0, 3), top, 0xfff8, 4), 0);
}

/* ------------------------------------------------------------------ */
/* Random schedules against the reference model                         */
/* ------------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static unsigned long exits_armed, exits_loaded, exits_idle;

/* An exit checked against rows 1-3 of the contract. */
static void checked_exit(struct tvcpu *v)
{
	struct tpcpu *p = v->on;
	bool loaded = p->c.loaded == &v->d;
	struct acc s = snap(p);
	uint64_t ewr = p->c.count.exits_with_writes;
	vm_exit(v);
	uint64_t r = rd_since(p, s), w = wr_since(p, s);
	if (p->c.armed) {
		exits_armed++;
		check_host_state(p);
		assert_true(w <= 6);
	} else if (loaded) {
		exits_loaded++;
		assert_int_equal(r, 1);
		assert_true(w <= 1);
		assert_int_equal(p->hw[6], CLEAN);
	} else {
		exits_idle++;
		assert_int_equal(r + w, 0);
	}
	assert_int_equal(p->c.count.exits_with_writes, ewr + (w ? 1 : 0));
}

static void checked_entry(struct tvcpu *v)
{
	struct tpcpu *p = v->on;
	bool loaded = p->c.loaded == &v->d;
	bool changed = p->watch_changed;
	struct acc s = snap(p);
	vm_entry(v);
	uint64_t w = wr_since(p, s);
	if (!loaded)
		assert_int_equal(rd_since(p, s) + w, 0);
	else if (!p->c.armed && !changed)
		assert_true(w <= 1);
	else
		assert_true(w <= 6);
}

static void random_host_work(struct tpcpu *p)
{
	hw_cpu = p;
	switch (below(8)) {
	case 0: {
		unsigned slot = below(4);
		static const unsigned lens[] = { 1, 2, 4, 8 };
		unsigned len = lens[below(4)];
		enum dr_watch_type t = below(3) == 0 ? DR_WATCH_EXEC : below(2) ? DR_WATCH_WRITE :
										   DR_WATCH_RW;
		if (t == DR_WATCH_EXEC)
			len = 1;
		host_arm(p, slot, 0xffff800000000000ULL + 0x1000 * (below(16) + 1) + 8 * slot,
			 t, len);
		break;
	}
	case 1:
	case 2:
	case 3:
		host_disarm(p, below(4));
		break;
	case 4:
		if (p->c.armed) {
			/* The host hits one of its own watchpoints. */
			unsigned slot = below(4);
			if (!(p->c.host_dr7 & DR7_G(slot)))
				break;
			assert_int_equal(p->hw[6], CLEAN);
			p->hw[6] |= DR6_B(slot);
			uint64_t before = p->c.slot_hits[slot];
			assert_int_equal(dr_host_db(&p->c), DR6_B(slot));
			assert_int_equal(p->c.slot_hits[slot], before + 1);
			assert_int_equal(p->hw[6], CLEAN);
		}
		break;
	default:
		break;
	}
}

static void random_guest_op(struct tvcpu *v)
{
	unsigned dr = below(6);
	if (dr == 4)
		dr = 6;
	else if (dr == 5)
		dr = 7;
	switch (v->quiet ? 5 + below(3) : below(8)) {
	case 0:
	case 1:
		guest_read(v, dr);
		break;
	case 2:
	case 3:
		if (dr < 4) {
			guest_write(v, dr, (rnd() & 0xfffffffff000ULL) | (below(8) << 3));
		} else if (dr == 6) {
			guest_write(v, dr, CLEAN | (rnd() & (0xfULL | DR6_BD | DR6_BS | DR6_BT)));
		} else {
			/* Enables (often none), R/W, LEN; never GD. */
			uint64_t en = below(3) ? 0 : (rnd() & 0xff);
			guest_write(v, 7, DR7_RESET | en | (rnd() & 0xffff0000ULL) |
						  (below(2) ? BIT(8) | BIT(9) : 0));
		}
		break;
	case 4:
		guest_debug_exception(v, below(2) ? DR6_B(below(4)) : DR6_BS);
		break;
	default: {
		/* An exit unrelated to DRs, maybe with host work in it. */
		checked_exit(v);
		if (below(4) == 0)
			random_host_work(v->on);
		checked_entry(v);
		break;
	}
	}
}

static void test_random_schedules(void **state)
{
	struct tpcpu *pc[2] = { &P0, &P1 };
	struct tvcpu *vc[3] = { &A, &B, &C };
	struct tvcpu *running[2] = { NULL, NULL };

	for (int step = 0; step < 200000; step++) {
		unsigned i = below(2);
		struct tpcpu *p = pc[i];
		struct tvcpu *v = running[i];
		if (!v) {
			if (below(4) == 0) {
				random_host_work(p);
				continue;
			}
			/* Schedule an idle vCPU here (switch in or migration). */
			struct tvcpu *c = vc[below(3)];
			if (c->on)
				continue;
			c->quiet = below(2);
			sched_in(p, c);
			checked_entry(c);
			running[i] = c;
			continue;
		}
		if (below(16) == 0) {
			/* Preempted: exit, maybe host work, scheduled out. */
			checked_exit(v);
			if (below(2))
				random_host_work(p);
			struct acc s = snap(p);
			sched_out(v);
			assert_int_equal(wr_since(p, s), 0);
			assert_true(rd_since(p, s) <= 5);
			if (p->c.armed)
				check_host_state(p);
			running[i] = NULL;
			continue;
		}
		random_guest_op(v);
		check_counters(p);
	}
	/* Everybody reads back its own registers at the end. */
	for (unsigned i = 0; i < 2; i++)
		if (running[i]) {
			for (unsigned n = 0; n < 4; n++)
				guest_read(running[i], n);
			guest_read(running[i], 6);
			guest_read(running[i], 7);
		}
	check_counters(&P0);
	check_counters(&P1);
	/* Lazy hand-over means few MOV-DR exits compared with accesses. */
	print_message("random: MOV-DR exits A=%u B=%u C=%u, #DB exits %u/%u/%u, "
		      "DR writes P0=%llu P1=%llu; checked exits: %lu armed, %lu loaded, "
		      "%lu idle\n",
		      A.movdr_exits, B.movdr_exits, C.movdr_exits, A.db_exits, B.db_exits,
		      C.db_exits, (unsigned long long)P0.wr, (unsigned long long)P1.wr,
		      exits_armed, exits_loaded, exits_idle);
	/* Every row was exercised. */
	assert_true(exits_armed > 1000 && exits_loaded > 1000 && exits_idle > 1000);
}

/* ------------------------------------------------------------------ */
/* Known contract violations in the current dr.c (see the report)       */
/* ------------------------------------------------------------------ */

/* Rule 7 and rule 6: while watchpoints are armed the host's DR7 must stay
 * live whenever the host runs, and scheduling out writes nothing. A
 * hand-over (MOV-DR exit, or eager load at switch-in) with watchpoints
 * armed writes DR7 = 0x400 and the guest's DR0-3 right away; if the vCPU
 * is then scheduled out before entering (need_resched, VM stopped), the
 * host keeps running with its watchpoints off. */
static void test_bug_handover_disarms_host_watchpoints(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	sched_in(&P0, &A);
	vm_entry(&A);
	/* MOV-DR exit, hand-over, and the run loop yields before entering. */
	A.movdr_exits++;
	vm_exit(&A);
	uint64_t x = 0;
	assert_true(dr_movdr_exit(&P0.c, &A.d, 0, false, &x));
	assert_int_equal(P0.hw[7], P0.c.host_dr7); /* fails: 0x400 */
	assert_int_equal(P0.hw[0], HADDR0);
	struct acc s = snap(&P0);
	sched_out(&A);
	assert_int_equal(wr_since(&P0, s), 0);
	check_host_state(&P0);

	/* Same with the eager load of a vCPU whose DR7 enables a breakpoint. */
	B.vmcs.guest_dr7 = DR7_RESET | L0;
	B.dr7 = DR7_RESET | L0;
	sched_in(&P0, &B);
	assert_int_equal(P0.hw[7], P0.c.host_dr7);
	s = snap(&P0);
	sched_out(&B);
	assert_int_equal(wr_since(&P0, s), 0);
	check_host_state(&P0);
	/* And when B does enter, it gets its own registers. */
	sched_in(&P0, &B);
	vm_entry(&B);
	guest_read(&B, 0);
}

/* dr_watch_disarm with another slot still armed, while a guest's DR0-3 are
 * in the hardware (after a hand-over, before entry), writes the host DR7
 * with enables set over the guest's addresses. */
static void test_bug_disarm_arms_host_dr7_over_guest_addresses(void **state)
{
	host_arm(&P0, 0, HADDR0, DR_WATCH_WRITE, 8);
	host_arm(&P0, 1, HADDR2, DR_WATCH_WRITE, 8);
	A.d.db[0] = A.db[0] = 0xA000; /* A's DR0 from an earlier run */
	sched_in(&P0, &A);
	vm_entry(&A);
	/* A's first MOV DR: exit, hand-over; the host disarms slot 1 before
	 * A enters again. */
	A.movdr_exits++;
	vm_exit(&A);
	uint64_t x = 0;
	assert_true(dr_movdr_exit(&P0.c, &A.d, 0, false, &x));
	host_disarm(&P0, 1);
	for (unsigned n = 0; n < 4; n++)
		if (P0.hw[7] & (DR7_L(n) | DR7_G(n)))
			assert_int_equal(P0.hw[n], P0.c.host_db[n]); /* fails: 0xA000 */
	vm_entry(&A);
	guest_read(&A, 0);
}

/* dr_guest_value(6) of a loaded vCPU returns the hardware DR6 cache, which
 * after an exit that cleaned DR6 is 0xFFFF0FF0, not the guest's DR6. */
static void test_bug_guest_value_dr6_loaded(void **state)
{
	run_and_touch(&P0, &A);
	guest_write(&A, 6, CLEAN | DR6_B(1));
	vm_exit(&A);
	assert_int_equal(dr_guest_value(&P0.c, &A.d, 6), CLEAN | DR6_B(1));
}

/* dr_guest_db: RTM (bit 16) and BLD (bit 11) of DR6 are active-low; the
 * processor sets them for any #DB that does not report them (SDM 18.2.3),
 * and the qualification's bit 11 reports a bus lock (clear BLD). */
static void test_bug_guest_db_active_low_bits(void **state)
{
	struct dr_vcpu d;
	dr_vcpu_init(&d);
	dr_guest_db(&P0.c, &d, BIT(16) | DR6_B(0));
	assert_int_equal(d.dr6, (CLEAN & ~BIT(16)) | DR6_B(0));
	/* A later #DB outside an RTM region. */
	dr_guest_db(&P0.c, &d, DR6_B(1));
	assert_int_equal(d.dr6, CLEAN | DR6_B(1)); /* fails: RTM stays 0 */
	/* Bus-lock #DB. */
	dr_guest_db(&P0.c, &d, BIT(11));
	assert_int_equal(d.dr6, CLEAN & ~BIT(11));
	dr_guest_db(&P0.c, &d, DR6_BS);
	assert_int_equal(d.dr6, CLEAN | DR6_BS);
}

/* Rules 5 and 8: a debugger-owned vCPU keeps MOV-DR exiting on, but when
 * the debugger's DR7 enables a breakpoint it must still enter with the
 * debugger's DR0-3 in the hardware, not what the previous vCPU left. */
static void test_bug_debugger_breakpoints_not_loaded(void **state)
{
	run_and_touch(&P0, &B);
	guest_write(&B, 0, 0xB000);
	vm_exit(&B);
	sched_out(&B);

	sched_in(&P0, &A);
	dbg_attach(&A);
	dbg_set(&A, 0, 0x5000, DR_WATCH_WRITE, 4);
	vm_entry(&A);
	vm_exit(&A);
	sched_out(&A);
	sched_in(&P0, &A);
	assert_true(A.vmcs.movdr_exiting);
	vm_entry(&A); /* check_guest_view: DR0 must be 0x5000 */
	assert_int_equal(P0.hw[0], 0x5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_cpu_init, setup),
		cmocka_unit_test_setup(test_vcpu_init, setup),
		cmocka_unit_test_setup(test_constants, setup),
		cmocka_unit_test_setup(test_idle_exits_touch_nothing, setup),
		cmocka_unit_test_setup(test_idle_switch_touches_nothing, setup),
		cmocka_unit_test_setup(test_first_use_hands_over, setup),
		cmocka_unit_test_setup(test_first_use_is_a_write, setup),
		cmocka_unit_test_setup(test_loaded_exit_clean_dr6, setup),
		cmocka_unit_test_setup(test_loaded_exit_dirty_dr6, setup),
		cmocka_unit_test_setup(test_loaded_native_debug_exception, setup),
		cmocka_unit_test_setup(test_loaded_guest_db_via_emulation, setup),
		cmocka_unit_test_setup(test_put_writes_nothing, setup),
		cmocka_unit_test_setup(test_switch_isolation, setup),
		cmocka_unit_test_setup(test_switch_isolation_first_access_dr6, setup),
		cmocka_unit_test_setup(test_switch_eager_load, setup),
		cmocka_unit_test_setup(test_eager_load_minimal_writes, setup),
		cmocka_unit_test_setup(test_migration_lazy, setup),
		cmocka_unit_test_setup(test_migration_eager, setup),
		cmocka_unit_test_setup(test_migration_two_vcpus_swap, setup),
		cmocka_unit_test_setup(test_watch_arm_installs, setup),
		cmocka_unit_test_setup(test_watch_guest_idle, setup),
		cmocka_unit_test_setup(test_watch_guest_loaded, setup),
		cmocka_unit_test_setup(test_watch_switch_and_migrate, setup),
		cmocka_unit_test_setup(test_watch_arm_with_guest_loaded, setup),
		cmocka_unit_test_setup(test_host_db, setup),
		cmocka_unit_test_setup(test_host_db_never_sees_guest_bits, setup),
		cmocka_unit_test_setup(test_watch_arm_validation, setup),
		cmocka_unit_test_setup(test_dr7_slot_bits, setup),
		cmocka_unit_test_setup(test_mov_check, setup),
		cmocka_unit_test_setup(test_guest_db, setup),
		cmocka_unit_test_setup(test_guest_db_exit_path, setup),
		cmocka_unit_test_setup(test_guest_value, setup),
		cmocka_unit_test_setup(test_debugger_emulates, setup),
		cmocka_unit_test_setup(test_io_hits, setup),
		cmocka_unit_test_setup(test_random_schedules, setup),
	};
	int failed = cmocka_run_group_tests_name("dr", tests, NULL, NULL);
	const struct CMUnitTest known_bugs[] = {
		cmocka_unit_test_setup(test_bug_handover_disarms_host_watchpoints, setup),
		cmocka_unit_test_setup(test_bug_disarm_arms_host_dr7_over_guest_addresses, setup),
		cmocka_unit_test_setup(test_bug_guest_value_dr6_loaded, setup),
		cmocka_unit_test_setup(test_bug_guest_db_active_low_bits, setup),
		cmocka_unit_test_setup(test_bug_debugger_breakpoints_not_loaded, setup),
		cmocka_unit_test_setup(test_debugger_attach_while_loaded, setup),
		cmocka_unit_test_setup(test_debugger_breakpoints, setup),
		cmocka_unit_test_setup(test_debugger_costs, setup),
		cmocka_unit_test_setup(test_debugger_with_host_watch, setup),
		cmocka_unit_test_setup(test_debugger_migration, setup),
		cmocka_unit_test_setup(test_debugger_detach, setup),
		cmocka_unit_test_setup(test_debugger_guest_gd, setup),
		cmocka_unit_test_setup(test_debugger_set_validation, setup),
	};
	failed += cmocka_run_group_tests_name("dr known bugs", known_bugs, NULL, NULL);
	return failed;
}
