/* The HTML writer: see html.h. */
#include <string.h>

#include "portal/html.h"
#include "util/utf8.h"

void xy_html_init(struct xy_html *h, struct xy_buf *b)
{
	h->b = b;
	h->err = 0;
}

static void add(struct xy_html *h, const char *p, size_t n)
{
	if (!h->err && n)
		h->err = xy_buf_add(h->b, p, n);
}

void xy_html_raw(struct xy_html *h, const char *s)
{
	add(h, s, strlen(s));
}

void xy_html_vn(struct xy_html *h, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	if (!s)
		return;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t len = 1;
		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '"')
			rep = "&quot;";
		else if (c == '\'')
			rep = "&#39;";
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			rep = "\xEF\xBF\xBD";
		else if (c >= 0x80) {
			int sl = xy_utf8_seq(s + i, n - i);
			if (sl <= 0)
				rep = "\xEF\xBF\xBD";
			else
				len = (size_t)sl;
		}
		if (rep) {
			add(h, s + i - run, run);
			run = 0;
			xy_html_raw(h, rep);
			i += 1;
			continue;
		}
		run += len;
		i += len;
	}
	add(h, s + n - run, run);
}

void xy_html_v(struct xy_html *h, const char *s)
{
	if (s)
		xy_html_vn(h, s, strlen(s));
}

void xy_html_paras(struct xy_html *h, const char *s)
{
	const char *p = s;
	if (!s)
		return;
	xy_html_raw(h, "<p>");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		xy_html_vn(h, p, n);
		if (!nl)
			break;
		p = nl + 1;
		if (*p == '\n') {
			while (*p == '\n')
				p++;
			if (*p)
				xy_html_raw(h, "</p>\n<p>");
		} else if (*p) {
			xy_html_raw(h, "<br>");
		}
	}
	xy_html_raw(h, "</p>");
}

void xy_html_u(struct xy_html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			add(h, (const char *)&c, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			add(h, e, 3);
		}
	}
}

void xy_html_int(struct xy_html *h, long long v)
{
	char t[24];
	size_t n = xy_i64_str(v, t);
	add(h, t, n);
}

int xy_html_end(const struct xy_html *h)
{
	return h->err;
}
