/* Streaming CSV reader (COL-2).  One input buffer, refilled in blocks; a record is parsed
 * in place with memchr and its values are copied, unquoted, into one value buffer.  No
 * allocation after xy_csv_new().  A record cut by the end of the buffer is parsed again
 * from its start once more text is in (the buffer at least doubles what it holds of the
 * record each time, so this costs O(record length)). */
#include "util/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/utf8.h"

/* Input buffer: a whole record (XY_LINE_MAX + a line ending) always fits twice over. */
#define CSV_BUF_CAP XY_TEXTIN_BLOCK
/* Values of one record: at most its bytes, plus a NUL after each kept value, plus the
 * 8 bytes copy_to_delim() may write past the end of a value. */
#define CSV_VAL_CAP (XY_LINE_MAX + 1 + XY_CSV_FIELDS_MAX + 1 + 8)

_Static_assert(CSV_BUF_CAP >= 2 * (XY_LINE_MAX + 2) + 1, "a record must fit in the buffer");
_Static_assert(XY_LINE_MAX == 65536, "the row error messages say 65536");
_Static_assert(XY_CSV_FIELDS_MAX == 256, "the row error messages say 256");

struct xy_csv {
	struct xy_textin *in;
	char delim;
	char *buf; /* CSV_BUF_CAP + 1; text not yet parsed is [pos, len) */
	size_t pos, len;
	int eof;
	int skipping; /* after an over-long record: drop text to the next line break */
	long row_no;  /* of the last record handed out */
	long line_no; /* physical line at pos */
	char *val;    /* CSV_VAL_CAP: the values of the current record */
	char *field[XY_CSV_FIELDS_MAX];
	size_t flen[XY_CSV_FIELDS_MAX];
};

/* The record being parsed: buf[s, e) is the text at hand, parsed no further than lim. */
struct rec {
	const char *s, *e, *lim;
	int eof;	  /* nothing follows e */
	const char *p;	  /* start of the current field */
	const char *brk;  /* first \r or \n at or after p in [p, lim), or lim */
	const char *brk0; /* the first of all: none lies inside a record ending there */
	char *out;	  /* next free byte of val */
	int nf;
	int quoted; /* a field was quoted: line breaks may lie inside the record */
	enum xy_row_error err;
	const char *end;  /* record end, without its line ending */
	const char *next; /* where the next record starts */
};

/* Outcomes of parsing: more to parse in this record (P_NEXT, P_FIELD), or not. */
enum { P_NEXT, P_FIELD, P_DONE, P_MORE, P_LONG };

const char *xy_row_error_zh(enum xy_row_error e)
{
	switch (e) {
	case XY_ROW_OK:
		return "正常";
	case XY_ROW_TOO_LONG:
		return "该行超过长度上限 65536 字节";
	case XY_ROW_NUL:
		return "该行含有空字符（0x00）";
	case XY_ROW_BAD_UTF8:
		return "该行含有无效的字符编码（不是有效的 UTF-8，或不符合文件的编码）";
	case XY_ROW_BAD_QUOTE:
		return "该行引号不配对：带引号的字段没有结束，或结束引号后还有字符";
	case XY_ROW_TOO_MANY_FIELDS:
		return "该行超过列数上限 256 列";
	}
	return "未知错误";
}

const char *xy_row_error_en(enum xy_row_error e)
{
	switch (e) {
	case XY_ROW_OK:
		return "ok";
	case XY_ROW_TOO_LONG:
		return "row longer than the 65536-byte limit";
	case XY_ROW_NUL:
		return "row holds a NUL byte";
	case XY_ROW_BAD_UTF8:
		return "row holds invalid characters (not UTF-8, or not valid in the file's "
		       "encoding)";
	case XY_ROW_BAD_QUOTE:
		return "unbalanced quotes: a quoted field is not closed, or text follows its "
		       "closing quote";
	case XY_ROW_TOO_MANY_FIELDS:
		return "row has more than 256 columns";
	}
	return "unknown error";
}

int xy_csv_new(struct xy_csv **out, struct xy_textin *in, char delim)
{
	struct xy_csv *c;

	*out = NULL;
	if (in == NULL || delim == '"' || delim == '\r' || delim == '\n' || delim == '\0' ||
	    (unsigned char)delim >= 0x80)
		return XY_EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return XY_ENOMEM;
	c->buf = malloc(CSV_BUF_CAP + 1);
	c->val = malloc(CSV_VAL_CAP);
	if (c->buf == NULL || c->val == NULL)
		goto out;
	c->in = in;
	c->delim = delim;
	c->line_no = 1;
	*out = c;
	c = NULL;
out:
	xy_csv_free(c);
	return *out ? 0 : XY_ENOMEM;
}

void xy_csv_free(struct xy_csv *c)
{
	if (c == NULL)
		return;
	/* The buffers held the file's text (identity numbers among it). */
	if (c->buf)
		explicit_bzero(c->buf, CSV_BUF_CAP + 1);
	if (c->val)
		explicit_bzero(c->val, CSV_VAL_CAP);
	free(c->buf);
	free(c->val);
	free(c);
}

