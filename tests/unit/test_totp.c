/* ACC-5: the TOTP second factor (src/crypto/totp.h): HOTP and TOTP codes, one use per code,
 * the tolerance window, base32 and the otpauth:// enrolment URI.
 *
 * The reference values come from outside this code: RFC 4226 Appendix D (HOTP), RFC 6238
 * Appendix B (TOTP, SHA-1 rows; the 8-digit values are cut to their 6 low digits, which is
 * what a 6-digit code is), RFC 4648 section 10 (base32), and the UTF-8 bytes of 张三 and
 * 信用中国 from the Unicode code charts (U+5F20 U+4E09, U+4FE1 U+7528 U+4E2D U+56FD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/totp.h"
#include "util/err.h"
#include "util/log.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The secret of both RFCs' test vectors: the ASCII bytes "12345678901234567890". */
static const uint8_t rfc_key[20] = "12345678901234567890";
#define RFC_KEY_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* The 6-digit code of step, as text. */
static void code_at(uint64_t step, char out[7])
{
	uint32_t c = 0;

	assert_int_equal(xy_hotp(rfc_key, sizeof rfc_key, step, &c), 0);
	assert_true(c < 1000000);
	snprintf(out, 7, "%06u", (unsigned)c);
}

static void test_acc5_hotp_rfc4226_vectors(void **state)
{
	/* RFC 4226 Appendix D, counts 0 to 9. */
	static const uint32_t want[10] = {755224, 287082, 359152, 969429, 338314,
					  254676, 287922, 162583, 399871, 520489};
	(void)state;
	for (uint64_t i = 0; i < ARRAY_LEN(want); i++) {
		uint32_t c = 0;
		assert_int_equal(xy_hotp(rfc_key, sizeof rfc_key, i, &c), 0);
		assert_int_equal(c, want[i]);
	}
}

static void test_acc5_totp_rfc6238_vectors(void **state)
{
	/* RFC 6238 Appendix B, SHA-1: time, 8-digit TOTP -> its 6 low digits. */
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
		{59, "287082"},		/* 94287082 */
		{1111111109, "081804"}, /* 07081804 */
		{1111111111, "050471"}, /* 14050471 */
		{1234567890, "005924"}, /* 89005924 */
		{2000000000, "279037"}, /* 69279037 */
		{20000000000, "353130"} /* 65353130: past 2038 and 32 bits */
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		uint64_t step = 0;
		uint32_t c = 0;
		assert_int_equal(
			xy_totp_check(rfc_key, sizeof rfc_key, v[i].t, v[i].code, 0, 0, &step), 0);
		assert_int_equal(step, (uint64_t)v[i].t / XY_TOTP_STEP);
		assert_int_equal(xy_hotp(rfc_key, sizeof rfc_key, step, &c), 0);
		assert_int_equal(c, (uint32_t)strtoul(v[i].code, NULL, 10));
		/* Every digit counts: any one-digit change is refused. */
		for (int k = 0; k < 6; k++) {
			char wrong[7];
			memcpy(wrong, v[i].code, sizeof wrong);
			wrong[k] = (char)('0' + (wrong[k] - '0' + 1) % 10);
			assert_int_equal(
				xy_totp_check(rfc_key, sizeof rfc_key, v[i].t, wrong, 0, 0, &step),
				XY_EDENIED);
		}
	}
}

