/* ACPI S5 power-off, set up from the FADT and the DSDT's \_S5 object. */
#ifndef ARCH_X86_ACPI_POWER_H
#define ARCH_X86_ACPI_POWER_H

/* Tries to power the machine off; returns if that was not possible. */
void acpi_power_off(void);

#endif
