/* COL-2, COL-5: validation of one submitted row (src/core/row.c) against the shipped catalog,
 * and what the row means: its subject, its validity end and its public display end.
 *
 * Rows are built by field code on top of a valid 行政处罚 row; the codes in them are made with
 * the check-character generators of src/core/codes.h, so each test changes exactly the thing
 * it is about.  "Today" is fixed (2026-06-15) except where the real date is the point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "core/codes.h"
#include "core/row.h"
#include "support/testdata.h"
#include "util/date.h"
#include "util/utf8.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct fx {
	struct xy_catalog *cat;
	const struct xy_dataset *xzcf, *qysb;
	struct xy_row_opts opts;
	struct xy_row row;
	struct xy_row_result res;
	char subject[19], authority[19], idnum[19], idnum_x[19];
};

/* ---- codes ---- */

/* A USCC from its first 8 characters and the 8-character body of its organisation code. */
static void make_uscc(const char *first8, const char *org8, char out[19])
{
	memcpy(out, first8, 8);
	memcpy(out + 8, org8, 8);
	out[16] = xy_orgcode_check_char(org8);
	assert_true(out[16] != 0);
	out[17] = xy_uscc_check_char(out);
	assert_true(out[17] != 0);
	out[18] = '\0';
	assert_int_equal(xy_uscc_check(out, 18), XY_CODE_OK);
}

/* An identity number for 360402 born 1988-03-15 whose check character is X (want_x) or a
 * digit. */
static void make_idnum(int want_x, char out[19])
{
	for (int seq = 0; seq < 1000; seq++) {
		snprintf(out, 19, "36040219880315%03d", seq);
		out[17] = xy_idnum_check_char(out);
		out[18] = '\0';
		if ((out[17] == 'X') == (want_x != 0))
			break;
	}
	assert_int_equal(out[17] == 'X', want_x != 0);
	assert_int_equal(xy_idnum_check(out, 18, 20260615), XY_CODE_OK);
}

/* ---- rows ---- */

static int fidx(const struct xy_dataset *ds, const char *code)
{
	int i = xy_dataset_field(ds, code);

	if (i < 0)
		print_message("%s has no field %s\n", ds->code, code);
	assert_true(i >= 0);
	return i;
}

/* Sets a value by field code; NULL empties it.  The value is borrowed. */
static void set(struct fx *f, const struct xy_dataset *ds, const char *code, const char *v)
{
	int i = fidx(ds, code);

	f->row.val[i] = v;
	f->row.len[i] = v ? strlen(v) : 0;
}

static void set_xzcf(struct fx *f, const char *code, const char *v)
{
	set(f, f->xzcf, code, v);
}

/* A complete, valid 行政处罚 of a 法人 with a warning and a fine of 5,000 yuan. */
static void legal_row(struct fx *f)
{
	memset(&f->row, 0, sizeof f->row);
	set_xzcf(f, "CF_XDR_MC", "九江市濂溪区某某商贸有限公司");
	set_xzcf(f, "CF_XDR_LB", "法人及非法人组织");
	set_xzcf(f, "CF_XDR_SHXYM", f->subject);
	set_xzcf(f, "CF_FRDB", "张某");
	set_xzcf(f, "CF_WSH", "濂市监处罚〔2025〕12号");
	set_xzcf(f, "CF_WFXW", "销售超过保质期的食品");
	set_xzcf(f, "CF_SY", "当事人于2025年4月销售超过保质期的食品。");
	set_xzcf(f, "CF_YJ", "《中华人民共和国食品安全法》第一百二十四条");
	set_xzcf(f, "CF_CFLB", "警告;罚款");
	set_xzcf(f, "CF_NR", "警告，并处罚款5000元");
	set_xzcf(f, "CF_NR_FK", "0.5");
	set_xzcf(f, "CF_JDRQ", "2025-06-01");
	set_xzcf(f, "CF_YXQ", "2026-06-01");
	set_xzcf(f, "CF_CFJG", "九江市濂溪区市场监督管理局");
	set_xzcf(f, "CF_CFJGDM", f->authority);
	set_xzcf(f, "CF_SJLY", "九江市濂溪区市场监督管理局");
	set_xzcf(f, "CF_SJLYDM", f->authority);
	set_xzcf(f, "CF_YZCD", "一般");
}

