/* SQLite engine: accounts, roles, password history, hand-overs, incidents
 * and unit administration (the Accounts issue's tables, migration 2). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "core/catalog.h"
#include "store/store.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

enum {
	A_INSERT = XY__SQL_SLOT_ACCOUNT,
	A_UPDATE,
	A_BY_NAME,
	A_BY_ID,
	A_BY_IDNUM,
	A_LIST,
	A_ROLES,
	A_ROLE_DEL,
	A_ROLE_DEL_ALL,
	A_PWHIST_ADD,
	A_PWHIST,
	A_HANDOVER,
	A_INCIDENT_ADD,
	A_INCIDENTS,
	U_LIST = XY__SQL_SLOT_UNITS,
	U_RENAME,
	U_DATASETS,
	U_PROVIDES_DEL,
};

#define ACCOUNT_COLS                                                                          \
	"id, name, real_name, idnum_bidx, idnum_sealed, unit_id, status,"                     \
	" coalesce(status_reason, ''), status_at, pw_hash, must_change, pw_changed_at,"       \
	" created_at, coalesce(last_login_at, 0), end_date, fail_count, fail_first_at,"       \
	" locked_until, totp_sealed, totp_pending, totp_last_step, coalesce(sm2_pub, ''),"    \
	" coalesce(sm2_pending, ''), training_on, coalesce(training_note, ''), agreement_on," \
	" coalesce(agreement_ref, ''), coalesce(created_by, 0)"

static const char *const sql_by_name = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?1";
static const char *const sql_by_id = "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?1";
static const char *const sql_by_idnum =
	"SELECT " ACCOUNT_COLS " FROM accounts WHERE idnum_bidx = ?1";
static const char *const sql_list =
	"SELECT " ACCOUNT_COLS " FROM accounts WHERE id > ?1 ORDER BY id LIMIT ?2";

static void blob_col(sqlite3_stmt *s, int col, uint8_t *out, size_t cap, size_t *len)
{
	const void *p = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	*len = 0;
	if (!p || n > cap)
		return;
	memcpy(out, p, n);
	*len = n;
}

static int32_t date_col(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return XY_NO_DATE;
	return (int32_t)sqlite3_column_int(s, col);
}

static void read_account(sqlite3_stmt *s, struct xy_account *a)
{
	size_t n;
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	xy__sql_copy(s, 1, a->name, sizeof a->name);
	xy__sql_copy(s, 2, a->real_name, sizeof a->real_name);
	blob_col(s, 3, a->idnum_bidx, sizeof a->idnum_bidx, &n);
	a->has_idnum = n == sizeof a->idnum_bidx;
	blob_col(s, 4, a->idnum_sealed, sizeof a->idnum_sealed, &a->idnum_sealed_len);
	a->unit_id = sqlite3_column_int64(s, 5);
	xy__sql_copy(s, 6, a->status, sizeof a->status);
	xy__sql_copy(s, 7, a->status_reason, sizeof a->status_reason);
	a->status_at = sqlite3_column_int64(s, 8);
	xy__sql_copy(s, 9, a->pw_hash, sizeof a->pw_hash);
	a->must_change = sqlite3_column_int(s, 10);
	a->pw_changed_at = sqlite3_column_int64(s, 11);
	a->created_at = sqlite3_column_int64(s, 12);
	a->last_login_at = sqlite3_column_int64(s, 13);
	a->end_date = date_col(s, 14);
	a->fail_count = sqlite3_column_int(s, 15);
	a->fail_first_at = sqlite3_column_int64(s, 16);
	a->locked_until = sqlite3_column_int64(s, 17);
	blob_col(s, 18, a->totp_sealed, sizeof a->totp_sealed, &a->totp_sealed_len);
	blob_col(s, 19, a->totp_pending, sizeof a->totp_pending, &a->totp_pending_len);
	a->totp_last_step = sqlite3_column_int64(s, 20);
	xy__sql_copy(s, 21, a->sm2_pub, sizeof a->sm2_pub);
	xy__sql_copy(s, 22, a->sm2_pending, sizeof a->sm2_pending);
	a->training_on = date_col(s, 23);
	xy__sql_copy(s, 24, a->training_note, sizeof a->training_note);
	a->agreement_on = date_col(s, 25);
	xy__sql_copy(s, 26, a->agreement_ref, sizeof a->agreement_ref);
	a->created_by = sqlite3_column_int64(s, 27);
}

static void bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	if (p && n)
		sqlite3_bind_blob(s, i, p, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_date(sqlite3_stmt *s, int i, int32_t d)
{
	if (d == XY_NO_DATE)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, d);
}

static void bind_nonempty(sqlite3_stmt *s, int i, const char *v)
{
	xy__sql_text(s, i, v && *v ? v : NULL);
}

int xy_store_account_insert(struct xy_store *st, struct xy_account *a)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_INSERT,
		"INSERT INTO accounts(name, real_name, idnum_bidx, idnum_sealed, unit_id, status,"
		" pw_hash, must_change, created_at, end_date, pw_changed_at, status_at, created_by)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, a->name);
	xy__sql_text(s, 2, a->real_name);
	bind_blob(s, 3, a->has_idnum ? a->idnum_bidx : NULL, sizeof a->idnum_bidx);
	bind_blob(s, 4, a->idnum_sealed, a->idnum_sealed_len);
	sqlite3_bind_int64(s, 5, a->unit_id);
	xy__sql_text(s, 6, a->status);
	xy__sql_text(s, 7, a->pw_hash);
	sqlite3_bind_int(s, 8, a->must_change);
	sqlite3_bind_int64(s, 9, a->created_at);
	bind_date(s, 10, a->end_date);
	sqlite3_bind_int64(s, 11, a->pw_changed_at);
	sqlite3_bind_int64(s, 12, a->status_at);
	if (a->created_by)
		sqlite3_bind_int64(s, 13, a->created_by);
	if ((rc = xy__sql_done(st, s, "account insert")))
		return rc;
	a->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	return xy__tag_set(st, XY__TAG_ACCOUNTS, a->id);
}

int xy_store_account_update(struct xy_store *st, const struct xy_account *a)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_UPDATE,
		"UPDATE accounts SET real_name = ?2, idnum_bidx = ?3, idnum_sealed = ?4,"
		" unit_id = ?5, status = ?6, status_reason = ?7, status_at = ?8, pw_hash = ?9,"
		" must_change = ?10, pw_changed_at = ?11, last_login_at = ?12, end_date = ?13,"
		" fail_count = ?14, fail_first_at = ?15, locked_until = ?16, totp_sealed = ?17,"
		" totp_pending = ?18, totp_last_step = ?19, sm2_pub = ?20, sm2_pending = ?21,"
		" training_on = ?22, training_note = ?23, agreement_on = ?24, agreement_ref = ?25"
		" WHERE id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	/* CRY-2: the row as stored must still be the application's. */
	if ((rc = xy__tag_check(st, XY__TAG_ACCOUNTS, a->id)))
		return rc;
	sqlite3_bind_int64(s, 1, a->id);
	xy__sql_text(s, 2, a->real_name);
	bind_blob(s, 3, a->has_idnum ? a->idnum_bidx : NULL, sizeof a->idnum_bidx);
	bind_blob(s, 4, a->idnum_sealed, a->idnum_sealed_len);
	sqlite3_bind_int64(s, 5, a->unit_id);
	xy__sql_text(s, 6, a->status);
	bind_nonempty(s, 7, a->status_reason);
	sqlite3_bind_int64(s, 8, a->status_at);
	xy__sql_text(s, 9, a->pw_hash);
	sqlite3_bind_int(s, 10, a->must_change);
	sqlite3_bind_int64(s, 11, a->pw_changed_at);
	if (a->last_login_at)
		sqlite3_bind_int64(s, 12, a->last_login_at);
	bind_date(s, 13, a->end_date);
	sqlite3_bind_int(s, 14, a->fail_count);
	sqlite3_bind_int64(s, 15, a->fail_first_at);
	sqlite3_bind_int64(s, 16, a->locked_until);
	bind_blob(s, 17, a->totp_sealed, a->totp_sealed_len);
	bind_blob(s, 18, a->totp_pending, a->totp_pending_len);
	sqlite3_bind_int64(s, 19, a->totp_last_step);
	bind_nonempty(s, 20, a->sm2_pub);
	bind_nonempty(s, 21, a->sm2_pending);
	bind_date(s, 22, a->training_on);
	bind_nonempty(s, 23, a->training_note);
	bind_date(s, 24, a->agreement_on);
	bind_nonempty(s, 25, a->agreement_ref);
	if ((rc = xy__sql_done(st, s, "account update")))
		return rc;
	if (sqlite3_changes(xy__sql_db(st)) != 1)
		return XY_ENOTFOUND;
	return xy__tag_set(st, XY__TAG_ACCOUNTS, a->id);
}

