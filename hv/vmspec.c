/* VM spec parser: a tokenizer for "key=value" items with quoting, one table
 * of keys, and a handler per key that checks its value. The spec is parsed
 * twice: a first pass only looks for a valid name, so that every message of
 * the second pass can say which VM it is about. The first error stops the
 * parse; nothing is allocated and the input is never modified.
 */
#include "hv/vmspec.h"
#include "hv/cmdline.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/watchspec.h"

/* Values quoted back in messages are cut to this many characters. */
#define ECHO_MAX 64
/* Largest module index accepted in a reference. */
#define REF_INDEX_MAX 1023
/* Longest break= value ("rw:0xffffffffffffffff/8" is 23 characters). */
#define BREAK_VALUE_MAX 64

/* ---- small helpers ------------------------------------------------------- */

static void copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (!size)
		return;
	if (len > size - 1)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static bool is_sep(char c)
{
	return c == ',' || is_space(c);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool span_eq(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len == n && memcmp(p, word, n) == 0;
}

/* Bounded text builder: output is cut to fit, 'len' counts everything. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void __printf(2, 3) sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t off = b->len < b->size ? b->len : b->size;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(b->buf ? b->buf + off : NULL,
			  b->buf ? b->size - off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

static void sb_putc(struct sbuf *b, char c)
{
	if (b->buf && b->len + 1 < b->size) {
		b->buf[b->len] = c;
		b->buf[b->len + 1] = '\0';
	}
	b->len++;
}

static void sb_init(struct sbuf *b, char *buf, size_t size)
{
	b->buf = size ? buf : NULL;
	b->size = size;
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

static int __printf(3, 4) set_err(char *err, size_t errlen, const char *fmt,
				  ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- CPU sets ------------------------------------------------------------ */

static int cpu_number(const char *p, size_t len, uint64_t *cpu, char *err,
		      size_t errlen)
{
	if (!parse_u64(p, len, false, cpu))
		return set_err(err, errlen, "'%.*s' is not a CPU number",
			       (int)MIN(len, (size_t)ECHO_MAX), p);
	if (*cpu >= VMSPEC_MAX_PCPUS)
		return set_err(err, errlen, "CPU %llu out of range (0-%u)",
			       (unsigned long long)*cpu, VMSPEC_MAX_PCPUS - 1);
	return 0;
}

int parse_cpuset(const char *s, uint64_t *mask, char *err, size_t errlen)
{
	uint64_t m = 0, lo, hi;
	const char *p = s;

	if (!s || !*s)
		return set_err(err, errlen, "empty CPU set");
	for (;;) {
		const char *end = p, *dash = NULL;

		while (*end && *end != ',') {
			if (*end == '-' && !dash)
				dash = end;
			end++;
		}
		if (end == p)
			return set_err(err, errlen, "empty element in CPU set "
				       "'%.*s'", ECHO_MAX, s);
		if (dash) {
			if (cpu_number(p, (size_t)(dash - p), &lo, err,
				       errlen) ||
			    cpu_number(dash + 1, (size_t)(end - dash - 1), &hi,
				       err, errlen))
				return -1;
			if (lo > hi)
				return set_err(err, errlen, "reversed range "
					       "%llu-%llu",
					       (unsigned long long)lo,
					       (unsigned long long)hi);
		} else {
			if (cpu_number(p, (size_t)(end - p), &lo, err, errlen))
				return -1;
			hi = lo;
		}
		for (uint64_t c = lo; c <= hi; c++)
			m |= BIT(c);
		if (!*end)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

int format_cpuset(uint64_t mask, char *buf, size_t len)
{
	struct sbuf b;
	unsigned int c = 0;
	bool first = true;

	sb_init(&b, buf, len);
	while (c < 64) {
		if (!(mask & BIT(c))) {
			c++;
			continue;
		}
		unsigned int end = c;
		while (end + 1 < 64 && (mask & BIT(end + 1)))
			end++;
		sb_printf(&b, end > c ? "%s%u-%u" : "%s%u", first ? "" : ",",
			  c, end);
		first = false;
		c = end + 1;
	}
	return (int)b.len;
}

/* ---- tokenizer ----------------------------------------------------------- */

/* One item of a spec, as spans of the input (the value still quoted). */
struct item {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
	bool has_eq;
	bool unterminated; /* a quote in the value is never closed */
};

static bool is_pin_key(const char *k, size_t len)
{
	return span_eq(k, len, "pin") || span_eq(k, len, "affinity");
}

/* Scans a value up to an unquoted separator; returns where it ends. */
static const char *scan_value(const char *p, bool *unterminated)
{
	bool quoted = false;

	for (; *p; p++) {
		if (quoted) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			else if (*p == '"')
				quoted = false;
		} else if (*p == '"') {
			quoted = true;
		} else if (is_sep(*p)) {
			break;
		}
	}
	*unterminated = quoted;
	return p;
}

/* pin=0,2-3: take in following ",digits-and-dashes" items. */
static const char *extend_cpuset(const char *p)
{
	while (*p == ',') {
		const char *q = p + 1;
		while (is_digit(*q) || *q == '-')
			q++;
		if (q == p + 1 || (*q && !is_sep(*q)))
			break;
		p = q;
	}
	return p;
}

/* Returns false at the end of the spec. */
static bool next_item(const char **pp, struct item *it)
{
	const char *p = *pp;

	while (*p && is_sep(*p))
		p++;
	if (!*p) {
		*pp = p;
		return false;
	}
	memset(it, 0, sizeof(*it));
	it->key = p;
	while (*p && *p != '=' && !is_sep(*p))
		p++;
	it->klen = (size_t)(p - it->key);
	if (*p == '=') {
		it->has_eq = true;
		it->val = ++p;
		p = scan_value(p, &it->unterminated);
		if (!it->unterminated && is_pin_key(it->key, it->klen))
			p = extend_cpuset(p);
		it->vlen = (size_t)(p - it->val);
	}
	*pp = p;
	return true;
}

/* Removes quotes and escapes into out[size]; returns the full length. */
static size_t decode(const char *v, size_t vlen, char *out, size_t size)
{
	bool quoted = false;
	size_t n = 0;

	for (size_t i = 0; i < vlen; i++) {
		char c = v[i];
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && c == '\\' && i + 1 < vlen &&
		    (v[i + 1] == '"' || v[i + 1] == '\\'))
			c = v[++i];
		if (n + 1 < size)
			out[n] = c;
		n++;
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

/* ---- keys ---------------------------------------------------------------- */

enum key_id {
	K_NAME, K_KERNEL, K_MEM, K_CPUS, K_PIN, K_WEIGHT, K_CMDLINE, K_MODULE,
	K_BREAK, K_COUNT,
};

struct vctx {
	struct vm_spec *s;
	char *err;
	size_t errlen;
	char prefix[48];       /* "vm 'web': " */
	bool module_form;
	const char *seen[K_COUNT]; /* key name first used for each key */
	const char *key;       /* key being handled */
	const char *val;       /* its decoded value */
	size_t vlen;           /* full decoded length (may exceed the buffer) */
};

typedef int (*key_handler)(struct vctx *c);

struct key {
	const char *name;
	enum key_id id;
	key_handler handler;
};

static int __printf(2, 3) fail(struct vctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->err || !c->errlen)
		return -1;
	size_t n = strnlen(c->prefix, sizeof(c->prefix));
	copy_str(c->err, c->errlen, c->prefix, n);
	if (n < c->errlen - 1) {
		va_start(ap, fmt);
		fmt_vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The value, cut for a message, and the "..." that marks the cut. */
static int echo_len(const struct vctx *c)
{
	return (int)MIN(c->vlen, (size_t)ECHO_MAX);
}

static const char *echo_more(const struct vctx *c)
{
	return c->vlen > ECHO_MAX ? "..." : "";
}

static bool name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       is_digit(ch) || ch == '_' || ch == '-';
}

/* Checks a VM name; on error returns the message (without prefix). */
static int check_name(const char *v, size_t len, char *err, size_t errlen)
{
	if (len > VMSPEC_NAME_MAX)
		return set_err(err, errlen, "name '%.*s%s' is too long (%zu "
			       "characters, maximum %u)",
			       (int)MIN(len, (size_t)ECHO_MAX), v,
			       len > ECHO_MAX ? "..." : "", len,
			       VMSPEC_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(v[i]))
			return set_err(err, errlen, "name '%.*s' contains "
				       "'%c' (allowed: letters, digits, '_' "
				       "and '-')", (int)len, v, v[i]);
	return 0;
}

static int h_name(struct vctx *c)
{
	char msg[160];

	if (check_name(c->val, c->vlen, msg, sizeof(msg)))
		return fail(c, "%s", msg);
	copy_str(c->s->name, sizeof(c->s->name), c->val, c->vlen);
	return 0;
}

static bool all_digits(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(p[i]))
			return false;
	return len > 0;
}

/* A number is an index (all digits, or anything parse_u64 takes). */
static int parse_ref(struct vctx *c, struct vm_module_ref *ref)
{
	uint64_t idx;

	memset(ref, 0, sizeof(*ref));
	if (all_digits(c->val, c->vlen) ||
	    parse_u64(c->val, c->vlen, false, &idx)) {
		if (!parse_u64(c->val, c->vlen, false, &idx) ||
		    idx > REF_INDEX_MAX)
			return fail(c, "%s=%.*s%s: module index out of range "
				    "(0-%u)", c->key, echo_len(c), c->val,
				    echo_more(c), REF_INDEX_MAX);
		ref->is_index = true;
		ref->index = (unsigned int)idx;
		return 0;
	}
	if (c->vlen > VMSPEC_REF_NAME_MAX)
		return fail(c, "%s=%.*s%s: module name is too long (%zu "
			    "characters, maximum %u)", c->key, echo_len(c),
			    c->val, echo_more(c), c->vlen,
			    VMSPEC_REF_NAME_MAX);
	copy_str(ref->name, sizeof(ref->name), c->val, c->vlen);
	return 0;
}

static int h_kernel(struct vctx *c)
{
	if (c->module_form)
		return fail(c, "key 'kernel' is not allowed in a module's vm: "
			    "spec (the module itself is the kernel)");
	return parse_ref(c, &c->s->kernel);
}

static int h_module(struct vctx *c)
{
	if (c->s->nmodules == VMSPEC_MAX_MODULES)
		return fail(c, "too many modules: module=%.*s%s would be "
			    "number %u (maximum %u)", echo_len(c), c->val,
			    echo_more(c), VMSPEC_MAX_MODULES + 1,
			    VMSPEC_MAX_MODULES);
	if (parse_ref(c, &c->s->modules[c->s->nmodules]))
		return -1;
	c->s->nmodules++;
	return 0;
}

static bool has_size_suffix(const struct vctx *c)
{
	char last = c->val[c->vlen - 1];
	return last == 'K' || last == 'k' || last == 'M' || last == 'm' ||
	       last == 'G' || last == 'g';
}

static int h_mem(struct vctx *c)
{
	uint64_t v;

	if (!parse_u64(c->val, c->vlen, true, &v))
		return fail(c, "mem=%.*s%s is not a size (expected bytes with "
			    "an optional K, M or G suffix, e.g. 32M)",
			    echo_len(c), c->val, echo_more(c));
	if (v < VMSPEC_MEM_MIN)
		return fail(c, "mem=%.*s is too small (minimum %llu MiB)%s",
			    echo_len(c), c->val,
			    (unsigned long long)(VMSPEC_MEM_MIN / MiB),
			    has_size_suffix(c) ? "" :
			    "; a size without a K, M or G suffix is in bytes");
	if (v > VMSPEC_MEM_MAX)
		return fail(c, "mem=%.*s is too large (maximum %llu GiB: guest RAM "
			    "ends below the MMIO hole at 3-4 GiB)",
			    echo_len(c), c->val,
			    (unsigned long long)(VMSPEC_MEM_MAX / GiB));
	if (v % PAGE_SIZE)
		return fail(c, "mem=%.*s is not a multiple of 4 KiB",
			    echo_len(c), c->val);
	c->s->mem = v;
	return 0;
}

static int ranged(struct vctx *c, unsigned int min, unsigned int max,
		  unsigned int *out)
{
	uint64_t v;

	if (!parse_u64(c->val, c->vlen, false, &v))
		return fail(c, "%s=%.*s%s is not a number", c->key,
			    echo_len(c), c->val, echo_more(c));
	if (v < min || v > max)
		return fail(c, "%s=%.*s is out of range (%u-%u)", c->key,
			    echo_len(c), c->val, min, max);
	*out = (unsigned int)v;
	return 0;
}

static int h_cpus(struct vctx *c)
{
	return ranged(c, 1, VMSPEC_MAX_VCPUS, &c->s->ncpus);
}

static int h_weight(struct vctx *c)
{
	return ranged(c, 1, VMSPEC_MAX_WEIGHT, &c->s->weight);
}

static int h_pin(struct vctx *c)
{
	char msg[96];

	if (span_eq(c->val, c->vlen, "any")) {
		c->s->pin_mask = VMSPEC_PIN_ANY;
		return 0;
	}
	if (parse_cpuset(c->val, &c->s->pin_mask, msg, sizeof(msg)))
		return fail(c, "%s=%.*s%s: %s", c->key, echo_len(c), c->val,
			    echo_more(c), msg);
	return 0;
}

static int h_cmdline(struct vctx *c)
{
	copy_str(c->s->cmdline, sizeof(c->s->cmdline), c->val, c->vlen);
	return 0;
}

/* break=[TYPE:]ADDR[/LEN]: watchspec's syntax, but ADDR is a guest-linear
 * address, never a symbol (Tern knows none of the guest's). */
static int h_break(struct vctx *c)
{
	char msg[256]; /* holds any watchspec message for BREAK_VALUE_MAX */
	struct watch_spec *w;
	const char *t = strchr(c->val, ':');
	size_t n = 0;

	if (c->s->nbreaks == VMSPEC_MAX_BREAKS)
		return fail(c, "break= given more than %u times (a vCPU has %u "
			    "debug-address registers)", VMSPEC_MAX_BREAKS,
			    VMSPEC_MAX_BREAKS);
	if (c->vlen > BREAK_VALUE_MAX)
		return fail(c, "break=%.*s%s: value is too long (%zu "
			    "characters, maximum %u)", echo_len(c), c->val,
			    echo_more(c), c->vlen, BREAK_VALUE_MAX);
	/* The target, as watchspec finds it: after TYPE:, up to + or /. */
	t = t ? t + 1 : c->val;
	while (t[n] && t[n] != '+' && t[n] != '/')
		n++;
	if (n && !is_digit(t[0]))
		return fail(c, "break=%.*s%s: '%.*s' is not an address (give "
			    "the guest-linear address as a number, e.g. "
			    "0x101420; guest symbols are not known)",
			    echo_len(c), c->val, echo_more(c),
			    (int)MIN(n, (size_t)ECHO_MAX), t);
	w = &c->s->breaks[c->s->nbreaks];
	if (watchspec_parse(c->val, NULL, w, msg, sizeof(msg))) {
		/* Drop watchspec's own "watch=VALUE: " lead-in. */
		const char *m = msg;
		if (strncmp(m, "watch=", 6) == 0 &&
		    strncmp(m + 6, c->val, c->vlen) == 0 &&
		    strncmp(m + 6 + c->vlen, ": ", 2) == 0)
			m += 6 + c->vlen + 2;
		memset(w, 0, sizeof(*w));
		return fail(c, "break=%.*s%s: %s", echo_len(c), c->val,
			    echo_more(c), m);
	}
	/* The target as the address in hex, whatever was written (decimal,
	 * +OFFSET), so that messages and vmspec_format() agree. */
	memset(w->target, 0, sizeof(w->target));
	fmt_snprintf(w->target, sizeof(w->target), "%#llx",
		     (unsigned long long)w->addr);
	c->s->nbreaks++;
	return 0;
}

static const struct key keys[] = {
	{ "name", K_NAME, h_name },
	{ "kernel", K_KERNEL, h_kernel },
	{ "mem", K_MEM, h_mem },
	{ "cpus", K_CPUS, h_cpus },
	{ "vcpus", K_CPUS, h_cpus },
	{ "pin", K_PIN, h_pin },
	{ "affinity", K_PIN, h_pin },
	{ "weight", K_WEIGHT, h_weight },
	{ "cmdline", K_CMDLINE, h_cmdline },
	{ "module", K_MODULE, h_module },
	{ "break", K_BREAK, h_break },
};

static const struct key *find_key(const char *k, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (span_eq(k, len, keys[i].name))
			return &keys[i];
	return NULL;
}

/* ---- parser -------------------------------------------------------------- */

void vmspec_defaults(struct vm_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->mem = VMSPEC_MEM_DEFAULT;
	s->ncpus = 1;
	s->pin_mask = VMSPEC_PIN_ANY;
	s->weight = 1;
}

/* First pass: the first valid name= value, for the message prefix. */
static void find_name(const char *spec, char *name, size_t size)
{
	const char *p = spec;
	struct item it;
	char buf[VMSPEC_NAME_MAX + 2];

	name[0] = '\0';
	while (next_item(&p, &it)) {
		if (!span_eq(it.key, it.klen, "name") || !it.has_eq ||
		    it.unterminated)
			continue;
		size_t n = decode(it.val, it.vlen, buf, sizeof(buf));
		if (n && !check_name(buf, n, NULL, 0))
			copy_str(name, size, buf, n);
		return;
	}
}

static int handle_item(struct vctx *c, const struct item *it)
{
	char val[VMSPEC_CMDLINE_MAX + 1];
	const struct key *k = find_key(it->key, it->klen);

	if (!it->klen)
		return fail(c, "empty key in '=%.*s'",
			    (int)MIN(it->vlen, (size_t)ECHO_MAX), it->val);
	if (!k)
		return fail(c, "unknown key '%.*s%s'",
			    (int)MIN(it->klen, (size_t)ECHO_MAX), it->key,
			    it->klen > ECHO_MAX ? "..." : "");
	if (!it->has_eq)
		return fail(c, "key '%s' needs a value", k->name);
	if (it->unterminated)
		return fail(c, "unterminated quote in %s", k->name);
	if (c->seen[k->id] && k->id != K_MODULE && k->id != K_BREAK) {
		if (strcmp(c->seen[k->id], k->name) == 0)
			return fail(c, "duplicate key '%s'", k->name);
		return fail(c, "duplicate key '%s' (same as '%s')", k->name,
			    c->seen[k->id]);
	}
	c->seen[k->id] = k->name;
	c->key = k->name;
	c->val = val;
	c->vlen = decode(it->val, it->vlen, val, sizeof(val));
	if (!c->vlen && k->id != K_CMDLINE)
		return fail(c, "empty value for '%s'", k->name);
	/* Past this, handlers can rely on a whole, terminated value. */
	if (c->vlen > VMSPEC_CMDLINE_MAX && k->id == K_CMDLINE)
		return fail(c, "cmdline is %zu characters, longer than %u",
			    c->vlen, VMSPEC_CMDLINE_MAX);
	if (c->vlen > VMSPEC_CMDLINE_MAX)
		return fail(c, "%s=%.*s%s: value is too long (%zu characters)",
			    k->name, echo_len(c), c->val, echo_more(c),
			    c->vlen);
	return k->handler(c);
}

static int parse_common(const char *spec, struct vm_spec *out, bool module,
			unsigned int module_index, char *err, size_t errlen)
{
	struct vctx c;
	struct item it;
	char name[VMSPEC_NAME_MAX + 1];
	const char *p = spec ? spec : "";

	memset(&c, 0, sizeof(c));
	c.s = out;
	c.err = err;
	c.errlen = errlen;
	c.module_form = module;
	if (err && errlen)
		err[0] = '\0';
	vmspec_defaults(out);

	find_name(p, name, sizeof(name));
	if (module)
		fmt_snprintf(c.prefix, sizeof(c.prefix), name[0] ?
			     "vm '%s' (module %u): " : "vm%s (module %u): ",
			     name, module_index);
	else
		fmt_snprintf(c.prefix, sizeof(c.prefix), name[0] ?
			     "vm '%s': " : "vm%s: ", name);

	while (next_item(&p, &it))
		if (handle_item(&c, &it))
			return -1;
	if (!c.seen[K_NAME])
		return fail(&c, "missing name");
	if (module) {
		out->from_module = true;
		out->kernel.is_index = true;
		out->kernel.index = module_index;
	} else if (!c.seen[K_KERNEL]) {
		return fail(&c, "missing kernel (kernel=<module index or "
			    "name>)");
	}
	return 0;
}

int vmspec_parse(const char *spec, struct vm_spec *out, char *err,
		 size_t errlen)
{
	return parse_common(spec, out, false, 0, err, errlen);
}

const char *vmspec_module_spec(const char *modline)
{
	const char *p = modline;

	if (!p)
		return NULL;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			return NULL;
		if (strncmp(p, "vm:", 3) == 0)
			return p + 3;
		while (*p && !is_space(*p))
			p++;
	}
}

int vmspec_parse_module(const char *modline, unsigned int module_index,
			struct vm_spec *out, char *err, size_t errlen)
{
	const char *spec = vmspec_module_spec(modline);

	if (err && errlen)
		err[0] = '\0';
	if (!spec)
		return 0;
	if (parse_common(spec, out, true, module_index, err, errlen))
		return -1;
	return 1;
}

/* ---- module references --------------------------------------------------- */

/* Does module line 'line' carry the name 'name' (first word or basename)? */
static bool module_named(const char *line, const char *name)
{
	const char *p = line ? line : "";
	size_t n = strlen(name);

	if (!n)
		return false;
	while (is_space(*p))
		p++;
	const char *w = p, *base = p;
	while (*p && !is_space(*p)) {
		if (*p == '/')
			base = p + 1;
		p++;
	}
	size_t wlen = (size_t)(p - w);
	if (wlen >= 3 && strncmp(w, "vm:", 3) == 0)
		return false; /* the line starts with its spec: no name */
	return (wlen == n && memcmp(w, name, n) == 0) ||
	       ((size_t)(p - base) == n && memcmp(base, name, n) == 0);
}

int vmspec_resolve(const struct vm_module_ref *ref, const char *what,
		   const char *const *modlines, unsigned int nmods,
		   unsigned int *index, char *err, size_t errlen)
{
	unsigned int found = 0, first = 0;

	if (ref->is_index) {
		if (ref->index >= nmods)
			return set_err(err, errlen, "%s=%u: there is no module "
				       "%u (%u module%s, numbered from 0)",
				       what, ref->index, ref->index, nmods,
				       nmods == 1 ? "" : "s");
		*index = ref->index;
		return 0;
	}
	for (unsigned int i = 0; i < nmods; i++) {
		if (!module_named(modlines[i], ref->name))
			continue;
		if (found++ == 0) {
			first = i;
			continue;
		}
		return set_err(err, errlen, "%s=%s: modules %u and %u are both "
			       "named '%s'; use an index", what, ref->name,
			       first, i, ref->name);
	}
	if (!found)
		return set_err(err, errlen, "%s=%s: no module is named '%s'",
			       what, ref->name, ref->name);
	*index = first;
	return 0;
}

int vmspec_resolve_all(const struct vm_spec *s, const char *const *modlines,
		       unsigned int nmods, unsigned int *kernel,
		       unsigned int *mods, char *err, size_t errlen)
{
	char msg[160];

	if (vmspec_resolve(&s->kernel, "kernel", modlines, nmods, kernel, msg,
			   sizeof(msg)))
		return set_err(err, errlen, "vm '%s': %s", s->name, msg);
	for (unsigned int i = 0; i < s->nmodules; i++)
		if (vmspec_resolve(&s->modules[i], "module", modlines, nmods,
				   &mods[i], msg, sizeof(msg)))
			return set_err(err, errlen, "vm '%s': %s", s->name,
				       msg);
	return 0;
}

int vmspec_check_unique(const struct vm_spec *specs, unsigned int n,
			char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (strcmp(specs[i].name, specs[j].name) == 0)
				return set_err(err, errlen, "duplicate VM name "
					       "'%s' (VMs %u and %u)",
					       specs[i].name, i, j);
	return 0;
}

/* ---- formatting ---------------------------------------------------------- */

/* A value that parses back to itself: quoted when it must be. */
static void put_value(struct sbuf *b, const char *v, bool force_quotes)
{
	bool quote = force_quotes || !*v;

	for (const char *p = v; *p && !quote; p++)
		quote = is_sep(*p) || *p == '"' || *p == '\\';
	if (!quote) {
		sb_printf(b, "%s", v);
		return;
	}
	sb_putc(b, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_putc(b, '\\');
		sb_putc(b, *p);
	}
	sb_putc(b, '"');
}

static void put_ref(struct sbuf *b, const char *key,
		    const struct vm_module_ref *r)
{
	if (r->is_index) {
		sb_printf(b, ",%s=%u", key, r->index);
		return;
	}
	sb_printf(b, ",%s=", key);
	put_value(b, r->name, false);
}

static void put_size(struct sbuf *b, uint64_t v)
{
	static const char suffix[] = "GMK";

	for (unsigned int i = 0; i < 3; i++) {
		uint64_t unit = 1ULL << (10 * (3 - i));
		if (v && v % unit == 0) {
			sb_printf(b, "%llu%c", (unsigned long long)(v / unit),
				  suffix[i]);
			return;
		}
	}
	sb_printf(b, "%llu", (unsigned long long)v);
}

int vmspec_format(const struct vm_spec *spec, char *buf, size_t len)
{
	struct sbuf b;
	char set[200];

	sb_init(&b, buf, len);
	sb_printf(&b, "name=%s", spec->name);
	put_ref(&b, "kernel", &spec->kernel);
	sb_printf(&b, ",mem=");
	put_size(&b, spec->mem);
	sb_printf(&b, ",cpus=%u,pin=", spec->ncpus);
	if (spec->pin_mask == VMSPEC_PIN_ANY) {
		sb_printf(&b, "any");
	} else {
		format_cpuset(spec->pin_mask, set, sizeof(set));
		sb_printf(&b, "%s", set);
	}
	sb_printf(&b, ",weight=%u,cmdline=", spec->weight);
	put_value(&b, spec->cmdline, true);
	for (unsigned int i = 0; i < spec->nmodules; i++)
		put_ref(&b, "module", &spec->modules[i]);
	for (unsigned int i = 0; i < spec->nbreaks; i++) {
		const struct watch_spec *w = &spec->breaks[i];
		sb_printf(&b, ",break=%s:%#llx",
			  w->kind == WATCH_EXEC ? "x" :
			  w->kind == WATCH_WRITE ? "w" : "rw",
			  (unsigned long long)w->addr);
		if (w->kind != WATCH_EXEC)
			sb_printf(&b, "/%u", w->len);
	}
	return (int)b.len;
}