/* The same penalty on a 自然人 identified by a resident identity card. */
static void natural_row(struct fx *f)
{
	legal_row(f);
	set_xzcf(f, "CF_XDR_MC", "李某某");
	set_xzcf(f, "CF_XDR_LB", "自然人");
	set_xzcf(f, "CF_XDR_SHXYM", NULL);
	set_xzcf(f, "CF_FRDB", NULL);
	set_xzcf(f, "CF_XDR_ZJLX", "身份证");
	set_xzcf(f, "CF_XDR_ZJHM", f->idnum);
}

static void dump(const struct fx *f, const struct xy_dataset *ds)
{
	for (int i = 0; i < f->res.nproblems; i++) {
		const struct xy_row_problem *p = &f->res.problem[i];
		print_message("  problem %d: %s: %s / %s\n", i,
			      p->field >= 0 ? ds->fields[p->field].code : "(row)", p->zh, p->en);
	}
}

static void check(struct fx *f, const struct xy_dataset *ds)
{
	xy_row_check(ds, &f->row, &f->opts, &f->res);
	assert_true(f->res.nproblems <= XY_ROW_ERRORS_MAX);
	assert_true(f->res.nproblems <= f->res.nproblems_all);
}

static void assert_passes(struct fx *f, const struct xy_dataset *ds)
{
	check(f, ds);
	if (f->res.nproblems_all)
		dump(f, ds);
	assert_int_equal(f->res.nproblems_all, 0);
	assert_int_equal(f->res.nproblems, 0);
}

/* The problem reported on the field, or NULL. */
static const struct xy_row_problem *problem_on(const struct fx *f, int field)
{
	for (int i = 0; i < f->res.nproblems; i++)
		if (f->res.problem[i].field == field)
			return &f->res.problem[i];
	return NULL;
}

/* The row is refused with a problem on the field whose reasons hold zh_word and en_word. */
static const struct xy_row_problem *assert_refused_on(struct fx *f, const struct xy_dataset *ds,
						      const char *code, const char *zh_word,
						      const char *en_word)
{
	check(f, ds);
	const struct xy_row_problem *p = problem_on(f, fidx(ds, code));
	if (!p || !strstr(p->zh, zh_word) || !strstr(p->en, en_word)) {
		print_message("want a problem on %s with \"%s\" / \"%s\"; got:\n", code, zh_word,
			      en_word);
		dump(f, ds);
	}
	assert_true(f->res.nproblems_all > 0);
	assert_non_null(p);
	assert_true(p->zh[0] != '\0');
	assert_true(p->en[0] != '\0');
	assert_non_null(strstr(p->zh, zh_word));
	assert_non_null(strstr(p->en, en_word));
	return p;
}

/* As assert_refused_on, and that problem is the only one. */
static void assert_only_problem(struct fx *f, const struct xy_dataset *ds, const char *code,
				const char *zh_word, const char *en_word)
{
	assert_refused_on(f, ds, code, zh_word, en_word);
	if (f->res.nproblems_all != 1)
		dump(f, ds);
	assert_int_equal(f->res.nproblems_all, 1);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[512] = "";
	size_t n;
	char *json = xy_testdata_read("catalog/default.json", &n);
	int rc = -1;

	if (!f || !json)
		goto out;
	if (xy_catalog_parse(json, n, &f->cat, err, sizeof err)) {
		fprintf(stderr, "default catalog refused: %s\n", err);
		goto out;
	}
	f->xzcf = xy_catalog_dataset(f->cat, "XZCF");
	f->qysb = xy_catalog_dataset(f->cat, "QYSB");
	if (!f->xzcf || !f->qysb)
		goto out;
	f->opts.today = xy_date_from_ymd(2026, 6, 15);
	*state = f;
	f = NULL;
	rc = 0;
out:
	if (f)
		xy_catalog_free(f->cat);
	free(f);
	free(json);
	return rc;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	xy_catalog_free(f->cat);
	free(f);
	return 0;
}

