/* Unit tests of the synthetic demo-data generator (src/svc/demo.c).  The files it writes must
 * pass the import checks of COL-2; the tests read them back with a small RFC 4180 splitter of
 * their own and check every row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/codes.h"
#include "svc/demo.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"

#define TODAY	 20260315
#define MAXF	 40
#define NLEGAL	 3000
#define NNATURAL 2000

/* ------------------------------------------------------------------ fixture */

static const struct xy_demo_region counties[] = {
	{"360402", "濂溪区"},
	{"360403", "浔阳区"},
};

static const char *const prov_market[] = {"XZCF", "XZXK", "YZSX", "SXJL", "XZCF", "NOPE"};
static const char *const prov_hrss[] = {"QYSB", "XZCF"};
static const char *const prov_water[] = {"GRQF"};
static const char *const prov_tax[] = {"XZCF", "SXJL", "YZSX"};

static char code_market[19], code_hrss[19], code_water[19], code_tax[19];
static struct xy_demo_unit units[4];

/* A valid USCC for a government unit (1 1 = 机关) of the given region and body. */
static void make_code(char out[19], const char *region, const char *body)
{
	memcpy(out, "11", 2);
	memcpy(out + 2, region, 6);
	memcpy(out + 8, body, 8);
	out[16] = xy_orgcode_check_char(out + 8);
	out[17] = xy_uscc_check_char(out);
	out[18] = '\0';
}

static struct xy_demo_spec make_spec(uint64_t seed)
{
	struct xy_demo_spec s = {
		.seed = seed,
		.legal = NLEGAL,
		.natural = NNATURAL,
		.records = 20000,
		.today = TODAY,
		.city_code = "360400",
		.city_name = "九江市",
		.counties = counties,
		.ncounties = 2,
		.units = units,
		.nunits = 4,
	};

	make_code(code_market, "360402", "MA35A1B2");
	make_code(code_hrss, "360400", "01483726");
	make_code(code_water, "360400", "70551234");
	make_code(code_tax, "360403", "01455555");
	units[0] = (struct xy_demo_unit){code_market, "九江市濂溪区市场监督管理局", "360402",
					 prov_market, 6};
	units[1] = (struct xy_demo_unit){code_hrss, "九江市人力资源和社会保障局", "360400",
					 prov_hrss, 2};
	units[2] =
		(struct xy_demo_unit){code_water, "九江市自来水有限公司", "360400", prov_water, 1};
	units[3] = (struct xy_demo_unit){code_tax, "国家税务总局九江市浔阳区税务局", "360403",
					 prov_tax, 3};
	return s;
}

/* ---------------------------------------------------------------- CSV reader */

struct csv {
	FILE *f;
	char *line;
	size_t cap;
	char *hline;
	size_t hcap;
	char *hdr[MAXF];
	int nh;
	char *fld[MAXF];
	int nf;
	long rows;
};

/* Splits one line in place (RFC 4180 quotes, no line breaks inside); field count or -1. */
static int split(char *line, char **f, int max)
{
	char *w = line, *r = line;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (;;) {
		if (n == max)
			return -1;
		f[n++] = w;
		if (*r == '"') {
			for (r++;; r++) {
				if (!*r)
					return -1;
				if (*r == '"' && r[1] != '"')
					break;
				if (*r == '"')
					r++;
				*w++ = *r;
			}
			r++;
		} else {
			while (*r && *r != ',' && *r != '"')
				*w++ = *r++;
		}
		if (!*r) {
			*w = '\0';
			return n;
		}
		if (*r != ',')
			return -1; /* a quote inside an unquoted field, or text after a closing one
				    */
		*w++ = '\0';
		r++;
	}
}

static void csv_open(struct csv *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	assert_non_null(f);
	assert_true(getline(&c->hline, &c->hcap, f) > 0);
	c->nh = split(c->hline, c->hdr, MAXF);
	assert_true(c->nh > 0);
}

/* Next record: 1, or 0 at the end.  Every record has the header's field count. */
static int csv_next(struct csv *c)
{
	if (getline(&c->line, &c->cap, c->f) < 0)
		return 0;
	c->nf = split(c->line, c->fld, MAXF);
	assert_int_equal(c->nf, c->nh);
	c->rows++;
	return 1;
}

static const char *col(const struct csv *c, const char *name)
{
	for (int k = 0; k < c->nh; k++)
		if (!strcmp(c->hdr[k], name))
			return c->fld[k];
	fail_msg("no column %s", name);
	return NULL;
}

static int has_col(const struct csv *c, const char *name)
{
	for (int k = 0; k < c->nh; k++)
		if (!strcmp(c->hdr[k], name))
			return 1;
	return 0;
}

static void csv_close(struct csv *c)
{
	fclose(c->f);
	free(c->line);
	free(c->hline);
}

