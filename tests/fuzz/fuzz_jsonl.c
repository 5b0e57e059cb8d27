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
#include "fuzz_text.h"
#include "util/lines.h"
#include "util/textin.h"
#include "util/utf8.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct fuzz_input in;

	if (!fuzz_input(d, n, &in))
		return 0;
	check(run(in.d, in.n, in.enc, 0, 1) == run(in.d, in.n, in.enc, in.piece, 0));
	free(in.big);
	return 0;
}
