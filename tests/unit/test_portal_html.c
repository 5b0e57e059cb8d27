/* The portal's one HTML writer (src/portal/html.h, POR-1) and its form reader
 * (src/portal/form.h, POR-3/POR-4): every value escaped, nothing from outside read
 * past its limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "portal/form.h"
#include "portal/html.h"
#include "util/err.h"

static char out[4096];

static const char *esc(const char *s, size_t n)
{
	struct xy_buf b;
	struct xy_html h;
	xy_buf_init(&b, sizeof out);
	xy_html_init(&h, &b);
	xy_html_vn(&h, s, n);
	assert_int_equal(xy_html_end(&h), 0);
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	xy_buf_cleanup(&b);
	return out;
}

static void test_por1_html_value_escapes_markup_and_quotes(void **state)
{
	const char *s = "<script>alert('x')</script>\"&";
	(void)state;
	assert_string_equal(esc(s, strlen(s)),
			    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;");
	assert_string_equal(esc("九江市濂溪区", strlen("九江市濂溪区")), "九江市濂溪区");
}

static void test_por1_html_value_replaces_bad_utf8_and_control_characters(void **state)
{
	(void)state;
	assert_string_equal(esc("a\xff"
				"b",
				3),
			    "a\xEF\xBF\xBD"
			    "b");
	assert_string_equal(esc("a\x01"
				"b\n",
				4),
			    "a\xEF\xBF\xBD"
			    "b\n");
	assert_string_equal(esc("\xe4\xb8", 2), "\xEF\xBF\xBD\xEF\xBF\xBD"); /* cut short */
	assert_string_equal(esc("a\0b", 3), "a\xEF\xBF\xBD"
					    "b");
}

static void test_por1_html_paragraphs_and_url_values(void **state)
{
	struct xy_buf b;
	struct xy_html h;
	(void)state;
	xy_buf_init(&b, 4096);
	xy_html_init(&h, &b);
	xy_html_paras(&h, "一<b>\n二\n\n三");
	xy_html_raw(&h, "|");
	xy_html_u(&h, "a b&c=九");
	assert_int_equal(xy_html_end(&h), 0);
	assert_string_equal(b.p, "<p>一&lt;b&gt;<br>二</p>\n<p>三</p>|a%20b%26c%3D%E4%B9%9D");
	xy_buf_cleanup(&b);
}

static void test_por1_html_writer_stops_at_its_buffer_limit(void **state)
{
	struct xy_buf b;
	struct xy_html h;
	(void)state;
	xy_buf_init(&b, 16);
	xy_html_init(&h, &b);
	xy_html_v(&h, "<<<<<<<<<<<<<<<<<<<<");
	xy_html_raw(&h, "more");
	assert_int_equal(xy_html_end(&h), XY_ELIMIT);
	xy_buf_cleanup(&b);
}

static struct xy_form form;

static void test_por3_form_decodes_fields(void **state)
{
	const char *body = "name=%E5%BC%A0%E4%B8%89&contact=13800138000&reason=a+b%0D%0Ac%0Dd&x=";
	(void)state;
	assert_int_equal(xy_form_parse(body, strlen(body), &form), 0);
	assert_string_equal(xy_form_get(&form, "name"), "张三");
	assert_string_equal(xy_form_get(&form, "reason"), "a b\nc\nd");
	assert_string_equal(xy_form_get(&form, "x"), "");
	assert_null(xy_form_get(&form, "token"));
}

static void test_por3_form_refuses_bad_bytes_repeats_and_excess(void **state)
{
	static char big[XY_PORTAL_FORM_MAX + 2];
	const char *bad[] = {"a=%4", "a=%zz", "a=%00", "a=%01", "a=%FF", "a=1&a=2", "=1"};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(xy_form_parse(bad[i], strlen(bad[i]), &form), XY_EPARSE);
	memset(big, 'a', sizeof big - 1);
	assert_int_equal(xy_form_parse(big, sizeof big - 1, &form), XY_ELIMIT);
	{
		char many[256] = "";
		for (int i = 0; i < XY_FORM_FIELDS_MAX + 1; i++)
			snprintf(many + strlen(many), sizeof many - strlen(many), "k%d=1&", i);
		assert_int_equal(xy_form_parse(many, strlen(many), &form), XY_ELIMIT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_por1_html_value_escapes_markup_and_quotes),
		cmocka_unit_test(test_por1_html_value_replaces_bad_utf8_and_control_characters),
		cmocka_unit_test(test_por1_html_paragraphs_and_url_values),
		cmocka_unit_test(test_por1_html_writer_stops_at_its_buffer_limit),
		cmocka_unit_test(test_por3_form_decodes_fields),
		cmocka_unit_test(test_por3_form_refuses_bad_bytes_repeats_and_excess),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
