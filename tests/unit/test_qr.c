/* ACC-5: the QR Code that shows the TOTP enrolment URI (src/util/qr.h).
 *
 * Known answers come from ISO/IEC 18004: the format-information table (Annex C, level M),
 * the version-information table (Annex D), the generator polynomials of Annex A (as powers
 * of a), the worked 1-M example of Annex I ("01234567", whose codewords are printed there),
 * the codeword counts and remainder bits of Table 1, the byte-mode capacities of Table 7,
 * the block structure of Table 9 and the alignment-pattern positions of Annex E.
 *
 * The decode-side checks below read symbols back with code of their own (their own GF(256)
 * tables, function-module map, format reading, unmasking, zig-zag walk and block
 * de-interleaving) and check that the data codewords are the expected bit stream and that
 * every block is a Reed-Solomon codeword (zero syndromes).  The encoder was also checked by
 * hand against zbarimg and another encoder; the tests do not need either. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/qr.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t mods[XY_QR_MODULES_MAX];

/* Annex C, Table C.1: the format information of level M (00) with masks 000..111. */
static const uint16_t format_m[8] = {0x5412, 0x5125, 0x5e7c, 0x5b4b,
				     0x45f9, 0x40ce, 0x4f97, 0x4aa0};

/* ---- GF(256) of the test's own: log and antilog tables, x^8+x^4+x^3+x^2+1 ---- */

static uint8_t gexp[512];
static int glog[256];

