/* Validation of one submitted row against its dataset (COL-2, COL-3,
 * COL-5): types, code lists, check characters, conditional requirements,
 * cross-field rules; and what the row means: its subject, its validity and
 * its public display period.  Pure: no I/O. */
#ifndef XY_CORE_ROW_H
#define XY_CORE_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"

#define XY_ROW_ERRORS_MAX 8
#define XY_ROW_REASON_MAX 256
#define XY_NO_END	  INT32_MAX /* a record without a validity end */
#define XY_NOT_DISPLAYED  (-1)

struct xy_row_problem {
	int field; /* index in the dataset, or -1 for the row as a whole */
	char zh[XY_ROW_REASON_MAX];
	char en[XY_ROW_REASON_MAX];
};

/* The values of one row, by field index (NULL or "" when absent).  Values
 * are borrowed; xy_row_check trims them and may point some at normalised
 * copies in norm (dates as YYYY-MM-DD, identity numbers with upper-case X). */
struct xy_row {
	const char *val[XY_CATALOG_FIELDS_MAX];
	size_t len[XY_CATALOG_FIELDS_MAX];
	char norm[XY_CATALOG_FIELDS_MAX][20];
};

struct xy_row_result {
	int nproblems;	   /* problems kept in problem[] */
	int nproblems_all; /* all problems found */
	struct xy_row_problem problem[XY_ROW_ERRORS_MAX];
	int natural;	       /* the subject is a natural person */
	int code_field;	       /* field holding the subject's code or identity number */
	int32_t valid_until;   /* day number, XY_NO_END when none (COL-5) */
	int32_t display_until; /* day number, XY_NOT_DISPLAYED when never shown */
};

struct xy_row_opts {
	int32_t today;
	/* Allow-list of genuine pre-2016 codes that fail their check (may be NULL). */
	int (*code_allowed)(void *arg, const char *code, size_t n);
	void *arg;
};

/* Checks the row; res->nproblems_all == 0 when it may be stored. */
void xy_row_check(const struct xy_dataset *ds, struct xy_row *row, const struct xy_row_opts *o,
		  struct xy_row_result *res);

#endif
