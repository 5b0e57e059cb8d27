/* QR Code encoder from ISO/IEC 18004.  The symbol is built in the caller's module array:
 * bit 0 is the colour, bit 1 (FN) marks function-pattern modules until the end, so no
 * second array is needed and masks can be tried and undone in place (a mask is an XOR). */
#include "util/qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define DARK	     0x01
#define FN	     0x02   /* function module: never data, never masked */
#define FORMAT_MASK  0x5412 /* 101010000010010, XORed into the format bits */
#define FORMAT_GEN   0x537  /* x^10+x^8+x^5+x^4+x^2+x+1, BCH(15,5) */
#define VERSION_GEN  0x1f25 /* x^12+x^11+x^10+x^9+x^8+x^5+x^2+1, BCH(18,6) */
#define GF_POLY	     0x11d  /* x^8+x^4+x^3+x^2+1 */
#define DATA_CW_MAX  2334   /* data codewords of version 40-M */
#define TOTAL_CW_MAX 3706   /* codewords of version 40 */

/* Level M, by version (ISO/IEC 18004 Table 9): error-correction codewords per block and
 * number of blocks.  Blocks that share a version differ by at most one data codeword. */
static const uint8_t ec_per_block[XY_QR_VERSION_MAX + 1] = {
	0,  10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
	26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
};
static const uint8_t num_blocks[XY_QR_VERSION_MAX + 1] = {
	0,  1,	1,  1,	2,  2,	4,  4,	4,  5,	5,  5,	8,  9,	9,  10, 10, 11, 13, 14, 16,
	17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
};

/* Row/column coordinates of alignment-pattern centres (Annex E), 0-terminated. */
static const uint8_t align_pos[XY_QR_VERSION_MAX + 1][8] = {
	{0},
	{0},
	{6, 18},
	{6, 22},
	{6, 26},
	{6, 30},
	{6, 34},
	{6, 22, 38},
	{6, 24, 42},
	{6, 26, 46},
	{6, 28, 50},
	{6, 30, 54},
	{6, 32, 58},
	{6, 34, 62},
	{6, 26, 46, 66},
	{6, 26, 48, 70},
	{6, 26, 50, 74},
	{6, 30, 54, 78},
	{6, 30, 56, 82},
	{6, 30, 58, 86},
	{6, 34, 62, 90},
	{6, 28, 50, 72, 94},
	{6, 26, 50, 74, 98},
	{6, 30, 54, 78, 102},
	{6, 28, 54, 80, 106},
	{6, 32, 58, 84, 110},
	{6, 30, 58, 86, 114},
	{6, 34, 62, 90, 118},
	{6, 26, 50, 74, 98, 122},
	{6, 30, 54, 78, 102, 126},
	{6, 26, 52, 78, 104, 130},
	{6, 30, 56, 82, 108, 134},
	{6, 34, 60, 86, 112, 138},
	{6, 30, 58, 86, 114, 142},
	{6, 34, 62, 90, 118, 146},
	{6, 30, 54, 78, 102, 126, 150},
	{6, 24, 50, 76, 102, 128, 154},
	{6, 28, 54, 80, 106, 132, 158},
	{6, 32, 58, 84, 110, 136, 162},
	{6, 26, 54, 82, 110, 138, 166},
	{6, 30, 58, 86, 114, 142, 170},
};

static int num_align(int version)
{
	int k = 0;

	while (k < 7 && align_pos[version][k])
		k++;
	return k;
}

/* Modules left for codewords and remainder bits: the symbol less its function patterns
 * (3 finders with separators 3 * 64, format areas and dark module 31, timing lines less
 * their crossings with finders, alignment patterns less their overlap with the timing
 * lines, version areas 2 * 18).  The unit tests hold this to the standard's Table 1. */
static int raw_bits(int version)
{
	int size = XY_QR_SIZE(version), na = num_align(version);
	int fn = 3 * 64 + 31 + 2 * (size - 16);

	if (na)
		fn += 25 * (na * na - 3) - 2 * 5 * (na - 2);
	if (version >= 7)
		fn += 36;
	return size * size - fn;
}

static int total_codewords(int version)
{
	return raw_bits(version) / 8;
}

static int data_codewords(int version)
{
	return total_codewords(version) - ec_per_block[version] * num_blocks[version];
}

/* Bits of the character count indicator in byte mode (Table 3). */
static int count_bits(int version)
{
	return version < 10 ? 8 : 16;
}

