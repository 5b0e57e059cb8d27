/* SQLite engine: row tags (CRY-2).  Every row of records, accounts,
 * agreements, grants and clients carries tag = HMAC-SM3(row key, canonical
 * bytes of the row) and the id of the row key (tag_key); an account's
 * roles and an agreement's lines are folded into their parent's tag.  The
 * canonical bytes are in docs/FORMATS.md ("Row tags (CRY-2)").  Statements
 * in the TAG slots. */
#include <stdio.h>
#include <string.h>

#include "crypto/seal.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"

/* The canonical columns of each tagged table, in their canonical order. */
#define ACC_TAG_COLS                                                                       \
	"id, name, real_name, idnum_bidx, idnum_sealed, unit_id, status, status_reason,"   \
	" status_at, pw_hash, must_change, pw_changed_at, created_at, last_login_at,"      \
	" end_date, fail_count, fail_first_at, locked_until, totp_sealed, totp_pending,"   \
	" totp_last_step, sm2_pub, sm2_pending, training_on, training_note, agreement_on," \
	" agreement_ref, created_by"
#define AG_TAG_COLS                                                                      \
	"id, unit_id, document, valid_from, valid_to, created_by, created_at, ended_at," \
	" ended_by, end_reason"
#define GR_TAG_COLS                                                                       \
	"id, request_id, unit_id, provider_unit_id, dataset, purpose, subject_id, clear," \
	" start_at, end_at, revoked_at, revoked_by, revoke_reason"
#define CL_TAG_COLS                                                                        \
	"id, client_id, name, unit_id, secret_hash, allow, rate, daily_quota, agreements," \
	" valid_to, created_by, created_at, revoked_at, revoked_by, revoke_reason"
#define REC_TAG_COLS                                                                       \
	"id, dataset, unit_id, batch_id, row_no, subject_id, rkey, row_sm3, submitted_at," \
	" valid_until, display_until, status, clear, sealed"

#define TAGGED(tbl, cols, n, children)                                                       \
	{                                                                                    \
		tbl, n, "SELECT " cols ", tag, tag_key FROM " tbl " WHERE id = ?1",          \
			"SELECT " cols ", tag, tag_key FROM " tbl                            \
			" WHERE id > ?1 ORDER BY id LIMIT ?2",                               \
			children, "UPDATE " tbl " SET tag = ?2, tag_key = ?3 WHERE id = ?1", \
			"SELECT id FROM " tbl " WHERE tag IS NULL AND id > ?1 ORDER BY id"   \
			" LIMIT ?2"                                                          \
	}

static const struct tagged {
	const char *table;
	int ncols;
	const char *row;      /* the canonical columns, tag, tag_key of row ?1 */
	const char *walk;     /* the same for the rows after ?1, ?2 of them */
	const char *children; /* rows folded into the tag of parent ?1, or NULL */
	const char *set;      /* stores tag ?2 and key id ?3 on row ?1 */
	const char *untagged; /* rows without a tag after ?1, ?2 of them */
} tagged[XY__TAG_COUNT] = {
	[XY__TAG_ACCOUNTS] = TAGGED("accounts", ACC_TAG_COLS, 28,
				    "SELECT role, scope, granted_at, granted_by FROM account_roles"
				    " WHERE account_id = ?1 ORDER BY role"),
	[XY__TAG_AGREEMENTS] = TAGGED("agreements", AG_TAG_COLS, 10,
				      "SELECT dataset, purpose FROM agreement_lines"
				      " WHERE agreement_id = ?1 ORDER BY dataset, purpose"),
	[XY__TAG_GRANTS] = TAGGED("grants", GR_TAG_COLS, 13, NULL),
	[XY__TAG_CLIENTS] = TAGGED("clients", CL_TAG_COLS, 15, NULL),
	[XY__TAG_RECORDS] = TAGGED("records", REC_TAG_COLS, 14, NULL),
};

_Static_assert(XY__TAG_COUNT == XY_TAG_TABLES, "store.h and sqlite_int.h count the same tables");

