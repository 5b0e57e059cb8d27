/* COL-1, COL-3: the resource catalog parser (src/core/catalog.c).
 *
 * The shipped catalog (catalog/default.json) must parse and say what the national 双公示 list
 * and catalog/README.md say; the broken catalogs in tests/data/catalog and small variants built
 * here must be refused with the right error code and a message naming the dataset and field;
 * column headers must match fields the way docs/CATALOG.md describes. */
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
#include "support/testdata.h"
#include "util/err.h"
#include "util/limits.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ERR_LEN	     512
#define MINI_MAX     (64 * 1024)

/* ---- helpers ---- */

static struct xy_catalog *load_default(void)
{
	char err[ERR_LEN] = "";
	struct xy_catalog *cat = NULL;
	size_t n;
	char *json = xy_testdata_read("catalog/default.json", &n);

	assert_non_null(json);
	int rc = xy_catalog_parse(json, n, &cat, err, sizeof err);
	free(json);
	if (rc)
		print_message("default catalog refused: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(cat);
	return cat;
}

static int setup_default(void **state)
{
	*state = load_default();
	return 0;
}

static int teardown_catalog(void **state)
{
	xy_catalog_free(*state);
	return 0;
}

static const struct xy_dataset *dataset(void **state, const char *code)
{
	const struct xy_dataset *ds = xy_catalog_dataset(*state, code);

	assert_non_null(ds);
	return ds;
}

static const struct xy_field *field(const struct xy_dataset *ds, const char *code)
{
	int i = xy_dataset_field(ds, code);

	if (i < 0)
		print_message("%s has no field %s\n", ds->code, code);
	assert_true(i >= 0);
	return &ds->fields[i];
}

/* Parses text; on failure err holds the reason and *out stays NULL. */
static int parse_text(const char *json, char *err)
{
	struct xy_catalog *cat = (struct xy_catalog *)0x1;

	err[0] = '\0';
	int rc = xy_catalog_parse(json, strlen(json), &cat, err, ERR_LEN);
	if (rc == 0) {
		assert_non_null(cat);
		xy_catalog_free(cat);
	} else {
		assert_null(cat);
		assert_true(err[0] != '\0');
	}
	return rc;
}

/* The error says which dataset and which field (or name) is at fault. */
static void assert_err_names(const char *err, const char *ds, const char *what)
{
	if (!strstr(err, ds) || (what && !strstr(err, what)))
		print_message("error \"%s\" should name %s and %s\n", err, ds, what ? what : "-");
	assert_non_null(strstr(err, ds));
	if (what)
		assert_non_null(strstr(err, what));
}

/* A one-dataset catalog "DS" (legal persons, fields MC and DM, a code list L) with parts
 * replaced.  NULL members keep the default. */
struct mini {
	const char *sharing; /* "public" */
	const char *subject; /* {"name":"MC","legal_codes":["DM"]} */
	const char *key;     /* ["DM"] */
	const char *extra;   /* more dataset members, each followed by a comma */
	const char *fields;  /* more fields, each preceded by a comma */
};

static char *mini_json(const struct mini *m)
{
	char *buf = malloc(MINI_MAX);
	int n;

	assert_non_null(buf);
	n = snprintf(
		buf, MINI_MAX,
		"{\"version\":\"t.1\",\"code_lists\":{\"L\":[\"甲\",\"乙\"]},"
		"\"datasets\":[{\"code\":\"DS\",\"name\":\"测试\",\"subject_kind\":\"legal\","
		"\"sharing\":\"%s\",\"levels\":[\"city\"],\"subject\":%s,\"key\":%s,%s"
		"\"fields\":["
		"{\"code\":\"MC\",\"name\":\"名称\",\"type\":\"text\",\"required\":\"Y\"},"
		"{\"code\":\"DM\",\"name\":\"统一社会信用代码\",\"type\":\"uscc\","
		"\"required\":\"Y\"},"
		"{\"code\":\"RQ\",\"name\":\"日期\",\"type\":\"date\",\"required\":\"N\"}%s]}]}",
		m->sharing ? m->sharing : "public",
		m->subject ? m->subject : "{\"name\":\"MC\",\"legal_codes\":[\"DM\"]}",
		m->key ? m->key : "[\"DM\"]", m->extra ? m->extra : "", m->fields ? m->fields : "");
	assert_true(n > 0 && n < MINI_MAX);
	return buf;
}

static int parse_mini(const struct mini *m, char *err)
{
	char *json = mini_json(m);
	int rc = parse_text(json, err);

	free(json);
	return rc;
}

/* The mini catalog plus one text field. */
static int parse_with_field(const char *code, const char *name, const char *name_en,
			    const char *alias, char *err)
{
	char f[4096];
	char al[1024] = "";

	if (alias)
		snprintf(al, sizeof al, ",\"aliases\":[\"%s\"]", alias);
	int n = snprintf(f, sizeof f,
			 ",{\"code\":\"%s\",\"name\":\"%s\",\"name_en\":\"%s\",\"type\":\"text\","
			 "\"required\":\"N\"%s}",
			 code, name, name_en, al);
	assert_true(n > 0 && (size_t)n < sizeof f);
	return parse_mini(&(struct mini){.fields = f}, err);
}

/* ---- COL-1: the shipped catalog ---- */

static void test_col1_shr1_default_catalog_datasets_and_their_sharing_class(void **state)
{
	static const struct {
		const char *code, *name;
		enum xy_sharing sharing;
		enum xy_subject_kind kind;
		int nfields;
	} want[] = {
		{"XZXK", "行政许可", XY_SHARE_PUBLIC, XY_SUBJ_BOTH, 28},
		{"XZCF", "行政处罚", XY_SHARE_PUBLIC, XY_SUBJ_BOTH, 31},
		{"YZSX", "严重失信主体名单", XY_SHARE_PUBLIC, XY_SUBJ_BOTH, 16},
		{"SXJL", "守信激励名单", XY_SHARE_PUBLIC, XY_SUBJ_LEGAL, 14},
		{"QYSB", "企业社会保险缴费信息", XY_SHARE_GOVERNMENT, XY_SUBJ_LEGAL, 12},
		{"GRQF", "自然人公共事业欠费信息", XY_SHARE_AUTHORISED, XY_SUBJ_NATURAL, 13},
	};
	const struct xy_catalog *cat = *state;

	assert_string_equal(cat->version, "2026.1");
	assert_int_equal(cat->ndatasets, (int)ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const struct xy_dataset *ds = dataset(state, want[i].code);
		assert_string_equal(ds->name, want[i].name);
		assert_int_equal(ds->sharing, want[i].sharing);
		assert_int_equal(ds->subject_kind, want[i].kind);
		assert_int_equal(ds->nfields, want[i].nfields);
		assert_int_equal(ds->levels, XY_LEVEL_CITY | XY_LEVEL_COUNTY);
	}
	assert_string_equal(xy_sharing_name(dataset(state, "QYSB")->sharing), "government");
	assert_string_equal(xy_sharing_name(dataset(state, "GRQF")->sharing), "authorised");
	assert_null(xy_catalog_dataset(cat, "XZCF "));
	assert_null(xy_catalog_dataset(cat, "xzcf"));
}

/* The 30 national 行政处罚 fields in the national order, names exactly as the national list
 * writes them (half-width brackets in codes 1-6, full-width in the amounts), then CF_YZCD. */
static void test_col1_default_xzcf_national_fields(void **state)
{
	static const char *const want[][2] = {
		{"CF_XDR_MC", "行政相对人名称"},
		{"CF_XDR_LB", "行政相对人类别"},
		{"CF_XDR_SHXYM", "行政相对人代码_1(统一社会信用代码)"},
		{"CF_XDR_GSZC", "行政相对人代码_2(工商注册号)"},
		{"CF_XDR_ZZJG", "行政相对人代码_3(组织机构代码)"},
		{"CF_XDR_SWDJ", "行政相对人代码_4(税务登记号)"},
		{"CF_XDR_SYDW", "行政相对人代码_5(事业单位证书号)"},
		{"CF_XDR_SHZZ", "行政相对人代码_6(社会组织登记证号)"},
		{"CF_FRDB", "法定代表人"},
		{"CF_FR_ZJLX", "法定代表人证件类型"},
		{"CF_FR_ZJHM", "法定代表人证件号码"},
		{"CF_XDR_ZJLX", "证件类型"},
		{"CF_XDR_ZJHM", "证件号码"},
		{"CF_WSH", "行政处罚决定书文号"},
		{"CF_WFXW", "违法行为类型"},
		{"CF_SY", "违法事实"},
		{"CF_YJ", "处罚依据"},
		{"CF_CFLB", "处罚类别"},
		{"CF_NR", "处罚内容"},
		{"CF_NR_FK", "罚款金额（万元）"},
		{"CF_NR_WFFF", "没收违法所得、没收非法财物的金额（万元）"},
		{"CF_NR_ZKDX", "暂扣或吊销证照名称及编号"},
		{"CF_JDRQ", "处罚决定日期"},
		{"CF_YXQ", "处罚有效期"},
		{"CF_GSJZQ", "公示截止期"},
		{"CF_CFJG", "处罚机关"},
		{"CF_CFJGDM", "处罚机关统一社会信用代码"},
		{"CF_SJLY", "数据来源单位"},
		{"CF_SJLYDM", "数据来源单位统一社会信用代码"},
		{"BZ", "备注"},
		{"CF_YZCD", "失信严重程度"},
	};
	const struct xy_dataset *ds = dataset(state, "XZCF");

	assert_int_equal(ds->nfields, (int)ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		assert_string_equal(ds->fields[i].code, want[i][0]);
		assert_string_equal(ds->fields[i].name, want[i][1]);
		assert_int_equal(xy_dataset_field(ds, want[i][0]), (int)i);
	}
	assert_int_equal(xy_dataset_field(ds, "CF_NOPE"), -1);
	assert_int_equal(xy_dataset_field(ds, "cf_wsh"), -1);
	/* The text in the last brackets, half- or full-width, is the short name. */
	assert_string_equal(field(ds, "CF_XDR_SHXYM")->short_name, "统一社会信用代码");
	assert_string_equal(field(ds, "CF_NR_FK")->short_name, "万元");
	assert_null(field(ds, "CF_WSH")->short_name);
}

static void test_col1_default_xzcf_types_and_protection(void **state)
{
	const struct xy_dataset *ds = dataset(state, "XZCF");
	const struct xy_field *f;

	/* 自然人 identity numbers: sensitive, masked as 110105********1234, encrypted. */
	f = field(ds, "CF_XDR_ZJHM");
	assert_int_equal(f->type, XY_FT_IDNUMBER);
	assert_true(f->sensitive);
	assert_int_equal(f->mask.kind, XY_MASK_IDNUM);
	assert_true(f->always_encrypt);
	assert_true(f->publish);
	assert_int_equal(f->id_type_field, xy_dataset_field(ds, "CF_XDR_ZJLX"));
	/* The legal representative's number never leaves the government zone. */
	f = field(ds, "CF_FR_ZJHM");
	assert_false(f->publish);
	assert_true(f->sensitive);
	assert_int_equal(f->mask.kind, XY_MASK_NULL);
	/* A name that may be a person's is personal: masked on natural persons' rows. */
	f = field(ds, "CF_XDR_MC");
	assert_true(f->personal);
	assert_false(f->sensitive);
	assert_int_equal(f->mask.kind, XY_MASK_NAME);
	/* 处罚类别: several values from the national list. */
	f = field(ds, "CF_CFLB");
	assert_int_equal(f->type, XY_FT_CODE);
	assert_true(f->multi);
	assert_int_equal(f->required, 'Y');
	assert_non_null(f->list);
	assert_string_equal(f->list->code, "CF_CFLB");
	assert_int_equal(f->list->n, 14);
	int fine = 0;
	for (int i = 0; i < f->list->n; i++)
		fine |= strcmp(f->list->values[i], "罚款") == 0;
	assert_true(fine);
	/* 罚款金额 is required when 处罚类别 contains 罚款. */
	f = field(ds, "CF_NR_FK");
	assert_int_equal(f->type, XY_FT_DECIMAL);
	assert_int_equal(f->required, 'C');
	assert_int_equal(f->nreq_if, 1);
	assert_int_equal(f->req_if[0].field, xy_dataset_field(ds, "CF_CFLB"));
	assert_int_equal(f->req_if[0].op, XY_COND_CONTAINS);
	assert_int_equal(f->req_if[0].nvalues, 1);
	assert_string_equal(f->req_if[0].values[0], "罚款");
	assert_int_equal(f->naliases, 1);
	assert_string_equal(f->aliases[0], "罚款金额");
	assert_true(field(ds, "CF_JDRQ")->not_future);
	assert_int_equal(field(ds, "CF_YXQ")->not_before, xy_dataset_field(ds, "CF_JDRQ"));
	assert_int_equal(field(ds, "CF_XDR_SHXYM")->type, XY_FT_USCC);
	assert_string_equal(xy_ftype_name(field(ds, "CF_XDR_GSZC")->type), "regno");
}

static void test_col1_default_subjects_and_periods(void **state)
{
	const struct xy_dataset *ds = dataset(state, "XZCF");

	assert_int_equal(ds->subject.kind_field, xy_dataset_field(ds, "CF_XDR_LB"));
	assert_int_equal(ds->subject.nnatural, 1);
	assert_string_equal(ds->subject.natural_values[0], "自然人");
	assert_int_equal(ds->subject.nlegal, 6);
	assert_int_equal(ds->subject.legal_codes[0], xy_dataset_field(ds, "CF_XDR_SHXYM"));
	assert_int_equal(ds->subject.id_number, xy_dataset_field(ds, "CF_XDR_ZJHM"));
	assert_int_equal(ds->nkey, 1);
	assert_int_equal(ds->key[0], xy_dataset_field(ds, "CF_WSH"));
	assert_int_equal(ds->validity.field, xy_dataset_field(ds, "CF_YXQ"));
	assert_true(ds->display.present);
	assert_int_equal(ds->display.table, XY_DISPLAY_PENALTY);
	assert_int_equal(ds->display.field, xy_dataset_field(ds, "CF_GSJZQ"));
	assert_int_equal(ds->display.from, xy_dataset_field(ds, "CF_JDRQ"));
	assert_int_equal(ds->display.severity_field, xy_dataset_field(ds, "CF_YZCD"));
	assert_int_equal(ds->nrules, 1);
	assert_int_equal(ds->rules[0].nfields, 6);
	assert_true(ds->rules[0].has_when);

	ds = dataset(state, "QYSB");
	assert_false(ds->display.present);
	assert_int_equal(ds->validity.from, xy_dataset_field(ds, "QYSB_JFNY"));
	assert_int_equal(ds->validity.months, 24);
	assert_int_equal(field(ds, "QYSB_JFNY")->type, XY_FT_MONTH);

	ds = dataset(state, "GRQF");
	assert_int_equal(ds->subject.id_number, xy_dataset_field(ds, "GRQF_ZJHM"));
	assert_int_equal(ds->subject.nlegal, 0);
	assert_false(ds->display.present);
	/* Phone, address and account number: always encrypted (CRY-1). */
	assert_true(field(ds, "GRQF_LXDH")->always_encrypt);
	assert_int_equal(field(ds, "GRQF_LXDH")->mask.kind, XY_MASK_MOBILE);
	assert_true(field(ds, "GRQF_ZZ")->always_encrypt);
	assert_int_equal(field(ds, "GRQF_HH")->mask.kind, XY_MASK_KEEP);
	assert_int_equal(field(ds, "GRQF_HH")->mask.last, 4);
	assert_false(field(ds, "GRQF_QFJE")->always_encrypt);
}

static void test_col1_small_valid_catalog_parses(void **state)
{
	char err[ERR_LEN];
	size_t n;
	char *json = xy_testdata_read("tests/data/catalog/small_valid.json", &n);
	struct xy_catalog *cat = NULL;

	(void)state;
	assert_non_null(json);
	assert_int_equal(xy_catalog_parse(json, n, &cat, err, sizeof err), 0);
	assert_int_equal(cat->ndatasets, 2);
	assert_non_null(xy_catalog_dataset(cat, "XZCF"));
	assert_non_null(xy_catalog_dataset(cat, "GRQF"));
	xy_catalog_free(cat);
	xy_catalog_free(NULL);
	free(json);
}

/* ---- COL-1, COL-3: the broken catalogs in tests/data/catalog ---- */

static void check_file_refused(const char *file, int want_rc, const char *ds, const char *fld,
			       const char *word)
{
	char path[256], err[ERR_LEN] = "";
	size_t n;
	struct xy_catalog *cat = (struct xy_catalog *)0x1;

	snprintf(path, sizeof path, "tests/data/catalog/%s", file);
	char *json = xy_testdata_read(path, &n);
	assert_non_null(json);
	int rc = xy_catalog_parse(json, n, &cat, err, sizeof err);
	free(json);
	if (rc != want_rc)
		print_message("%s: rc %d (%s), err \"%s\"\n", file, rc, xy_err_code(rc), err);
	assert_int_equal(rc, want_rc);
	assert_null(cat);
	assert_err_names(err, ds, fld);
	if (word)
		assert_err_names(err, ds, word);
}

static void test_col3_file_prohibited_zh_refused(void **state)
{
	(void)state;
	check_file_refused("prohibited_zh.json", XY_EPROHIBITED, "GRQF", "GRQF_FJSX", "血型");
}

static void test_col3_file_prohibited_en_refused(void **state)
{
	(void)state;
	check_file_refused("prohibited_en.json", XY_EPROHIBITED, "GRQF", "ZJXY", "Religious");
}

static void test_col3_file_prohibited_synonym_refused(void **state)
{
	(void)state;
	check_file_refused("prohibited_synonym.json", XY_EPROHIBITED, "GRQF", "GRQF_JWBS", "病史");
}

static void test_col1_file_dup_field_refused(void **state)
{
	(void)state;
	check_file_refused("dup_field.json", XY_ECATALOG, "XZCF", "CF_WSH", "duplicate");
}

static void test_col1_file_bad_type_refused(void **state)
{
	(void)state;
	check_file_refused("bad_type.json", XY_ECATALOG, "XZCF", "BZ", "colour");
}

static void test_col1_file_cond_missing_refused(void **state)
{
	(void)state;
	check_file_refused("cond_missing.json", XY_ECATALOG, "XZCF", "CF_NR_FK", "required_if");
}

/* ---- COL-3: prohibited terms in memory ---- */

static void check_prohibited_field(const char *code, const char *name, const char *name_en,
				   const char *alias)
{
	char err[ERR_LEN];
	int rc = parse_with_field(code, name, name_en, alias, err);

	if (rc != XY_EPROHIBITED)
		print_message("field %s / %s / %s / %s: rc %d, err \"%s\"\n", code, name, name_en,
			      alias ? alias : "-", rc, err);
	assert_int_equal(rc, XY_EPROHIBITED);
	assert_err_names(err, "DS", code);
}

static void test_col3_prohibited_english_spellings(void **state)
{
	(void)state;
	check_prohibited_field("BLOOD_TYPE", "附加属性", "Additional attribute", NULL);
	check_prohibited_field("FJSX1", "附加属性", "Blood group", NULL);
	check_prohibited_field("FJSX2", "附加属性", "Blood-Type", NULL);
	check_prohibited_field("FJSX3", "附加属性", "medical history", NULL);
	check_prohibited_field("FJSX4", "附加属性", "Past MEDICAL_HISTORY of the subject", NULL);
	check_prohibited_field("FJSX5", "附加属性", "Additional attribute", "fingerprint");
	check_prohibited_field("FJSX6", "附加属性", "DNA sample", NULL);
	check_prohibited_field("GENETIC_TEST", "附加属性", "Additional attribute", NULL);
}

static void test_col3_prohibited_chinese_terms(void **state)
{
	(void)state;
	check_prohibited_field("FJSX1", "宗教信仰", "Additional attribute", NULL);
	check_prohibited_field("FJSX2", "基因检测结果", "Additional attribute", NULL);
	check_prohibited_field("FJSX3", "指纹", "Additional attribute", NULL);
	check_prohibited_field("FJSX4", "附加属性", "Additional attribute", "病史");
	check_prohibited_field("FJSX5", "既往病史", "Additional attribute", NULL);
}

/* Words that merely contain a prohibited word, and ordinary 双公示 names, must pass. */
static void test_col3_lookalikes_not_prohibited(void **state)
{
	static const char *const ok[][3] = {
		{"YBSX", "一般事项", "General remarks"},
		{"FDDBR", "法定代表人", "Legal representative"},
		{"WFSS", "违法事实", "Facts of the violation"},
		{"SCRQ", "生成日期", "Generation date"},
		{"JYFW", "经营范围", "Business scope"},
	};
	char err[ERR_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		int rc = parse_with_field(ok[i][0], ok[i][1], ok[i][2], NULL, err);
		if (rc)
			print_message("%s / %s refused: %s\n", ok[i][1], ok[i][2], err);
		assert_int_equal(rc, 0);
	}
}

static void test_col3_prohibited_term_direct(void **state)
{
	static const struct {
		const char *text, *term;
	} hits[] = {
		{"BLOOD_TYPE", "blood type"},
		{"Blood group", "blood group"},
		{"blood-type", "blood type"},
		{"medical history", "medical history"},
		{"MEDICAL_HISTORY", "medical history"},
		{"Fingerprints", "fingerprints"},
		{"fingerprint", "fingerprint"},
		{"Religious belief", "religious"},
		{"(DNA)", "dna"},
		{"宗教信仰", "宗教"},
		{"基因检测结果", "基因"},
		{"右手指纹", "指纹"},
		{"病史", "病史"},
		{"血型", "血型"},
	};
	static const char *const misses[] = {
		"general",	    "General remarks",
		"generation date",  "法定代表人",
		"违法事实",	    "行政相对人代码_1(统一社会信用代码)",
		"罚款金额（万元）", "",
		"genesis",	    "bloody",
	};
	const char *term;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(hits); i++) {
		term = NULL;
		if (!xy_prohibited_term(hits[i].text, &term))
			print_message("\"%s\" not recognised\n", hits[i].text);
		assert_true(xy_prohibited_term(hits[i].text, &term));
		assert_non_null(term);
		assert_string_equal(term, hits[i].term);
	}
	for (size_t i = 0; i < ARRAY_LEN(misses); i++) {
		if (xy_prohibited_term(misses[i], &term))
			print_message("\"%s\" wrongly matched \"%s\"\n", misses[i], term);
		assert_false(xy_prohibited_term(misses[i], &term));
	}
}