/* Rows of one dataset from one unit in a temporary file, rewound for reading. */
static FILE *rows_file(const struct xy_demo_spec *s, const char *ds, const struct xy_demo_unit *u,
		       long n, double natural)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(xy_demo_write_rows(s, ds, u, n, natural, f), 0);
	rewind(f);
	return f;
}

/* ------------------------------------------------------------------ helpers */

static int32_t day_of(const char *s)
{
	int32_t d = 0;

	assert_int_equal(strlen(s), 10); /* YYYY-MM-DD */
	assert_int_equal(xy_date_parse(s, strlen(s), &d), 0);
	return d;
}

static int32_t today_days(void)
{
	return xy_date_from_ymd(TODAY / 10000, TODAY / 100 % 100, TODAY % 100);
}

static void assert_uscc(const char *s)
{
	if (xy_uscc_check(s, strlen(s)) != XY_CODE_OK)
		fail_msg("invalid USCC %s", s);
}

static void assert_idnum(const char *s)
{
	if (xy_idnum_check(s, strlen(s), TODAY) != XY_CODE_OK)
		fail_msg("invalid identity number %s", s);
}

/* A plain positive decimal: digits, optionally a point and digits. */
static void assert_decimal(const char *s)
{
	size_t n = strspn(s, "0123456789");

	assert_true(n > 0);
	if (s[n] == '.') {
		assert_true(strspn(s + n + 1, "0123456789") > 0);
		n += 1 + strspn(s + n + 1, "0123456789");
	}
	assert_int_equal(s[n], '\0');
	assert_true(strtod(s, NULL) > 0.0);
}

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(s, list[k]))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts n strings and fails on the first repeat; frees them. */
static void assert_all_distinct(char **v, size_t n, const char *what)
{
	qsort(v, n, sizeof(v[0]), cmp_str);
	for (size_t k = 1; k < n; k++)
		if (!strcmp(v[k - 1], v[k]))
			fail_msg("%s repeats: %s", what, v[k]);
	for (size_t k = 0; k < n; k++)
		free(v[k]);
}

static char *tmp_dir(void)
{
	char *d = strdup("/tmp/xy_test_demo_XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
	free(dir);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* What xy_demo_write_files reported. */
struct filelog {
	int n;
	char ds[16][8];
	char unit[16][19];
	char path[16][256];
	long rows[16];
};

static int log_file(void *arg, const char *ds, const char *unit, const char *path, long rows)
{
	struct filelog *l = arg;

	assert_true(l->n < 16);
	snprintf(l->ds[l->n], sizeof(l->ds[0]), "%s", ds);
	snprintf(l->unit[l->n], sizeof(l->unit[0]), "%s", unit);
	snprintf(l->path[l->n], sizeof(l->path[0]), "%s", path);
	l->rows[l->n] = rows;
	l->n++;
	return 0;
}

static void write_all(const struct xy_demo_spec *s, char *dir, struct filelog *log)
{
	memset(log, 0, sizeof(*log));
	assert_int_equal(xy_demo_write_files(s, dir, log_file, log), 0);
}

/* -------------------------------------------------------------------- tests */

/* COL-2: every invented USCC and identity number passes the validators, carries its county's
 * region code, and none repeats; company names do not repeat either. */
static void test_col2_demo_codes_and_ids_valid(void **state)
{
	struct xy_demo_spec s = make_spec(7);
	enum { N = 20000 };
	char **codes = calloc(N, sizeof(char *)), **names = calloc(N, sizeof(char *));
	char **ids = calloc(N, sizeof(char *));
	char code[19], name[320];

	(void)state;
	assert_non_null(codes);
	assert_non_null(names);
	assert_non_null(ids);
	for (long i = 0; i < N; i++) {
		xy_demo_legal(&s, i, code, name, sizeof(name));
		assert_uscc(code);
		assert_true(code[0] == '9' && (code[1] == '1' || code[1] == '2'));
		assert_memory_equal(code + 2, counties[i % 2].code, 6);
		assert_true(strstr(name, counties[i % 2].name) == name);
		codes[i] = strdup(code);
		names[i] = strdup(name);
		xy_demo_person(&s, i, code, name, sizeof(name));
		assert_idnum(code);
		assert_memory_equal(code, counties[i % 2].code, 6);
		assert_true(strncmp(code + 6, "1950", 4) >= 0 && strncmp(code + 6, "2005", 4) <= 0);
		assert_true(strlen(name) >= 6 && strlen(name) <= 9); /* 2-3 characters */
		ids[i] = strdup(code);
	}
	assert_all_distinct(codes, N, "USCC");
	assert_all_distinct(names, N, "company name");
	assert_all_distinct(ids, N, "identity number");
	free(codes);
	free(names);
	free(ids);
}

/* Subjects at the far end of the range are valid too, and a name is cut at a character. */
static void test_col2_demo_subject_edges(void **state)
{
	struct xy_demo_spec s = make_spec(7);
	char code[19], name[8];

	(void)state;
	xy_demo_legal(&s, XY_SUBJECTS_DEMO_MAX - 1, code, name, sizeof(name));
	assert_uscc(code);
	assert_int_equal(strlen(name), 6); /* 濂溪 / 浔阳: two whole characters fit in 8 bytes */
	xy_demo_person(&s, XY_SUBJECTS_DEMO_MAX - 1, code, name, sizeof(name));
	assert_idnum(code);
	xy_demo_legal(&s, -1, code, name, sizeof(name));
	assert_string_equal(code, "");
	assert_string_equal(name, "");
}

static void test_demo_same_seed_same_bytes(void **state)
{
	struct xy_demo_spec s = make_spec(42), t = make_spec(43);
	char *d1 = tmp_dir(), *d2 = tmp_dir(), *d3 = tmp_dir();
	struct filelog l1, l2, l3;
	int differ = 0;

	(void)state;
	write_all(&s, d1, &l1);
	write_all(&s, d2, &l2);
	write_all(&t, d3, &l3);
	assert_int_equal(l1.n, l2.n);
	assert_int_equal(l1.n, l3.n);
	for (int k = 0; k < l1.n; k++) {
		size_t n1, n2, n3;
		char *a = slurp(l1.path[k], &n1), *b = slurp(l2.path[k], &n2);
		char *c = slurp(l3.path[k], &n3);

		assert_string_equal(l1.ds[k], l2.ds[k]);
		assert_int_equal(n1, n2);
		assert_memory_equal(a, b, n1);
		differ += n1 != n3 || memcmp(a, c, n1);
		free(a);
		free(b);
		free(c);
	}
	assert_int_equal(differ, l1.n); /* another seed changes every file */
	rm_dir(d1);
	rm_dir(d2);
	rm_dir(d3);
}

static void test_demo_rows_same_seed_same_bytes(void **state)
{
	struct xy_demo_spec s = make_spec(42), t = make_spec(43);
	char *a = NULL, *b = NULL, *c = NULL;
	size_t na = 0, nb = 0, nc = 0;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);
	FILE *fc = open_memstream(&c, &nc);

	(void)state;
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &units[0], 3000, 0.2, fa), 0);
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &units[0], 3000, 0.2, fb), 0);
	assert_int_equal(xy_demo_write_rows(&t, "XZCF", &units[0], 3000, 0.2, fc), 0);
	fclose(fa);
	fclose(fb);
	fclose(fc);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	assert_true(na != nc || memcmp(a, c, na));
	free(a);
	free(b);
	free(c);
}