/* Codes are made inside the test (cmocka asserts need a running test). */
static struct fx *fixture(void **state)
{
	struct fx *f = *state;

	make_uscc("91360402", "MA35K1A2", f->subject);
	make_uscc("11360402", "01440753", f->authority);
	make_idnum(0, f->idnum);
	make_idnum(1, f->idnum_x);
	legal_row(f);
	return f;
}

/* ---- COL-2: valid rows ---- */

static void test_col2_valid_legal_row(void **state)
{
	struct fx *f = fixture(state);

	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.natural, 0);
	assert_int_equal(f->res.code_field, fidx(f->xzcf, "CF_XDR_SHXYM"));
}

static void test_col2_valid_natural_row(void **state)
{
	struct fx *f = fixture(state);

	natural_row(f);
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.natural, 1);
	assert_int_equal(f->res.code_field, fidx(f->xzcf, "CF_XDR_ZJHM"));
}

static void test_col2_idnum_lower_x_normalised(void **state)
{
	struct fx *f = fixture(state);
	char lower[19];
	int i = fidx(f->xzcf, "CF_XDR_ZJHM");

	natural_row(f);
	memcpy(lower, f->idnum_x, sizeof lower);
	lower[17] = 'x';
	set_xzcf(f, "CF_XDR_ZJHM", lower);
	assert_passes(f, f->xzcf);
	assert_int_equal(f->row.len[i], 18);
	assert_memory_equal(f->row.val[i], f->idnum_x, 18);
	assert_string_equal(lower + 17, "x"); /* the caller's buffer is left alone */
}

static void test_col2_values_trimmed(void **state)
{
	struct fx *f = fixture(state);
	char code[40];
	int i = fidx(f->xzcf, "CF_XDR_SHXYM");

	snprintf(code, sizeof code, " \u3000%s\t", f->subject);
	set_xzcf(f, "CF_XDR_SHXYM", code);
	set_xzcf(f, "CF_XDR_LB", "\u3000法人及非法人组织 ");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->row.len[i], 18);
	assert_memory_equal(f->row.val[i], f->subject, 18);
}

static void test_col2_date_forms_normalised(void **state)
{
	struct fx *f = fixture(state);
	int jdrq = fidx(f->xzcf, "CF_JDRQ"), yxq = fidx(f->xzcf, "CF_YXQ");

	set_xzcf(f, "CF_JDRQ", "2025/6/1");
	set_xzcf(f, "CF_YXQ", "20260601");
	set_xzcf(f, "CF_GSJZQ", "2025/12/31");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->row.len[jdrq], 10);
	assert_memory_equal(f->row.val[jdrq], "2025-06-01", 10);
	assert_int_equal(f->row.len[yxq], 10);
	assert_memory_equal(f->row.val[yxq], "2026-06-01", 10);
	assert_memory_equal(f->row.val[fidx(f->xzcf, "CF_GSJZQ")], "2025-12-31", 10);
	assert_int_equal(f->res.valid_until, xy_date_from_ymd(2026, 6, 1));
}

/* ---- COL-2: refusals ---- */

static void test_col2_uscc_wrong_check_char(void **state)
{
	struct fx *f = fixture(state);
	char bad[19];

	memcpy(bad, f->subject, sizeof bad);
	bad[17] = bad[17] == '0' ? '1' : '0';
	set_xzcf(f, "CF_XDR_SHXYM", bad);
	assert_only_problem(f, f->xzcf, "CF_XDR_SHXYM", "校验位错误", "check");
}

static void test_col2_uscc_lower_case(void **state)
{
	struct fx *f = fixture(state);
	char lower[19];

	memcpy(lower, f->subject, sizeof lower);
	lower[8] = 'm';
	lower[9] = 'a';
	set_xzcf(f, "CF_XDR_SHXYM", lower);
	assert_only_problem(f, f->xzcf, "CF_XDR_SHXYM", "小写", "lower-case");
}

