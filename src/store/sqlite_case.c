/* SQLite engine: registered portals and the cases their submissions open (POR-3).
 * Statements in the CASE slots. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_PORTAL_ADD = XY__SQL_SLOT_CASE,
	S_PORTAL_GET,
	S_PORTAL_ADVANCE,
	S_PORTAL_EACH,
	S_CASE_INSERT,
	S_CASE_SEAL,
	S_CASE_GET,
	S_CASE_LIST,
	S_CASE_OPEN_OBJ,
	S_RECORD_OWNER,
};

#define PORTAL_COLS "key_id, name, pem, last_seq, registered_at"
#define CASE_COLS                                                                               \
	"id, ticket, check_sm3, kind, record_id, subject, status, portal, file_seq, submitted," \
	" received_at, updated_at, unit_id, reply, sealed"

/* Open objections: received, accepted, being verified by the source unit. */
#define OPEN_OBJECTION "kind = 'objection' AND status IN ('received','accepted','verifying')"

int xy_store_portal_add(struct xy_store *st, const struct xy_portal_reg *p)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_PORTAL_ADD,
			     "INSERT INTO portals(" PORTAL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, p->key_id);
	xy__sql_text(s, 2, p->name);
	xy__sql_text(s, 3, p->pem);
	sqlite3_bind_int64(s, 4, p->last_seq);
	sqlite3_bind_int64(s, 5, p->registered_at);
	return xy__sql_done(st, s, "portal");
}

static void portal_row(sqlite3_stmt *s, struct xy_portal_reg *p)
{
	memset(p, 0, sizeof *p);
	xy__sql_copy(s, 0, p->key_id, sizeof p->key_id);
	xy__sql_copy(s, 1, p->name, sizeof p->name);
	xy__sql_copy(s, 2, p->pem, sizeof p->pem);
	p->last_seq = sqlite3_column_int64(s, 3);
	p->registered_at = sqlite3_column_int64(s, 4);
}

int xy_store_portal_get(struct xy_store *st, const char *key_id, struct xy_portal_reg *out)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PORTAL_GET,
				       "SELECT " PORTAL_COLS " FROM portals WHERE key_id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, key_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		portal_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW	   ? 0
	       : rc == SQLITE_DONE ? XY_ENOTFOUND
				   : xy__sql_error(st, "portals");
}

int xy_store_portal_advance(struct xy_store *st, const char *key_id, int64_t from, int64_t to)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PORTAL_ADVANCE,
				       "UPDATE portals SET last_seq = ?3"
				       " WHERE key_id = ?1 AND last_seq = ?2");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, key_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	rc = xy__sql_done(st, s, "portals");
	if (!rc && sqlite3_changes(xy__sql_db(st)) != 1)
		rc = XY_ECONFLICT;
	return rc;
}

int xy_store_portal_each(struct xy_store *st, int (*fn)(void *arg, const struct xy_portal_reg *p),
			 void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PORTAL_EACH,
				       "SELECT " PORTAL_COLS " FROM portals ORDER BY name");
	struct xy_portal_reg p;
	int rc, stop = 0;
	if (!s)
		return XY_ESTORE;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		portal_row(s, &p);
		stop = fn(arg, &p);
	}
	if (!stop && rc != SQLITE_DONE)
		stop = xy__sql_error(st, "portals");
	sqlite3_reset(s);
	return stop;
}

int xy_store_case_insert(struct xy_store *st, struct xy_case *c)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_CASE_INSERT,
		"INSERT INTO cases(ticket, check_sm3, kind, record_id, subject, status,"
		" portal, file_seq, submitted, received_at, updated_at, unit_id, reply)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, c->ticket);
	xy__sql_text(s, 2, c->check);
	xy__sql_text(s, 3, c->kind);
	sqlite3_bind_int64(s, 4, c->record_id);
	xy__sql_text(s, 5, c->subject);
	xy__sql_text(s, 6, c->status);
	xy__sql_text(s, 7, c->portal);
	sqlite3_bind_int64(s, 8, c->file_seq);
	xy__sql_text(s, 9, c->submitted);
	sqlite3_bind_int64(s, 10, c->received_at);
	sqlite3_bind_int64(s, 11, c->updated_at);
	sqlite3_bind_int64(s, 12, c->unit_id);
	xy__sql_text(s, 13, c->reply[0] ? c->reply : NULL);
	rc = xy__sql_done(st, s, "case");
	if (!rc)
		c->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	return rc;
}

