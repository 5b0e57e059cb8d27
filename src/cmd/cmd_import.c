#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cmd/cmd.h"
#include "svc/ingest.h"
#include "svc/instance.h"
#include "util/err.h"

static const char help[] =
	"usage: xinyong import DIR --dataset CODE --unit UNITCODE [options] FILE\n"
	"Imports a providing unit's exchange file into a dataset of the instance in DIR.\n"
	"Every row is validated; valid rows are stored, rejected rows are listed in a\n"
	"report (row, field, reason).  Prints report=PATH and accepted=N rejected=M.\n\n"
	"  --dataset CODE       catalog dataset (XZCF, XZXK, …)\n"
	"  --unit CODE          the providing unit's unified social credit code\n"
	"  --encoding ENC       auto (default), utf-8 or gb18030\n"
	"  --format FMT         csv or jsonl (default: by file name, else csv)\n\n"
	"Exit status: 0 all rows accepted, 3 some rows rejected, 1 nothing stored.\n";

int xy_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dataset", required_argument, NULL, 'd'},
		{"unit", required_argument, NULL, 'u'},
		{"encoding", required_argument, NULL, 'e'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct xy_ingest_opts o = {.enc = XY_ENC_AUTO, .format = XY_FMT_AUTO};
	struct xy_ingest_result res;
	struct xy_audit_event who = {0};
	struct xy_instance *inst = NULL;
	char err[512] = "";
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
		case 'h':
			fputs(help, stdout);
			return XY_EXIT_OK;
		default:
			fputs(help, stderr);
			return XY_EXIT_USAGE;
		}
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
