#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cmd/client.h"
#include "cmd/cmd.h"
#include "svc/ingest.h"
#include "svc/instance.h"
#include "util/err.h"

static const char help[] =
	"usage: xinyong import DIR --dataset CODE --unit UNITCODE [options] FILE\n"
	"       xinyong import --server URL --dataset CODE [options] FILE\n"
	"Imports a providing unit's exchange file into a dataset.  Every row is\n"
	"validated; valid rows are stored, rejected rows are listed in a report\n"
	"(row, field, reason).  Prints report=PATH and accepted=N rejected=M.\n\n"
	"With DIR, on the host of the instance in DIR, for the unit named by --unit.\n"
	"With --server, through the API as the provider operator signed in with\n"
	"`xinyong login --server URL`, for their own unit; the report of rejected\n"
	"rows is written to --report PATH (default FILE.report.csv).\n\n"
	"  --dataset CODE       catalog dataset (XZCF, XZXK, …)\n"
	"  --unit CODE          the providing unit's unified social credit code (DIR)\n"
	"  --server URL         the government-zone server signed in to\n"
	"  --report PATH        where the rejected rows go (--server)\n"
	"  --encoding ENC       auto (default), utf-8 or gb18030\n"
	"  --format FMT         csv or jsonl (default: by file name, else csv)\n\n"
	"Exit status: 0 all rows accepted, 3 some rows rejected, 1 nothing stored.\n";

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Writes the report the server returned inline. */
static int save_report(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");
	if (!f)
		return xy_cmd_fail("%s: cannot create the report (it may exist already)", path);
	if (fputs(text, f) == EOF || fclose(f) != 0)
		return xy_cmd_fail("%s: cannot write the report", path);
	return 0;
}

/* --server: the same import through POST /api/v1/datasets/{code}/batches. */
static int import_remote(const char *server, const struct xy_ingest_opts *o, const char *report)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	char ds[64], name[3 * 200 + 1], path[1024], rpath[4096];
	const char *fmt = o->format == XY_FMT_CSV     ? "csv"
			  : o->format == XY_FMT_JSONL ? "jsonl"
						      : "auto";
	const char *bn = base_name(o->path);
	json_t *j;
	int rc = XY_EXIT_FAIL;

	if (xy_client_init(&c, NULL) || xy_client_load(&c))
		goto out;
	if (strcmp(c.server, server) != 0) {
		size_t n = strlen(server);
		/* The same server written with a trailing slash is the same. */
		if (!(n == strlen(c.server) + 1 && server[n - 1] == '/' &&
		      !strncmp(server, c.server, n - 1))) {
			xy_cmd_fail("signed in to %s, not %s: run `xinyong login --server %s`",
				    c.server, server, server);
			goto out;
		}
	}
	if (strlen(bn) == 0 || strlen(bn) > 200) {
		xy_cmd_fail("%s: the file name must be 1-200 bytes", o->path);
		goto out;
	}
	if (xy_client_escape(&c, o->dataset, ds, sizeof ds) ||
	    xy_client_escape(&c, bn, name, sizeof name))
		goto out;
	if ((size_t)snprintf(path, sizeof path,
			     "/api/v1/datasets/%s/batches?file_name=%s&encoding=%s&format=%s", ds,
			     name, xy_encoding_name(o->enc), fmt) >= sizeof path) {
		xy_cmd_fail("the request is too long");
		goto out;
	}
	if (xy_client_upload(&c, path, o->path, "application/octet-stream", &r))
		goto out;
	if (r.status != 201 || !(j = r.json)) {
		xy_client_report(&r);
		goto out;
	}
	{
		long long batch = json_integer_value(json_object_get(j, "batch"));
		long long acc = json_integer_value(json_object_get(j, "accepted"));
		long long rej = json_integer_value(json_object_get(j, "rejected"));
		const char *enc = json_string_value(json_object_get(j, "encoding"));
		const char *text = json_string_value(json_object_get(j, "report_csv"));
		printf("batch=%lld\nencoding=%s\n", batch, enc ? enc : "?");
		if (rej && text) {
			if ((size_t)snprintf(rpath, sizeof rpath, "%s", report) >= sizeof rpath ||
			    save_report(rpath, text))
				goto out;
			printf("report=%s\n", rpath);
		} else if (rej) {
			printf("report=(at the server: more than it returns inline, batch %lld)\n",
			       batch);
		}
		printf("accepted=%lld rejected=%lld\n", acc, rej);
		rc = rej ? XY_EXIT_PARTIAL : XY_EXIT_OK;
	}
