/* POR-5: the pure parts of the portal's sections (svc/section.h): the
 * checks of what a caller sends (each field named, limits inclusive), the
 * day a section falls overdue, and its change-set line as the portal reads
 * it (docs/FORMATS.md "Change sets"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "svc/section.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_US	     (86400LL * 1000000)

static struct xy_section_in good(void)
{
	struct xy_section_in in = {
		.id = "notice-2026-01",
		.kind = "notice",
		.title = "关于开展信用承诺工作的通知",
		.body = "各有关单位：\n\n现将有关事项通知如下。",
		.unit = "11360400MB1234567X",
		.period_days = 30,
	};
	return in;
}

/* A string of n copies of the UTF-8 text s (the caller frees it). */
static char *repeat(const char *s, size_t n)
{
	size_t k = strlen(s);
	char *p = malloc(k * n + 1);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		memcpy(p + i * k, s, k);
	p[k * n] = 0;
	return p;
}

static void expect_fault(const struct xy_section_in *in, int creating, const char *field)
{
	struct xy_section_fault f;
	int rc = xy_section_check(in, creating, &f);
	if (rc != XY_EINVAL || !f.field || strcmp(f.field, field) != 0 || !f.why)
		fail_msg("expected a fault in %s, got rc %d field %s", field, rc,
			 f.field ? f.field : "(none)");
}

static void test_por5_good_input_passes(void **state)
{
	struct xy_section_in in = good();
	struct xy_section_fault f;
	(void)state;
	assert_int_equal(xy_section_check(&in, 1, &f), 0);
	in.id = NULL; /* a replacement takes its id from the path */
	assert_int_equal(xy_section_check(&in, 0, &f), 0);
}

static void test_por5_each_field_is_named_when_wrong(void **state)
{
	static const char *const bad_ids[] = {"", "Notice", "a_b", "a b", "通知", "a/b", "overdue"};
	static const char *const bad_titles[] = {"",	  "  ",	       "a\nb",	  "a\tb",
						 "a\x7f", "a\xc2\x85", "\xff\xfe"};
	static const char *const bad_bodies[] = {"",	 "\n\n ",     "a\r\nb",	 "a\tb",
						 "\x01", "a\xc2\x9f", "\xe6\x96"};
	static const long long bad_periods[] = {0, -1, XY_SECTION_PERIOD_MAX + 1, 1LL << 40};
	struct xy_section_in in;
	char *s;
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(bad_ids); i++) {
		in = good();
		in.id = bad_ids[i];
		expect_fault(&in, 1, "id");
	}
	in = good();
	in.id = NULL;
	expect_fault(&in, 1, "id");
	s = repeat("a", XY_SECTION_ID_MAX + 1);
	in.id = s;
	expect_fault(&in, 1, "id");
	free(s);
	in = good();
	in.kind = "news";
	expect_fault(&in, 1, "kind");
	in.kind = NULL;
	expect_fault(&in, 1, "kind");
	for (size_t i = 0; i < ARRAY_LEN(bad_titles); i++) {
		in = good();
		in.title = bad_titles[i];
		expect_fault(&in, 1, "title");
	}
	for (size_t i = 0; i < ARRAY_LEN(bad_bodies); i++) {
		in = good();
		in.body = bad_bodies[i];
		expect_fault(&in, 1, "body");
	}
	for (size_t i = 0; i < ARRAY_LEN(bad_periods); i++) {
		in = good();
		in.period_days = bad_periods[i];
		expect_fault(&in, 1, "period_days");
	}
	in = good();
	in.period_bad = 1;
	expect_fault(&in, 1, "period_days");
	in = good();
	in.unit = NULL;
	expect_fault(&in, 1, "unit");
	in = good();
	in.wrong = "title";
	expect_fault(&in, 1, "title");
}

/* Limits are inclusive: 64 bytes of id, 200 characters of title (whatever
 * their bytes), 65536 bytes of body, 1 and 3650 days. */
