/* Exit-qualification decoding (SDM Vol. 3, 28.2.1, Tables 28-1 to 28-7).
 * Pure code, unit-tested on the host. */
#include "arch/x86/vmexit.h"

struct io_qual exitqual_io(uint64_t q)
{
	return (struct io_qual){
		.size = (unsigned int)(q & 7) + 1,
		.in = q & BIT(3),
		.string = q & BIT(4),
		.rep = q & BIT(5),
		.imm = q & BIT(6),
		.port = (uint16_t)(q >> 16),
	};
}

struct io_string_info exitqual_io_string(uint32_t info)
{
	unsigned int asz = (info >> 7) & 7;
	return (struct io_string_info){
		.addr_mask = asz == 0 ? 0xffffULL : asz == 1 ? 0xffffffffULL : ~0ULL,
		.seg = (info >> 15) & 7,
		.valid = asz <= 2,
	};
}

struct cr_qual exitqual_cr(uint64_t q)
{
	return (struct cr_qual){
		.cr = (unsigned int)(q & 0xf),
		.type = (unsigned int)((q >> 4) & 3),
		.gpr = (unsigned int)((q >> 8) & 0xf),
		.lmsw_src = (uint16_t)(q >> 16),
	};
}

struct dr_qual exitqual_dr(uint64_t q)
{
	return (struct dr_qual){
		.dr = (unsigned int)(q & 7),
		.from_dr = q & BIT(4),
		.gpr = (unsigned int)((q >> 8) & 0xf),
	};
}

struct ept_qual exitqual_ept(uint64_t q)
{
	return (struct ept_qual){
		.read = q & BIT(0),
		.write = q & BIT(1),
		.fetch = q & BIT(2),
		.readable = q & BIT(3),
		.writable = q & BIT(4),
		.executable = q & BIT(5),
		.gla_valid = q & BIT(7),
	};
}
