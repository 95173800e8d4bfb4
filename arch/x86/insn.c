/* x86 decoder for the MOV forms used on MMIO (see insn.h). Pure code.
 * Encoding rules from SDM Vol. 2, chapter 2 (prefixes, REX, ModRM/SIB,
 * Tables 2-1 to 2-3 for the 16- and 32-bit addressing forms). */
#include "arch/x86/insn.h"

struct cursor {
	const uint8_t *buf;
	size_t avail;
	size_t pos;
};

static bool next(struct cursor *c, uint8_t *b)
{
	if (c->pos >= c->avail || c->pos >= INSN_MAX_LEN)
		return false;
	*b = c->buf[c->pos++];
	return true;
}

/* Reads an n-byte little-endian value, sign-extended to 64 bits. */
static bool next_signed(struct cursor *c, unsigned int n, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t b;
		if (!next(c, &b))
			return false;
		x |= (uint64_t)b << (8 * i);
	}
	if (n && n < 8 && (x >> (8 * n - 1)) & 1)
		x |= ~0ULL << (8 * n);
	*v = x;
	return true;
}

static bool skip(struct cursor *c, unsigned int n)
{
	uint64_t unused;
	return next_signed(c, n, &unused);
}

/* ModRM (+ SIB + displacement) of a memory operand; the register field
 * is returned in *reg (REX.R applied). */
static int modrm(struct cursor *c, unsigned int addr_size, uint8_t rex, uint8_t *reg)
{
	uint8_t m;
	if (!next(c, &m))
		return INSN_ERR_TRUNCATED;
	unsigned mod = m >> 6, rm = m & 7;
	*reg = (uint8_t)(((m >> 3) & 7) | ((rex & 4) << 1));
	if (mod == 3)
		return INSN_ERR_NOT_MEMORY;
	unsigned disp;
	if (addr_size == 2) {
		/* Table 2-1: [BX+SI] ... [BX]; mod 0 rm 6 is a bare disp16. */
		disp = mod == 1 ? 1 : mod == 2 ? 2 : (rm == 6 ? 2 : 0);
	} else {
		/* Table 2-2/2-3: rm 4 brings a SIB; mod 0 rm 5 is disp32 (RIP-
		 * relative in 64-bit mode); a SIB base of 5 with mod 0 is disp32. */
		disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (rm == 4) {
			uint8_t sib;
			if (!next(c, &sib))
				return INSN_ERR_TRUNCATED;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		} else if (mod == 0 && rm == 5) {
			disp = 4;
		}
	}
	return skip(c, disp) ? INSN_OK : INSN_ERR_TRUNCATED;
}

