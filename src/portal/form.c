/* Form bodies: see form.h. */
#include <string.h>

#include "portal/form.h"
#include "util/err.h"
#include "util/utf8.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes src[0..n) at *out and NUL-terminates; then CR LF and a lone CR become LF. */
static int decode(const char *src, size_t n, char **out, const char *end)
{
	char *start = *out, *o = *out, *w;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)src[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi = i + 2 < n ? hexval(src[i + 1]) : -1;
			int lo = hi >= 0 ? hexval(src[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return XY_EPARSE;
			c = hi * 16 + lo;
			i += 2;
		}
		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
			return XY_EPARSE;
		if (o >= end)
			return XY_ELIMIT;
		*o++ = (char)c;
	}
	if (o >= end)
		return XY_ELIMIT;
	*o = 0;
	if (!xy_utf8_valid(start, (size_t)(o - start)))
		return XY_EPARSE;
	w = start;
	for (char *r = start; r < o; r++) {
		if (*r == '\r') {
			*w++ = '\n';
			if (r + 1 < o && r[1] == '\n')
				r++;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	*out = o + 1;
	return 0;
}

int xy_form_parse(const char *body, size_t n, struct xy_form *f)
{
	char *o = f->buf;
	const char *end = f->buf + sizeof f->buf;
	size_t i = 0;
	int rc;
	f->n = 0;
	if (n > XY_PORTAL_FORM_MAX)
		return XY_ELIMIT;
	while (i < n) {
		size_t j = i, eq;
		while (j < n && body[j] != '&')
			j++;
		if (j == i) { /* "a=1&&b=2" */
			i++;
			continue;
		}
		if (f->n == XY_FORM_FIELDS_MAX)
			return XY_ELIMIT;
		eq = i;
		while (eq < j && body[eq] != '=')
			eq++;
		f->key[f->n] = o;
		if ((rc = decode(body + i, eq - i, &o, end)))
			return rc;
		f->val[f->n] = o;
		if ((rc = decode(body + (eq < j ? eq + 1 : j), eq < j ? j - eq - 1 : 0, &o, end)))
			return rc;
		if (!*f->key[f->n] || xy_form_get(f, f->key[f->n]))
			return XY_EPARSE;
		f->n++;
		i = j + 1;
	}
	return 0;
}

const char *xy_form_get(const struct xy_form *f, const char *key)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->key[i], key))
			return f->val[i];
	return NULL;
}