static int get_one(struct xy_store *st, sqlite3_stmt *s, struct xy_account *out)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_account(s, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = XY_ENOTFOUND;
	} else {
		rc = xy__sql_error(st, "account get");
	}
	sqlite3_reset(s);
	/* CRY-2: an account (and its roles) is used only when its tag holds. */
	return rc ? rc : xy__tag_check(st, XY__TAG_ACCOUNTS, out->id);
}

int xy_store_account_by_name(struct xy_store *st, const char *name, struct xy_account *out)
{
	sqlite3_stmt *s = xy__sql_stmt(st, A_BY_NAME, sql_by_name);
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, name);
	return get_one(st, s, out);
}

int xy_store_account_by_id(struct xy_store *st, int64_t id, struct xy_account *out)
{
	sqlite3_stmt *s = xy__sql_stmt(st, A_BY_ID, sql_by_id);
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	return get_one(st, s, out);
}

int xy_store_account_by_idnum(struct xy_store *st, const uint8_t bidx[32], struct xy_account *out)
{
	sqlite3_stmt *s = xy__sql_stmt(st, A_BY_IDNUM, sql_by_idnum);
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_blob(s, 1, bidx, 32, SQLITE_STATIC);
	return get_one(st, s, out);
}

int xy_store_account_list(struct xy_store *st, int64_t after_id, int limit,
			  int (*fn)(void *arg, const struct xy_account *a), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, A_LIST, sql_list);
	struct xy_account a;
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_account(s, &a);
		if ((rc = xy__tag_check(st, XY__TAG_ACCOUNTS, a.id)) || (rc = fn(arg, &a))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "account list");
	sqlite3_reset(s);
	return rc;
}

