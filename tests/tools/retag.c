/* Test tool, never installed: re-tags one row (CRY-2) as the application
 * would have written it.  The black-box tests that stand in for a clock
 * (an account's end date passed, a password grown old) move a date in
 * core.db and then call this, so that what they test is the passage of
 * time and not a tampered row.  It is built beside the unit tests and
 * reaches the store's internals on purpose; the product has no such command
 * (CHG-1).
 *
 *   xy_retag DIR TABLE ID      (TABLE: accounts, agreements, grants, clients, records) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "svc/instance.h"
#include "util/err.h"

int main(int argc, char **argv)
{
	struct xy_instance *inst = NULL;
	char err[512] = "", *end;
	long long id;
	int t, rc;

	if (argc != 4) {
		fputs("usage: xy_retag DIR TABLE ID\n", stderr);
		return 2;
	}
	for (t = 0; t < XY_TAG_TABLES && strcmp(xy_store_tag_table(t), argv[2]) != 0; t++)
		;
	id = strtoll(argv[3], &end, 10);
	if (t == XY_TAG_TABLES || *end || id <= 0) {
		fputs("xy_retag: unknown table or bad id\n", stderr);
		return 2;
	}
	if ((rc = xy_instance_open(argv[1], &inst, err, sizeof err))) {
		fprintf(stderr, "xy_retag: %s\n", err[0] ? err : xy_strerror(rc));
		return 1;
	}
	if ((rc = xy_store_begin(inst->store)) || (rc = xy__tag_set(inst->store, t, id)) ||
	    (rc = xy_store_commit(inst->store))) {
		xy_store_rollback(inst->store);
		fprintf(stderr, "xy_retag: %s\n", xy_strerror(rc));
	}
	xy_instance_close(inst);
	return rc ? 1 : 0;
}
