/* ACC-4: the password policy (core/passpol.h).  The history rule needs stored
 * hashes and is tested with svc/account; everything else is here.  Each case
 * checks the rule name, because it is what the user is told (through
 * xy_pwpolicy_explain) and what the audit trail records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/passpol.h"
#include "util/err.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define ACCOUNT "zhangwei"

/* Random-looking passwords that meet every rule for ACCOUNT. */
static const char *const good[] = {
	"Kx9#vQm2Tp!r",				 /* exactly 12 */
	"tR4$wz8Lq@eN",	     "gr7#kq9!mz2@",	 /* three classes without upper case */
	"Vq8mTz3pLx6w",				 /* three classes without symbols */
	"HJ7#KQ9!MZ2@",				 /* three classes without lower case */
	"uY3 vN8 oP2 e",			 /* spaces are symbols */
	"Zeb7-Qorn-Flux-92", "中文密码Ab3xYz9q", /* 12 characters, 20 bytes */
	"Mj5!九江濂溪x7Wq",  "Aa1!😀😀😀😀😀😀😀😀",	 /* four-byte characters count once */
};

/* The rule broken, or NULL when the password is accepted. */
static const char *rule_of(const struct xy_pwpolicy *p, const char *pw, size_t n,
			   const char *account)
{
	const char *rule = "not set";
	int rc = xy_pwpolicy_check(p, pw, n, account, &rule);

	if (rc == 0) {
		if (rule) {
			print_message("\"%s\": accepted but rule = %s\n", pw, rule);
			return "rule set on success";
		}
		return NULL;
	}
	if (rc != XY_EINVAL)
		return "not XY_EINVAL";
	return rule ? rule : "rule NULL on failure";
}

/* 0 when pw (n bytes) gets `want` (NULL: accepted) from the default policy. */
static int expect_n(const char *pw, size_t n, const char *account, const char *want)
{
	struct xy_pwpolicy p;
	const char *got;

	xy_pwpolicy_default(&p);
	got = rule_of(&p, pw, n, account);
	if (got == want || (got && want && !strcmp(got, want)))
		return 0;
	print_message("\"%.*s\" (%zu bytes, account %s): got %s, expected %s\n", (int)n, pw, n,
		      account ? account : "null", got ? got : "accepted", want ? want : "accepted");
	return 1;
}

static int expect(const char *pw, const char *account, const char *want)
{
	return expect_n(pw, strlen(pw), account, want);
}

static void test_acc4_defaults_12_3_5_90(void **state)
{
	struct xy_pwpolicy p;

	(void)state;
	memset(&p, 0xff, sizeof p);
	xy_pwpolicy_default(&p);
	assert_int_equal(p.min_length, 12);
	assert_int_equal(p.min_classes, 3);
	assert_int_equal(p.history, 5);
	assert_int_equal(p.max_age_days, 90);
}

static void test_acc4_good_passwords_accepted(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		bad += expect(good[i], ACCOUNT, NULL);
		bad += expect(good[i], NULL, NULL);
	}
	assert_int_equal(bad, 0);
}

static void test_acc4_min_length_12(void **state)
{
	int bad = 0;

	(void)state;
	bad += expect("Kx9#vQm2Tp!", ACCOUNT, "min_length"); /* 11 */
	bad += expect("Kx9#vQm2Tp!r", ACCOUNT, NULL);	     /* 12 */
	bad += expect("Kx9#vQm2Tp!rW", ACCOUNT, NULL);	     /* 13 */
	bad += expect("Kx9#", ACCOUNT, "min_length");
	bad += expect("", ACCOUNT, "min_length");
	/* too short is reported before the other rules it also breaks */
	bad += expect("zhangwei", ACCOUNT, "min_length");
	bad += expect("P@ssw0rd1!", ACCOUNT, "min_length");
	assert_int_equal(bad, 0);
}

