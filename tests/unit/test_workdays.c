/* The working-day calendar (src/util/workdays.h) that approval deadlines
 * (CHG-3: "within N working days") and the off-hours anomaly (AUD-5) count
 * with: the weekday rule, the State Council's holidays and adjusted working
 * days, a strict reader that names the bad line, and deadlines flagged when
 * they reach into a year the calendar does not cover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/instance.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/workdays.h"

static int32_t D(int y, int m, int d)
{
	int32_t day = xy_date_from_ymd(y, m, d);
	assert_true(day >= 0);
	return day;
}

static struct xy_workdays *cal_of(const char *text)
{
	struct xy_workdays *c = NULL;
	char err[256];
	int rc = xy_workdays_parse(text, strlen(text), &c, err, sizeof err);
	if (rc)
		fail_msg("calendar refused: %s", err);
	return c;
}

/* The calendar the program ships and `init` installs (data/calendar-cn.txt,
 * compiled in): these tests read the very bytes an instance gets. */
static struct xy_workdays *shipped(void)
{
	struct xy_workdays *c = NULL;
	char err[256];
	size_t n;
	const char *text = xy_default_calendar(&n);
	int rc = xy_workdays_parse(text, n, &c, err, sizeof err);
	if (rc)
		fail_msg("the shipped calendar is refused: %s", err);
	return c;
}

static int32_t deadline(const struct xy_workdays *c, int32_t day, int n)
{
	int32_t out = -1;
	assert_int_equal(xy_workdays_add(c, day, n, &out), 0);
	return out;
}

/* The calendar [text, text+n) is refused; err names the line and says why. */
static void refused_n(const char *text, size_t n, int want_rc, const char *line, const char *why)
{
	static char sentinel;
	struct xy_workdays *c = (struct xy_workdays *)(void *)&sentinel;
	char err[256] = "";
	int rc = xy_workdays_parse(text, n, &c, err, sizeof err);
	if (rc != want_rc || !strstr(err, line) || !strstr(err, why))
		fail_msg("rc %d (want %d), err \"%s\" (want \"%s\" and \"%s\")", rc, want_rc, err,
			 line, why);
	assert_null(c);
}

static void refused(const char *text, int want_rc, const char *line, const char *why)
{
	refused_n(text, strlen(text), want_rc, line, why);
}

/* CHG-3: an objection lodged on Friday 2026-02-13 must be accepted or
 * refused within 2 working days: Saturday 02-14 is worked (调休), then the
 * Spring Festival holiday runs 02-15..02-23, so the deadline is 02-24. */
static void test_aud5_calendar_deadline_skips_spring_festival(void **state)
{
	struct xy_workdays *c = shipped();
	long n = -1;
	(void)state;
	assert_int_equal(deadline(c, D(2026, 2, 13), 2), D(2026, 2, 24));
	/* verified within 10 working days: 02-14, 02-24..27, 02-28 (worked
	 * Saturday), 03-02..05 */
	assert_int_equal(deadline(c, D(2026, 2, 13), 10), D(2026, 3, 5));
	/* lodged the day before: the worked Saturday is the second day */
	assert_int_equal(deadline(c, D(2026, 2, 12), 2), D(2026, 2, 14));
	assert_int_equal(xy_workdays_between(c, D(2026, 2, 13), D(2026, 2, 24), &n), 0);
	assert_int_equal(n, 2);
	/* National Day: lodged Wednesday 09-30, one working day → Thursday 10-08 */
	assert_int_equal(deadline(c, D(2026, 9, 30), 1), D(2026, 10, 8));
	xy_workdays_free(c);
}

/* Adjusted working days (调休上班) on a weekend count; an ordinary weekend
 * day and a holiday do not. */
static void test_aud5_calendar_adjusted_saturday_counts(void **state)
{
	struct xy_workdays *c = shipped(), *none = cal_of("");
	int32_t out = -1;
	(void)state;
	assert_true(xy_workdays_is_workday(c, D(2026, 2, 28)));	 /* Saturday, worked */
	assert_true(xy_workdays_is_workday(c, D(2026, 10, 10))); /* Saturday, worked */
	assert_true(xy_workdays_is_workday(c, D(2026, 9, 20)));	 /* Sunday, worked */
	assert_true(xy_workdays_is_workday(c, D(2026, 1, 4)));	 /* Sunday, worked */
	assert_false(xy_workdays_is_workday(c, D(2026, 3, 7)));	 /* an ordinary Saturday */
	assert_false(xy_workdays_is_workday(c, D(2026, 2, 21))); /* Saturday in the holiday */
	assert_false(xy_workdays_is_workday(c, D(2026, 2, 16))); /* Monday, holiday */
	assert_true(xy_workdays_is_workday(c, D(2026, 2, 24)));	 /* Tuesday after it */
	assert_int_equal(deadline(c, D(2026, 2, 27), 1), D(2026, 2, 28));
	/* the same days without the calendar: the weekday rule alone */
	assert_false(xy_workdays_is_workday(none, D(2026, 2, 28)));
	assert_true(xy_workdays_is_workday(none, D(2026, 2, 16)));
	assert_int_equal(xy_workdays_add(none, D(2026, 2, 27), 1, &out), XY_WORKDAYS_UNCOVERED);
	assert_int_equal(out, D(2026, 3, 2));
	xy_workdays_free(c);
	xy_workdays_free(none);
}

