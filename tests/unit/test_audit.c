/* The audit trail's retention job and checkpoints (AUD-3, AUD-4): months of
 * history are written with their own times, then the job runs "today". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "audit/retain.h"
#include "crypto/keyring.h"
#include "store/store.h"
#include "util/err.h"

#define DAY_US (86400LL * 1000000LL)

struct fix {
	char dir[64], db[96], keys[96], cp[96];
	struct xy_store *st;
	struct xy_keyring *kr;
	struct xy_auditcp *cp_w;
	int64_t now;
};

static struct fix F;

static int setup(void **state)
{
	struct xy_auditcp_conf c = {1000, 10, 0};
	(void)state;
	memset(&F, 0, sizeof F);
	snprintf(F.dir, sizeof F.dir, "/tmp/xy-test-audit-XXXXXX");
	assert_non_null(mkdtemp(F.dir));
	snprintf(F.db, sizeof F.db, "%s/core.db", F.dir);
	snprintf(F.keys, sizeof F.keys, "%s/keys", F.dir);
	snprintf(F.cp, sizeof F.cp, "%s/%s", F.dir, XY_CP_FILE);
	assert_int_equal(xy_store_open(F.db, XY_STORE_CREATE, &F.st), 0);
	assert_int_equal(xy_keyring_create(F.keys), 0);
	assert_int_equal(xy_keyring_load(F.keys, &F.kr), 0);
	assert_int_equal(xy_auditcp_open(F.cp, xy_keyring_sm2(F.kr), &c, &F.cp_w), 0);
	/* 2026-11-22 12:00 in China */
	F.now = (int64_t)(20414LL * 86400 + 4 * 3600) * 1000000LL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	xy_auditcp_close(F.cp_w);
	xy_keyring_free(F.kr);
	xy_store_close(F.st);
	/* the test's own scratch directory: files, then the folders */
	unlink(F.db);
	snprintf(cmd, sizeof cmd, "%s-wal", F.db);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s-shm", F.db);
	unlink(cmd);
	unlink(F.cp);
	for (const char *k = "master.key\0data-keys\0platform-sm2.key\0platform-sm2.pub\0"; *k;
	     k += strlen(k) + 1) {
		snprintf(cmd, sizeof cmd, "%s/%s", F.keys, k);
		unlink(cmd);
	}
	rmdir(F.keys);
	rmdir(F.dir);
	return 0;
}

/* n events starting at time t0, one every step_us, committed (then a
 * forced checkpoint unless bare). */
static void history_cp(int n, int64_t t0, int64_t step_us, int bare)
{
	struct xy_audit_cursor cur = {0};
	struct xy_audit_event ev = {0};
	char obj[64];

	ev.zone = XY_ZONE_GOV;
	ev.client = "10.1.2.3:4000";
	ev.account = "zhang.wei";
	ev.unit = "11360400MB0000001X";
	ev.action = "subject.query";
	ev.object = obj;
	ev.result = "ok";
	assert_int_equal(xy_store_begin(F.st), 0);
	assert_int_equal(xy_audit_head(F.st, &cur), 0);
	for (int i = 0; i < n; i++) {
		snprintf(obj, sizeof obj, "{\"subject\":%d,\"records\":[],\"count\":0}", i);
		assert_int_equal(xy_audit_append_timed(F.st, &cur, &ev, t0 + i * step_us), 0);
	}
	xy_audit_cursor_done(&cur);
	assert_int_equal(xy_store_commit(F.st), 0);
	if (!bare)
		assert_int_equal(xy_auditcp_sync(F.cp_w, F.st, 1), 0);
}

static void history(int n, int64_t t0, int64_t step_us)
{
	history_cp(n, t0, step_us, 0);
}