static void test_col2_legal_person_without_code(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_XDR_SHXYM", NULL);
	assert_refused_on(f, f->xzcf, "CF_XDR_SHXYM", "代码", "CF_XDR_SHXYM");
	/* The one_of rule is satisfied by any of codes 1-6, e.g. the registration number. */
	set_xzcf(f, "CF_XDR_GSZC", "110108000000016");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.code_field, fidx(f->xzcf, "CF_XDR_GSZC"));
}

static void test_col2_natural_person_with_legal_code(void **state)
{
	struct fx *f = fixture(state);

	natural_row(f);
	set_xzcf(f, "CF_XDR_SHXYM", f->subject);
	assert_only_problem(f, f->xzcf, "CF_XDR_SHXYM", "应为空", "must be empty");
	set_xzcf(f, "CF_XDR_SHXYM", NULL);
	set_xzcf(f, "CF_XDR_SHZZ", "51360400MJD047338X");
	assert_only_problem(f, f->xzcf, "CF_XDR_SHZZ", "自然人", "CF_XDR_LB");
}

/* The user scenario (USERS.md): "处罚决定日期 2025-02-30 不是有效日期". */
static void test_col2_date_not_in_calendar(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_JDRQ", "2025-02-30");
	assert_only_problem(f, f->xzcf, "CF_JDRQ", "2025-02-30 不是有效日期", "calendar");
	set_xzcf(f, "CF_JDRQ", "2023-02-30");
	assert_only_problem(f, f->xzcf, "CF_JDRQ", "2023-02-30 不是有效日期", "calendar");
	set_xzcf(f, "CF_JDRQ", "2025-13-01");
	assert_only_problem(f, f->xzcf, "CF_JDRQ", "不是有效日期", "calendar");
	/* 2024 is a leap year. */
	set_xzcf(f, "CF_JDRQ", "2024-02-29");
	assert_passes(f, f->xzcf);
}

static void test_col2_date_wrong_shape(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_JDRQ", "2025年6月1日");
	assert_only_problem(f, f->xzcf, "CF_JDRQ", "日期格式", "not a date");
	set_xzcf(f, "CF_JDRQ", "06/01/2025");
	assert_only_problem(f, f->xzcf, "CF_JDRQ", "日期格式", "not a date");
}

static void test_col2_date_in_future(void **state)
{
	struct fx *f = fixture(state);
	char tomorrow[XY_DATE_STR], today[XY_DATE_STR], later[XY_DATE_STR];

	f->opts.today = xy_today();
	xy_date_format(f->opts.today + 1, tomorrow);
	xy_date_format(f->opts.today, today);
	xy_date_format(f->opts.today + 400, later);
	set_xzcf(f, "CF_YXQ", later);
	set_xzcf(f, "CF_JDRQ", tomorrow);
	assert_only_problem(f, f->xzcf, "CF_JDRQ", "晚于今天", "after today");
	set_xzcf(f, "CF_JDRQ", today);
	assert_passes(f, f->xzcf);
}

static void test_col2_valid_until_before_decision(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_YXQ", "2025-05-31");
	assert_only_problem(f, f->xzcf, "CF_YXQ", "早于处罚决定日期", "before CF_JDRQ");
	/* The same day is not before. */
	set_xzcf(f, "CF_YXQ", "2025-06-01");
	assert_passes(f, f->xzcf);
}

static void test_col2_fine_without_amount(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_NR_FK", NULL);
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "必填", "required");
	assert_non_null(strstr(f->res.problem[0].zh, "罚款"));
	assert_non_null(strstr(f->res.problem[0].en, "CF_CFLB"));
	/* Only a warning: no amount needed. */
	set_xzcf(f, "CF_CFLB", "警告");
	assert_passes(f, f->xzcf);
}

static void test_col2_amount_with_thousands_separator(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_NR_FK", "1,000.50");
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "千位分隔符", "thousands");
	set_xzcf(f, "CF_NR_FK", "1，000.50");
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "千位分隔符", "thousands");
	set_xzcf(f, "CF_NR_FK", "1000.50");
	assert_passes(f, f->xzcf);
}