/* Unlike the review's old reader, which skipped what it did not
 * understand, a bad line refuses the file and is named. */
static void test_aud5_calendar_bad_calendar_line_is_named(void **state)
{
	static const char nul[] = "2026-01-01 holiday\n2026-01-02\0holiday\n";
	char big[XY_CALENDAR_LINE_MAX + 40];
	(void)state;
	refused("# 2026\n2026-01-01 holiday\n2026-02-30 holiday\n", XY_EINVAL,
		"line 3:", "2026-02-30 is not a real calendar date");
	refused("2026-13-01 workday\n", XY_EINVAL, "line 1:", "not a real");
	refused("\n\n2026-01-01 holliday\n", XY_EPARSE, "line 3:", "\"holliday\"");
	refused("2026-01-01 Holiday\n", XY_EPARSE, "line 1:", "holiday or workday");
	refused("2026/01/01 holiday\n", XY_EPARSE, "line 1:", "YYYY-MM-DD");
	refused("20260101 holiday\n", XY_EPARSE, "line 1:", "YYYY-MM-DD");
	refused("2026-1-1 holiday\n", XY_EPARSE, "line 1:", "YYYY-MM-DD");
	refused("holiday 2026-01-01\n", XY_EPARSE, "line 1:", "YYYY-MM-DD");
	refused("2026-01-01holiday\n", XY_EPARSE, "line 1:", "YYYY-MM-DD");
	refused("2026-01-01\n", XY_EPARSE, "line 1:", "must follow the date");
	refused("2026-01-01 holiday 元旦\n", XY_EPARSE, "line 1:", "text after");
	refused("# ok\n# \xff\xfe\n", XY_EPARSE, "line 2:", "UTF-8");
	refused_n(nul, sizeof nul - 1, XY_EPARSE, "line 2:", "NUL");
	refused("2026-01-01 holiday\r2026-01-02 holiday\n", XY_EPARSE, "line 1:", "CR");
	memset(big, '#', sizeof big);
	memcpy(big, "2026-01-01 holiday\n", 19);
	big[sizeof big - 1] = '\n';
	refused_n(big, sizeof big, XY_ELIMIT, "line 2:", "longer than 512 bytes");
	/* an unknown kind is echoed only in part, cut between characters */
	refused("2026-01-01 节假日节假日节假日节假日节假日\n", XY_EPARSE,
		"line 1:", "\"节假日节假日节假\" after the date");
}

/* A day both a holiday and a workday, or listed twice, is refused, with
 * both lines named. */
static void test_aud5_calendar_contradiction_refused(void **state)
{
	static const char both[] = "2026-02-14 workday\n"
				   "2026-02-15 holiday\n"
				   "# a typo: the worked Saturday entered as a holiday too\n"
				   "2026-02-14 holiday\n";
	static const char twice[] = "2026-10-01 holiday\n2026-10-02 holiday\n2026-10-01 holiday\n";
	(void)state;
	refused(both, XY_EINVAL,
		"line 4:", "2026-02-14 is both a holiday and a workday (line 1 says workday)");
	refused(twice, XY_EINVAL, "line 3:", "2026-10-01 is listed twice (also on line 1)");
}

/* A deadline that walks into a year the calendar does not cover is
 * computed by the weekday rule and flagged, never silently taken. */