int insn_decode(const uint8_t *buf, size_t avail, enum insn_mode mode, struct insn *out)
{
	struct cursor c = { buf, avail, 0 };
	bool opsize_prefix = false, addrsize_prefix = false;
	uint8_t rex = 0, b;

	*out = (struct insn){ 0 };
	for (;;) {
		if (!next(&c, &b))
			return INSN_ERR_TRUNCATED;
		if (b == 0x66) {
			opsize_prefix = true;
		} else if (b == 0x67) {
			addrsize_prefix = true;
		} else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
			   b == 0x65) {
			/* segment override: the exit gave the physical address */
		} else if (b == 0xf0 || b == 0xf2 || b == 0xf3) {
			return INSN_ERR_PREFIX;
		} else if (mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
			rex = b;
			/* REX counts only right before the opcode (SDM 2.2.1). */
			if (!next(&c, &b))
				return INSN_ERR_TRUNCATED;
			if (b == 0x66 || b == 0x67 || (b & 0xf0) == 0x40 || b == 0xf0 ||
			    b == 0xf2 || b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 ||
			    b == 0x3e || b == 0x64 || b == 0x65) {
				/* a prefix after REX: REX is ignored; go on with it */
				rex = 0;
				c.pos--;
				continue;
			}
			break;
		} else {
			break;
		}
	}

	unsigned opsize, addr_size;
	if (mode == INSN_MODE_64) {
		opsize = (rex & 8) ? 8 : opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 4 : 8;
	} else if (mode == INSN_MODE_32) {
		opsize = opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 2 : 4;
	} else {
		opsize = opsize_prefix ? 4 : 2;
		addr_size = addrsize_prefix ? 4 : 2;
	}
	out->addr_size = (uint8_t)addr_size;

	if (b == 0x0f) {
		if (!next(&c, &b))
			return INSN_ERR_TRUNCATED;
		if (b != 0xb6 && b != 0xb7)
			return INSN_ERR_UNSUPPORTED;
		out->two_byte = true;
		out->opcode = b;
		int rc = modrm(&c, addr_size, rex, &out->reg);
		if (rc)
			return rc;
		out->mem_size = b == 0xb6 ? 1 : 2;
		out->reg_size = (uint8_t)opsize;
		out->zero_extend = true;
		out->len = (uint8_t)c.pos;
		return INSN_OK;
	}

	out->opcode = b;
	switch (b) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: {
		int rc = modrm(&c, addr_size, rex, &out->reg);
		if (rc)
			return rc;
		bool byte = !(b & 1);
		out->mem_size = byte ? 1 : (uint8_t)opsize;
		out->reg_size = out->mem_size;
		out->write = b <= 0x89;
		/* Byte registers 4-7 without REX are AH, CH, DH, BH. */
		out->reg_high8 = byte && !rex && out->reg >= 4 && out->reg <= 7;
		if (out->reg_high8)
			out->reg -= 4;
		break;
	}
	case 0xc6: case 0xc7: {
		int rc = modrm(&c, addr_size, rex, &out->reg);
		if (rc)
			return rc;
		if (out->reg != 0)
			return INSN_ERR_UNSUPPORTED; /* only /0 is MOV */
		out->reg = 0;
		out->mem_size = b == 0xc6 ? 1 : (uint8_t)opsize;
		unsigned isz = b == 0xc6 ? 1 : opsize == 2 ? 2 : 4;
		if (!next_signed(&c, isz, &out->imm))
			return INSN_ERR_TRUNCATED;
		if (out->mem_size < 8)
			out->imm &= (1ULL << (8 * out->mem_size)) - 1;
		out->has_imm = true;
		out->write = true;
		break;
	}
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		if (!skip(&c, addr_size))
			return INSN_ERR_TRUNCATED;
		out->reg = 0; /* AL / AX / EAX / RAX */
		out->mem_size = (b & 1) ? (uint8_t)opsize : 1;
		out->reg_size = out->mem_size;
		out->write = b >= 0xa2;
		break;
	default:
		return INSN_ERR_UNSUPPORTED;
	}
	out->len = (uint8_t)c.pos;
	return INSN_OK;
}

const char *insn_error_name(int err)
{
	switch (err) {
	case INSN_OK: return "ok";
	case INSN_ERR_TRUNCATED: return "truncated or over 15 bytes";
	case INSN_ERR_UNSUPPORTED: return "not a MOV/MOVZX form Tern emulates";
	case INSN_ERR_PREFIX: return "LOCK/REP prefix or misplaced REX";
	case INSN_ERR_NOT_MEMORY: return "register operand, not memory";
	default: return "unknown error";
	}
}

static uint64_t mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

uint64_t insn_load_result(const struct insn *in, uint64_t old, uint64_t mem)
{
	mem &= mask(in->mem_size);
	if (in->reg_high8)
		return (old & ~0xff00ULL) | (mem << 8);
	switch (in->reg_size) {
	case 1: return (old & ~0xffULL) | mem;
	case 2: return (old & ~0xffffULL) | mem;
	case 4: return mem;
	default: return mem;
	}
}

uint64_t insn_store_value(const struct insn *in, uint64_t reg)
{
	if (in->has_imm)
		return in->imm;
	if (in->reg_high8)
		return (reg >> 8) & 0xff;
	return reg & mask(in->mem_size);
}
