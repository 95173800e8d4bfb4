/* Port 0xF4 debug exit, as QEMU's isa-debug-exit device: a write of value
 * v ends the VM with status (v << 1) | 1. Reads return all-ones. */
#include "hv/io.h"
#include "hv/vm.h"

#define DEBUG_EXIT_PORT 0xf4

static void debug_exit_write(void *dev, struct vcpu *v, uint16_t port, unsigned int size,
			     uint32_t val)
{
	vm_end(v->vm, VM_END_DEBUG_EXIT, (val << 1) | 1,
	       "debug exit: wrote %#x to port %#x", val, port);
}

static bool debug_exit_attach(struct vm *vm)
{
	return pio_register(vm, DEBUG_EXIT_PORT, 4, NULL, debug_exit_write, NULL,
			    "debug exit");
}

static const struct vdev_type debug_exit_type = { "debug exit (0xF4)", debug_exit_attach };
VDEV_REGISTER(debug_exit_type);
