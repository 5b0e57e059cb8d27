/* The single-pass scanner of change-set lines (csline.h): applying a snapshot of
 * hundreds of thousands of records spent a third of its time building and freeing
 * jansson trees only to read them once.  This reader walks the bytes once, checks each
 * value against the same key tables and the same form checks as the full parser
 * (csline_int.h) and copies the strings the store needs into the line's scratch.
 *
 * It is a subset reader: whatever it does not fully understand (a key order other than
 * "op" first, an escape other than \" \\ \/ \n \t, a number that is not a short integer,
 * any value that would be refused, anything over a limit) makes it return 1, and the
 * full parser then takes the line and words the refusal.  So it can only ever take
 * lines the full parser takes, with the same fields (tests/unit/test_portal_csline.c
 * and tests/fuzz/fuzz_csline.c compare the two). */
#include <stdint.h>
#include <string.h>

#include "ferry/csline.h"
#include "ferry/csline_int.h"
#include "util/limits.h"
#include "util/utf8.h"

#define NO 1 /* not taken here: the full parser decides */

/* A JSON string as the scanner read it: raw bytes [b, e) between the quotes. */
struct str {
	const char *b, *e;
	size_t len; /* bytes once unescaped */
	int esc;    /* an escape in it */
	int ctl;    /* a \n or \t in it (once unescaped) */
	int del;    /* a DEL (0x7f) in it */
};

struct scan {
	const char *p, *end;
	struct xy_csline *l;
	size_t used; /* bytes of l->scratch taken */
	/* a record's field codes and masked codes, compared once the line is read */
	struct span {
		const char *p;
		size_t n;
	} fields[XY_CS_FIELDS_MAX], masked[XY_CS_FIELDS_MAX];
	int nfields, nmasked, has_fields;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int expect(struct scan *s, char c)
{
	ws(s);
	if (s->p >= s->end || *s->p != c)
		return NO;
	s->p++;
	ws(s);
	return 0;
}

/* A string at s->p (which must be its opening quote). */
static int string(struct scan *s, struct str *o)
{
	const char *p = s->p, *end = s->end;
	if (p >= end || *p != '"')
		return NO;
	memset(o, 0, sizeof *o);
	o->b = ++p;
	for (;;) {
		unsigned char c;
		if (p >= end)
			return NO;
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20) /* not JSON: the full parser says so */
			return NO;
		if (c == '\\') {
			if (p + 1 >= end)
				return NO;
			switch (p[1]) {
			case 'n':
			case 't':
				o->ctl = 1;
				break;
			case '"':
			case '\\':
			case '/':
				break;
			default: /* \u, \b, \f, \r: rare; left to the full parser */
				return NO;
			}
			o->esc = 1;
			p += 2;
			o->len++;
			continue;
		}
		if (c == 0x7f)
			o->del = 1;
		p++;
		o->len++;
	}
	o->e = p;
	s->p = p + 1;
	return 0;
}

/* A string with no escape: raw span only. */
static int plain(struct scan *s, struct str *o)
{
	return string(s, o) || o->esc ? NO : 0;
}

