/* Tern's command line: parsed once at boot into typed options.
 *
 * Syntax: whitespace-separated items "name" or "name=value"; a value may be
 * double-quoted to contain spaces ("vm=name=a,cmdline=\"x y\"" keeps the
 * inner quotes escaped as \"). Unknown options are warnings naming them;
 * malformed values are errors naming option and value, and the option keeps
 * its default. Pure code, tested on the host.
 */
#ifndef TERN_CMDLINE_H
#define TERN_CMDLINE_H

#include "hv/types.h"

#define CMDLINE_MAX_VMS 16
#define CMDLINE_VM_SPEC_LEN 256
#define CMDLINE_MAX_WATCH 4
#define CMDLINE_WATCH_LEN 64

enum { SELFTEST_NONE, SELFTEST_PANIC, SELFTEST_FAULT, SELFTEST_AP_FAIL, SELFTEST_ENTRY_FAIL };

struct tern_options {
	uint16_t console_port;  /* console=com1..com4 or an I/O port number */
	uint32_t baud;          /* baud=, 50..115200 */
	int loglevel;           /* loglevel=err|warn|info|debug or 0..3 */
	int e9;                 /* e9=auto|on|off: -1 auto, 0 off, 1 on */
	uint32_t maxcpus;       /* maxcpus=N, 1..MAX_CPUS; 0 = no limit */
	bool nosmp;             /* nosmp: boot CPU only */
	bool poweroff;          /* poweroff=on|off: power off when all VMs end */
	/* vm=<spec>, repeatable; the spec is interpreted by the VM layer. */
	unsigned int nvms;
	char vms[CMDLINE_MAX_VMS][CMDLINE_VM_SPEC_LEN];
	/* watch=<spec>, repeatable; hypervisor watchpoints. */
	unsigned int nwatch;
	char watch[CMDLINE_MAX_WATCH][CMDLINE_WATCH_LEN];
	bool trace_dr;          /* trace=dr: Bochs debug-register trace points */
	int selftest;           /* selftest=panic|fault|ap-fail|entry-fail: failure paths */
	uint32_t stats_ms;      /* stats=MS: print running statistics every MS ms */
};

/* Receives each diagnostic: level is LOG_WARN or LOG_ERR (hv/log.h). */
typedef void (*cmdline_report_fn)(void *ctx, int level, const char *msg);

void cmdline_defaults(struct tern_options *o);
/* Parses 'cmdline' into 'o' (which should hold defaults). Returns the
 * number of errors (malformed values); warnings are not counted. */
int cmdline_parse(const char *cmdline, struct tern_options *o,
		  cmdline_report_fn report, void *ctx);

/* Helpers shared with other parsers (VM specs): */
/* Parses a decimal or 0x-hex unsigned number with an optional K/M/G suffix
 * (binary multiples) when 'allow_suffix'. Whole string must be consumed.
 * Returns false on a malformed or overflowing value. */
bool parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out);

/* Removes GRUB's quoting of whole arguments ("a b" and \" escapes) so the
 * result reads as written in grub.cfg. Returns the length written. */
size_t cmdline_grub_unquote(const char *in, char *out, size_t len);

#endif