/* A long English name must not hide a prohibited term past the first kilobyte. */
static void test_col3_long_english_name_still_checked(void **state)
{
	char text[1600];
	size_t n = 0;
	const char *term = NULL;

	(void)state;
	while (n + 8 < 1200) {
		memcpy(text + n, "Remarks ", 8);
		n += 8;
	}
	snprintf(text + n, sizeof text - n, "blood type");
	assert_true(strlen(text) < XY_NAME_MAX * 8); /* a name the parser accepts */
	int hit = xy_prohibited_term(text, &term);
	if (!hit)
		print_message("BUG: \"blood type\" after %zu bytes of a name is not seen\n", n);
	assert_true(hit);

	char err[ERR_LEN];
	assert_int_equal(parse_with_field("FJSX", "附加属性", text, NULL, err), XY_EPROHIBITED);
}

/* ---- COL-1: structural refusals in memory ---- */

static void test_col1_mini_catalog_parses(void **state)
{
	char err[ERR_LEN];

	(void)state;
	/* The baseline of the variants below is itself valid. */
	assert_int_equal(parse_mini(&(struct mini){0}, err), 0);
}

static void test_col1_invalid_json_refused(void **state)
{
	char err[ERR_LEN];
	struct xy_catalog *cat = (struct xy_catalog *)0x1;

	(void)state;
	assert_int_equal(parse_text("{\"version\": \"1\", \"datasets\": [", err), XY_ECATALOG);
	assert_non_null(strstr(err, "JSON"));
	assert_int_equal(parse_text("", err), XY_ECATALOG);
	assert_int_equal(xy_catalog_parse("", 0, &cat, err, sizeof err), XY_ECATALOG);
	assert_null(cat);
	/* Two "type" members in one field: refused, not "last one wins". */
	char *json = mini_json(&(struct mini){
		.fields = ",{\"code\":\"BZ\",\"name\":\"备注\",\"type\":\"text\",\"type\":\"date\","
			  "\"required\":\"N\"}"});
	assert_int_equal(parse_text(json, err), XY_ECATALOG);
	free(json);
}

