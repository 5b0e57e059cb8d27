/* gen_query: input of the query benchmark (bench/query.sh, issue 4).  An instance of exactly
 * SUBJECTS legal persons of 九江市 and RECORDS records provided by two city-level units, so
 * that a city-level using unit with an agreement may see every one of them:
 *
 *   gen_query units                       the units file for `xinyong init --units`
 *   gen_query subjects SUBJECTS           "code<TAB>name" of every subject, one a line
 *   gen_query rows DATASET SUBJECTS COUNT FIRST
 *                                         COUNT rows of XZCF or XZXK (header first): records
 *                                         FIRST..FIRST+COUNT-1 of the whole set
 *
 * The rows are the demo generator's (xy_demo_write_rows, legal persons only, the dataset's
 * providing unit below), each row's subject then replaced: record g belongs to legal person
 * (g mod SUBJECTS) * A mod SUBJECTS (A prime to SUBJECTS), the subject xy_demo_legal gives for
 * that index (code, name and category 个体工商户 when the code says so; a licence number that
 * was the old subject's code becomes the new one's).  So every subject has RECORDS / SUBJECTS
 * records (± 1), spread over both datasets, and a subject's code and name are the same in
 * every row.  The rest of each row (legal representative included) is the demo's, unchanged.
 *
 * The demo generator writes no comma, quote or line break inside a field except in a unit
 * name, which it quotes; the filter below splits quoted fields accordingly. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "svc/demo.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"

#define CITY_CODE "360400"
#define CITY_NAME "九江市"
#define COLS_MAX  64

/* The counties `xinyong init` creates by default. */
static const struct xy_demo_region counties[] = {
	{"360402", "濂溪区"}, {"360403", "浔阳区"}, {"360404", "柴桑区"}, {"360423", "武宁县"},
	{"360424", "修水县"}, {"360425", "永修县"}, {"360426", "德安县"}, {"360428", "都昌县"},
	{"360429", "湖口县"}, {"360430", "彭泽县"}, {"360481", "瑞昌市"}, {"360482", "共青城市"},
	{"360483", "庐山市"},
};

/* The units: the two city-level providers, then the city-level using unit. */
static const struct bench_unit {
	const char *name;
	const char *provides; /* units.csv's column, empty for a using unit */
} units[] = {
	{"九江市市场监督管理局", "XZCF"},
	{"九江市住房和城乡建设局", "XZXK"},
	{"九江市财政局", ""},
};
#define NUNITS ((int)(sizeof units / sizeof *units))

static const char usage[] = "usage: gen_query units\n"
			    "       gen_query subjects SUBJECTS\n"
			    "       gen_query rows XZCF|XZXK SUBJECTS COUNT FIRST\n";

/* The k-th valid USCC of a state organ (11) of the city with body BQ000001, BQ000002, …  */
static int unit_code(int k, char out[19])
{
	int found = 0;

	for (unsigned t = 1; t < 1000000; t++) {
		char c;
		snprintf(out, 19, "11" CITY_CODE "BQ%06u", t);
		if (!(c = xy_orgcode_check_char(out + 8)))
			continue;
		out[16] = c;
		if (!(c = xy_uscc_check_char(out)))
			continue;
		out[17] = c;
		out[18] = '\0';
		if (xy_uscc_check(out, XY_USCC_LEN) != XY_CODE_OK)
			continue;
		if (found++ == k)
			return 0;
	}
	return XY_EINVAL;
}

static struct xy_demo_spec make_spec(long subjects, long records)
{
	return (struct xy_demo_spec){
		.seed = 4,
		.legal = subjects,
		.natural = 0,
		.records = records,
		/* today as the import sees it: no generated date may lie after it. */
		.today = xy_date_yyyymmdd(xy_today()),
		.city_code = CITY_CODE,
		.city_name = CITY_NAME,
		.counties = counties,
		.ncounties = (int)(sizeof counties / sizeof *counties),
	};
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return XY_EINVAL;
	*out = v;
	return 0;
}

