/* COL-2: check characters of the unified social credit code (GB 32100-2015), the organisation
 * code inside it (GB 11714), the citizen identity number (GB 11643-1999) and the legacy
 * business registration number (ISO 7064 MOD 11,10).
 *
 * The valid vectors were computed outside this code (a throwaway script written from the
 * standards, and by hand for 11010519491231002X and 110108000000016); 91350100M000100Y43,
 * D2143569X, 11010519491231002X and 440524188001010014 are the examples printed in the
 * standards and their commentaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/codes.h"

#define TODAY 20261121

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const valid_uscc[] = {
	"91350100M000100Y43", /* the example in GB 32100-2015 */
	"91360400MA35K1A29Q", "91360400MA35G7U04U", "91360400MA3ADY2C6C", "91360400MA38PTQ51X",
	"91360400MA351007XG", /* organisation check X, overall check a letter */
	"91360400MA351023XP", "91360400MA35K11800", /* organisation check 11 -> 0 */
	"1236000049100163X2",			    /* 事业单位 */
	"52360100MJD0473389",			    /* 社会组织 */
	"93360402MA35D1L63B",			    /* 农民专业合作社 */
	"Y1360100505772102A", "91110108600000362Q", "911101087566233123", "91110108MA01W2X83A",
};

static const char *const valid_idnum[] = {
	"11010519491231002X", /* the example in GB 11643-1999 */
	"36040219880315105X", "360402198803151236", "36010219920229108X", /* 29 February 1992 */
	"360102199202291231", "11010520000229118X", /* 29 February 2000: divisible by 400 */
	"110105200002291235", "44030619690701101X", "440306196907011239",
	"51010719001231100X", "000000190001011239", /* area 000000 and the earliest date accepted */
	"00000019000101101X", "99999920261121108X", /* born today */
	"999999202611211231",
};

static const char *const valid_regno[] = {
	"110108000000016", "360402000000014", "360102102300455",
	"440300001234568", "110000000000009",
};

static enum xy_code_status uscc(const char *s)
{
	return xy_uscc_check(s, strlen(s));
}

static enum xy_code_status orgcode(const char *s)
{
	return xy_orgcode_check(s, strlen(s));
}

static enum xy_code_status idnum(const char *s)
{
	return xy_idnum_check(s, strlen(s), TODAY);
}

static enum xy_code_status regno(const char *s)
{
	return xy_regno_check(s, strlen(s));
}

static void test_col2_uscc_accepts_valid_codes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_uscc); i++) {
		assert_int_equal(uscc(valid_uscc[i]), XY_CODE_OK);
		assert_int_equal(xy_uscc_check_char(valid_uscc[i]), valid_uscc[i][17]);
		assert_int_equal(xy_orgcode_check(valid_uscc[i] + 8, 9), XY_CODE_OK);
	}
}

static void test_col2_uscc_rejects_wrong_check_char(void **state)
{
	static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_uscc); i++) {
		char c[19];

		memcpy(c, valid_uscc[i], sizeof(c));
		for (const char *p = cs; *p; p++) {
			if (*p == valid_uscc[i][17])
				continue;
			c[17] = *p;
			assert_int_equal(uscc(c), XY_CODE_CHECK);
		}
	}
	assert_int_equal(uscc("91350100M000100Y44"), XY_CODE_CHECK);
}

static bool uscc_allowed(int pos, char c)
{
	if (pos >= 2 && pos < 8)
		return c >= '0' && c <= '9';
	return c != '\0' && strchr("0123456789ABCDEFGHJKLMNPQRTUWXY", c) != NULL;
}

/* MOD 31 with weights prime to 31 catches every single substitution: the overall check fails
 * before the organisation check is looked at. */
static void test_col2_uscc_detects_single_substitution(void **state)
{
	static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_uscc); i++) {
		for (int pos = 0; pos < 17; pos++) {
			for (const char *p = cs; *p; p++) {
				char c[19];

				if (*p == valid_uscc[i][pos] || !uscc_allowed(pos, *p))
					continue;
				memcpy(c, valid_uscc[i], sizeof(c));
				c[pos] = *p;
				assert_int_equal(uscc(c), XY_CODE_CHECK);
			}
		}
	}
}

