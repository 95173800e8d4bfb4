/* drtest.h: shared pieces of the debug-register test suite: result
 * reporting, the trap recorder, and the list of checks. */
#ifndef DRTEST_H
#define DRTEST_H

#include "guest.h"

/* --- reporting (report.c) ------------------------------------------------ */

/* One line per check: "drtest: PASS name[: details]" or
 * "drtest: FAIL name: details". A check calls exactly one of them. */
void pass(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void skip(const char *name, const char *why);
/* "drtest: N passed, M failed"; returns the exit code (0 all passed). */
int report_summary(void);

/* --- trap recorder (traps.c) ---------------------------------------------- */

#define MAX_HITS 8

struct db_hit {
	uint32_t dr6;       /* DR6 as the handler found it */
	uint32_t dr7;       /* DR7 as the handler found it */
	uint32_t eip;       /* saved EIP: the instruction (fault) or the next (trap) */
	uint32_t eflags;    /* saved EFLAGS */
};

/* Every #DB since the last traps_reset(). After MAX_HITS the handler
 * disarms DR7 and clears TF, so a missing RF cannot loop forever. */
struct db_log {
	unsigned count;
	struct db_hit hit[MAX_HITS];
};

/* The last #UD/#GP/#BP since traps_reset(). */
struct fault_log {
	unsigned count;
	uint32_t vector, error, eip, cs;
};

extern volatile struct db_log dblog;
extern volatile struct fault_log faultlog;

void traps_init(void);
/* Forget all hits. A fault at CPL 0 resumes at resume_eip (0: a fault at
 * CPL 0 is a bug in the suite, reported and fatal); a fault at CPL 3 goes
 * back to ring 0 through user_abort() with value DR45_FAULTED. */
void traps_reset(uint32_t resume_eip);

/* --- checks ---------------------------------------------------------------- */

struct dr_snapshot {
	uint32_t dr0, dr1, dr2, dr3, dr6, dr7;
};

/* regs.c */
void check_reset_values(const struct dr_snapshot *at_entry);
void check_dr0_3_roundtrip(void);
void check_dr7_roundtrip(void);
void check_dr6_write(void);
void check_dr45_alias(void);
void check_dr45_ud(void);
void check_dr_loop(uint32_t loops, uint32_t seed);

/* bp.c */
void check_exec_bp(void);
void check_exec_bp_rf_cpuid(void);
void check_write_wp(void);
void check_rw_wp_read(void);
void check_wp_len1(void);
void check_wp_len2(void);
void check_wp_across_exits(void);
void check_single_step(void);
void check_single_step_cpuid(void);
void check_gd_read(void);
void check_gd_write(void);
void check_io_bp(void);

/* cpl3.c */
void check_cpl3_mov_dr(void);

#endif