/* Length is counted in characters (code points), not bytes. */
static void test_acc4_length_counted_in_characters(void **state)
{
	int bad = 0;

	(void)state;
	bad += expect("中文密码Ab3xYz9", ACCOUNT, "min_length");   /* 11 characters, 19 bytes */
	bad += expect("中文密码Ab3xYz9q", ACCOUNT, NULL);	   /* 12 characters */
	bad += expect("信用中国九江Ab3!x", ACCOUNT, "min_length"); /* 11 characters, 23 bytes */
	bad += expect("信用中国九江Ab3!xQ", ACCOUNT, NULL);
	bad += expect("Aa1!😀😀😀😀😀😀😀", ACCOUNT, "min_length"); /* 11 characters, 32 bytes */
	/* Chinese characters are one class ("other"): twelve of them alone are too few classes */
	bad += expect("信用中国九江濂溪浔阳柴桑", ACCOUNT, "character_classes");
	bad += expect("信用中国九江濂溪浔阳柴桑A1", ACCOUNT, NULL);
	assert_int_equal(bad, 0);
}

static void test_acc4_character_classes(void **state)
{
	static const char *const two[] = {
		"kxqvmzptrwhn" /* one */, "KXQVMZPTRWHN", "Rtqvmzpkxwhn",
		"rtqv9zpk3whn",		  "rtqv#zpk!whn", "RTQV9ZPK3WHN",
		"RTQV#ZPK!WHN",		  "8264#9173!50", "中文密码中文密码abcd",
	};
	struct xy_pwpolicy p;
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(two); i++)
		bad += expect(two[i], ACCOUNT, "character_classes");
	/* min_classes 4: all four needed */
	xy_pwpolicy_default(&p);
	p.min_classes = 4;
	assert_string_equal(rule_of(&p, "gr7#kq9!mz2@", 12, ACCOUNT), "character_classes");
	assert_null(rule_of(&p, "gR7#kq9!mz2@", 12, ACCOUNT));
	assert_int_equal(bad, 0);
}

static void test_acc4_min_length_configurable(void **state)
{
	struct xy_pwpolicy p;

	(void)state;
	xy_pwpolicy_default(&p);
	p.min_length = 16;
	assert_string_equal(rule_of(&p, "Kx9#vQm2Tp!rW7a", 15, ACCOUNT), "min_length");
	assert_null(rule_of(&p, "Kx9#vQm2Tp!rW7aZ", 16, ACCOUNT));
}

static void test_acc4_contains_account_name(void **state)
{
	int bad = 0;

	(void)state;
	bad += expect("Q7#zhangwei-x9", ACCOUNT, "contains_account_name");
	bad += expect("Q7#ZhangWei-x9", ACCOUNT, "contains_account_name");
	bad += expect("Q7#ZHANGWEI-x9", ACCOUNT, "contains_account_name");
	bad += expect("Q7#zhangwei-x9", "ZhangWei", "contains_account_name");
	bad += expect("ZhangWei#2024x", ACCOUNT, "contains_account_name"); /* at the start */
	bad += expect("#2024xZhangWei", ACCOUNT, "contains_account_name"); /* at the end */
	bad += expect("Q7#zhangwe1-x9", ACCOUNT, NULL);			   /* not quite the name */
	/* three letters are checked */
	bad += expect("Kx9#WEIvQm2T", "wei", "contains_account_name");
	/* a two-letter name is not checked: it would refuse too much */
	bad += expect("Li#Kx9vQm2Tp", "li", NULL);
	bad += expect("Kx9#vQm2Tp!r", "", NULL);
	/* an account name longer than the password */
	bad += expect("Kx9#vQm2Tp!r", "Kx9#vQm2Tp!rXYZ", NULL);
	/* reported before common_password */
	bad += expect("Qwerty123456!", "qwerty", "contains_account_name");
	assert_int_equal(bad, 0);
}

/* What the guessing lists try first, dressed up to pass the other rules:
 * capitals, look-alike digits, years and symbols at either end. */
static void test_acc4_common_passwords_refused(void **state)
{
	static const char *const common[] = {
		"P@ssw0rd2024!", "Passw0rd!2024",  "!!Password123", "Qwerty123456!",
		"QWERTY123456!", "Adm1n1strator!", "Welc0me@2024",  "Woaini1314!!",
		"Iloveyou520!",	 "Zhongguo@2024",  "Xinyong@2024!", "2024@Xinyong!",
		"QAZwsx!@#123",	 "Qweasdzxc123!",  "Changeme2024!", "Jiujiang@2024",
		"1234Abcdefgh!", "Letm3in!2024",   "Huawei@123456", "Guanliyuan@123",
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(common); i++)
		bad += expect(common[i], ACCOUNT, "common_password");
	assert_int_equal(bad, 0);
}

