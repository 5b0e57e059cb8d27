#include "util/date.h"

#include <stdio.h>
#include <time.h>

#include "util/err.h"

/* Days from civil (proleptic Gregorian), after the well-known derivation
 * by eras of 400 years. */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : md[m - 1];
}

int32_t xy_date_from_ymd(int y, int m, int d)
{
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return -1;
	return days_from_civil(y, m, d);
}

void xy_date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* Reads 1..maxd digits at *i; -1 when none. */
static int digits(const char *s, size_t n, size_t *i, int mind, int maxd)
{
	int v = 0, k = 0;
	while (*i < n && k < maxd && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k >= mind ? v : -1;
}

static int parse_ymd(const char *s, size_t n, int want_day, int32_t *out)
{
	size_t i = 0;
	int y, m, d = 1;
	int compact = 1;

	for (size_t k = 0; k < n; k++)
		if (s[k] < '0' || s[k] > '9')
			compact = 0;
	if (compact) {
		if (n != (want_day ? 8u : 6u))
			return XY_EPARSE;
		y = digits(s, n, &i, 4, 4);
		m = digits(s, n, &i, 2, 2);
		if (want_day)
			d = digits(s, n, &i, 2, 2);
	} else {
		char sep;
		y = digits(s, n, &i, 4, 4);
		if (y < 0 || i >= n || (s[i] != '-' && s[i] != '/'))
			return XY_EPARSE;
		sep = s[i++];
		m = digits(s, n, &i, 1, 2);
		if (m < 0)
			return XY_EPARSE;
		if (want_day) {
			if (i >= n || s[i] != sep)
				return XY_EPARSE;
			i++;
			d = digits(s, n, &i, 1, 2);
			if (d < 0)
				return XY_EPARSE;
		}
		if (i != n)
			return XY_EPARSE;
	}
	*out = xy_date_from_ymd(y, m, d);
	return *out < 0 ? XY_EINVAL : 0;
}

int xy_date_parse(const char *s, size_t n, int32_t *days)
{
	return parse_ymd(s, n, 1, days);
}

int xy_month_parse(const char *s, size_t n, int32_t *days)
{
	return parse_ymd(s, n, 0, days);
}

void xy_date_format(int32_t days, char out[XY_DATE_STR])
{
	int y, m, d;
	xy_date_to_ymd(days, &y, &m, &d);
	/* Written by hand: this runs for every date of every imported row.
	 * The year is 1900..9999 for every date that parsed. */
	y %= 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int32_t xy_date_add_months(int32_t days, int months)
{
	int y, m, d, t;
	xy_date_to_ymd(days, &y, &m, &d);
	t = y * 12 + (m - 1) + months;
	y = t / 12;
	m = t % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return days_from_civil(y, m, d);
}

int xy_two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

int64_t xy_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int32_t xy_today(void)
{
	int64_t china = xy_now_us() / 1000000 + 8 * 3600;
	return (int32_t)(china / 86400);
}

int xy_date_yyyymmdd(int32_t days)
{
	int y, m, d;
	xy_date_to_ymd(days, &y, &m, &d);
	return y * 10000 + m * 100 + d;
}
