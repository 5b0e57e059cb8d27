/* Shared by the text-reader fuzz targets (CSV, JSON Lines, encodings): the
 * checks, a running digest of what a reader produced, and the control byte
 * that chooses how the rest of the input is read. */
#ifndef XY_FUZZ_TEXT_H
#define XY_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/log.h"
#include "util/textin.h"

#define REPEAT_TO    (XY_LINE_MAX + 300)
#define REPEAT_MAGIC 0xA5

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xy_log_set_level(XY_LOG_ERROR); /* "neither UTF-8 nor GB18030" is expected here */
	return 0;
}

static inline void check(int ok)
{
	if (!ok)
		abort();
}

static inline uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

struct fuzz_input {
	const uint8_t *d; /* the input after the control byte(s) */
	size_t n;
	size_t piece;  /* bytes per source read, 0: whole */
	unsigned bit4; /* for the target's own use */
	enum xy_encoding enc;
	uint8_t *big; /* owned when the input was repeated; free() it */
};

/* Decodes the first byte: bits 0-3 the read size, bit 4 the target's,
 * bits 5-6 the encoding (auto, UTF-8, GB18030, auto); bit 7 with a second
 * byte 0xA5 repeats the rest past XY_LINE_MAX so that over-long records
 * happen (only then: long inputs are slow to fuzz).  0 when nothing is left
 * to read. */
static inline int fuzz_input(const uint8_t *d, size_t n, struct fuzz_input *in)
{
	static const enum xy_encoding encs[] = {XY_ENC_AUTO, XY_ENC_UTF8, XY_ENC_GB18030,
						XY_ENC_AUTO};
	unsigned m;

	memset(in, 0, sizeof *in);
	if (n < 1)
		return 0;
	m = d[0];
	in->d = d + 1;
	in->n = n - 1;
	in->piece = m & 0x0F;
	in->bit4 = (m >> 4) & 1;
	in->enc = encs[(m >> 5) & 3];
	if ((m & 0x80) && in->n > 1 && in->d[0] == REPEAT_MAGIC) {
		const uint8_t *src = in->d + 1;
		size_t sn = in->n - 1;
		in->big = malloc(REPEAT_TO);
		if (in->big == NULL)
			return 0;
		for (size_t i = 0; i < REPEAT_TO; i += sn)
			memcpy(in->big + i, src, REPEAT_TO - i < sn ? REPEAT_TO - i : sn);
		in->d = in->big;
		in->n = REPEAT_TO;
		in->piece *= 1000;
		if (in->enc == XY_ENC_AUTO) /* sniffing 64 KiB of noise is slow: unit tests do */
			in->enc = XY_ENC_UTF8;
	}
	return 1;
}

#endif