enum { K_ROW, K_WALK, K_CHILDREN, K_SET, K_UNTAGGED, K__COUNT };

#define WALK_PAGE 512
#define TAG_MAGIC "xinyong row tag 1"

static sqlite3_stmt *tag_stmt(struct xy_store *st, int t, int k)
{
	const struct tagged *d = &tagged[t];
	const char *sql = k == K_ROW	    ? d->row
			  : k == K_WALK	    ? d->walk
			  : k == K_CHILDREN ? d->children
			  : k == K_SET	    ? d->set
					    : d->untagged;
	return xy__sql_stmt(st, XY__SQL_SLOT_TAG + t * K__COUNT + k, sql);
}

/* ---- canonical bytes ---- */

static int put_u32(struct xy_buf *b, uint32_t v)
{
	uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	return xy_buf_add(b, p, 4);
}

static int put_bytes(struct xy_buf *b, const void *p, size_t n)
{
	int rc;
	if (n > UINT32_MAX)
		return XY_ELIMIT;
	if ((rc = put_u32(b, (uint32_t)n)))
		return rc;
	return n ? xy_buf_add(b, p, n) : 0;
}

int xy__tag_value(struct xy_buf *b, const struct xy__tv *v)
{
	uint8_t t = (uint8_t)v->type, p[8];
	int rc = xy_buf_add(b, &t, 1);
	if (rc || v->type == XY__TV_NULL)
		return rc;
	if (v->type == XY__TV_INT) {
		uint64_t u = (uint64_t)v->i;
		for (int i = 0; i < 8; i++)
			p[i] = (uint8_t)(u >> (56 - 8 * i));
		return xy_buf_add(b, p, 8);
	}
	return put_bytes(b, v->p, v->n);
}

void xy__tag_col(sqlite3_stmt *s, int col, struct xy__tv *v)
{
	memset(v, 0, sizeof *v);
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_NULL:
		v->type = XY__TV_NULL;
		break;
	case SQLITE_INTEGER:
		v->type = XY__TV_INT;
		v->i = sqlite3_column_int64(s, col);
		break;
	case SQLITE_BLOB:
		v->type = XY__TV_BLOB;
		v->p = sqlite3_column_blob(s, col);
		v->n = (size_t)sqlite3_column_bytes(s, col);
		break;
	default: /* text (and a real, which no tagged column holds, as its text) */
		v->type = XY__TV_TEXT;
		v->p = sqlite3_column_text(s, col);
		v->n = (size_t)sqlite3_column_bytes(s, col);
	}
}

int xy__tag_head(struct xy_buf *b, int t, int ncols)
{
	int rc;
	xy_buf_reset(b);
	if ((rc = put_bytes(b, TAG_MAGIC, strlen(TAG_MAGIC))) ||
	    (rc = put_bytes(b, tagged[t].table, strlen(tagged[t].table))))
		return rc;
	return put_u32(b, (uint32_t)ncols);
}

/* The header and the columns map[0..ncols) of the row s is on. */
static int encode_cols(struct xy_buf *b, int t, sqlite3_stmt *s, const int *map)
{
	struct xy__tv v;
	int rc = xy__tag_head(b, t, tagged[t].ncols);
	for (int i = 0; !rc && i < tagged[t].ncols; i++) {
		xy__tag_col(s, map ? map[i] : i, &v);
		rc = xy__tag_value(b, &v);
	}
	return rc;
}

