/* AUD-3: `audit verify` (xy_audit_verify_chain) finds a changed, deleted, inserted or
 * reordered event and names the first one, wherever it falls among the batches the walk
 * hashes together (src/audit/verify.c hashes BATCH = 64 events at a time): in a
 * batch, on either side of a batch boundary, in the last, partial batch.
 *
 * Each test writes a chain of 300 events into a fresh store in a scratch directory with
 * xy_audit_append_at, changes the table with plain SQL as an intruder with file access
 * would (dropping the append-only triggers first), and checks the answer: XY_ETAMPER, the sequence
 * number, the text, and the count of events read up to the bad one (as the walk one event at a time
 * counted them). */
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
#include "store/store.h"
#include "util/err.h"

#define EVENTS 300

struct fx {
	char dir[64];
	char db[96];
};

/* A store holding EVENTS events; each has a different object. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct xy_store *st = NULL;
	struct xy_audit_cursor cur = {0};

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/xy_test_audit_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/core.db", f->dir);
	assert_int_equal(xy_store_open(f->db, XY_STORE_CREATE, &st), 0);
	assert_int_equal(xy_store_begin(st), 0);
	assert_int_equal(xy_audit_head(st, &cur), 0);
	for (int i = 1; i <= EVENTS; i++) {
		char obj[64];
		struct xy_audit_event ev = {.client = "10.1.2.3:54321",
					    .account = "jj.user",
					    .unit = "11360400MB1770537X",
					    .action = "query",
					    .object = obj,
					    .purpose = "daily_supervision"};
		snprintf(obj, sizeof obj, "{\"subject\":%d,\"records\":[%d,%d]}", i, i * 7, i * 11);
		assert_int_equal(xy_audit_append_at(st, &cur, &ev), 0);
	}
	xy_audit_cursor_done(&cur);
	assert_int_equal(xy_store_commit(st), 0);
	xy_store_close(st);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
	static const char *const tails[] = {"", "-wal", "-shm"};

	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
		snprintf(path, sizeof path, "%s%s", f->db, tails[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The intruder: plain SQL on the file. */
static void tamper(const struct fx *f, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "DROP TRIGGER IF EXISTS audit_events_no_update;"
				      "DROP TRIGGER IF EXISTS audit_events_no_delete",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Verifies; expects rc, and when tampered the first bad event, its text and the count. */
static void expect(const struct fx *f, int rc, int64_t bad_seq, const char *what, int64_t events)
{
	struct xy_store *st = NULL;
	struct xy_audit_check chk;

	assert_int_equal(xy_store_open(f->db, 0, &st), 0);
	assert_int_equal(xy_audit_verify_chain(st, &chk), rc);
	xy_store_close(st);
	assert_int_equal(chk.bad_seq, bad_seq);
	assert_int_equal(chk.events, events);
	if (what)
		assert_non_null(strstr(chk.what, what));
}

static void test_aud3_intact_chain_verifies(void **state)
{
	expect(*state, 0, 0, NULL, EVENTS);
}

static void test_aud3_changed_event_in_a_batch(void **state)
{
	tamper(*state, "UPDATE audit_events SET account = 'os:nobody' WHERE seq = 150");
	expect(*state, XY_ETAMPER, 150, "event 150 was changed", 150);
}

static void test_aud3_changed_events_at_a_batch_boundary(void **state)
{
	tamper(*state, "UPDATE audit_events SET purpose = NULL WHERE seq = 65");
	expect(*state, XY_ETAMPER, 65, "event 65 was changed", 65);
	tamper(*state, "UPDATE audit_events SET ts = ts + 1 WHERE seq = 64");
	/* 64 and 65 both changed: the one after 64 no longer follows it either,
	 * so the verifier cannot tell a change from an insertion here. */
	expect(*state, XY_ETAMPER, 64, "event 64 does not match its chain hash, nor does", 64);
}

static void test_aud3_first_of_two_changes_is_named(void **state)
{
	tamper(*state, "UPDATE audit_events SET result = 'refused' WHERE seq IN (10, 200)");
	expect(*state, XY_ETAMPER, 10, "event 10 was changed", 10);
}

static void test_aud3_changed_last_event(void **state)
{
	tamper(*state, "UPDATE audit_events SET object = '{}' WHERE seq = 300");
	expect(*state, XY_ETAMPER, 300, "event 300, the last, does not match", 300);
}

static void test_aud3_deleted_event(void **state)
{
	tamper(*state, "DELETE FROM audit_events WHERE seq = 70");
	expect(*state, XY_ETAMPER, 70, "event 70 is missing (deleted)", 70);
}

/* A change before a deletion in the same batch: the change comes first. */
static void test_aud3_change_before_deletion_is_named(void **state)
{
	tamper(*state, "UPDATE audit_events SET agent = 'x' WHERE seq = 66;"
		       "DELETE FROM audit_events WHERE seq = 70");
	expect(*state, XY_ETAMPER, 66, "event 66 was changed", 66);
}

static void test_aud3_reordered_events(void **state)
{
	tamper(*state, "UPDATE audit_events SET seq = -1 WHERE seq = 100;"
		       "UPDATE audit_events SET seq = 100 WHERE seq = 101;"
		       "UPDATE audit_events SET seq = 101 WHERE seq = -1");
	expect(*state, XY_ETAMPER, 100, "events 100 and 101 are in each other's place (reordered)",
	       100);
}

static void test_aud3_inserted_event_at_the_end(void **state)
{
	tamper(*state, "INSERT INTO audit_events(seq, ts, zone, action, result, hash)"
		       " SELECT 301, ts + 1, zone, action, result, hash FROM audit_events"
		       " WHERE seq = 300");
	expect(*state, XY_ETAMPER, 301, "event 301, the last, does not match", 301);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aud3_intact_chain_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aud3_changed_event_in_a_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aud3_changed_events_at_a_batch_boundary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aud3_first_of_two_changes_is_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aud3_changed_last_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aud3_deleted_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aud3_change_before_deletion_is_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aud3_reordered_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aud3_inserted_event_at_the_end, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
