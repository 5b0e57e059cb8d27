/* SQLite engine: finding subjects and reading records for queries (SHR).
 * Statements in the QUERY slots.  Only records of finished batches are
 * read: a batch still loading, or one that failed, shows nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/row.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"
#include "util/utf8.h"

enum {
	S_SUBJ_GET = XY__SQL_SLOT_QUERY,
	S_SUBJ_CODE,
	S_SUBJ_BIDX,
	S_SUBJ_PREFIX,
	S_SUBJ_FTS,
	S_SUBJ_SCAN,
	S_NAMES_UPTO,
	S_NAMES_MAX,
	S_NAMES_ADD,
	S_NAMES_SET,
	S_SUBJ_RECORDS,
	S_DS_BATCHES,
	S_DS_RECORDS,
};

/* Where XY__SQL_REC_COLS has the canonical record columns (docs/FORMATS.md). */
static const int rec_tag_map[14] = {0, 1, 2, 3, 4, 5, 13, 6, 10, 11, 12, 9, 7, 8};

#define SUBJ_COLS                                                            \
	"id, kind = 'natural', coalesce(code, ''), coalesce(code_type, '')," \
	" coalesce(name, ''), coalesce(region, '')"

static void row_subject(sqlite3_stmt *s, struct xy_subject *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(s, 0);
	o->natural = sqlite3_column_int(s, 1);
	xy__sql_copy(s, 2, o->code, sizeof o->code);
	xy__sql_copy(s, 3, o->code_type, sizeof o->code_type);
	xy__sql_copy(s, 4, o->name, sizeof o->name);
	xy__sql_copy(s, 5, o->region, sizeof o->region);
}

static void row_record(sqlite3_stmt *s, struct xy_store_rec_view *v)
{
	v->id = sqlite3_column_int64(s, 0);
	v->dataset = (const char *)sqlite3_column_text(s, 1);
	v->unit_id = sqlite3_column_int64(s, 2);
	v->batch_id = sqlite3_column_int64(s, 3);
	v->row_no = (long)sqlite3_column_int64(s, 4);
	v->subject_id = sqlite3_column_int64(s, 5);
	v->row_sm3 = sqlite3_column_blob(s, 6);
	v->clear = (const char *)sqlite3_column_text(s, 7);
	v->clear_len = (size_t)sqlite3_column_bytes(s, 7);
	v->sealed = sqlite3_column_blob(s, 8);
	v->sealed_len = (size_t)sqlite3_column_bytes(s, 8);
	v->status = (const char *)sqlite3_column_text(s, 9);
	v->submitted_us = sqlite3_column_int64(s, 10);
	v->valid_until =
		sqlite3_column_type(s, 11) == SQLITE_NULL ? XY_NO_END : sqlite3_column_int(s, 11);
	v->display_until = sqlite3_column_type(s, 12) == SQLITE_NULL ? XY_NOT_DISPLAYED
								     : sqlite3_column_int(s, 12);
}

/* Steps a statement that yields at most one subject. */
static int one_subject(struct xy_store *st, sqlite3_stmt *s, struct xy_subject *out)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_subject(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW	   ? 0
	       : rc == SQLITE_DONE ? XY_ENOTFOUND
				   : xy__sql_error(st, "subject");
}

/* Steps a statement that yields subjects, calling fn for each. */
static int each_subject(struct xy_store *st, sqlite3_stmt *s,
			int (*fn)(void *arg, const struct xy_subject *s), void *arg)
{
	struct xy_subject sub;
	int rc, frc = 0;
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_subject(s, &sub);
		frc = fn(arg, &sub);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "subjects");
}

int xy_store_subject_get(struct xy_store *st, int64_t id, struct xy_subject *out)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_SUBJ_GET, "SELECT " SUBJ_COLS " FROM subjects WHERE id = ?1");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	return one_subject(st, s, out);
}

int xy_store_subject_by_code(struct xy_store *st, const char *code, struct xy_subject *out)
{
	sqlite3_stmt *s = xy__sql_stmt(st, S_SUBJ_CODE,
				       "SELECT " SUBJ_COLS " FROM subjects WHERE code = ?1"
				       " AND kind = 'legal' ORDER BY id LIMIT 1");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, code);
	return one_subject(st, s, out);
}