static int gf_setup(void **state)
{
	unsigned x = 1;

	(void)state;
	for (int i = 0; i < 255; i++) {
		gexp[i] = (uint8_t)x;
		glog[x] = i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	for (int i = 255; i < 512; i++)
		gexp[i] = gexp[i - 255];
	return 0;
}

static uint8_t gmul(uint8_t a, uint8_t b)
{
	return a && b ? gexp[glog[a] + glog[b]] : 0;
}

/* c(a^k) for a codeword c[0..n), c[0] the highest power. */
static uint8_t syndrome(const uint8_t *c, int n, int k)
{
	uint8_t s = 0;

	for (int i = 0; i < n; i++)
		s = gmul(s, gexp[k]) ^ c[i];
	return s;
}

/* ---- What the standard says about the versions the decode checks use ---- */

struct spec {
	int version;
	int n1, len1, data1; /* group 1: blocks, codewords per block, data codewords */
	int n2, len2, data2; /* group 2 (0 blocks when none) */
	int remainder;	     /* Table 1 remainder bits */
	int align[8];	     /* Annex E, 0-terminated */
};

static const struct spec specs[] = {
	{1, 1, 26, 16, 0, 0, 0, 0, {0}},
	{2, 1, 44, 28, 0, 0, 0, 7, {6, 18}},
	{4, 2, 50, 32, 0, 0, 0, 7, {6, 26}},
	{5, 2, 67, 43, 0, 0, 0, 7, {6, 30}},
	{7, 4, 49, 31, 0, 0, 0, 0, {6, 22, 38}},
	{8, 2, 60, 38, 2, 61, 39, 0, {6, 24, 42}},
	{10, 4, 69, 43, 1, 70, 44, 0, {6, 28, 50}},
	{11, 1, 80, 50, 4, 81, 51, 0, {6, 30, 54}},
	{14, 4, 64, 40, 5, 65, 41, 3, {6, 26, 46, 66}},
	{15, 5, 65, 41, 5, 66, 42, 3, {6, 26, 48, 70}},
	{27, 22, 73, 45, 3, 74, 46, 4, {6, 34, 62, 90, 118}},
	{40, 18, 75, 47, 31, 76, 48, 0, {6, 30, 58, 86, 114, 142, 170}},
};

static const struct spec *spec_for(int version)
{
	for (size_t i = 0; i < ARRAY_LEN(specs); i++)
		if (specs[i].version == version)
			return &specs[i];
	fail_msg("no test spec for version %d", version);
	return NULL;
}

static int size_of(int version)
{
	return 17 + 4 * version;
}

/* 1 for a module that belongs to a function pattern or to the format / version areas. */
static int is_function(const struct spec *sp, int r, int c)
{
	int n = size_of(sp->version);

	if ((r < 9 && c < 9) || (r < 9 && c >= n - 8) || (r >= n - 8 && c < 9))
		return 1; /* finders, separators, format areas, dark module */
	if (r == 6 || c == 6)
		return 1; /* timing */
	if (sp->version >= 7 &&
	    ((r < 6 && c >= n - 11 && c < n - 8) || (c < 6 && r >= n - 11 && r < n - 8)))
		return 1; /* version areas */
	for (int i = 0; sp->align[i]; i++)
		for (int j = 0; sp->align[j]; j++) {
			int ar = sp->align[i], ac = sp->align[j];
			if ((ar < 9 && ac < 9) || (ar < 9 && ac >= n - 8) ||
			    (ar >= n - 8 && ac < 9))
				continue; /* would overlap a finder: not placed */
			if (abs(r - ar) <= 2 && abs(c - ac) <= 2)
				return 1;
		}
	return 0;
}

static int module(int size, int r, int c)
{
	return mods[r * size + c];
}

/* The format information, read most significant bit first as the standard draws it: along
 * row 8 from the left edge (skipping the timing column), up column 8 to the top; and up
 * column 8 from the bottom edge, then along row 8 to the right edge. */
static void read_format(int size, unsigned *copy1, unsigned *copy2)
{
	static const int path1[15][2] = {{8, 0}, {8, 1}, {8, 2}, {8, 3}, {8, 4},
					 {8, 5}, {8, 7}, {8, 8}, {7, 8}, {5, 8},
					 {4, 8}, {3, 8}, {2, 8}, {1, 8}, {0, 8}};
	unsigned a = 0, b = 0;

	for (int k = 0; k < 15; k++)
		a = a << 1 | (unsigned)module(size, path1[k][0], path1[k][1]);
	for (int k = 0; k < 7; k++)
		b = b << 1 | (unsigned)module(size, size - 1 - k, 8);
	for (int k = 0; k < 8; k++)
		b = b << 1 | (unsigned)module(size, 8, size - 8 + k);
	*copy1 = a;
	*copy2 = b;
}

static int mask_of(int size)
{
	unsigned a, b;

	read_format(size, &a, &b);
	assert_int_equal(a, b);
	for (int m = 0; m < 8; m++)
		if (format_m[m] == a)
			return m;
	fail_msg("format information 0x%04x is not a level-M entry of Table C.1", a);
	return -1;
}

static int masked(int m, int i, int j)
{
	switch (m) {
	case 0:
		return (i + j) % 2 == 0;
	case 1:
		return i % 2 == 0;
	case 2:
		return j % 3 == 0;
	case 3:
		return (i + j) % 3 == 0;
	case 4:
		return ((i / 2) + (j / 3)) % 2 == 0;
	case 5:
		return ((i * j) % 2) + ((i * j) % 3) == 0;
	case 6:
		return (((i * j) % 2) + ((i * j) % 3)) % 2 == 0;
	default:
		return (((i * j) % 3) + ((i + j) % 2)) % 2 == 0;
	}
}

/* Reads the symbol's codeword bits in placement order into cw (zero-padded at the end);
 * returns the number of data modules walked. */
static int walk(const struct spec *sp, int mask, uint8_t *cw, size_t cap)
{
	int n = size_of(sp->version), count = 0;
	int x = n - 1, upward = 1;

	memset(cw, 0, cap);
	while (x > 0) {
		if (x == 6) /* the vertical timing column is not part of any pair */
			x--;
		for (int t = 0; t < n; t++) {
			int y = upward ? n - 1 - t : t;
			for (int dx = 0; dx < 2; dx++) {
				int c = x - dx, bit;
				if (is_function(sp, y, c))
					continue;
				bit = module(n, y, c) ^ masked(mask, y, c);
				if ((size_t)(count / 8) < cap)
					cw[count / 8] |= (uint8_t)(bit << (7 - count % 8));
				count++;
			}
		}
		upward = !upward;
		x -= 2;
	}
	return count;
}

/* The expected data codewords of a byte-mode level-M symbol (7.4). */
static int expected_stream(const struct spec *sp, const uint8_t *data, size_t n, uint8_t *out)
{
	int dcw = sp->n1 * sp->data1 + sp->n2 * sp->data2, bits = 0;
	int cc = sp->version < 10 ? 8 : 16;

	memset(out, 0, (size_t)dcw);
#define PUT(v, w)                                   \
	for (int k_ = (w)-1; k_ >= 0; k_--, bits++) \
		if (((v) >> k_) & 1)                \
			out[bits / 8] |= (uint8_t)(0x80 >> (bits % 8));
	PUT(4u, 4);
	PUT((unsigned)n, cc);
	for (size_t i = 0; i < n; i++)
		PUT((unsigned)data[i], 8);
#undef PUT
	bits += 4; /* terminator; byte mode always lands on a byte boundary after it */
	for (int i = (bits + 7) / 8, k = 0; i < dcw; i++, k++)
		out[i] = k % 2 ? 0x11 : 0xec;
	return dcw;
}

/* Reads the symbol in mods back and checks that it carries data[0..n) correctly. */
static void check_symbol(int version, const uint8_t *data, size_t n)
{
	static uint8_t cw[4000], want[2400], blocks[81][128];
	const struct spec *sp = spec_for(version);
	int size = size_of(version), nb = sp->n1 + sp->n2, ec = sp->len1 - sp->data1, k = 0;
	int total = sp->n1 * sp->len1 + sp->n2 * sp->len2, dcw, mask, walked;

	assert_int_equal(sp->len2 ? sp->len2 - sp->data2 : ec, ec);
	mask = mask_of(size);
	walked = walk(sp, mask, cw, sizeof cw);
	assert_int_equal(walked, total * 8 + sp->remainder); /* Table 1 */
	/* De-interleave (7.6): data codewords block by block in turn, then the EC ones. */
	for (int i = 0; i < sp->data1 + (sp->n2 ? 1 : 0); i++)
		for (int b = 0; b < nb; b++)
			if (i < (b < sp->n1 ? sp->data1 : sp->data2))
				blocks[b][i] = cw[k++];
	for (int i = 0; i < ec; i++)
		for (int b = 0; b < nb; b++)
			blocks[b][(b < sp->n1 ? sp->data1 : sp->data2) + i] = cw[k++];
	assert_int_equal(k, total);
	/* The data codewords, block after block, are the expected stream. */
	dcw = expected_stream(sp, data, n, want);
	for (int b = 0, off = 0; b < nb; b++) {
		int len = b < sp->n1 ? sp->data1 : sp->data2;
		assert_memory_equal(blocks[b], want + off, (size_t)len);
		off += len;
		assert_true(off <= dcw);
	}
	/* Each block is a codeword of the RS code with roots a^0 .. a^(ec-1). */
	for (int b = 0; b < nb; b++)
		for (int j = 0; j < ec; j++)
			assert_int_equal(syndrome(blocks[b], b < sp->n1 ? sp->len1 : sp->len2, j),
					 0);
	/* The remainder bits are zero. */
	for (int i = total * 8; i < walked; i++)
		assert_int_equal((cw[i / 8] >> (7 - i % 8)) & 1, 0);
}

static void fill_text(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* ---- Tests ---- */

static void test_acc5_qr_format_bits_standard_table(void **state)
{
	(void)state;
	for (int m = 0; m < 8; m++)
		assert_int_equal(xy_qr_format_bits(m), format_m[m]);
	assert_int_equal(xy_qr_format_bits(-1), 0);
	assert_int_equal(xy_qr_format_bits(8), 0);
}

static void test_acc5_qr_version_bits_standard_table(void **state)
{
	/* Annex D, Table D.1. */
	static const struct {
		int v;
		uint32_t bits;
	} t[] = {{7, 0x07c94},	{8, 0x085bc},  {9, 0x09a99},  {10, 0x0a4d3}, {15, 0x0f928},
		 {20, 0x149a6}, {27, 0x1b08e}, {32, 0x209d5}, {39, 0x27541}, {40, 0x28c69}};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		assert_int_equal(xy_qr_version_bits(t[i].v), t[i].bits);
	assert_int_equal(xy_qr_version_bits(6), 0);
	assert_int_equal(xy_qr_version_bits(41), 0);
}

static void test_acc5_qr_rs_generator_annex_a(void **state)
{
	/* Annex A: the generators of degree 7 and 10 as powers of a, highest power first. */
	static const int g7[] = {0, 87, 229, 146, 149, 238, 102, 21};
	static const int g10[] = {0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45};
	uint8_t gen[XY_QR_EC_MAX + 1];

	(void)state;
	assert_int_equal(xy_qr_rs_generator(7, gen), 0);
	for (size_t i = 0; i < ARRAY_LEN(g7); i++)
		assert_int_equal(gen[i], gexp[g7[i]]);
	assert_int_equal(xy_qr_rs_generator(10, gen), 0);
	for (size_t i = 0; i < ARRAY_LEN(g10); i++)
		assert_int_equal(gen[i], gexp[g10[i]]);
	/* Every degree: monic, and a^0 .. a^(d-1) are its roots. */
	for (int d = 1; d <= XY_QR_EC_MAX; d++) {
		assert_int_equal(xy_qr_rs_generator(d, gen), 0);
		assert_int_equal(gen[0], 1);
		for (int j = 0; j < d; j++)
			assert_int_equal(syndrome(gen, d + 1, j), 0);
		assert_int_not_equal(syndrome(gen, d + 1, d), 0);
	}
	assert_int_equal(xy_qr_rs_generator(0, gen), XY_EINVAL);
	assert_int_equal(xy_qr_rs_generator(XY_QR_EC_MAX + 1, gen), XY_EINVAL);
}

static void test_acc5_qr_rs_annex_i_example(void **state)
{
	/* Annex I: "01234567" as 1-M; its 16 data codewords and 10 EC codewords. */
	static const uint8_t data[16] = {0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11,
					 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11};
	static const uint8_t want[10] = {0xa5, 0x24, 0xd4, 0xc1, 0xed,
					 0x36, 0xc7, 0x87, 0x2c, 0x55};
	uint8_t gen[11], ecc[10];

	(void)state;
	assert_int_equal(xy_qr_rs_generator(10, gen), 0);
	xy_qr_rs_remainder(data, sizeof data, gen, 10, ecc);
	assert_memory_equal(ecc, want, sizeof want);
}

static void test_acc5_qr_capacity_and_size(void **state)
{
	/* Table 7: 8-bit byte capacity at level M, versions 1..40. */
	static const int cap[40] = {14,	  26,	42,   62,   84,	  106,	122,  152,  180,  213,
				    251,  287,	331,  362,  412,  450,	504,  560,  624,  666,
				    711,  779,	857,  911,  997,  1059, 1125, 1190, 1264, 1370,
				    1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331};
	static uint8_t text[XY_QR_BYTES_MAX + 1];
	int size = 0;

	(void)state;
	assert_int_equal(xy_qr_version_for(0), 1);
	for (int v = 1; v <= 40; v++) {
		assert_int_equal(xy_qr_version_for((size_t)cap[v - 1]), v);
		if (v < 40)
			assert_int_equal(xy_qr_version_for((size_t)cap[v - 1] + 1), v + 1);
	}
	assert_int_equal(cap[39], XY_QR_BYTES_MAX);
	assert_int_equal(xy_qr_version_for(XY_QR_BYTES_MAX + 1), XY_ELIMIT);
	/* Symbol size 17 + 4v. */
	fill_text(text, sizeof text, 7);
	for (int v = 1; v <= 40; v += 13) {
		assert_int_equal(xy_qr_encode(text, (size_t)cap[v - 1], mods, sizeof mods, &size),
				 0);
		assert_int_equal(size, 17 + 4 * v);
	}
	assert_int_equal(xy_qr_encode(text, XY_QR_BYTES_MAX, mods, sizeof mods, &size), 0);
	assert_int_equal(size, 177);
	/* Refusals: too long, too small an output, bad arguments. */
	assert_int_equal(xy_qr_encode(text, XY_QR_BYTES_MAX + 1, mods, sizeof mods, &size),
			 XY_ELIMIT);
	assert_int_equal(xy_qr_encode(text, 14, mods, 21 * 21 - 1, &size), XY_ELIMIT);
	assert_int_equal(xy_qr_encode(text, 14, mods, 21 * 21, &size), 0);
	assert_int_equal(xy_qr_encode(NULL, 1, mods, sizeof mods, &size), XY_EINVAL);
	assert_int_equal(xy_qr_encode_mask(text, 1, 8, mods, sizeof mods, &size), XY_EINVAL);
}

/* Finder with separator, 7x7 at (r0, c0): rings dark, light, dark x3 (6.3.3). */
static void check_finder(int size, int r0, int c0)
{
	for (int r = r0 - 1; r <= r0 + 7; r++)
		for (int c = c0 - 1; c <= c0 + 7; c++) {
			int dr = abs(r - r0 - 3), dc = abs(c - c0 - 3);
			int ring = dr > dc ? dr : dc, want = ring == 3 || ring <= 1;
			if (r < 0 || c < 0 || r >= size || c >= size)
				continue;
			assert_int_equal(module(size, r, c), want);
		}
}

static void test_acc5_qr_function_patterns(void **state)
{
	/* Versions and a length that needs exactly that version (Table 7). */
	static const struct {
		int v;
		size_t n;
	} t[] = {{1, 10}, {2, 20}, {7, 120}, {15, 400}, {40, 2300}};
	static uint8_t text[2400];
	int size = 0;

	(void)state;
	fill_text(text, sizeof text, 3);
	for (size_t k = 0; k < ARRAY_LEN(t); k++) {
		const struct spec *sp = spec_for(t[k].v);
		assert_int_equal(xy_qr_encode(text, t[k].n, mods, sizeof mods, &size), 0);
		assert_int_equal(size, size_of(t[k].v));
		check_finder(size, 0, 0);
		check_finder(size, 0, size - 7);
		check_finder(size, size - 7, 0);
		for (int i = 8; i < size - 8; i++) { /* timing (6.3.5) */
			assert_int_equal(module(size, 6, i), i % 2 == 0);
			assert_int_equal(module(size, i, 6), i % 2 == 0);
		}
		assert_int_equal(module(size, size - 8, 8), 1); /* the dark module */
		for (int i = 0; sp->align[i]; i++)		/* alignment (6.3.6) */
			for (int j = 0; sp->align[j]; j++) {
				int ar = sp->align[i], ac = sp->align[j];
				if ((ar < 9 && ac < 9) || (ar < 9 && ac >= size - 8) ||
				    (ar >= size - 8 && ac < 9))
					continue;
				for (int dr = -2; dr <= 2; dr++)
					for (int dc = -2; dc <= 2; dc++) {
						int ring = abs(dr) > abs(dc) ? abs(dr) : abs(dc);
						if (module(size, ar + dr, ac + dc) != (ring != 1))
							fail_msg("v%d alignment at (%d,%d): wrong "
								 "module at %+d,%+d",
								 t[k].v, ar, ac, dr, dc);
					}
			}
	}
}

static void test_acc5_qr_version_info_in_symbol(void **state)
{
	static const struct {
		int v;
		size_t n;
		uint32_t bits;
	} t[] = {{7, 120, 0x07c94}, {15, 400, 0x0f928}, {27, 1100, 0x1b08e}, {40, 2300, 0x28c69}};
	static uint8_t text[2400];
	int size = 0;

	(void)state;
	fill_text(text, sizeof text, 5);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		assert_int_equal(xy_qr_encode(text, t[i].n, mods, sizeof mods, &size), 0);
		assert_int_equal(size, size_of(t[i].v));
		/* 6.10 / Figure 27: bit k (least significant first) at row k/3, column
		 * size-11+k%3 (upper right) and transposed (lower left). */
		for (int k = 0; k < 18; k++) {
			int bit = (int)((t[i].bits >> k) & 1);
			assert_int_equal(module(size, k / 3, size - 11 + k % 3), bit);
			assert_int_equal(module(size, size - 11 + k % 3, k / 3), bit);
		}
	}
}

static void test_acc5_qr_format_info_both_copies(void **state)
{
	const uint8_t *text = (const uint8_t *)"otpauth://totp/X:y?secret=GEZDGNBVGY3TQOJQ";
	int size = 0;

	(void)state;
	for (int m = 0; m < 8; m++) {
		unsigned a, b;
		assert_int_equal(xy_qr_encode_mask(text, strlen((const char *)text), m, mods,
						   sizeof mods, &size),
				 0);
		read_format(size, &a, &b);
		assert_int_equal(a, format_m[m]);
		assert_int_equal(b, format_m[m]);
		assert_int_equal(mask_of(size), m);
	}
}

static void test_acc5_qr_decode_data_and_ec(void **state)
{
	static uint8_t text[XY_QR_BYTES_MAX];
	int size = 0;

	(void)state;
	fill_text(text, sizeof text, 42);
	for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
		const struct spec *sp = &specs[i];
		int dcw = sp->n1 * sp->data1 + sp->n2 * sp->data2;
		size_t full = (size_t)dcw - (sp->version < 10 ? 2 : 3); /* at capacity */
		size_t lens[3] = {full, full - 1, full - 7};		/* all need this version */
		for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
			for (int m = -1; m < 8; m++) {
				assert_int_equal(xy_qr_encode_mask(text, lens[l], m, mods,
								   sizeof mods, &size),
						 0);
				assert_int_equal(size, size_of(sp->version));
				check_symbol(sp->version, text, lens[l]);
			}
		}
	}
	/* The smallest example, and the empty one. */
	assert_int_equal(xy_qr_encode((const uint8_t *)"hello", 5, mods, sizeof mods, &size), 0);
	assert_int_equal(size, 21);
	check_symbol(1, (const uint8_t *)"hello", 5);
	assert_int_equal(xy_qr_encode(NULL, 0, mods, sizeof mods, &size), 0);
	check_symbol(1, (const uint8_t *)"", 0);
}

