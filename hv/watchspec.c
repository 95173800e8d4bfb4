/* Parsing of watch= specs (see watchspec.h). */
#include "hv/watchspec.h"
#include "hv/cmdline.h"
#include "hv/fmt.h"
#include "hv/lib.h"

const char *watch_kind_name(enum watch_kind k)
{
	return k == WATCH_EXEC ? "execute" : k == WATCH_WRITE ? "write" : "read/write";
}

int watchspec_parse(const char *s, watch_sym_fn sym, struct watch_spec *out, char *err,
		    size_t errlen)
{
	const char *p = s, *colon = strchr(s, ':');
	memset(out, 0, sizeof(*out));
	out->kind = WATCH_WRITE;
	if (colon) {
		size_t n = (size_t)(colon - s);
		if (n == 1 && s[0] == 'w')
			out->kind = WATCH_WRITE;
		else if (n == 2 && !strncmp(s, "rw", 2))
			out->kind = WATCH_RW;
		else if (n == 1 && s[0] == 'x')
			out->kind = WATCH_EXEC;
		else {
			fmt_snprintf(err, errlen, "watch=%s: unknown type '%.*s' (use w, rw or x)", s,
				     (int)n, s);
			return -1;
		}
		p = colon + 1;
	}
	/* TARGET ends at '+', '/' or the end. */
	size_t tlen = 0;
	while (p[tlen] && p[tlen] != '+' && p[tlen] != '/')
		tlen++;
	if (!tlen) {
		fmt_snprintf(err, errlen, "watch=%s: no symbol or address", s);
		return -1;
	}
	fmt_snprintf(out->target, sizeof(out->target), "%.*s", (int)tlen, p);
	if (p[0] >= '0' && p[0] <= '9') {
		if (!parse_u64(p, tlen, false, &out->addr)) {
			fmt_snprintf(err, errlen, "watch=%s: bad address '%.*s'", s, (int)tlen, p);
			return -1;
		}
	} else if (!sym || !sym(p, tlen, &out->addr)) {
		fmt_snprintf(err, errlen, "watch=%s: unknown symbol '%.*s'%s", s, (int)tlen, p,
			     sym ? "" : " (no symbol table: boot with the ternsyms module)");
		return -1;
	}
	p += tlen;
	if (*p == '+') {
		size_t n = 0;
		uint64_t off;
		p++;
		while (p[n] && p[n] != '/')
			n++;
		if (!n || !parse_u64(p, n, false, &off)) {
			fmt_snprintf(err, errlen, "watch=%s: bad offset", s);
			return -1;
		}
		out->addr += off;
		p += n;
	}
	out->len = out->kind == WATCH_EXEC ? 1 : 4;
	if (*p == '/') {
		uint64_t len;
		p++;
		if (!parse_u64(p, strlen(p), false, &len) ||
		    (len != 1 && len != 2 && len != 4 && len != 8)) {
			fmt_snprintf(err, errlen, "watch=%s: length must be 1, 2, 4 or 8", s);
			return -1;
		}
		out->len = (unsigned int)len;
	}
	if (out->kind == WATCH_EXEC && out->len != 1) {
		fmt_snprintf(err, errlen, "watch=%s: execute watchpoints have length 1", s);
		return -1;
	}
	if (out->addr & (out->len - 1)) {
		fmt_snprintf(err, errlen, "watch=%s: address %#llx is not aligned to its length %u",
			     s, (unsigned long long)out->addr, out->len);
		return -1;
	}
	return 0;
}