static void test_acc5_totp_code_usable_once(void **state)
{
	const int64_t t = 1700000000;
	const uint64_t now = (uint64_t)t / XY_TOTP_STEP;
	uint64_t step = 0, last = 0;
	char c0[7], cprev[7], cnext[7];

	(void)state;
	code_at(now, c0);
	code_at(now - 1, cprev);
	code_at(now + 1, cnext);
	assert_int_equal(xy_totp_check(rfc_key, 20, t, c0, 1, last, &step), 0);
	assert_int_equal(step, now);
	last = step;
	/* The same code again, at once and later in the same step: refused. */
	step = 12345;
	assert_int_equal(xy_totp_check(rfc_key, 20, t, c0, 1, last, &step), XY_EDENIED);
	assert_int_equal(xy_totp_check(rfc_key, 20, t + 29 - t % 30, c0, 1, last, &step),
			 XY_EDENIED);
	assert_int_equal(step, 12345); /* untouched when refused */
	/* An older code still inside the window is refused too: it is not after last. */
	assert_int_equal(xy_totp_check(rfc_key, 20, t, cprev, 1, last, &step), XY_EDENIED);
	/* The next step's code is good once, then not again. */
	assert_int_equal(xy_totp_check(rfc_key, 20, t + 30, cnext, 1, last, &step), 0);
	assert_int_equal(step, now + 1);
	last = step;
	assert_int_equal(xy_totp_check(rfc_key, 20, t + 30, cnext, 1, last, &step), XY_EDENIED);
	/* After a code from the future (clock skew), the current one cannot follow. */
	assert_int_equal(xy_totp_check(rfc_key, 20, t, c0, 1, now + 1, &step), XY_EDENIED);
}

static void test_acc5_totp_window_edges(void **state)
{
	const int64_t t = 1700000015; /* the middle of a step */
	const uint64_t now = (uint64_t)t / XY_TOTP_STEP;
	uint64_t step = 0;
	char c[7];

	(void)state;
	for (int d = -3; d <= 3; d++) {
		code_at(now + (uint64_t)(int64_t)d, c);
		for (int w = 0; w <= 3; w++) {
			int want = (d < 0 ? -d : d) <= w ? 0 : XY_EDENIED;
			step = 0;
			assert_int_equal(xy_totp_check(rfc_key, 20, t, c, w, 0, &step), want);
			if (want == 0)
				assert_int_equal(step, now + (uint64_t)(int64_t)d);
		}
	}
	/* The step boundaries themselves: t = 30k is step k, t = 30k - 1 is step k - 1. */
	code_at(now, c);
	assert_int_equal(xy_totp_check(rfc_key, 20, (int64_t)now * 30, c, 0, 0, &step), 0);
	assert_int_equal(xy_totp_check(rfc_key, 20, (int64_t)now * 30 - 1, c, 0, 0, &step),
			 XY_EDENIED);
	assert_int_equal(xy_totp_check(rfc_key, 20, (int64_t)now * 30 + 29, c, 0, 0, &step), 0);
	/* Near the epoch the window is cut at step 0 (no negative steps) and still works. */
	code_at(1, c);
	assert_int_equal(xy_totp_check(rfc_key, 20, 5, c, 2, 0, &step), 0);
	assert_int_equal(step, 1);
	/* The largest window allowed, and one more. */
	code_at(now - XY_TOTP_WINDOW_MAX, c);
	assert_int_equal(xy_totp_check(rfc_key, 20, t, c, XY_TOTP_WINDOW_MAX, 0, &step), 0);
	assert_int_equal(xy_totp_check(rfc_key, 20, t, c, XY_TOTP_WINDOW_MAX + 1, 0, &step),
			 XY_EINVAL);
	assert_int_equal(xy_totp_check(rfc_key, 20, t, c, -1, 0, &step), XY_EINVAL);
}

static void test_acc5_totp_malformed_codes_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"12345",
		"1234567",
		"12345a",
		"a12345",
		" 123456",
		"123456 ",
		"12 456",
		"+12345",
		"-12345",
		"0x1234",
		"12345\n",
		"１２３４５６",					    /* full-width digits */
		"\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6", /* Arabic-Indic digits */
	};
	uint64_t step = 77;
	char good[7];

	(void)state;
	code_at(1700000000 / 30, good);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_int_equal(xy_totp_check(rfc_key, 20, 1700000000, bad[i], 1, 0, &step),
				 XY_EINVAL);
	assert_int_equal(xy_totp_check(rfc_key, 20, 1700000000, NULL, 1, 0, &step), XY_EINVAL);
	/* A good code with a trailing character is still malformed. */
	{
		char longer[8];
		memcpy(longer, good, 6);
		longer[6] = '0';
		longer[7] = '\0';
		assert_int_equal(xy_totp_check(rfc_key, 20, 1700000000, longer, 1, 0, &step),
				 XY_EINVAL);
	}
	assert_int_equal(step, 77);
	/* The other arguments. */
	assert_int_equal(xy_totp_check(rfc_key, 20, -1, good, 1, 0, &step), XY_EINVAL);
	assert_int_equal(xy_totp_check(rfc_key, 20, 1700000000, good, 1, 0, NULL), XY_EINVAL);
	assert_int_equal(xy_totp_check(NULL, 20, 1700000000, good, 1, 0, &step), XY_EINVAL);
	assert_int_equal(xy_totp_check(rfc_key, XY_TOTP_KEY_MIN - 1, 1700000000, good, 1, 0, &step),
			 XY_EINVAL);
	assert_int_equal(step, 77);
	assert_int_equal(xy_totp_check(rfc_key, 20, 1700000000, good, 1, 0, &step), 0);
}

