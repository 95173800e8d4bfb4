/* What the boot path hands to the rest of Tern. */
#ifndef TERN_BOOT_H
#define TERN_BOOT_H

#include "hv/cmdline.h"
#include "hv/mb2.h"

extern struct boot_info boot_info;
extern struct tern_options options;

/* Runs the hypervisor proper (VMX, VMs); returns when every VM has ended. */
void hv_start(const struct boot_info *bi, const struct tern_options *o);

#endif
