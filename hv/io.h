/* Guest device access: the port I/O and MMIO buses of a VM. Devices
 * register ranges with handlers; anything unclaimed falls to the defaults
 * (ports read all-ones and ignore writes, logged once per port; MMIO stops
 * the VM with a report). */
#ifndef TERN_IO_H
#define TERN_IO_H

#include "hv/types.h"

struct vcpu;
struct vm;

typedef uint32_t (*pio_read_fn)(void *dev, struct vcpu *v, uint16_t port, unsigned int size);
typedef void (*pio_write_fn)(void *dev, struct vcpu *v, uint16_t port, unsigned int size,
			     uint32_t val);
typedef bool (*mmio_read_fn)(void *dev, struct vcpu *v, gpa_t gpa, unsigned int size,
			     uint64_t *val);
typedef bool (*mmio_write_fn)(void *dev, struct vcpu *v, gpa_t gpa, unsigned int size,
			      uint64_t val);

#define IO_MAX_HANDLERS 16
#define MMIO_MAX_HANDLERS 8

struct pio_handler {
	uint16_t base, len;
	pio_read_fn read;
	pio_write_fn write;
	void *dev;
	const char *name;
};

struct io_bus {
	struct pio_handler h[IO_MAX_HANDLERS];
	unsigned int n;
	uint8_t unknown_logged[65536 / 8]; /* one warning per port */
	uint64_t unknown_accesses;
};

struct mmio_handler {
	gpa_t base;
	uint64_t len;
	mmio_read_fn read;
	mmio_write_fn write;
	void *dev;
	const char *name;
};

struct mmio_bus {
	struct mmio_handler h[MMIO_MAX_HANDLERS];
	unsigned int n;
};

bool pio_register(struct vm *vm, uint16_t base, uint16_t len, pio_read_fn rd,
		  pio_write_fn wr, void *dev, const char *name);
bool mmio_register(struct vm *vm, gpa_t base, uint64_t len, mmio_read_fn rd,
		   mmio_write_fn wr, void *dev, const char *name);

/* Performs a guest IN (returns the value) or OUT. 'size' is 1, 2 or 4. */
uint32_t pio_in(struct vcpu *v, uint16_t port, unsigned int size);
void pio_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t val);
/* Performs an MMIO access; false if no device claims the address. */
bool mmio_access(struct vcpu *v, gpa_t gpa, unsigned int size, bool write, uint64_t *val);

/* Device types: each device file registers one with VDEV_REGISTER and
 * is attached to every VM at creation, so adding a device is adding a file. */
struct vdev_type {
	const char *name;
	bool (*attach)(struct vm *vm); /* registers its handlers */
};

#define VDEV_REGISTER(t)                                                  \
	static const struct vdev_type *const __vdev_ptr_##t                \
		__attribute__((used, section(".vdev_types"))) = &(t)

/* Attaches every registered device type to 'vm'. */
bool vdev_attach_all(struct vm *vm);

#endif
