/* TSC calibration against PIT channel 2 (the speaker gate, which can be
 * polled without interrupts): count TSC ticks while the PIT counts down a
 * known interval. In Bochs the TSC counts instructions, so its "frequency"
 * is the configured ips; that is fine, as long as it is used consistently. */
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "hv/log.h"

#define PIT_HZ 1193182ULL
#define CAL_MS 10

static uint64_t hz = 1000000000ULL; /* until calibrated: assume 1 GHz */

void tsc_calibrate(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CAL_MS / 1000);

	/* Gate high, speaker off; channel 2, lobyte/hibyte, mode 0. */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));

	uint64_t t0 = rdtsc();
	uint64_t spins = 0;
	/* OUT2 (bit 5 of port 0x61) goes high when the count reaches 0. */
	while (!(inb(0x61) & 0x20)) {
		if (++spins > 100000000ULL) {
			log_warn("PIT does not count; assuming a 1 GHz TSC");
			return;
		}
	}
	uint64_t t1 = rdtsc();
	if (t1 > t0)
		hz = (t1 - t0) * 1000 / CAL_MS;
	log_info("TSC: %llu.%03llu MHz (calibrated against the PIT)",
		 (unsigned long long)(hz / 1000000),
		 (unsigned long long)(hz / 1000 % 1000));
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_from_us(uint64_t us)
{
	return us * (hz / 1000000) + us * (hz % 1000000) / 1000000;
}

uint64_t tsc_to_us(uint64_t ticks)
{
	return ticks / (hz / 1000000 ? hz / 1000000 : 1);
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_from_us(us);
	while (rdtsc() < end)
		cpu_relax();
}
