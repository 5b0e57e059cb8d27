/* The one HTML writer of the portal (POR-1): every value that came from a change set,
 * a form or a request goes through xy_html_v (escaped for text and attribute values)
 * or xy_html_u (percent-encoded for a URL's query); only the page templates' own
 * literal text goes through xy_html_raw.  Writes into a xy_buf; the first error
 * sticks (like util/jw.h) and is returned by xy_html_end. */
#ifndef XY_PORTAL_HTML_H
#define XY_PORTAL_HTML_H

#include <stddef.h>

#include "util/buf.h"

struct xy_html {
	struct xy_buf *b;
	int err;
};

void xy_html_init(struct xy_html *h, struct xy_buf *b);
/* Template text, trusted, written as is. */
void xy_html_raw(struct xy_html *h, const char *s);
/* A value: & < > " ' escaped; invalid UTF-8 and control characters (but \n, \t)
 * become U+FFFD.  NULL writes nothing. */
void xy_html_v(struct xy_html *h, const char *s);
void xy_html_vn(struct xy_html *h, const char *s, size_t n);
/* A value as text with line breaks: paragraphs (blank lines) become <p>, other
 * newlines <br>. */
void xy_html_paras(struct xy_html *h, const char *s);
/* A value for a URL query: everything but unreserved characters percent-encoded. */
void xy_html_u(struct xy_html *h, const char *s);
/* A whole number. */
void xy_html_int(struct xy_html *h, long long v);
/* 0 or the first error. */
int xy_html_end(const struct xy_html *h);

#endif
