/* Port 0x80, the POST-code / I/O-delay port: writes are ignored, reads
 * return all-ones, and no warning is logged (guests use it constantly). */
#include "hv/io.h"
#include "hv/vm.h"

static uint32_t port80_read(void *dev, struct vcpu *v, uint16_t port, unsigned int size)
{
	return 0xffffffffu;
}

static void port80_write(void *dev, struct vcpu *v, uint16_t port, unsigned int size,
			 uint32_t val)
{
}

static bool port80_attach(struct vm *vm)
{
	return pio_register(vm, 0x80, 1, port80_read, port80_write, NULL, "port 0x80");
}

static const struct vdev_type port80_type = { "POST port 0x80", port80_attach };
VDEV_REGISTER(port80_type);