/* The code/name pairs the subject functions give, sorted by code for lookups. */
struct pair {
	char code[19];
	char name[320];
};

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->code, ((const struct pair *)b)->code);
}

static struct pair *subject_table(const struct xy_demo_spec *s, int natural, long n)
{
	struct pair *p = calloc((size_t)n, sizeof(*p));

	assert_non_null(p);
	for (long i = 0; i < n; i++) {
		if (natural)
			xy_demo_person(s, i, p[i].code, p[i].name, sizeof(p[i].name));
		else
			xy_demo_legal(s, i, p[i].code, p[i].name, sizeof(p[i].name));
	}
	qsort(p, (size_t)n, sizeof(*p), cmp_pair);
	return p;
}

static void assert_known(const struct pair *t, long n, const char *code, const char *name)
{
	struct pair key;
	const struct pair *hit;

	snprintf(key.code, sizeof(key.code), "%s", code);
	hit = bsearch(&key, t, (size_t)n, sizeof(*t), cmp_pair);
	if (!hit)
		fail_msg("%s is not one of the invented subjects", code);
	assert_string_equal(hit->name, name);
}

static const char *const code_cols[][3] = {
	/* dataset, code column, name column of the subject, for legal persons */
	{"CF_", "CF_XDR_SHXYM", "CF_XDR_MC"}, {"XK_", "XK_XDR_SHXYM", "XK_XDR_MC"},
	{"YZSX", "YZSX_SHXYM", "YZSX_ZTMC"},  {"SXJL", "SXJL_SHXYM", "SXJL_ZTMC"},
	{"QYSB", "QYSB_SHXYM", "QYSB_DWMC"},
};

static const char *const id_cols[][3] = {
	/* natural persons: the subject's, then the legal representative's */
	{"CF_", "CF_XDR_ZJHM", "CF_XDR_MC"}, {"XK_", "XK_XDR_ZJHM", "XK_XDR_MC"},
	{"YZSX", "YZSX_ZJHM", "YZSX_ZTMC"},  {"GRQF", "GRQF_ZJHM", "GRQF_XM"},
	{"CF_", "CF_FR_ZJHM", "CF_FRDB"},    {"XK_", "XK_FR_ZJHM", "XK_FDDB"},
};

/* Subject i has one code and one name everywhere: every code or identity number in any file is
 * one the subject functions give, with the same name; legal representatives are invented
 * persons too. */