static void test_col2_amount_not_a_number(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_NR_FK", "abc");
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "不是有效数字", "not a valid number");
	set_xzcf(f, "CF_NR_FK", "0.5万");
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "不是有效数字", "not a valid number");
	set_xzcf(f, "CF_NR_FK", "0.1234567");
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "小数位数", "decimal places");
	set_xzcf(f, "CF_NR_FK", "-1");
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "不得小于", "below");
	set_xzcf(f, "CF_NR_FK", "0.123456");
	assert_passes(f, f->xzcf);
}

/* Values are byte ranges (row.h): the bytes after len belong to someone else, e.g. the rest
 * of the line a CSV reader points into.  Here they hold a full-width comma. */
static void test_col2_amount_read_only_within_its_length(void **state)
{
	struct fx *f = fixture(state);
	static const char line[] = "1000.5，备注";
	int i = fidx(f->xzcf, "CF_NR_FK");

	f->row.val[i] = line;
	f->row.len[i] = 6;
	check(f, f->xzcf);
	if (f->res.nproblems_all)
		dump(f, f->xzcf);
	assert_int_equal(f->res.nproblems_all, 0);
}

static void test_col2_code_not_in_list(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_YZCD", "特别严重");
	assert_only_problem(f, f->xzcf, "CF_YZCD", "不在代码表", "not in code list");
	assert_non_null(strstr(f->res.problem[0].zh, "特别严重"));
	set_xzcf(f, "CF_YZCD", "严重");
	assert_passes(f, f->xzcf);
}

static void test_col2_multi_valued_code(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_CFLB", "警告;罚款");
	assert_passes(f, f->xzcf);
	set_xzcf(f, "CF_CFLB", "警告；罚款");
	assert_passes(f, f->xzcf);
	set_xzcf(f, "CF_CFLB", "警告、罚款");
	assert_passes(f, f->xzcf);
	set_xzcf(f, "CF_CFLB", "警告; 罚款");
	assert_passes(f, f->xzcf);
	set_xzcf(f, "CF_CFLB", "警告;飞行");
	assert_only_problem(f, f->xzcf, "CF_CFLB", "飞行", "not in code list");
	/* 罚款 found inside a multi value makes the amount required. */
	set_xzcf(f, "CF_CFLB", "通报批评、罚款");
	set_xzcf(f, "CF_NR_FK", NULL);
	assert_only_problem(f, f->xzcf, "CF_NR_FK", "必填", "required");
}

static void test_col2_text_too_long(void **state)
{
	struct fx *f = fixture(state);
	char wsh[129 * 3 + 1];

	/* CF_WSH allows 128 characters: counted as characters, not bytes. */
	for (int i = 0; i < 128; i++)
		memcpy(wsh + 3 * i, "号", 3);
	wsh[128 * 3] = '\0';
	set_xzcf(f, "CF_WSH", wsh);
	assert_passes(f, f->xzcf);
	memcpy(wsh + 128 * 3, "号", 4);
	set_xzcf(f, "CF_WSH", wsh);
	assert_only_problem(f, f->xzcf, "CF_WSH", "超过 128 个字符", "longer than 128");
}

static void test_col2_required_field_empty(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_WSH", "");
	assert_only_problem(f, f->xzcf, "CF_WSH", "必填项为空", "required");
	set_xzcf(f, "CF_WSH", NULL);
	assert_only_problem(f, f->xzcf, "CF_WSH", "必填项为空", "required");
	set_xzcf(f, "CF_WSH", " \u3000\t");
	assert_only_problem(f, f->xzcf, "CF_WSH", "必填项为空", "required");
	/* 法定代表人 is required for 法人及非法人组织 only. */
	set_xzcf(f, "CF_WSH", "濂市监处罚〔2025〕12号");
	set_xzcf(f, "CF_FRDB", NULL);
	assert_only_problem(f, f->xzcf, "CF_FRDB", "必填", "required");
	set_xzcf(f, "CF_XDR_LB", "个体工商户");
	assert_passes(f, f->xzcf);
}