int xy_store_case_seal(struct xy_store *st, int64_t id, const void *sealed, size_t n)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_CASE_SEAL, "UPDATE cases SET sealed = ?2 WHERE id = ?1");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, sealed, (int)n, SQLITE_STATIC);
	return xy__sql_done(st, s, "case");
}

static void case_row(sqlite3_stmt *s, struct xy_case *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(s, 0);
	xy__sql_copy(s, 1, c->ticket, sizeof c->ticket);
	xy__sql_copy(s, 2, c->check, sizeof c->check);
	xy__sql_copy(s, 3, c->kind, sizeof c->kind);
	c->record_id = sqlite3_column_int64(s, 4);
	xy__sql_copy(s, 5, c->subject, sizeof c->subject);
	xy__sql_copy(s, 6, c->status, sizeof c->status);
	xy__sql_copy(s, 7, c->portal, sizeof c->portal);
	c->file_seq = sqlite3_column_int64(s, 8);
	xy__sql_copy(s, 9, c->submitted, sizeof c->submitted);
	c->received_at = sqlite3_column_int64(s, 10);
	c->updated_at = sqlite3_column_int64(s, 11);
	c->unit_id = sqlite3_column_int64(s, 12);
	xy__sql_copy(s, 13, c->reply, sizeof c->reply);
	c->sealed = sqlite3_column_blob(s, 14);
	c->sealed_len = (size_t)sqlite3_column_bytes(s, 14);
}

int xy_store_case_get(struct xy_store *st, const char *ticket, struct xy_case *out)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_CASE_GET, "SELECT " CASE_COLS " FROM cases WHERE ticket = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, ticket);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		case_row(s, out);
		return 0; /* the sealed bytes live until the next call: no reset here */
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? XY_ENOTFOUND : xy__sql_error(st, "cases");
}

int xy_store_case_list(struct xy_store *st, const char *kind, const char *status, int64_t after,
		       int limit, int (*fn)(void *arg, const struct xy_case *c), void *arg)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_CASE_LIST,
			     "SELECT " CASE_COLS " FROM cases WHERE id > ?1"
			     " AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR status = ?3)"
			     " ORDER BY id LIMIT ?4");
	struct xy_case c;
	int rc, stop = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, after);
	xy__sql_text(s, 2, kind);
	xy__sql_text(s, 3, status);
	sqlite3_bind_int(s, 4, limit);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		case_row(s, &c);
		stop = fn(arg, &c);
	}
	if (!stop && rc != SQLITE_DONE)
		stop = xy__sql_error(st, "cases");
	sqlite3_reset(s);
	return stop;
}

int xy_store_case_open_objection(struct xy_store *st, int64_t record_id, int *open)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_CASE_OPEN_OBJ,
		"SELECT 1 FROM cases WHERE record_id = ?1 AND " OPEN_OBJECTION " LIMIT 1");
	int rc;
	*open = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, record_id);
	rc = sqlite3_step(s);
	*open = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : xy__sql_error(st, "cases");
}

int xy_store_record_owner(struct xy_store *st, int64_t record_id, char *dataset, size_t cap,
			  int64_t *unit_id, char *status, size_t scap)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_RECORD_OWNER, "SELECT dataset, unit_id, status FROM records WHERE id = ?1");
	int rc;
	*unit_id = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, record_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		xy__sql_copy(s, 0, dataset, cap);
		*unit_id = sqlite3_column_int64(s, 1);
		xy__sql_copy(s, 2, status, scap);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW	   ? 0
	       : rc == SQLITE_DONE ? XY_ENOTFOUND
				   : xy__sql_error(st, "records");
}