static void test_demo_subject_same_in_every_dataset(void **state)
{
	struct xy_demo_spec s = make_spec(9);
	struct pair *legal = subject_table(&s, 0, NLEGAL), *nat = subject_table(&s, 1, NNATURAL);
	char *dir = tmp_dir();
	struct filelog log;
	long checked = 0;

	(void)state;
	write_all(&s, dir, &log);
	for (int k = 0; k < log.n; k++) {
		struct csv c;

		csv_open(&c, fopen(log.path[k], "r"));
		while (csv_next(&c)) {
			for (size_t j = 0; j < sizeof(code_cols) / sizeof(code_cols[0]); j++) {
				if (strncmp(c.hdr[0], code_cols[j][0], strlen(code_cols[j][0])) ||
				    !*col(&c, code_cols[j][1]))
					continue;
				assert_known(legal, NLEGAL, col(&c, code_cols[j][1]),
					     col(&c, code_cols[j][2]));
				checked++;
			}
			for (size_t j = 0; j < sizeof(id_cols) / sizeof(id_cols[0]); j++) {
				if (strncmp(c.hdr[0], id_cols[j][0], strlen(id_cols[j][0])) ||
				    !has_col(&c, id_cols[j][1]) || !*col(&c, id_cols[j][1]))
					continue;
				assert_known(nat, NNATURAL, col(&c, id_cols[j][1]),
					     col(&c, id_cols[j][2]));
				checked++;
			}
		}
		csv_close(&c);
	}
	assert_true(checked > 20000);
	free(legal);
	free(nat);
	rm_dir(dir);
}

static const char *const cflb_all[] = {
	"警告",		"通报批评",	"罚款",
	"没收违法所得", "没收非法财物", "暂扣许可证件",
	"降低资质等级", "吊销许可证件", "限制开展生产经营活动",
	"责令停产停业", "责令关闭",	"限制从业",
	"行政拘留",	"其他",
};

struct cf_stats {
	long rows, natural, legal_local;
	unsigned classes; /* bit per cflb_all entry seen */
};

/* The penalty classes of a row: all known; returns a bit set. */
static unsigned cf_classes(const char *cflb)
{
	const size_t nall = sizeof(cflb_all) / sizeof(cflb_all[0]);
	unsigned set = 0;

	for (const char *t = cflb; *t;) {
		size_t n = strcspn(t, ";"), k = 0;

		while (k < nall && (strlen(cflb_all[k]) != n || strncmp(t, cflb_all[k], n)))
			k++;
		if (k == nall)
			fail_msg("unknown 处罚类别 in %s", cflb);
		set |= 1u << k;
		t += n + (t[n] == ';');
	}
	assert_true(set != 0);
	return set;
}

static void check_cf_subject(const struct csv *c, struct cf_stats *st, const char *region)
{
	static const char *const codes[] = {"CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ",
					    "CF_XDR_SYDW", "CF_XDR_SHZZ"};
	const char *lb = col(c, "CF_XDR_LB");

	for (size_t k = 0; k < 5; k++)
		assert_string_equal(col(c, codes[k]), "");
	if (!strcmp(lb, "自然人")) {
		st->natural++;
		assert_string_equal(col(c, "CF_XDR_SHXYM"), "");
		assert_string_equal(col(c, "CF_FRDB"), "");
		assert_string_equal(col(c, "CF_FR_ZJLX"), "");
		assert_string_equal(col(c, "CF_FR_ZJHM"), "");
		assert_string_equal(col(c, "CF_XDR_ZJLX"), "身份证");
		assert_idnum(col(c, "CF_XDR_ZJHM"));
		return;
	}
	assert_true(!strcmp(lb, "法人及非法人组织") || !strcmp(lb, "个体工商户"));
	assert_uscc(col(c, "CF_XDR_SHXYM"));
	assert_true(*col(c, "CF_FRDB"));
	assert_string_equal(col(c, "CF_XDR_ZJLX"), "");
	assert_string_equal(col(c, "CF_XDR_ZJHM"), "");
	if (*col(c, "CF_FR_ZJHM")) {
		assert_string_equal(col(c, "CF_FR_ZJLX"), "身份证");
		assert_idnum(col(c, "CF_FR_ZJHM"));
	}
	st->legal_local += region && !strncmp(col(c, "CF_XDR_SHXYM") + 2, region, 6);
}

static void check_cf_penalty(const struct csv *c, struct cf_stats *st)
{
	unsigned cls = cf_classes(col(c, "CF_CFLB"));
	int fk = !!(cls & (1u << 2)), wf = !!(cls & (3u << 3)), zk = !!(cls & (5u << 5));

	st->classes |= cls;
	if (fk)
		assert_decimal(col(c, "CF_NR_FK"));
	else
		assert_string_equal(col(c, "CF_NR_FK"), "");
	if (wf)
		assert_decimal(col(c, "CF_NR_WFFF"));
	else
		assert_string_equal(col(c, "CF_NR_WFFF"), "");
	assert_int_equal(!!*col(c, "CF_NR_ZKDX"), zk);
}