static void test_col1_not_an_object_refused(void **state)
{
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_text("[]", err), XY_ECATALOG);
	assert_non_null(strstr(err, "object"));
	assert_int_equal(parse_text("\"catalog\"", err), XY_ECATALOG);
	assert_int_equal(parse_text("{\"version\":\"1\",\"datasets\":[]}", err), XY_ECATALOG);
	assert_non_null(strstr(err, "datasets"));
}

static void test_col1_duplicate_dataset_refused(void **state)
{
	char err[ERR_LEN], *json = mini_json(&(struct mini){0});
	char *two = malloc(2 * MINI_MAX);

	(void)state;
	assert_non_null(two);
	/* The same dataset twice: copy the object between "[{" and the final "]}". */
	const char *start = strstr(json, "[{\"code\":\"DS\"") + 1;
	size_t len = strlen(start) - 2;
	int n = snprintf(two, 2 * MINI_MAX, "%.*s%.*s,%s", (int)(start - json), json, (int)len,
			 start, start);
	assert_true(n > 0);
	assert_int_equal(parse_text(two, err), XY_ECATALOG);
	assert_err_names(err, "DS", "duplicate");
	free(two);
	free(json);
}

static int parse_fields(const char *fields, char *err)
{
	return parse_mini(&(struct mini){.fields = fields}, err);
}