int xy_qr_version_for(size_t n)
{
	if (n > XY_QR_BYTES_MAX)
		return XY_ELIMIT;
	for (int v = 1; v <= XY_QR_VERSION_MAX; v++)
		if (4 + count_bits(v) + 8 * n <= 8 * (size_t)data_codewords(v))
			return v;
	return XY_ELIMIT;
}

/* ---- BCH codes of the format and version information (Annexes C and D) ---- */

static unsigned bch_remainder(unsigned value, int value_bits, unsigned gen, int gen_deg)
{
	unsigned r = value << gen_deg;

	for (int i = value_bits + gen_deg - 1; i >= gen_deg; i--)
		if ((r >> i) & 1)
			r ^= gen << (i - gen_deg);
	return r;
}

uint16_t xy_qr_format_bits(int mask)
{
	unsigned d; /* level M is 00, so the 5 data bits are 00 and then the mask */

	if (mask < 0 || mask > 7)
		return 0;
	d = (unsigned)mask;
	return (uint16_t)(((d << 10) | bch_remainder(d, 5, FORMAT_GEN, 10)) ^ FORMAT_MASK);
}

uint32_t xy_qr_version_bits(int version)
{
	unsigned v = (unsigned)version;

	if (version < 7 || version > XY_QR_VERSION_MAX)
		return 0;
	return (v << 12) | bch_remainder(v, 6, VERSION_GEN, 12);
}

/* ---- Reed-Solomon over GF(2^8) ---- */

/* Shift-and-add multiplication: no tables indexed by (secret) data, no branches on it. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0;

	for (int i = 7; i >= 0; i--) {
		r = (r << 1) ^ (GF_POLY & (0u - ((r >> 7) & 1)));
		r ^= a & (0u - ((unsigned)(b >> i) & 1));
	}
	return (uint8_t)r;
}

int xy_qr_rs_generator(int degree, uint8_t *gen)
{
	uint8_t root = 1; /* a^i */

	if (degree < 1 || degree > XY_QR_EC_MAX || !gen)
		return XY_EINVAL;
	memset(gen, 0, (size_t)degree + 1);
	gen[0] = 1;
	/* Multiply by (x + a^i) for each i: the new coefficient j is the old j plus a^i times
	 * the old j - 1 (highest power first). */
	for (int i = 0; i < degree; i++) {
		for (int j = i + 1; j >= 1; j--)
			gen[j] ^= gf_mul(root, gen[j - 1]);
		root = gf_mul(root, 2);
	}
	return 0;
}

void xy_qr_rs_remainder(const uint8_t *data, size_t n, const uint8_t *gen, int degree, uint8_t *ecc)
{
	memset(ecc, 0, (size_t)degree);
	for (size_t i = 0; i < n; i++) {
		uint8_t f = data[i] ^ ecc[0];
		memmove(ecc, ecc + 1, (size_t)degree - 1);
		ecc[degree - 1] = 0;
		for (int j = 0; j < degree; j++)
			ecc[j] ^= gf_mul(gen[j + 1], f);
	}
}

/* ---- Codewords ---- */

struct bitw {
	uint8_t *p;
	size_t len; /* bits written */
};

static void put_bits(struct bitw *w, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--, w->len++)
		w->p[w->len >> 3] |= (uint8_t)(((v >> i) & 1) << (7 - (w->len & 7)));
}

/* The data codewords (7.4: mode, count, bytes, terminator, padding) split into blocks,
 * each followed by its error correction, interleaved (7.6) into cw[0..total). */
