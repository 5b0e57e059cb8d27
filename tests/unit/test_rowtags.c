/* Unit tests of row tags (CRY-2) in the store (src/store/sqlite_tag.c): on a
 * real instance, a key rotation leaves every tag verifiable under the key it
 * names; a row changed behind the store's back is refused on read, noted on
 * the handle and never re-blessed by a later change; a handle without a row
 * key reads no tagged row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/keyring.h"
#include "store/store.h"
#include "svc/instance.h"
#include "util/err.h"

struct fixture {
	char base[64];
	char dir[96];
	struct xy_instance *inst;
};

static void rm_tree(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (unlink(path))
			rm_tree(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct xy_init_opts o = {0};
	struct xy_init_account acc[XY_ADMIN_ACCOUNTS];
	char err[512] = "";

	if (!f)
		return -1;
	snprintf(f->base, sizeof(f->base), "/tmp/xy-test-rowtags-XXXXXX");
	if (!mkdtemp(f->base))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/inst", f->base);
	o.dir = f->dir;
	if (xy_instance_init(&o, acc, err, sizeof(err)) ||
	    xy_instance_open(f->dir, &f->inst, err, sizeof(err))) {
		fprintf(stderr, "fixture: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	xy_instance_close(f->inst);
	rm_tree(f->base);
	free(f);
	return 0;
}

static int no_report(void *arg, const char *table, int64_t id, const char *what)
{
	(void)table;
	(void)id;
	(void)what;
	(*(long *)arg)++;
	return 0;
}

static long tampered(struct xy_store *st)
{
	long rows[XY_TAG_TABLES], bad = -1, seen = 0;
	assert_int_equal(xy_store_tag_verify(st, no_report, &seen, rows, &bad), 0);
	assert_int_equal(seen, bad);
	return bad;
}

/* Runs SQL on core.db behind the store's back (as the sqlite3 shell would). */
static void behind_the_back(const struct fixture *f, const char *sql)
{
	char path[160];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/core.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t tag_key_of(const struct fixture *f, int64_t account)
{
	char path[160];
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t k = -1;

	snprintf(path, sizeof(path), "%s/core.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db, "SELECT tag_key FROM accounts WHERE id = ?1", -1, &s, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(s, 1, account);
	if (sqlite3_step(s) == SQLITE_ROW)
		k = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return k;
}

static void role_add(struct xy_store *st, int64_t account, const char *role, int want)
{
	assert_int_equal(xy_store_begin(st), 0);
	assert_int_equal(xy_store_role_add(st, account, role, NULL, 1), want);
	if (want)
		xy_store_rollback(st);
	else
		assert_int_equal(xy_store_commit(st), 0);
}

static void test_cry2_rotation_keeps_every_tag_verifiable(void **state)
{
	struct fixture *f = *state;
	char keys[160];
	struct xy_account a;

	assert_int_equal(tampered(f->inst->store), 0);
	assert_int_equal(tag_key_of(f, 1), 1);
	snprintf(keys, sizeof(keys), "%s/keys", f->dir);
	assert_int_equal(xy_keyring_rotate(keys, f->inst->keys), 0);
	/* A role change after the rotation retags under key 2; account 1 keeps
	 * its tag under key 1, and both verify. */
	role_add(f->inst->store, 2, "app_admin", 0);
	assert_int_equal(tag_key_of(f, 2), 2);
	assert_int_equal(tag_key_of(f, 1), 1);
	assert_int_equal(xy_store_account_by_id(f->inst->store, 1, &a), 0);
	assert_int_equal(xy_store_account_by_id(f->inst->store, 2, &a), 0);
	assert_int_equal(tampered(f->inst->store), 0);
	/* And again from a fresh process's view of the instance. */
	xy_instance_close(f->inst);
	f->inst = NULL;
	char err[256];
	assert_int_equal(xy_instance_open(f->dir, &f->inst, err, sizeof(err)), 0);
	assert_int_equal(tampered(f->inst->store), 0);
}

static void test_cry2_tampered_role_refused_noted_and_never_reblessed(void **state)
{
	struct fixture *f = *state;
	struct xy_store *st = f->inst->store;
	struct xy_store_tamper t[XY_STORE_TAMPER_MAX];
	struct xy_account a;

	behind_the_back(f, "UPDATE account_roles SET role = 'security_admin' WHERE account_id = 3");
	assert_int_equal(xy_store_account_by_id(st, 3, &a), XY_ETAMPER);
	assert_int_equal(xy_store_tamper_take(st, t, XY_STORE_TAMPER_MAX), 1);
	assert_string_equal(t[0].table, "accounts");
	assert_int_equal(t[0].id, 3);
	assert_non_null(strstr(t[0].what, "does not match"));
	assert_int_equal(xy_store_tamper_pending(st), 0);
	/* A change through the application does not make the row honest again. */
	role_add(st, 3, "app_admin", XY_ETAMPER);
	assert_int_equal(tampered(st), 1);
	/* The others are untouched. */
	assert_int_equal(xy_store_account_by_id(st, 1, &a), 0);
}

static void test_cry2_a_handle_without_a_row_key_reads_no_tagged_row(void **state)
{
	struct fixture *f = *state;
	struct xy_store *st = NULL;
	struct xy_account a;
	char path[160];

	snprintf(path, sizeof(path), "%s/core.db", f->dir);
	assert_int_equal(xy_store_open(path, 0, &st), 0);
	assert_int_equal(xy_store_account_by_id(st, 1, &a), XY_EKEY);
	xy_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cry2_rotation_keeps_every_tag_verifiable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_cry2_tampered_role_refused_noted_and_never_reblessed, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_cry2_a_handle_without_a_row_key_reads_no_tagged_row, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
