/* Check-character validators for the identifiers that records carry (COL-2):
 * the unified social credit code (GB 32100-2015) with the organisation code
 * inside it (GB 11714), the citizen identity number (GB 11643-1999) and the
 * legacy 15-digit business registration number (ISO 7064 MOD 11,10).
 *
 * Pure functions: no I/O, no allocation, no locale.  Inputs are borrowed byte
 * ranges that need not be NUL-terminated; a NULL pointer with n == 0 is EMPTY.
 *
 * The validators are strict and never normalise: the caller decides whether
 * to trim or upper-case, and reports the status otherwise.  The first failing
 * rule wins, in this order: EMPTY, FULLWIDTH (any byte >= 0x80), LOWERCASE,
 * LENGTH (counted in bytes), CHARSET, then the checks in the order listed for
 * each function. */
#ifndef XY_CORE_CODES_H
#define XY_CORE_CODES_H

#include <stddef.h>

#define XY_USCC_LEN	   18	    /* 统一社会信用代码 */
#define XY_ORGCODE_LEN	   9	    /* 组织机构代码, without the hyphen */
#define XY_IDNUM_LEN	   18	    /* 公民身份号码 */
#define XY_REGNO_LEN	   15	    /* 工商注册号 */
#define XY_IDNUM_BIRTH_MIN 19000101 /* earliest birth date accepted */

enum xy_code_status {
	XY_CODE_OK = 0,
	XY_CODE_EMPTY,	   /* no characters */
	XY_CODE_LENGTH,	   /* wrong number of characters */
	XY_CODE_FULLWIDTH, /* contains full-width (or other non-ASCII) characters */
	XY_CODE_LOWERCASE, /* contains lower-case letters */
	XY_CODE_CHARSET,   /* a character not allowed at that position (e.g. I O S V Z in a
			    * USCC) */
	XY_CODE_CHECK,	   /* the final check character is wrong */
	XY_CODE_ORG_CHECK, /* USCC: the GB 11714 check of the organisation code (positions
			    * 9-17) is wrong */
	XY_CODE_BIRTHDATE, /* identity number: positions 7-14 are not a real date, or are in
			    * the future, or before 1900 */
};

/* GB 32100-2015 unified social credit code, 18 characters, s need not be NUL-terminated.
 * Positions 1-2 and 9-18 from 0-9 A-Z without I O S V Z; positions 3-8 digits.
 * Checks: the MOD 31 check character (position 18) first, then the GB 11714 check of
 * the organisation code in positions 9-17 (XY_CODE_ORG_CHECK). */
enum xy_code_status xy_uscc_check(const char *s, size_t n);
/* GB 11714 organisation code, 9 characters (8 + check; the check may be 0-9 or X).
 * The 8 body characters are 0-9 or A-Z.  The printed form "XXXXXXXX-X" is 10 bytes
 * and therefore XY_CODE_LENGTH: strip the hyphen first if it is to be accepted. */
enum xy_code_status xy_orgcode_check(const char *s, size_t n);
/* GB 11643-1999 citizen identity number, 18 characters (check 0-9 or upper-case X). today is
 * YYYYMMDD as an int (e.g. 20261121) so the function stays pure: a birth date after today is
 * XY_CODE_BIRTHDATE.
 * Any 6 digits are accepted as the area code (historic codes stay valid).  The check digit is
 * tested before the birth date, so a mistyped date digit reads XY_CODE_CHECK.  The 15-digit
 * first-generation numbers are XY_CODE_LENGTH. */
enum xy_code_status xy_idnum_check(const char *s, size_t n, int today);
/* Legacy 15-digit business registration number 工商注册号, ISO 7064 MOD 11,10. */
enum xy_code_status xy_regno_check(const char *s, size_t n);

/* Check characters, for generators (demo data, tests). Return 0 when the input holds a character
 * outside the charset: the USCC charset for xy_uscc_check_char (any position), 0-9 A-Z for
 * xy_orgcode_check_char, digits for the other two.  Each reads exactly the given count of bytes. */
char xy_uscc_check_char(const char first17[17]);
char xy_orgcode_check_char(const char first8[8]);
char xy_idnum_check_char(const char first17[17]);
char xy_regno_check_char(const char first14[14]);

/* Reason texts for reports, Chinese and English, e.g. "校验位错误" / "wrong check character".
 * Never NULL; static strings (UTF-8). */
const char *xy_code_status_zh(enum xy_code_status st);
const char *xy_code_status_en(enum xy_code_status st);

#endif
