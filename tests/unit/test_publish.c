/* The publisher's pure rules (src/core/publish.h): which records reach the
 * portal on a given day and, when not, the removal reason a change set
 * gives (NET-1, POR-1); the decision date of a record; when the server's
 * schedule runs.  On the shipped catalog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/publish.h"
#include "core/row.h"
#include "support/testdata.h"
#include "util/date.h"

static int setup(void **state)
{
	char err[512] = "";
	struct xy_catalog *cat = NULL;
	size_t n;
	char *json = xy_testdata_read("catalog/default.json", &n);

	assert_non_null(json);
	assert_int_equal(xy_catalog_parse(json, n, &cat, err, sizeof err), 0);
	free(json);
	*state = cat;
	return 0;
}

static int teardown(void **state)
{
	xy_catalog_free(*state);
	return 0;
}

static const struct xy_dataset *ds(void **state, const char *code)
{
	const struct xy_dataset *d = xy_catalog_dataset(*state, code);
	assert_non_null(d);
	return d;
}

#define DAY(y, m, d) xy_date_from_ymd(y, m, d)

/* POR-1: a public record is shown through the last day of its display
 * period and leaves the day after, as display_ended. */
static void test_por1_display_period_last_day_included(void **state)
{
	const struct xy_dataset *cf = ds(state, "XZCF");
	int32_t until = DAY(2026, 6, 30);

	assert_int_equal(xy_pub_decide(cf, "active", 0, until, DAY(2026, 6, 1)), XY_PUB_SHOWN);
	assert_int_equal(xy_pub_decide(cf, "active", 0, until, until), XY_PUB_SHOWN);
	assert_int_equal(xy_pub_decide(cf, "active", 0, until, until + 1), XY_PUB_DISPLAY_ENDED);
	assert_string_equal(xy_pub_reason_name(XY_PUB_DISPLAY_ENDED), "display_ended");
	/* Never displayed (a 轻微 penalty): not published at all. */
	assert_int_equal(xy_pub_decide(cf, "active", 0, XY_NOT_DISPLAYED, DAY(2026, 6, 1)),
			 XY_PUB_DISPLAY_ENDED);
}

/* NET-1: government-shared and authorised-use datasets are never
 * published, whatever their records say. */
static void test_net1_only_public_datasets(void **state)
{
	int32_t today = DAY(2026, 6, 1);

	assert_int_equal(xy_pub_decide(ds(state, "QYSB"), "active", 0, today + 100, today),
			 XY_PUB_WITHDRAWN);
	assert_int_equal(xy_pub_decide(ds(state, "GRQF"), "active", 1, today + 100, today),
			 XY_PUB_WITHDRAWN);
	assert_int_equal(xy_pub_decide(NULL, "active", 0, today + 100, today), XY_PUB_WITHDRAWN);
	for (const char *const *c = (const char *const[]){"XZXK", "XZCF", "YZSX", "SXJL", NULL}; *c;
	     c++)
		assert_int_equal(xy_pub_decide(ds(state, *c), "active", 0, today + 1, today),
				 XY_PUB_SHOWN);
}

/* NET-1: natural persons only from a dataset whose catalog entry says
 * publish_natural (the shipped catalog says it nowhere). */
static void test_net1_natural_persons_only_where_the_catalog_allows(void **state)
{
	struct xy_dataset cf = *ds(state, "XZCF");
	int32_t today = DAY(2026, 6, 1);

	assert_int_equal(xy_pub_decide(&cf, "active", 1, today + 1, today), XY_PUB_WITHDRAWN);
	cf.publish_natural = 1;
	assert_int_equal(xy_pub_decide(&cf, "active", 1, today + 1, today), XY_PUB_SHOWN);
	assert_int_equal(xy_pub_decide(&cf, "active", 0, today + 1, today), XY_PUB_SHOWN);
}

/* A public dataset without a display rule publishes nothing (no period, no
 * end to count to: SHUANGGONGSHI.md). */
static void test_net1_public_dataset_without_display_rule_publishes_nothing(void **state)
{
	struct xy_dataset d = *ds(state, "SXJL");
	int32_t today = DAY(2026, 6, 1);

	d.display.present = 0;
	assert_int_equal(xy_pub_decide(&d, "active", 0, today + 1, today), XY_PUB_WITHDRAWN);
}

/* The removal reason follows the record's status before anything else. */
static void test_por1_removal_reason_from_status(void **state)
{
	static const struct {
		const char *status;
		enum xy_pub_reason want;
		const char *name;
	} cases[] = {
		{"revoked", XY_PUB_REVOKED, "revoked"},
		{"corrected", XY_PUB_CORRECTED, "corrected"},
		{"repaired", XY_PUB_REPAIRED, "repaired"},
		{"something-new", XY_PUB_WITHDRAWN, "withdrawn"},
		{NULL, XY_PUB_WITHDRAWN, "withdrawn"},
	};
	const struct xy_dataset *cf = ds(state, "XZCF");
	int32_t today = DAY(2026, 6, 1);

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		/* Within its period or past it: the status is the reason. */
		enum xy_pub_reason r = xy_pub_decide(cf, cases[i].status, 0, today + 5, today);
		assert_int_equal(r, cases[i].want);
		assert_int_equal(xy_pub_decide(cf, cases[i].status, 0, today - 5, today),
				 cases[i].want);
		assert_string_equal(xy_pub_reason_name(r), cases[i].name);
	}
	assert_string_equal(xy_pub_reason_name(XY_PUB_SHOWN), "");
	assert_string_equal(xy_pub_reason_name((enum xy_pub_reason)99), "withdrawn");
}

/* A record's "date": the display period's start, else the first date. */
static void test_por1_decision_date_field(void **state)
{
	const struct xy_dataset *cf = ds(state, "XZCF"), *xk = ds(state, "XZXK");
	const struct xy_dataset *sx = ds(state, "YZSX");
	int f;

	assert_string_equal(cf->fields[xy_pub_date_field(cf)].code, "CF_JDRQ");
	assert_string_equal(xk->fields[xy_pub_date_field(xk)].code, "XK_JDRQ");
	f = xy_pub_date_field(sx); /* display by a field, no "from": the first date */
	assert_true(f >= 0);
	assert_int_equal(sx->fields[f].type, XY_FT_DATE);
	for (int i = 0; i < f; i++)
		assert_int_not_equal(sx->fields[i].type, XY_FT_DATE);
}

/* The server's schedule: every interval, and when the China day changes
 * (midnight), never when off. */
static void test_net1_schedule_interval_and_midnight(void **state)
{
	int64_t t0 = 1780000000LL * 1000000;
	int32_t d0 = DAY(2026, 6, 1);

	(void)state;
	assert_false(xy_pub_due(t0, d0, t0 + 299 * 1000000LL, d0, 300));
	assert_true(xy_pub_due(t0, d0, t0 + 300 * 1000000LL, d0, 300));
	assert_true(xy_pub_due(t0, d0, t0 + 1000000LL, d0 + 1, 300));	     /* past midnight */
	assert_false(xy_pub_due(t0, d0, t0 + 86400 * 1000000LL, d0 + 1, 0)); /* off */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_por1_display_period_last_day_included, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_net1_only_public_datasets, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_net1_natural_persons_only_where_the_catalog_allows, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_net1_public_dataset_without_display_rule_publishes_nothing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_por1_removal_reason_from_status, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_por1_decision_date_field, setup, teardown),
		cmocka_unit_test(test_net1_schedule_interval_and_midnight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
