/*
 * Debug registers: the one module through which Tern touches DR0-DR7.
 *
 * It keeps the contract of shared/docs/debug-registers.md:
 *  - lazy: a vCPU starts with MOV-DR exiting on and its DR0-DR3/DR6 in
 *    memory; the first guest MOV DR hands the registers over (loads them,
 *    turns exiting off) and the instruction is re-executed natively;
 *  - on VM exit (dr_vmexit, called first thing in arch/x86/vmexit.c): with
 *    hypervisor watchpoints armed, save the guest's loaded state and put
 *    the host's back; else, with guest state loaded, save DR6 and write it
 *    clean only if it is not clean already; else write nothing at all;
 *  - on VM entry: DR6 back only if it differs; DR0-DR3 too if the host's
 *    watchpoints replaced them;
 *  - scheduling a vCPU out only reads; a vCPU whose DR7 enables a
 *    breakpoint is loaded eagerly when scheduled in, others lazily;
 *  - hypervisor watchpoints per pCPU; the host #DB handler reports hits
 *    and writes DR6 clean;
 *  - a debugger (rule 8) can take a vCPU's registers over: the guest then
 *    runs with the debugger's breakpoints and sees only its own values.
 * Every hardware access goes through dr_read()/dr_write(), which count
 * reads and writes per pCPU. The policy is pure: the hardware and VMCS
 * hooks below are supplied by dr_hw.c on the machine and by a fake
 * register file in tests/unit/test_dr.c.
 */
#ifndef ARCH_X86_DR_H
#define ARCH_X86_DR_H

#include "hv/types.h"

#define DR6_CLEAN 0xffff0ff0ULL   /* reset value; never write 0 (BLD/RTM) */
#define DR7_RESET 0x400ULL
#define DR6_B(n) BIT(n)
#define DR6_BD BIT(13)
#define DR6_BS BIT(14)
#define DR6_BT BIT(15)
#define DR7_ENABLES 0xffULL       /* L0-L3, G0-G3 */
#define DR7_GD BIT(13)
/* Bits that are always 1 / always 0 in DR6 and DR7 as read (no RTM/BLD). */
#define DR6_FIXED1 0xfffe0ff0ULL
#define DR6_WRITABLE (0xfULL | DR6_BD | DR6_BS | DR6_BT | BIT(11) | BIT(16))
#define DR7_FIXED1 0x400ULL
#define DR7_WRITABLE 0xffff2bffULL

#define DR_WATCH_SLOTS 4

enum dr_watch_type { DR_WATCH_EXEC = 0, DR_WATCH_WRITE = 1, DR_WATCH_RW = 3 };

/* A vCPU's debug state. DR7 is in the VMCS (load/save debug controls).
 *
 * With a debugger attached (rule 8), db[], dr6 and the VMCS DR7 are what
 * the guest runs with, the debugger's; the guest's own registers are kept
 * in guest_db/guest_dr6/guest_dr7, where every guest MOV DR is emulated
 * (MOV-DR exiting and #DB interception stay on). */
struct dr_vcpu {
	uint64_t db[4];   /* DR0-DR3 while not loaded */
	uint64_t dr6;     /* DR6 as the guest last saw it */
	int loaded_cpu;   /* pCPU whose hardware holds db[]/dr6, or -1 */
	bool exiting;     /* MOV-DR exiting on */
	bool debugger;    /* a debugger owns this vCPU's breakpoints (rule 8) */
	bool dr6_emulated; /* dr6 changed by an emulated #DB since the last exit */
	/* Rule 8 only. */
	uint64_t dbg_dr7;            /* the debugger's DR7, put in the VMCS at entry */
	uint64_t guest_db[4], guest_dr6, guest_dr7; /* the guest's own */
	uint64_t dbg_hits[4];        /* debugger breakpoint hits per slot */
};

struct dr_counters {
	uint64_t reads, writes;
	uint64_t exits_with_writes; /* VM exits whose DR handling wrote a DR */
	uint64_t watch_hits;
};

