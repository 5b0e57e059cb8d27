/* xinyong calendar: reads a working-day calendar the way the review and
 * the approvals read it, so that an operator can check a new year's file
 * before putting it in place (util/workdays.h, docs/OPERATIONS.md). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "util/date.h"
#include "util/err.h"
#include "util/workdays.h"

#define YEARS_SHOWN 32

static void print_years(const struct xy_workdays *c)
{
	int years[YEARS_SHOWN];
	int n = xy_workdays_years(c, years, YEARS_SHOWN);
	if (!n) {
		fputs("no year", stdout);
		return;
	}
	for (int i = 0; i < n && i < YEARS_SHOWN; i++)
		printf("%s%d", i ? ", " : "", years[i]);
	if (n > YEARS_SHOWN)
		printf(" and %d more", n - YEARS_SHOWN);
}

int xy_cmd_calendar(int argc, char **argv)
{
	static const char usage[] =
		"usage: xinyong calendar FILE|DIR\n"
		"Reads a working-day calendar (DIR/calendar.txt of an instance, or any\n"
		"file) as the audit review and the approvals read it: lines\n"
		"\"YYYY-MM-DD holiday\" and \"YYYY-MM-DD workday\", '#' comments.  Names a\n"
		"bad line; says which years it covers (a year whose 1 January is a\n"
		"holiday) and warns when this year or the next is not covered.\n"
		"Exit 0 when the file reads, 1 otherwise.\n";
	char path[PATH_MAX], err[256];
	struct xy_workdays *c = NULL;
	struct stat sb;
	size_t nhol, nwork;
	int y, m, d;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return XY_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs(usage, stderr);
		return XY_EXIT_USAGE;
	}
	if (!stat(argv[1], &sb) && S_ISDIR(sb.st_mode))
		snprintf(path, sizeof path, "%s/calendar.txt", argv[1]);
	else
		snprintf(path, sizeof path, "%s", argv[1]);
	if (xy_workdays_load(path, &c, err, sizeof err))
		return xy_cmd_fail("%s: %s", path, err);
	xy_workdays_count(c, &nhol, &nwork);
	printf("%s: %zu holidays, %zu adjusted working days; covers ", path, nhol, nwork);
	print_years(c);
	fputc('\n', stdout);
	xy_date_to_ymd(xy_today(), &y, &m, &d);
	for (int k = y; k <= y + 1; k++)
		if (!xy_workdays_covers_year(c, k))
			printf("warning: %d is not covered: working days there follow the weekday "
			       "rule alone and deadlines reaching into it are flagged; add the "
			       "State "
			       "Council's notice for %d\n",
			       k, k);
	xy_workdays_free(c);
	return XY_EXIT_OK;
}
