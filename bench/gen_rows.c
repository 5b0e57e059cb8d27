/* gen_rows: benchmark input.  Writes N rows of one dataset, supplied by the benchmark's unit, to
 * stdout as the demo generator makes them (xy_demo_write_rows), or prints that unit's code.
 *
 *   gen_rows --unit-code
 *   gen_rows [--dataset XZCF] [--natural-share 0.3] [--seed 1] N
 *
 * The unit is the one bench/run.sh registers with `xinyong init --units`: a city-level unit of
 * 九江市 (360400) whose code is derived here, so the two can never disagree. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "svc/demo.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"

#define BENCH_UNIT_NAME "九江市市场监督管理局"
#define BENCH_CITY_CODE "360400"
#define BENCH_CITY_NAME "九江市"
/* Subjects the rows are drawn from: enough that a million rows repeat each one only a few
 * times, as a real city's penalty list would. */
#define BENCH_LEGAL   200000L
#define BENCH_NATURAL 100000L

/* The counties `xinyong init` creates by default, so subjects carry regions the instance has. */
static const struct xy_demo_region counties[] = {
	{"360402", "濂溪区"}, {"360403", "浔阳区"}, {"360404", "柴桑区"}, {"360423", "武宁县"},
	{"360424", "修水县"}, {"360425", "永修县"}, {"360426", "德安县"}, {"360428", "都昌县"},
	{"360429", "湖口县"}, {"360430", "彭泽县"}, {"360481", "瑞昌市"}, {"360482", "共青城市"},
	{"360483", "庐山市"},
};

static const char usage[] =
	"usage: gen_rows --unit-code\n"
	"       gen_rows [--dataset CODE] [--natural-share X] [--seed N] ROWS\n";

/* A valid USCC for a state organ (11) of the city: the first body that has both check
 * characters (the organisation-code check may be impossible for some bodies). */
static int bench_unit_code(char out[19])
{
	for (unsigned t = 1; t < 1000000; t++) {
		char c;
		snprintf(out, 19, "11" BENCH_CITY_CODE "BE%06u", t);
		if (!(c = xy_orgcode_check_char(out + 8)))
			continue;
		out[16] = c;
		if (!(c = xy_uscc_check_char(out)))
			continue;
		out[17] = c;
		out[18] = '\0';
		if (xy_uscc_check(out, XY_USCC_LEN) == XY_CODE_OK)
			return 0;
	}
	return XY_EINVAL;
}

struct args {
	const char *dataset;
	double natural_share;
	unsigned long long seed;
	long rows;
	int unit_code_only;
};

static int parse_num(const char *s, int is_double, void *out)
{
	char *end;

	errno = 0;
	if (is_double)
		*(double *)out = strtod(s, &end);
	else
		*(unsigned long long *)out = strtoull(s, &end, 10);
	return errno || end == s || *end ? XY_EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"unit-code", no_argument, NULL, 'u'},
		{"dataset", required_argument, NULL, 'd'},
		{"natural-share", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	unsigned long long rows;
	int c;

	*a = (struct args){.dataset = "XZCF", .natural_share = 0.3, .seed = 1};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			a->unit_code_only = 1;
			break;
		case 'd':
			a->dataset = optarg;
			break;
		case 'n':
			if (parse_num(optarg, 1, &a->natural_share))
				return XY_EINVAL;
			break;
		case 's':
			if (parse_num(optarg, 0, &a->seed))
				return XY_EINVAL;
			break;
		default:
			return XY_EINVAL;
		}
	}
	if (a->unit_code_only)
		return optind == argc ? 0 : XY_EINVAL;
	if (optind != argc - 1 || parse_num(argv[optind], 0, &rows) ||
	    rows > (unsigned long long)XY_IMPORT_ROWS_MAX)
		return XY_EINVAL;
	a->rows = (long)rows;
	return 0;
}

static int write_rows(const struct args *a, const char *code)
{
	const char *const provides[] = {a->dataset};
	const struct xy_demo_unit unit = {
		.code = code,
		.name = BENCH_UNIT_NAME,
		.region = BENCH_CITY_CODE,
		.provides = provides,
		.nprovides = 1,
	};
	/* today as the import sees it: no generated date may lie after the day it runs. */
	const struct xy_demo_spec spec = {
		.seed = a->seed,
		.legal = BENCH_LEGAL,
		.natural = BENCH_NATURAL,
		.records = a->rows,
		.today = xy_date_yyyymmdd(xy_today()),
		.city_code = BENCH_CITY_CODE,
		.city_name = BENCH_CITY_NAME,
		.counties = counties,
		.ncounties = (int)(sizeof counties / sizeof *counties),
		.units = &unit,
		.nunits = 1,
	};

	return xy_demo_write_rows(&spec, a->dataset, &unit, a->rows, a->natural_share, stdout);
}

int main(int argc, char **argv)
{
	struct args a;
	char code[19];
	int rc;

	if (parse_args(argc, argv, &a)) {
		fputs(usage, stderr);
		return 2;
	}
	if ((rc = bench_unit_code(code))) {
		fprintf(stderr, "gen_rows: no valid unit code: %s\n", xy_strerror(rc));
		return 1;
	}
	if (a.unit_code_only) {
		printf("%s\n", code);
		return fflush(stdout) ? 1 : 0;
	}
	if ((rc = write_rows(&a, code))) {
		fprintf(stderr, "gen_rows: %s\n", xy_strerror(rc));
		return 1;
	}
	return 0;
}