static void test_aud5_calendar_outside_covered_years_flagged(void **state)
{
	struct xy_workdays *c = shipped();
	int32_t out = -1;
	long n = 0;
	int years[4] = {0};
	(void)state;
	assert_int_equal(xy_workdays_years(c, years, 4), 1);
	assert_int_equal(years[0], 2026);
	assert_true(xy_workdays_covers(c, D(2026, 6, 1)));
	assert_false(xy_workdays_covers(c, D(2027, 6, 1)));
	assert_false(xy_workdays_covers_year(c, 2025));
	/* Thursday 2026-12-31 + 1: Friday 2027-01-01 by the weekday rule —
	 * surely 元旦 in truth, which is why it is flagged */
	assert_int_equal(xy_workdays_add(c, D(2026, 12, 31), 1, &out), XY_WORKDAYS_UNCOVERED);
	assert_int_equal(out, D(2027, 1, 1));
	assert_int_equal(xy_workdays_add(c, D(2026, 12, 30), 1, &out), 0);
	assert_int_equal(out, D(2026, 12, 31));
	assert_int_equal(xy_workdays_between(c, D(2026, 12, 1), D(2027, 1, 10), &n),
			 XY_WORKDAYS_UNCOVERED);
	assert_int_equal(xy_workdays_between(c, D(2026, 12, 1), D(2026, 12, 31), &n), 0);
	/* the start day is not counted, so it is not looked at: from the last
	 * day of 2025 the walk stays inside 2026 */
	assert_int_equal(xy_workdays_add(c, D(2025, 12, 31), 1, &out), 0);
	assert_int_equal(out, D(2026, 1, 4));
	/* a calendar whose year lacks its 1 January covers nothing */
	xy_workdays_free(c);
	c = cal_of("2026-02-16 holiday\n");
	assert_int_equal(xy_workdays_years(c, years, 4), 0);
	assert_int_equal(xy_workdays_add(c, D(2026, 2, 13), 1, &out), XY_WORKDAYS_UNCOVERED);
	assert_int_equal(out, D(2026, 2, 17));
	xy_workdays_free(c);
}

static void test_aud5_calendar_zero_working_days_is_the_day_itself(void **state)
{
	struct xy_workdays *c = shipped();
	long n = -1;
	(void)state;
	assert_int_equal(deadline(c, D(2026, 2, 16), 0), D(2026, 2, 16)); /* a holiday */
	assert_int_equal(deadline(c, D(2026, 3, 3), 0), D(2026, 3, 3));
	assert_int_equal(xy_workdays_between(c, D(2026, 2, 16), D(2026, 2, 16), &n), 0);
	assert_int_equal(n, 0);
	xy_workdays_free(c);
}

/* A request made on a holiday: counting starts with the first working day
 * after it. */
static void test_aud5_calendar_deadline_starting_on_a_holiday(void **state)
{
	struct xy_workdays *c = shipped();
	(void)state;
	assert_int_equal(deadline(c, D(2026, 2, 16), 1), D(2026, 2, 24));
	assert_int_equal(deadline(c, D(2026, 2, 16), 2), D(2026, 2, 25));
	assert_int_equal(deadline(c, D(2026, 10, 3), 1), D(2026, 10, 8));
	/* on the worked Saturday itself */
	assert_int_equal(deadline(c, D(2026, 2, 14), 1), D(2026, 2, 24));
	xy_workdays_free(c);
}

/* Across New Year, with both years covered (test data, not a notice). */
static void test_aud5_calendar_deadline_across_the_year_boundary(void **state)
{
	struct xy_workdays *c = cal_of("# invented for the test\n"
				       "2030-01-01 holiday\n"
				       "2030-12-28 workday\n"
				       "2030-12-30 holiday\n"
				       "2030-12-31 holiday\n"
				       "2031-01-01 holiday\n");
	int32_t out = -1;
	long n = 0;
	(void)state;
	assert_int_equal(deadline(c, D(2030, 12, 27), 1), D(2030, 12, 28));
	assert_int_equal(xy_workdays_add(c, D(2030, 12, 27), 2, &out), 0);
	assert_int_equal(out, D(2031, 1, 2));
	assert_int_equal(xy_workdays_between(c, D(2030, 12, 27), D(2031, 1, 6), &n), 0);
	assert_int_equal(n, 4); /* 12-28, 01-02, 01-03, 01-06 */
	assert_int_equal(xy_workdays_between(c, D(2031, 1, 6), D(2030, 12, 27), &n), 0);
	assert_int_equal(n, -4);
	xy_workdays_free(c);
}

/* between() undoes add(), day by day over the whole of 2026. */
static void test_aud5_calendar_between_counts_what_add_walks(void **state)
{
	struct xy_workdays *c = shipped();
	(void)state;
	for (int32_t d = D(2026, 1, 1); d < D(2026, 12, 1); d++) {
		for (int k = 0; k <= 12; k++) {
			int32_t out = -1;
			long n = -1;
			assert_int_equal(xy_workdays_add(c, d, k, &out), 0);
			assert_true(k == 0 || xy_workdays_is_workday(c, out));
			assert_int_equal(xy_workdays_between(c, d, out, &n), 0);
			assert_int_equal(n, k);
		}
	}
	xy_workdays_free(c);
}

