/* SQLite engine: the one download of each export (SHR-7), and finding a
 * region's credit office (who approves extractions).  Statements in the
 * EXPORT slots. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_EX_CLAIM = XY__SQL_SLOT_EXPORT,
	S_EX_GET,
	S_EX_OFFICE,
};

int xy_store_export_claim(struct xy_store *st, const struct xy_export_done *e)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_EX_CLAIM,
				       "INSERT INTO exports(request_id, account, downloaded_at,"
				       " rows, bytes, sm3) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, e->request_id);
	sqlite3_bind_int64(s, 2, e->account);
	sqlite3_bind_int64(s, 3, e->downloaded_at);
	sqlite3_bind_int64(s, 4, e->rows);
	sqlite3_bind_int64(s, 5, e->bytes);
	sqlite3_bind_blob(s, 6, e->sm3, sizeof e->sm3, SQLITE_STATIC);
	return xy__sql_done(st, s, "export");
}

int xy_store_export_get(struct xy_store *st, int64_t request_id, struct xy_export_done *e)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_EX_GET,
			     "SELECT account, downloaded_at, rows, bytes, sm3 FROM exports"
			     " WHERE request_id = ?1");
	int rc;
	memset(e, 0, sizeof *e);
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, request_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(s, 4);
		e->request_id = request_id;
		e->account = sqlite3_column_int64(s, 0);
		e->downloaded_at = sqlite3_column_int64(s, 1);
		e->rows = (long)sqlite3_column_int64(s, 2);
		e->bytes = sqlite3_column_int64(s, 3);
		if (h && sqlite3_column_bytes(s, 4) == (int)sizeof e->sm3)
			memcpy(e->sm3, h, sizeof e->sm3);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW	   ? 0
	       : rc == SQLITE_DONE ? XY_ENOTFOUND
				   : xy__sql_error(st, "export");
}

int xy_store_unit_office(struct xy_store *st, const char *region, int64_t *unit_id)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_EX_OFFICE,
				       "SELECT id FROM units WHERE kind = 'credit_office'"
				       " AND region = ?1 ORDER BY id LIMIT 1");
	int rc;
	*unit_id = 0;
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, region);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*unit_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : xy__sql_error(st, "units");
}