static void test_acc5_qr_totp_uri_round_trip(void **state)
{
	static const uint8_t key[XY_TOTP_SECRET_LEN] = "12345678901234567890";
	char b32[XY_BASE32_LEN(XY_TOTP_SECRET_LEN) + 1], uri[400];
	int size = 0;

	(void)state;
	assert_int_equal(xy_base32_encode(key, sizeof key, b32, sizeof b32), 0);
	assert_int_equal(xy_totp_uri("Xinyong", "张三", b32, uri, sizeof uri), 0);
	assert_int_equal(xy_qr_encode((const uint8_t *)uri, strlen(uri), mods, sizeof mods, &size),
			 0);
	assert_int_equal(size, size_of(8)); /* 130 bytes: more than 7-M holds (122) */
	check_symbol(8, (const uint8_t *)uri, strlen(uri));
	/* A long one (Chinese issuer and account): about 250 bytes still scans as 11-M. */
	assert_int_equal(xy_totp_uri("信用中国", "张三.信用中心", b32, uri, sizeof uri), 0);
	assert_true(strlen(uri) > 200 && strlen(uri) <= 251);
	assert_int_equal(xy_qr_encode((const uint8_t *)uri, strlen(uri), mods, sizeof mods, &size),
			 0);
	assert_int_equal(size, size_of(11));
	check_symbol(11, (const uint8_t *)uri, strlen(uri));
}