/* Every day of 2026 is what the State Council notice of 2025-11-04 says
 * (this list is entered separately from data/calendar-cn.txt, so a slip in
 * either shows); 2027 holds no invented date. */
static void test_aud5_calendar_shipped_calendar_is_the_2026_notice(void **state)
{
	static const int hol[][2] = {
		{1, 1},	 {1, 2},  {1, 3},  {2, 15}, {2, 16}, {2, 17}, {2, 18}, {2, 19}, {2, 20},
		{2, 21}, {2, 22}, {2, 23}, {4, 4},  {4, 5},  {4, 6},  {5, 1},  {5, 2},	{5, 3},
		{5, 4},	 {5, 5},  {6, 19}, {6, 20}, {6, 21}, {9, 25}, {9, 26}, {9, 27}, {10, 1},
		{10, 2}, {10, 3}, {10, 4}, {10, 5}, {10, 6}, {10, 7},
	};
	static const int work[][2] = {{1, 4}, {2, 14}, {2, 28}, {5, 9}, {9, 20}, {10, 10}};
	struct xy_workdays *c = shipped(), *none = cal_of("");
	long n = 0;
	int working = 0;
	size_t nhol = 0, nwork = 0;
	(void)state;
	xy_workdays_count(c, &nhol, &nwork);
	assert_int_equal(nhol, sizeof hol / sizeof hol[0]);
	assert_int_equal(nwork, sizeof work / sizeof work[0]);
	for (int32_t d = D(2026, 1, 1); d <= D(2026, 12, 31); d++) {
		int y, m, dd, want = xy_workdays_is_workday(none, d);
		xy_date_to_ymd(d, &y, &m, &dd);
		for (size_t i = 0; i < sizeof hol / sizeof hol[0]; i++)
			if (hol[i][0] == m && hol[i][1] == dd)
				want = 0;
		for (size_t i = 0; i < sizeof work / sizeof work[0]; i++)
			if (work[i][0] == m && work[i][1] == dd)
				want = 1;
		if (xy_workdays_is_workday(c, d) != want)
			fail_msg("2026-%02d-%02d: the shipped calendar says %s", m, dd,
				 want ? "off" : "working");
		working += want;
	}
	assert_int_equal(xy_workdays_between(c, D(2025, 12, 31), D(2026, 12, 31), &n), 0);
	assert_int_equal(n, working);
	assert_int_equal(n, 248);
	for (int32_t d = D(2027, 1, 1); d <= D(2027, 12, 31); d++)
		assert_int_equal(xy_workdays_is_workday(c, d), xy_workdays_is_workday(none, d));
	xy_workdays_free(c);
	xy_workdays_free(none);
}

static void test_aud5_calendar_working_weekdays_are_configurable(void **state)
{
	struct xy_workdays *c = shipped();
	unsigned bits = 0;
	static const char *bad[] = {"",	  " ",	  "0",	"8", "5-1", "1-", "-5",
				    "12", "1,,2", "1,", "a", "1-8", "1 2"};
	(void)state;
	assert_int_equal(xy_workdays_parse_weekdays("1-5", &bits), 0);
	assert_int_equal(bits, XY_WEEKDAYS_MON_FRI);
	assert_int_equal(xy_workdays_parse_weekdays("1,2,3,4,5,6", &bits), 0);
	assert_int_equal(bits, 0x7eu);
	assert_int_equal(xy_workdays_parse_weekdays(" 1-3, 5 ", &bits), 0);
	assert_int_equal(bits, 0x2eu);
	assert_int_equal(xy_workdays_parse_weekdays("7", &bits), 0);
	assert_int_equal(bits, 0x80u);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (xy_workdays_parse_weekdays(bad[i], &bits) != XY_EPARSE)
			fail_msg("\"%s\" accepted as working weekdays", bad[i]);
	assert_int_equal(xy_workdays_parse_weekdays(NULL, &bits), XY_EPARSE);
	assert_int_equal(xy_workdays_set_weekdays(c, 0), XY_EINVAL);
	assert_int_equal(xy_workdays_set_weekdays(c, 0x1u), XY_EINVAL); /* no day 0 */
	assert_int_equal(xy_workdays_set_weekdays(c, 0x100u), XY_EINVAL);
	/* Monday to Saturday: an ordinary Saturday works, a holiday Saturday
	 * does not, and the worked Sunday still does */
	assert_int_equal(xy_workdays_set_weekdays(c, 0x7eu), 0);
	assert_true(xy_workdays_is_workday(c, D(2026, 3, 7)));
	assert_false(xy_workdays_is_workday(c, D(2026, 2, 21)));
	assert_true(xy_workdays_is_workday(c, D(2026, 1, 4)));
	assert_false(xy_workdays_is_workday(c, D(2026, 3, 8)));
	xy_workdays_free(c);
}

