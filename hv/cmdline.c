/* Tern's command-line parser: a tokenizer and one table of options.
 *
 * Tokens are separated by unquoted whitespace (space, tab, newline, CR, VT,
 * FF); a double quote anywhere in a token starts a quoted section that runs
 * to the next double quote, and there are no backslash escapes. A token is
 * "name" or "name=value", split at its first '='. The value has its quotes
 * removed only when the whole value is one quoted string:
 *
 *   vm="name=a cmdline=x"        value: name=a cmdline=x
 *   vm=name=a,cmdline="x y"      value: name=a,cmdline="x y"   (verbatim)
 *
 * so that a VM spec keeps its own inner quoting for the VM layer to parse.
 * An unterminated quote is an error and ends parsing (the rest of the line
 * belongs to the broken token). Option names and keyword values are
 * case-sensitive; numbers are decimal or 0x-hex.
 */
#include "hv/cmdline.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"

/* Same limit as MAX_CPUS in hv/percpu.h, which is not included here because
 * it pulls in arch headers and this file is also built for host tests. */
#define CMDLINE_MAXCPUS_LIMIT 64

/* Values quoted back in messages are cut to this many characters. */
#define ECHO_MAX 64

struct span {
	const char *p;
	size_t len;
};

struct parser {
	struct tern_options *o;
	cmdline_report_fn report;
	void *ctx;
	int errors;
};

struct option;
/* Parses 'val' into the options; returns false after reporting an error. */
typedef bool (*opt_handler)(struct parser *ps, const struct option *opt,
			    struct span val);

enum opt_kind {
	OPT_VALUE, /* name=value only */
	OPT_FLAG,  /* bare name means true; name=<bool> also accepted */
};

struct option {
	const char *name;
	enum opt_kind kind;
	opt_handler handler;
	size_t offset;      /* bool field in struct tern_options (h_bool) */
	const char *expect; /* what a valid value looks like, for messages */
};

void cmdline_defaults(struct tern_options *o)
{
	memset(o, 0, sizeof(*o));
	o->console_port = 0x3f8;
	o->baud = 115200;
	o->loglevel = LOG_INFO;
	o->e9 = -1;
	o->maxcpus = 0;
	o->nosmp = false;
	o->poweroff = true;
	o->nvms = 0;
	o->nwatch = 0;
	o->trace_dr = false;
}

static void __printf(3, 4) report(struct parser *ps, int level,
				  const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (level == LOG_ERR)
		ps->errors++;
	if (!ps->report)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->report(ps->ctx, level, msg);
}

/* Length to print of a value in a message, and the "..." that marks a cut. */
static int echo_len(struct span v)
{
	return (int)(v.len > ECHO_MAX ? ECHO_MAX : v.len);
}

static const char *echo_more(struct span v)
{
	return v.len > ECHO_MAX ? "..." : "";
}

/* "option 'baud': value '7' out of range (expected ...); keeping default" */
static void bad_value(struct parser *ps, const struct option *opt,
		      const char *before, struct span v, const char *after)
{
	report(ps, LOG_ERR, "option '%s': %s'%.*s%s'%s (expected %s); "
	       "keeping default", opt->name, before, echo_len(v), v.p,
	       echo_more(v), after, opt->expect);
}

static bool span_eq(struct span v, const char *word)
{
	size_t n = strlen(word);
	return v.len == n && memcmp(v.p, word, n) == 0;
}

static bool digit_value(char ch, unsigned int base, unsigned int *d)
{
	if (ch >= '0' && ch <= '9')
		*d = (unsigned int)(ch - '0');
	else if (base == 16 && ch >= 'a' && ch <= 'f')
		*d = (unsigned int)(ch - 'a' + 10);
	else if (base == 16 && ch >= 'A' && ch <= 'F')
		*d = (unsigned int)(ch - 'A' + 10);
	else
		return false;
	return *d < base;
}

