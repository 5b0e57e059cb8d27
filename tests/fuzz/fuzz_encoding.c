/* libFuzzer target: encoding detection and GB18030 decoding (COL-2).
 *
 * Checks that detection agrees with itself (a complete text and its prefixes), with the
 * UTF-8 validator and with what iconv decodes, and that decoding gives the same text
 * whatever the size of each source read.  The first byte chooses that size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "fuzz_text.h"
#include "util/textin.h"
#include "util/utf8.h"

/* Everything t yields (caller frees), or NULL when the input is refused. */
static char *decode(const uint8_t *d, size_t n, enum xy_encoding enc, size_t piece, size_t *len,
		    enum xy_encoding *used)
{
	struct xy_textin *t;
	size_t cap = 4 * n + 16;
	char *out;
	ssize_t got;

	*len = 0;
	if (xy_textin_open_mem_pieces(&t, d, n, enc, piece) != 0)
		return NULL;
	out = malloc(cap);
	check(out != NULL);
	for (;;) {
		check(*len < cap);
		got = xy_textin_read(t, out + *len, piece ? piece : cap - *len);
		check(got >= 0);
		if (got == 0)
			break;
		*len += (size_t)got;
	}
	check(xy_textin_offset(t) == n);
	*used = xy_textin_encoding(t);
	xy_textin_free(t);
	return out;
}

/* Output of a GB18030 decode: valid UTF-8 pieces separated by 0xFF stand-ins. */
static size_t check_decoded(const char *p, size_t n)
{
	size_t i = 0, j, bad = 0;

	while (i < n) {
		for (j = i; j < n && (unsigned char)p[j] != 0xFF; j++)
			;
		check(xy_utf8_valid(p + i, j - i));
		bad += j < n;
		i = j + 1;
	}
	return bad;
}

static void check_same_decoding(const uint8_t *d, size_t n, enum xy_encoding enc, size_t piece)
{
	enum xy_encoding u1 = XY_ENC_AUTO, u2 = XY_ENC_AUTO;
	size_t l1, l2;
	char *a = decode(d, n, enc, 0, &l1, &u1);
	char *b = decode(d, n, enc, piece, &l2, &u2);

	check((a == NULL) == (b == NULL));
	if (a != NULL) {
		check(u1 == u2 && l1 == l2 && memcmp(a, b, l1) == 0);
		if (u1 == XY_ENC_GB18030)
			check_decoded(a, l1);
		else /* UTF-8 passes through, less a BOM */
			check(l1 + 3 * (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) == n &&
			      memcmp(a, d + n - l1, l1) == 0);
	}
	free(a);
	free(b);
}

static void check_detection(const uint8_t *d, size_t n)
{
	enum xy_encoding whole = XY_ENC_AUTO, part = XY_ENC_AUTO, used = XY_ENC_AUTO;
	size_t bom = 0, pbom = 0, len;
	int rc = xy_encoding_detect(d, n, 1, &whole, &bom);
	int prc = xy_encoding_detect(d, n, 0, &part, &pbom);
	char *out;

	if (rc == 0) {
		check(prc == 0);
		check(whole == XY_ENC_UTF8 || whole == XY_ENC_GB18030);
		check(whole != XY_ENC_UTF8 || part == XY_ENC_UTF8);
	}
	if (rc != 0 || bom != 0)
		return;
	/* any prefix of an accepted text is accepted while more may follow */
	check(xy_encoding_detect(d, n / 2, 0, &part, &pbom) == 0);
	if (whole == XY_ENC_UTF8) {
		check(xy_utf8_valid(d, n));
		return;
	}
	/* detected as GB18030: iconv decodes all of it */
	out = decode(d, n, XY_ENC_GB18030, 0, &len, &used);
	check(out != NULL);
	check(check_decoded(out, len) == 0);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t piece;

	if (n < 1)
		return 0;
	piece = d[0] % 9 + 1;
	d++;
	n--;
	check_detection(d, n);
	check_same_decoding(d, n, XY_ENC_GB18030, piece);
	check_same_decoding(d, n, XY_ENC_AUTO, piece);
	return 0;
}