static void test_col2_uscc_detects_adjacent_transposition(void **state)
{
	int tried = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_uscc); i++) {
		for (int pos = 0; pos < 16; pos++) {
			char c[19];

			memcpy(c, valid_uscc[i], sizeof(c));
			if (c[pos] == c[pos + 1] || !uscc_allowed(pos, c[pos + 1]) ||
			    !uscc_allowed(pos + 1, c[pos]))
				continue;
			c[pos] = valid_uscc[i][pos + 1];
			c[pos + 1] = valid_uscc[i][pos];
			assert_int_equal(uscc(c), XY_CODE_CHECK);
			tried++;
		}
	}
	assert_true(tried > 100);
}

static void test_col2_uscc_rejects_forbidden_letters(void **state)
{
	static const int positions[] = {0, 1, 8, 9, 12, 16, 17};

	(void)state;
	for (const char *f = "IOSVZ"; *f; f++) {
		for (size_t k = 0; k < ARRAY_LEN(positions); k++) {
			char c[19] = "91350100M000100Y43";

			c[positions[k]] = *f;
			assert_int_equal(uscc(c), XY_CODE_CHARSET);
		}
	}
	/* Plausible typos: O for 0, I for 1, S for 5, Z for 2. */
	assert_int_equal(uscc("91360400MA35K1A29O"), XY_CODE_CHARSET);
	assert_int_equal(uscc("91360400MA35K1A2I0"), XY_CODE_CHARSET);
	assert_int_equal(uscc("91360400MA3SG7U04U"), XY_CODE_CHARSET);
	assert_int_equal(uscc("91360400MAZ5G7U04U"), XY_CODE_CHARSET);
	assert_int_equal(xy_uscc_check_char("91350100M00010OY4"), 0);
}

static void test_col2_uscc_area_code_must_be_digits(void **state)
{
	(void)state;
	for (int pos = 2; pos < 8; pos++) {
		char c[19] = "91350100M000100Y43";

		c[pos] = 'A';
		assert_int_equal(uscc(c), XY_CODE_CHARSET);
	}
	/* Positions 1, 2 and 9-17 may hold letters. */
	assert_int_equal(uscc("Y1360100505772102A"), XY_CODE_OK);
	assert_int_equal(uscc("91360400MA3ADY2C6C"), XY_CODE_OK);
}

static void test_col2_uscc_rejects_wrong_length(void **state)
{
	(void)state;
	assert_int_equal(uscc("91350100M000100Y4"), XY_CODE_LENGTH);   /* 17 */
	assert_int_equal(uscc("91350100M000100Y433"), XY_CODE_LENGTH); /* 19 */
	assert_int_equal(uscc("9"), XY_CODE_LENGTH);
	assert_int_equal(uscc("M000100Y4"), XY_CODE_LENGTH); /* an organisation code */
	assert_int_equal(uscc("11010519491231002X0000"), XY_CODE_LENGTH);
}

static void test_col2_uscc_rejects_lower_case(void **state)
{
	(void)state;
	assert_int_equal(uscc("91350100m000100y43"), XY_CODE_LOWERCASE);
	assert_int_equal(uscc("91360400MA35K1A29q"), XY_CODE_LOWERCASE);
	assert_int_equal(uscc("91360400ma35k1a29q"), XY_CODE_LOWERCASE);
	/* Lower case is named before the length. */
	assert_int_equal(uscc("91360400ma35k1a29"), XY_CODE_LOWERCASE);
	/* Not upper-cased behind the caller's back, even a forbidden letter in lower case. */
	assert_int_equal(uscc("91360400MA35K1A2i0"), XY_CODE_LOWERCASE);
}

static void test_col2_uscc_rejects_full_width(void **state)
{
	(void)state;
	/* Full-width digits and letters are three UTF-8 bytes each: FULLWIDTH, not LENGTH. */
	assert_int_equal(uscc("９1350100M000100Y43"), XY_CODE_FULLWIDTH);
	assert_int_equal(uscc("91350100Ｍ000100Y43"), XY_CODE_FULLWIDTH);
	assert_int_equal(uscc("９１３５０１００Ｍ０００１００Ｙ４３"), XY_CODE_FULLWIDTH);
	/* GBK full-width 9 (A3 B9), two bytes. */
	assert_int_equal(uscc("\xa3\xb9"
			      "1350100M000100Y43"),
			 XY_CODE_FULLWIDTH);
	/* Full-width space, Chinese text, a lone byte >= 0x80. */
	assert_int_equal(uscc("91350100M000100Y43\xe3\x80\x80"), XY_CODE_FULLWIDTH);
	assert_int_equal(uscc("统一社会信用代码"), XY_CODE_FULLWIDTH);
	assert_int_equal(uscc("91350100M000100Y4\x80"), XY_CODE_FULLWIDTH);
	/* Named before lower case. */
	assert_int_equal(uscc("９1350100m000100y43"), XY_CODE_FULLWIDTH);
}