static void make_codewords(const uint8_t *data, size_t n, int version, uint8_t *cw)
{
	uint8_t d[DATA_CW_MAX] = {0}, gen[XY_QR_EC_MAX + 1], ecc[XY_QR_EC_MAX];
	struct bitw w = {d, 0};
	int total = total_codewords(version), dcw = data_codewords(version);
	int ec = ec_per_block[version], nb = num_blocks[version];
	int nshort = nb - total % nb, short_len = total / nb - ec, k = 0, start = 0;

	put_bits(&w, 4, 4); /* 0100: byte mode */
	put_bits(&w, (unsigned)n, count_bits(version));
	for (size_t i = 0; i < n; i++)
		put_bits(&w, data[i], 8);
	/* Terminator (up to 4 zero bits) and zero bits to the byte boundary: d is zeroed. */
	for (int i = (int)((w.len + 4 + 7) / 8); i < dcw; i++)
		d[i] = (i - (int)((w.len + 4 + 7) / 8)) % 2 ? 0x11 : 0xec;
	for (int i = 0; i <= short_len; i++)
		for (int b = 0; b < nb; b++)
			if (i < short_len + (b >= nshort))
				cw[k++] = d[b * short_len + (b > nshort ? b - nshort : 0) + i];
	if (xy_qr_rs_generator(ec, gen))
		abort(); /* ec comes from the table above: 10..30 */
	for (int b = 0; b < nb; b++) {
		int len = short_len + (b >= nshort);
		xy_qr_rs_remainder(d + start, (size_t)len, gen, ec, ecc);
		for (int i = 0; i < ec; i++)
			cw[dcw + i * nb + b] = ecc[i];
		start += len;
	}
	explicit_bzero(d, sizeof d);
	explicit_bzero(ecc, sizeof ecc);
}

/* ---- Function patterns (6.3) ---- */

static void set_fn(uint8_t *m, int size, int r, int c, int dark)
{
	m[r * size + c] = (uint8_t)(FN | (dark ? DARK : 0));
}

static int cheb(int a, int b) /* Chebyshev distance from the origin */
{
	a = a < 0 ? -a : a;
	b = b < 0 ? -b : b;
	return a > b ? a : b;
}

/* A 7x7 finder with its top-left at (r0, c0) and its light separator ring. */
static void draw_finder(uint8_t *m, int size, int r0, int c0)
{
	for (int dr = -1; dr <= 7; dr++)
		for (int dc = -1; dc <= 7; dc++) {
			int r = r0 + dr, c = c0 + dc, d = cheb(dr - 3, dc - 3);
			if (r >= 0 && r < size && c >= 0 && c < size)
				set_fn(m, size, r, c, d != 2 && d != 4);
		}
}

static void draw_alignment(uint8_t *m, int size, int r, int c)
{
	for (int dr = -2; dr <= 2; dr++)
		for (int dc = -2; dc <= 2; dc++)
			set_fn(m, size, r + dr, c + dc, cheb(dr, dc) != 1);
}

/* Version information (6.10): bit i, least significant first, at row i / 3 and column
 * size - 11 + i % 3 beside the top-right finder, and transposed by the bottom-left one. */
static void draw_version(uint8_t *m, int size, int version)
{
	uint32_t v = xy_qr_version_bits(version);

	for (int i = 0; version >= 7 && i < 18; i++) {
		int bit = (v >> i) & 1;
		set_fn(m, size, i / 3, size - 11 + i % 3, bit);
		set_fn(m, size, size - 11 + i % 3, i / 3, bit);
	}
}

/* Format information (6.9), bit 14 the most significant.  First copy: bits 0-5 down
 * column 8 from the top, 6 and 7 at rows 7 and 8 of that column, 8 at (8, 7), 9-14
 * leftwards along row 8 from column 5.  Second copy: bits 0-7 leftwards along row 8 from
 * the right edge, 8-14 down column 8 from row size - 7. */
static void draw_format(uint8_t *m, int size, int mask)
{
	unsigned f = xy_qr_format_bits(mask);

	for (int i = 0; i < 15; i++) {
		int bit = (f >> i) & 1;
		if (i < 6)
			set_fn(m, size, i, 8, bit);
		else if (i < 8)
			set_fn(m, size, i + 1, 8, bit);
		else
			set_fn(m, size, 8, i == 8 ? 7 : 14 - i, bit);
		if (i < 8)
			set_fn(m, size, 8, size - 1 - i, bit);
		else
			set_fn(m, size, size - 15 + i, 8, bit);
	}
}

static void draw_function_patterns(uint8_t *m, int version)
{
	int size = XY_QR_SIZE(version), na = num_align(version);
	const uint8_t *ap = align_pos[version];

	memset(m, 0, (size_t)size * (size_t)size);
	for (int i = 0; i < size; i++) { /* timing (6.3.5); finders overwrite the ends */
		set_fn(m, size, 6, i, i % 2 == 0);
		set_fn(m, size, i, 6, i % 2 == 0);
	}
	draw_finder(m, size, 0, 0);
	draw_finder(m, size, 0, size - 7);
	draw_finder(m, size, size - 7, 0);
	for (int i = 0; i < na; i++)
		for (int j = 0; j < na; j++)
			if (!((i == 0 && j == 0) || (i == 0 && j == na - 1) ||
			      (i == na - 1 && j == 0)))
				draw_alignment(m, size, ap[i], ap[j]);
	draw_format(m, size, 0);	 /* reserves the areas; redrawn with the chosen mask */
	set_fn(m, size, size - 8, 8, 1); /* the dark module */
	draw_version(m, size, version);
}

