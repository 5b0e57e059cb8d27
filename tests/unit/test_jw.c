/* The JSON writer of hot answers (src/util/jw.h): what it writes must be
 * JSON that a strict parser reads back to the same values, with every
 * character that needs escaping escaped, and misuse must be an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/jw.h"

static json_t *parse(struct xy_buf *b)
{
	json_error_t e;
	json_t *v = json_loadb(b->p, b->len, JSON_REJECT_DUPLICATES, &e);
	if (!v)
		fail_msg("not JSON (%s): %.*s", e.text, (int)b->len, b->p);
	return v;
}

static void test_jw_nested_values_read_back(void **state)
{
	struct xy_buf b;
	struct xy_jw w;
	json_t *v;
	(void)state;
	xy_buf_init(&b, 1 << 20);
	xy_jw_init(&w, &b);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "name", "段某某 <b>\"quoted\"</b>\\");
	xy_jw_kint(&w, "n", -9223372036854775807LL - 1);
	xy_jw_kint(&w, "z", 0);
	xy_jw_kbool(&w, "t", 1);
	xy_jw_key(&w, "list");
	xy_jw_arr(&w);
	xy_jw_str(&w, NULL);
	xy_jw_int(&w, 42);
	xy_jw_obj(&w);
	xy_jw_obj_end(&w);
	xy_jw_arr(&w);
	xy_jw_arr_end(&w);
	xy_jw_arr_end(&w);
	xy_jw_kstr(&w, "ctl", "a\x01\n\tb");
	xy_jw_obj_end(&w);
	assert_int_equal(xy_jw_end(&w), 0);
	v = parse(&b);
	assert_string_equal(json_string_value(json_object_get(v, "name")),
			    "段某某 <b>\"quoted\"</b>\\");
	assert_true(json_integer_value(json_object_get(v, "n")) == INT64_MIN);
	assert_int_equal(json_integer_value(json_object_get(v, "z")), 0);
	assert_true(json_is_true(json_object_get(v, "t")));
	assert_int_equal(json_array_size(json_object_get(v, "list")), 4);
	assert_true(json_is_null(json_array_get(json_object_get(v, "list"), 0)));
	assert_string_equal(json_string_value(json_object_get(v, "ctl")), "a\x01\n\tb");
	/* "</" never appears raw, control characters never raw either. */
	assert_null(strstr(b.p, "</"));
	assert_null(memchr(b.p, '\n', b.len));
	json_decref(v);
	xy_buf_cleanup(&b);
}

static void test_jw_times_and_dates_in_china_time(void **state)
{
	struct xy_buf b;
	struct xy_jw w;
	(void)state;
	xy_buf_init(&b, 4096);
	xy_jw_init(&w, &b);
	xy_jw_arr(&w);
	/* 2026-11-21 15:59:59 UTC is 23:59:59 in China; one second later the next day. */
	xy_jw_time(&w, 1795276799LL * 1000000);
	xy_jw_time(&w, 1795276800LL * 1000000);
	xy_jw_time(&w, 0);
	xy_jw_date(&w, 0);
	xy_jw_date(&w, INT32_MIN);
	xy_jw_arr_end(&w);
	assert_int_equal(xy_jw_end(&w), 0);
	assert_string_equal(b.p, "[\"2026-11-21T23:59:59+08:00\",\"2026-11-22T00:00:00+08:00\","
				 "null,\"1970-01-01\",null]");
	xy_buf_cleanup(&b);
}

static void test_jw_misuse_is_an_error(void **state)
{
	struct xy_buf b;
	struct xy_jw w;
	(void)state;
	xy_buf_init(&b, 4096);
	xy_jw_init(&w, &b); /* unclosed */
	xy_jw_obj(&w);
	assert_int_equal(xy_jw_end(&w), XY_EINVAL);
	xy_buf_reset(&b);
	xy_jw_init(&w, &b); /* a key outside an object */
	xy_jw_key(&w, "k");
	assert_int_equal(xy_jw_end(&w), XY_EINVAL);
	xy_buf_reset(&b);
	xy_jw_init(&w, &b); /* a key without its value */
	xy_jw_obj(&w);
	xy_jw_key(&w, "k");
	xy_jw_obj_end(&w);
	assert_int_equal(xy_jw_end(&w), XY_EINVAL);
	xy_buf_reset(&b);
	xy_jw_init(&w, &b); /* too deep */
	for (int i = 0; i < XY_JW_DEPTH + 1; i++)
		xy_jw_arr(&w);
	assert_int_equal(xy_jw_end(&w), XY_ELIMIT);
	xy_buf_cleanup(&b);
}

static void test_jw_answer_over_the_buffer_limit_is_refused(void **state)
{
	struct xy_buf b;
	struct xy_jw w;
	(void)state;
	xy_buf_init(&b, 2048);
	xy_jw_init(&w, &b);
	xy_jw_arr(&w);
	for (int i = 0; i < 1000; i++)
		xy_jw_str(&w, "0123456789");
	xy_jw_arr_end(&w);
	assert_int_equal(xy_jw_end(&w), XY_ELIMIT);
	assert_true(b.len <= 2048);
	xy_buf_cleanup(&b);
}

static void test_i64_str_writes_every_edge(void **state)
{
	char s[24];
	(void)state;
	s[xy_i64_str(0, s)] = 0;
	assert_string_equal(s, "0");
	s[xy_i64_str(-1, s)] = 0;
	assert_string_equal(s, "-1");
	s[xy_i64_str(INT64_MAX, s)] = 0;
	assert_string_equal(s, "9223372036854775807");
	s[xy_i64_str(INT64_MIN, s)] = 0;
	assert_string_equal(s, "-9223372036854775808");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jw_nested_values_read_back),
		cmocka_unit_test(test_jw_times_and_dates_in_china_time),
		cmocka_unit_test(test_jw_misuse_is_an_error),
		cmocka_unit_test(test_jw_answer_over_the_buffer_limit_is_refused),
		cmocka_unit_test(test_i64_str_writes_every_edge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