static void test_col2_uscc_rejects_spaces_and_controls(void **state)
{
	(void)state;
	assert_int_equal(uscc(" 91350100M000100Y43"), XY_CODE_LENGTH);
	assert_int_equal(uscc("91350100M000100Y43 "), XY_CODE_LENGTH);
	assert_int_equal(uscc("91350100 000100Y43"), XY_CODE_CHARSET);
	assert_int_equal(uscc("91350100M000100Y4 "), XY_CODE_CHARSET);
	assert_int_equal(uscc("9135 100M000100Y43"), XY_CODE_CHARSET);
	assert_int_equal(uscc("91350100M000100Y4\t"), XY_CODE_CHARSET);
	assert_int_equal(uscc("91350100-M000100Y4"), XY_CODE_CHARSET);
	assert_int_equal(xy_uscc_check("91350100M000100Y4\0", 18), XY_CODE_CHARSET);
	assert_int_equal(uscc("                  "), XY_CODE_CHARSET);
}

static void test_col2_uscc_rejects_empty(void **state)
{
	(void)state;
	assert_int_equal(uscc(""), XY_CODE_EMPTY);
	assert_int_equal(xy_uscc_check(NULL, 0), XY_CODE_EMPTY);
	assert_int_equal(xy_uscc_check("91350100M000100Y43", 0), XY_CODE_EMPTY);
}

/* 91350100M000100Y0N: the MOD 31 check N is right, but M000100Y0 fails GB 11714 (it needs
 * 4).  Some genuine pre-2016 codes look like this. */
static void test_col2_uscc_org_check_failure(void **state)
{
	(void)state;
	assert_int_equal(xy_uscc_check_char("91350100M000100Y0"), 'N');
	assert_int_equal(uscc("91350100M000100Y0N"), XY_CODE_ORG_CHECK);
	assert_int_equal(xy_orgcode_check("M000100Y0", 9), XY_CODE_CHECK);
	/* The overall check is named first when both are wrong. */
	assert_int_equal(uscc("91350100M000100Y03"), XY_CODE_CHECK);
	/* A letter other than X where the organisation check belongs. */
	{
		char c[19] = "91350100M000100YA";

		c[17] = xy_uscc_check_char(c);
		assert_int_not_equal(c[17], 0);
		assert_int_equal(xy_uscc_check(c, 18), XY_CODE_ORG_CHECK);
	}
}

static void test_col2_uscc_reads_only_n_bytes(void **state)
{
	char exact[18];
	char longer[] = "91350100M000100Y43XYZ";

	(void)state;
	memcpy(exact, "91350100M000100Y43", 18); /* no NUL */
	assert_int_equal(xy_uscc_check(exact, sizeof(exact)), XY_CODE_OK);
	assert_int_equal(xy_uscc_check(longer, 18), XY_CODE_OK);
	assert_int_equal(xy_uscc_check(longer, 17), XY_CODE_LENGTH);
	assert_int_equal(xy_uscc_check_char(exact), '3');
}

static void test_col2_uscc_check_char_rejects_outside_charset(void **state)
{
	(void)state;
	assert_int_equal(xy_uscc_check_char("91350100M000100Y4"), '3');
	assert_int_equal(xy_uscc_check_char("91350100I000100Y4"), 0);
	assert_int_equal(xy_uscc_check_char("91350100m000100Y4"), 0);
	assert_int_equal(xy_uscc_check_char("9135010 M000100Y4"), 0);
	assert_int_equal(xy_uscc_check_char("91350100M000100\xef\xbc"), 0);
}