/* The unescaped copy of o in scratch, NUL-terminated; NULL when it does not fit. */
static const char *copy(struct scan *s, const struct str *o)
{
	char *out;
	size_t k = 0;
	if (o->len + 1 > sizeof s->l->scratch - s->used)
		return NULL;
	out = s->l->scratch + s->used;
	for (const char *p = o->b; p < o->e; p++) {
		char c = *p;
		if (c == '\\') {
			c = *++p;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		out[k++] = c;
	}
	out[k] = 0;
	s->used += k + 1;
	return out;
}

static int literal(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return NO;
	s->p += n;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An integer of at most 18 digits (so no overflow), as jansson reads it. */
static int integer(struct scan *s, long long *v)
{
	const char *p = s->p;
	int neg = 0, digits = 0;
	long long x = 0;
	if (p < s->end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= s->end || !is_digit(*p))
		return NO;
	if (*p == '0') {
		p++;
		digits = 1;
	} else {
		while (p < s->end && is_digit(*p) && digits < 19) {
			x = x * 10 + (*p++ - '0');
			digits++;
		}
	}
	if (digits > 18 || (p < s->end && (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E')))
		return NO; /* long, leading zero or a fraction: the full parser decides */
	s->p = p;
	*v = neg ? -x : x;
	return 0;
}

static void set_str(struct xy_csline *l, size_t off, const char *v)
{
	memcpy((char *)l + off, &v, sizeof v);
}

/* One value of a record's "fields": text, number, true/false, null, or a list of texts. */
static int field_value(struct scan *s)
{
	struct str v;
	long long i;
	int n = 0;
	if (s->p >= s->end)
		return NO;
	switch (*s->p) {
	case '"':
		return string(s, &v) || v.len > XY_CS_VALUE_MAX || v.del ? NO : 0;
	case 'n':
		return literal(s, "null", 4);
	case 't':
		return literal(s, "true", 4);
	case 'f':
		return literal(s, "false", 5);
	case '[':
		s->p++;
		ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		for (;;) {
			if (++n > XY_CS_LIST_MAX || string(s, &v) || v.len > XY_CS_VALUE_MAX ||
			    v.del)
				return NO;
			ws(s);
			if (s->p < s->end && *s->p == ']') {
				s->p++;
				return 0;
			}
			if (expect(s, ','))
				return NO;
		}
	default:
		return integer(s, &i);
	}
}

static int seen_before(const struct span *v, int n, const struct str *k)
{
	size_t len = (size_t)(k->e - k->b);
	for (int i = 0; i < n; i++)
		if (v[i].n == len && !memcmp(v[i].p, k->b, len))
			return 1;
	return 0;
}

/* {CODE: value, ...}: codes, at most XY_CS_FIELDS_MAX, none twice. */
static int fields(struct scan *s)
{
	struct str k;
	if (s->has_fields || expect(s, '{'))
		return NO;
	s->has_fields = 1;
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (plain(s, &k) || !xy_cs_is_code(k.b, k.len, XY_CS_CODE_MAX) ||
		    s->nfields == XY_CS_FIELDS_MAX || seen_before(s->fields, s->nfields, &k))
			return NO;
		s->fields[s->nfields].p = k.b;
		s->fields[s->nfields++].n = k.len;
		if (expect(s, ':') || field_value(s))
			return NO;
		ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		if (expect(s, ','))
			return NO;
	}
}

/* [CODE, ...]: checked against the fields once the whole line is read. */
static int masked(struct scan *s)
{
	struct str k;
	if (expect(s, '['))
		return NO;
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (plain(s, &k) || !xy_cs_is_code(k.b, k.len, XY_CS_CODE_MAX) ||
		    s->nmasked == XY_CS_FIELDS_MAX)
			return NO;
		s->masked[s->nmasked].p = k.b;
		s->masked[s->nmasked++].n = k.len;
		ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		if (expect(s, ','))
			return NO;
	}
}

static int id_value(const struct str *v, long long *out)
{
	size_t n = v->len;
	long long id = 0;
	if (!n || n > 19 || v->b[0] == '0')
		return NO;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v->b[i]) || id > (INT64_MAX - 9) / 10)
			return NO;
		id = id * 10 + (v->b[i] - '0');
	}
	*out = id;
	return 0;
}

static const char *enum_value(const struct str *v, const char *const *vals)
{
	for (; *vals; vals++)
		if (strlen(*vals) == v->len && !memcmp(*vals, v->b, v->len))
			return *vals;
	return NULL;
}

/* One key's value, checked as check_key (csline.c) checks it, stored in s->l. */
static int value(struct scan *s, const struct xy_cs_key *k)
{
	struct xy_csline *l = s->l;
	const char *out = NULL;
	struct str v;
	long long n;
	int nul = s->p < s->end && *s->p == 'n';
	switch (k->kind) {
	case K_OP:
		return NO; /* a second "op" */
	case K_CODE:
		if (plain(s, &v) || !xy_cs_is_code(v.b, v.len, k->max) || !(out = copy(s, &v)))
			return NO;
		break;
	case K_TEXT_NULL:
	case K_TEXT:
		if (nul && k->kind == K_TEXT_NULL) {
			if (literal(s, "null", 4))
				return NO;
			break;
		}
		if (string(s, &v) || !v.len || v.len > k->max || v.del ||
		    (v.ctl && k->max <= XY_CS_TEXT_MAX) || !(out = copy(s, &v)))
			return NO;
		break;
	case K_DATE_NULL:
	case K_DATE:
	case K_TIME:
		if (nul && k->kind == K_DATE_NULL) {
			if (literal(s, "null", 4))
				return NO;
			break;
		}
		if (plain(s, &v) || v.len > 20 || !(out = copy(s, &v)) ||
		    !(k->kind == K_TIME ? xy_cs_is_time(out) : xy_cs_is_date(out)))
			return NO;
		break;
	case K_BOOL: {
		int b = literal(s, "true", 4) == 0;
		if (!b && literal(s, "false", 5))
			return NO;
		memcpy((char *)l + k->off, &b, sizeof b);
		return 0;
	}
	case K_ID:
		if (plain(s, &v) || id_value(&v, &n))
			return NO;
		memcpy((char *)l + k->off, &n, sizeof n);
		return 0;
	case K_ENUM:
		if (plain(s, &v) || !(out = enum_value(&v, k->vals)))
			return NO;
		break;
	case K_PERIOD: {
		long p;
		if (integer(s, &n) || n < 1 || n > XY_CS_PERIOD_MAX)
			return NO;
		p = (long)n;
		memcpy((char *)l + k->off, &p, sizeof p);
		return 0;
	}
	case K_FIELDS:
		return fields(s);
	case K_MASKED:
		return masked(s);
	case K_HEX64:
		if (plain(s, &v) || v.len != 64 || !(out = copy(s, &v)) || !xy_cs_is_hex64(out))
			return NO;
		break;
	}
	set_str(l, k->off, out);
	return 0;
}

