/* The JSON writer: see jw.h. */
#include <string.h>

#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"

void xy_jw_init(struct xy_jw *w, struct xy_buf *b)
{
	memset(w, 0, sizeof *w);
	w->b = b;
	w->err = xy_buf_reserve(b, 1024); /* most answers fit: one allocation */
}

static void add(struct xy_jw *w, const char *p, size_t n)
{
	if (!w->err)
		w->err = xy_buf_add(w->b, p, n);
}

/* Before a value: the comma, or nothing after a key. */
static void value(struct xy_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->comma[w->depth])
		add(w, ",", 1);
	w->comma[w->depth] = 1;
}

static void nest(struct xy_jw *w, char c)
{
	value(w);
	if (w->depth + 1 >= XY_JW_DEPTH) {
		if (!w->err)
			w->err = XY_ELIMIT;
		return;
	}
	add(w, &c, 1);
	w->depth++;
	w->comma[w->depth] = 0;
}

static void unnest(struct xy_jw *w, char c)
{
	if (w->depth == 0 || w->after_key) {
		if (!w->err)
			w->err = XY_EINVAL;
		return;
	}
	add(w, &c, 1);
	w->depth--;
}

void xy_jw_obj(struct xy_jw *w)
{
	nest(w, '{');
}

void xy_jw_obj_end(struct xy_jw *w)
{
	unnest(w, '}');
}

void xy_jw_arr(struct xy_jw *w)
{
	nest(w, '[');
}

void xy_jw_arr_end(struct xy_jw *w)
{
	unnest(w, ']');
}

static void string(struct xy_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	add(w, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t en = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			en = 2;
		} else if (c == '/' && i > 0 && s[i - 1] == '<') {
			esc[0] = '\\';
			esc[1] = '/';
			en = 2;
		} else if (c < 0x20) {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			en = 6;
		}
		if (en) {
			add(w, s + i - run, run);
			add(w, esc, en);
			run = 0;
		} else {
			run++;
		}
	}
	add(w, s + n - run, run);
	add(w, "\"", 1);
}

void xy_jw_key(struct xy_jw *w, const char *key)
{
	if (w->depth == 0 || w->after_key) {
		if (!w->err)
			w->err = XY_EINVAL;
		return;
	}
	value(w);
	string(w, key, strlen(key));
	add(w, ":", 1);
	w->after_key = 1;
}

void xy_jw_strn(struct xy_jw *w, const char *s, size_t n)
{
	value(w);
	string(w, s, n);
}

void xy_jw_str(struct xy_jw *w, const char *s)
{
	if (!s)
		xy_jw_null(w);
	else
		xy_jw_strn(w, s, strlen(s));
}

void xy_jw_int(struct xy_jw *w, int64_t v)
{
	char s[24];
	size_t n = xy_i64_str(v, s);
	value(w);
	add(w, s, n);
}

void xy_jw_bool(struct xy_jw *w, int v)
{
	value(w);
	if (v)
		add(w, "true", 4);
	else
		add(w, "false", 5);
}

void xy_jw_null(struct xy_jw *w)
{
	value(w);
	add(w, "null", 4);
}

void xy_jw_date(struct xy_jw *w, int32_t days)
{
	char s[XY_DATE_STR];
	if (days == INT32_MIN) {
		xy_jw_null(w);
		return;
	}
	xy_date_format(days, s);
	xy_jw_strn(w, s, 10);
}

void xy_jw_time(struct xy_jw *w, int64_t us)
{
	char s[32];
	int64_t t, day, sec;
	if (!us) {
		xy_jw_null(w);
		return;
	}
	t = us / 1000000 + 8 * 3600; /* China time */
	day = t / 86400;
	sec = t % 86400;
	if (sec < 0) {
		sec += 86400;
		day--;
	}
	xy_date_format((int32_t)day, s);
	memcpy(s + 10, "T00:00:00+08:00", 16); /* with its NUL */
	s[11] = (char)('0' + sec / 36000);
	s[12] = (char)('0' + sec / 3600 % 10);
	s[14] = (char)('0' + sec / 60 % 60 / 10);
	s[15] = (char)('0' + sec / 60 % 10);
	s[17] = (char)('0' + sec % 60 / 10);
	s[18] = (char)('0' + sec % 10);
	xy_jw_strn(w, s, 25);
}

int xy_jw_end(struct xy_jw *w)
{
	if (!w->err && (w->depth != 0 || w->after_key))
		w->err = XY_EINVAL;
	return w->err;
}