static void check_cf_dates(const struct csv *c)
{
	static const char *const sev[] = {"轻微", "一般", "较重", "严重"};
	int32_t jd = day_of(col(c, "CF_JDRQ"));

	assert_true(jd <= today_days());
	assert_true(jd > today_days() - 3 * 366);
	assert_true(day_of(col(c, "CF_YXQ")) > jd);
	if (*col(c, "CF_GSJZQ"))
		assert_true(day_of(col(c, "CF_GSJZQ")) >= jd);
	assert_true(in_list(col(c, "CF_YZCD"), sev, 4));
}

/* One XZCF row against the rules of COL-2 and the catalog's conditional fields. */
static void check_cf_row(const struct csv *c, struct cf_stats *st, const char *region)
{
	static const char *const required[] = {"CF_XDR_MC", "CF_XDR_LB", "CF_WSH",  "CF_WFXW",
					       "CF_SY",	    "CF_YJ",	 "CF_CFLB", "CF_NR",
					       "CF_JDRQ",   "CF_YXQ",	 "CF_CFJG", "CF_SJLY"};

	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		assert_true(*col(c, required[k]));
	check_cf_subject(c, st, region);
	check_cf_penalty(c, st);
	check_cf_dates(c);
	assert_uscc(col(c, "CF_CFJGDM"));
	assert_uscc(col(c, "CF_SJLYDM"));
	st->rows++;
}

/* COL-2: 20,000 XZCF rows, every one valid; every penalty class occurs; the natural-person
 * share is the one asked for; a county unit's enterprises are mostly of its county. */
static void test_col2_demo_xzcf_rows_valid(void **state)
{
	struct xy_demo_spec s = make_spec(11);
	struct cf_stats st = {0};
	struct csv c;

	(void)state;
	csv_open(&c, rows_file(&s, "XZCF", &units[0], 20000, 0.3));
	assert_int_equal(c.nh, 31);
	assert_true(has_col(&c, "CF_YZCD"));
	while (csv_next(&c))
		check_cf_row(&c, &st, "360402");
	csv_close(&c);
	assert_int_equal(st.rows, 20000);
	assert_in_range(st.natural, 5000, 7000);
	assert_true(st.legal_local * 100 >= (st.rows - st.natural) * 75);
	for (int u = 1; u < 4; u++) {
		csv_open(&c, rows_file(&s, "XZCF", &units[u], 5000, 0.5));
		while (csv_next(&c))
			check_cf_row(&c, &st, NULL);
		csv_close(&c);
	}
	assert_int_equal(st.rows, 35000);
}

/* Every penalty class of the national list appears in some unit's rows, each time with the
 * amounts and licence fields its class calls for (checked by check_cf_row). */
static void test_col2_demo_xzcf_all_classes(void **state)
{
	static const char *names[] = {"九江市公安局",	      "九江市住房和城乡建设局",
				      "九江市生态环境局",     "九江市卫生健康委员会",
				      "九江市城市管理局",     "九江市应急管理局",
				      "九江市市场监督管理局", "九江市文化广电旅游局"};
	struct xy_demo_spec s = make_spec(5);
	struct cf_stats st = {0};
	char code[19];

	(void)state;
	make_code(code, "360400", "55550001");
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct xy_demo_unit u = {code, names[k], "360400", prov_tax, 3};
		struct csv c;

		csv_open(&c, rows_file(&s, "XZCF", &u, 3000, 0.5));
		while (csv_next(&c))
			check_cf_row(&c, &st, NULL);
		csv_close(&c);
	}
	assert_int_equal(st.classes, (1u << 14) - 1);
}

/* share 0 and 1 are exact; without natural persons every row is a legal person's. */
static void test_demo_natural_share_bounds(void **state)
{
	struct xy_demo_spec s = make_spec(3);
	struct cf_stats a = {0}, b = {0}, z = {0};
	struct csv c;

	(void)state;
	csv_open(&c, rows_file(&s, "XZCF", &units[0], 2000, 0.0));
	while (csv_next(&c))
		check_cf_row(&c, &a, NULL);
	csv_close(&c);
	csv_open(&c, rows_file(&s, "XZCF", &units[0], 2000, 1.0));
	while (csv_next(&c))
		check_cf_row(&c, &b, NULL);
	csv_close(&c);
	s.natural = 0;
	csv_open(&c, rows_file(&s, "XZCF", &units[0], 2000, 1.0));
	while (csv_next(&c))
		check_cf_row(&c, &z, NULL);
	csv_close(&c);
	assert_int_equal(a.natural, 0);
	assert_int_equal(b.natural, 2000);
	assert_int_equal(z.natural, 0);
}

/* Fields holding an event date (decision, start, listing, statistics): never after today. */
static const char *const event_dates[] = {
	"CF_JDRQ", "XK_JDRQ", "XK_YXQZ", "YZSX_LRRQ", "SXJL_RDRQ", "GRQF_QFQSRQ", "GRQF_TJRQ",
};