static void test_acc5_qr_mask_choice_is_least_penalty(void **state)
{
	static uint8_t chosen[XY_QR_MODULES_MAX];
	static uint8_t text[400];
	int size = 0;

	(void)state;
	fill_text(text, sizeof text, 9);
	for (size_t n = 1; n <= sizeof text; n = n * 3 + 1) {
		long best = -1;
		int best_mask = -1;
		assert_int_equal(xy_qr_encode(text, n, chosen, sizeof chosen, &size), 0);
		for (int m = 0; m < 8; m++) {
			long p;
			assert_int_equal(xy_qr_encode_mask(text, n, m, mods, sizeof mods, &size),
					 0);
			p = xy_qr_penalty(mods, size);
			if (best < 0 || p < best) {
				best = p;
				best_mask = m;
			}
		}
		assert_int_equal(xy_qr_encode_mask(text, n, best_mask, mods, sizeof mods, &size),
				 0);
		assert_memory_equal(chosen, mods, (size_t)size * (size_t)size);
	}
}

static void test_acc5_qr_penalty_known_answers(void **state)
{
	static const uint8_t finder_row[11] = {0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1};
	uint8_t m[21 * 21];

	(void)state;
	/* All light, 21x21: rule 1 42 lines x (3 + 16) = 798; rule 2 400 blocks x 3 = 1200;
	 * rule 3 none; rule 4 50 % off = 10 steps x 10 = 100. */
	memset(m, 0, sizeof m);
	assert_int_equal(xy_qr_penalty(m, 21), 798 + 1200 + 100);
	/* A checkerboard scores nothing (221 dark of 441 is within 5 % of half). */
	for (int i = 0; i < 21 * 21; i++)
		m[i] = (uint8_t)((i / 21 + i % 21) % 2 == 0);
	assert_int_equal(xy_qr_penalty(m, 21), 0);
	/* 11x11 light with row 5 = 0000 1011101, worked by hand: rule 3 once (40); rule 1
	 * rows 10 x 9 = 90, columns 5 x (3 + 3) + 6 x 9 = 84; rule 2 80 + 6 blocks = 258;
	 * rule 4 5 dark of 121 is 45.9 % off: 9 steps = 90. */
	memset(m, 0, sizeof m);
	memcpy(m + 5 * 11, finder_row, sizeof finder_row);
	assert_int_equal(xy_qr_penalty(m, 11), 40 + 90 + 84 + 258 + 90);
}

