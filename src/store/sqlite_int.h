/* What the SQLite engine's files share (SQLite's *Int.h habit): sqlite.c
 * owns the connection, the migrations and the statement cache; the other
 * sqlite_*.c files keep their statements in the cache's extension slots. */
#ifndef XY_STORE_SQLITE_INT_H
#define XY_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>

struct xy_store;

/* Statement slots for the other files; each file owns a range. */
#define XY__SQL_EXT_MAX	     224
#define XY__SQL_SLOT_ACCOUNT 0 /* sqlite_acct.c: 0..63 */
#define XY__SQL_SLOT_UNITS   64
#define XY__SQL_SLOT_SHARE   80	 /* sqlite_share.c: 80..95 */
#define XY__SQL_SLOT_QUERY   96	 /* sqlite_query.c: 96..127 */
#define XY__SQL_SLOT_GRANT   128 /* sqlite_grant.c: 128..159 */
#define XY__SQL_SLOT_CLIENT  160 /* sqlite_client.c: 160..175 */
#define XY__SQL_SLOT_EXPORT  176 /* sqlite_export.c: 176..191 */
#define XY__SQL_SLOT_AUDIT   192 /* sqlite_audit.c: 192..207 */

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

#endif
