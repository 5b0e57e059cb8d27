#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cmd/cmd.h"
#include "core/codes.h"
#include "svc/demo.h"
#include "svc/ingest.h"
#include "svc/instance.h"
#include "util/date.h"
#include "util/err.h"

static const char help[] =
	"usage: xinyong demo DIR [--subjects N] [--records N] [--seed N]\n"
	"Fills the instance in DIR with realistic synthetic data: legal persons with valid\n"
	"codes spread over the counties, natural persons, and records of every default\n"
	"dataset, imported through the same path as a unit's file (validated, sealed,\n"
	"audited).  Registers demo providing units first when the instance has none.\n\n"
	"  --subjects N   legal persons (default 10000; natural persons: a fifth of that)\n"
	"  --records N    records in all (default 5 per legal person)\n"
	"  --seed N       generator seed (default 1)\n";

struct demo_unit_def {
	const char *suffix; /* after the city or county name */
	int county;	    /* -1: city level; else index among the counties */
	const char *kind2;  /* USCC positions 1-2 */
	const char *provides[4];
};

static const struct demo_unit_def defs[] = {
	{"市场监督管理局", -1, "11", {"XZXK", "XZCF", "YZSX", "SXJL"}},
	{"税务局", -1, "11", {"XZCF", "SXJL"}},
	{"人力资源和社会保障局", -1, "11", {"QYSB", "XZXK"}},
	{"自来水有限公司", -1, "91", {"GRQF"}},
	{"市场监督管理局", 0, "11", {"XZXK", "XZCF"}},
	{"市场监督管理局", 1, "11", {"XZXK", "XZCF"}},
	{"市场监督管理局", 4, "11", {"XZXK", "XZCF", "YZSX"}},
};

#define NDEFS		  ((int)(sizeof defs / sizeof *defs))
#define DEMO_COUNTIES_MAX 64

struct regions {
	struct xy_region city;
	struct xy_region county[DEMO_COUNTIES_MAX];
	int n;
};

static int collect_region(void *arg, const struct xy_region *r)
{
	struct regions *rg = arg;
	if (r->level == XY_LEVEL_CITY)
		rg->city = *r;
	else if (rg->n < DEMO_COUNTIES_MAX)
		rg->county[rg->n++] = *r;
	return 0;
}

/* A valid USCC derived from the unit's place in the list. */
static void unit_code(const char *kind2, const char *region, int k, char out[19])
{
	for (unsigned t = (unsigned)k * 1000 + 1;; t++) {
		char c;
		snprintf(out, 19, "%.2s%.6sDM%06u", kind2, region, t % 1000000);
		if (!(c = xy_orgcode_check_char(out + 8)))
			continue;
		out[16] = c;
		out[17] = '\0';
		if (!(c = xy_uscc_check_char(out)))
			continue;
		out[17] = c;
		out[18] = '\0';
		if (xy_uscc_check(out, 18) == XY_CODE_OK)
			return;
	}
}

struct built {
	struct xy_unit u[NDEFS];
	int n;
	const char *prov[NDEFS][4];
	int nprov[NDEFS];
	struct xy_demo_unit du[NDEFS];
	struct xy_demo_region dr[DEMO_COUNTIES_MAX];
};

static int ensure_units(struct xy_instance *inst, const struct regions *rg, struct built *b)
{
	char err[512];
	int rc;

	b->n = 0;
	for (int i = 0; i < NDEFS; i++) {
		const struct demo_unit_def *d = &defs[i];
		struct xy_unit *u = &b->u[b->n];
		const struct xy_region *r = d->county < 0 ? &rg->city : &rg->county[d->county];
		if (d->county >= rg->n)
			continue;
		memset(u, 0, sizeof *u);
		unit_code(d->kind2, r->code, i + 1, u->code);
		if (d->county < 0)
			snprintf(u->name, sizeof u->name, "%s%s", rg->city.name, d->suffix);
		else
			snprintf(u->name, sizeof u->name, "%s%s%s", rg->city.name, r->name,
				 d->suffix);
		snprintf(u->region, sizeof u->region, "%s", r->code);
		snprintf(u->kind, sizeof u->kind, "member");
		b->nprov[b->n] = 0;
		for (int k = 0; k < 4 && d->provides[k]; k++)
			b->prov[b->n][b->nprov[b->n]++] = d->provides[k];
		if (xy_store_unit_by_code(inst->store, u->code, u) != 0) {
			if ((rc = xy_instance_add_unit(inst, u, b->prov[b->n], b->nprov[b->n], err,
						       sizeof err))) {
				fprintf(stderr, "xinyong: demo unit: %s\n", err);
				return rc;
			}
			printf("unit %s %s registered (provides", u->code, u->name);
			for (int k = 0; k < b->nprov[b->n]; k++)
				printf(" %s", b->prov[b->n][k]);
			printf(")\n");
		}
		b->du[b->n].code = u->code;
		b->du[b->n].name = u->name;
		b->du[b->n].region = u->region;
		b->du[b->n].provides = b->prov[b->n];
		b->du[b->n].nprovides = b->nprov[b->n];
		b->n++;
	}
	return 0;
}