static void test_col2_orgcode_accepts_valid_codes(void **state)
{
	static const char *const ok[] = {
		"D2143569X", /* 10 -> X */
		"M000100Y4", "123456788", "000000000",
		"A1B2C3D48", "ZZZZZZZZ3", "IOSV12340", /* I O S V are fine outside a USCC */
		"100000040",			       /* 11 -> 0 */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		assert_int_equal(orgcode(ok[i]), XY_CODE_OK);
		assert_int_equal(xy_orgcode_check_char(ok[i]), ok[i][8]);
	}
}

static void test_col2_orgcode_rejects_bad_codes(void **state)
{
	(void)state;
	assert_int_equal(orgcode("D21435690"), XY_CODE_CHECK);
	assert_int_equal(orgcode("M000100Y5"), XY_CODE_CHECK);
	assert_int_equal(orgcode("M000100YX"), XY_CODE_CHECK);
	assert_int_equal(orgcode("D2143568X"), XY_CODE_CHECK); /* one digit changed */
	assert_int_equal(orgcode("D2143569x"), XY_CODE_LOWERCASE);
	assert_int_equal(orgcode("d2143569X"), XY_CODE_LOWERCASE);
	assert_int_equal(orgcode("D2143569-X"), XY_CODE_LENGTH); /* printed form, with hyphen */
	assert_int_equal(orgcode("D2143569"), XY_CODE_LENGTH);
	assert_int_equal(orgcode("M000100YA"), XY_CODE_CHARSET); /* check is 0-9 or X only */
	assert_int_equal(orgcode("D214356-X"), XY_CODE_CHARSET);
	assert_int_equal(orgcode("D214 569X"), XY_CODE_CHARSET);
	assert_int_equal(orgcode("Ｄ2143569X"), XY_CODE_FULLWIDTH);
	assert_int_equal(orgcode(""), XY_CODE_EMPTY);
	assert_int_equal(xy_orgcode_check_char("D214356-"), 0);
	assert_int_equal(xy_orgcode_check_char("d2143569"), 0);
}

static void test_col2_idnum_accepts_valid_numbers(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_idnum); i++) {
		assert_int_equal(idnum(valid_idnum[i]), XY_CODE_OK);
		assert_int_equal(xy_idnum_check_char(valid_idnum[i]), valid_idnum[i][17]);
	}
}

static void test_col2_idnum_accepts_leap_day(void **state)
{
	(void)state;
	assert_int_equal(idnum("36010219920229108X"), XY_CODE_OK);
	assert_int_equal(idnum("11010520000229118X"), XY_CODE_OK);
}

static void test_col2_idnum_rejects_feb29_in_common_year(void **state)
{
	(void)state;
	/* The check digits are right; only the date is wrong. */
	assert_int_equal(idnum("36040220230229123X"), XY_CODE_BIRTHDATE);
	assert_int_equal(idnum("110105190002291239"), XY_CODE_BIRTHDATE); /* 1900: century */
}

static void test_col2_idnum_rejects_impossible_dates(void **state)
{
	(void)state;
	assert_int_equal(idnum("36040219990431123X"), XY_CODE_BIRTHDATE); /* 31 April */
	assert_int_equal(idnum("360402199913011239"), XY_CODE_BIRTHDATE); /* month 13 */
	assert_int_equal(idnum("360402199900101235"), XY_CODE_BIRTHDATE); /* month 00 */
	assert_int_equal(idnum("360402199901001236"), XY_CODE_BIRTHDATE); /* day 00 */
	assert_int_equal(idnum("360402189912311230"), XY_CODE_BIRTHDATE); /* before 1900 */
	/* The example printed in GB 11643-1999 was born in 1880: refused by the 1900 floor. */
	assert_int_equal(idnum("440524188001010014"), XY_CODE_BIRTHDATE);
	assert_int_equal(xy_idnum_check_char("44052418800101001"), '4');
}

static void test_col2_idnum_rejects_future_birth_date(void **state)
{
	(void)state;
	assert_int_equal(idnum("360402202611221235"), XY_CODE_BIRTHDATE); /* today + 1 */
	assert_int_equal(xy_idnum_check("360402202611221235", 18, 20261122), XY_CODE_OK);
	assert_int_equal(xy_idnum_check("999999202611211231", 18, 20261120), XY_CODE_BIRTHDATE);
	assert_int_equal(xy_idnum_check("999999202611211231", 18, 20261121), XY_CODE_OK);
}