size_t xy_csv_mem_size(const struct xy_csv *c)
{
	return sizeof(*c) + CSV_BUF_CAP + 1 + CSV_VAL_CAP;
}

/* Moves the unparsed text to the front, then reads until at least want bytes of it are
 * in (or the buffer is full, or the input ends). */
static int fill(struct xy_csv *c, size_t want)
{
	ssize_t got;

	if (c->pos > 0) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (want > CSV_BUF_CAP)
		want = CSV_BUF_CAP;
	while (c->len < want && !c->eof) {
		got = xy_textin_read(c->in, c->buf + c->len, CSV_BUF_CAP - c->len);
		if (got < 0)
			return (int)got;
		if (got == 0)
			c->eof = 1;
		c->len += (size_t)got;
	}
	return 0;
}

/* Physical line breaks in [p, p+n): \n, \r\n and a lone \r each count once. */
static long count_breaks(const char *p, size_t n)
{
	const char *e = p + n, *x;
	long k = 0;

	for (x = p; (x = memchr(x, '\n', (size_t)(e - x))) != NULL; x++)
		k++;
	for (x = p; (x = memchr(x, '\r', (size_t)(e - x))) != NULL; x++)
		k += x + 1 == e || x[1] != '\n';
	return k;
}

static void find_brk(struct rec *r)
{
	const char *nl = memchr(r->p, '\n', (size_t)(r->lim - r->p));
	const char *cr;

	if (nl == NULL)
		nl = r->lim;
	cr = memchr(r->p, '\r', (size_t)(nl - r->p));
	r->brk = cr ? cr : nl;
}

/* The window ends before the record does. */
static int ran_out(struct rec *r)
{
	if (r->lim - r->s > XY_LINE_MAX)
		return P_LONG;
	if (!r->eof)
		return P_MORE;
	r->end = r->next = r->e;
	return P_DONE;
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Copies the unquoted value at p into r->out up to the first delim before stop, and
 * returns where it stopped.  Eight bytes at a time (the inner loop of every import):
 * a word holding the delimiter has a zero byte once xored with it, and the lowest
 * flag of the classic zero-byte test is exact. */
static const char *copy_to_delim(struct rec *r, const char *p, const char *stop, char delim)
{
	const uint64_t pat = ONES * (unsigned char)delim;
	uint64_t v, x, m;
	size_t k;

	while (stop - p >= 8) {
		memcpy(&v, p, 8);
		memcpy(r->out, &v, 8);
		x = v ^ pat;
		m = (x - ONES) & ~x & HIGHS;
		if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			k = (size_t)__builtin_ctzll(m) / 8;
#else
			k = (size_t)__builtin_clzll(m) / 8;
#endif
			r->out += k;
			return p + k;
		}
		p += 8;
		r->out += 8;
	}
	while (p < stop && *p != delim)
		*r->out++ = *p++;
	return p;
}

static void put(struct rec *r, const char *p, size_t n)
{
	memcpy(r->out, p, n);
	r->out += n;
}

/* Keeps the value that starts at v (or drops it past XY_CSV_FIELDS_MAX). */
static void store(struct xy_csv *c, struct rec *r, char *v)
{
	if (r->nf < XY_CSV_FIELDS_MAX) {
		c->field[r->nf] = v;
		c->flen[r->nf] = (size_t)(r->out - v);
		*r->out++ = '\0';
	} else {
		r->out = v;
	}
	r->nf++;
}

/* A quoted field from r->p; on P_FIELD, *after points just past its closing quote. */
static int quoted(struct rec *r, const char **after)
{
	const char *p = r->p + 1, *q;
	int st;

	r->quoted = 1;
	for (;;) {
		q = memchr(p, '"', (size_t)(r->lim - p));
		if (q == NULL) {
			st = ran_out(r);
			if (st == P_DONE) /* end of input inside quotes */
				r->err = XY_ROW_BAD_QUOTE;
			return st;
		}
		put(r, p, (size_t)(q - p));
		/* A quote last in the window is settled by field_end: more text or the end. */
		if (q + 1 == r->lim || q[1] != '"') {
			*after = q + 1;
			return P_FIELD;
		}
		put(r, "\"", 1);
		p = q + 2;
	}
}

/* What follows a field ending at q: the next field, the end of the record, or text
 * after a closing quote (XY_ROW_BAD_QUOTE: the record then runs to the line break). */
static int field_end(struct xy_csv *c, struct rec *r, const char *q)
{
	if (q == r->lim)
		return ran_out(r);
	if (*q == c->delim) {
		r->p = q + 1;
		return P_NEXT;
	}
	if (*q == '\n' || *q == '\r') {
		r->end = q;
		r->next = q + 1;
		if (*q == '\r') {
			if (q + 1 == r->e && !r->eof)
				return P_MORE; /* is it \r\n? */
			if (q + 1 < r->e && q[1] == '\n')
				r->next++;
		}
		return P_DONE;
	}
	r->err = XY_ROW_BAD_QUOTE;
	r->p = q;
	find_brk(r);
	return field_end(c, r, r->brk);
}

