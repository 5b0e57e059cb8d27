/* SQLite engine: requests, their subjects, and grants (SHR-3).  Statements
 * in the GRANT slots. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_RQ_ADD = XY__SQL_SLOT_GRANT,
	S_RQ_GET,
	S_RQ_MOVE,
	S_RQ_EACH,
	S_RQ_SUBJ_ADD,
	S_RQ_SUBJ,
	S_GR_ADD,
	S_GR_REVOKE,
	S_GR_FORCE,
	S_GR_OF,
	S_GR_OPEN,
};

#define RQ_COLS                                                                       \
	"id, kind, state, requester, requester_unit, approver_unit, payload, reason," \
	" created_at, coalesce(decided_by, 0), coalesce(decided_at, 0),"              \
	" coalesce(decision_note, '')"
#define GR_COLS                                                                           \
	"id, request_id, unit_id, provider_unit_id, dataset, purpose, subject_id, clear," \
	" start_at, end_at, coalesce(revoked_at, 0)"

static void row_request(sqlite3_stmt *s, struct xy_request *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	xy__sql_copy(s, 1, r->kind, sizeof r->kind);
	xy__sql_copy(s, 2, r->state, sizeof r->state);
	r->requester = sqlite3_column_int64(s, 3);
	r->requester_unit = sqlite3_column_int64(s, 4);
	r->approver_unit = sqlite3_column_int64(s, 5);
	xy__sql_copy(s, 6, r->payload, sizeof r->payload);
	xy__sql_copy(s, 7, r->reason, sizeof r->reason);
	r->created_at = sqlite3_column_int64(s, 8);
	r->decided_by = sqlite3_column_int64(s, 9);
	r->decided_at = sqlite3_column_int64(s, 10);
	xy__sql_copy(s, 11, r->decision_note, sizeof r->decision_note);
}

static void row_grant(sqlite3_stmt *s, struct xy_grant *g)
{
	memset(g, 0, sizeof *g);
	g->id = sqlite3_column_int64(s, 0);
	g->request_id = sqlite3_column_int64(s, 1);
	g->unit_id = sqlite3_column_int64(s, 2);
	g->provider_unit_id = sqlite3_column_int64(s, 3);
	xy__sql_copy(s, 4, g->dataset, sizeof g->dataset);
	xy__sql_copy(s, 5, g->purpose, sizeof g->purpose);
	g->subject_id = sqlite3_column_int64(s, 6);
	g->clear = sqlite3_column_int(s, 7);
	g->start_us = sqlite3_column_int64(s, 8);
	g->end_us = sqlite3_column_int64(s, 9);
	g->revoked_at = sqlite3_column_int64(s, 10);
}

int xy_store_request_add(struct xy_store *st, struct xy_request *r)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_RQ_ADD,
		"INSERT INTO requests(kind, state, requester, requester_unit, approver_unit,"
		" payload, reason, created_at) VALUES (?1, 'submitted', ?2, ?3, ?4, ?5, ?6, ?7)");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, r->kind);
	sqlite3_bind_int64(s, 2, r->requester);
	sqlite3_bind_int64(s, 3, r->requester_unit);
	sqlite3_bind_int64(s, 4, r->approver_unit);
	xy__sql_text(s, 5, r->payload);
	xy__sql_text(s, 6, r->reason);
	sqlite3_bind_int64(s, 7, r->created_at);
	if ((rc = xy__sql_done(st, s, "request")))
		return rc;
	r->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	memcpy(r->state, "submitted", sizeof "submitted");
	return 0;
}

int xy_store_request_get(struct xy_store *st, int64_t id, struct xy_request *out)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_RQ_GET, "SELECT " RQ_COLS " FROM requests WHERE id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_request(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW	   ? 0
	       : rc == SQLITE_DONE ? XY_ENOTFOUND
				   : xy__sql_error(st, "request");
}

int xy_store_request_move(struct xy_store *st, int64_t id, const char *from, const char *to,
			  int64_t by, int64_t at, const char *note)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_RQ_MOVE,
		"UPDATE requests SET state = ?3, decided_by = coalesce(decided_by, ?4),"
		" decided_at = coalesce(decided_at, ?5),"
		" decision_note = coalesce(decision_note, ?6) WHERE id = ?1 AND state = ?2");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	xy__sql_text(s, 2, from);
	xy__sql_text(s, 3, to);
	sqlite3_bind_int64(s, 4, by);
	sqlite3_bind_int64(s, 5, at);
	xy__sql_text(s, 6, note);
	if ((rc = xy__sql_done(st, s, "request")))
		return rc;
	return sqlite3_changes(xy__sql_db(st)) == 1 ? 0 : XY_ECONFLICT;
}

int xy_store_request_each(struct xy_store *st, const char *kind, int64_t unit_id, const char *state,
			  int64_t before_id, int limit,
			  int (*fn)(void *arg, const struct xy_request *r), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_RQ_EACH,
				       "SELECT " RQ_COLS " FROM requests WHERE kind = ?1"
				       " AND (?2 = 0 OR requester_unit = ?2 OR approver_unit = ?2)"
				       " AND (?3 IS NULL OR state = ?3) AND (?4 = 0 OR id < ?4) "
				       "ORDER BY id DESC LIMIT ?5");
	struct xy_request *r;
	int rc, frc = 0;
	if (!s)
		return XY_ESTORE;
	if (!(r = malloc(sizeof *r)))
		return XY_ENOMEM;
	xy__sql_text(s, 1, kind);
	sqlite3_bind_int64(s, 2, unit_id);
	xy__sql_text(s, 3, state);
	sqlite3_bind_int64(s, 4, before_id);
	sqlite3_bind_int(s, 5, limit);
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_request(s, r);
		frc = fn(arg, r);
	}
	sqlite3_reset(s);
	free(r);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "requests");
}

int xy_store_request_subject_add(struct xy_store *st, int64_t request_id, int64_t subject_id)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_RQ_SUBJ_ADD,
		"INSERT OR IGNORE INTO request_subjects(request_id, subject_id) VALUES (?1, ?2)");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, request_id);
	sqlite3_bind_int64(s, 2, subject_id);
	return xy__sql_done(st, s, "request subject");
}

int xy_store_request_subjects(struct xy_store *st, int64_t request_id,
			      int (*fn)(void *arg, int64_t subject_id), void *arg)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_RQ_SUBJ,
			     "SELECT subject_id FROM request_subjects WHERE request_id = ?1"
			     " ORDER BY subject_id");
	int rc, frc = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, request_id);
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW)
		frc = fn(arg, sqlite3_column_int64(s, 0));
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "request subjects");
}

int xy_store_grant_add(struct xy_store *st, struct xy_grant *g)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_GR_ADD,
		"INSERT INTO grants(request_id, unit_id, provider_unit_id, dataset, purpose,"
		" subject_id, clear, start_at, end_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		"?9)");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, g->request_id);
	sqlite3_bind_int64(s, 2, g->unit_id);
	sqlite3_bind_int64(s, 3, g->provider_unit_id);
	xy__sql_text(s, 4, g->dataset);
	xy__sql_text(s, 5, g->purpose);
	sqlite3_bind_int64(s, 6, g->subject_id);
	sqlite3_bind_int(s, 7, g->clear);
	sqlite3_bind_int64(s, 8, g->start_us);
	sqlite3_bind_int64(s, 9, g->end_us);
	if ((rc = xy__sql_done(st, s, "grant")))
		return rc;
	g->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	return xy__tag_set(st, XY__TAG_GRANTS, g->id);
}

/* Revokes one grant: checked before (CRY-2), tagged after. */
static int revoke_one(struct xy_store *st, int64_t id, int64_t by, int64_t at, const char *reason)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_GR_REVOKE,
		"UPDATE grants SET revoked_at = ?2, revoked_by = ?3, revoke_reason = ?4"
		" WHERE id = ?1 AND revoked_at IS NULL");
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = xy__tag_check(st, XY__TAG_GRANTS, id)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, by);
	xy__sql_text(s, 4, reason);
	if ((rc = xy__sql_done(st, s, "grant")))
		return rc;
	return xy__tag_set(st, XY__TAG_GRANTS, id);
}

