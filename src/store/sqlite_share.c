/* SQLite engine: use agreements (SHR-5).  Statements in the SHARE slots. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_AG_ADD = XY__SQL_SLOT_SHARE,
	S_AG_LINE,
	S_AG_GET,
	S_AG_END,
	S_AG_EACH,
	S_AG_LINES,
	S_AG_ON,
};

#define AG_COLS                                                                \
	"id, unit_id, document, valid_from, valid_to, created_by, created_at," \
	" coalesce(ended_at, 0)"

static void row_agreement(sqlite3_stmt *s, struct xy_agreement *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	a->unit_id = sqlite3_column_int64(s, 1);
	xy__sql_copy(s, 2, a->document, sizeof a->document);
	a->valid_from = sqlite3_column_int(s, 3);
	a->valid_to = sqlite3_column_int(s, 4);
	a->created_by = sqlite3_column_int64(s, 5);
	a->created_at = sqlite3_column_int64(s, 6);
	a->ended_at = sqlite3_column_int64(s, 7);
}

int xy_store_agreement_add(struct xy_store *st, struct xy_agreement *a)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_AG_ADD,
		"INSERT INTO agreements(unit_id, document, valid_from, valid_to, created_by,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, a->unit_id);
	xy__sql_text(s, 2, a->document);
	sqlite3_bind_int(s, 3, a->valid_from);
	sqlite3_bind_int(s, 4, a->valid_to);
	sqlite3_bind_int64(s, 5, a->created_by);
	sqlite3_bind_int64(s, 6, a->created_at);
	if ((rc = xy__sql_done(st, s, "agreement")))
		return rc;
	a->id = sqlite3_last_insert_rowid(xy__sql_db(st));
	return xy__tag_set(st, XY__TAG_AGREEMENTS, a->id);
}

int xy_store_agreement_line_add(struct xy_store *st, int64_t id, const char *dataset,
				const char *purpose)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_AG_LINE,
		"INSERT INTO agreement_lines(agreement_id, dataset, purpose) VALUES (?1, ?2, ?3)");
	int rc;
	if (!s)
		return XY_ESTORE;
	/* CRY-2: the lines are folded into their agreement's tag. */
	if ((rc = xy__tag_check(st, XY__TAG_AGREEMENTS, id)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	xy__sql_text(s, 2, dataset);
	xy__sql_text(s, 3, purpose);
	if ((rc = xy__sql_done(st, s, "agreement line")))
		return rc;
	return xy__tag_set(st, XY__TAG_AGREEMENTS, id);
}

int xy_store_agreement_get(struct xy_store *st, int64_t id, struct xy_agreement *a)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_AG_GET, "SELECT " AG_COLS " FROM agreements WHERE id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_agreement(s, a);
	rc = rc == SQLITE_ROW	 ? 0
	     : rc == SQLITE_DONE ? XY_ENOTFOUND
				 : xy__sql_error(st, "agreement");
	sqlite3_reset(s);
	return rc ? rc : xy__tag_check(st, XY__TAG_AGREEMENTS, id);
}

int xy_store_agreement_end(struct xy_store *st, int64_t id, int64_t by, int64_t at,
			   const char *reason)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_AG_END,
				       "UPDATE agreements SET ended_at = ?2, ended_by = ?3,"
				       " end_reason = ?4 WHERE id = ?1 AND ended_at IS NULL");
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = xy__tag_check(st, XY__TAG_AGREEMENTS, id)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, by);
	xy__sql_text(s, 4, reason);
	if ((rc = xy__sql_done(st, s, "agreement end")))
		return rc;
	if (sqlite3_changes(xy__sql_db(st)) != 1)
		return XY_ENOTFOUND;
	return xy__tag_set(st, XY__TAG_AGREEMENTS, id);
}

int xy_store_agreement_each(struct xy_store *st, int64_t unit_id, int64_t after_id, int limit,
			    int (*fn)(void *arg, const struct xy_agreement *a), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_AG_EACH,
				       "SELECT " AG_COLS " FROM agreements WHERE id > ?1"
				       " AND (?2 = 0 OR unit_id = ?2) ORDER BY id LIMIT ?3");
	struct xy_agreement a;
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int64(s, 2, unit_id);
	sqlite3_bind_int(s, 3, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_agreement(s, &a);
		if ((rc = xy__tag_check(st, XY__TAG_AGREEMENTS, a.id)) || (rc = fn(arg, &a))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "agreements");
	sqlite3_reset(s);
	return rc;
}

int xy_store_agreement_lines(struct xy_store *st, int64_t id,
			     int (*fn)(void *arg, const char *dataset, const char *purpose),
			     void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_AG_LINES,
				       "SELECT dataset, purpose FROM agreement_lines"
				       " WHERE agreement_id = ?1 ORDER BY dataset, purpose");
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = xy__tag_check(st, XY__TAG_AGREEMENTS, id)))
		return rc == XY_ENOTFOUND ? 0 : rc;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = fn(arg, (const char *)sqlite3_column_text(s, 0),
			     (const char *)sqlite3_column_text(s, 1)))) {
			sqlite3_reset(s);
			return rc;
		}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "agreement lines");
	sqlite3_reset(s);
	return rc;
}

int xy_store_agreement_lines_on(struct xy_store *st, int64_t unit_id, int32_t day,
				int (*fn)(void *arg, int64_t id, const char *dataset,
					  const char *purpose, int32_t from, int32_t to),
				void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_AG_ON,
		"SELECT a.id, l.dataset, l.purpose, a.valid_from, a.valid_to FROM agreements a"
		" JOIN agreement_lines l ON l.agreement_id = a.id WHERE a.unit_id = ?1"
		" AND a.ended_at IS NULL AND a.valid_from <= ?2 AND ?2 <= a.valid_to"
		" ORDER BY a.id");
	int64_t checked = 0;
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	sqlite3_bind_int(s, 2, day);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		/* CRY-2: each agreement (lines in order by agreement) once. */
		if ((checked != sqlite3_column_int64(s, 0) &&
		     (rc = xy__tag_check(st, XY__TAG_AGREEMENTS,
					 (checked = sqlite3_column_int64(s, 0))))) ||
		    (rc = fn(arg, sqlite3_column_int64(s, 0),
			     (const char *)sqlite3_column_text(s, 1),
			     (const char *)sqlite3_column_text(s, 2), sqlite3_column_int(s, 3),
			     sqlite3_column_int(s, 4)))) {
			sqlite3_reset(s);
			return rc;
		}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, "agreement lines");
	sqlite3_reset(s);
	return rc;
}
