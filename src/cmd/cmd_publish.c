/* xinyong publish DIR [--snapshot] [--json]: one change set for the portal
 * now (NET-1, POR-2), rather than at the server's next scheduled run. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "svc/instance.h"
#include "svc/publish.h"
#include "util/err.h"

static const char help[] =
	"usage: xinyong publish DIR [--snapshot] [--json]\n"
	"Writes the next change set for the public portal into DIR/outbox/: what may be\n"
	"published (public datasets' records within their display period, masked; their\n"
	"subjects' public identity) that changed since the last change set, and a removal\n"
	"for everything that may no longer be shown.  Change set 1 is a full snapshot;\n"
	"later ones are deltas.  Each is signed with the platform SM2 key\n"
	"(keys/platform-sm2.pub verifies it).  When nothing changed, no file is written.\n"
	"The server (xinyong serve) publishes by itself every [publish] interval_s\n"
	"seconds and after midnight.\n\n"
	"  --snapshot   a full snapshot even when a delta would do\n"
	"  --json       print the result as JSON\n\n"
	"Exit 0 when a change set was written or nothing was to publish, 1 on failure\n"
	"(another publish running, the audit event not written, …), 2 on a usage error.\n";

static void print(const struct xy_publish_result *r, const char *dir, int json)
{
	static const char hex[] = "0123456789abcdef";
	char sm3[65];
	for (int i = 0; i < 32; i++) {
		sm3[2 * i] = hex[r->sm3[i] >> 4];
		sm3[2 * i + 1] = hex[r->sm3[i] & 15];
	}
	sm3[64] = '\0';
	if (json && !r->seq)
		printf("{\"published\":false,\"last\":%lld}\n", (long long)r->last);
	else if (json)
		printf("{\"published\":true,\"seq\":%lld,\"kind\":\"%s\",\"file\":\"%s/outbox/%s\","
		       "\"records\":%ld,\"subjects\":%ld,\"removals\":%ld,\"lines\":%ld,"
		       "\"bytes\":%lld,\"sm3\":\"%s\",\"recovered\":%lld}\n",
		       (long long)r->seq, r->snapshot ? "snapshot" : "delta", dir, r->file,
		       r->records, r->subjects, r->removals, r->lines, r->bytes, sm3,
		       (long long)r->recovered);
	else if (!r->seq)
		printf("nothing to publish: the portal has everything (last change set %lld)\n",
		       (long long)r->last);
	else
		printf("seq=%lld kind=%s file=%s/outbox/%s records=%ld subjects=%ld "
		       "removals=%ld lines=%ld bytes=%lld sm3=%s\n",
		       (long long)r->seq, r->snapshot ? "snapshot" : "delta", dir, r->file,
		       r->records, r->subjects, r->removals, r->lines, r->bytes, sm3);
	if (r->recovered)
		fprintf(stderr,
			"xinyong: change set %lld was in the outbox without a record (a crash): "
			"removed, and this change set is a snapshot\n",
			(long long)r->recovered);
}

int xy_cmd_publish(int argc, char **argv)
{
	static const struct option opts[] = {
		{"snapshot", no_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct xy_publish_opts o = {.audit_noop = 1};
	struct xy_publish_result r;
	struct xy_instance *inst = NULL;
	char err[512] = "";
	int json = 0, c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.snapshot = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return XY_EXIT_OK;
		default:
			fputs(help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(help, stderr);
		return XY_EXIT_USAGE;
	}
	if ((rc = xy_instance_open(argv[optind], &inst, err, sizeof err)))
		return xy_cmd_fail("%s", err[0] ? err : xy_strerror(rc));
	rc = xy_publish_local(inst, &o, &r, err, sizeof err);
	if (!rc)
		print(&r, inst->dir, json);
	xy_instance_close(inst);
	if (rc)
		return xy_cmd_fail("publish %s: %s", argv[optind], err[0] ? err : xy_strerror(rc));
	return XY_EXIT_OK;
}