static int parse_subject(const char *subject, char *err)
{
	return parse_mini(&(struct mini){.subject = subject}, err);
}

static void test_col1_unknown_code_list_refused(void **state)
{
	const char *nope = ",{\"code\":\"LB\",\"name\":\"类别\",\"type\":\"code\","
			   "\"list\":\"NOPE\",\"required\":\"N\"}";
	const char *ok = ",{\"code\":\"LB\",\"name\":\"类别\",\"type\":\"code\","
			 "\"list\":\"L\",\"required\":\"N\"}";
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_fields(nope, err), XY_ECATALOG);
	assert_err_names(err, "DS", "LB");
	assert_non_null(strstr(err, "NOPE"));
	/* The same field with a list that exists is fine. */
	assert_int_equal(parse_fields(ok, err), 0);
}

static void test_col1_unknown_field_in_key_refused(void **state)
{
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_mini(&(struct mini){.key = "[\"DM\",\"CF_NOPE\"]"}, err),
			 XY_ECATALOG);
	assert_err_names(err, "DS", "key");
}

static void test_col1_unknown_field_in_subject_refused(void **state)
{
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_subject("{\"name\":\"CF_NOPE\",\"legal_codes\":[\"DM\"]}", err),
			 XY_ECATALOG);
	assert_err_names(err, "DS", "CF_NOPE");
	assert_int_equal(parse_subject("{\"name\":\"MC\",\"legal_codes\":[\"CF_NOPE\"]}", err),
			 XY_ECATALOG);
	assert_err_names(err, "DS", "legal_codes");
}

