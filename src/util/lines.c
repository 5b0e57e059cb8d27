/* Streaming line reader for JSON Lines (COL-2).  Lines are found with memchr in one
 * fixed buffer and handed out in place (the line ending is overwritten with NUL). */
#include "util/lines.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/utf8.h"

#define LINES_BUF_CAP XY_TEXTIN_BLOCK

_Static_assert(LINES_BUF_CAP >= 2 * (XY_LINE_MAX + 2) + 1, "a line must fit in the buffer");

struct xy_lines {
	struct xy_textin *in;
	char *buf;	 /* LINES_BUF_CAP + 1 (room for a NUL after a last unterminated line) */
	size_t pos, len; /* text not yet handed out is [pos, len) */
	int eof;
	int skipping; /* after an over-long line: drop text up to the next \n */
	long row_no;
};

int xy_lines_new(struct xy_lines **out, struct xy_textin *in)
{
	struct xy_lines *l;

	*out = NULL;
	if (in == NULL)
		return XY_EINVAL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return XY_ENOMEM;
	l->buf = malloc(LINES_BUF_CAP + 1);
	if (l->buf == NULL) {
		free(l);
		return XY_ENOMEM;
	}
	l->in = in;
	*out = l;
	return 0;
}

void xy_lines_free(struct xy_lines *l)
{
	if (l == NULL)
		return;
	if (l->buf) /* it held the file's text */
		explicit_bzero(l->buf, LINES_BUF_CAP + 1);
	free(l->buf);
	free(l);
}

size_t xy_lines_mem_size(const struct xy_lines *l)
{
	return sizeof(*l) + LINES_BUF_CAP + 1;
}

/* Moves the text not handed out to the front, then reads until at least want bytes of
 * it are in (or the buffer is full, or the input ends). */
static int fill(struct xy_lines *l, size_t want)
{
	ssize_t got;

	if (l->pos > 0) {
		memmove(l->buf, l->buf + l->pos, l->len - l->pos);
		l->len -= l->pos;
		l->pos = 0;
	}
	if (want > LINES_BUF_CAP)
		want = LINES_BUF_CAP;
	while (l->len < want && !l->eof) {
		got = xy_textin_read(l->in, l->buf + l->len, LINES_BUF_CAP - l->len);
		if (got < 0)
			return (int)got;
		if (got == 0)
			l->eof = 1;
		l->len += (size_t)got;
	}
	return 0;
}

/* Drops text up to and including the next \n (or to the end of input). */
static int skip_line(struct xy_lines *l)
{
	const char *s, *nl;
	int rc;

	for (;;) {
		s = l->buf + l->pos;
		nl = memchr(s, '\n', l->len - l->pos);
		if (nl != NULL) {
			l->pos = (size_t)(nl + 1 - l->buf);
			l->skipping = 0;
			return 0;
		}
		l->pos = l->len;
		if (l->eof) {
			l->skipping = 0;
			return 0;
		}
		rc = fill(l, 1);
		if (rc)
			return rc;
	}
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void hand_out(struct xy_lines *l, char *s, size_t n, struct xy_line *line)
{
	line->row_no = l->row_no;
	line->text = s;
	line->len = n;
	s[n] = '\0';
	if (memchr(s, '\0', n) != NULL)
		line->err = XY_ROW_NUL;
	else if (!xy_utf8_valid(s, n))
		line->err = XY_ROW_BAD_UTF8;
	else
		line->err = XY_ROW_OK;
}

static void hand_out_long(struct xy_lines *l, struct xy_line *line)
{
	line->row_no = l->row_no;
	line->text = "";
	line->len = 0;
	line->err = XY_ROW_TOO_LONG;
}

int xy_lines_next(struct xy_lines *l, struct xy_line *line)
{
	char *s, *nl;
	size_t avail, n;
	int rc;

	if (l->skipping) {
		rc = skip_line(l);
		if (rc)
			return rc;
	}
	for (;;) {
		s = l->buf + l->pos;
		avail = l->len - l->pos;
		/* Look no further than a longest line and its \r\n. */
		nl = memchr(s, '\n', avail < XY_LINE_MAX + 2 ? avail : XY_LINE_MAX + 2);
		if (nl == NULL && avail < XY_LINE_MAX + 2 && !l->eof) {
			rc = fill(l, 2 * avail + 1);
			if (rc)
				return rc;
			continue;
		}
		if (nl == NULL && avail == 0)
			return 0;
		l->row_no++;
		if (nl == NULL && avail >= XY_LINE_MAX + 2) {
			l->pos += XY_LINE_MAX;
			l->skipping = 1;
			hand_out_long(l, line);
			return 1;
		}
		n = nl ? (size_t)(nl - s) : avail;
		l->pos += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r' && nl != NULL)
			n--;
		if (n > XY_LINE_MAX) {
			hand_out_long(l, line);
			return 1;
		}
		if (blank(s, n))
			continue;
		hand_out(l, s, n, line);
		return 1;
	}
}