/* ---- the subject-replacing filter (a stdio cookie in front of stdout) ---- */

struct filter {
	const struct xy_demo_spec *spec;
	long subjects, first, row; /* row: data rows seen so far */
	uint64_t mul;		   /* A, prime to subjects */
	char *line;
	size_t len, cap;
	int header_seen;
	int c_name, c_kind, c_code, c_licence; /* column indexes, -1 when absent */
	int err;
};

/* Splits a CSV line (no line break) into at most COLS_MAX fields: start and length of each,
 * quotes included. */
static int split(const char *s, size_t n, const char **f, size_t *flen)
{
	size_t i = 0;
	int k = 0;

	for (;;) {
		size_t b = i;
		if (k == COLS_MAX)
			return -1;
		if (i < n && s[i] == '"') {
			for (i++; i < n; i++)
				if (s[i] == '"' && !(i + 1 < n && s[i + 1] == '"'))
					break;
				else if (s[i] == '"')
					i++;
			if (i < n)
				i++; /* the closing quote */
		}
		while (i < n && s[i] != ',')
			i++;
		f[k] = s + b;
		flen[k++] = i - b;
		if (i >= n)
			return k;
		i++;
	}
}

static int column(const char **f, const size_t *flen, int n, const char *suffix)
{
	size_t sl = strlen(suffix);

	for (int k = 0; k < n; k++)
		if (flen[k] >= sl && !memcmp(f[k] + flen[k] - sl, suffix, sl))
			return k;
	return -1;
}

static void put(struct filter *fl, const char *s, size_t n)
{
	if (!fl->err && fwrite(s, 1, n, stdout) != n)
		fl->err = XY_EIO;
}

static void one_line(struct filter *fl, const char *s, size_t n)
{
	const char *f[COLS_MAX];
	size_t flen[COLS_MAX];
	char code[19], name[XY_NAME_MAX];
	int nf = split(s, n, f, flen);
	long g, idx;

	if (nf < 0) {
		fl->err = XY_EINVAL;
		return;
	}
	if (!fl->header_seen) {
		fl->header_seen = 1;
		fl->c_name = column(f, flen, nf, "_XDR_MC");
		fl->c_kind = column(f, flen, nf, "_XDR_LB");
		fl->c_code = column(f, flen, nf, "_XDR_SHXYM");
		fl->c_licence = column(f, flen, nf, "XK_XKBH");
		if (fl->c_name < 0 || fl->c_kind < 0 || fl->c_code < 0)
			fl->err = XY_EINVAL;
		put(fl, s, n);
		put(fl, "\n", 1);
		return;
	}
	g = fl->first + fl->row++;
	idx = (long)((uint64_t)(g % fl->subjects) * fl->mul % (uint64_t)fl->subjects);
	xy_demo_legal(fl->spec, idx, code, name, sizeof name);
	if (!code[0]) {
		fl->err = XY_EINVAL;
		return;
	}
	for (int k = 0; k < nf; k++) {
		if (k)
			put(fl, ",", 1);
		if (k == fl->c_name)
			put(fl, name, strlen(name));
		else if (k == fl->c_kind)
			put(fl, code[1] == '2' ? "个体工商户" : "法人及非法人组织",
			    strlen(code[1] == '2' ? "个体工商户" : "法人及非法人组织"));
		else if (k == fl->c_code || (k == fl->c_licence && flen[k] == XY_USCC_LEN &&
					     fl->c_code >= 0 && flen[fl->c_code] == XY_USCC_LEN &&
					     !memcmp(f[k], f[fl->c_code], XY_USCC_LEN)))
			put(fl, code, XY_USCC_LEN);
		else
			put(fl, f[k], flen[k]);
	}
	put(fl, "\n", 1);
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
	struct filter *fl = cookie;
	size_t start = 0;

	if (fl->len + size > fl->cap) {
		size_t cap = (fl->len + size) * 2;
		char *p = realloc(fl->line, cap);
		if (!p) {
			fl->err = XY_ENOMEM;
			errno = ENOMEM;
			return -1;
		}
		fl->line = p;
		fl->cap = cap;
	}
	memcpy(fl->line + fl->len, buf, size);
	fl->len += size;
	for (size_t i = 0; i < fl->len; i++) {
		if (fl->line[i] != '\n')
			continue;
		one_line(fl, fl->line + start, i - start - (i > start && fl->line[i - 1] == '\r'));
		start = i + 1;
	}
	memmove(fl->line, fl->line + start, fl->len - start);
	fl->len -= start;
	if (fl->err) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)size;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int write_rows(const char *dataset, long subjects, long count, long first)
{
	const struct xy_demo_spec spec = make_spec(subjects, first + count);
	struct filter fl = {.spec = &spec, .subjects = subjects, .first = first, .mul = 7919};
	cookie_io_functions_t io = {.write = filter_write};
	const char *provides[1] = {dataset};
	struct xy_demo_unit unit = {.region = CITY_CODE, .provides = provides, .nprovides = 1};
	char code[19];
	FILE *f;
	int k, rc;

	for (k = 0; k < NUNITS && strcmp(units[k].provides, dataset) != 0; k++)
		;
	if (k == NUNITS || unit_code(k, code))
		return XY_EINVAL;
	unit.code = code;
	unit.name = units[k].name;
	while (gcd(fl.mul, (uint64_t)subjects) != 1)
		fl.mul += 2;
	if (!(f = fopencookie(&fl, "w", io)))
		return XY_ENOMEM;
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	rc = xy_demo_write_rows(&spec, dataset, &unit, count, 0.0, f);
	if (fclose(f) && !rc)
		rc = fl.err ? fl.err : XY_EIO;
	if (!rc && (fl.err || fl.len))
		rc = fl.err ? fl.err : XY_EINVAL; /* a last line without its newline */
	if (!rc && fl.row != count)
		rc = XY_EINVAL;
	free(fl.line);
	if (!rc && fflush(stdout))
		rc = XY_EIO;
	return rc;
}