struct feed {
	struct xy_instance *inst;
	struct xy_audit_event who;
	long accepted, rejected, files;
	int failed;
};

static int import_one(void *arg, const char *dataset, const char *unit, const char *path, long rows)
{
	struct feed *f = arg;
	struct xy_ingest_opts o = {
		.dataset = dataset,
		.unit_code = unit,
		.path = path,
		.enc = XY_ENC_UTF8,
		.format = XY_FMT_CSV,
		.account = f->who.account,
		.client = f->who.client,
		.agent = f->who.agent,
	};
	struct xy_ingest_result res;
	int rc = xy_ingest_file(f->inst, &o, &res);

	unlink(path);
	if (rc) {
		fprintf(stderr, "xinyong: demo: %s from %s: %s\n", dataset, unit, res.reason);
		f->failed = 1;
		return rc;
	}
	f->files++;
	f->accepted += res.accepted;
	f->rejected += res.rejected;
	printf("imported %-5s from %s: %ld of %ld rows (batch %lld)\n", dataset, unit, res.accepted,
	       rows, (long long)res.batch_id);
	return 0;
}

int xy_cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"subjects", required_argument, NULL, 's'},
		{"records", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long subjects = 10000, records = -1;
	unsigned long long seed = 1;
	struct xy_instance *inst = NULL;
	struct regions *rg = calloc(1, sizeof *rg);
	struct built *b = calloc(1, sizeof *b);
	struct feed f = {0};
	char err[512] = "", tmp[PATH_MAX];
	int c, rc = XY_EXIT_USAGE;
	char *end;

	if (!rg || !b)
		goto out;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 's':
			subjects = strtol(optarg, &end, 10);
			break;
		case 'r':
			records = strtol(optarg, &end, 10);
			break;
		case 'e':
			seed = strtoull(optarg, &end, 10);
			break;
		case 'h':
			fputs(help, stdout);
			rc = XY_EXIT_OK;
			goto out;
		default:
			fputs(help, stderr);
			goto out;
		}
		if (errno || *end) {
			fprintf(stderr, "xinyong: demo: --%s needs a whole number\n",
				c == 's'   ? "subjects"
				: c == 'r' ? "records"
					   : "seed");
			goto out;
		}
	}
	if (records < 0)
		records = subjects * 5;
	if (optind != argc - 1 || subjects < 1 || subjects > XY_SUBJECTS_DEMO_MAX || records < 1 ||
	    records > XY_DEMO_RECORDS_MAX) {
		fputs(help, stderr);
		goto out;
	}
	rc = XY_EXIT_FAIL;
	if (xy_instance_open(argv[optind], &inst, err, sizeof err)) {
		xy_cmd_fail("%s", err);
		goto out;
	}
	if (xy_store_region_each(inst->store, collect_region, rg) || ensure_units(inst, rg, b))
		goto out;
	for (int i = 0; i < rg->n; i++) {
		b->dr[i].code = rg->county[i].code;
		b->dr[i].name = rg->county[i].name;
	}
	struct xy_demo_spec spec = {
		.seed = seed,
		.legal = subjects,
		.natural = subjects / 5 + 1,
		.records = records,
		.today = xy_date_yyyymmdd(xy_today()),
		.city_code = rg->city.code,
		.city_name = rg->city.name,
		.counties = b->dr,
		.ncounties = rg->n,
		.units = b->du,
		.nunits = b->n,
	};
	snprintf(tmp, sizeof tmp, "%s/demo-files", inst->dir);
	if (mkdir(tmp, 0700) && errno != EEXIST) {
		xy_cmd_fail("%s: %s", tmp, strerror(errno));
		goto out;
	}
	f.inst = inst;
	xy_audit_local(&f.who);
	int wrc = xy_demo_write_files(&spec, tmp, import_one, &f);
	rmdir(tmp);
	if (wrc && !f.failed)
		xy_cmd_fail("demo: generating data: %s", xy_strerror(wrc));
	if (wrc || f.failed)
		goto out;
	printf("demo: %ld files, %ld records imported, %ld rejected, into %s\n", f.files,
	       f.accepted, f.rejected, inst->dir);
	rc = XY_EXIT_OK;
out:
	xy_instance_close(inst);
	free(rg);
	free(b);
	return rc;
}