static const struct xy_cs_opdef *op_of(const struct str *v)
{
	for (int i = 0; i < XY_CS_NOPS; i++)
		if (strlen(xy_cs_ops[i].op) == v->len && !memcmp(xy_cs_ops[i].op, v->b, v->len))
			return &xy_cs_ops[i];
	return NULL;
}

/* The keys after "op", each once, none unknown, none missing. */
static int keys(struct scan *s, const struct xy_cs_opdef *d)
{
	uint32_t seen = 1, all = 0; /* bit i: d->keys[i]; key 0 is "op" */
	int nk = 0;
	while (d->keys[nk].name)
		all |= 1u << nk++;
	for (;;) {
		struct str k;
		int i;
		ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			break;
		}
		if (expect(s, ',') || plain(s, &k))
			return NO;
		for (i = 1; i < nk; i++)
			if (strlen(d->keys[i].name) == k.len &&
			    !memcmp(d->keys[i].name, k.b, k.len))
				break;
		if (i == nk || (seen & (1u << i)) || expect(s, ':') || value(s, &d->keys[i]))
			return NO;
		seen |= 1u << i;
	}
	return seen == all ? 0 : NO;
}

int xy_csline_scan(const char *line, size_t n, struct xy_csline *out)
{
	struct scan s;
	const struct xy_cs_opdef *d;
	struct str v;
	memset(out, 0, offsetof(struct xy_csline, scratch));
	if (n > XY_CS_LINE_MAX || !xy_utf8_valid(line, n))
		return NO;
	s.p = line;
	s.end = line + n;
	s.l = out;
	s.used = 0;
	s.nfields = s.nmasked = s.has_fields = 0;
	if (expect(&s, '{') || plain(&s, &v) || v.len != 2 || memcmp(v.b, "op", 2) != 0 ||
	    expect(&s, ':') || plain(&s, &v) || !(d = op_of(&v)))
		goto no;
	out->op = d->code;
	if (keys(&s, d))
		goto no;
	ws(&s);
	if (s.p != s.end)
		goto no;
	for (int i = 0; i < s.nmasked; i++) {
		struct str m = {.b = s.masked[i].p, .e = s.masked[i].p + s.masked[i].n};
		if (!seen_before(s.fields, s.nfields, &m))
			goto no;
	}
	return 0;
no:
	memset(out, 0, offsetof(struct xy_csline, scratch));
	return NO;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int xy_csline_equal(const struct xy_csline *a, const struct xy_csline *b)
{
	const char *const *sa[] = {&a->code,	    &a->kind,	 &a->name,	  &a->region,
				   &a->region_name, &a->dataset, &a->subject,	  &a->unit,
				   &a->unit_code,   &a->date,	 &a->valid_until, &a->display_until,
				   &a->reason,	    &a->sid,	 &a->title,	  &a->body,
				   &a->updated,	    &a->ticket,	 &a->check,	  &a->status,
				   &a->reply};
	if (a->op != b->op || a->id != b->id || a->objection != b->objection ||
	    a->period_days != b->period_days)
		return 0;
	for (size_t i = 0; i < sizeof sa / sizeof *sa; i++) {
		size_t off = (size_t)((const char *)sa[i] - (const char *)a);
		const char *x = *sa[i], *y;
		memcpy(&y, (const char *)b + off, sizeof y);
		if (!same_str(x, y))
			return 0;
	}
	return 1;
}
