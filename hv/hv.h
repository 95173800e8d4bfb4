/* The hypervisor proper: VMX on every CPU, then the VMs. */
#ifndef TERN_HV_H
#define TERN_HV_H

#include "hv/types.h"

/* Entry of each application processor once its arch setup is done. */
__noreturn void hv_ap_main(void);

#endif
