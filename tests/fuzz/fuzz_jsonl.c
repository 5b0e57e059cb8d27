/* libFuzzer target: the JSON Lines reader (COL-2) over textin, then jansson on each line.
 *
 * The first input byte chooses how to read the rest: bits 0-3 the size of each source
 * read (0: whole), bits 5-6 the encoding; bit 7 with a second byte 0xA5 repeats the rest
 * past XY_LINE_MAX.
 * The lines must be the same whatever the read size. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/log.h"
#include "util/lines.h"
#include "util/textin.h"
#include "util/utf8.h"

#define REPEAT_TO    (XY_LINE_MAX + 300)
#define REPEAT_MAGIC 0xA5

static void check(int ok)
{
	if (!ok)
		abort();
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static void parse_json(const struct xy_line *l)
{
	json_error_t jerr;
	json_t *j = json_loadb(l->text, l->len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);

	json_decref(j);
}

static uint64_t run(const uint8_t *d, size_t n, enum xy_encoding enc, size_t piece, int json)
{
	struct xy_textin *t;
	struct xy_lines *l;
	struct xy_line line;
	uint64_t h = 0xcbf29ce484222325ULL;
	long last = 0;
	int rc;

	if (xy_textin_open_mem_pieces(&t, d, n, enc, piece) != 0)
		return 0;
	check(xy_lines_new(&l, t) == 0);
	while ((rc = xy_lines_next(l, &line)) == 1) {
		check(line.row_no > last);
		last = line.row_no;
		check(line.len <= XY_LINE_MAX);
		check(line.text[line.len] == '\0');
		check(line.err == XY_ROW_OK || line.err == XY_ROW_TOO_LONG ||
		      line.err == XY_ROW_NUL || line.err == XY_ROW_BAD_UTF8);
		if (line.err == XY_ROW_OK) {
			check(strlen(line.text) == line.len);
			check(xy_utf8_valid(line.text, line.len));
			if (json)
				parse_json(&line);
		}
		h = mix(h, &line.row_no, sizeof(line.row_no));
		h = mix(h, &line.err, sizeof(line.err));
		h = mix(h, line.text, line.len);
	}
	check(rc == 0);
	check(xy_lines_next(l, &line) == 0);
	check(xy_textin_offset(t) == n);
	xy_lines_free(l);
	xy_textin_free(t);
	return h | 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xy_log_set_level(XY_LOG_ERROR); /* "neither UTF-8 nor GB18030" is expected here */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const enum xy_encoding encs[] = {XY_ENC_AUTO, XY_ENC_UTF8, XY_ENC_GB18030,
						XY_ENC_AUTO};
	uint8_t *big = NULL;
	enum xy_encoding enc;
	size_t piece, i;
	unsigned m;

	if (n < 1)
		return 0;
	m = d[0];
	d++;
	n--;
	piece = m & 0x0F;
	enc = encs[(m >> 5) & 3];
	/* Long inputs are slow to fuzz: only when the next byte says so too. */
	if ((m & 0x80) && n > 1 && d[0] == REPEAT_MAGIC) {
		d++;
		n--;
		big = malloc(REPEAT_TO);
		if (big == NULL)
			return 0;
		for (i = 0; i < REPEAT_TO; i += n)
			memcpy(big + i, d, REPEAT_TO - i < n ? REPEAT_TO - i : n);
		d = big;
		n = REPEAT_TO;
		piece *= 1000;
		if (enc == XY_ENC_AUTO) /* sniffing 64 KiB of noise is slow: unit tests do it */
			enc = XY_ENC_UTF8;
	}
	check(run(d, n, enc, 0, 1) == run(d, n, enc, piece, 0));
	free(big);
	return 0;
}
