/* Debug-register policy: the contract of shared/docs/debug-registers.md in
 * code. See dr.h for the rules; comments here say why each step is the
 * minimum that keeps them. All hardware access is counted. */
#include "arch/x86/dr.h"

uint64_t dr_read(struct dr_cpu *c, unsigned int n)
{
	c->count.reads++;
	return dr_hw_read(n);
}

void dr_write(struct dr_cpu *c, unsigned int n, uint64_t v)
{
	c->count.writes++;
	dr_hw_write(n, v);
	if (n < 4) {
		c->hw_db[n] = v;
		c->hw_valid[n] = true;
	} else if (n == 6) {
		c->hw_dr6 = v;
		c->hw_dr6_valid = true;
	}
}

/* Writes DR0-3 'n' only if the hardware is not known to hold 'v' already. */
static void write_db_if_needed(struct dr_cpu *c, unsigned int n, uint64_t v)
{
	if (!c->hw_valid[n] || c->hw_db[n] != v)
		dr_write(c, n, v);
}

static void write_dr6_if_needed(struct dr_cpu *c, uint64_t v)
{
	if (!c->hw_dr6_valid || c->hw_dr6 != v)
		dr_write(c, 6, v);
}

void dr_cpu_init(struct dr_cpu *c, unsigned int cpu)
{
	*c = (struct dr_cpu){ .cpu = cpu, .host_dr7 = DR7_RESET };
	/* Start from a known state: the firmware or a previous kernel may
	 * have left anything. These writes happen once per CPU at boot. */
	for (unsigned n = 0; n < 4; n++)
		dr_write(c, n, 0);
	dr_write(c, 6, DR6_CLEAN);
	dr_write(c, 7, DR7_RESET);
	c->count = (struct dr_counters){ 0 };
}

void dr_vcpu_init(struct dr_vcpu *d)
{
	*d = (struct dr_vcpu){ .dr6 = DR6_CLEAN, .loaded_cpu = -1, .exiting = true };
}

/* Takes the guest's DR0-3 (and DR6) out of the hardware into memory. */
static void save_guest(struct dr_cpu *c, struct dr_vcpu *d)
{
	for (unsigned n = 0; n < 4; n++) {
		d->db[n] = dr_read(c, n);
		c->hw_db[n] = d->db[n];
		c->hw_valid[n] = true;
	}
}

static void restore_host(struct dr_cpu *c)
{
	for (unsigned n = 0; n < 4; n++)
		write_db_if_needed(c, n, c->host_db[n]);
	write_dr6_if_needed(c, DR6_CLEAN);
	/* DR7 last: it is what arms the others. */
	dr_write(c, 7, c->host_dr7);
	c->host_regs_in_hw = true;
}

void dr_vmexit_slow(struct dr_cpu *c, struct dr_vcpu *d)
{
	uint64_t writes = c->count.writes;

	if (c->armed) {
		/* The exit set DR7 to 0x400: the host's watchpoints are off
		 * until we restore them, and DR0-3/DR6 may hold guest values. */
		if (c->loaded == d && !c->host_regs_in_hw) {
			save_guest(c, d);
			d->dr6 = dr_read(c, 6);
			c->hw_dr6 = d->dr6;
			c->hw_dr6_valid = true;
		}
		restore_host(c);
	} else if (c->loaded == d) {
		/* Guest state loaded, no host watchpoints: only DR6 can
		 * matter to the host (a later #DB would see stale bits). */
		uint64_t dr6 = dr_read(c, 6);
		d->dr6_emulated = false;
		d->dr6 = dr6;
		c->hw_dr6 = dr6;
		c->hw_dr6_valid = true;
#ifndef TERN_BREAK_SKIP_DR6_RESET
		if (dr6 != DR6_CLEAN)
			dr_write(c, 6, DR6_CLEAN);
#endif
	}
	/* else: nobody uses debug registers; touch nothing. */

	if (c->count.writes != writes)
		c->count.exits_with_writes++;
}

static void load_guest(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (c->host_regs_in_hw && c->host_dr7 & DR7_ENABLES) {
		/* Disarm the host's watchpoints before their address registers
		 * take guest values; VM entry then loads the guest's DR7. */
		dr_write(c, 7, DR7_RESET);
	}
	for (unsigned n = 0; n < 4; n++)
		write_db_if_needed(c, n, d->db[n]);
	write_dr6_if_needed(c, d->dr6);
	c->host_regs_in_hw = false;
	c->loaded = d;
	d->loaded_cpu = (int)c->cpu;
	/* The guest may write DR0-DR3 natively once it runs; under a
	 * debugger MOV DR keeps exiting and the values stay known. */
	if (!d->debugger)
		for (unsigned n = 0; n < 4; n++)
			c->hw_valid[n] = false;
}