/* One letter repeated, or a straight run of letters, between digits and symbols. */
static void test_acc4_repeats_and_runs_refused(void **state)
{
	int bad = 0;

	(void)state;
	bad += expect("Aaaaaaaaaaa1!", ACCOUNT, "common_password");
	bad += expect("1!AAAAAAAAAAa", ACCOUNT, "common_password");
	bad += expect("Abcdefghijk1!", ACCOUNT, "common_password");
	bad += expect("123!Mnopqrstu", ACCOUNT, "common_password");
	assert_int_equal(bad, 0);
}

/* The list names "1qaz2wsx", "1q2w3e4r" and "1q2w3e": keyboard walks that begin
 * with a digit.  Decorated to pass the class rule, they must still be refused. */
static void test_acc4_common_keyboard_walks_with_leading_digit(void **state)
{
	static const char *const walks[] = {
		"1qaz2wsx!QAZ",
		"1Qaz2wsx#2024",
		"1q2w3e4R!@#$",
		"1Q2w3e!@#$%^",
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(walks); i++)
		bad += expect(walks[i], ACCOUNT, "common_password");
	assert_int_equal(bad, 0);
}

/* Digits and symbols only: with the default policy (and any policy within its
 * bounds of 3..4 classes) the class rule already refuses them; the common rule
 * refuses them too when it is reached. */
static void test_acc4_digits_and_symbols_only(void **state)
{
	static const char *const ds[] = {"12345678!@#$", "2024-11-21#09", "!@#$%^&*()_+1",
					 "13800138000.."};
	struct xy_pwpolicy p;
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ds); i++)
		bad += expect(ds[i], ACCOUNT, "character_classes");
	xy_pwpolicy_default(&p);
	p.min_classes = 2; /* below the bounds, only to reach the rule behind */
	for (size_t i = 0; i < ARRAY_LEN(ds); i++)
		assert_string_equal(rule_of(&p, ds[i], strlen(ds[i]), ACCOUNT), "common_password");
	assert_int_equal(bad, 0);
}

static void test_acc4_control_characters_refused(void **state)
{
	static const char *const ctl[] = {"\t", "\n", "\r", "\x1b", "\x7f", "\x01", "\x1f"};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ctl); i++) {
		char pw[32];
		size_t n = 0;

		/* at the start, in the middle and at the end of a good password */
		for (int at = 0; at < 3; at++) {
			const char *g = "Kx9#vQm2Tp!r";
			size_t glen = strlen(g), cut = at == 0 ? 0 : at == 1 ? 6 : glen;

			memcpy(pw, g, cut);
			pw[cut] = ctl[i][0];
			memcpy(pw + cut + 1, g + cut, glen - cut);
			n = glen + 1;
			bad += expect_n(pw, n, ACCOUNT, "control_characters");
		}
	}
	/* a NUL inside the n bytes */
	bad += expect_n("Kx9#vQ\0m2Tp!r", 13, ACCOUNT, "control_characters");
	/* even when the password is also too short */
	bad += expect("a\tb", ACCOUNT, "control_characters");
	assert_int_equal(bad, 0);
}

static void test_acc4_invalid_utf8_refused(void **state)
{
	static const char *const bytes[] = {
		"\x80",		    /* a lone continuation byte */
		"\xff",		    /* never in UTF-8 */
		"\xc0\xaf",	    /* overlong "/" */
		"\xe0\x80\xaf",	    /* overlong, three bytes */
		"\xed\xa0\x80",	    /* a surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xe4\xb8",	    /* "中" cut short */
		"\xd6\xd0\xce\xc4", /* "中文" in GB18030 */
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bytes); i++) {
		char pw[64];
		size_t n = strlen(bytes[i]);

		memcpy(pw, "Kx9#vQm2Tp!r", 12);
		memcpy(pw + 12, bytes[i], n);
		bad += expect_n(pw, 12 + n, ACCOUNT, "invalid_utf8");
	}
	/* checked before control characters */
	bad += expect("Kx9#vQm2Tp!r\x01\xff", ACCOUNT, "invalid_utf8");
	assert_int_equal(bad, 0);
}

