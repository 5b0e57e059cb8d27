/* Check-character validators (COL-2).  Algorithms from the standards:
 *   GB 32100-2015 — charset of 31 symbols, weights 3^(i-1) mod 31, MOD 31 check;
 *   GB 11714-1997 — weights 3 7 9 10 5 8 4 2, MOD 11 check, 10 -> X, 11 -> 0;
 *   GB 11643-1999 — ISO 7064 MOD 11-2, weights 2^(18-i) mod 11;
 *   工商注册号 (GS15-2006) — ISO 7064 MOD 11,10 hybrid system.
 * Character classes are tested by explicit ranges, never <ctype.h>, so the result cannot
 * depend on the locale. */
#include "core/codes.h"

#include <stdbool.h>

/* GB 32100-2015 table: 0-9 A-Z without I O S V Z; the index is the character's value. */
static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
#define USCC_MOD 31

static const unsigned char uscc_weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};
static const unsigned char org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
static const unsigned char id_weights[17] = {
	7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
};
/* GB 11643: the check digit for a weighted sum s is id_check_of[s mod 11]. */
static const char id_check_of[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Value of c in the USCC charset, or -1: a table, since every imported row
 * checks several codes.  Digits 0-9; then A..Y without I, O, S, V, Z. */
static const signed char uscc_values[128] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,	['6'] = 7,
	['7'] = 8,  ['8'] = 9,	['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14,
	['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18, ['J'] = 19, ['K'] = 20, ['L'] = 21,
	['M'] = 22, ['N'] = 23, ['P'] = 24, ['Q'] = 25, ['R'] = 26, ['T'] = 27, ['U'] = 28,
	['W'] = 29, ['X'] = 30, ['Y'] = 31,
}; /* value + 1; 0 means not in the charset */

static int uscc_value(char c)
{
	unsigned char u = (unsigned char)c;
	return u < 128 ? uscc_values[u] - 1 : -1;
}

/* GB 11714 value: 0-9, A=10 ... Z=35, or -1. */
static int org_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (is_upper(c))
		return c - 'A' + 10;
	return -1;
}

/* The rules shared by every code, in the documented precedence: EMPTY, FULLWIDTH,
 * LOWERCASE, LENGTH.  Non-ASCII wins over length because a full-width digit is three
 * UTF-8 bytes, and "full-width" is the reason a person can act on. */
static enum xy_code_status check_surface(const char *s, size_t n, size_t want)
{
	bool lower = false;

	if (s == NULL || n == 0)
		return XY_CODE_EMPTY;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return XY_CODE_FULLWIDTH;
		if (s[i] >= 'a' && s[i] <= 'z')
			lower = true;
	}
	if (lower)
		return XY_CODE_LOWERCASE;
	return n == want ? XY_CODE_OK : XY_CODE_LENGTH;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static int digits_value(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

char xy_uscc_check_char(const char first17[17])
{
	unsigned sum = 0;

	for (int i = 0; i < 17; i++) {
		int v = uscc_value(first17[i]);

		if (v < 0)
			return 0;
		sum += (unsigned)v * uscc_weights[i];
	}
	return uscc_charset[(USCC_MOD - sum % USCC_MOD) % USCC_MOD];
}

char xy_orgcode_check_char(const char first8[8])
{
	unsigned sum = 0;
	unsigned c;

	for (int i = 0; i < 8; i++) {
		int v = org_value(first8[i]);

		if (v < 0)
			return 0;
		sum += (unsigned)v * org_weights[i];
	}
	c = 11 - sum % 11;
	if (c == 10)
		return 'X';
	return (char)('0' + c % 11);
}

char xy_idnum_check_char(const char first17[17])
{
	unsigned sum = 0;

	for (int i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return 0;
		sum += (unsigned)(first17[i] - '0') * id_weights[i];
	}
	return id_check_of[sum % 11];
}

/* ISO 7064 MOD 11,10: p starts at 10; each digit d gives s = (d + p) mod 10, read as 10 when
 * 0, and p = 2s mod 11.  The check digit c makes (c + p) mod 10 == 1. */
char xy_regno_check_char(const char first14[14])
{
	unsigned p = 10;

	for (int i = 0; i < 14; i++) {
		unsigned s;

		if (!is_digit(first14[i]))
			return 0;
		s = ((unsigned)(first14[i] - '0') + p) % 10;
		if (s == 0)
			s = 10;
		p = s * 2 % 11;
	}
	return (char)('0' + (11 - p) % 10);
}

/* USCC positions: 1 登记管理部门码 and 2 机构类别码 from the charset, 3-8 行政区划码 digits,
 * 9-17 主体标识码 and 18 the check from the charset. */
static bool uscc_charset_ok(const char *s)
{
	for (int i = 0; i < XY_USCC_LEN; i++) {
		bool ok = (i >= 2 && i < 8) ? is_digit(s[i]) : uscc_value(s[i]) >= 0;

		if (!ok)
			return false;
	}
	return true;
}

enum xy_code_status xy_uscc_check(const char *s, size_t n)
{
	enum xy_code_status st = check_surface(s, n, XY_USCC_LEN);

	if (st != XY_CODE_OK)
		return st;
	if (!uscc_charset_ok(s))
		return XY_CODE_CHARSET;
	if (xy_uscc_check_char(s) != s[17])
		return XY_CODE_CHECK;
	/* Some genuine pre-2016 codes fail this one: callers may treat it as a warning. */
	if (xy_orgcode_check_char(s + 8) != s[16])
		return XY_CODE_ORG_CHECK;
	return XY_CODE_OK;
}

enum xy_code_status xy_orgcode_check(const char *s, size_t n)
{
	enum xy_code_status st = check_surface(s, n, XY_ORGCODE_LEN);

	if (st != XY_CODE_OK)
		return st;
	for (int i = 0; i < 8; i++)
		if (org_value(s[i]) < 0)
			return XY_CODE_CHARSET;
	if (!is_digit(s[8]) && s[8] != 'X')
		return XY_CODE_CHARSET;
	return xy_orgcode_check_char(s) == s[8] ? XY_CODE_OK : XY_CODE_CHECK;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* ymd holds 8 digits YYYYMMDD. */
static bool birth_date_ok(const char *ymd, int today)
{
	static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = digits_value(ymd, 4);
	int m = digits_value(ymd + 4, 2);
	int d = digits_value(ymd + 6, 2);
	int last;
	int date = digits_value(ymd, 8);

	if (m < 1 || m > 12 || d < 1)
		return false;
	last = mdays[m - 1] + (m == 2 && is_leap(y));
	if (d > last)
		return false;
	return date >= XY_IDNUM_BIRTH_MIN && date <= today;
}

enum xy_code_status xy_idnum_check(const char *s, size_t n, int today)
{
	enum xy_code_status st = check_surface(s, n, XY_IDNUM_LEN);

	if (st != XY_CODE_OK)
		return st;
	if (!all_digits(s, 17) || (!is_digit(s[17]) && s[17] != 'X'))
		return XY_CODE_CHARSET;
	if (xy_idnum_check_char(s) != s[17])
		return XY_CODE_CHECK;
	if (!birth_date_ok(s + 6, today))
		return XY_CODE_BIRTHDATE;
	return XY_CODE_OK;
}

enum xy_code_status xy_regno_check(const char *s, size_t n)
{
	enum xy_code_status st = check_surface(s, n, XY_REGNO_LEN);

	if (st != XY_CODE_OK)
		return st;
	if (!all_digits(s, XY_REGNO_LEN))
		return XY_CODE_CHARSET;
	return xy_regno_check_char(s) == s[14] ? XY_CODE_OK : XY_CODE_CHECK;
}

struct status_text {
	const char *zh;
	const char *en;
};

static const struct status_text status_texts[] = {
	[XY_CODE_OK] = {"正确", "valid"},
	[XY_CODE_EMPTY] = {"为空", "empty"},
	[XY_CODE_LENGTH] = {"长度错误", "wrong length"},
	[XY_CODE_FULLWIDTH] = {"含全角或非ASCII字符",
			       "contains full-width or non-ASCII characters"},
	[XY_CODE_LOWERCASE] = {"含小写字母", "contains lower-case letters"},
	[XY_CODE_CHARSET] = {"含不允许的字符", "contains a character not allowed at its position"},
	[XY_CODE_CHECK] = {"校验位错误", "wrong check character"},
	[XY_CODE_ORG_CHECK] = {"组织机构代码校验位错误", "wrong organisation code check character"},
	[XY_CODE_BIRTHDATE] = {"出生日期无效", "invalid birth date"},
};

static const struct status_text *status_text(enum xy_code_status st)
{
	static const struct status_text unknown = {"未知错误", "unknown error"};
	size_t i = (size_t)st;

	if (i >= sizeof(status_texts) / sizeof(status_texts[0]) || status_texts[i].zh == NULL)
		return &unknown;
	return &status_texts[i];
}

const char *xy_code_status_zh(enum xy_code_status st)
{
	return status_text(st)->zh;
}

const char *xy_code_status_en(enum xy_code_status st)
{
	return status_text(st)->en;
}