/* The message names the unknown field, so the catalog author can find the typo
 * (docs/CATALOG.md: the loader "names the dataset and field at fault"). */
static void test_col1_unknown_key_and_legal_code_named(void **state)
{
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_mini(&(struct mini){.key = "[\"DM\",\"CF_NOPE\"]"}, err),
			 XY_ECATALOG);
	assert_err_names(err, "DS", "CF_NOPE");
	assert_int_equal(parse_subject("{\"name\":\"MC\",\"legal_codes\":[\"CF_NOPE\"]}", err),
			 XY_ECATALOG);
	assert_err_names(err, "DS", "CF_NOPE");
}

static void test_col1_unknown_field_in_required_if_refused(void **state)
{
	const char *f =
		",{\"code\":\"JE\",\"name\":\"金额\",\"type\":\"decimal\",\"required\":\"C\","
		"\"required_if\":[{\"field\":\"CF_NOPE\",\"present\":true}]}";
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_fields(f, err), XY_ECATALOG);
	assert_err_names(err, "DS", "JE");
	assert_non_null(strstr(err, "CF_NOPE"));
}

static void test_col1_unknown_field_in_not_before_refused(void **state)
{
	const char *unknown = ",{\"code\":\"JSRQ\",\"name\":\"结束日期\",\"type\":\"date\","
			      "\"not_before\":\"CF_NOPE\",\"required\":\"N\"}";
	const char *not_date = ",{\"code\":\"JSRQ\",\"name\":\"结束日期\",\"type\":\"date\","
			       "\"not_before\":\"MC\",\"required\":\"N\"}";
	const char *ok = ",{\"code\":\"JSRQ\",\"name\":\"结束日期\",\"type\":\"date\","
			 "\"not_before\":\"RQ\",\"required\":\"N\"}";
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_fields(unknown, err), XY_ECATALOG);
	assert_err_names(err, "DS", "JSRQ");
	assert_non_null(strstr(err, "CF_NOPE"));
	/* A field that exists but is not a date. */
	assert_int_equal(parse_fields(not_date, err), XY_ECATALOG);
	assert_err_names(err, "DS", "JSRQ");
	/* The date field RQ is fine. */
	assert_int_equal(parse_fields(ok, err), 0);
}

