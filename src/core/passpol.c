/* Password policy: see passpol.h. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "core/passpol.h"
#include "util/err.h"
#include "util/utf8.h"

void xy_pwpolicy_default(struct xy_pwpolicy *p)
{
	p->min_length = 12;
	p->min_classes = 3;
	p->history = 5;
	p->max_age_days = 90;
}

/* Common passwords and their stems (lower case, after the normalisation in
 * common()): what guessing lists try first, in China and elsewhere. */
static const char *const common_list[] = {
	"password",   "passw0rd",      "pass",	    "passwd",
	"admin",      "administrator", "root",	    "toor",
	"qwerty",     "qwertyuiop",    "asdfgh",    "asdfghjkl",
	"zxcvbn",     "zxcvbnm",       "qazwsx",    "1qaz2wsx",
	"1q2w3e4r",   "1q2w3e",	       "qweasd",    "qweasdzxc",
	"abc",	      "abcd",	       "abcdef",    "abcdefg",
	"abcdefgh",   "abc123",	       "aaa",	    "aaaaaa",
	"iloveyou",   "woaini",	       "woaiwojia", "woainima",
	"aini",	      "wangyi",	       "welcome",   "letmein",
	"monkey",     "dragon",	       "master",    "sunshine",
	"princess",   "football",      "baseball",  "shadow",
	"superman",   "batman",	       "trustno",   "hello",
	"hellokitty", "china",	       "zhongguo",  "beijing",
	"shanghai",   "xinyong",       "credit",    "xinyongzhongguo",
	"changeme",   "default",       "secret",    "test",
	"testing",    "guest",	       "user",	    "login",
	"system",     "manager",       "server",    "database",
	"oracle",     "mysql",	       "postgres",  "sqlite",
	"linux",      "windows",       "computer",  "internet",
	"google",     "baidu",	       "tencent",   "alibaba",
	"huawei",     "xiaomi",	       "lenovo",    "qq",
	"wechat",     "weixin",	       "taobao",    "zhangsan",
	"lisi",	      "wangwu",	       "gov",	    "zhengfu",
	"jiujiang",   "jiangxi",       "p@ssword",  "summer",
	"winter",     "spring",	       "autumn",    "michael",
	"jennifer",   "jordan",	       "charlie",   "freedom",
	"whatever",   "starwars",      "pokemon",   "killer",
	"ninja",      "mustang",       "access",    "flower",
	"lovely",     "love",	       "loveme",    "fuckyou",
	"asdf",	      "zaq",	       "zaqxsw",    "xsw",
	"mima",	      "mimamima",      "yonghu",    "guanliyuan",
	"ceshi",      "tianya",	       "woshishui", "nihao",
	"wocao",      "caonima",       "aptx",	    "lianxiang",
};

static int is_symbol_or_digit(unsigned char c)
{
	return c < 0x80 && !isalpha(c);
}

static char unleet(char c)
{
	switch (c) {
	case '@':
	case '4':
		return 'a';
	case '0':
		return 'o';
	case '1':
	case '!':
		return 'i';
	case '3':
		return 'e';
	case '$':
	case '5':
		return 's';
	case '7':
		return 't';
	default:
		return c;
	}
}

/* 1 when the password is a common one: lower-cased, with digits and
 * symbols trimmed from both ends and look-alike digits read as letters,
 * what remains is on the list (or nothing remains). */
static int listed(const char *s)
{
	for (size_t i = 0; i < sizeof common_list / sizeof *common_list; i++)
		if (!strcmp(s, common_list[i]))
			return 1;
	return 0;
}