static void test_col2_idnum_rejects_wrong_check_digit(void **state)
{
	(void)state;
	assert_int_equal(idnum("110105194912310020"), XY_CODE_CHECK);
	assert_int_equal(idnum("360402198803151237"), XY_CODE_CHECK);
	assert_int_equal(idnum("36040219880315123X"), XY_CODE_CHECK);
	for (size_t i = 0; i < ARRAY_LEN(valid_idnum); i++) {
		for (int pos = 0; pos < 17; pos++) {
			char c[19];

			memcpy(c, valid_idnum[i], sizeof(c));
			c[pos] = (char)('0' + (c[pos] - '0' + 1) % 10);
			/* The check digit is tested before the date, so a mistyped date digit
			 * reads as a check failure too. */
			assert_int_equal(idnum(c), XY_CODE_CHECK);
			/* Adjacent transposition within the first 17 digits. */
			if (pos == 16 || valid_idnum[i][pos] == valid_idnum[i][pos + 1])
				continue;
			memcpy(c, valid_idnum[i], sizeof(c));
			c[pos] = valid_idnum[i][pos + 1];
			c[pos + 1] = valid_idnum[i][pos];
			assert_int_equal(idnum(c), XY_CODE_CHECK);
		}
	}
}

static void test_col2_idnum_rejects_bad_characters(void **state)
{
	(void)state;
	assert_int_equal(idnum("11010519491231002x"), XY_CODE_LOWERCASE);
	assert_int_equal(idnum("1101051949123100X2"), XY_CODE_CHARSET); /* X not last */
	assert_int_equal(idnum("11010519491231002A"), XY_CODE_CHARSET);
	assert_int_equal(idnum("A10105194912310020"), XY_CODE_CHARSET);
	assert_int_equal(idnum("110105 94912310020"), XY_CODE_CHARSET);
	assert_int_equal(idnum("110105-1949123100X"), XY_CODE_CHARSET);
	assert_int_equal(idnum("１１０１０５１９４９１２３１００２Ｘ"), XY_CODE_FULLWIDTH);
	assert_int_equal(idnum("11010519491231002Ｘ"), XY_CODE_FULLWIDTH);
	assert_int_equal(idnum("11010519491231002x "), XY_CODE_LOWERCASE);
	assert_int_equal(xy_idnum_check_char("1101051949123100X"), 0);
}

static void test_col2_idnum_rejects_wrong_length(void **state)
{
	(void)state;
	assert_int_equal(idnum(""), XY_CODE_EMPTY);
	assert_int_equal(xy_idnum_check(NULL, 0, TODAY), XY_CODE_EMPTY);
	assert_int_equal(idnum("11010519491231002"), XY_CODE_LENGTH);	/* 17 */
	assert_int_equal(idnum("11010519491231002X0"), XY_CODE_LENGTH); /* 19 */
	assert_int_equal(idnum("110105491231002"), XY_CODE_LENGTH);	/* 15, first generation */
	assert_int_equal(idnum(" 11010519491231002X"), XY_CODE_LENGTH);
	assert_int_equal(idnum("11010519491231002X "), XY_CODE_LENGTH);
}

static void test_col2_regno_accepts_valid_numbers(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_regno); i++) {
		assert_int_equal(regno(valid_regno[i]), XY_CODE_OK);
		assert_int_equal(xy_regno_check_char(valid_regno[i]), valid_regno[i][14]);
	}
}

static void test_col2_regno_rejects_bad_numbers(void **state)
{
	(void)state;
	assert_int_equal(regno("110108000000017"), XY_CODE_CHECK);
	for (size_t i = 0; i < ARRAY_LEN(valid_regno); i++) {
		for (int pos = 0; pos < 15; pos++) {
			char c[16];

			memcpy(c, valid_regno[i], sizeof(c));
			c[pos] = (char)('0' + (c[pos] - '0' + 7) % 10);
			assert_int_equal(regno(c), XY_CODE_CHECK);
		}
	}
	assert_int_equal(regno("11010800000001"), XY_CODE_LENGTH);
	assert_int_equal(regno("1101080000000160"), XY_CODE_LENGTH);
	assert_int_equal(regno("11010800000001A"), XY_CODE_CHARSET);
	assert_int_equal(regno("110108 00000016"), XY_CODE_CHARSET);
	assert_int_equal(regno("11010800000001a"), XY_CODE_LOWERCASE);
	assert_int_equal(regno("１10108000000016"), XY_CODE_FULLWIDTH);
	assert_int_equal(regno(""), XY_CODE_EMPTY);
	assert_int_equal(xy_regno_check_char("1101080000000A"), 0);
}

