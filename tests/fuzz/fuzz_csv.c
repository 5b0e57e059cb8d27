/* libFuzzer target: the CSV reader (COL-2) over textin, on untrusted bytes.
 *
 * The first input byte chooses how to read the rest: bits 0-3 the size of each source
 * read (0: whole), bit 4 the delimiter (',' or ';'), bits 5-6 the encoding (auto, UTF-8,
 * GB18030, auto); bit 7 with a second byte 0xA5 repeats the rest past XY_LINE_MAX so
 * that over-long records happen.
 * Every record is checked against the reader's promises, and the records must be the same
 * whatever the read size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_text.h"
#include "util/csv.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/textin.h"
#include "util/utf8.h"

static uint64_t check_row(uint64_t h, const struct xy_csv_row *r, char delim)
{
	size_t i, sum = 0;

	check(r->nfields >= 0 && r->nfields <= XY_CSV_FIELDS_MAX);
	check(r->raw_len <= XY_LINE_MAX);
	check(r->row_no >= 1 && r->line_no >= r->row_no);
	if (r->err != XY_ROW_OK) {
		check(r->nfields == 0);
		return mix(h, &r->err, sizeof(r->err));
	}
	check(r->nfields >= 1);
	check(xy_utf8_valid(r->raw, r->raw_len));
	check(memchr(r->raw, '\0', r->raw_len) == NULL);
	for (i = 0; i < (size_t)r->nfields; i++) {
		check(r->field[i][r->len[i]] == '\0');
		check(strlen(r->field[i]) == r->len[i]);
		check(xy_utf8_valid(r->field[i], r->len[i]));
		sum += r->len[i];
		h = mix(h, r->field[i], r->len[i] + 1);
	}
	check(sum <= r->raw_len);
	/* Without quotes, the values joined by the delimiter are the record itself. */
	if (memchr(r->raw, '"', r->raw_len) == NULL) {
		check(sum + (size_t)r->nfields - 1 == r->raw_len);
		for (i = 0, sum = 0; i < (size_t)r->nfields; i++) {
			check(memcmp(r->raw + sum, r->field[i], r->len[i]) == 0);
			sum += r->len[i];
			check(i + 1 == (size_t)r->nfields || r->raw[sum] == delim);
			sum++;
		}
	}
	return h;
}

/* Reads every record; returns a digest of them (0 when the input is refused). */
static uint64_t run(const uint8_t *d, size_t n, enum xy_encoding enc, size_t piece, char delim)
{
	struct xy_textin *t;
	struct xy_csv *c;
	struct xy_csv_row row;
	uint64_t h = 0xcbf29ce484222325ULL;
	long last = 0, rows = 0;
	int rc;

	if (xy_textin_open_mem_pieces(&t, d, n, enc, piece) != 0)
		return 0;
	check(xy_csv_new(&c, t, delim) == 0);
	while ((rc = xy_csv_next(c, &row)) == 1) {
		check(row.row_no > last);
		last = row.row_no;
		h = check_row(mix(h, &row.row_no, sizeof(row.row_no)), &row, delim);
		h = mix(h, &row.line_no, sizeof(row.line_no));
		check(++rows <= (long)n + 1);
	}
	check(rc == 0);
	check(xy_csv_next(c, &row) == 0);
	check(xy_textin_offset(t) == n);
	xy_csv_free(c);
	xy_textin_free(t);
	return h | 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct fuzz_input in;
	char delim;

	if (!fuzz_input(d, n, &in))
		return 0;
	delim = in.bit4 ? ';' : ',';
	check(run(in.d, in.n, in.enc, 0, delim) == run(in.d, in.n, in.enc, in.piece, delim));
	free(in.big);
	return 0;
}