static int common(const char *pw, size_t n)
{
	char s[XY_PASSWORD_MAX + 1], raw[XY_PASSWORD_MAX + 1];
	size_t a = 0, b = n, k = 0, r = 0;

	while (a < b && is_symbol_or_digit((unsigned char)pw[a]))
		a++;
	while (b > a && is_symbol_or_digit((unsigned char)pw[b - 1]))
		b--;
	if (a == b)
		return 1; /* digits and symbols only: "12345678!@#" */
	for (size_t i = a; i < b && k < XY_PASSWORD_MAX; i++)
		s[k++] = unleet((char)tolower((unsigned char)pw[i]));
	s[k] = 0;
	/* Keyboard walks start with digits ("1qaz2wsx"): also the lower-cased
	 * text with only the tail trimmed, and its first half when it is the
	 * walk typed again with shift ("1qaz2wsx!QAZ"). */
	for (size_t i = 0; i < b && r < XY_PASSWORD_MAX; i++)
		raw[r++] = (char)tolower((unsigned char)pw[i]);
	raw[r] = 0;
	if (listed(s) || listed(raw))
		return 1;
	for (size_t cut = r; cut >= 6; cut--) {
		char c = raw[cut];
		int hit;
		raw[cut] = 0;
		hit = listed(raw);
		raw[cut] = c;
		if (hit)
			return 1;
	}
	/* One character repeated ("aaaaaaaaaaaa"), or a straight run. */
	{
		int same = 1, run = 1;
		for (size_t i = 1; i < k; i++) {
			same &= s[i] == s[0];
			run &= s[i] == s[i - 1] + 1;
		}
		if (k > 1 && (same || run))
			return 1;
	}
	return 0;
}

static int contains_ci(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m < 3 || m > n)
		return 0;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;
		while (j < m &&
		       tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == m)
			return 1;
	}
	return 0;
}

int xy_pwpolicy_check(const struct xy_pwpolicy *p, const char *pw, size_t n, const char *account,
		      const char **rule)
{
	int upper = 0, lower = 0, digit = 0, other = 0;
	size_t chars = 0;

	*rule = NULL;
	if (n > XY_PASSWORD_MAX) {
		*rule = "max_length";
		return XY_EINVAL;
	}
	if (!xy_utf8_valid(pw, n)) {
		*rule = "invalid_utf8";
		return XY_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if (c < 0x20 || c == 0x7f) {
			*rule = "control_characters";
			return XY_EINVAL;
		}
		if ((c & 0xc0) != 0x80)
			chars++;
		if (c >= 'A' && c <= 'Z')
			upper = 1;
		else if (c >= 'a' && c <= 'z')
			lower = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (chars < (size_t)p->min_length) {
		*rule = "min_length";
		return XY_EINVAL;
	}
	if (upper + lower + digit + other < p->min_classes) {
		*rule = "character_classes";
		return XY_EINVAL;
	}
	if (account && contains_ci(pw, n, account)) {
		*rule = "contains_account_name";
		return XY_EINVAL;
	}
	if (common(pw, n)) {
		*rule = "common_password";
		return XY_EINVAL;
	}
	return 0;
}

const char *xy_pwpolicy_explain(const char *rule)
{
	static const struct {
		const char *rule, *text;
	} t[] = {
		{"min_length", "密码太短 / the password is shorter than the minimum length"},
		{"max_length", "密码太长 / the password is longer than 128 bytes"},
		{"character_classes",
		 "密码须含大写字母、小写字母、数字、符号中的至少三类 / the password needs "
		 "at least three of: upper case, lower case, digits, symbols"},
		{"contains_account_name",
		 "密码不得包含账号名 / the password must not contain the account name"},
		{"common_password", "密码过于常见 / the password is a common one"},
		{"control_characters",
		 "密码不得含控制字符 / the password must not contain control characters"},
		{"invalid_utf8", "密码不是有效的 UTF-8 / the password is not valid UTF-8"},
		{"password_reused",
		 "不得使用最近用过的密码 / the password was one of the recent ones"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (rule && !strcmp(rule, t[i].rule))
			return t[i].text;
	return "密码不符合策略 / the password does not meet the policy";
}