int xy_store_grant_revoke(struct xy_store *st, int64_t request_id, int64_t by, int64_t at,
			  const char *reason, long *n)
{
	int64_t id = 0;
	int rc;
	*n = 0;
	for (;;) {
		sqlite3_stmt *s =
			xy__sql_stmt(st, S_GR_OPEN,
				     "SELECT id FROM grants WHERE request_id = ?1"
				     " AND revoked_at IS NULL AND id > ?2 ORDER BY id LIMIT 1");
		if (!s)
			return XY_ESTORE;
		sqlite3_bind_int64(s, 1, request_id);
		sqlite3_bind_int64(s, 2, id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return xy__sql_error(st, "grant");
		if ((rc = revoke_one(st, id, by, at, reason)))
			return rc;
		(*n)++;
	}
}

static int each_grant(struct xy_store *st, sqlite3_stmt *s,
		      int (*fn)(void *arg, const struct xy_grant *g), void *arg)
{
	struct xy_grant g;
	int rc, frc = 0;
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_grant(s, &g);
		/* CRY-2: a grant is relied on only when its tag holds. */
		frc = xy__tag_check(st, XY__TAG_GRANTS, g.id);
		if (!frc)
			frc = fn(arg, &g);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "grants");
}

int xy_store_grants_in_force(struct xy_store *st, int64_t unit_id, const char *purpose,
			     int64_t subject_id, int64_t now,
			     int (*fn)(void *arg, const struct xy_grant *g), void *arg)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_GR_FORCE,
			     "SELECT " GR_COLS " FROM grants WHERE unit_id = ?1 AND purpose = ?2"
			     " AND (?3 = 0 OR subject_id IN (0, ?3)) AND revoked_at IS NULL"
			     " AND start_at <= ?4 AND end_at > ?4 ORDER BY id");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	xy__sql_text(s, 2, purpose);
	sqlite3_bind_int64(s, 3, subject_id);
	sqlite3_bind_int64(s, 4, now);
	return each_grant(st, s, fn, arg);
}

int xy_store_grants_of_request(struct xy_store *st, int64_t request_id,
			       int (*fn)(void *arg, const struct xy_grant *g), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_GR_OF, "SELECT " GR_COLS " FROM grants WHERE request_id = ?1 ORDER BY id");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, request_id);
	return each_grant(st, s, fn, arg);
}
