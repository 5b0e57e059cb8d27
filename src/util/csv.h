/* Streaming CSV reader — RFC 4180 with the usual leniency of spreadsheet exports.
 *
 * COL-2.  Reads records from a struct xy_textin (already UTF-8) in one fixed buffer:
 * memory does not grow with the file.  A bad record is reported with its row number and
 * the reader goes on with the next one; only read errors stop it.
 *
 * Rules (docs/internals/textin.md):
 * - Line endings: \n, \r\n, and a lone \r (classic Mac exports); each ends one physical
 *   line, inside quoted fields too.
 * - A field may be quoted with "; it may then hold delimiters, line breaks and "" for a
 *   quote.  A " inside an unquoted field is kept literally (so is a space before a ").
 * - row_no is what a spreadsheet shows: the first record (the header) is row 1, a record
 *   with line breaks inside quotes is one row, and a blank line (empty, or only \r) is
 *   skipped but counted.
 * - A record longer than XY_LINE_MAX bytes (without its line ending) is XY_ROW_TOO_LONG;
 *   the reader resynchronises at the next physical line break after the first
 *   XY_LINE_MAX bytes (a limitation: after an over-long record quoting state cannot be
 *   known).  Text after a closing quote is XY_ROW_BAD_QUOTE and the record runs to the
 *   next physical line break; an unterminated quoted field at end of input is
 *   XY_ROW_BAD_QUOTE too.  Other errors leave record boundaries exact. */
#ifndef XY_UTIL_CSV_H
#define XY_UTIL_CSV_H

#include <stddef.h>

#include "util/textin.h"

enum xy_row_error {
	XY_ROW_OK = 0,
	XY_ROW_TOO_LONG,	/* record longer than XY_LINE_MAX bytes */
	XY_ROW_NUL,		/* holds a NUL byte */
	XY_ROW_BAD_UTF8,	/* invalid UTF-8 (or a byte invalid in the source encoding) */
	XY_ROW_BAD_QUOTE,	/* a quoted field not closed, or text after a closing quote */
	XY_ROW_TOO_MANY_FIELDS, /* more than XY_CSV_FIELDS_MAX columns */
};
/* Reason for a rejected row, for the batch report; never NULL, static. */
const char *xy_row_error_zh(enum xy_row_error e); /* "该行超过长度上限 65536 字节" */
const char *xy_row_error_en(enum xy_row_error e); /* "row longer than the 65536-byte limit" */

struct xy_csv_row {
	long row_no;  /* the row number a spreadsheet shows: the header is row 1; a blank
			 line counts as a row */
	long line_no; /* physical line (1-based) where the record starts */
	int nfields;
	char **field;	 /* unquoted values, each NUL-terminated; owned by the reader, valid
			    until the next call */
	size_t *len;	 /* byte length of each value */
	const char *raw; /* the record's UTF-8 text as read, without its line ending; valid
			    until the next call; not NUL-terminated (empty for TOO_LONG) */
	size_t raw_len;
	enum xy_row_error err; /* not OK: nfields is 0 and no value is usable; the reader has
				  already resynchronised and the next call returns the
				  following record */
};

struct xy_csv;

/* in is borrowed and must outlive the reader; delim is ',' normally (not '"', '\r',
 * '\n' or NUL: XY_EINVAL).  XY_ENOMEM.  The caller frees *out with xy_csv_free(). */
__attribute__((warn_unused_result)) int xy_csv_new(struct xy_csv **out, struct xy_textin *in,
						   char delim);
/* 1: a record is in *row; 0: end of input; negative XY_E...: a read error (fatal). */
__attribute__((warn_unused_result)) int xy_csv_next(struct xy_csv *c, struct xy_csv_row *row);
/* Bytes of memory the reader holds (fixed after xy_csv_new: for tests of bounded memory;
 * the xy_textin is counted separately). */
size_t xy_csv_mem_size(const struct xy_csv *c);
void xy_csv_free(struct xy_csv *c); /* NULL is a no-op */

#endif