int xy_store_role_each(struct xy_store *st, int64_t account_id,
		       int (*fn)(void *arg, const char *role, const char *scope), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, A_ROLES,
				       "SELECT role, coalesce(scope, '') FROM account_roles"
				       " WHERE account_id = ?1 ORDER BY role");
	int rc;
	if (!s)
		return XY_ESTORE;
	/* CRY-2: the roles are folded into the account's tag. */
	if ((rc = xy__tag_check(st, XY__TAG_ACCOUNTS, account_id)))
		return rc == XY_ENOTFOUND ? 0 : rc;
	sqlite3_bind_int64(s, 1, account_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = fn(arg, (const char *)sqlite3_column_text(s, 0),
			     (const char *)sqlite3_column_text(s, 1)))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "roles");
	sqlite3_reset(s);
	return rc;
}

int xy_store_role_remove(struct xy_store *st, int64_t account_id, const char *role)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_ROLE_DEL, "DELETE FROM account_roles WHERE account_id = ?1 AND role = ?2");
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = xy__tag_check(st, XY__TAG_ACCOUNTS, account_id)))
		return rc;
	sqlite3_bind_int64(s, 1, account_id);
	xy__sql_text(s, 2, role);
	if ((rc = xy__sql_done(st, s, "role remove")))
		return rc;
	if (!sqlite3_changes(xy__sql_db(st)))
		return XY_ENOTFOUND;
	return xy__tag_set(st, XY__TAG_ACCOUNTS, account_id);
}

int xy_store_role_remove_all(struct xy_store *st, int64_t account_id, long *removed)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, A_ROLE_DEL_ALL, "DELETE FROM account_roles WHERE account_id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = xy__tag_check(st, XY__TAG_ACCOUNTS, account_id)))
		return rc;
	sqlite3_bind_int64(s, 1, account_id);
	if ((rc = xy__sql_done(st, s, "role remove all")))
		return rc;
	if (removed)
		*removed = sqlite3_changes(xy__sql_db(st));
	return xy__tag_set(st, XY__TAG_ACCOUNTS, account_id);
}

int xy_store_pwhist_add(struct xy_store *st, int64_t account_id, const char *hash, int64_t at)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_PWHIST_ADD,
		"INSERT INTO password_history(account_id, pw_hash, set_at) VALUES (?1, ?2, ?3)");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, account_id);
	xy__sql_text(s, 2, hash);
	sqlite3_bind_int64(s, 3, at);
	return xy__sql_done(st, s, "password history");
}

int xy_store_pwhist_each(struct xy_store *st, int64_t account_id, int n,
			 int (*fn)(void *arg, const char *hash), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, A_PWHIST,
				       "SELECT pw_hash FROM password_history WHERE account_id = ?1"
				       " ORDER BY set_at DESC, rowid DESC LIMIT ?2");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int(s, 2, n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = fn(arg, (const char *)sqlite3_column_text(s, 0)))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "password history");
	sqlite3_reset(s);
	return rc;
}