/* ---- Placement (7.7.3) and masking (7.8) ---- */

/* Two-module-wide columns from the right edge, alternately upwards and downwards, the
 * right module of each pair first; column 6 (the vertical timing line) is skipped.  Bits
 * after the last codeword are the remainder bits, 0. */
static void place(uint8_t *m, int size, const uint8_t *cw, size_t ncw)
{
	size_t bit = 0;
	int up = 1;

	for (int right = size - 1; right >= 1; right -= 2, up = !up) {
		if (right == 6)
			right = 5;
		for (int k = 0; k < size; k++) {
			int r = up ? size - 1 - k : k;
			for (int c = right; c >= right - 1; c--) {
				uint8_t *p = &m[r * size + c];
				if (*p & FN)
					continue;
				*p = bit < ncw * 8 ? (cw[bit >> 3] >> (7 - (bit & 7))) & 1 : 0;
				bit++;
			}
		}
	}
}

/* Table 10: a module (row i, column j) is inverted where the condition holds. */
static int mask_bit(int mask, int i, int j)
{
	switch (mask) {
	case 0:
		return (i + j) % 2 == 0;
	case 1:
		return i % 2 == 0;
	case 2:
		return j % 3 == 0;
	case 3:
		return (i + j) % 3 == 0;
	case 4:
		return (i / 2 + j / 3) % 2 == 0;
	case 5:
		return (i * j) % 2 + (i * j) % 3 == 0;
	case 6:
		return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
	default:
		return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
	}
}

static void apply_mask(uint8_t *m, int size, int mask)
{
	for (int i = 0; i < size; i++)
		for (int j = 0; j < size; j++)
			if (!(m[i * size + j] & FN))
				m[i * size + j] ^= (uint8_t)mask_bit(mask, i, j);
}

/* ---- Penalty (7.8.3) ---- */

/* 1 when modules a..b of the line are all light; outside the symbol is light. */
static int light_span(const uint8_t *m, int size, int stride, int a, int b)
{
	for (int k = a; k <= b; k++)
		if (k >= 0 && k < size && (m[k * stride] & DARK))
			return 0;
	return 1;
}

/* Rules 1 and 3 along one row or column (stride 1 or size). */
static long line_penalty(const uint8_t *m, int size, int stride)
{
	static const uint8_t finder[7] = {1, 0, 1, 1, 1, 0, 1};
	long p = 0;
	int run = 1;

	for (int k = 1; k <= size; k++) {
		if (k < size && (m[k * stride] & DARK) == (m[(k - 1) * stride] & DARK)) {
			run++;
			continue;
		}
		if (run >= 5)
			p += 3 + (run - 5);
		run = 1;
	}
	for (int k = 0; k + 7 <= size; k++) {
		int hit = 1;
		for (int t = 0; t < 7 && hit; t++)
			hit = (m[(k + t) * stride] & DARK) == finder[t];
		if (hit && (light_span(m, size, stride, k - 4, k - 1) ||
			    light_span(m, size, stride, k + 7, k + 10)))
			p += 40;
	}
	return p;
}

long xy_qr_penalty(const uint8_t *m, int size)
{
	long p = 0, dark = 0, total = (long)size * size, dev;

	if (size <= 0)
		return 0;
	for (int i = 0; i < size; i++) {
		p += line_penalty(m + (size_t)i * (size_t)size, size, 1);
		p += line_penalty(m + i, size, size);
	}
	for (int i = 0; i + 1 < size; i++)
		for (int j = 0; j + 1 < size; j++) {
			int v = m[i * size + j] & DARK;
			if ((m[i * size + j + 1] & DARK) == v &&
			    (m[(i + 1) * size + j] & DARK) == v &&
			    (m[(i + 1) * size + j + 1] & DARK) == v)
				p += 3;
		}
	for (long k = 0; k < total; k++)
		dark += m[k] & DARK;
	dev = 20 * dark - 10 * total; /* 20 * (dark share - 1/2), times total */
	if (dev < 0)
		dev = -dev;
	return p + 10 * (dev / total);
}

