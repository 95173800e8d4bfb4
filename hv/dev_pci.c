/* PCI configuration mechanism #1 (ports 0xCF8 address, 0xCFC-0xCFF data)
 * with no devices behind it: the address register keeps what is written,
 * every configuration read returns all-ones ("no device"), writes are
 * dropped. Enough for a guest to probe the bus and find it empty. */
#include "hv/heap.h"
#include "hv/io.h"
#include "hv/vm.h"

struct pci_host {
	uint32_t addr;
};

static uint32_t pci_addr_read(void *dev, struct vcpu *v, uint16_t port, unsigned int size)
{
	struct pci_host *p = dev;
	if (size != 4)
		return 0xffffffffu;
	return p->addr;
}

static void pci_addr_write(void *dev, struct vcpu *v, uint16_t port, unsigned int size,
			   uint32_t val)
{
	struct pci_host *p = dev;
	if (size == 4)
		p->addr = val & 0x80fffffcu;
}

static uint32_t pci_data_read(void *dev, struct vcpu *v, uint16_t port, unsigned int size)
{
	return 0xffffffffu;
}

static void pci_data_write(void *dev, struct vcpu *v, uint16_t port, unsigned int size,
			   uint32_t val)
{
}

static bool pci_attach(struct vm *vm)
{
	struct pci_host *p = kzalloc(sizeof(*p));
	return p && pio_register(vm, 0xcf8, 4, pci_addr_read, pci_addr_write, p, "PCI address") &&
	       pio_register(vm, 0xcfc, 4, pci_data_read, pci_data_write, p, "PCI data");
}

static const struct vdev_type pci_type = { "PCI host (empty bus)", pci_attach };
VDEV_REGISTER(pci_type);
