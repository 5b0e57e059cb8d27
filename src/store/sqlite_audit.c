/* SQLite engine: retention (AUD-4) and review (AUD-5) of the audit trail.
 * Appending and the full scan live in sqlite.c.  Statements in the AUDIT
 * slots. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_AU_FIRST = XY__SQL_SLOT_AUDIT,
	S_AU_AT,
	S_AU_YOUNG,
	S_AU_RETAIN,
	S_AU_REMOVE,
	S_AU_SEARCH,
};

#define EVENT_COLUMNS                                                                      \
	"seq, ts, zone, client, agent, account, real_name, unit, action, object, purpose," \
	" grant_ref, result, reason, hash"

int xy_store_audit_first(struct xy_store *st, int64_t *seq)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_AU_FIRST, "SELECT seq FROM audit_events ORDER BY seq LIMIT 1");
	int rc;
	*seq = 0;
	if (!s)
		return XY_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : xy__sql_error(st, "audit first");
}

int xy_store_audit_at(struct xy_store *st, int64_t seq, int64_t *ts_us, uint8_t hash[32])
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_AU_AT, "SELECT ts, hash FROM audit_events WHERE seq = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ts_us = sqlite3_column_int64(s, 0);
		memset(hash, 0, 32);
		if (sqlite3_column_bytes(s, 1) == 32)
			memcpy(hash, sqlite3_column_blob(s, 1), 32);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return XY_ENOTFOUND;
	return rc == SQLITE_ROW ? 0 : xy__sql_error(st, "audit event");
}

int xy_store_audit_young(struct xy_store *st, int64_t through, int64_t cutoff_us, int64_t *seq)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_AU_YOUNG, "SELECT min(seq) FROM audit_events WHERE seq <= ?1 AND ts >= ?2");
	int rc;
	*seq = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, through);
	sqlite3_bind_int64(s, 2, cutoff_us);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0); /* NULL reads as 0 */
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : xy__sql_error(st, "audit retention");
}

int xy_store_audit_remove(struct xy_store *st, int64_t through, int64_t cutoff_us, int64_t *removed)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_AU_RETAIN,
				       "UPDATE audit_retention SET through_seq = ?1, cutoff_us = ?2"
				       " WHERE id = 1");
	int rc;
	*removed = 0;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, through);
	sqlite3_bind_int64(s, 2, cutoff_us);
	if ((rc = xy__sql_done(st, s, "audit retention")))
		return rc;
	s = xy__sql_stmt(st, S_AU_REMOVE, "DELETE FROM audit_events WHERE seq <= ?1");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, through);
	if ((rc = xy__sql_done(st, s, "audit retention")))
		return rc;
	*removed = sqlite3_changes(xy__sql_db(st));
	return 0;
}

int xy_store_audit_search(struct xy_store *st, const struct xy_audit_filter *f, int limit,
			  int (*fn)(void *arg, const struct xy_store_event *ev), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_AU_SEARCH,
		"SELECT " EVENT_COLUMNS " FROM audit_events"
		" WHERE seq < ?1 AND seq >= ?2"
		" AND (?3 IS NULL OR account = ?3)"
		" AND (?4 IS NULL OR unit = ?4)"
		" AND (?5 IS NULL OR action = ?5"
		"  OR (substr(?5, -1) = '.' AND substr(action, 1, length(?5)) = ?5))"
		" AND (?6 IS NULL OR result = ?6)"
		" AND (?7 IS NULL OR zone = ?7)"
		" AND (?8 IS NULL OR client = ?8 OR substr(client, 1, length(?8) + 1) = ?8 || ':')"
		" AND ((?9 IS NULL AND ?10 IS NULL) OR instr(object, ?9) > 0"
		"  OR instr(object, ?10) > 0)"
		" AND (?11 IS NULL OR instr(object, ?11) > 0)"
		" AND ts >= ?12 AND ts < ?13"
		" ORDER BY seq DESC LIMIT ?14");
	struct xy_store_event ev;
	int rc, frc = 0;

	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, f->before_seq > 0 ? f->before_seq : INT64_MAX);
	sqlite3_bind_int64(s, 2, f->floor_seq);
	xy__sql_text(s, 3, f->account);
	xy__sql_text(s, 4, f->unit);
	xy__sql_text(s, 5, f->action);
	xy__sql_text(s, 6, f->result);
	xy__sql_text(s, 7, f->zone);
	xy__sql_text(s, 8, f->client);
	xy__sql_text(s, 9, f->object_any[0]);
	xy__sql_text(s, 10, f->object_any[1]);
	xy__sql_text(s, 11, f->object_all);
	sqlite3_bind_int64(s, 12, f->from_us);
	sqlite3_bind_int64(s, 13, f->to_us > 0 ? f->to_us : INT64_MAX);
	sqlite3_bind_int(s, 14, limit);
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		xy__sql_event(s, &ev);
		frc = fn(arg, &ev);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "audit search");
}