static void test_aud5_calendar_counts_are_bounded(void **state)
{
	struct xy_workdays *c = shipped();
	int32_t out = 0;
	long n = 0;
	(void)state;
	assert_int_equal(xy_workdays_add(c, D(2026, 3, 2), -1, &out), XY_EINVAL);
	assert_int_equal(xy_workdays_add(c, -30000, 1, &out), XY_EINVAL); /* before 1900 */
	assert_int_equal(xy_workdays_add(c, D(9999, 12, 31), 1, &out), XY_EINVAL);
	assert_int_equal(xy_workdays_add(c, D(2026, 3, 2), 30000, &out), XY_ELIMIT);
	assert_int_equal(xy_workdays_between(c, D(1980, 1, 1), D(2110, 1, 1), &n), XY_ELIMIT);
	assert_int_equal(xy_workdays_between(c, D(2026, 1, 1), 4000000, &n), XY_EINVAL);
	xy_workdays_free(c);
}

static void test_aud5_calendar_size_is_bounded(void **state)
{
	size_t cap = (XY_CALENDAR_ENTRIES_MAX + 1) * 19 + 1, len = 0;
	char *text = malloc(cap > XY_CALENDAR_FILE_MAX + 2 ? cap : XY_CALENDAR_FILE_MAX + 2);
	int32_t day = D(2000, 1, 1);
	(void)state;
	assert_non_null(text);
	for (int i = 0; i <= XY_CALENDAR_ENTRIES_MAX; i++) {
		char d[XY_DATE_STR];
		xy_date_format(day + i, d);
		len += (size_t)snprintf(text + len, cap - len, "%s holiday\n", d);
	}
	refused_n(text, len, XY_ELIMIT, "line 4097:", "more than 4096 dates");
	memset(text, '\n', XY_CALENDAR_FILE_MAX + 1);
	refused_n(text, XY_CALENDAR_FILE_MAX + 1, XY_ELIMIT, "", "larger than");
	free(text);
}

/* From a file: a BOM and CRLF line ends (a file saved by a Windows editor)
 * are fine; a missing file and a directory are told apart. */
static void test_aud5_calendar_file_is_read(void **state)
{
	char dir[] = "/tmp/xy-workdays-XXXXXX", path[64], err[256];
	struct xy_workdays *c = NULL;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/calendar.txt", dir);
	assert_int_equal(xy_workdays_load(path, &c, err, sizeof err), XY_ENOTFOUND);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("\xef\xbb\xbf# 元旦\r\n2026-01-01 holiday # 元旦\r\n2026-01-04 workday\r\n", f);
	fclose(f);
	assert_int_equal(xy_workdays_load(path, &c, err, sizeof err), 0);
	assert_false(xy_workdays_is_workday(c, D(2026, 1, 1)));
	assert_true(xy_workdays_is_workday(c, D(2026, 1, 4)));
	assert_true(xy_workdays_covers_year(c, 2026));
	xy_workdays_free(c);
	assert_int_equal(xy_workdays_load(dir, &c, err, sizeof err), XY_EIO);
	assert_null(c);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aud5_calendar_deadline_skips_spring_festival),
		cmocka_unit_test(test_aud5_calendar_adjusted_saturday_counts),
		cmocka_unit_test(test_aud5_calendar_bad_calendar_line_is_named),
		cmocka_unit_test(test_aud5_calendar_contradiction_refused),
		cmocka_unit_test(test_aud5_calendar_outside_covered_years_flagged),
		cmocka_unit_test(test_aud5_calendar_zero_working_days_is_the_day_itself),
		cmocka_unit_test(test_aud5_calendar_deadline_starting_on_a_holiday),
		cmocka_unit_test(test_aud5_calendar_deadline_across_the_year_boundary),
		cmocka_unit_test(test_aud5_calendar_between_counts_what_add_walks),
		cmocka_unit_test(test_aud5_calendar_shipped_calendar_is_the_2026_notice),
		cmocka_unit_test(test_aud5_calendar_working_weekdays_are_configurable),
		cmocka_unit_test(test_aud5_calendar_counts_are_bounded),
		cmocka_unit_test(test_aud5_calendar_size_is_bounded),
		cmocka_unit_test(test_aud5_calendar_file_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
