/* What the SQLite engine's files share (SQLite's *Int.h habit): sqlite.c
 * owns the connection, the migrations and the statement cache; the other
 * sqlite_*.c files keep their statements in the cache's extension slots. */
#ifndef XY_STORE_SQLITE_INT_H
#define XY_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct xy_store;

/* Statement slots for the other files; each file owns a range. */
#define XY__SQL_EXT_MAX	     288
#define XY__SQL_SLOT_ACCOUNT 0 /* sqlite_acct.c: 0..63 */
#define XY__SQL_SLOT_UNITS   64
#define XY__SQL_SLOT_SHARE   80	 /* sqlite_share.c: 80..95 */
#define XY__SQL_SLOT_QUERY   96	 /* sqlite_query.c: 96..127 */
#define XY__SQL_SLOT_GRANT   128 /* sqlite_grant.c: 128..159 */
#define XY__SQL_SLOT_CLIENT  160 /* sqlite_client.c: 160..175 */
#define XY__SQL_SLOT_EXPORT  176 /* sqlite_export.c: 176..191 */
#define XY__SQL_SLOT_TAG     192 /* sqlite_tag.c: 192..223 */
#define XY__SQL_SLOT_AUDIT   224 /* sqlite_audit.c: 224..239 */
#define XY__SQL_SLOT_PUBLISH 240 /* sqlite_publish.c: 240..255 */
#define XY__SQL_SLOT_CASE    256 /* sqlite_case.c: 256..271 */
#define XY__SQL_SLOT_SECTION 272 /* sqlite_section.c: 272..287 */

sqlite3 *xy__sql_db(struct xy_store *st);
/* The cached statement of a slot (prepared from sql the first time),
 * reset and unbound; NULL (logged) when it cannot be prepared. */
sqlite3_stmt *xy__sql_stmt(struct xy_store *st, int slot, const char *sql);
/* Steps a statement that returns no rows: 0, XY_EEXISTS on a unique
 * constraint, another XY_E… otherwise. */
int xy__sql_done(struct xy_store *st, sqlite3_stmt *s, const char *what);
int xy__sql_error(struct xy_store *st, const char *what);
/* Binds text (NULL binds SQL NULL); v must outlive the step. */
void xy__sql_text(sqlite3_stmt *s, int i, const char *v);
void xy__sql_copy(sqlite3_stmt *s, int col, char *out, size_t cap);
/* An audit_events row selected as seq, ts, zone, client, agent, account,
 * real_name, unit, action, object, purpose, grant_ref, result, reason, hash
 * (the strings live until the next step). */
struct xy_store_event;
void xy__sql_event(sqlite3_stmt *s, struct xy_store_event *ev);

/* ---- records as the reads select them (sqlite_query.c) ---- */

struct xy_store_rec_view;

/* The columns of a record read (alias r), then its tag and key id. */
#define XY__SQL_REC_COLS                                                                      \
	"r.id, r.dataset, r.unit_id, r.batch_id, r.row_no, r.subject_id, r.row_sm3, r.clear," \
	" r.sealed, r.status, r.submitted_at, r.valid_until, r.display_until, r.rkey, r.tag," \
	" r.tag_key"
#define XY__SQL_REC_TAG_COL 14
/* Steps s (selecting XY__SQL_REC_COLS), checking each row's tag (CRY-2)
 * before fn sees it; fn until nonzero.  *last (may be NULL) gets the id of
 * the last record read, *read (may be NULL) is counted up. */
int xy__sql_each_record(struct xy_store *st, sqlite3_stmt *s,
			int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg,
			int64_t *last, long *read);

/* ---- row tags (CRY-2, sqlite_tag.c) ---- */

struct xy_buf;
struct xy_sealer;

/* The tagged tables (the order of xy_store_tag_verify's counts). */
enum {
	XY__TAG_ACCOUNTS,
	XY__TAG_AGREEMENTS,
	XY__TAG_GRANTS,
	XY__TAG_CLIENTS,
	XY__TAG_RECORDS,
	XY__TAG_COUNT
};

/* One canonical value: NULL, integer, text or blob (the type byte). */
enum { XY__TV_NULL = 0, XY__TV_INT = 1, XY__TV_TEXT = 2, XY__TV_BLOB = 3 };
struct xy__tv {
	int type;
	int64_t i;
	const void *p;
	size_t n;
};

/* The handle's row-key sealer (NULL: none), its scratch buffer, and the
 * note of a tampered row met by a read (sqlite.c). */
struct xy_sealer *xy__sql_tagger(struct xy_store *st);
struct xy_buf *xy__sql_tagbuf(struct xy_store *st);
void xy__sql_tampered(struct xy_store *st, const char *table, int64_t id, const char *what);

/* Canonical bytes, piece by piece (for a row built from values, not read
 * back): the header of table t with ncols columns (resets b), a value, and
 * a statement's column as a value (valid until the statement moves). */
int xy__tag_head(struct xy_buf *b, int t, int ncols);
int xy__tag_value(struct xy_buf *b, const struct xy__tv *v);
void xy__tag_col(sqlite3_stmt *s, int col, struct xy__tv *v);
/* HMAC-SM3 of b under the active row key, and that key's id.  XY_EKEY
 * when the handle has no row key. */
int xy__tag_compute(struct xy_store *st, const struct xy_buf *b, uint8_t tag[32], uint32_t *key);
/* Checks the stored tag of row id of table t: 0; XY_ETAMPER (noted on the
 * handle); XY_ENOTFOUND; XY_EKEY without a row key. */
int xy__tag_check(struct xy_store *st, int t, int64_t id);
/* The same for the row statement s is on, whose canonical columns are
 * map[0..] (NULL: 0, 1, 2 …) and whose tag and key id are columns tagcol
 * and tagcol + 1. */
int xy__tag_check_row(struct xy_store *st, int t, sqlite3_stmt *s, const int *map, int tagcol);
/* Tags row id (after an insert, or a change of its folded children). */
int xy__tag_set(struct xy_store *st, int t, int64_t id);
/* Before a change to an existing row: checks it (a change must never
 * re-bless a row altered behind the application's back), then retags. */
int xy__tag_update(struct xy_store *st, int t, int64_t id);

#endif