int xy_store_handover_add(struct xy_store *st, int64_t account_id, const char *kind,
			  int64_t from_unit, int64_t to_unit, const char *note, int64_t by,
			  int64_t at)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_HANDOVER,
		"INSERT INTO handovers(account_id, kind, from_unit, to_unit, note, by_account, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, account_id);
	xy__sql_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, from_unit);
	if (to_unit)
		sqlite3_bind_int64(s, 4, to_unit);
	xy__sql_text(s, 5, note);
	sqlite3_bind_int64(s, 6, by);
	sqlite3_bind_int64(s, 7, at);
	return xy__sql_done(st, s, "handover");
}

int xy_store_incident_add(struct xy_store *st, struct xy_incident *in)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_INCIDENT_ADD,
		"INSERT INTO incidents(kind, account_id, reported_by, note, opened_at, report_due)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, in->kind);
	if (in->account_id)
		sqlite3_bind_int64(s, 2, in->account_id);
	sqlite3_bind_int64(s, 3, in->reported_by);
	xy__sql_text(s, 4, in->note);
	sqlite3_bind_int64(s, 5, in->opened_at);
	sqlite3_bind_int64(s, 6, in->report_due);
	if ((rc = xy__sql_done(st, s, "incident")))
		return rc;
	in->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	return 0;
}

int xy_store_incident_each(struct xy_store *st, int64_t after_id, int limit,
			   int (*fn)(void *arg, const struct xy_incident *in), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, A_INCIDENTS,
		"SELECT id, kind, coalesce(account_id, 0), reported_by, note, opened_at,"
		" report_due, coalesce(closed_at, 0) FROM incidents WHERE id > ?1 ORDER BY id"
		" LIMIT ?2");
	struct xy_incident in;
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&in, 0, sizeof in);
		in.id = sqlite3_column_int64(s, 0);
		xy__sql_copy(s, 1, in.kind, sizeof in.kind);
		in.account_id = sqlite3_column_int64(s, 2);
		in.reported_by = sqlite3_column_int64(s, 3);
		xy__sql_copy(s, 4, in.note, sizeof in.note);
		in.opened_at = sqlite3_column_int64(s, 5);
		in.report_due = sqlite3_column_int64(s, 6);
		in.closed_at = sqlite3_column_int64(s, 7);
		if ((rc = fn(arg, &in))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "incidents");
	sqlite3_reset(s);
	return rc;
}

/* ---- units ---- */

int xy_store_unit_list(struct xy_store *st, int64_t after_id, int limit,
		       int (*fn)(void *arg, const struct xy_unit *u), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, U_LIST,
		"SELECT u.id, u.code, u.name, u.region, r.level, u.kind FROM units u"
		" JOIN regions r ON r.code = u.region WHERE u.id > ?1 ORDER BY u.id LIMIT ?2");
	struct xy_unit u;
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char level[16];
		memset(&u, 0, sizeof u);
		u.id = sqlite3_column_int64(s, 0);
		xy__sql_copy(s, 1, u.code, sizeof u.code);
		xy__sql_copy(s, 2, u.name, sizeof u.name);
		xy__sql_copy(s, 3, u.region, sizeof u.region);
		xy__sql_copy(s, 4, level, sizeof level);
		u.level = strcmp(level, "city") == 0 ? XY_LEVEL_CITY : XY_LEVEL_COUNTY;
		xy__sql_copy(s, 5, u.kind, sizeof u.kind);
		if ((rc = fn(arg, &u))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "units");
	sqlite3_reset(s);
	return rc;
}

int xy_store_unit_rename(struct xy_store *st, int64_t unit_id, const char *name)
{
	sqlite3_stmt *s = xy__sql_stmt(st, U_RENAME, "UPDATE units SET name = ?2 WHERE id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	xy__sql_text(s, 2, name);
	if ((rc = xy__sql_done(st, s, "unit rename")))
		return rc;
	return sqlite3_changes(xy__sql_db(st)) ? 0 : XY_ENOTFOUND;
}

int xy_store_unit_datasets(struct xy_store *st, int64_t unit_id,
			   int (*fn)(void *arg, const char *dataset), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, U_DATASETS,
				       "SELECT dataset FROM unit_datasets WHERE unit_id = ?1"
				       " ORDER BY dataset");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rc = fn(arg, (const char *)sqlite3_column_text(s, 0)))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "unit datasets");
	sqlite3_reset(s);
	return rc;
}

int xy_store_unit_provides_remove(struct xy_store *st, int64_t unit_id, const char *dataset)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, U_PROVIDES_DEL,
			     "DELETE FROM unit_datasets WHERE unit_id = ?1 AND dataset = ?2");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	xy__sql_text(s, 2, dataset);
	if ((rc = xy__sql_done(st, s, "unit provides remove")))
		return rc;
	return sqlite3_changes(xy__sql_db(st)) ? 0 : XY_ENOTFOUND;
}
