/* Picks the loader for a guest kernel (see loader.h). */
#include "hv/loader.h"
#include "hv/fmt.h"

extern const struct guest_loader *const __guest_loaders_start[], *const __guest_loaders_end[];

int guest_load(const struct guest_image *img, const char *cmdline,
	       const struct guest_mem_view *mem, struct guest_boot *out,
	       char *err, size_t errlen)
{
	size_t n = (size_t)fmt_snprintf(err, errlen, "not a kernel Tern can load:");
	for (const struct guest_loader *const *l = __guest_loaders_start;
	     l < __guest_loaders_end; l++) {
		char why[160];
		if ((*l)->probe(img->kernel, img->kernel_len, why, sizeof(why)))
			return (*l)->load(img, cmdline, mem, out, err, errlen);
		if (n < errlen)
			n += (size_t)fmt_snprintf(err + n, errlen - n, "%s %s: %s",
						  l == __guest_loaders_start ? "" : ";",
						  (*l)->name, why);
	}
	return -1;
}
