/* SHR-4 masking (src/core/mask.h): each rule of the catalog on the values a
 * credit record holds, the short and odd values, and the rule that masking
 * never lets a hidden character through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/mask.h"
#include "util/buf.h"

static char got[256];
static int got_null;

static const char *mask(enum xy_mask_kind kind, int first, int last, const char *v,
			xy_mask_hash_fn h)
{
	struct xy_mask m = {kind, first, last};
	struct xy_buf b;
	xy_buf_init(&b, sizeof got - 1);
	assert_int_equal(xy_mask_apply(&m, v, strlen(v), h, NULL, &b, &got_null), 0);
	snprintf(got, sizeof got, "%.*s", (int)b.len, b.p ? b.p : "");
	xy_buf_cleanup(&b);
	return got;
}

static void fake_hash(void *arg, const char *v, size_t n, char out[17])
{
	unsigned x = 2166136261u;
	(void)arg;
	for (size_t i = 0; i < n; i++)
		x = (x ^ (unsigned char)v[i]) * 16777619u;
	snprintf(out, 17, "%08x%08x", x, x ^ 0xa5a5a5a5u);
}

static void test_shr4_identity_number_keeps_six_and_four(void **state)
{
	(void)state;
	assert_string_equal(mask(XY_MASK_IDNUM, 0, 0, "110105198503151234", NULL),
			    "110105********1234");
	assert_string_equal(mask(XY_MASK_IDNUM, 0, 0, "36040219850315123X", NULL),
			    "360402********123X");
	/* Too short to hide anything by the rule: all hidden. */
	assert_string_equal(mask(XY_MASK_IDNUM, 0, 0, "1234567890", NULL), "**********");
}

static void test_shr4_mobile_keeps_three_and_four(void **state)
{
	(void)state;
	assert_string_equal(mask(XY_MASK_MOBILE, 0, 0, "18012341999", NULL), "180****1999");
	assert_string_equal(mask(XY_MASK_MOBILE, 0, 0, "1801", NULL), "****");
}

static void test_shr4_natural_persons_name_keeps_the_surname(void **state)
{
	(void)state;
	assert_string_equal(mask(XY_MASK_NAME, 0, 0, "段一二", NULL), "段**");
	assert_string_equal(mask(XY_MASK_NAME, 0, 0, "欧阳娜娜", NULL), "欧***");
	assert_string_equal(mask(XY_MASK_NAME, 0, 0, "段", NULL), "*");
	assert_string_equal(mask(XY_MASK_NAME, 0, 0, "", NULL), "");
}

static void test_shr4_keep_first_and_last_count_characters_not_bytes(void **state)
{
	(void)state;
	assert_string_equal(mask(XY_MASK_KEEP, 2, 0, "九江市濂溪区某路12号", NULL),
			    "九江*********");
	assert_string_equal(mask(XY_MASK_KEEP, 0, 2, "abcdef", NULL), "****ef");
	assert_string_equal(mask(XY_MASK_KEEP, 3, 3, "abcdef", NULL), "******");
}

static void test_shr4_year_only_and_null(void **state)
{
	(void)state;
	assert_string_equal(mask(XY_MASK_YEAR, 0, 0, "1985-03-15", NULL), "1985");
	assert_false(got_null);
	mask(XY_MASK_YEAR, 0, 0, "not a date", NULL);
	assert_true(got_null);
	mask(XY_MASK_NULL, 0, 0, "110105198503151234", NULL);
	assert_true(got_null);
	assert_string_equal(got, "");
}

static void test_shr4_hash_matches_equal_values_and_shows_nothing(void **state)
{
	char a[32];
	(void)state;
	snprintf(a, sizeof a, "%s", mask(XY_MASK_HASH, 0, 0, "110105198503151234", fake_hash));
	assert_int_equal(strlen(a), 16);
	assert_null(strstr(a, "1101"));
	assert_string_equal(mask(XY_MASK_HASH, 0, 0, "110105198503151234", fake_hash), a);
	assert_string_not_equal(mask(XY_MASK_HASH, 0, 0, "110105198503151235", fake_hash), a);
	/* Without a key the rule shows nothing rather than the value. */
	mask(XY_MASK_HASH, 0, 0, "110105198503151234", NULL);
	assert_true(got_null);
}

static void test_shr4_no_rule_keeps_the_value(void **state)
{
	(void)state;
	assert_string_equal(mask(XY_MASK_NONE, 0, 0, "九江市某公司", NULL), "九江市某公司");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shr4_identity_number_keeps_six_and_four),
		cmocka_unit_test(test_shr4_mobile_keeps_three_and_four),
		cmocka_unit_test(test_shr4_natural_persons_name_keeps_the_surname),
		cmocka_unit_test(test_shr4_keep_first_and_last_count_characters_not_bytes),
		cmocka_unit_test(test_shr4_year_only_and_null),
		cmocka_unit_test(test_shr4_hash_matches_equal_values_and_shows_nothing),
		cmocka_unit_test(test_shr4_no_rule_keeps_the_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