/* Every date in every file is a real YYYY-MM-DD; event dates are not after today, periods
 * end after they begin, and QYSB months are past months. */
static void test_col2_demo_dates_not_after_today(void **state)
{
	struct xy_demo_spec s = make_spec(13);
	char *dir = tmp_dir();
	struct filelog log;
	long dates = 0;

	(void)state;
	write_all(&s, dir, &log);
	for (int k = 0; k < log.n; k++) {
		struct csv c;

		csv_open(&c, fopen(log.path[k], "r"));
		while (csv_next(&c)) {
			for (size_t j = 0; j < sizeof(event_dates) / sizeof(event_dates[0]); j++) {
				if (!has_col(&c, event_dates[j]))
					continue;
				assert_true(day_of(col(&c, event_dates[j])) <= today_days());
				dates++;
			}
			if (has_col(&c, "XK_YXQZI"))
				assert_true(day_of(col(&c, "XK_YXQZI")) >=
					    day_of(col(&c, "XK_YXQZ")));
			if (has_col(&c, "YZSX_YXQZ"))
				assert_true(day_of(col(&c, "YZSX_YXQZ")) >
					    day_of(col(&c, "YZSX_LRRQ")));
			if (has_col(&c, "GRQF_QFQSRQ"))
				assert_true(day_of(col(&c, "GRQF_QFQSRQ")) <
					    day_of(col(&c, "GRQF_TJRQ")));
			if (has_col(&c, "QYSB_JFNY"))
				assert_true(strcmp(col(&c, "QYSB_JFNY"), "2026-03") < 0);
		}
		csv_close(&c);
	}
	assert_true(dates > 15000);
	rm_dir(dir);
}

/* The other datasets' own rules: licence type and state, list categories, amounts. */
static void check_other_row(const struct csv *c)
{
	static const char *const xklb[] = {"普通", "特许", "认可", "核准", "登记", "其他"};
	static const char *const jllb[] = {"A级纳税人", "守合同重信用企业", "诚信示范企业",
					   "海关高级认证企业", "其他"};
	static const char *const jfzt[] = {"正常", "欠缴", "中断", "注销"};
	static const char *const qflx[] = {"水费",   "电费",	   "燃气费", "供热费",
					   "通信费", "有线电视费", "物业费", "其他"};

	if (has_col(c, "XK_XKLB")) {
		assert_true(in_list(col(c, "XK_XKLB"), xklb, 6));
		assert_true(!strcmp(col(c, "XK_ZT"), "有效") || !strcmp(col(c, "XK_ZT"), "无效"));
		assert_uscc(col(c, "XK_XKJGDM"));
	}
	if (has_col(c, "SXJL_JLLB")) {
		assert_true(in_list(col(c, "SXJL_JLLB"), jllb, 5));
		assert_uscc(col(c, "SXJL_SHXYM"));
	}
	if (has_col(c, "QYSB_JFZT")) {
		double yj = strtod(col(c, "QYSB_YJJE"), NULL),
		       sj = strtod(col(c, "QYSB_SJJE"), NULL);
		double qj = strtod(col(c, "QYSB_QJJE"), NULL);

		assert_true(in_list(col(c, "QYSB_JFZT"), jfzt, 4));
		assert_true(yj - sj - qj < 0.005 && yj - sj - qj > -0.005);
		assert_int_equal(strlen(col(c, "QYSB_JFNY")), 7);
	}
	if (has_col(c, "GRQF_QFLX")) {
		const char *tel = col(c, "GRQF_LXDH");

		assert_true(in_list(col(c, "GRQF_QFLX"), qflx, 8));
		assert_int_equal(strlen(tel), 11);
		assert_true(tel[0] == '1' && tel[1] >= '3' && tel[1] <= '9');
		assert_int_equal(strspn(tel, "0123456789"), 11);
		assert_true(strstr(col(c, "GRQF_ZZ"), "江西省九江市") == col(c, "GRQF_ZZ"));
		assert_decimal(col(c, "GRQF_QFJE"));
	}
	if (has_col(c, "YZSX_ZTLB") && !strcmp(col(c, "YZSX_ZTLB"), "自然人"))
		assert_idnum(col(c, "YZSX_ZJHM"));
	else if (has_col(c, "YZSX_ZTLB"))
		assert_uscc(col(c, "YZSX_SHXYM"));
}

static const char *const keys[][3] = {
	{"XZCF", "CF_WSH", NULL},
	{"XZXK", "XK_WSH", NULL},
	{"YZSX", "YZSX_LRWH", NULL},
	{"SXJL", "SXJL_RDWH", NULL},
	{"QYSB", "QYSB_SHXYM", "QYSB_JFNY"},
	{"GRQF", "GRQF_HH", "GRQF_TJRQ"},
};

/* The key of one row (GRQF's third key field, GRQF_QFLX, is constant per unit). */
static char *row_key(const struct csv *c, int ds)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s|%s", col(c, keys[ds][1]),
		 keys[ds][2] ? col(c, keys[ds][2]) : "");
	return strdup(buf);
}