/* Sums the dark modules that the path of svg draws and checks each is dark in mods. */
static int svg_dark_modules(const char *svg, int size)
{
	const char *p = strstr(svg, " d=\"");
	int total = 0;

	assert_non_null(p);
	p += 4;
	while (*p == 'M') {
		int x, y, len, len2, used = 0;
		assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &len, &len2, &used), 4);
		assert_int_equal(len, len2);
		for (int k = 0; k < len; k++) {
			int r = y - XY_QR_QUIET, c = x - XY_QR_QUIET + k;
			assert_true(r >= 0 && r < size && c >= 0 && c < size);
			assert_int_equal(module(size, r, c), 1);
		}
		total += len;
		p += used;
	}
	assert_int_equal(*p, '"');
	return total;
}

static void test_acc5_qr_svg(void **state)
{
	const char *uri = "otpauth://totp/Xinyong:%E5%BC%A0%E4%B8%89?secret=GEZDGNBVGY3TQOJQ"
			  "GEZDGNBVGY3TQOJQ&issuer=Xinyong&algorithm=SHA1&digits=6&period=30";
	static char big[XY_QR_BYTES_MAX + 2];
	struct xy_buf b;
	int size = 0, dark = 0;
	char want[128];

	(void)state;
	xy_buf_init(&b, 1 << 20);
	assert_int_equal(xy_buf_adds(&b, "<p>"), 0);
	assert_int_equal(xy_qr_svg(uri, &b), 0);
	assert_int_equal(xy_qr_encode((const uint8_t *)uri, strlen(uri), mods, sizeof mods, &size),
			 0);
	for (int i = 0; i < size * size; i++)
		dark += mods[i];
	/* Appended after what was there; one svg with one path; quiet zone of 4. */
	assert_memory_equal(b.p, "<p><svg ", 8);
	assert_int_equal(strlen(b.p), b.len);
	snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", size + 8, size + 8);
	assert_non_null(strstr(b.p, want));
	assert_null(strstr(strstr(b.p, "<path") + 1, "<path"));
	assert_int_equal(strcmp(b.p + b.len - 7, "</svg>\n"), 0);
	assert_int_equal(svg_dark_modules(b.p, size), dark);

	/* Too long for any symbol: refused, the buffer as it was. */
	memset(big, 'a', sizeof big - 1);
	{
		size_t before = b.len;
		assert_int_equal(xy_qr_svg(big, &b), XY_ELIMIT);
		assert_int_equal(b.len, before);
		big[XY_QR_BYTES_MAX] = '\0';
	}
	xy_buf_wipe(&b);
	xy_buf_cleanup(&b);
	/* The largest symbol fits a generous buffer; a small max is XY_ELIMIT, untouched. */
	xy_buf_init(&b, 1 << 20);
	assert_int_equal(xy_qr_svg(big, &b), 0);
	assert_int_equal(
		xy_qr_encode((const uint8_t *)big, XY_QR_BYTES_MAX, mods, sizeof mods, &size), 0);
	dark = 0;
	for (int i = 0; i < size * size; i++)
		dark += mods[i];
	assert_int_equal(svg_dark_modules(b.p, size), dark);
	xy_buf_wipe(&b);
	xy_buf_cleanup(&b);
	xy_buf_init(&b, 256);
	assert_int_equal(xy_buf_adds(&b, "x"), 0);
	assert_int_equal(xy_qr_svg("hello", &b), XY_ELIMIT);
	assert_int_equal(b.len, 1);
	assert_string_equal(b.p, "x");
	xy_buf_cleanup(&b);
	assert_int_equal(xy_qr_svg(NULL, &b), XY_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acc5_qr_format_bits_standard_table),
		cmocka_unit_test(test_acc5_qr_version_bits_standard_table),
		cmocka_unit_test(test_acc5_qr_rs_generator_annex_a),
		cmocka_unit_test(test_acc5_qr_rs_annex_i_example),
		cmocka_unit_test(test_acc5_qr_capacity_and_size),
		cmocka_unit_test(test_acc5_qr_function_patterns),
		cmocka_unit_test(test_acc5_qr_version_info_in_symbol),
		cmocka_unit_test(test_acc5_qr_format_info_both_copies),
		cmocka_unit_test(test_acc5_qr_decode_data_and_ec),
		cmocka_unit_test(test_acc5_qr_totp_uri_round_trip),
		cmocka_unit_test(test_acc5_qr_mask_choice_is_least_penalty),
		cmocka_unit_test(test_acc5_qr_penalty_known_answers),
		cmocka_unit_test(test_acc5_qr_svg),
	};

	xy_log_set_level((enum xy_log_level)(XY_LOG_ERROR + 1));
	return cmocka_run_group_tests(tests, gf_setup, NULL);
}
