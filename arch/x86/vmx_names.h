/* Names for VMX numbers: exit reasons and VM-instruction errors. Pure. */
#ifndef ARCH_X86_VMX_NAMES_H
#define ARCH_X86_VMX_NAMES_H

#include "hv/types.h"

const char *vmx_exit_reason_name(uint32_t basic_reason);
const char *vmx_insn_error_name(uint32_t err);

#endif
