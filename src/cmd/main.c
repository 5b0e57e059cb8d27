/* xinyong: the command line.  Local commands act on an instance directory;
 * business commands become clients of the API as the server arrives. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"

#define XY_VERSION "0.1.0"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"init", xy_cmd_init,
	 "create a platform instance (keys, store, catalog, first administrators)"},
	{"import", xy_cmd_import,
	 "import a providing unit's CSV or JSON Lines file into a dataset"},
	{"demo", xy_cmd_demo, "fill an instance with realistic synthetic data"},
	{"verify", xy_cmd_verify, "check every stored record's sealed values and the audit chain"},
	{"audit", xy_cmd_audit, "audit trail: `audit verify DIR`, `audit retain DIR`"},
	{"calendar", xy_cmd_calendar, "check a working-day calendar file (DIR/calendar.txt)"},
	{"serve", xy_cmd_serve, "run the government-zone server (JSON API)"},
	{"publish", xy_cmd_publish, "write the next signed change set for the public portal"},
	{"portal-register", xy_cmd_portal_register,
	 "register a portal's key: serve takes its signed submissions (POR-3)"},
	{"portal-init", xy_cmd_portal_init,
	 "create an internet-zone portal directory (its store, key pair and inbox)"},
	{"portal", xy_cmd_portal, "run the public credit portal (applies signed change sets)"},
	{"login", xy_cmd_login, "sign in to a server as an account (keeps the session token)"},
	{"logout", xy_cmd_logout, "end the session and remove its token"},
	{"whoami", xy_cmd_whoami, "show the signed-in account"},
	{"passwd", xy_cmd_passwd, "change the signed-in account's password"},
	{"account", xy_cmd_account, "accounts through the API: list, create, roles, disable…"},
	{"query", xy_cmd_query, "a subject and the credit records you may see (SHR)"},
	{"search", xy_cmd_search, "find subjects by name or code prefix"},
	{"authorise", xy_cmd_authorise, "ask for, approve or revoke authorised-use access (SHR-3)"},
	{"clients", xy_cmd_clients, "register or revoke machine clients of the data API (SHR-6)"},
};

int xy_cmd_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("xinyong: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return XY_EXIT_FAIL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xinyong <command> [options]   (xinyong <command> --help)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-8s %s\n", "version", "print the version");
}

int main(int argc, char **argv)
{
	/* Everything the platform writes (store, keys, reports) is private. */
	umask(077);
	if (argc < 2) {
		usage(stderr);
		return XY_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return XY_EXIT_OK;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("xinyong %s\n", XY_VERSION);
		return XY_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "xinyong: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return XY_EXIT_USAGE;
}
