/* Streaming line reader for JSON Lines (COL-2), with the row semantics of util/csv.h.
 *
 * Lines end with \n; a \r just before it is dropped (a lone \r elsewhere is kept: it is
 * JSON white space).  A blank line (empty, or only spaces, tabs and \r) is skipped but
 * counted.  A line longer than XY_LINE_MAX bytes (without its line ending) is reported
 * as XY_ROW_TOO_LONG and the reader goes on after its \n.  Memory is fixed at
 * xy_lines_new(). */
#ifndef XY_UTIL_LINES_H
#define XY_UTIL_LINES_H

#include <stddef.h>

#include "util/csv.h"
#include "util/textin.h"

struct xy_line {
	long row_no;	  /* 1-based line number; blank lines are skipped but counted */
	const char *text; /* NUL-terminated, without the line ending; valid until the next
			     call; "" for XY_ROW_TOO_LONG */
	size_t len;
	enum xy_row_error err; /* XY_ROW_OK, XY_ROW_TOO_LONG, XY_ROW_NUL, XY_ROW_BAD_UTF8 */
};

struct xy_lines;

/* in is borrowed and must outlive the reader.  XY_ENOMEM, XY_EINVAL.  The caller frees
 * *out with xy_lines_free(). */
__attribute__((warn_unused_result)) int xy_lines_new(struct xy_lines **out, struct xy_textin *in);
/* 1: a line is in *line; 0: end of input; negative XY_E...: a read error (fatal). */
__attribute__((warn_unused_result)) int xy_lines_next(struct xy_lines *l, struct xy_line *line);
/* Bytes of memory the reader holds (fixed after xy_lines_new). */
size_t xy_lines_mem_size(const struct xy_lines *l);
void xy_lines_free(struct xy_lines *l); /* NULL is a no-op */

#endif
