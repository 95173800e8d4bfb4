/* cmdline.c: parse the space-separated key=value items that Tern, QEMU's
 * -append and GRUB's multiboot line pass in mb1_info.cmdline. */
#include "cmdline.h"
#include "string.h"

const char *cmdline_str(const struct mb1_info *mbi)
{
	if (!mbi || !(mbi->flags & MB1_INFO_CMDLINE) || !mbi->cmdline)
		return "";
	return (const char *)(uintptr_t)mbi->cmdline;
}

/* The value of the first item "key=...", its length in *vlen; NULL if none. */
static const char *find_value(const struct mb1_info *mbi, const char *key,
			      size_t *vlen)
{
	const char *p = cmdline_str(mbi);
	size_t klen = strlen(key);

	while (*p) {
		const char *item;
		size_t n = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		item = p;
		while (item[n] && item[n] != ' ' && item[n] != '\t')
			n++;
		p = item + n;
		if (n > klen && item[klen] == '=' && !strncmp(item, key, klen)) {
			*vlen = n - klen - 1;
			return item + klen + 1;
		}
	}
	return NULL;
}

int cmdline_get(const struct mb1_info *mbi, const char *key, char *buf,
		size_t len)
{
	size_t vlen, i;
	const char *v = find_value(mbi, key, &vlen);

	if (len)
		buf[0] = '\0';
	if (!v)
		return -1;
	for (i = 0; len && i < vlen && i < len - 1; i++)
		buf[i] = v[i];
	if (len)
		buf[i] = '\0';
	return (int)vlen;
}

uint32_t cmdline_get_u32(const struct mb1_info *mbi, const char *key,
			 uint32_t def)
{
	size_t vlen, i = 0;
	const char *v = find_value(mbi, key, &vlen);
	uint32_t base = 10, n = 0;

	if (!v || !vlen)
		return def;
	if (vlen > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < vlen; i++) {
		char c = v[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return def;
		n = n * base + d;
	}
	return n;
}

int cmdline_has_item(const struct mb1_info *mbi, const char *key,
		     const char *item)
{
	size_t vlen, ilen = strlen(item);
	const char *v = find_value(mbi, key, &vlen);
	const char *end;

	if (!v)
		return 0;
	end = v + vlen;
	while (v < end) {
		const char *comma = v;

		while (comma < end && *comma != ',')
			comma++;
		if ((size_t)(comma - v) == ilen && !strncmp(v, item, ilen))
			return 1;
		v = comma + 1;
	}
	return 0;
}