static void test_col1_display_on_non_public_refused(void **state)
{
	static const char *const classes[] = {"government", "authorised"};
	const char *display = "\"display\":{\"months\":12,\"from\":\"RQ\"},";
	char err[ERR_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(classes); i++) {
		struct mini m = {.sharing = classes[i], .extra = display};
		assert_int_equal(parse_mini(&m, err), XY_ECATALOG);
		assert_err_names(err, "DS", "display");
		/* Without the display block the same dataset is fine. */
		m.extra = NULL;
		assert_int_equal(parse_mini(&m, err), 0);
	}
	assert_int_equal(parse_mini(&(struct mini){.extra = display}, err), 0);
}

static void test_col1_sensitive_without_mask_refused(void **state)
{
	const char *phone = ",{\"code\":\"DH\",\"name\":\"联系电话\",\"type\":\"phone\","
			    "\"required\":\"N\",\"sensitive\":true}";
	const char *name = ",{\"code\":\"XM\",\"name\":\"姓名\",\"type\":\"text\","
			   "\"required\":\"N\",\"personal\":true}";
	const char *masked = ",{\"code\":\"DH\",\"name\":\"联系电话\",\"type\":\"phone\","
			     "\"required\":\"N\",\"sensitive\":true,\"mask\":\"mobile\"}";
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_fields(phone, err), XY_ECATALOG);
	assert_err_names(err, "DS", "DH");
	assert_non_null(strstr(err, "mask"));
	assert_int_equal(parse_fields(name, err), XY_ECATALOG);
	assert_err_names(err, "DS", "XM");
	assert_int_equal(parse_fields(masked, err), 0);
}

