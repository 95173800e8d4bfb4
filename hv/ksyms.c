/* Symbol lookup over the text of the "ternsyms" module: lines of
 * "<hex address> <name>", as `nm -n | awk '{print $1, $3}'` writes them.
 * The text is scanned on each lookup: lookups happen at boot (watch=) and
 * in rare reports, never on a hot path. */
#include "hv/ksyms.h"
#include "hv/lib.h"
#include "hv/mb2.h"
#include "hv/pmm.h"

static const char *text;
static size_t text_len;

void ksyms_init(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nmodules; i++) {
		const char *c = bi->modules[i].cmdline;
		if (!strncmp(c, "ternsyms", 8) && (c[8] == '\0' || c[8] == ' ')) {
			text = phys_to_virt(bi->modules[i].start);
			text_len = bi->modules[i].end - bi->modules[i].start;
			return;
		}
	}
}

bool ksyms_available(void)
{
	return text != NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses one line at text[*pos]: sets addr and the name span; advances. */
static bool next_line(size_t *pos, uint64_t *addr, const char **name, size_t *name_len)
{
	while (*pos < text_len) {
		size_t p = *pos, end = p;
		while (end < text_len && text[end] != '\n')
			end++;
		*pos = end + 1;
		uint64_t a = 0;
		int digits = 0;
		while (p < end && hexval(text[p]) >= 0) {
			a = a << 4 | (uint64_t)hexval(text[p++]);
			digits++;
		}
		if (!digits || p >= end || text[p] != ' ')
			continue;
		p++;
		*addr = a;
		*name = text + p;
		*name_len = end - p;
		return true;
	}
	return false;
}

bool ksym_lookup(const char *name, size_t len, uint64_t *addr)
{
	size_t pos = 0, nl;
	const char *n;
	uint64_t a;

	while (next_line(&pos, &a, &n, &nl))
		if (nl == len && !memcmp(n, name, len)) {
			*addr = a;
			return true;
		}
	return false;
}

const char *ksym_name(uint64_t addr, uint64_t *off, char *buf, size_t len)
{
	size_t pos = 0, nl, best_len = 0;
	const char *n, *best = NULL;
	uint64_t a, best_addr = 0;

	while (next_line(&pos, &a, &n, &nl))
		if (a <= addr && a >= best_addr) {
			best = n;
			best_len = nl;
			best_addr = a;
		}
	if (!best || !len)
		return NULL;
	size_t c = MIN(best_len, len - 1);
	memcpy(buf, best, c);
	buf[c] = '\0';
	*off = addr - best_addr;
	return buf;
}
