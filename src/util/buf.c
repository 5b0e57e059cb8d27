#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void xy_buf_init(struct xy_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void xy_buf_wipe(struct xy_buf *b)
{
	if (b->p)
		explicit_bzero(b->p, b->cap);
	b->len = 0;
}

void xy_buf_cleanup(struct xy_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void xy_buf_reset(struct xy_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static int reserve(struct xy_buf *b, size_t extra)
{
	size_t need, ncap;
	char *np;

	if (extra > b->max || b->len > b->max - extra)
		return XY_ELIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	np = realloc(b->p, ncap);
	if (!np)
		return XY_ENOMEM;
	b->p = np;
	b->cap = ncap;
	return 0;
}

int xy_buf_reserve(struct xy_buf *b, size_t extra)
{
	return reserve(b, extra);
}

int xy_buf_add(struct xy_buf *b, const void *data, size_t n)
{
	int rc = reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int xy_buf_addc(struct xy_buf *b, char c)
{
	return xy_buf_add(b, &c, 1);
}

int xy_buf_adds(struct xy_buf *b, const char *s)
{
	return xy_buf_add(b, s, strlen(s));
}

int xy_buf_printf(struct xy_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return XY_EINVAL;
	rc = reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

size_t xy_i64_str(int64_t v, char out[24])
{
	char tmp[24];
	size_t n = 0, len = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	return len;
}