bool parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out)
{
	unsigned int base = 10, shift = 0, d;
	uint64_t v = 0;

	if (allow_suffix && len > 0) {
		switch (s[len - 1]) {
		case 'K':
		case 'k':
			shift = 10;
			break;
		case 'M':
		case 'm':
			shift = 20;
			break;
		case 'G':
		case 'g':
			shift = 30;
			break;
		default:
			break;
		}
		if (shift)
			len--;
	}
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!digit_value(s[i], base, &d))
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* Parses a number and checks it against [min, max]; reports either error. */
static bool parse_ranged(struct parser *ps, const struct option *opt,
			 struct span v, uint64_t min, uint64_t max,
			 uint64_t *out)
{
	if (!parse_u64(v.p, v.len, false, out)) {
		bad_value(ps, opt, "invalid value ", v, "");
		return false;
	}
	if (*out < min || *out > max) {
		bad_value(ps, opt, "value ", v, " out of range");
		return false;
	}
	return true;
}

static bool parse_bool(struct span v, bool *out)
{
	static const char *const yes[] = { "on", "yes", "1", "true" };
	static const char *const no[] = { "off", "no", "0", "false" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (span_eq(v, yes[i])) {
			*out = true;
			return true;
		}
		if (span_eq(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool h_bool(struct parser *ps, const struct option *opt, struct span v)
{
	bool b;
	if (!parse_bool(v, &b)) {
		bad_value(ps, opt, "invalid value ", v, "");
		return false;
	}
	*(bool *)((char *)ps->o + opt->offset) = b;
	return true;
}

static bool h_console(struct parser *ps, const struct option *opt,
		      struct span v)
{
	static const struct { const char *name; uint16_t port; } ports[] = {
		{ "com1", 0x3f8 }, { "com2", 0x2f8 },
		{ "com3", 0x3e8 }, { "com4", 0x2e8 },
	};
	uint64_t port;

	for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
		if (span_eq(v, ports[i].name)) {
			ps->o->console_port = ports[i].port;
			return true;
		}
	}
	if (!parse_ranged(ps, opt, v, 1, 0xffff, &port))
		return false;
	ps->o->console_port = (uint16_t)port;
	return true;
}

/* The UART divisor is 115200 / baud, so only exact divisors are possible. */
static bool h_baud(struct parser *ps, const struct option *opt, struct span v)
{
	uint64_t baud;

	if (!parse_ranged(ps, opt, v, 50, 115200, &baud))
		return false;
	if (115200 % baud) {
		bad_value(ps, opt, "value ", v, " does not divide 115200");
		return false;
	}
	ps->o->baud = (uint32_t)baud;
	return true;
}

static bool h_loglevel(struct parser *ps, const struct option *opt,
		       struct span v)
{
	static const struct { const char *name; int level; } levels[] = {
		{ "err", LOG_ERR }, { "error", LOG_ERR },
		{ "warn", LOG_WARN }, { "warning", LOG_WARN },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	uint64_t n;

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		if (span_eq(v, levels[i].name)) {
			ps->o->loglevel = levels[i].level;
			return true;
		}
	}
	if (!parse_ranged(ps, opt, v, LOG_ERR, LOG_DEBUG, &n))
		return false;
	ps->o->loglevel = (int)n;
	return true;
}

static bool h_e9(struct parser *ps, const struct option *opt, struct span v)
{
	if (span_eq(v, "auto"))
		ps->o->e9 = -1;
	else if (span_eq(v, "on"))
		ps->o->e9 = 1;
	else if (span_eq(v, "off"))
		ps->o->e9 = 0;
	else {
		bad_value(ps, opt, "invalid value ", v, "");
		return false;
	}
	return true;
}

static bool h_maxcpus(struct parser *ps, const struct option *opt,
		      struct span v)
{
	uint64_t n;

	if (!parse_ranged(ps, opt, v, 1, CMDLINE_MAXCPUS_LIMIT, &n))
		return false;
	ps->o->maxcpus = (uint32_t)n;
	return true;
}

static bool h_trace(struct parser *ps, const struct option *opt,
		    struct span v)
{
	if (!span_eq(v, "dr")) {
		bad_value(ps, opt, "invalid value ", v, "");
		return false;
	}
	ps->o->trace_dr = true;
	return true;
}

static bool h_stats(struct parser *ps, const struct option *opt, struct span v)
{
	uint64_t n;

	if (!parse_ranged(ps, opt, v, 10, 3600000, &n))
		return false;
	ps->o->stats_ms = (uint32_t)n;
	return true;
}

static bool h_selftest(struct parser *ps, const struct option *opt,
		       struct span v)
{
	if (span_eq(v, "panic"))
		ps->o->selftest = SELFTEST_PANIC;
	else if (span_eq(v, "fault"))
		ps->o->selftest = SELFTEST_FAULT;
	else if (span_eq(v, "ap-fail"))
		ps->o->selftest = SELFTEST_AP_FAIL;
	else if (span_eq(v, "entry-fail"))
		ps->o->selftest = SELFTEST_ENTRY_FAIL;
	else {
		bad_value(ps, opt, "invalid value ", v, "");
		return false;
	}
	return true;
}

/* Appends to one of the repeatable string lists (vm=, watch=). */
static bool add_string(struct parser *ps, const struct option *opt,
		       struct span v, char *slots, size_t slot_len,
		       unsigned int max, unsigned int *count)
{
	if (v.len == 0) {
		report(ps, LOG_ERR, "option '%s': empty value ignored (expected "
		       "%s)", opt->name, opt->expect);
		return false;
	}
	if (*count == max) {
		report(ps, LOG_ERR, "option '%s': more than %u given; '%.*s%s' "
		       "ignored", opt->name, max, echo_len(v), v.p,
		       echo_more(v));
		return false;
	}
	if (v.len >= slot_len) {
		report(ps, LOG_ERR, "option '%s': value '%.*s%s' is %zu "
		       "characters, longer than %zu; ignored", opt->name,
		       echo_len(v), v.p, echo_more(v), v.len, slot_len - 1);
		return false;
	}
	char *dst = slots + (size_t)*count * slot_len;
	memcpy(dst, v.p, v.len);
	dst[v.len] = '\0';
	(*count)++;
	return true;
}

static bool h_vm(struct parser *ps, const struct option *opt, struct span v)
{
	return add_string(ps, opt, v, &ps->o->vms[0][0], CMDLINE_VM_SPEC_LEN,
			  CMDLINE_MAX_VMS, &ps->o->nvms);
}

static bool h_watch(struct parser *ps, const struct option *opt,
		    struct span v)
{
	return add_string(ps, opt, v, &ps->o->watch[0][0], CMDLINE_WATCH_LEN,
			  CMDLINE_MAX_WATCH, &ps->o->nwatch);
}

#define BOOL_EXPECT "on, off, yes, no, true, false, 1 or 0"

static const struct option options[] = {
	{ "console", OPT_VALUE, h_console, 0,
	  "com1, com2, com3, com4 or an I/O port 1-0xffff" },
	{ "baud", OPT_VALUE, h_baud, 0, "50-115200, dividing 115200" },
	{ "loglevel", OPT_VALUE, h_loglevel, 0,
	  "err, warn, info, debug or 0-3" },
	{ "e9", OPT_VALUE, h_e9, 0, "auto, on or off" },
	{ "maxcpus", OPT_VALUE, h_maxcpus, 0, "1-64" },
	{ "nosmp", OPT_FLAG, h_bool, offsetof(struct tern_options, nosmp),
	  BOOL_EXPECT },
	{ "poweroff", OPT_FLAG, h_bool, offsetof(struct tern_options, poweroff),
	  BOOL_EXPECT },
	{ "vm", OPT_VALUE, h_vm, 0, "a VM spec" },
	{ "watch", OPT_VALUE, h_watch, 0, "a watchpoint spec" },
	{ "trace", OPT_VALUE, h_trace, 0, "dr" },
	{ "selftest", OPT_VALUE, h_selftest, 0, "panic, fault, ap-fail or entry-fail" },
	{ "stats", OPT_VALUE, h_stats, 0, "10-3600000 (milliseconds)" },
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Strips the quotes of a value that is exactly one quoted string. */
static struct span unquote(struct span v)
{
	if (v.len < 2 || v.p[0] != '"' || v.p[v.len - 1] != '"')
		return v;
	for (size_t i = 1; i < v.len - 1; i++)
		if (v.p[i] == '"')
			return v;
	return (struct span){ v.p + 1, v.len - 2 };
}

static void handle_token(struct parser *ps, struct span tok)
{
	struct span name = tok, val = { NULL, 0 };
	const char *eq = NULL;

	for (size_t i = 0; i < tok.len; i++) {
		if (tok.p[i] == '=') {
			eq = tok.p + i;
			break;
		}
	}
	if (eq) {
		name.len = (size_t)(eq - tok.p);
		val.p = eq + 1;
		val.len = tok.len - name.len - 1;
		val = unquote(val);
	}

	const struct option *opt = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		if (span_eq(name, options[i].name)) {
			opt = &options[i];
			break;
		}
	}
	if (!opt) {
		report(ps, LOG_WARN, "unknown option '%.*s%s' ignored",
		       echo_len(name), name.p, echo_more(name));
		return;
	}
	if (!eq) {
		if (opt->kind == OPT_FLAG) {
			*(bool *)((char *)ps->o + opt->offset) = true;
			return;
		}
		report(ps, LOG_ERR, "option '%s' needs a value (expected %s); "
		       "keeping default", opt->name, opt->expect);
		return;
	}
	opt->handler(ps, opt, val);
}

int cmdline_parse(const char *cmdline, struct tern_options *o,
		  cmdline_report_fn report_fn, void *ctx)
{
	struct parser ps = { .o = o, .report = report_fn, .ctx = ctx };
	const char *p = cmdline;

	if (!p)
		return 0;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;

		const char *start = p;
		const char *quote = NULL; /* opening quote of an open section */
		for (; *p && (quote || !is_space(*p)); p++)
			if (*p == '"')
				quote = quote ? NULL : p;

		struct span tok = { start, (size_t)(p - start) };
		if (quote) {
			report(&ps, LOG_ERR, "unterminated quote in '%.*s%s'; "
			       "rest of command line ignored", echo_len(tok),
			       tok.p, echo_more(tok));
			break;
		}
		handle_token(&ps, tok);
	}
	return ps.errors;
}

/*
 * GRUB 2 passes each argument of a multiboot2 kernel or module line to the
 * kernel joined by spaces; it escapes quotes and backslashes (\" and \\)
 * and wraps an argument that contains a space in double quotes. Undo that
 * word by word, so that Tern's own parsers see what the user wrote inside
 * grub.cfg's single quotes.
 */
size_t cmdline_grub_unquote(const char *in, char *out, size_t len)
{
	size_t n = 0;

	if (!len)
		return 0;
	while (in && *in && n + 1 < len) {
		if (*in == '"' && (n == 0 || out[n - 1] == ' ')) {
			/* A quoted word: copy its content until the closing quote. */
			in++;
			while (*in && *in != '"' && n + 1 < len) {
				if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
					in++;
				out[n++] = *in++;
			}
			if (*in == '"')
				in++;
			continue;
		}
		/* GRUB escapes quotes and backslashes in unquoted words too. */
		if (*in == '\\' && (in[1] == '"' || in[1] == '\\'))
			in++;
		out[n++] = *in++;
	}
	out[n] = '\0';
	return n;
}