/* COL-2: a second row with the same key is refused as a duplicate, so the generator never
 * repeats a key within 20,000 rows of one unit; the other rules of each dataset hold too. */
static void test_col2_demo_keys_unique(void **state)
{
	struct xy_demo_spec s = make_spec(17);
	enum { N = 20000 };

	(void)state;
	for (int d = 0; d < 6; d++) {
		const struct xy_demo_unit *u = !strcmp(keys[d][0], "QYSB")   ? &units[1]
					       : !strcmp(keys[d][0], "GRQF") ? &units[2]
									     : &units[0];
		char **v = calloc(N, sizeof(char *));
		struct csv c;
		long n = 0;

		assert_non_null(v);
		csv_open(&c, rows_file(&s, keys[d][0], u, N, 0.25));
		while (csv_next(&c)) {
			check_other_row(&c);
			v[n++] = row_key(&c, d);
		}
		csv_close(&c);
		assert_int_equal(n, N);
		assert_all_distinct(v, N, keys[d][0]);
		free(v);
	}
}

/* A county social-insurance unit has few enterprises: QYSB rows stop at 120 months each. */
static void test_demo_qysb_cap(void **state)
{
	struct xy_demo_spec s = make_spec(17);
	struct xy_demo_unit u = units[0];
	FILE *f = tmpfile();

	(void)state;
	s.legal = 10; /* 5 in 濂溪区 */
	assert_int_equal(xy_demo_write_rows(&s, "QYSB", &u, 600, 0, f), 0);
	assert_int_equal(xy_demo_write_rows(&s, "QYSB", &u, 601, 0, f), XY_ELIMIT);
	s.legal = 0;
	assert_int_equal(xy_demo_write_rows(&s, "QYSB", &u, 1, 0, f), XY_EINVAL);
	assert_int_equal(xy_demo_write_rows(&s, "QYSB", &u, 0, 0, f), 0);
	fclose(f);
}