int xy_store_subject_by_bidx(struct xy_store *st, const uint8_t bidx[32], struct xy_subject *out)
{
	sqlite3_stmt *s =
		xy__sql_stmt(st, S_SUBJ_BIDX, "SELECT " SUBJ_COLS " FROM subjects WHERE bidx = ?1");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_blob(s, 1, bidx, 32, SQLITE_STATIC);
	return one_subject(st, s, out);
}

int xy_store_subject_by_prefix(struct xy_store *st, const char *prefix, const char *after,
			       int limit, int (*fn)(void *arg, const struct xy_subject *s),
			       void *arg)
{
	/* [prefix, prefix + U+10FFFF): codes are ASCII, so every code that
	 * starts with prefix sorts inside. */
	char hi[XY_SUBJECT_CODE_MAX + 8];
	sqlite3_stmt *s;
	if (strlen(prefix) > XY_SUBJECT_CODE_MAX)
		return XY_EINVAL;
	snprintf(hi, sizeof hi, "%s\xf4\x8f\xbf\xbf", prefix);
	s = xy__sql_stmt(st, S_SUBJ_PREFIX,
			 "SELECT " SUBJ_COLS " FROM subjects WHERE code >= ?1 AND code < ?2"
			 " AND code > ?3 AND kind = 'legal' ORDER BY code, id LIMIT ?4");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, prefix);
	xy__sql_text(s, 2, hi);
	xy__sql_text(s, 3, after ? after : "");
	sqlite3_bind_int(s, 4, limit);
	return each_subject(st, s, fn, arg);
}

int xy_store_subject_by_name(struct xy_store *st, const char *text, int64_t after_id, int limit,
			     int (*fn)(void *arg, const struct xy_subject *s), void *arg)
{
	size_t n = strlen(text);
	sqlite3_stmt *s;
	char q[4 * 256 + 3];
	size_t k = 0;

	if (n == 0 || n > 256 || !xy_utf8_valid(text, n))
		return XY_EINVAL;
	if (xy_utf8_len(text, n) < 3) {
		/* Too short for a trigram: scan the names (instr, so % and _
		 * mean themselves). */
		s = xy__sql_stmt(st, S_SUBJ_SCAN,
				 "SELECT " SUBJ_COLS " FROM subjects WHERE id > ?1"
				 " AND kind = 'legal' AND instr(lower(name), lower(?2)) > 0"
				 " ORDER BY id LIMIT ?3");
		if (!s)
			return XY_ESTORE;
		sqlite3_bind_int64(s, 1, after_id);
		xy__sql_text(s, 2, text);
		sqlite3_bind_int(s, 3, limit);
		return each_subject(st, s, fn, arg);
	}
	/* One FTS5 string: the text as a phrase, quotes doubled. */
	q[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '"')
			q[k++] = '"';
		q[k++] = text[i];
	}
	q[k++] = '"';
	q[k] = '\0';
	s = xy__sql_stmt(
		st, S_SUBJ_FTS,
		"SELECT s.id, s.kind = 'natural', coalesce(s.code, ''),"
		" coalesce(s.code_type, ''), coalesce(s.name, ''), coalesce(s.region, '')"
		" FROM subject_names f JOIN subjects s ON s.id = f.rowid"
		" WHERE f.subject_names MATCH ?1 AND f.rowid > ?2 ORDER BY f.rowid LIMIT ?3");
	if (!s)
		return XY_ESTORE;
	xy__sql_text(s, 1, q);
	sqlite3_bind_int64(s, 2, after_id);
	sqlite3_bind_int(s, 3, limit);
	return each_subject(st, s, fn, arg);
}

int xy_store_subject_names_index(struct xy_store *st, long max, long *n)
{
	sqlite3_stmt *s;
	int64_t upto = 0, to = 0;
	char v[32];
	int rc;

	*n = 0;
	if ((rc = xy_store_begin(st)))
		return rc;
	rc = xy_store_meta_get(st, "subject_names_upto", v, sizeof v);
	if (rc == 0)
		upto = strtoll(v, NULL, 10);
	else if (rc != XY_ENOTFOUND)
		goto out;
	if (!(s = xy__sql_stmt(st, S_NAMES_MAX,
			       "SELECT coalesce(max(id), 0), count(*) FROM (SELECT id FROM subjects"
			       " WHERE id > ?1 ORDER BY id LIMIT ?2)"))) {
		rc = XY_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, upto);
	sqlite3_bind_int64(s, 2, max);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		to = sqlite3_column_int64(s, 0);
		*n = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		rc = xy__sql_error(st, "subject names");
		goto out;
	}
	rc = 0;
	if (to <= upto)
		goto out; /* nothing new */
	if (!(s = xy__sql_stmt(st, S_NAMES_ADD,
			       "INSERT INTO subject_names(rowid, name) SELECT id, name FROM"
			       " subjects WHERE id > ?1 AND id <= ?2 AND kind = 'legal'"
			       " AND coalesce(name, '') <> ''"))) {
		rc = XY_ESTORE;
		goto out;
	}
	sqlite3_bind_int64(s, 1, upto);
	sqlite3_bind_int64(s, 2, to);
	if ((rc = xy__sql_done(st, s, "subject names")))
		goto out;
	snprintf(v, sizeof v, "%lld", (long long)to);
	rc = xy_store_meta_set(st, "subject_names_upto", v);