/* The mask of least penalty, the lowest-numbered one on a tie (7.8.2). */
static int choose_mask(uint8_t *m, int size)
{
	long best_p = -1;
	int best = 0;

	for (int mask = 0; mask < 8; mask++) {
		long p;
		apply_mask(m, size, mask);
		draw_format(m, size, mask);
		p = xy_qr_penalty(m, size);
		apply_mask(m, size, mask); /* undo: a mask is an XOR */
		if (best_p < 0 || p < best_p) {
			best_p = p;
			best = mask;
		}
	}
	return best;
}

int xy_qr_encode_mask(const uint8_t *data, size_t n, int mask, uint8_t *modules, size_t cap,
		      int *size_out)
{
	uint8_t cw[TOTAL_CW_MAX];
	int version, size;

	if ((!data && n) || !modules || !size_out || mask < -1 || mask > 7)
		return XY_EINVAL;
	version = xy_qr_version_for(n);
	if (version < 0)
		return version;
	size = XY_QR_SIZE(version);
	if (cap < (size_t)size * (size_t)size)
		return XY_ELIMIT;
	make_codewords(data, n, version, cw);
	draw_function_patterns(modules, version);
	place(modules, size, cw, (size_t)total_codewords(version));
	explicit_bzero(cw, sizeof cw);
	if (mask < 0)
		mask = choose_mask(modules, size);
	apply_mask(modules, size, mask);
	draw_format(modules, size, mask);
	for (size_t k = 0; k < (size_t)size * (size_t)size; k++)
		modules[k] &= DARK;
	*size_out = size;
	return 0;
}

int xy_qr_encode(const uint8_t *data, size_t n, uint8_t *modules, size_t cap, int *size_out)
{
	return xy_qr_encode_mask(data, n, -1, modules, cap, size_out);
}

/* ---- SVG ---- */

/* Counts bytes (b == NULL) or appends them (the space was reserved beforehand). */
struct sink {
	struct xy_buf *b;
	size_t n;
	int rc;
};

static void emit(struct sink *s, const char *p, size_t n)
{
	if (!s->b)
		s->n += n;
	else if (!s->rc)
		s->rc = xy_buf_add(s->b, p, n);
}

static void emit_run(struct sink *s, int x, int y, int len)
{
	char t[64];
	int k = snprintf(t, sizeof t, "M%d %dh%dv1h-%dz", x, y, len, len);

	emit(s, t, (size_t)k);
	explicit_bzero(t, sizeof t); /* where the dark modules are is the secret */
}

static void svg_write(struct sink *s, const uint8_t *m, int size)
{
	char head[320];
	int w = size + 2 * XY_QR_QUIET;
	int k = snprintf(head, sizeof head,
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			 "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
			 "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			 w * XY_QR_SVG_PX, w * XY_QR_SVG_PX, w, w, w, w);

	emit(s, head, (size_t)k);
	for (int r = 0; r < size; r++)
		for (int c = 0; c < size;) {
			int start = c;
			while (c < size && m[r * size + c])
				c++;
			if (c > start)
				emit_run(s, start + XY_QR_QUIET, r + XY_QR_QUIET, c - start);
			else
				c++;
		}
	emit(s, "\"/></svg>\n", 10);
}

int xy_qr_svg(const char *text, struct xy_buf *out)
{
	struct sink s = {NULL, 0, 0};
	uint8_t *m = NULL;
	size_t n, start, cells = 0;
	int rc, version, size = 0;

	if (!text || !out)
		return XY_EINVAL;
	n = strnlen(text, XY_QR_BYTES_MAX + 1);
	version = xy_qr_version_for(n);
	if (version < 0)
		return version;
	cells = (size_t)XY_QR_SIZE(version) * (size_t)XY_QR_SIZE(version);
	m = malloc(cells);
	if (!m)
		return XY_ENOMEM;
	rc = xy_qr_encode((const uint8_t *)text, n, m, cells, &size);
	if (rc)
		goto out;
	svg_write(&s, m, size);
	start = out->len;
	rc = xy_buf_reserve(out, s.n);
	if (rc)
		goto out;
	s.b = out;
	svg_write(&s, m, size);
	rc = s.rc;
	if (rc) { /* cannot happen after the reservation; leave out as it was all the same */
		explicit_bzero(out->p + start, out->len - start);
		out->len = start;
		out->p[start] = '\0';
	}
out:
	explicit_bzero(m, cells);
	free(m);
	return rc;
}
