/* libFuzzer target for the COL-2 code validators (src/core/codes.c).
 *
 * Runs every validator and check-character function on the raw input and aborts when they
 * disagree with one another:
 *   - a code the validator accepts carries the check character the generator computes;
 *   - a prefix completed with the generator's check character never fails the check;
 *   - the reason texts are never NULL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TODAY 20261121

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_texts(enum xy_code_status st)
{
	require(xy_code_status_zh(st) != NULL && xy_code_status_en(st) != NULL);
}

/* The validators must agree with the generators on inputs they accept. */
static void accepted_match_generators(const char *s, size_t size)
{
	enum xy_code_status st;

	st = xy_uscc_check(s, size);
	check_texts(st);
	if (st == XY_CODE_OK)
		require(size == 18 && xy_uscc_check_char(s) == s[17] &&
			xy_orgcode_check_char(s + 8) == s[16]);
	st = xy_orgcode_check(s, size);
	check_texts(st);
	if (st == XY_CODE_OK)
		require(size == 9 && xy_orgcode_check_char(s) == s[8]);
	st = xy_idnum_check(s, size, FUZZ_TODAY);
	check_texts(st);
	if (st == XY_CODE_OK)
		require(size == 18 && xy_idnum_check_char(s) == s[17]);
	st = xy_regno_check(s, size);
	check_texts(st);
	if (st == XY_CODE_OK)
		require(size == 15 && xy_regno_check_char(s) == s[14]);
}

/* Complete a prefix with the generated check character: the result must not fail the check
 * (a USCC may still fail its position rules or the inner organisation check, an identity
 * number its birth date). */
static void completed_pass_check(const char *s, size_t size)
{
	char code[18];
	enum xy_code_status st;

	if (size >= 17 && (code[17] = xy_uscc_check_char(s)) != 0) {
		memcpy(code, s, 17);
		st = xy_uscc_check(code, 18);
		require(st == XY_CODE_OK || st == XY_CODE_CHARSET || st == XY_CODE_ORG_CHECK);
	}
	if (size >= 17 && (code[17] = xy_idnum_check_char(s)) != 0) {
		memcpy(code, s, 17);
		st = xy_idnum_check(code, 18, FUZZ_TODAY);
		require(st == XY_CODE_OK || st == XY_CODE_BIRTHDATE);
	}
	if (size >= 8 && (code[8] = xy_orgcode_check_char(s)) != 0) {
		memcpy(code, s, 8);
		require(xy_orgcode_check(code, 9) == XY_CODE_OK);
	}
	if (size >= 14 && (code[14] = xy_regno_check_char(s)) != 0) {
		memcpy(code, s, 14);
		require(xy_regno_check(code, 15) == XY_CODE_OK);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly size bytes, so ASan sees any read past n. */
	char *s = malloc(size ? size : 1);
	int today = 0;

	if (s == NULL)
		return 0;
	if (size)
		memcpy(s, data, size);
	accepted_match_generators(s, size);
	completed_pass_check(s, size);
	/* Any int is a legal "today": the validator must not misbehave on nonsense. */
	if (size >= 4)
		memcpy(&today, data, sizeof(today));
	check_texts(xy_idnum_check(s, size, today));
	if (size > 0)
		check_texts((enum xy_code_status)data[0]);
	free(s);
	return 0;
}