/* Rows for a benchmark and the demo files of the same unit can go into one instance. */
static void test_col2_demo_bench_rows_apart_from_files(void **state)
{
	struct xy_demo_spec s = make_spec(19);
	char *dir = tmp_dir();
	struct filelog log;
	char **v = calloc(40000, sizeof(char *));
	size_t n = 0;
	struct csv c;

	(void)state;
	assert_non_null(v);
	write_all(&s, dir, &log);
	for (int k = 0; k < log.n; k++) {
		if (strcmp(log.ds[k], "XZCF") || strcmp(log.unit[k], code_market))
			continue;
		csv_open(&c, fopen(log.path[k], "r"));
		while (csv_next(&c))
			v[n++] = row_key(&c, 0);
		csv_close(&c);
	}
	assert_true(n > 1000);
	csv_open(&c, rows_file(&s, "XZCF", &units[0], 10000, 0.2));
	while (csv_next(&c))
		v[n++] = row_key(&c, 0);
	csv_close(&c);
	assert_all_distinct(v, n, "CF_WSH");
	free(v);
	rm_dir(dir);
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int ch;

	assert_non_null(f);
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* 2 counties, 4 units: one file per (dataset, unit providing it), a dataset listed twice
 * once, an unknown one not at all; rows as reported; records shared out as documented. */
static void test_demo_file_set(void **state)
{
	static const char *const want[][2] = {
		{"XZCF", code_market}, {"XZXK", code_market}, {"YZSX", code_market},
		{"SXJL", code_market}, {"QYSB", code_hrss},   {"XZCF", code_hrss},
		{"GRQF", code_water},  {"XZCF", code_tax},    {"SXJL", code_tax},
		{"YZSX", code_tax},
	};
	struct xy_demo_spec s = make_spec(23);
	char *dir = tmp_dir();
	struct filelog log;
	long total = 0, xzcf = 0, files = 0;
	DIR *d;
	struct dirent *e;

	(void)state;
	write_all(&s, dir, &log);
	assert_int_equal(log.n, 10);
	for (int k = 0; k < 10; k++) {
		char path[256];

		assert_string_equal(log.ds[k], want[k][0]);
		assert_string_equal(log.unit[k], want[k][1]);
		snprintf(path, sizeof(path), "%s/%s-%s.csv", dir, want[k][0], want[k][1]);
		assert_string_equal(log.path[k], path);
		assert_int_equal(count_lines(path), log.rows[k] + 1);
		assert_true(log.rows[k] > 0);
		total += log.rows[k];
		xzcf += strcmp(log.ds[k], "XZCF") ? 0 : log.rows[k];
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 10);
	assert_in_range(total, 19990, 20000);
	assert_in_range(xzcf, 7990, 8000); /* 40% */
	rm_dir(dir);
}

static int stop_after_two(void *arg, const char *ds, const char *unit, const char *path, long rows)
{
	int *n = arg;

	(void)ds;
	(void)unit;
	(void)path;
	(void)rows;
	return ++*n == 2 ? 77 : 0;
}

static void test_demo_callback_stops(void **state)
{
	struct xy_demo_spec s = make_spec(29);
	char *dir = tmp_dir();
	int n = 0;

	(void)state;
	s.records = 1000;
	assert_int_equal(xy_demo_write_files(&s, dir, stop_after_two, &n), 77);
	assert_int_equal(n, 2);
	rm_dir(dir);
}

/* A unit name with a comma and quotes is quoted per RFC 4180 and reads back whole. */
static void test_col2_demo_unit_name_quoted(void **state)
{
	struct xy_demo_spec s = make_spec(31);
	struct xy_demo_unit u = units[0];
	struct csv c;

	(void)state;
	u.name = "九江市濂溪区市场监督管理局,\"稽查\"";
	csv_open(&c, rows_file(&s, "XZCF", &u, 50, 0.2));
	while (csv_next(&c)) {
		assert_string_equal(col(&c, "CF_CFJG"), u.name);
		assert_string_equal(col(&c, "CF_SJLY"), u.name);
	}
	assert_int_equal(c.rows, 50);
	csv_close(&c);
}

static void test_demo_refuses_bad_input(void **state)
{
	struct xy_demo_spec s = make_spec(37);
	struct xy_demo_unit u = units[0];
	char bad_code[19];
	struct xy_demo_region bad_county[] = {{"360402", "濂溪,区"}};
	FILE *f = tmpfile();

	(void)state;
	assert_int_equal(xy_demo_write_rows(&s, "XYZ", &u, 1, 0, f), XY_EINVAL);
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &u, -1, 0, f), XY_EINVAL);
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &u, 1, 1.5, f), XY_EINVAL);
	memcpy(bad_code, code_market, sizeof(bad_code));
	bad_code[17] = bad_code[17] == '0' ? '1' : '0';
	u.code = bad_code;
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &u, 1, 0, f), XY_EINVAL);
	u.code = "../../etc/passwdXX";
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &u, 1, 0, f), XY_EINVAL);
	s.today = 20051231;
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &units[0], 1, 0, f), XY_EINVAL);
	s.today = 20260230;
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &units[0], 1, 0, f), XY_EINVAL);
	s = make_spec(37);
	s.counties = bad_county;
	s.ncounties = 1;
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &units[0], 1, 0, f), XY_EINVAL);
	s = make_spec(37);
	s.legal = XY_SUBJECTS_DEMO_MAX + 1;
	assert_int_equal(xy_demo_write_files(&s, "/tmp", NULL, NULL), XY_EINVAL);
	s = make_spec(37);
	s.legal = s.natural = 0;
	assert_int_equal(xy_demo_write_rows(&s, "XZCF", &units[0], 1, 0, f), XY_EINVAL);
	s = make_spec(37);
	assert_int_equal(xy_demo_write_files(&s, "/nonexistent/xy_demo", NULL, NULL), XY_EIO);
	fclose(f);
}

/* Without counties every subject belongs to the city itself. */
static void test_col2_demo_city_without_counties(void **state)
{
	struct xy_demo_spec s = make_spec(41);
	struct cf_stats st = {0};
	struct csv c;
	char code[19], name[320];

	(void)state;
	s.ncounties = 0;
	s.counties = NULL;
	xy_demo_legal(&s, 5, code, name, sizeof(name));
	assert_uscc(code);
	assert_memory_equal(code + 2, "360400", 6);
	assert_true(strstr(name, "九江市") == name);
	csv_open(&c, rows_file(&s, "XZCF", &units[1], 2000, 0.3));
	while (csv_next(&c))
		check_cf_row(&c, &st, NULL);
	csv_close(&c);
	assert_int_equal(st.rows, 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_col2_demo_codes_and_ids_valid),
		cmocka_unit_test(test_col2_demo_subject_edges),
		cmocka_unit_test(test_demo_same_seed_same_bytes),
		cmocka_unit_test(test_demo_rows_same_seed_same_bytes),
		cmocka_unit_test(test_demo_subject_same_in_every_dataset),
		cmocka_unit_test(test_col2_demo_xzcf_rows_valid),
		cmocka_unit_test(test_col2_demo_xzcf_all_classes),
		cmocka_unit_test(test_demo_natural_share_bounds),
		cmocka_unit_test(test_col2_demo_dates_not_after_today),
		cmocka_unit_test(test_col2_demo_keys_unique),
		cmocka_unit_test(test_demo_qysb_cap),
		cmocka_unit_test(test_col2_demo_bench_rows_apart_from_files),
		cmocka_unit_test(test_demo_file_set),
		cmocka_unit_test(test_demo_callback_stops),
		cmocka_unit_test(test_col2_demo_unit_name_quoted),
		cmocka_unit_test(test_demo_refuses_bad_input),
		cmocka_unit_test(test_col2_demo_city_without_counties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
