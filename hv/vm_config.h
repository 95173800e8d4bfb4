/* Creating the VMs the boot configuration describes. */
#ifndef TERN_VM_CONFIG_H
#define TERN_VM_CONFIG_H

struct boot_info;
struct tern_options;

/* Creates every configured VM; returns how many can run. */
unsigned int vm_config_create_all(const struct boot_info *bi, const struct tern_options *o);

#endif
