/* hv.h: is there a hypervisor below us, and is it Tern? */
#ifndef GUEST_HV_H
#define GUEST_HV_H

/* If CPUID.1:ECX[31] (hypervisor present) is set, copy the 12-character
 * vendor signature of leaf 0x40000000 (EBX, ECX, EDX) into sig and return
 * 1; otherwise sig is "" and the result 0. */
int hv_signature(char sig[13]);

/* Whether the signature is Tern's, "TernTernTern". */
int hv_is_tern(void);

#endif