/* Entry of a debugger-owned vCPU (rule 8): the debugger's DR7 goes in the
 * VMCS and, when it enables a breakpoint, its DR0-DR3 in the hardware
 * (rule 5). The guest cannot read them: MOV DR exits, and an intercepted
 * #DB leaves DR6 alone. */
static void debugger_entry(struct dr_cpu *c, struct dr_vcpu *d)
{
	dr_hw_set_guest_dr7(d->dbg_dr7);
	if (!(d->dbg_dr7 & DR7_ENABLES))
		return;
	if (c->loaded != d || c->host_regs_in_hw) {
		load_guest(c, d);
		return;
	}
	/* Loaded already: a slot may have changed since the last entry. */
	for (unsigned n = 0; n < 4; n++)
		write_db_if_needed(c, n, d->db[n]);
	write_dr6_if_needed(c, d->dr6);
}

void dr_vmentry_slow(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (d->debugger) {
		debugger_entry(c, d);
		return;
	}
	if (c->host_regs_in_hw) {
		load_guest(c, d);
		return;
	}
	/* DR6 was written clean on exit; put the guest's back if it was not. */
	write_dr6_if_needed(c, d->dr6);
	/* The guest may write DR0-DR3 natively from now on. */
	for (unsigned n = 0; n < 4; n++)
		c->hw_valid[n] = false;
}

static void hand_over(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (c->armed && c->host_regs_in_hw) {
		/* Keep the host's watchpoints live while we are in the host:
		 * the guest's registers go in at VM entry (dr_vmentry). */
		c->loaded = d;
		d->loaded_cpu = (int)c->cpu;
	} else {
		load_guest(c, d);
	}
	d->exiting = false;
	dr_hw_set_intercepts(false);
}

void dr_vcpu_load(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (d->debugger)
		return; /* a debugger keeps MOV-DR exiting on (policy 8) */
	if (dr_hw_guest_dr7() & DR7_ENABLES)
		hand_over(c, d); /* its breakpoints must be live (rule 5) */
}

void dr_vcpu_put(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (c->loaded != d)
		return;
	/* Reads only: the hardware keeps the old values, which are inert
	 * (DR7 is 0x400 after the exit) and unreadable by the next vCPU,
	 * which starts with MOV-DR exiting on. DR6 was saved on exit. */
	if (!c->host_regs_in_hw)
		save_guest(c, d);
	c->loaded = NULL;
	d->loaded_cpu = -1;
	d->exiting = true;
	dr_hw_set_intercepts(true);
}

enum dr_mov_result dr_mov_check(unsigned int *dr, bool write, uint64_t write_val,
				unsigned int cpl, bool cr4_de, uint64_t guest_dr7,
				bool long_mode)
{
	/* Order of checks follows the MOV DR instruction page: #UD for
	 * DR4/DR5 with CR4.DE, #GP for CPL > 0, #DB for DR7.GD, then #GP for
	 * reserved upper bits on a 64-bit write. */
	if (*dr == 4 || *dr == 5) {
		if (cr4_de)
			return DR_MOV_UD;
		*dr += 2;
	}
	if (cpl > 0)
		return DR_MOV_GP;
	if (guest_dr7 & DR7_GD)
		return DR_MOV_DB_GD;
	if (write && long_mode && (*dr == 6 || *dr == 7) && (write_val >> 32))
		return DR_MOV_GP;
	return DR_MOV_OK;
}

uint64_t dr_guest_dr7(struct dr_vcpu *d)
{
	return d->debugger ? d->guest_dr7 : dr_hw_guest_dr7();
}

void dr_set_guest_dr7(struct dr_vcpu *d, uint64_t v)
{
	if (d->debugger)
		d->guest_dr7 = v;
	else
		dr_hw_set_guest_dr7(v);
}

uint64_t dr_guest_value(struct dr_cpu *c, struct dr_vcpu *d, unsigned int n)
{
	if (n == 7)
		return dr_guest_dr7(d);
	if (d->debugger)
		return n == 6 ? d->guest_dr6 : d->guest_db[n];
	bool in_hw = c->loaded == d && !c->host_regs_in_hw;
	if (n == 6)
		return d->dr6; /* always current in host context (dr_vmexit) */
	return in_hw ? dr_read(c, n) : d->db[n];
}