/* The shipped catalog with "publish_natural": true added to one dataset. */
static int parse_default_publishing(const char *code, char *err)
{
	char key[64], *json, *out, *at;
	size_t n;
	const char add[] = "\"publish_natural\": true, ";
	int rc;

	json = xy_testdata_read("catalog/default.json", &n);
	assert_non_null(json);
	snprintf(key, sizeof key, "\"code\": \"%s\",", code);
	at = strstr(json, key);
	assert_non_null(at);
	out = malloc(n + sizeof add);
	assert_non_null(out);
	memcpy(out, json, (size_t)(at - json));
	memcpy(out + (at - json), add, sizeof add - 1);
	memcpy(out + (at - json) + sizeof add - 1, at, n - (size_t)(at - json) + 1);
	free(json);
	rc = parse_text(out, err);
	free(out);
	return rc;
}

/* NET-1: natural persons are published only where the catalog says so;
 * the shipped catalog says so nowhere, and only a public dataset whose
 * subject name is masked may. */
static void test_net1_publish_natural_only_where_allowed(void **state)
{
	struct xy_catalog *cat = load_default();
	char err[ERR_LEN];

	(void)state;
	for (int i = 0; i < cat->ndatasets; i++)
		assert_int_equal(cat->datasets[i].publish_natural, 0);
	xy_catalog_free(cat);
	assert_int_equal(parse_default_publishing("XZCF", err), 0);
	assert_int_equal(parse_default_publishing("QYSB", err), XY_ECATALOG);
	assert_err_names(err, "QYSB", "public");
	assert_int_equal(parse_default_publishing("GRQF", err), XY_ECATALOG);
	assert_err_names(err, "GRQF", "public");
	/* A legal-persons dataset has no natural person to publish. */
	assert_int_equal(parse_mini(&(struct mini){.extra = "\"publish_natural\":true,"}, err),
			 XY_ECATALOG);
	assert_err_names(err, "DS", "publish_natural");
	assert_int_equal(parse_mini(&(struct mini){.extra = "\"publish_natural\":1,"}, err),
			 XY_ECATALOG);
	assert_int_equal(parse_mini(&(struct mini){.extra = "\"publish_natural\":false,"}, err), 0);
}

/* A valid catalog padded with white space to n bytes. */
static char *padded_catalog(size_t n)
{
	char *json = mini_json(&(struct mini){0});
	size_t len = strlen(json);
	char *big = malloc(n + 1);

	assert_non_null(big);
	assert_true(len < n);
	memcpy(big, json, len);
	memset(big + len, ' ', n - len);
	big[n] = '\0';
	free(json);
	return big;
}

static void test_col1_catalog_over_file_max_refused(void **state)
{
	char err[ERR_LEN];
	struct xy_catalog *cat = NULL;
	char *big = padded_catalog(XY_CATALOG_FILE_MAX + 1);

	(void)state;
	assert_int_equal(xy_catalog_parse(big, XY_CATALOG_FILE_MAX + 1, &cat, err, sizeof err),
			 XY_ELIMIT);
	assert_null(cat);
	/* Exactly at the limit it is read. */
	assert_int_equal(xy_catalog_parse(big, XY_CATALOG_FILE_MAX, &cat, err, sizeof err), 0);
	assert_non_null(cat);
	xy_catalog_free(cat);
	free(big);
}

/* n text fields F1..Fn after the mini catalog's three. */
static int parse_many_fields(int n, char *err)
{
	char *f = malloc(MINI_MAX / 2);
	size_t used = 0;

	assert_non_null(f);
	f[0] = '\0';
	for (int i = 1; i <= n; i++) {
		int w = snprintf(f + used, MINI_MAX / 2 - used,
				 ",{\"code\":\"F%d\",\"name\":\"字段%d\",\"type\":\"text\","
				 "\"required\":\"N\"}",
				 i, i);
		assert_true(w > 0 && (size_t)w < MINI_MAX / 2 - used);
		used += (size_t)w;
	}
	int rc = parse_mini(&(struct mini){.fields = f}, err);
	free(f);
	return rc;
}

static void test_col1_too_many_fields_refused(void **state)
{
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_many_fields(XY_CATALOG_FIELDS_MAX - 3, err), 0);
	assert_int_equal(parse_many_fields(XY_CATALOG_FIELDS_MAX - 2, err), XY_ELIMIT);
	assert_err_names(err, "DS", NULL);
}

/* ---- COL-1: column headers to fields (xy_dataset_match_header on XZCF) ---- */

static int match(const struct xy_dataset *ds, const char *h)
{
	return xy_dataset_match_header(ds, h, strlen(h));
}

static void test_col1_header_code_and_full_name(void **state)
{
	const struct xy_dataset *ds = dataset(state, "XZCF");
	int shxym = xy_dataset_field(ds, "CF_XDR_SHXYM");
	int fk = xy_dataset_field(ds, "CF_NR_FK");

	assert_int_equal(match(ds, "CF_XDR_SHXYM"), shxym);
	assert_int_equal(match(ds, "行政相对人代码_1(统一社会信用代码)"), shxym);
	assert_int_equal(match(ds, "处罚机关统一社会信用代码"), xy_dataset_field(ds, "CF_CFJGDM"));
	assert_int_equal(match(ds, "罚款金额（万元）"), fk);
	assert_int_equal(match(ds, "罚款金额(万元)"), fk);
	assert_int_equal(match(ds, "罚款金额"), fk); /* the alias */
	assert_int_equal(match(ds, "没收违法所得、没收非法财物的金额"),
			 xy_dataset_field(ds, "CF_NR_WFFF"));
	assert_int_equal(match(ds, "失信严重程度"), xy_dataset_field(ds, "CF_YZCD"));
}

