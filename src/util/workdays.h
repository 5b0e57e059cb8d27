/* Working days in China: the weekday rule (working weekdays, Monday to
 * Friday unless configured), then the public holidays of a calendar take
 * days away and its adjusted working days (调休上班) add weekend days back.
 * One calendar serves every rule that speaks of working days: the audit
 * review's off-hours anomaly (AUD-5) and the deadlines of approvals (CHG-3).
 *
 * The calendar file (docs/FORMATS.md) holds lines "YYYY-MM-DD holiday" and
 * "YYYY-MM-DD workday", '#' comments and blank lines.  It is read strictly: a
 * bad line, a date listed twice or both a holiday and a workday refuse the
 * whole file, and err names the line and why.
 *
 * A year is *covered* when the calendar lists its 1 January as a holiday:
 * 元旦 is a public holiday every year and every State Council notice begins
 * with it, so a year's notice entered in full always covers its year, while
 * the days a notice puts into the year before (a December bridge) do not
 * cover that year.  In a year not covered only the weekday rule (and any
 * dates listed for it) decides, which may be wrong; the counting functions
 * then answer XY_WORKDAYS_UNCOVERED so that a deadline resting on a guess is
 * flagged, never silently taken.
 *
 * Days are the day numbers of util/date.h (days since 1970-01-01, China's
 * calendar). */
#ifndef XY_UTIL_WORKDAYS_H
#define XY_UTIL_WORKDAYS_H

#include <stddef.h>
#include <stdint.h>

/* A count or deadline that was computed, but walked over a day of a year
 * the calendar does not cover (a positive answer, not an error). */
#define XY_WORKDAYS_UNCOVERED 1

/* Working weekdays as bits: bit d for d = 1 (Monday) .. 7 (Sunday). */
#define XY_WEEKDAYS_MON_FRI 0x3eu

struct xy_workdays;

/* Parses a calendar held in memory (at most XY_CALENDAR_FILE_MAX bytes,
 * lines of at most XY_CALENDAR_LINE_MAX, XY_CALENDAR_ENTRIES_MAX dated
 * lines; a UTF-8 BOM and CRLF line ends are accepted).  Working weekdays
 * start as Monday to Friday.  0, or XY_EPARSE (a malformed line), XY_EINVAL
 * (not a real date, a date listed twice, a holiday that is also a workday),
 * XY_ELIMIT, XY_ENOMEM, with err saying "line N: why". */
__attribute__((warn_unused_result)) int
xy_workdays_parse(const char *text, size_t n, struct xy_workdays **out, char *err, size_t errlen);
/* The same from a file: a regular file of at most XY_CALENDAR_FILE_MAX
 * bytes.  XY_ENOTFOUND when it does not exist; XY_EIO when it cannot be
 * read (err says why). */
__attribute__((warn_unused_result)) int xy_workdays_load(const char *path, struct xy_workdays **out,
							 char *err, size_t errlen);
void xy_workdays_free(struct xy_workdays *c);

/* "1-5", "1,2,3,4,5,6", "1-3, 5" (1 = Monday .. 7 = Sunday) as weekday
 * bits; XY_EPARSE when malformed or empty. */
__attribute__((warn_unused_result)) int xy_workdays_parse_weekdays(const char *s, unsigned *bits);
/* Sets the working weekdays; XY_EINVAL unless bits is a nonempty subset of
 * bits 1..7. */
__attribute__((warn_unused_result)) int xy_workdays_set_weekdays(struct xy_workdays *c,
								 unsigned bits);

/* 1 when day is a working day: an adjusted working day, or a working
 * weekday that is not a holiday; else 0. */
int xy_workdays_is_workday(const struct xy_workdays *c, int32_t day);
/* 1 when the calendar covers the year (its 1 January is a holiday). */
int xy_workdays_covers_year(const struct xy_workdays *c, int year);
/* 1 when the calendar covers the year of day. */
int xy_workdays_covers(const struct xy_workdays *c, int32_t day);
/* The covered years in ascending order, at most max of them written to
 * years; returns how many there are. */
int xy_workdays_years(const struct xy_workdays *c, int *years, int max);
/* How many holidays and adjusted working days the calendar lists. */
void xy_workdays_count(const struct xy_workdays *c, size_t *holidays, size_t *workdays);

/* The deadline n working days after day: the n-th working day after it
 * (day itself does not count, as in the time limits of administrative
 * law); day itself when n is 0.  0, or XY_WORKDAYS_UNCOVERED when a day
 * walked over lies in a year the calendar does not cover (*out is the
 * weekday rule's guess then); XY_EINVAL for n < 0 or a day outside the
 * years 1900..9999, XY_ELIMIT when the answer is more than
 * XY_WORKDAYS_SPAN_MAX days away. */
__attribute__((warn_unused_result)) int xy_workdays_add(const struct xy_workdays *c, int32_t day,
							int n, int32_t *out);
/* The working days in (a, b] when a <= b, minus those in (b, a] when b < a,
 * so that xy_workdays_between(a, xy_workdays_add(a, n)) is n.  0 or
 * XY_WORKDAYS_UNCOVERED as above; XY_EINVAL, XY_ELIMIT (more than
 * XY_WORKDAYS_SPAN_MAX days apart). */
__attribute__((warn_unused_result)) int xy_workdays_between(const struct xy_workdays *c, int32_t a,
							    int32_t b, long *n);

#endif