bool dr_movdr_exit(struct dr_cpu *c, struct dr_vcpu *d, unsigned int dr,
		   bool write, uint64_t *val)
{
	if (!d->debugger && c->loaded != d && d->exiting) {
		hand_over(c, d);
		return true;
	}
	/* Emulate on the guest's registers wherever they are held (its kept
	 * copy under a debugger, memory, or the hardware). */
	if (!write) {
		*val = dr_guest_value(c, d, dr);
		return false;
	}
	if (dr == 7) {
		dr_set_guest_dr7(d, (*val & DR7_WRITABLE) | DR7_FIXED1);
	} else if (d->debugger) {
		if (dr == 6)
			d->guest_dr6 = (*val & DR6_WRITABLE) | DR6_FIXED1;
		else
			d->guest_db[dr] = *val;
	} else if (dr == 6) {
		d->dr6 = (*val & DR6_WRITABLE) | DR6_FIXED1;
	} else {
		d->db[dr] = *val;
		if (c->loaded == d && !c->host_regs_in_hw)
			dr_write(c, dr, *val);
	}
	return false;
}

void dr_guest_db(struct dr_cpu *c, struct dr_vcpu *d, uint64_t qual)
{
	/* dr_vmexit already brought d->dr6 up to date. */
	uint64_t dr6 = d->debugger ? d->guest_dr6 : d->dr6;

	(void)c;
	/* BLD (11) and RTM (16) are active low: set unless this #DB reports
	 * them (SDM 18.2.3). */
	dr6 = (dr6 & ~0xfULL) | BIT(11) | BIT(16) | (qual & (0xfULL | DR6_BD | DR6_BS));
	dr6 &= ~(qual & (BIT(11) | BIT(16)));
	if (d->debugger) {
		d->guest_dr6 = dr6;
		return;
	}
	d->dr6 = dr6;
	d->dr6_emulated = true;
	/* If the registers are in the hardware, VM entry puts d->dr6 back
	 * (dr_vmentry writes it when it differs from what DR6 holds). */
}

uint64_t dr7_slot_bits(unsigned int slot, enum dr_watch_type type, unsigned int len)
{
	uint64_t len_bits = len == 1 ? 0 : len == 2 ? 1 : len == 8 ? 2 : 3;
	if (type == DR_WATCH_EXEC)
		len_bits = 0; /* instruction breakpoints need LEN=00 */
	return BIT(slot * 2 + 1) /* Gn */ |
	       ((uint64_t)type << (16 + slot * 4)) |
	       (len_bits << (18 + slot * 4));
}

static uint64_t slot_mask(unsigned int slot)
{
	return (3ULL << (slot * 2)) | (0xfULL << (16 + slot * 4));
}

static bool slot_args_ok(unsigned int slot, uint64_t addr, enum dr_watch_type type,
			 unsigned int len)
{
	return slot < DR_WATCH_SLOTS && (len == 1 || len == 2 || len == 4 || len == 8) &&
	       !(addr & (len - 1)) &&
	       (type == DR_WATCH_EXEC || type == DR_WATCH_WRITE || type == DR_WATCH_RW) &&
	       (type != DR_WATCH_EXEC || len == 1);
}

bool dr_watch_arm(struct dr_cpu *c, unsigned int slot, uint64_t addr,
		  enum dr_watch_type type, unsigned int len)
{
	if (!slot_args_ok(slot, addr, type, len))
		return false;
	bool was_armed = c->host_dr7 & slot_mask(slot) & DR7_ENABLES;
	c->host_db[slot] = addr;
	c->host_dr7 = (c->host_dr7 & ~slot_mask(slot)) | dr7_slot_bits(slot, type, len);
	if (!was_armed)
		c->armed++;
	/* We run in the host now: if a guest's registers are loaded, take
	 * them out first, then install the host's (DR7 last). */
	if (c->loaded && !c->host_regs_in_hw) {
		save_guest(c, c->loaded);
	}
	restore_host(c);
	return true;
}