static void test_acc5_hotp_key_length_bounds(void **state)
{
	uint8_t key[XY_TOTP_KEY_MAX + 1] = {0};
	uint32_t c = 0;

	(void)state;
	assert_int_equal(xy_hotp(key, XY_TOTP_KEY_MIN - 1, 0, &c), XY_EINVAL);
	assert_int_equal(xy_hotp(key, XY_TOTP_KEY_MIN, 0, &c), 0);
	assert_int_equal(xy_hotp(key, XY_TOTP_KEY_MAX, 0, &c), 0);
	assert_int_equal(xy_hotp(key, XY_TOTP_KEY_MAX + 1, 0, &c), XY_EINVAL);
	assert_int_equal(xy_hotp(NULL, 20, 0, &c), XY_EINVAL);
	assert_int_equal(xy_hotp(key, 20, 0, NULL), XY_EINVAL);
}

static void test_acc5_base32_rfc4648_vectors(void **state)
{
	/* RFC 4648 section 10, with the '=' padding left off. */
	static const char *const want[] = {"",	      "MY",	  "MZXQ",      "MZXW6",
					   "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
	char out[64];

	(void)state;
	for (size_t n = 0; n < ARRAY_LEN(want); n++) {
		assert_int_equal(xy_base32_encode((const uint8_t *)"foobar", n, out, sizeof out),
				 0);
		assert_string_equal(out, want[n]);
		assert_int_equal(strlen(out), XY_BASE32_LEN(n));
	}
	assert_int_equal(xy_base32_encode(rfc_key, sizeof rfc_key, out, sizeof out), 0);
	assert_string_equal(out, RFC_KEY_B32);
	/* Every bit position reaches the output: 0xff.. and 0x00.. patterns. */
	{
		const uint8_t ff[5] = {0xff, 0xff, 0xff, 0xff, 0xff}, one[1] = {0x01};
		assert_int_equal(xy_base32_encode(ff, 5, out, sizeof out), 0);
		assert_string_equal(out, "77777777");
		assert_int_equal(xy_base32_encode(one, 1, out, sizeof out), 0);
		assert_string_equal(out, "AE");
	}
	/* The capacity: exactly enough, one short. */
	assert_int_equal(xy_base32_encode(rfc_key, 20, out, XY_BASE32_LEN(20) + 1), 0);
	assert_int_equal(xy_base32_encode(rfc_key, 20, out, XY_BASE32_LEN(20)), XY_ELIMIT);
	assert_int_equal(xy_base32_encode(rfc_key, 20, NULL, 64), XY_EINVAL);
}

static void test_acc5_totp_uri_percent_encodes_chinese(void **state)
{
	char out[512];

	(void)state;
	/* 张三 = U+5F20 U+4E09 = E5 BC A0, E4 B8 89. */
	assert_int_equal(xy_totp_uri("Xinyong", "张三", RFC_KEY_B32, out, sizeof out), 0);
	assert_string_equal(out, "otpauth://totp/Xinyong:%E5%BC%A0%E4%B8%89?secret=" RFC_KEY_B32
				 "&issuer=Xinyong&algorithm=SHA1&digits=6&period=30");
	/* A Chinese issuer is encoded in the label and in the parameter alike. */
	assert_int_equal(xy_totp_uri("信用中国", "zhang.san", RFC_KEY_B32, out, sizeof out), 0);
	assert_string_equal(out,
			    "otpauth://totp/%E4%BF%A1%E7%94%A8%E4%B8%AD%E5%9B%BD:zhang.san"
			    "?secret=" RFC_KEY_B32 "&issuer=%E4%BF%A1%E7%94%A8%E4%B8%AD%E5%9B%BD"
			    "&algorithm=SHA1&digits=6&period=30");
	/* Reserved and other characters: only A-Z a-z 0-9 - . _ ~ stay as they are. */
	assert_int_equal(xy_totp_uri("X Y&Z", "a b+c=d@e/f?g#h%~_-.", RFC_KEY_B32, out, sizeof out),
			 0);
	assert_string_equal(out, "otpauth://totp/X%20Y%26Z:a%20b%2Bc%3Dd%40e%2Ff%3Fg%23h%25~_-."
				 "?secret=" RFC_KEY_B32
				 "&issuer=X%20Y%26Z&algorithm=SHA1&digits=6&period=30");
}

static void test_acc5_totp_uri_refusals(void **state)
{
	char big[XY_TOTP_LABEL_MAX + 2], out[512];
	size_t need;

	(void)state;
	assert_int_equal(xy_totp_uri("Xinyong", "a:b", RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("X:y", "ab", RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("", "ab", RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("Xinyong", "", RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("Xinyong", "a\nb", RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("Xinyong", "\xe5\xbc", RFC_KEY_B32, out, sizeof out),
			 XY_EENCODING); /* 张 cut short */
	assert_int_equal(xy_totp_uri("Xinyong", "\xc0\xaf", RFC_KEY_B32, out, sizeof out),
			 XY_EENCODING); /* overlong '/' */
	assert_int_equal(xy_totp_uri(NULL, "ab", RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	/* The secret: upper-case base32 only, no padding, at least 128 bits. */
	assert_int_equal(xy_totp_uri("X", "a", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq", out, sizeof out),
			 XY_EINVAL);
	assert_int_equal(xy_totp_uri("X", "a", RFC_KEY_B32 "====", out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("X", "a", "GEZDGNBVGY3TQOJQ", out, sizeof out), XY_EINVAL);
	assert_int_equal(xy_totp_uri("X", "a", "GEZDGNBVGY3TQOJQGEZDGNBVG&", out, sizeof out),
			 XY_EINVAL);
	/* The label limit. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(xy_totp_uri("X", big, RFC_KEY_B32, out, sizeof out), XY_EINVAL);
	big[XY_TOTP_LABEL_MAX] = '\0';
	assert_int_equal(xy_totp_uri("X", big, RFC_KEY_B32, out, sizeof out), 0);
	/* The output buffer: exactly enough, then one short (wiped, not half-written). */
	assert_int_equal(xy_totp_uri("Xinyong", "张三", RFC_KEY_B32, out, sizeof out), 0);
	need = strlen(out) + 1;
	assert_int_equal(xy_totp_uri("Xinyong", "张三", RFC_KEY_B32, out, need), 0);
	assert_int_equal(xy_totp_uri("Xinyong", "张三", RFC_KEY_B32, out, need - 1), XY_ELIMIT);
	for (size_t i = 0; i < need - 1; i++)
		assert_int_equal(out[i], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acc5_hotp_rfc4226_vectors),
		cmocka_unit_test(test_acc5_totp_rfc6238_vectors),
		cmocka_unit_test(test_acc5_totp_code_usable_once),
		cmocka_unit_test(test_acc5_totp_window_edges),
		cmocka_unit_test(test_acc5_totp_malformed_codes_refused),
		cmocka_unit_test(test_acc5_hotp_key_length_bounds),
		cmocka_unit_test(test_acc5_base32_rfc4648_vectors),
		cmocka_unit_test(test_acc5_totp_uri_percent_encodes_chinese),
		cmocka_unit_test(test_acc5_totp_uri_refusals),
	};

	xy_log_set_level((enum xy_log_level)(XY_LOG_ERROR + 1));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