out:
	xy_client_resp_cleanup(&r);
	xy_client_cleanup(&c);
	return rc;
}

int xy_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dataset", required_argument, NULL, 'd'},
		{"unit", required_argument, NULL, 'u'},
		{"encoding", required_argument, NULL, 'e'},
		{"format", required_argument, NULL, 'f'},
		{"server", required_argument, NULL, 's'},
		{"report", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct xy_ingest_opts o = {.enc = XY_ENC_AUTO, .format = XY_FMT_AUTO};
	struct xy_ingest_result res;
	struct xy_audit_event who = {0};
	struct xy_instance *inst = NULL;
	char err[512] = "", report[4096] = "";
	const char *server = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.dataset = optarg;
			break;
		case 'u':
			o.unit_code = optarg;
			break;
		case 'e':
			if (xy_encoding_parse(optarg, &o.enc)) {
				fprintf(stderr, "xinyong: --encoding: auto, utf-8 or gb18030\n");
				return XY_EXIT_USAGE;
			}
			break;
		case 'f':
			if (!strcmp(optarg, "csv"))
				o.format = XY_FMT_CSV;
			else if (!strcmp(optarg, "jsonl"))
				o.format = XY_FMT_JSONL;
			else {
				fprintf(stderr, "xinyong: --format: csv or jsonl\n");
				return XY_EXIT_USAGE;
			}
			break;
		case 's':
			server = optarg;
			break;
		case 'r':
			snprintf(report, sizeof report, "%s", optarg);
			break;
		case 'h':
			fputs(help, stdout);
			return XY_EXIT_OK;
		default:
			fputs(help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (server) {
		if (optind != argc - 1 || !o.dataset) {
			fputs(help, stderr);
			return XY_EXIT_USAGE;
		}
		if (o.unit_code) {
			fprintf(stderr, "xinyong: --unit is not used with --server: the file is "
					"imported for the signed-in operator's own unit\n");
			return XY_EXIT_USAGE;
		}
		o.path = argv[optind];
		if (!report[0] && (size_t)snprintf(report, sizeof report, "%s.report.csv",
						   o.path) >= sizeof report)
			return xy_cmd_fail("%s: the path is too long", o.path);
		return import_remote(server, &o, report);
	}
	if (report[0]) {
		fprintf(stderr, "xinyong: --report is for --server (a local import names its "
				"report itself)\n");
		return XY_EXIT_USAGE;
	}
	if (optind != argc - 2 || !o.dataset || !o.unit_code) {
		fputs(help, stderr);
		return XY_EXIT_USAGE;
	}
	o.path = argv[optind + 1];
	if ((rc = xy_instance_open(argv[optind], &inst, err, sizeof err)))
		return xy_cmd_fail("%s", err[0] ? err : xy_strerror(rc));
	xy_audit_local(&who);
	o.account = who.account;
	o.client = who.client;
	o.agent = who.agent;
	rc = xy_ingest_file(inst, &o, &res);
	xy_instance_close(inst);
	if (rc) {
		if (rc == XY_EDUPLICATE)
			return xy_cmd_fail("%s: %s", o.path, res.reason);
		return xy_cmd_fail("%s: nothing stored: %s", o.path, res.reason);
	}
	printf("batch=%lld\nencoding=%s\nreport=%s\naccepted=%ld rejected=%ld\n",
	       (long long)res.batch_id, xy_encoding_name(res.enc), res.report, res.accepted,
	       res.rejected);
	return res.rejected ? XY_EXIT_PARTIAL : XY_EXIT_OK;
}