/* Per-pCPU state. */
struct dr_cpu {
	unsigned int cpu;
	struct dr_vcpu *loaded;     /* vCPU whose state is in the hardware */
	bool host_regs_in_hw;       /* DR0-3 hold the host's watchpoints now */
	uint64_t hw_db[4];          /* what DR0-DR3 hold, when hw_valid[n] */
	bool hw_valid[4];
	uint64_t hw_dr6;            /* what DR6 holds, when hw_dr6_valid */
	bool hw_dr6_valid;
	/* Hypervisor watchpoints. */
	uint64_t host_db[4];
	uint64_t host_dr7;          /* 0x400 when none armed */
	unsigned int armed;         /* number of armed slots */
	uint64_t slot_hits[DR_WATCH_SLOTS];
	struct dr_counters count;
};

/* --- hooks (dr_hw.c on the machine, fakes in the unit tests) --- */
uint64_t dr_hw_read(unsigned int n);
void dr_hw_write(unsigned int n, uint64_t v);
/* The current VMCS's GUEST_DR7; switching MOV-DR exiting together with
 * #DB interception (both on while the vCPU's registers are not loaded:
 * a #DB delivered natively would set bits in a DR6 that is not its own). */
uint64_t dr_hw_guest_dr7(void);
void dr_hw_set_guest_dr7(uint64_t v);
void dr_hw_set_intercepts(bool on);

/* --- counted access --- */
uint64_t dr_read(struct dr_cpu *c, unsigned int n);
void dr_write(struct dr_cpu *c, unsigned int n, uint64_t v);

/* --- life cycle --- */
void dr_cpu_init(struct dr_cpu *c, unsigned int cpu);
void dr_vcpu_init(struct dr_vcpu *d);

/* The VM-exit side (contract rule 3). The common case, nobody using debug
 * registers, is decided inline: two loads and a branch. */
void dr_vmexit_slow(struct dr_cpu *c, struct dr_vcpu *d);
static inline void dr_vmexit(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (__builtin_expect(c->armed || c->loaded == d, 0))
		dr_vmexit_slow(c, d);
}
/* The VM-entry side (rule 4). */
void dr_vmentry_slow(struct dr_cpu *c, struct dr_vcpu *d);
static inline void dr_vmentry(struct dr_cpu *c, struct dr_vcpu *d)
{
	if (__builtin_expect(c->loaded == d || d->debugger, 0))
		dr_vmentry_slow(c, d);
}
/* Scheduling in (rule 5): eager load if the guest DR7 enables breakpoints.
 * The vCPU's VMCS must be current. */
void dr_vcpu_load(struct dr_cpu *c, struct dr_vcpu *d);
/* Scheduling out (rules 5, 6): reads only. The VMCS must be current. */
void dr_vcpu_put(struct dr_cpu *c, struct dr_vcpu *d);

/* --- guest MOV DR (exit reason 29) --- */

/* Outcome of a guest MOV DR, decided from the architectural rules. */
enum dr_mov_result {
	DR_MOV_OK,       /* access is legal */
	DR_MOV_UD,       /* DR4/DR5 with CR4.DE=1: #UD */
	DR_MOV_GP,       /* CPL > 0, or bits 63:32 set on a write: #GP(0) */
	DR_MOV_DB_GD,    /* DR7.GD set: #DB with DR6.BD, GD cleared */
};

/* Maps DR4/DR5 to DR6/DR7 (CR4.DE=0) and checks the access; SDM Vol. 3,
 * 18.2.2 and the MOV DR instruction page. 'write_val' is ignored for reads. */
enum dr_mov_result dr_mov_check(unsigned int *dr, bool write, uint64_t write_val,
				unsigned int cpl, bool cr4_de, uint64_t guest_dr7,
				bool long_mode);

/*
 * Handles a guest MOV-DR exit whose checks passed: the first one hands the
 * registers over (returns true: re-execute the instruction natively);
 * with a debugger attached the access is emulated on the vCPU's copy and
 * false is returned with *val read (or written from *val).
 */