static void test_col2_many_problems_capped(void **state)
{
	static const char *const blank[] = {
		"CF_XDR_MC", "CF_FRDB", "CF_WSH",  "CF_WFXW",	"CF_SY",     "CF_YJ",
		"CF_NR",     "CF_CFJG", "CF_SJLY", "CF_CFJGDM", "CF_SJLYDM",
	};
	struct fx *f = fixture(state);

	assert_true(ARRAY_LEN(blank) > XY_ROW_ERRORS_MAX);
	for (size_t i = 0; i < ARRAY_LEN(blank); i++)
		set_xzcf(f, blank[i], NULL);
	check(f, f->xzcf);
	assert_int_equal(f->res.nproblems, XY_ROW_ERRORS_MAX);
	assert_int_equal(f->res.nproblems_all, (int)ARRAY_LEN(blank));
	/* The kept ones are distinct blanked fields, each with its reasons. */
	for (int k = 0; k < f->res.nproblems; k++) {
		const struct xy_row_problem *p = &f->res.problem[k];
		int known = 0;
		for (size_t i = 0; i < ARRAY_LEN(blank); i++)
			known |= p->field == fidx(f->xzcf, blank[i]);
		assert_true(known);
		for (int j = 0; j < k; j++)
			assert_int_not_equal(f->res.problem[j].field, p->field);
		assert_non_null(strstr(p->zh, "必填"));
		assert_non_null(strstr(p->en, "required"));
	}
}

static void test_col2_identity_numbers(void **state)
{
	struct fx *f = fixture(state);
	char bad[19], born_later[19];

	natural_row(f);
	memcpy(bad, f->idnum, sizeof bad);
	bad[17] = bad[17] == '0' ? '1' : '0';
	set_xzcf(f, "CF_XDR_ZJHM", bad);
	assert_only_problem(f, f->xzcf, "CF_XDR_ZJHM", "校验位错误", "check");
	/* A right check digit over a birth date after today. */
	memcpy(born_later, "36040220300101123", 17);
	born_later[17] = xy_idnum_check_char(born_later);
	born_later[18] = '\0';
	set_xzcf(f, "CF_XDR_ZJHM", born_later);
	assert_only_problem(f, f->xzcf, "CF_XDR_ZJHM", "出生日期", "birth");
	/* Other documents are not resident identity numbers. */
	set_xzcf(f, "CF_XDR_ZJLX", "护照");
	set_xzcf(f, "CF_XDR_ZJHM", "E12345678");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.natural, 1);
	set_xzcf(f, "CF_XDR_ZJLX", "身份证");
	assert_only_problem(f, f->xzcf, "CF_XDR_ZJHM", "长度", "length");
	/* A natural person without a number. */
	set_xzcf(f, "CF_XDR_ZJHM", NULL);
	assert_refused_on(f, f->xzcf, "CF_XDR_ZJHM", "必填", "required");
}

/* Reasons quote what the clerk wrote, shortened; the shortening must not cut a character in
 * two, or the batch report is not valid UTF-8 (and a JSON encoder refuses it). */
static void test_col2_reasons_are_valid_utf8(void **state)
{
	struct fx *f = fixture(state);

	/* 64 bytes of 处罚类别 holding 罚款 after byte 57, and no fine amount. */
	set_xzcf(f, "CF_CFLB", "警告;通报批评;没收违法所得;没收非法财物;罚款");
	set_xzcf(f, "CF_NR_WFFF", "1");
	set_xzcf(f, "CF_NR_FK", NULL);
	/* A value that is not in the list, and a date and an amount in words. */
	set_xzcf(f, "CF_YZCD", "A情节特别严重且造成恶劣社会影响的违法行为");
	set_xzcf(f, "CF_JDRQ", "AB二〇二五年六月一日下午三点整");
	set_xzcf(f, "CF_NR_FK", NULL);
	set_xzcf(f, "CF_NR_WFFF", "AB五千元整五千元整五千元整五千元整");
	check(f, f->xzcf);
	assert_int_equal(f->res.nproblems, 4);
	int bad = 0;
	for (int i = 0; i < f->res.nproblems; i++) {
		const struct xy_row_problem *p = &f->res.problem[i];
		if (xy_utf8_valid(p->zh, strlen(p->zh)) && xy_utf8_valid(p->en, strlen(p->en)))
			continue;
		print_message("BUG: the reason on %s is not valid UTF-8\n",
			      f->xzcf->fields[p->field].code);
		bad++;
	}
	assert_int_equal(bad, 0);
}

