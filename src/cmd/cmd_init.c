#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "crypto/sm.h"
#include "svc/instance.h"
#include "util/err.h"

static const char help[] =
	"usage: xinyong init DIR [options]\n"
	"Creates a platform instance in DIR (which must not exist, or be empty):\n"
	"configuration, keys (master key 0600, wrapped data keys, platform SM2 pair),\n"
	"core.db with the region tree, the credit office, the catalog, and three\n"
	"first administrators with one-time passwords printed once (never stored).\n\n"
	"  --city CODE:NAME          the city (default: the demo set, 360400:九江市)\n"
	"  --counties C:N,C:N…       its counties (with --city; default: none)\n"
	"  --office USCC:NAME        the credit office unit (default: derived)\n"
	"  --units FILE              first member units, CSV: code,name,region,provides\n"
	"  --catalog FILE            catalog JSON (default: the built-in national catalog)\n"
	"  --json                    print the accounts as JSON\n";

int xy_cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"city", required_argument, NULL, 'c'},
		{"counties", required_argument, NULL, 'k'},
		{"office", required_argument, NULL, 'o'},
		{"units", required_argument, NULL, 'u'},
		{"catalog", required_argument, NULL, 'g'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct xy_init_opts o = {0};
	struct xy_init_account acc[XY_ADMIN_ACCOUNTS];
	char err[512] = "";
	int json = 0, c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.city = optarg;
			break;
		case 'k':
			o.counties = optarg;
			break;
		case 'o':
			o.office = optarg;
			break;
		case 'u':
			o.units_file = optarg;
			break;
		case 'g':
			o.catalog_file = optarg;
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
	if (optind != argc - 1 || (o.counties && !o.city)) {
		fputs(help, stderr);
		return XY_EXIT_USAGE;
	}
	o.dir = argv[optind];
	rc = xy_instance_init(&o, acc, err, sizeof err);
	if (rc)
		return xy_cmd_fail("init %s: %s", o.dir, err[0] ? err : xy_strerror(rc));
	if (json)
		fputs("{\"accounts\":[", stdout);
	for (int i = 0; i < XY_ADMIN_ACCOUNTS; i++) {
		if (json)
			printf("%s{\"account\":\"%s\",\"role\":\"%s\",\"password\":\"%s\"}",
			       i ? "," : "", acc[i].name, acc[i].role, acc[i].password);
		else
			printf("account=%s role=%s password=%s\n", acc[i].name, acc[i].role,
			       acc[i].password);
		xy_wipe(acc[i].password, sizeof acc[i].password);
	}
	if (json)
		fputs("]}\n", stdout);
	fflush(stdout);
	fprintf(stderr,
		"xinyong: instance created in %s. The passwords above are shown once and are "
		"one-time: each must be changed at first sign-in.\n",
		o.dir);
	return XY_EXIT_OK;
}