static int exec_sql(const char *sql)
{
	sqlite3 *db;
	int rc;
	assert_int_equal(sqlite3_open(F.db, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* The events present, after checking that they verify. */
static int64_t count_events(void)
{
	struct xy_audit_check chk;
	assert_int_equal(xy_audit_verify(F.st, xy_keyring_sm2(F.kr), F.cp, &chk), 0);
	return chk.events;
}

static struct xy_audit_event who(void)
{
	struct xy_audit_event w = {0};
	w.zone = XY_ZONE_GOV;
	w.client = "local";
	w.account = "system:retention";
	return w;
}

static void test_aud4_retention_removes_only_events_older_than_six_months(void **state)
{
	struct xy_audit_event w = who();
	struct xy_retain_result r;
	struct xy_audit_check chk;
	(void)state;
	/* 100 events about eight months ago, 50 in the last two months */
	history(100, F.now - 240 * DAY_US, 60LL * 1000000LL);
	history(50, F.now - 60 * DAY_US, DAY_US);
	assert_int_equal(
		xy_audit_retain(F.st, F.cp_w, xy_keyring_sm2(F.kr), F.cp, 6, F.now, &w, &r), 0);
	assert_int_equal(r.through_seq, 100);
	assert_int_equal(r.removed, 100);
	/* the 50 young ones and the job's own event stay, and still verify
	 * from the signed retention base */
	assert_int_equal(xy_audit_verify(F.st, xy_keyring_sm2(F.kr), F.cp, &chk), 0);
	assert_int_equal(chk.first_seq, 101);
	assert_int_equal(chk.events, 51);
	assert_int_equal(chk.last_seq, 151);
	assert_int_equal(count_events(), 51);
}

static void test_aud4_retention_below_six_months_refused(void **state)
{
	struct xy_audit_event w = who();
	struct xy_retain_result r;
	(void)state;
	history(10, F.now - 200 * DAY_US, 1000000LL);
	assert_int_equal(
		xy_audit_retain(F.st, F.cp_w, xy_keyring_sm2(F.kr), F.cp, 5, F.now, &w, &r),
		XY_EINVAL);
	assert_int_equal(count_events(), 10);
}

static void test_aud4_nothing_old_enough_removes_nothing_but_is_audited(void **state)
{
	struct xy_audit_event w = who();
	struct xy_retain_result r;
	(void)state;
	/* five months and 29 days old: younger than six calendar months */
	history(10, F.now - 179 * DAY_US, 1000000LL);
	assert_int_equal(
		xy_audit_retain(F.st, F.cp_w, xy_keyring_sm2(F.kr), F.cp, 6, F.now, &w, &r), 0);
	assert_int_equal(r.removed, 0);
	assert_int_equal(count_events(), 11); /* the job's own event */
}

static void test_aud4_a_trail_that_does_not_verify_is_not_pruned(void **state)
{
	struct xy_audit_event w = who();
	struct xy_retain_result r;
	(void)state;
	history(20, F.now - 300 * DAY_US, 1000000LL);
	history(5, F.now - DAY_US, 1000000LL);
	/* someone changed an old event behind the application's back: the
	 * retention job must not delete the evidence */
	assert_int_equal(exec_sql("DROP TRIGGER audit_events_no_update;"
				  "UPDATE audit_events SET account = 'nobody' WHERE seq = 7;"),
			 SQLITE_OK);
	assert_int_equal(
		xy_audit_retain(F.st, F.cp_w, xy_keyring_sm2(F.kr), F.cp, 6, F.now, &w, &r),
		XY_ETAMPER);
	assert_int_equal(r.check.bad_seq, 7);
	{
		int64_t first;
		assert_int_equal(xy_store_audit_first(F.st, &first), 0);
		assert_int_equal(first, 1);
	}
}

static void test_aud4_events_cannot_be_changed_or_deleted_through_sql(void **state)
{
	(void)state;
	history(5, F.now - 300 * DAY_US, 1000000LL);
	assert_int_not_equal(exec_sql("UPDATE audit_events SET account = 'x' WHERE seq = 2"),
			     SQLITE_OK);
	assert_int_not_equal(exec_sql("DELETE FROM audit_events WHERE seq = 1"), SQLITE_OK);
	/* the cut-off only moves forward */
	assert_int_not_equal(exec_sql("UPDATE audit_retention SET through_seq = -1"), SQLITE_OK);
	assert_int_equal(count_events(), 5);
}

static void test_aud3_retention_checkpoint_altered_is_caught(void **state)
{
	struct xy_audit_event w = who();
	struct xy_retain_result r;
	struct xy_audit_check chk;
	FILE *f;
	char text[8192];
	size_t n;
	char *p;
	(void)state;
	history(30, F.now - 240 * DAY_US, 1000000LL);
	history(3, F.now - DAY_US, 1000000LL);
	assert_int_equal(
		xy_audit_retain(F.st, F.cp_w, xy_keyring_sm2(F.kr), F.cp, 6, F.now, &w, &r), 0);
	assert_int_equal(r.removed, 30);
	/* the compacted file keeps the retain line and drops the lines about
	 * removed events only */
	f = fopen(F.cp, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = 0;
	assert_non_null(strstr(text, "XYCP1 retain 30 "));
	assert_null(strstr(text, "XYCP1 head 30 "));
	assert_non_null(strstr(text, "XYCP1 head 33 "));
	/* moving the retention base forward by hand breaks its signature */
	p = strstr(text, "retain 30 ");
	p[7] = '4';
	f = fopen(F.cp, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(xy_audit_verify(F.st, xy_keyring_sm2(F.kr), F.cp, &chk), XY_ETAMPER);
	assert_non_null(strstr(chk.what, "signature"));
}

static void test_aud3_deleting_old_events_without_the_job_is_caught(void **state)
{
	struct xy_audit_check chk;
	(void)state;
	history(10, F.now - 240 * DAY_US, 1000000LL);
	assert_int_equal(exec_sql("DROP TRIGGER audit_events_no_delete;"
				  "DELETE FROM audit_events WHERE seq <= 4;"),
			 SQLITE_OK);
	assert_int_equal(xy_audit_verify(F.st, xy_keyring_sm2(F.kr), F.cp, &chk), XY_ETAMPER);
	assert_int_equal(chk.bad_seq, 1);
	assert_non_null(strstr(chk.what, "no signed retention checkpoint"));
}

static void test_aud3_checkpoint_every_n_events(void **state)
{
	struct xy_auditcp_conf c = {10, 3600, 0};
	struct xy_auditcp *cp;
	struct xy_audit_check chk;
	uint8_t h[32];
	int64_t ts;
	(void)state;
	assert_int_equal(xy_auditcp_open(F.cp, xy_keyring_sm2(F.kr), &c, &cp), 0);
	history_cp(25, F.now, 1000, 1);
	for (int64_t s = 1; s <= 25; s++) {
		assert_int_equal(xy_store_audit_at(F.st, s, &ts, h), 0);
		assert_int_equal(xy_auditcp_note(cp, s, h, 0), 0);
	}
	/* the first at once, then every tenth event */
	assert_int_equal(xy_audit_verify(F.st, xy_keyring_sm2(F.kr), F.cp, &chk), 0);
	assert_int_equal(chk.checkpoints, 3);
	assert_int_equal(chk.covered_seq, 21);
	assert_int_equal(chk.last_seq, 25);
	/* a forced one (a command's end) covers the rest */
	assert_int_equal(xy_auditcp_note(cp, 25, h, 1), 0);
	xy_auditcp_close(cp);
	assert_int_equal(xy_audit_verify(F.st, xy_keyring_sm2(F.kr), F.cp, &chk), 0);
	assert_int_equal(chk.checkpoints, 4);
	assert_int_equal(chk.covered_seq, 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_aud4_retention_removes_only_events_older_than_six_months, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_aud4_retention_below_six_months_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_aud4_nothing_old_enough_removes_nothing_but_is_audited, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_aud4_a_trail_that_does_not_verify_is_not_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_aud4_events_cannot_be_changed_or_deleted_through_sql, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aud3_retention_checkpoint_altered_is_caught,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_aud3_deleting_old_events_without_the_job_is_caught, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aud3_checkpoint_every_n_events, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
