#include "util/workdays.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/utf8.h"

enum kind { HOLIDAY, WORKDAY };

struct entry {
	int32_t day;
	int kind;
	long line; /* where it was read, for the duplicate messages */
};

struct xy_workdays {
	unsigned weekdays;
	struct entry *e; /* sorted by day, one entry per day */
	size_t n;
	int *years; /* covered years, ascending */
	size_t nyears;
};

#define KIND_SHOWN 24 /* bytes of an unknown kind echoed in a message */

static int32_t first_day(void)
{
	return xy_date_from_ymd(1900, 1, 1);
}

static int32_t last_day(void)
{
	return xy_date_from_ymd(9999, 12, 31);
}

static int weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4); day may be negative (1900..1969). */
	int r = (int)((day % 7 + 7 + 3) % 7);
	return r + 1;
}

static int year_of(int32_t day)
{
	int y, m, d;
	xy_date_to_ymd(day, &y, &m, &d);
	return y;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Up to KIND_SHOWN bytes of s, cut on a UTF-8 sequence boundary. */
static int shown(const char *s, size_t n)
{
	if (n <= KIND_SHOWN)
		return (int)n;
	n = KIND_SHOWN;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* "DDDD-DD-DD": the shape alone (xy_date_parse also takes other shapes). */
static int date_shape(const char *s, size_t n)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

/* One line without its end.  0 and *kind = -1 for a blank or comment
 * line; 0 with *day and *kind for a dated line; an error with err. */
static int parse_line(const char *s, size_t n, long lineno, int32_t *day, int *kind, char *err,
		      size_t errlen)
{
	size_t i = 0, t;

	*kind = -1;
	while (i < n && blank(s[i]))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	for (t = i; i < n && !blank(s[i]); i++)
		;
	if (!date_shape(s + t, i - t)) {
		snprintf(err, errlen,
			 "line %ld: expected \"YYYY-MM-DD holiday\" or \"YYYY-MM-DD workday\"",
			 lineno);
		return XY_EPARSE;
	}
	if (xy_date_parse(s + t, 10, day)) {
		snprintf(err, errlen, "line %ld: %.10s is not a real calendar date", lineno, s + t);
		return XY_EINVAL;
	}
	while (i < n && blank(s[i]))
		i++;
	for (t = i; i < n && !blank(s[i]) && s[i] != '#'; i++)
		;
	if (i - t == 7 && !memcmp(s + t, "holiday", 7)) {
		*kind = HOLIDAY;
	} else if (i - t == 7 && !memcmp(s + t, "workday", 7)) {
		*kind = WORKDAY;
	} else if (i == t) {
		snprintf(err, errlen, "line %ld: holiday or workday must follow the date", lineno);
		return XY_EPARSE;
	} else {
		snprintf(err, errlen, "line %ld: \"%.*s\" after the date: holiday or workday",
			 lineno, shown(s + t, i - t), s + t);
		return XY_EPARSE;
	}
	while (i < n && blank(s[i]))
		i++;
	if (i < n && s[i] != '#') {
		snprintf(err, errlen, "line %ld: text after \"%s\" (a comment starts with #)",
			 lineno, *kind == HOLIDAY ? "holiday" : "workday");
		return XY_EPARSE;
	}
	return 0;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return (a->line > b->line) - (a->line < b->line);
}

/* Sorts the entries, refuses a day listed twice, and collects the covered
 * years (those whose 1 January is a holiday). */
static int finish(struct xy_workdays *c, char *err, size_t errlen)
{
	if (c->n)
		qsort(c->e, c->n, sizeof *c->e, cmp_entry);
	for (size_t i = 1; i < c->n; i++) {
		const struct entry *a = &c->e[i - 1], *b = &c->e[i];
		char d[XY_DATE_STR];
		if (a->day != b->day)
			continue;
		xy_date_format(b->day, d);
		if (a->kind == b->kind)
			snprintf(err, errlen, "line %ld: %s is listed twice (also on line %ld)",
				 b->line, d, a->line);
		else
			snprintf(err, errlen,
				 "line %ld: %s is both a holiday and a workday (line %ld says %s)",
				 b->line, d, a->line, a->kind == HOLIDAY ? "holiday" : "workday");
		return XY_EINVAL;
	}
	if (!(c->years = calloc(c->n ? c->n : 1, sizeof *c->years)))
		return XY_ENOMEM;
	for (size_t i = 0; i < c->n; i++) {
		int y, m, d;
		xy_date_to_ymd(c->e[i].day, &y, &m, &d);
		if (m == 1 && d == 1 && c->e[i].kind == HOLIDAY)
			c->years[c->nyears++] = y; /* ascending: the entries are */
	}
	return 0;
}

/* The next line of [p, end): its length without the line end (a CR before
 * the LF is dropped); *next is where the following one starts. */
static size_t next_line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t len = (size_t)((nl ? nl : end) - p);
	*next = nl ? nl + 1 : end;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	return len;
}

static int parse_all(struct xy_workdays *c, const char *text, size_t n, char *err, size_t errlen)
{
	const char *p = text, *end = text + n, *next;
	long lineno = 0;
	size_t cap = 0;
	int rc;

	if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (; p < end; p = next) {
		size_t len = next_line(p, end, &next);
		int32_t day;
		int kind;
		lineno++;
		if (len > XY_CALENDAR_LINE_MAX) {
			snprintf(err, errlen, "line %ld: longer than %d bytes", lineno,
				 XY_CALENDAR_LINE_MAX);
			return XY_ELIMIT;
		}
		if (memchr(p, '\0', len) || memchr(p, '\r', len) || !xy_utf8_valid(p, len)) {
			snprintf(err, errlen, "line %ld: %s", lineno,
				 memchr(p, '\0', len)	? "holds a NUL byte"
				 : memchr(p, '\r', len) ? "a CR that does not end the line"
							: "not UTF-8 text");
			return XY_EPARSE;
		}
		if ((rc = parse_line(p, len, lineno, &day, &kind, err, errlen)))
			return rc;
		if (kind < 0)
			continue;
		if (c->n == XY_CALENDAR_ENTRIES_MAX) {
			snprintf(err, errlen, "line %ld: more than %d dates", lineno,
				 XY_CALENDAR_ENTRIES_MAX);
			return XY_ELIMIT;
		}
		if (c->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *q = realloc(c->e, ncap * sizeof *c->e);
			if (!q)
				return XY_ENOMEM;
			c->e = q;
			cap = ncap;
		}
		c->e[c->n].day = day;
		c->e[c->n].kind = kind;
		c->e[c->n].line = lineno;
		c->n++;
	}
	return finish(c, err, errlen);
}

int xy_workdays_parse(const char *text, size_t n, struct xy_workdays **out, char *err,
		      size_t errlen)
{
	struct xy_workdays *c;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (n > XY_CALENDAR_FILE_MAX) {
		snprintf(err, errlen, "larger than %d bytes", XY_CALENDAR_FILE_MAX);
		return XY_ELIMIT;
	}
	if (!(c = calloc(1, sizeof *c)))
		return XY_ENOMEM;
	c->weekdays = XY_WEEKDAYS_MON_FRI;
	if ((rc = parse_all(c, text, n, err, errlen))) {
		if (rc == XY_ENOMEM)
			snprintf(err, errlen, "%s", xy_strerror(rc));
		xy_workdays_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int xy_workdays_load(const char *path, struct xy_workdays **out, char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t got;
	size_t n = 0;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return errno == ENOENT ? XY_ENOTFOUND : XY_EIO;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		rc = XY_EIO;
		goto out;
	}
	if (sb.st_size > XY_CALENDAR_FILE_MAX) {
		snprintf(err, errlen, "larger than %d bytes", XY_CALENDAR_FILE_MAX);
		rc = XY_ELIMIT;
		goto out;
	}
	/* One byte more than allowed, so that a file that grew is caught. */
	if (!(buf = malloc(XY_CALENDAR_FILE_MAX + 1))) {
		rc = XY_ENOMEM;
		goto out;
	}
	while (n <= XY_CALENDAR_FILE_MAX &&
	       (got = read(fd, buf + n, XY_CALENDAR_FILE_MAX + 1 - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			rc = XY_EIO;
			goto out;
		}
		n += (size_t)got;
	}
	rc = xy_workdays_parse(buf, n, out, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}

void xy_workdays_free(struct xy_workdays *c)
{
	if (!c)
		return;
	free(c->e);
	free(c->years);
	free(c);
}

int xy_workdays_parse_weekdays(const char *s, unsigned *bits)
{
	*bits = 0;
	if (!s)
		return XY_EPARSE;
	for (;;) {
		int from, to;
		while (blank(*s))
			s++;
		if (*s < '1' || *s > '7')
			return XY_EPARSE;
		from = to = *s++ - '0';
		if (*s == '-') {
			if (s[1] < '1' || s[1] > '7' || s[1] - '0' < from)
				return XY_EPARSE;
			to = s[1] - '0';
			s += 2;
		}
		for (int d = from; d <= to; d++)
			*bits |= 1u << d;
		while (blank(*s))
			s++;
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			return XY_EPARSE;
	}
}

int xy_workdays_set_weekdays(struct xy_workdays *c, unsigned bits)
{
	if (!bits || (bits & ~0xfeu))
		return XY_EINVAL;
	c->weekdays = bits;
	return 0;
}

static const struct entry *find(const struct xy_workdays *c, int32_t day)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].day == day)
			return &c->e[mid];
		if (c->e[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int xy_workdays_is_workday(const struct xy_workdays *c, int32_t day)
{
	const struct entry *e = find(c, day);
	if (e)
		return e->kind == WORKDAY;
	return (c->weekdays >> weekday(day)) & 1u;
}

int xy_workdays_covers_year(const struct xy_workdays *c, int year)
{
	for (size_t i = 0; i < c->nyears; i++)
		if (c->years[i] == year)
			return 1;
	return 0;
}

int xy_workdays_covers(const struct xy_workdays *c, int32_t day)
{
	return xy_workdays_covers_year(c, year_of(day));
}

int xy_workdays_years(const struct xy_workdays *c, int *years, int max)
{
	for (size_t i = 0; i < c->nyears && (int)i < max; i++)
		years[i] = c->years[i];
	return (int)c->nyears;
}

void xy_workdays_count(const struct xy_workdays *c, size_t *holidays, size_t *workdays)
{
	*holidays = *workdays = 0;
	for (size_t i = 0; i < c->n; i++)
		(*(c->e[i].kind == HOLIDAY ? holidays : workdays))++;
}

/* Remembers whether the year being walked through is covered, so that the
 * walk looks the year up once per year, not once per day. */
struct walk {
	int32_t year_from, year_to; /* [from, to): the days of the year last seen */
	int covered, uncovered_seen;
};

static void walk_see(const struct xy_workdays *c, struct walk *w, int32_t day)
{
	if (day < w->year_from || day >= w->year_to) {
		int y = year_of(day);
		w->year_from = xy_date_from_ymd(y, 1, 1);
		w->year_to = y < 9999 ? xy_date_from_ymd(y + 1, 1, 1) : w->year_from + 365;
		w->covered = xy_workdays_covers_year(c, y);
	}
	if (!w->covered)
		w->uncovered_seen = 1;
}

static int valid_day(int32_t day)
{
	return day >= first_day() && day <= last_day();
}

int xy_workdays_add(const struct xy_workdays *c, int32_t day, int n, int32_t *out)
{
	struct walk w = {0, 0, 0, 0};
	int32_t d = day;

	*out = day;
	if (n < 0 || !valid_day(day))
		return XY_EINVAL;
	while (n > 0) {
		if (d - day >= XY_WORKDAYS_SPAN_MAX)
			return XY_ELIMIT;
		if (++d > last_day())
			return XY_EINVAL;
		walk_see(c, &w, d);
		n -= xy_workdays_is_workday(c, d);
	}
	*out = d;
	return w.uncovered_seen ? XY_WORKDAYS_UNCOVERED : 0;
}

int xy_workdays_between(const struct xy_workdays *c, int32_t a, int32_t b, long *n)
{
	struct walk w = {0, 0, 0, 0};
	int32_t lo = a < b ? a : b, hi = a < b ? b : a;
	long k = 0;

	*n = 0;
	if (!valid_day(a) || !valid_day(b))
		return XY_EINVAL;
	if (hi - lo > XY_WORKDAYS_SPAN_MAX)
		return XY_ELIMIT;
	for (int32_t d = lo + 1; d <= hi; d++) {
		walk_see(c, &w, d);
		k += xy_workdays_is_workday(c, d);
	}
	*n = b < a ? -k : k;
	return w.uncovered_seen ? XY_WORKDAYS_UNCOVERED : 0;
}