/* ---- COL-2: the allow-list of genuine pre-2016 codes ---- */

struct allow {
	const char *code;
	int calls;
};

static int allow_cb(void *arg, const char *code, size_t n)
{
	struct allow *a = arg;

	a->calls++;
	return strlen(a->code) == n && memcmp(a->code, code, n) == 0;
}

static int allow_everything(void *arg, const char *code, size_t n)
{
	(void)code;
	(void)n;
	++*(int *)arg;
	return 1;
}

static void test_col2_allow_list_accepts_check_failure(void **state)
{
	struct fx *f = fixture(state);
	char old[19];
	struct allow a = {old, 0};

	memcpy(old, f->subject, sizeof old);
	old[17] = old[17] == '0' ? '1' : '0';
	set_xzcf(f, "CF_XDR_SHXYM", old);
	f->opts.code_allowed = allow_cb;
	f->opts.arg = &a;
	assert_passes(f, f->xzcf);
	assert_true(a.calls >= 1);
	assert_int_equal(f->res.code_field, fidx(f->xzcf, "CF_XDR_SHXYM"));

	/* A code that is not on the list is still refused. */
	a.code = "91360402MA35K1A200";
	assert_only_problem(f, f->xzcf, "CF_XDR_SHXYM", "校验位错误", "check");
}

static void test_col2_allow_list_not_for_lower_case(void **state)
{
	struct fx *f = fixture(state);
	char lower[19];
	int calls = 0;

	memcpy(lower, f->subject, sizeof lower);
	lower[17] = lower[17] == '0' ? '1' : '0';
	lower[8] = 'm';
	set_xzcf(f, "CF_XDR_SHXYM", lower);
	f->opts.code_allowed = allow_everything;
	f->opts.arg = &calls;
	assert_only_problem(f, f->xzcf, "CF_XDR_SHXYM", "小写", "lower-case");
	assert_int_equal(calls, 0);
	/* Nor for a wrong length. */
	set_xzcf(f, "CF_XDR_SHXYM", "91360402MA35K1A2");
	assert_only_problem(f, f->xzcf, "CF_XDR_SHXYM", "长度", "length");
}

/* ---- COL-5: validity and display periods ---- */

static int32_t ymd(int y, int m, int d)
{
	int32_t days = xy_date_from_ymd(y, m, d);

	assert_true(days >= 0);
	return days;
}

static void test_col5_valid_until_from_field(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_YXQ", "2027-06-30");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.valid_until, ymd(2027, 6, 30));
}

static void test_col5_long_term_has_no_end(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_YXQ", "2099-12-31");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.valid_until, XY_NO_END);
	set_xzcf(f, "CF_YXQ", "2099/12/31");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.valid_until, XY_NO_END);
}

static void test_col5_display_until_from_field(void **state)
{
	struct fx *f = fixture(state);

	set_xzcf(f, "CF_GSJZQ", "2025-12-31");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.display_until, ymd(2025, 12, 31));
	/* The field wins over the severity table, even for 轻微. */
	set_xzcf(f, "CF_YZCD", "轻微");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.display_until, ymd(2025, 12, 31));
}