/* More than XY_PASSWORD_MAX (128) bytes is refused before anything else is
 * looked at, so a long input costs nothing and reveals nothing. */
static void test_acc4_max_length_checked_first(void **state)
{
	char pw[512];
	int bad = 0;

	(void)state;
	assert_int_equal(XY_PASSWORD_MAX, 128);
	/* a good password of exactly 128 bytes */
	for (size_t i = 0; i < 128; i++)
		pw[i] = "Kx9#vQm2Tp!rWz5$"[i % 16];
	bad += expect_n(pw, 128, ACCOUNT, NULL);
	bad += expect_n(pw, 129, ACCOUNT, "max_length");
	bad += expect_n(pw, sizeof pw, ACCOUNT, "max_length");
	/* 43 Chinese characters: 129 bytes */
	for (size_t i = 0; i < 43; i++)
		memcpy(pw + 3 * i, "中", 3);
	bad += expect_n(pw, 129, ACCOUNT, "max_length");
	/* broken every other way as well */
	memset(pw, 0, sizeof pw);
	bad += expect_n(pw, 129, ACCOUNT, "max_length"); /* control characters */
	memset(pw, 0xff, sizeof pw);
	bad += expect_n(pw, 129, ACCOUNT, "max_length"); /* invalid UTF-8 */
	memset(pw, 'a', sizeof pw);
	bad += expect_n(pw, 129, "aaa", "max_length"); /* one class, account name */
	assert_int_equal(bad, 0);
}

static void test_acc4_rule_cleared_on_success(void **state)
{
	struct xy_pwpolicy p;
	const char *rule = "min_length";

	(void)state;
	xy_pwpolicy_default(&p);
	assert_int_equal(xy_pwpolicy_check(&p, "Kx9#vQm2Tp!r", 12, ACCOUNT, &rule), 0);
	assert_null(rule);
	assert_int_equal(xy_pwpolicy_check(&p, "short", 5, ACCOUNT, &rule), XY_EINVAL);
	assert_string_equal(rule, "min_length");
}

/* Every rule the check can return (and the history rule of svc/account) has
 * its own sentence in Chinese and English; anything else the general one. */
static void test_acc4_explain_every_rule(void **state)
{
	static const char *const rules[] = {
		"min_length",	     "max_length",
		"character_classes", "contains_account_name",
		"common_password",   "control_characters",
		"invalid_utf8",	     "password_reused",
	};
	const char *general = xy_pwpolicy_explain("no_such_rule");

	(void)state;
	assert_non_null(general);
	assert_string_equal(xy_pwpolicy_explain(NULL), general);
	assert_string_equal(xy_pwpolicy_explain(""), general);
	for (size_t i = 0; i < ARRAY_LEN(rules); i++) {
		const char *t = xy_pwpolicy_explain(rules[i]);

		assert_non_null(t);
		assert_string_not_equal(t, general);
		assert_non_null(strstr(t, " / ")); /* Chinese / English */
		assert_true((unsigned char)t[0] >= 0x80);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(xy_pwpolicy_explain(rules[j]), t);
	}
	assert_non_null(strstr(xy_pwpolicy_explain("max_length"), "128"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acc4_defaults_12_3_5_90),
		cmocka_unit_test(test_acc4_good_passwords_accepted),
		cmocka_unit_test(test_acc4_min_length_12),
		cmocka_unit_test(test_acc4_length_counted_in_characters),
		cmocka_unit_test(test_acc4_character_classes),
		cmocka_unit_test(test_acc4_min_length_configurable),
		cmocka_unit_test(test_acc4_contains_account_name),
		cmocka_unit_test(test_acc4_common_passwords_refused),
		cmocka_unit_test(test_acc4_repeats_and_runs_refused),
		cmocka_unit_test(test_acc4_common_keyboard_walks_with_leading_digit),
		cmocka_unit_test(test_acc4_digits_and_symbols_only),
		cmocka_unit_test(test_acc4_control_characters_refused),
		cmocka_unit_test(test_acc4_invalid_utf8_refused),
		cmocka_unit_test(test_acc4_max_length_checked_first),
		cmocka_unit_test(test_acc4_rule_cleared_on_success),
		cmocka_unit_test(test_acc4_explain_every_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
