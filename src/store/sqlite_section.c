/* SQLite engine: portal sections (POR-5).  Statements in the SECTION
 * slots.  A removed section keeps its row, marked; only rows in place are
 * read. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_SEC_ADD = XY__SQL_SLOT_SECTION,
	S_SEC_UPDATE,
	S_SEC_REMOVE,
	S_SEC_GET,
	S_SEC_EACH,
	S_SEC_DUE,
};

/* The columns every read selects; ?9 says whether the body comes too. */
#define SEC_COLS                                                           \
	"s.id, s.kind, s.title, s.unit_id, u.code, u.name, s.period_days," \
	" s.created_at, s.created_by, s.updated_at, s.updated_by,"         \
	" CASE WHEN ?9 THEN s.body END"                                    \
	" FROM sections s JOIN units u ON u.id = s.unit_id WHERE s.removed_at IS NULL"

/* When a section's period ends (the same expression as the index
 * sections_due of migration 12, so the report uses it). */
#define SEC_DUE "(s.updated_at + s.period_days * 86400000000)"

static void row_section(sqlite3_stmt *s, struct xy_section *out)
{
	memset(out, 0, sizeof *out);
	xy__sql_copy(s, 0, out->id, sizeof out->id);
	xy__sql_copy(s, 1, out->kind, sizeof out->kind);
	xy__sql_copy(s, 2, out->title, sizeof out->title);
	out->unit_id = sqlite3_column_int64(s, 3);
	xy__sql_copy(s, 4, out->unit_code, sizeof out->unit_code);
	xy__sql_copy(s, 5, out->unit_name, sizeof out->unit_name);
	out->period_days = sqlite3_column_int(s, 6);
	out->created_at = sqlite3_column_int64(s, 7);
	out->created_by = sqlite3_column_int64(s, 8);
	out->updated_at = sqlite3_column_int64(s, 9);
	out->updated_by = sqlite3_column_int64(s, 10);
	if (sqlite3_column_type(s, 11) != SQLITE_NULL) {
		out->body = (const char *)sqlite3_column_text(s, 11);
		out->body_len = (size_t)sqlite3_column_bytes(s, 11);
	}
}

/* Binds ?1..?6: id, kind, title, body, unit, period. */
static void bind_content(sqlite3_stmt *s, const struct xy_section *in)
{
	xy__sql_text(s, 1, in->id);
	xy__sql_text(s, 2, in->kind);
	xy__sql_text(s, 3, in->title);
	sqlite3_bind_text(s, 4, in->body ? in->body : "", (int)in->body_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, in->unit_id);
	sqlite3_bind_int(s, 6, in->period_days);
}

int xy_store_section_add(struct xy_store *st, const struct xy_section *in)
{
	/* A removed section's id is taken again: its row becomes the new one. */
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_SEC_ADD,
		"INSERT INTO sections(id, kind, title, body, unit_id, period_days, created_at,"
		" created_by, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, "
		"?8)"
		" ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, title = excluded.title,"
		" body = excluded.body, unit_id = excluded.unit_id,"
		" period_days = excluded.period_days, created_at = excluded.created_at,"
		" created_by = excluded.created_by, updated_at = excluded.updated_at,"
		" updated_by = excluded.updated_by, removed_at = NULL, removed_by = NULL"
		" WHERE sections.removed_at IS NOT NULL");
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_content(s, in);
	sqlite3_bind_int64(s, 7, in->updated_at);
	sqlite3_bind_int64(s, 8, in->updated_by);
	if ((rc = xy__sql_done(st, s, "section")))
		return rc;
	return sqlite3_changes(xy__sql_db(st)) == 1 ? 0 : XY_EEXISTS;
}

int xy_store_section_update(struct xy_store *st, const struct xy_section *in)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_SEC_UPDATE,
			     "UPDATE sections SET kind = ?2, title = ?3, body = ?4, unit_id = ?5,"
			     " period_days = ?6, updated_at = ?7, updated_by = ?8"
			     " WHERE id = ?1 AND removed_at IS NULL");
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_content(s, in);
	sqlite3_bind_int64(s, 7, in->updated_at);
	sqlite3_bind_int64(s, 8, in->updated_by);
	if ((rc = xy__sql_done(st, s, "section update")))
		return rc;
	return sqlite3_changes(xy__sql_db(st)) == 1 ? 0 : XY_ENOTFOUND;
}

int xy_store_section_remove(struct xy_store *st, const char *id, int64_t by, int64_t at)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_SEC_REMOVE,
				       "UPDATE sections SET removed_at = ?2, removed_by = ?3"
				       " WHERE id = ?1 AND removed_at IS NULL");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, id);
	sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int64(s, 3, by);
	if ((rc = xy__sql_done(st, s, "section remove")))
		return rc;
	return sqlite3_changes(xy__sql_db(st)) == 1 ? 0 : XY_ENOTFOUND;
}

int xy_store_section_get(struct xy_store *st, const char *id, struct xy_section *out,
			 struct xy_buf *body)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_SEC_GET, "SELECT " SEC_COLS " AND s.id = ?1");
	int rc;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, id);
	sqlite3_bind_int(s, 9, body != NULL);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_section(s, out);
		rc = 0;
		if (body) {
			xy_buf_reset(body);
			rc = xy_buf_add(body, out->body ? out->body : "", out->body_len);
			out->body = rc ? NULL : body->p;
		}
	} else {
		rc = rc == SQLITE_DONE ? XY_ENOTFOUND : xy__sql_error(st, "section");
	}
	sqlite3_reset(s);
	return rc;
}

/* Steps s, calling fn for each row, until the end or fn's nonzero. */
static int each_row(struct xy_store *st, sqlite3_stmt *s, const char *what,
		    int (*fn)(void *arg, const struct xy_section *sec), void *arg)
{
	struct xy_section sec;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_section(s, &sec);
		if ((rc = fn(arg, &sec))) {
			sqlite3_reset(s);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : xy__sql_error(st, what);
	sqlite3_reset(s);
	return rc;
}

int xy_store_section_each(struct xy_store *st, const char *after, int limit, int with_body,
			  int (*fn)(void *arg, const struct xy_section *s), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_SEC_EACH,
				       "SELECT " SEC_COLS " AND s.id > ?1 ORDER BY s.id LIMIT ?2");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, after ? after : "");
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int(s, 9, with_body != 0);
	return each_row(st, s, "sections", fn, arg);
}

int xy_store_section_due_before(struct xy_store *st, int64_t before_us, int limit,
				int (*fn)(void *arg, const struct xy_section *s), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_SEC_DUE,
				       "SELECT " SEC_COLS " AND " SEC_DUE " < ?1"
				       " ORDER BY " SEC_DUE ", s.id LIMIT ?2");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, before_us);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int(s, 9, 0);
	return each_row(st, s, "overdue sections", fn, arg);
}