void dr_watch_disarm(struct dr_cpu *c, unsigned int slot)
{
	if (slot >= DR_WATCH_SLOTS || !(c->host_dr7 & slot_mask(slot) & DR7_ENABLES))
		return;
	c->host_dr7 &= ~slot_mask(slot);
	c->armed--;
	if (c->host_regs_in_hw || !c->loaded)
		dr_write(c, 7, c->host_dr7);
	if (!c->armed && c->loaded) {
		/* The loaded guest's DR0-3 were replaced; reload at entry. */
		c->host_regs_in_hw = true;
	} else if (!c->armed) {
		c->host_regs_in_hw = false;
	}
}

/* --- rule 8: a debugger's breakpoints inside a guest --- */

void dr_debugger_attach(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (d->debugger)
		return;
	if (c->loaded == d)
		dr_vcpu_put(c, d); /* its registers to memory; exiting on */
	for (unsigned n = 0; n < 4; n++) {
		d->guest_db[n] = d->db[n];
		d->db[n] = 0;
	}
	d->guest_dr6 = d->dr6;
	d->guest_dr7 = dr_hw_guest_dr7();
	d->dr6 = DR6_CLEAN;
	d->dr6_emulated = false;
	d->dbg_dr7 = DR7_RESET;
	d->debugger = true;
	dr_hw_set_guest_dr7(DR7_RESET);
	if (!d->exiting) {
		d->exiting = true;
		dr_hw_set_intercepts(true);
	}
}

void dr_debugger_detach(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (!d->debugger)
		return;
	if (c->loaded == d)
		dr_vcpu_put(c, d); /* reads only; the debugger's values are inert */
	for (unsigned n = 0; n < 4; n++)
		d->db[n] = d->guest_db[n];
	d->dr6 = d->guest_dr6;
	d->debugger = false;
	dr_hw_set_guest_dr7(d->guest_dr7);
	if (d->guest_dr7 & DR7_ENABLES)
		hand_over(c, d); /* its breakpoints must be live (rule 5) */
}

bool dr_debugger_set(struct dr_vcpu *d, unsigned int slot, uint64_t addr,
		     enum dr_watch_type type, unsigned int len)
{
	if (!d->debugger || !slot_args_ok(slot, addr, type, len))
		return false;
	d->db[slot] = addr;
	d->dbg_dr7 = (d->dbg_dr7 & ~slot_mask(slot)) | dr7_slot_bits(slot, type, len);
	return true;
}

void dr_debugger_clear(struct dr_vcpu *d, unsigned int slot)
{
	if (d->debugger && slot < DR_WATCH_SLOTS)
		d->dbg_dr7 &= ~slot_mask(slot);
}

uint64_t dr_debugger_db(struct dr_vcpu *d, uint64_t qual, bool *fault)
{
	uint64_t mine = 0;

	*fault = false;
	for (unsigned n = 0; n < DR_WATCH_SLOTS; n++) {
		if (!(qual & DR6_B(n)) || !(d->dbg_dr7 & (3ULL << (n * 2))))
			continue;
		mine |= DR6_B(n);
		d->dbg_hits[n]++;
		if (!((d->dbg_dr7 >> (16 + n * 4)) & 3))
			*fault = true;
	}
	return mine;
}

uint64_t dr_host_db(struct dr_cpu *c)
{
	uint64_t dr6 = dr_read(c, 6);
	uint64_t hits = dr6 & (0xfULL | DR6_BD | DR6_BS | DR6_BT);

	for (unsigned n = 0; n < DR_WATCH_SLOTS; n++)
		if (dr6 & DR6_B(n)) {
			c->slot_hits[n]++;
			c->count.watch_hits++;
		}
	/* The processor never clears DR6 (SDM 18.2.3): leave it clean. */
	dr_write(c, 6, DR6_CLEAN);
	return hits;
}

uint64_t dr_io_hits(uint64_t dr7, const uint64_t db[4], uint16_t port, unsigned int size)
{
	static const unsigned lens[4] = { 1, 2, 8, 4 };
	uint64_t hits = 0;

	for (unsigned n = 0; n < 4; n++) {
		unsigned rw = (dr7 >> (16 + n * 4)) & 3;
		unsigned len = lens[(dr7 >> (18 + n * 4)) & 3];
		if (rw != 2 || !(dr7 & (3ULL << (n * 2))))
			continue;
		/* The breakpoint covers [addr, addr+len) with the low bits
		 * ignored as for data breakpoints (addresses are aligned). */
		uint64_t start = db[n] & 0xffff & ~(uint64_t)(len - 1);
		if (port < start + len && start < (uint64_t)port + size)
			hits |= DR6_B(n);
	}
	return hits;
}
