/* The VM's port I/O and MMIO buses. */
#include "hv/io.h"
#include "hv/log.h"
#include "hv/vm.h"

extern const struct vdev_type *const __vdev_types_start[], *const __vdev_types_end[];

bool pio_register(struct vm *vm, uint16_t base, uint16_t len, pio_read_fn rd,
		  pio_write_fn wr, void *dev, const char *name)
{
	struct io_bus *bus = &vm->io;
	if (bus->n == IO_MAX_HANDLERS || !len)
		return false;
	bus->h[bus->n++] = (struct pio_handler){ base, len, rd, wr, dev, name };
	return true;
}

bool mmio_register(struct vm *vm, gpa_t base, uint64_t len, mmio_read_fn rd,
		   mmio_write_fn wr, void *dev, const char *name)
{
	struct mmio_bus *bus = &vm->mmio;
	if (bus->n == MMIO_MAX_HANDLERS || !len)
		return false;
	bus->h[bus->n++] = (struct mmio_handler){ base, len, rd, wr, dev, name };
	return true;
}

static const struct pio_handler *pio_find(struct io_bus *bus, uint16_t port)
{
	for (unsigned i = 0; i < bus->n; i++)
		if ((uint16_t)(port - bus->h[i].base) < bus->h[i].len)
			return &bus->h[i];
	return NULL;
}

static void unknown_port(struct vcpu *v, uint16_t port, bool write)
{
	struct io_bus *bus = &v->vm->io;
	bus->unknown_accesses++;
	if (bus->unknown_logged[port / 8] & (1u << (port % 8)))
		return;
	bus->unknown_logged[port / 8] |= (uint8_t)(1u << (port % 8));
	log_info("vm %s: %s of unemulated port %#x (%s; logged once per port)",
		 v->vm->name, write ? "write" : "read", port,
		 write ? "ignored" : "reads all-ones");
}

uint32_t pio_in(struct vcpu *v, uint16_t port, unsigned int size)
{
	const struct pio_handler *h = pio_find(&v->vm->io, port);
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	if (h && h->read)
		return h->read(h->dev, v, port, size) & mask;
	if (!h)
		unknown_port(v, port, false);
	return mask;
}

void pio_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t val)
{
	const struct pio_handler *h = pio_find(&v->vm->io, port);
	if (h && h->write)
		h->write(h->dev, v, port, size, val);
	else if (!h)
		unknown_port(v, port, true);
}

bool mmio_access(struct vcpu *v, gpa_t gpa, unsigned int size, bool write, uint64_t *val)
{
	struct mmio_bus *bus = &v->vm->mmio;
	for (unsigned i = 0; i < bus->n; i++) {
		const struct mmio_handler *h = &bus->h[i];
		if (gpa - h->base < h->len)
			return write ? h->write(h->dev, v, gpa, size, *val)
				     : h->read(h->dev, v, gpa, size, val);
	}
	return false;
}

bool vdev_attach_all(struct vm *vm)
{
	for (const struct vdev_type *const *t = __vdev_types_start; t < __vdev_types_end; t++) {
		if (!(*t)->attach(vm)) {
			log_err("vm %s: could not attach device %s", vm->name, (*t)->name);
			return false;
		}
	}
	return true;
}