/* The folded child rows of row id: their count, then each one's columns. */
static int encode_children(struct xy_store *st, struct xy_buf *b, int t, int64_t id)
{
	sqlite3_stmt *s;
	struct xy__tv v;
	size_t at;
	uint32_t n = 0;
	int rc, ncols;

	if (!tagged[t].children)
		return 0;
	if (!(s = tag_stmt(st, t, K_CHILDREN)))
		return XY_ESTORE;
	at = b->len;
	if ((rc = put_u32(b, 0)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	ncols = sqlite3_column_count(s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		for (int i = 0; i < ncols; i++) {
			xy__tag_col(s, i, &v);
			if ((rc = xy__tag_value(b, &v))) {
				sqlite3_reset(s);
				return rc;
			}
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return xy__sql_error(st, "row tag children");
	b->p[at] = (char)(n >> 24);
	b->p[at + 1] = (char)(n >> 16);
	b->p[at + 2] = (char)(n >> 8);
	b->p[at + 3] = (char)n;
	return 0;
}

/* ---- checking ---- */

/* Compares the tag in columns tagcol, tagcol + 1 of s with the canonical
 * bytes in b: NULL when it holds, else what is wrong. */
static const char *compare(struct xy_store *st, sqlite3_stmt *s, int tagcol, const struct xy_buf *b)
{
	uint8_t want[XY_SM3_LEN];
	const void *tag = sqlite3_column_blob(s, tagcol);
	int64_t key = sqlite3_column_int64(s, tagcol + 1);

	if (!tag || sqlite3_column_bytes(s, tagcol) != XY_SM3_LEN ||
	    sqlite3_column_type(s, tagcol + 1) != SQLITE_INTEGER)
		return "no row tag";
	if (key < 1 || key > UINT32_MAX ||
	    xy_row_tag_id(xy__sql_tagger(st), (uint32_t)key, b->p, b->len, want))
		return "row tag under an unknown key";
	return xy_ct_equal(want, tag, XY_SM3_LEN) ? NULL : "row tag does not match (changed)";
}

/* Checks the row s is on (columns by map, tag at tagcol): 0, or
 * XY_ETAMPER with *what set; other errors as they come. */
static int check_on(struct xy_store *st, int t, sqlite3_stmt *s, const int *map, int tagcol,
		    const char **what)
{
	struct xy_buf *b = xy__sql_tagbuf(st);
	int64_t id = sqlite3_column_int64(s, map ? map[0] : 0);
	int rc;

	*what = NULL;
	if (!xy__sql_tagger(st)) {
		xy_log_error("%s %lld: this connection has no row key", tagged[t].table,
			     (long long)id);
		return XY_EKEY;
	}
	if ((rc = encode_cols(b, t, s, map)) || (rc = encode_children(st, b, t, id)))
		return rc;
	*what = compare(st, s, tagcol, b);
	return *what ? XY_ETAMPER : 0;
}

static int noted(struct xy_store *st, int t, int64_t id, const char *what, int rc)
{
	if (rc == XY_ETAMPER)
		xy__sql_tampered(st, tagged[t].table, id, what);
	return rc;
}

int xy__tag_check(struct xy_store *st, int t, int64_t id)
{
	sqlite3_stmt *s = tag_stmt(st, t, K_ROW);
	const char *what = NULL;
	int rc;

	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = check_on(st, t, s, NULL, tagged[t].ncols, &what);
	else
		rc = rc == SQLITE_DONE ? XY_ENOTFOUND : xy__sql_error(st, "row tag");
	sqlite3_reset(s);
	return noted(st, t, id, what, rc);
}

int xy__tag_check_row(struct xy_store *st, int t, sqlite3_stmt *s, const int *map, int tagcol)
{
	const char *what = NULL;
	int rc = check_on(st, t, s, map, tagcol, &what);
	return noted(st, t, sqlite3_column_int64(s, map ? map[0] : 0), what, rc);
}

/* ---- tagging ---- */

int xy__tag_compute(struct xy_store *st, const struct xy_buf *b, uint8_t tag[XY_SM3_LEN],
		    uint32_t *key)
{
	if (!xy__sql_tagger(st)) {
		xy_log_error("a tagged row is written on a connection without a row key");
		return XY_EKEY;
	}
	return xy_row_tag_active(xy__sql_tagger(st), b->p, b->len, key, tag);
}

int xy__tag_set(struct xy_store *st, int t, int64_t id)
{
	sqlite3_stmt *s = tag_stmt(st, t, K_ROW);
	struct xy_buf *b = xy__sql_tagbuf(st);
	uint8_t tag[XY_SM3_LEN];
	uint32_t key;
	int rc;

	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = encode_cols(b, t, s, NULL);
	else
		rc = rc == SQLITE_DONE ? XY_ENOTFOUND : xy__sql_error(st, "row tag");
	sqlite3_reset(s);
	if (rc || (rc = encode_children(st, b, t, id)) || (rc = xy__tag_compute(st, b, tag, &key)))
		return rc;
	if (!(s = tag_stmt(st, t, K_SET)))
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, tag, sizeof tag, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, key);
	return xy__sql_done(st, s, "row tag");
}

int xy__tag_update(struct xy_store *st, int t, int64_t id)
{
	int rc = xy__tag_check(st, t, id);
	return rc ? rc : xy__tag_set(st, t, id);
}

/* ---- the whole store: verify, backfill ---- */

const char *xy_store_tag_table(int t)
{
	return t >= 0 && t < XY__TAG_COUNT ? tagged[t].table : "?";
}

static int walk_table(struct xy_store *st, int t,
		      int (*fn)(void *arg, const char *table, int64_t id, const char *what),
		      void *arg, long *rows, long *bad)
{
	int64_t after = 0;
	int n, src, frc = 0;

	do {
		sqlite3_stmt *s = tag_stmt(st, t, K_WALK);
		const char *what;
		if (!s)
			return XY_ESTORE;
		sqlite3_bind_int64(s, 1, after);
		sqlite3_bind_int(s, 2, WALK_PAGE);
		n = 0;
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			n++;
			after = sqlite3_column_int64(s, 0);
			(*rows)++;
			frc = check_on(st, t, s, NULL, tagged[t].ncols, &what);
			if (frc == XY_ETAMPER) {
				(*bad)++;
				frc = fn(arg, tagged[t].table, after, what);
			}
			if (frc)
				break;
		}
		sqlite3_reset(s);
		if (frc)
			return frc;
		if (src != SQLITE_DONE)
			return xy__sql_error(st, "row tags");
	} while (n == WALK_PAGE);
	return 0;
}

int xy_store_tag_verify(struct xy_store *st,
			int (*fn)(void *arg, const char *table, int64_t id, const char *what),
			void *arg, long rows[XY__TAG_COUNT], long *bad)
{
	int rc = 0;
	*bad = 0;
	for (int t = 0; t < XY__TAG_COUNT && !rc; t++) {
		rows[t] = 0;
		rc = walk_table(st, t, fn, arg, &rows[t], bad);
	}
	return rc;
}

int xy_store_tag_backfill_pending(struct xy_store *st)
{
	char v[16];
	int rc = xy_store_meta_get(st, XY_TAG_BACKFILL_KEY, v, sizeof v);
	return rc == XY_ENOTFOUND ? 0 : rc ? rc : 1;
}

int xy_store_tag_backfill(struct xy_store *st, long *n)
{
	int rc = 0;

	*n = 0;
	for (int t = 0; t < XY__TAG_COUNT && !rc; t++) {
		int64_t after = 0, ids[WALK_PAGE];
		int k;
		do {
			sqlite3_stmt *s = tag_stmt(st, t, K_UNTAGGED);
			if (!s)
				return XY_ESTORE;
			sqlite3_bind_int64(s, 1, after);
			sqlite3_bind_int(s, 2, WALK_PAGE);
			for (k = 0; k < WALK_PAGE && (rc = sqlite3_step(s)) == SQLITE_ROW; k++)
				ids[k] = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
			if (k < WALK_PAGE && rc != SQLITE_DONE)
				return xy__sql_error(st, "row tag backfill");
			rc = 0;
			for (int i = 0; i < k && !rc; i++)
				rc = xy__tag_set(st, t, ids[i]);
			*n += k;
			if (k)
				after = ids[k - 1];
		} while (!rc && k == WALK_PAGE);
	}
	if (!rc)
		rc = xy_store_meta_del(st, XY_TAG_BACKFILL_KEY);
	return rc;
}