static void test_col1_header_short_name_and_spacing(void **state)
{
	const struct xy_dataset *ds = dataset(state, "XZCF");
	int shxym = xy_dataset_field(ds, "CF_XDR_SHXYM");

	assert_int_equal(match(ds, "统一社会信用代码"), shxym);
	assert_int_equal(match(ds, "  统一社会信用代码\t "), shxym);
	assert_int_equal(match(ds, "\u3000统一社会信用代码\u3000"), shxym);
	assert_int_equal(match(ds, "行政相对人代码_1（统一社会信用代码）"), shxym);
	assert_int_equal(match(ds, " 行政相对人代码_1（统一社会信用代码)\u3000"), shxym);
	assert_int_equal(match(ds, "工商注册号"), xy_dataset_field(ds, "CF_XDR_GSZC"));
	/* The header is a byte range: bytes past n are not part of it. */
	const char *line = "CF_WSH,CF_JDRQ";
	assert_int_equal(xy_dataset_match_header(ds, line, 6), xy_dataset_field(ds, "CF_WSH"));
}

/* Ideographic and ASCII spaces mixed at the end of a cell ("名称 　") are surrounding
 * spaces too; they are mixed at the start already. */
static void test_col1_header_mixed_trailing_spaces(void **state)
{
	const struct xy_dataset *ds = dataset(state, "XZCF");
	int shxym = xy_dataset_field(ds, "CF_XDR_SHXYM");

	assert_int_equal(match(ds, " \u3000统一社会信用代码"), shxym);
	assert_int_equal(match(ds, "统一社会信用代码\u3000 "), shxym);
	assert_int_equal(match(ds, "统一社会信用代码 \u3000"), shxym);
}

static void test_col1_header_ambiguous_unknown_empty(void **state)
{
	const struct xy_dataset *ds = dataset(state, "XZCF");

	/* 万元 is the short name of both CF_NR_FK and CF_NR_WFFF. */
	assert_int_equal(match(ds, "万元"), -2);
	assert_int_equal(match(ds, " 万元 "), -2);
	assert_int_equal(match(ds, "血型"), -1);
	assert_int_equal(match(ds, "CF_XDR"), -1);
	assert_int_equal(match(ds, "统一社会信用"), -1);
	assert_int_equal(match(ds, ""), -1);
	assert_int_equal(match(ds, "   "), -1);
	assert_int_equal(match(ds, "\u3000"), -1);
	/* A header far longer than any name is unknown, not a crash. */
	char big[4096];
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(match(ds, big), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_col1_shr1_default_catalog_datasets_and_their_sharing_class,
			setup_default, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_col1_default_xzcf_national_fields,
						setup_default, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_col1_default_xzcf_types_and_protection,
						setup_default, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_col1_default_subjects_and_periods,
						setup_default, teardown_catalog),
		cmocka_unit_test(test_col1_small_valid_catalog_parses),
		cmocka_unit_test(test_col3_file_prohibited_zh_refused),
		cmocka_unit_test(test_col3_file_prohibited_en_refused),
		cmocka_unit_test(test_col3_file_prohibited_synonym_refused),
		cmocka_unit_test(test_col1_file_dup_field_refused),
		cmocka_unit_test(test_col1_file_bad_type_refused),
		cmocka_unit_test(test_col1_file_cond_missing_refused),
		cmocka_unit_test(test_col3_prohibited_english_spellings),
		cmocka_unit_test(test_col3_prohibited_chinese_terms),
		cmocka_unit_test(test_col3_lookalikes_not_prohibited),
		cmocka_unit_test(test_col3_prohibited_term_direct),
		cmocka_unit_test(test_col3_long_english_name_still_checked),
		cmocka_unit_test(test_col1_mini_catalog_parses),
		cmocka_unit_test(test_net1_publish_natural_only_where_allowed),
		cmocka_unit_test(test_col1_invalid_json_refused),
		cmocka_unit_test(test_col1_not_an_object_refused),
		cmocka_unit_test(test_col1_duplicate_dataset_refused),
		cmocka_unit_test(test_col1_unknown_code_list_refused),
		cmocka_unit_test(test_col1_unknown_field_in_key_refused),
		cmocka_unit_test(test_col1_unknown_field_in_subject_refused),
		cmocka_unit_test(test_col1_unknown_key_and_legal_code_named),
		cmocka_unit_test(test_col1_unknown_field_in_required_if_refused),
		cmocka_unit_test(test_col1_unknown_field_in_not_before_refused),
		cmocka_unit_test(test_col1_display_on_non_public_refused),
		cmocka_unit_test(test_col1_sensitive_without_mask_refused),
		cmocka_unit_test(test_col1_catalog_over_file_max_refused),
		cmocka_unit_test(test_col1_too_many_fields_refused),
		cmocka_unit_test_setup_teardown(test_col1_header_code_and_full_name, setup_default,
						teardown_catalog),
		cmocka_unit_test_setup_teardown(test_col1_header_short_name_and_spacing,
						setup_default, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_col1_header_mixed_trailing_spaces,
						setup_default, teardown_catalog),
		cmocka_unit_test_setup_teardown(test_col1_header_ambiguous_unknown_empty,
						setup_default, teardown_catalog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
