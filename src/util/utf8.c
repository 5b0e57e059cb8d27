/* UTF-8 validation with a word-at-a-time fast path for ASCII runs. */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

#define HIGH_BITS 0x8080808080808080ULL

/* Index of the first byte whose high bit is set in m (m & HIGH_BITS == m, m != 0). */
static size_t first_high(uint64_t m)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(m) / 8;
#else
	return (size_t)__builtin_clzll(m) / 8;
#endif
}

size_t xy_ascii_prefix(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;
	uint64_t v;

	while (i + 8 <= n) {
		memcpy(&v, s + i, 8); /* memcpy: no alignment assumptions */
		if (v & HIGH_BITS)
			return i + first_high(v & HIGH_BITS);
		i += 8;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* Length of the sequence led by b (0 when b cannot lead one) and the allowed range of
 * its second byte, which is where overlongs, surrogates and values past U+10FFFF are
 * ruled out (Unicode Table 3-7). */
static size_t lead_info(unsigned b, unsigned *lo, unsigned *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF) {
		if (b == 0xE0)
			*lo = 0xA0;
		else if (b == 0xED)
			*hi = 0x9F;
		return 3;
	}
	if (b >= 0xF0 && b <= 0xF4) {
		if (b == 0xF0)
			*lo = 0x90;
		else if (b == 0xF4)
			*hi = 0x8F;
		return 4;
	}
	return 0;
}

int xy_utf8_seq(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k, len;
	unsigned lo, hi;

	if (s[0] < 0x80)
		return 1;
	len = lead_info(s[0], &lo, &hi);
	if (len == 0)
		return -1;
	for (k = 1; k < len; k++) {
		if (k >= n)
			return 0;
		if (s[k] < lo || s[k] > hi)
			return -1;
		lo = 0x80;
		hi = 0xBF;
	}
	return (int)len;
}

/* 0: valid; 1: valid but the last sequence is cut by the end; -1: invalid.
 * Hot path of every imported row: ASCII a word at a time, then the two- and three-byte
 * forms (Chinese text is three-byte) tested inline; the rest goes through lead_info. */
static int scan(const unsigned char *s, size_t n)
{
	size_t i = 0;
	unsigned b, c1;
	uint64_t v;
	int len;

	while (i < n) {
		b = s[i];
		if (b < 0x80) {
			if (n - i >= 8) {
				memcpy(&v, s + i, 8);
				i += v & HIGH_BITS ? first_high(v & HIGH_BITS) : 8;
			} else {
				i++;
			}
			continue;
		}
		if (n - i >= 3 && (b & 0xF0) == 0xE0) {
			c1 = s[i + 1];
			if ((s[i + 2] & 0xC0) != 0x80 || c1 < (b == 0xE0 ? 0xA0u : 0x80u) ||
			    c1 > (b == 0xED ? 0x9Fu : 0xBFu))
				return -1;
			i += 3;
			continue;
		}
		if (n - i >= 2 && b >= 0xC2 && b <= 0xDF) {
			if ((s[i + 1] & 0xC0) != 0x80)
				return -1;
			i += 2;
			continue;
		}
		len = xy_utf8_seq(s + i, n - i);
		if (len <= 0)
			return len == 0 ? 1 : -1;
		i += (size_t)len;
	}
	return 0;
}

int xy_utf8_valid(const void *p, size_t n)
{
	return scan(p, n) == 0;
}

int xy_utf8_valid_prefix(const void *p, size_t n)
{
	return scan(p, n) >= 0;
}

size_t xy_utf8_len(const char *p, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		count += ((unsigned char)p[i] & 0xC0) != 0x80;
	return count;
}