out:
	if (!rc)
		rc = xy_store_commit(st);
	if (rc) {
		xy_store_rollback(st);
		*n = 0;
	}
	return rc;
}

int xy__sql_each_record(struct xy_store *st, sqlite3_stmt *s,
			int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg,
			int64_t *last, long *read)
{
	struct xy_store_rec_view v;
	int rc, frc = 0;
	memset(&v, 0, sizeof v);
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* CRY-2: a record leaves the store only when its tag holds. */
		if ((frc = xy__tag_check_row(st, XY__TAG_RECORDS, s, rec_tag_map,
					     XY__SQL_REC_TAG_COL)))
			break;
		row_record(s, &v);
		if (last)
			*last = v.id;
		if (read)
			(*read)++;
		frc = fn(arg, &v);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : xy__sql_error(st, "records");
}

int xy_store_subject_records(struct xy_store *st, int64_t subject_id, int limit,
			     int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg)
{
	sqlite3_stmt *s = xy__sql_stmt(
		st, S_SUBJ_RECORDS,
		"SELECT " XY__SQL_REC_COLS " FROM records r JOIN batches b ON b.id = r.batch_id"
		" WHERE r.subject_id = ?1 AND r.status = 'active' AND b.state = 'done'"
		" ORDER BY r.dataset, r.id LIMIT ?2");
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, subject_id);
	sqlite3_bind_int(s, 2, limit);
	return xy__sql_each_record(st, s, fn, arg, NULL, NULL);
}

int xy_store_dataset_records(struct xy_store *st, const char *dataset, int64_t unit_id,
			     int64_t after, long max_scan,
			     int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg,
			     int64_t *last)
{
	/* A batch's records are one id range (XY_RECORD_ID): walk the
	 * dataset's finished batches, then each range in id order. */
	sqlite3_stmt *b =
		xy__sql_stmt(st, S_DS_BATCHES,
			     "SELECT id FROM batches WHERE dataset = ?1 AND state = 'done'"
			     " AND (?2 = 0 OR unit_id = ?2) AND id >= ?3 ORDER BY id");
	long read = 0;
	int rc, brc;

	*last = 0;
	if (!b)
		return XY_ESTORE;
	xy__sql_text(b, 1, dataset);
	sqlite3_bind_int64(b, 2, unit_id);
	sqlite3_bind_int64(b, 3, after >> XY_RECORD_ROW_BITS);
	while ((brc = sqlite3_step(b)) == SQLITE_ROW) {
		int64_t batch = sqlite3_column_int64(b, 0);
		int64_t lo = XY_RECORD_ID(batch, 0) > after ? XY_RECORD_ID(batch, 0) : after + 1;
		sqlite3_stmt *s = xy__sql_stmt(st, S_DS_RECORDS,
					       "SELECT " XY__SQL_REC_COLS
					       " FROM records r WHERE r.id >= ?1 AND r.id < ?2"
					       " AND r.status = 'active' ORDER BY r.id LIMIT ?3");
		if (!s) {
			sqlite3_reset(b);
			return XY_ESTORE;
		}
		sqlite3_bind_int64(s, 1, lo);
		sqlite3_bind_int64(s, 2, XY_RECORD_ID(batch + 1, 0));
		sqlite3_bind_int64(s, 3, max_scan - read);
		rc = xy__sql_each_record(st, s, fn, arg, last, &read);
		if (rc) {
			sqlite3_reset(b);
			return rc;
		}
		if (read >= max_scan) {
			sqlite3_reset(b);
			return 0; /* *last: where the next page starts */
		}
	}
	sqlite3_reset(b);
	*last = 0;
	return brc == SQLITE_DONE ? 0 : xy__sql_error(st, "batches");
}
