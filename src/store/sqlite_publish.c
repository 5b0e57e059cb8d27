/* SQLite engine: publishing to the portal (NET-1, POR-2).  `published`
 * is what the portal holds now, object by object (kind, id, SM3 of the
 * line last sent); `publications` lists every change set written.  Only
 * the publisher (svc/publish.c) writes either.  Statements in the PUBLISH
 * slots. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"

enum {
	S_PUB_LAST = XY__SQL_SLOT_PUBLISH,
	S_PUB_ADD,
	S_PUBD_EACH,
	S_PUBD_SET,
	S_PUBD_DEL,
	S_PUBD_CLEAR,
	S_PUB_BATCHES,
	S_PUB_RECORDS,
};

int xy_store_publication_last(struct xy_store *st, struct xy_publication *out)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PUB_LAST,
				       "SELECT seq, kind, created_at, file, bytes, sm3, lines,"
				       " records, removals FROM publications"
				       " ORDER BY seq DESC LIMIT 1");
	int rc;

	memset(out, 0, sizeof *out);
	if (!s)
		return XY_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(s, 5);
		out->seq = sqlite3_column_int64(s, 0);
		xy__sql_copy(s, 1, out->kind, sizeof out->kind);
		out->created_at = sqlite3_column_int64(s, 2);
		xy__sql_copy(s, 3, out->file, sizeof out->file);
		out->bytes = sqlite3_column_int64(s, 4);
		if (h && sqlite3_column_bytes(s, 5) == (int)sizeof out->sm3)
			memcpy(out->sm3, h, sizeof out->sm3);
		out->lines = (long)sqlite3_column_int64(s, 6);
		out->records = (long)sqlite3_column_int64(s, 7);
		out->removals = (long)sqlite3_column_int64(s, 8);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW	   ? 0
	       : rc == SQLITE_DONE ? XY_ENOTFOUND
				   : xy__sql_error(st, "publications");
}

int xy_store_publication_add(struct xy_store *st, const struct xy_publication *p)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_PUB_ADD,
			     "INSERT INTO publications(seq, kind, created_at, file, bytes,"
			     " sm3, lines, records, removals)"
			     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, p->seq);
	xy__sql_text(s, 2, p->kind);
	sqlite3_bind_int64(s, 3, p->created_at);
	xy__sql_text(s, 4, p->file);
	sqlite3_bind_int64(s, 5, p->bytes);
	sqlite3_bind_blob(s, 6, p->sm3, sizeof p->sm3, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, p->lines);
	sqlite3_bind_int64(s, 8, p->records);
	sqlite3_bind_int64(s, 9, p->removals);
	return xy__sql_done(st, s, "publications");
}

int xy_store_published_each(struct xy_store *st,
			    int (*fn)(void *arg, const char *kind, const char *id,
				      const uint8_t sm3[32]),
			    void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PUBD_EACH,
				       "SELECT kind, id, sm3 FROM published ORDER BY kind, id");
	int rc, frc = 0;

	if (!s)
		return XY_ESTORE;
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		const char *id = (const char *)sqlite3_column_text(s, 1);
		const uint8_t *h = sqlite3_column_blob(s, 2);
		if (!kind || !id || !h || sqlite3_column_bytes(s, 2) != 32) {
			sqlite3_reset(s);
			return XY_ESTORE; /* the schema makes this impossible */
		}
		frc = fn(arg, kind, id, h);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "published");
}

int xy_store_published_set(struct xy_store *st, const char *kind, const char *id,
			   const uint8_t sm3[32])
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PUBD_SET,
				       "INSERT INTO published(kind, id, sm3) VALUES (?1, ?2, ?3)"
				       " ON CONFLICT(kind, id) DO UPDATE SET sm3 = excluded.sm3");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, kind);
	xy__sql_text(s, 2, id);
	sqlite3_bind_blob(s, 3, sm3, 32, SQLITE_STATIC);
	return xy__sql_done(st, s, "published");
}

int xy_store_published_del(struct xy_store *st, const char *kind, const char *id)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_PUBD_DEL, "DELETE FROM published WHERE kind = ?1 AND id = ?2");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, kind);
	xy__sql_text(s, 2, id);
	return xy__sql_done(st, s, "published");
}

int xy_store_published_clear(struct xy_store *st)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_PUBD_CLEAR, "DELETE FROM published");
	if (!s)
		return XY_ESTORE;
	return xy__sql_done(st, s, "published");
}

int xy_store_publish_records(struct xy_store *st, const char *dataset,
			     int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg)
{
	/* A batch's records are one id range (XY_RECORD_ID): the dataset's
	 * finished batches, then each range in id order. */
	sqlite3_stmt *b =
		xy__sql_stmt(st, S_PUB_BATCHES,
			     "SELECT id FROM batches WHERE dataset = ?1 AND state = 'done'"
			     " ORDER BY id");
	int rc = 0, brc;

	if (!b)
		return XY_ESTORE;
	xy__sql_text(b, 1, dataset);
	while ((brc = sqlite3_step(b)) == SQLITE_ROW) {
		int64_t batch = sqlite3_column_int64(b, 0);
		sqlite3_stmt *s = xy__sql_stmt(st, S_PUB_RECORDS,
					       "SELECT " XY__SQL_REC_COLS
					       " FROM records r WHERE r.id >= ?1 AND r.id < ?2"
					       " AND r.dataset = ?3 ORDER BY r.id");
		if (!s) {
			sqlite3_reset(b);
			return XY_ESTORE;
		}
		sqlite3_bind_int64(s, 1, XY_RECORD_ID(batch, 0));
		sqlite3_bind_int64(s, 2, XY_RECORD_ID(batch + 1, 0));
		xy__sql_text(s, 3, dataset);
		if ((rc = xy__sql_each_record(st, s, fn, arg, NULL, NULL))) {
			sqlite3_reset(b);
			return rc;
		}
	}
	sqlite3_reset(b);
	return brc == SQLITE_DONE ? 0 : xy__sql_error(st, "batches");
}