bool dr_movdr_exit(struct dr_cpu *c, struct dr_vcpu *d, unsigned int dr,
		   bool write, uint64_t *val);
/* The guest's view of DR 'n' (0-3, 6, 7), wherever it is held now. */
uint64_t dr_guest_value(struct dr_cpu *c, struct dr_vcpu *d, unsigned int n);
/* Records a #DB for the guest (a #DB exit about to be reflected, whose exit
 * qualification holds B0-B3, BD, BS and RTM; or an emulated GD / I/O
 * breakpoint) in its DR6 as the processor would: B0-B3 replaced, BD/BS
 * accumulated, RTM (active low) cleared when reported. */
void dr_guest_db(struct dr_cpu *c, struct dr_vcpu *d, uint64_t qual);

/* The guest's own DR7 (the VMCS's, or its kept copy under a debugger). */
uint64_t dr_guest_dr7(struct dr_vcpu *d);
void dr_set_guest_dr7(struct dr_vcpu *d, uint64_t v);

/* --- a debugger's breakpoints inside a guest (rule 8) --- */

/* Takes the vCPU's debug registers over for a debugger: from now on the
 * guest runs with the debugger's DR0-DR3/DR7 (none set at first), MOV-DR
 * exiting and #DB interception stay on, and the guest's own values are
 * kept aside, where its MOV DRs read and write them. Its own breakpoints
 * do not fire meanwhile. The vCPU's VMCS must be current on this pCPU. */
void dr_debugger_attach(struct dr_cpu *c, struct dr_vcpu *d);
/* Gives the registers back to the guest (loaded eagerly if its DR7
 * enables a breakpoint, else lazily). The VMCS must be current. */
void dr_debugger_detach(struct dr_cpu *c, struct dr_vcpu *d);
/* Sets debugger slot 0-3 (arguments as for dr_watch_arm), or clears it;
 * takes effect at the vCPU's next VM entry. False for bad arguments or
 * when no debugger is attached. */
bool dr_debugger_set(struct dr_vcpu *d, unsigned int slot, uint64_t addr,
		     enum dr_watch_type type, unsigned int len);
void dr_debugger_clear(struct dr_vcpu *d, unsigned int slot);
/* A #DB exit of a debugger-owned vCPU: returns the B0-B3 bits that are
 * the debugger's hits (counted in dbg_hits); *fault tells whether one is
 * an instruction breakpoint (a fault: resume with RFLAGS.RF). Whatever
 * else the qualification reports is the guest's own #DB. */
uint64_t dr_debugger_db(struct dr_vcpu *d, uint64_t qual, bool *fault);

/* --- hypervisor watchpoints (rule 7) --- */

/* Arms slot 0-3 on this pCPU: 'len' 1, 2, 4 or 8 (8 only for data),
 * addr aligned to len. Returns false for bad arguments. */
bool dr_watch_arm(struct dr_cpu *c, unsigned int slot, uint64_t addr,
		  enum dr_watch_type type, unsigned int len);
void dr_watch_disarm(struct dr_cpu *c, unsigned int slot);
/* Host #DB: returns the DR6 status bits (B0-B3, BS...) that were set and
 * writes DR6 clean; counts hits per slot. */
uint64_t dr_host_db(struct dr_cpu *c);

/* I/O breakpoints (SDM 18.2.4, CR4.DE=1, R/W=10): the B0-B3 bits of
 * breakpoints enabled in 'dr7' whose port range overlaps [port, port+size).
 * Needed because an emulated IN/OUT never reaches the hardware's check. */
uint64_t dr_io_hits(uint64_t dr7, const uint64_t db[4], uint16_t port, unsigned int size);

/* DR7 bits for one slot (pure helper shared with guests' debugger). */
uint64_t dr7_slot_bits(unsigned int slot, enum dr_watch_type type, unsigned int len);

#endif
