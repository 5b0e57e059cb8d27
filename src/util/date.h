/* Calendar dates as day numbers (days since 1970-01-01), parsed strictly.
 * Dates on this platform are dates in China (UTC+8, no daylight saving). */
#ifndef XY_UTIL_DATE_H
#define XY_UTIL_DATE_H

#include <stddef.h>
#include <stdint.h>

#define XY_DATE_LONG_TERM 47481 /* 2099-12-31: "long-term" in the national lists */
#define XY_DATE_STR	  11	/* "YYYY-MM-DD" + NUL */

/* Days since 1970-01-01 for a valid y-m-d, or -1 when it is not a calendar date
 * (2023-02-30) or the year is outside 1900..9999. */
int32_t xy_date_from_ymd(int y, int m, int d);
void xy_date_to_ymd(int32_t days, int *y, int *m, int *d);
/* Accepts YYYY-MM-DD, YYYY/MM/DD (month and day may have one digit, as
 * spreadsheets write them) and YYYYMMDD.  0 and *days, or XY_EPARSE (not a
 * date shape) or XY_EINVAL (shape fine, not a real calendar date). */
__attribute__((warn_unused_result)) int xy_date_parse(const char *s, size_t n, int32_t *days);
/* YYYY-MM, YYYY/MM, YYYYMM; the day number of the month's first day. */
__attribute__((warn_unused_result)) int xy_month_parse(const char *s, size_t n, int32_t *days);
/* Writes YYYY-MM-DD (11 bytes with NUL). */
void xy_date_format(int32_t days, char out[XY_DATE_STR]);
/* Adds calendar months, clamping the day (2024-01-31 + 1 month = 2024-02-29). */
int32_t xy_date_add_months(int32_t days, int months);
/* Today in China (UTC+8). */
int32_t xy_today(void);
/* YYYYMMDD as an int (for the pure validators). */
int xy_date_yyyymmdd(int32_t days);
/* Two decimal digits at p as 0..99, or -1 (for "HH:MM"-style fields). */
int xy_two_digits(const char *p);
/* Microseconds since the epoch (wall clock). */
int64_t xy_now_us(void);

#endif