static void test_por5_limits_are_inclusive(void **state)
{
	struct xy_section_in in = good();
	struct xy_section_fault f;
	char *id = repeat("a", XY_SECTION_ID_MAX), *t200 = repeat("标", 200),
	     *t201 = repeat("标", 201), *e200 = repeat("\xf0\x9f\x98\x80", 200),
	     *b = repeat("x", XY_SECTION_BODY_MAX), *b1 = repeat("x", XY_SECTION_BODY_MAX + 1);
	(void)state;
	in.id = id;
	in.title = t200;
	in.body = b;
	in.period_days = XY_SECTION_PERIOD_MAX;
	assert_int_equal(xy_section_check(&in, 1, &f), 0);
	in.title = e200; /* 200 characters of 4 bytes */
	assert_int_equal(xy_section_check(&in, 1, &f), 0);
	in.period_days = 1;
	assert_int_equal(xy_section_check(&in, 1, &f), 0);
	in.title = t201;
	expect_fault(&in, 1, "title");
	in.title = t200;
	in.body = b1;
	expect_fault(&in, 1, "body");
	free(id);
	free(t200);
	free(t201);
	free(e200);
	free(b);
	free(b1);
}

/* A section updated on China day D with a period of P days is due on D + P
 * and overdue from the day after, wherever in the day it was updated. */
static void test_por5_due_day_is_counted_in_china_days(void **state)
{
	int32_t d = xy_date_from_ymd(2026, 11, 21);
	int64_t midnight = ((int64_t)d * 86400 - 8 * 3600) * 1000000; /* 00:00 China */
	(void)state;
	assert_int_equal(xy_section_due_day(midnight, 30), d + 30);
	assert_int_equal(xy_section_due_day(midnight + DAY_US - 1, 30), d + 30);
	assert_int_equal(xy_section_due_day(midnight - 1, 30), d + 29);
	assert_int_equal(xy_section_due_day(midnight, 1), d + 1);
}

static void test_por5_change_set_line(void **state)
{
	struct xy_section s = {0};
	struct xy_buf out;
	json_error_t e;
	json_t *j;
	const char *key;
	json_t *v;
	size_t n = 0;
	static const char body[] = "第一段 </script>\n\n第二段 \"引号\" \\";
	int32_t d = xy_date_from_ymd(2026, 11, 21);
	(void)state;

	snprintf(s.id, sizeof s.id, "%s", "policy-1");
	snprintf(s.kind, sizeof s.kind, "%s", "policy");
	snprintf(s.title, sizeof s.title, "%s", "九江市信用修复管理办法");
	snprintf(s.unit_code, sizeof s.unit_code, "%s", "11360400MB1234567X");
	snprintf(s.unit_name, sizeof s.unit_name, "%s", "九江市信用办");
	s.period_days = 365;
	s.updated_at = ((int64_t)d * 86400 - 8 * 3600 + 23 * 3600) * 1000000; /* 23:00 China */
	s.body = body;
	s.body_len = strlen(body);
	xy_buf_init(&out, XY_SECTION_BODY_MAX * 8);
	assert_int_equal(xy_section_line(&s, &out), 0);
	assert_null(memchr(out.p, '\n', out.len)); /* one line */
	j = json_loadb(out.p, out.len, 0, &e);
	assert_non_null(j);
	json_object_foreach (j, key, v)
		n++;
	assert_int_equal(n, 8);
	assert_string_equal(json_string_value(json_object_get(j, "op")), "section");
	assert_string_equal(json_string_value(json_object_get(j, "id")), "policy-1");
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "policy");
	assert_string_equal(json_string_value(json_object_get(j, "title")), s.title);
	assert_string_equal(json_string_value(json_object_get(j, "body")), body);
	assert_string_equal(json_string_value(json_object_get(j, "unit")), "九江市信用办");
	assert_string_equal(json_string_value(json_object_get(j, "updated")), "2026-11-21");
	assert_int_equal(json_integer_value(json_object_get(j, "period_days")), 365);
	json_decref(j);
	xy_buf_cleanup(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_por5_good_input_passes),
		cmocka_unit_test(test_por5_each_field_is_named_when_wrong),
		cmocka_unit_test(test_por5_limits_are_inclusive),
		cmocka_unit_test(test_por5_due_day_is_counted_in_china_days),
		cmocka_unit_test(test_por5_change_set_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