static int write_subjects(long subjects)
{
	const struct xy_demo_spec spec = make_spec(subjects, 0);
	char code[19], name[XY_NAME_MAX];

	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	for (long i = 0; i < subjects; i++) {
		xy_demo_legal(&spec, i, code, name, sizeof name);
		if (!code[0])
			return XY_EINVAL;
		printf("%s\t%s\n", code, name);
	}
	return fflush(stdout) ? XY_EIO : 0;
}

static int write_units(void)
{
	char code[19];

	printf("code,name,region,provides\n");
	for (int k = 0; k < NUNITS; k++) {
		if (unit_code(k, code))
			return XY_EINVAL;
		printf("%s,%s,%s,%s\n", code, units[k].name, CITY_CODE, units[k].provides);
	}
	return fflush(stdout) ? XY_EIO : 0;
}

int main(int argc, char **argv)
{
	long subjects, count, first;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "units"))
		rc = write_units();
	else if (argc == 3 && !strcmp(argv[1], "subjects") &&
		 !parse_long(argv[2], 1, XY_SUBJECTS_DEMO_MAX, &subjects))
		rc = write_subjects(subjects);
	else if (argc == 6 && !strcmp(argv[1], "rows") &&
		 (!strcmp(argv[2], "XZCF") || !strcmp(argv[2], "XZXK")) &&
		 !parse_long(argv[3], 1, XY_SUBJECTS_DEMO_MAX, &subjects) &&
		 !parse_long(argv[4], 0, XY_IMPORT_ROWS_MAX, &count) &&
		 !parse_long(argv[5], 0, XY_DEMO_RECORDS_MAX - XY_IMPORT_ROWS_MAX, &first))
		rc = write_rows(argv[2], subjects, count, first);
	else {
		fputs(usage, stderr);
		return 2;
	}
	if (rc) {
		fprintf(stderr, "gen_query: %s\n", xy_strerror(rc));
		return 1;
	}
	return 0;
}