static void test_col5_display_by_severity(void **state)
{
	static const struct {
		const char *severity;
		int32_t months; /* -1: not displayed */
	} table[] = {
		{"一般", 12}, {NULL, 12}, {"较重", 36}, {"严重", 36}, {"轻微", -1},
	};
	struct fx *f = fixture(state);

	for (size_t i = 0; i < ARRAY_LEN(table); i++) {
		set_xzcf(f, "CF_YZCD", table[i].severity);
		assert_passes(f, f->xzcf);
		if (table[i].months < 0)
			assert_int_equal(f->res.display_until, XY_NOT_DISPLAYED);
		else
			assert_int_equal(f->res.display_until,
					 xy_date_add_months(ymd(2025, 6, 1), table[i].months));
	}
	set_xzcf(f, "CF_YZCD", "一般");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.display_until, ymd(2026, 6, 1));
	set_xzcf(f, "CF_YZCD", "严重");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.display_until, ymd(2028, 6, 1));
	/* A decision on 29 February: one year later is 28 February. */
	set_xzcf(f, "CF_JDRQ", "2024-02-29");
	set_xzcf(f, "CF_YZCD", "一般");
	assert_passes(f, f->xzcf);
	assert_int_equal(f->res.display_until, ymd(2025, 2, 28));
}

static void qysb_row(struct fx *f)
{
	const struct xy_dataset *q = f->qysb;

	memset(&f->row, 0, sizeof f->row);
	set(f, q, "QYSB_DWMC", "九江市某某物流有限公司");
	set(f, q, "QYSB_SHXYM", f->subject);
	set(f, q, "QYSB_JFNY", "2025-03");
	set(f, q, "QYSB_CBRS", "25");
	set(f, q, "QYSB_YJJE", "10000.00");
	set(f, q, "QYSB_SJJE", "8000.00");
	set(f, q, "QYSB_QJJE", "2000.00");
	set(f, q, "QYSB_JFZT", "欠缴");
	set(f, q, "QYSB_SJLY", "九江市社会保险事业管理中心");
	set(f, q, "QYSB_SJLYDM", f->authority);
}

static void test_col5_qysb_validity_from_month(void **state)
{
	struct fx *f = fixture(state);

	qysb_row(f);
	assert_passes(f, f->qysb);
	assert_int_equal(f->res.natural, 0);
	assert_int_equal(f->res.code_field, fidx(f->qysb, "QYSB_SHXYM"));
	/* From the first day of the contribution month, 24 months. */
	assert_int_equal(f->res.valid_until, ymd(2027, 3, 1));
	set(f, f->qysb, "QYSB_JFNY", "2024/12");
	assert_passes(f, f->qysb);
	assert_int_equal(f->res.valid_until, ymd(2026, 12, 1));
}

static void test_col5_government_dataset_not_displayed(void **state)
{
	struct fx *f = fixture(state);

	qysb_row(f);
	assert_passes(f, f->qysb);
	assert_int_equal(f->res.display_until, XY_NOT_DISPLAYED);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_col2_valid_legal_row),
		T(test_col2_valid_natural_row),
		T(test_col2_idnum_lower_x_normalised),
		T(test_col2_values_trimmed),
		T(test_col2_date_forms_normalised),
		T(test_col2_uscc_wrong_check_char),
		T(test_col2_uscc_lower_case),
		T(test_col2_legal_person_without_code),
		T(test_col2_natural_person_with_legal_code),
		T(test_col2_date_not_in_calendar),
		T(test_col2_date_wrong_shape),
		T(test_col2_date_in_future),
		T(test_col2_valid_until_before_decision),
		T(test_col2_fine_without_amount),
		T(test_col2_amount_with_thousands_separator),
		T(test_col2_amount_not_a_number),
		T(test_col2_amount_read_only_within_its_length),
		T(test_col2_code_not_in_list),
		T(test_col2_multi_valued_code),
		T(test_col2_text_too_long),
		T(test_col2_required_field_empty),
		T(test_col2_many_problems_capped),
		T(test_col2_identity_numbers),
		T(test_col2_reasons_are_valid_utf8),
		T(test_col2_allow_list_accepts_check_failure),
		T(test_col2_allow_list_not_for_lower_case),
		T(test_col5_valid_until_from_field),
		T(test_col5_long_term_has_no_end),
		T(test_col5_display_until_from_field),
		T(test_col5_display_by_severity),
		T(test_col5_qysb_validity_from_month),
		T(test_col5_government_dataset_not_displayed),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