static int parse(struct xy_csv *c, struct rec *r)
{
	const char *q;
	char *v;
	int st;

	find_brk(r);
	r->brk0 = r->brk;
	for (;;) {
		v = r->out;
		if (r->p < r->lim && *r->p == '"') {
			st = quoted(r, &q);
			if (st != P_FIELD)
				return st;
		} else {
			if (r->brk < r->p) /* a quoted field went past it */
				find_brk(r);
			q = copy_to_delim(r, r->p, r->brk, c->delim);
		}
		store(c, r, v);
		if (q < r->brk && *q == c->delim) { /* the common case, kept inline */
			r->p = q + 1;
			continue;
		}
		st = field_end(c, r, q);
		if (st != P_NEXT)
			return st;
	}
}

static void rec_init(struct xy_csv *c, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->s = r->p = c->buf + c->pos;
	r->e = c->buf + c->len;
	r->lim = r->e - r->s > XY_LINE_MAX + 1 ? r->s + XY_LINE_MAX + 1 : r->e;
	r->eof = c->eof;
	r->out = c->val;
}

static enum xy_row_error check(const struct rec *r)
{
	size_t n = (size_t)(r->end - r->s);

	if (r->err != XY_ROW_OK)
		return r->err;
	if (r->nf > XY_CSV_FIELDS_MAX)
		return XY_ROW_TOO_MANY_FIELDS;
	if (memchr(r->s, '\0', n) != NULL)
		return XY_ROW_NUL;
	if (!xy_utf8_valid(r->s, n))
		return XY_ROW_BAD_UTF8;
	return XY_ROW_OK;
}

static void hand_out(struct xy_csv *c, const struct rec *r, struct xy_csv_row *row)
{
	row->row_no = ++c->row_no;
	row->line_no = c->line_no;
	row->raw = r->s;
	row->raw_len = (size_t)(r->end - r->s);
	row->err = check(r);
	row->nfields = row->err == XY_ROW_OK ? r->nf : 0;
	row->field = c->field;
	row->len = c->flen;
	if (r->end > r->brk0)
		c->line_no += count_breaks(r->s, row->raw_len);
	c->line_no += r->next > r->end;
	c->pos = (size_t)(r->next - c->buf);
}

/* A record past XY_LINE_MAX: report it, then drop text up to the next line break after
 * its first XY_LINE_MAX bytes (next call). */
static void hand_out_long(struct xy_csv *c, const struct rec *r, struct xy_csv_row *row)
{
	const char *from = r->s + XY_LINE_MAX;

	if (from[-1] == '\r') /* may be the first half of \r\n: resynchronise there */
		from--;
	row->row_no = ++c->row_no;
	row->line_no = c->line_no;
	row->raw = r->s;
	row->raw_len = 0;
	row->err = XY_ROW_TOO_LONG;
	row->nfields = 0;
	row->field = c->field;
	row->len = c->flen;
	c->line_no += count_breaks(r->s, (size_t)(from - r->s));
	c->pos = (size_t)(from - c->buf);
	c->skipping = 1;
}

/* Drops text up to and including the next line break (or to the end of input). */
static int skip_line(struct xy_csv *c)
{
	const char *s, *e, *nl, *cr;
	int rc;

	for (;;) {
		s = c->buf + c->pos;
		e = c->buf + c->len;
		nl = memchr(s, '\n', (size_t)(e - s));
		if (nl == NULL)
			nl = e;
		cr = memchr(s, '\r', (size_t)(nl - s));
		if (cr == NULL)
			cr = nl;
		if (cr < e && !(*cr == '\r' && cr + 1 == e && !c->eof)) {
			if (*cr == '\r' && cr + 1 < e && cr[1] == '\n')
				cr++;
			c->pos = (size_t)(cr + 1 - c->buf);
			c->line_no++;
			c->skipping = 0;
			return 0;
		}
		c->pos = (size_t)(cr - c->buf); /* keep a final \r: \r\n may follow */
		if (c->eof) {
			c->skipping = 0;
			return 0;
		}
		rc = fill(c, c->len - c->pos + 1);
		if (rc)
			return rc;
	}
}

int xy_csv_next(struct xy_csv *c, struct xy_csv_row *row)
{
	struct rec r;
	int rc, st;

	if (c->skipping) {
		rc = skip_line(c);
		if (rc)
			return rc;
	}
	for (;;) {
		if (c->pos == c->len) {
			if (c->eof)
				return 0;
			rc = fill(c, 1);
			if (rc)
				return rc;
			continue;
		}
		rec_init(c, &r);
		st = parse(c, &r);
		if (st == P_MORE) {
			rc = fill(c, 2 * (c->len - c->pos) + 1);
			if (rc)
				return rc;
			continue;
		}
		if (st == P_LONG) {
			hand_out_long(c, &r, row);
			return 1;
		}
		if (r.end == r.s && r.next > r.end) { /* blank line: counted, skipped */
			c->row_no++;
			c->line_no++;
			c->pos = (size_t)(r.next - c->buf);
			continue;
		}
		hand_out(c, &r, row);
		return 1;
	}
}
