/* SQLite engine: machine clients of the data API and their daily usage
 * (SHR-6).  Statements in the CLIENT slots.  A client's agreements are kept
 * as a comma-separated list of ids: a handful, read whole, never searched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_CL_ADD = XY__SQL_SLOT_CLIENT,
	S_CL_GET,
	S_CL_CID,
	S_CL_REVOKE,
	S_CL_EACH,
	S_CL_USAGE,
	S_CL_USAGE_SET,
};

#define CL_COLS                                                                            \
	"id, client_id, name, unit_id, secret_hash, allow, rate, daily_quota, agreements," \
	" valid_to, created_by, created_at, coalesce(revoked_at, 0),"                      \
	" coalesce(revoke_reason, '')"

static int agreements_text(const struct xy_machine_client *c, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = 0;
	for (int i = 0; i < c->nagreements; i++) {
		int n = snprintf(out + len, cap - len, "%s%lld", i ? "," : "",
				 (long long)c->agreements[i]);
		if (n < 0 || (size_t)n >= cap - len)
			return XY_ELIMIT;
		len += (size_t)n;
	}
	return 0;
}

static void agreements_parse(const char *p, struct xy_machine_client *c)
{
	c->nagreements = 0;
	while (p && *p && c->nagreements < XY_CLIENT_AGREEMENTS_MAX) {
		char *e;
		long long v = strtoll(p, &e, 10);
		if (e == p)
			break;
		c->agreements[c->nagreements++] = v;
		p = *e == ',' ? e + 1 : e;
	}
}

static void row_client(sqlite3_stmt *s, struct xy_machine_client *c)
{
	const void *h;
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(s, 0);
	xy__sql_copy(s, 1, c->client_id, sizeof c->client_id);
	xy__sql_copy(s, 2, c->name, sizeof c->name);
	c->unit_id = sqlite3_column_int64(s, 3);
	h = sqlite3_column_blob(s, 4);
	if (h && sqlite3_column_bytes(s, 4) == (int)sizeof c->secret_hash)
		memcpy(c->secret_hash, h, sizeof c->secret_hash);
	xy__sql_copy(s, 5, c->allow, sizeof c->allow);
	c->rate = sqlite3_column_int(s, 6);
	c->daily_quota = sqlite3_column_int64(s, 7);
	agreements_parse((const char *)sqlite3_column_text(s, 8), c);
	c->valid_to = sqlite3_column_int(s, 9);
	c->created_by = sqlite3_column_int64(s, 10);
	c->created_at = sqlite3_column_int64(s, 11);
	c->revoked_at = sqlite3_column_int64(s, 12);
	xy__sql_copy(s, 13, c->revoke_reason, sizeof c->revoke_reason);
}

int xy_store_client_add(struct xy_store *st, struct xy_machine_client *c)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_CL_ADD,
		"INSERT INTO clients(client_id, name, unit_id, secret_hash, allow, rate,"
		" daily_quota, agreements, valid_to, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	char ags[XY_CLIENT_AGREEMENTS_MAX * 21];
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = agreements_text(c, ags, sizeof ags)))
		return rc;
	xy__sql_text(s, 1, c->client_id);
	xy__sql_text(s, 2, c->name);
	sqlite3_bind_int64(s, 3, c->unit_id);
	sqlite3_bind_blob(s, 4, c->secret_hash, sizeof c->secret_hash, SQLITE_STATIC);
	xy__sql_text(s, 5, c->allow);
	sqlite3_bind_int(s, 6, c->rate);
	sqlite3_bind_int64(s, 7, c->daily_quota);
	xy__sql_text(s, 8, ags);
	sqlite3_bind_int(s, 9, c->valid_to);
	sqlite3_bind_int64(s, 10, c->created_by);
	sqlite3_bind_int64(s, 11, c->created_at);
	if ((rc = xy__sql_done(st, s, "client")))
		return rc;
	c->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	return xy__tag_set(st, XY__TAG_CLIENTS, c->id);
}

static int one(struct xy_store *st, sqlite3_stmt *s, struct xy_machine_client *c)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_client(s, c);
	sqlite3_reset(s);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : xy__sql_error(st, "client");
	/* CRY-2: a client's credentials and limits are used only when its tag holds. */
	return rc ? rc : xy__tag_check(st, XY__TAG_CLIENTS, c->id);
}

int xy_store_client_get(struct xy_store *st, int64_t id, struct xy_machine_client *c)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_CL_GET, "SELECT " CL_COLS " FROM clients WHERE id = ?1");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	return one(st, s, c);
}

int xy_store_client_by_cid(struct xy_store *st, const char *client_id, struct xy_machine_client *c)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_CL_CID, "SELECT " CL_COLS " FROM clients WHERE client_id = ?1");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, client_id);
	return one(st, s, c);
}

int xy_store_client_revoke(struct xy_store *st, int64_t id, int64_t by, int64_t at,
			   const char *reason)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_CL_REVOKE,
				       "UPDATE clients SET revoked_at = ?2, revoked_by = ?3,"
				       " revoke_reason = ?4 WHERE id = ?1 AND revoked_at IS NULL");
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = xy__tag_check(st, XY__TAG_CLIENTS, id)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, by);
	xy__sql_text(s, 4, reason);
	if ((rc = xy__sql_done(st, s, "client")))
		return rc;
	if (sqlite3_changes(xy__sql_db(st)) != 1)
		return XY_ENOTFOUND;
	return xy__tag_set(st, XY__TAG_CLIENTS, id);
}

int xy_store_client_each(struct xy_store *st, int64_t unit_id, int64_t after, int limit,
			 int (*fn)(void *arg, const struct xy_machine_client *c), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_CL_EACH,
				       "SELECT " CL_COLS " FROM clients WHERE id > ?1"
				       " AND (?2 = 0 OR unit_id = ?2) ORDER BY id LIMIT ?3");
	struct xy_machine_client *c;
	int rc, frc = 0;
	if (!s)
		return XY_ESTORE;
	if (!(c = malloc(sizeof *c)))
		return XY_ENOMEM;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, unit_id);
	sqlite3_bind_int(s, 3, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_client(s, c);
		if ((frc = xy__tag_check(st, XY__TAG_CLIENTS, c->id)) || (frc = fn(arg, c)))
			break;
	}
	sqlite3_reset(s);
	free(c);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "client");
}

int xy_store_client_usage(struct xy_store *st, int64_t id, int32_t day, int64_t *used)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_CL_USAGE, "SELECT used FROM client_usage WHERE client = ?1 AND day = ?2");
	int rc;
	*used = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, day);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*used = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : xy__sql_error(st, "client usage");
}

int xy_store_client_usage_set(struct xy_store *st, int64_t id, int32_t day, int64_t used)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_CL_USAGE_SET,
			     "INSERT INTO client_usage(client, day, used) VALUES (?1, ?2, ?3)"
			     " ON CONFLICT(client, day) DO UPDATE SET used = excluded.used");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int64(s, 3, used);
	return xy__sql_done(st, s, "client usage");
}