/* EMPTY, FULLWIDTH, LOWERCASE, LENGTH, CHARSET, then the checks. */
static void test_col2_status_precedence(void **state)
{
	(void)state;
	assert_int_equal(uscc("９a"), XY_CODE_FULLWIDTH);
	assert_int_equal(uscc("a"), XY_CODE_LOWERCASE);
	assert_int_equal(uscc("I"), XY_CODE_LENGTH);
	assert_int_equal(uscc("I1350100M000100Y44"), XY_CODE_CHARSET);
	assert_int_equal(idnum("x"), XY_CODE_LOWERCASE);
	assert_int_equal(idnum("A1010519491231002X"), XY_CODE_CHARSET);
	assert_int_equal(idnum("110105202913310020"), XY_CODE_CHECK); /* bad date, bad check */
	assert_int_equal(regno("ab"), XY_CODE_LOWERCASE);
}

static void test_col2_status_texts(void **state)
{
	(void)state;
	assert_string_equal(xy_code_status_zh(XY_CODE_CHECK), "校验位错误");
	assert_string_equal(xy_code_status_en(XY_CODE_CHECK), "wrong check character");
	for (int a = XY_CODE_OK; a <= XY_CODE_BIRTHDATE; a++) {
		assert_non_null(xy_code_status_zh(a));
		assert_true(strlen(xy_code_status_en(a)) > 0);
		assert_true(strlen(xy_code_status_zh(a)) > 0);
		for (int b = XY_CODE_OK; b < a; b++) {
			assert_string_not_equal(xy_code_status_zh(a), xy_code_status_zh(b));
			assert_string_not_equal(xy_code_status_en(a), xy_code_status_en(b));
		}
	}
	assert_non_null(xy_code_status_zh((enum xy_code_status)99));
	assert_non_null(xy_code_status_en((enum xy_code_status) - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_col2_uscc_accepts_valid_codes),
		cmocka_unit_test(test_col2_uscc_rejects_wrong_check_char),
		cmocka_unit_test(test_col2_uscc_detects_single_substitution),
		cmocka_unit_test(test_col2_uscc_detects_adjacent_transposition),
		cmocka_unit_test(test_col2_uscc_rejects_forbidden_letters),
		cmocka_unit_test(test_col2_uscc_area_code_must_be_digits),
		cmocka_unit_test(test_col2_uscc_rejects_wrong_length),
		cmocka_unit_test(test_col2_uscc_rejects_lower_case),
		cmocka_unit_test(test_col2_uscc_rejects_full_width),
		cmocka_unit_test(test_col2_uscc_rejects_spaces_and_controls),
		cmocka_unit_test(test_col2_uscc_rejects_empty),
		cmocka_unit_test(test_col2_uscc_org_check_failure),
		cmocka_unit_test(test_col2_uscc_reads_only_n_bytes),
		cmocka_unit_test(test_col2_uscc_check_char_rejects_outside_charset),
		cmocka_unit_test(test_col2_orgcode_accepts_valid_codes),
		cmocka_unit_test(test_col2_orgcode_rejects_bad_codes),
		cmocka_unit_test(test_col2_idnum_accepts_valid_numbers),
		cmocka_unit_test(test_col2_idnum_accepts_leap_day),
		cmocka_unit_test(test_col2_idnum_rejects_feb29_in_common_year),
		cmocka_unit_test(test_col2_idnum_rejects_impossible_dates),
		cmocka_unit_test(test_col2_idnum_rejects_future_birth_date),
		cmocka_unit_test(test_col2_idnum_rejects_wrong_check_digit),
		cmocka_unit_test(test_col2_idnum_rejects_bad_characters),
		cmocka_unit_test(test_col2_idnum_rejects_wrong_length),
		cmocka_unit_test(test_col2_regno_accepts_valid_numbers),
		cmocka_unit_test(test_col2_regno_rejects_bad_numbers),
		cmocka_unit_test(test_col2_status_precedence),
		cmocka_unit_test(test_col2_status_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
