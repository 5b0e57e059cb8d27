/* sqlite_ref: the import benchmark's reference.  Reads a generated CSV with a plain splitter
 * (the demo generator puts no quotes, commas or line breaks inside fields) and inserts every
 * row's fields as TEXT into one table of a fresh SQLite file: one prepared statement, 4096 rows
 * per transaction, WAL and synchronous=FULL as the product store uses, the rowid as the only key,
 * no validation, no encryption, no index.
 *
 *   sqlite_ref CSV DB     (DB must not exist)
 *
 * Prints `rows=N seconds=S rows_per_s=R` (open to close, the file read included). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/date.h"
#include "util/limits.h"

#define REF_FIELDS   31 /* XZCF's columns */
#define REF_TXN_ROWS XY_IMPORT_TXN_ROWS

struct ref {
	sqlite3 *db;
	sqlite3_stmt *ins;
	FILE *in;
	char *line;
	size_t cap;
	long rows;
};

static int fail(const struct ref *r, const char *what)
{
	fprintf(stderr, "sqlite_ref: %s: %s\n", what, r->db ? sqlite3_errmsg(r->db) : "failed");
	return -1;
}

/* The table and the statement: column names c1..c31, all TEXT. */
static int prepare(struct ref *r)
{
	char sql[1024];
	size_t n = 0;

	if (sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
			 NULL) != SQLITE_OK)
		return fail(r, "pragmas");
	n += (size_t)snprintf(sql, sizeof sql, "CREATE TABLE t(");
	for (int i = 1; i <= REF_FIELDS; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%sc%d TEXT", i > 1 ? "," : "", i);
	snprintf(sql + n, sizeof sql - n, ")");
	if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(r, "create table");
	n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO t VALUES(");
	for (int i = 1; i <= REF_FIELDS; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s?", i > 1 ? "," : "");
	snprintf(sql + n, sizeof sql - n, ")");
	if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &r->ins, NULL) !=
	    SQLITE_OK)
		return fail(r, "prepare");
	return 0;
}

/* Binds the fields of one line (newline stripped) and runs the insert.  The line buffer stays
 * untouched until the step is done, so the values need not be copied at bind time. */
static int insert_line(struct ref *r, char *s, size_t len)
{
	char *end = s + len;
	int k = 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		end = s + --len;
	for (char *p = s; k < REF_FIELDS; k++) {
		char *comma = memchr(p, ',', (size_t)(end - p));
		char *stop = comma ? comma : end;
		sqlite3_bind_text(r->ins, k + 1, p, (int)(stop - p), SQLITE_STATIC);
		if (!comma) {
			k++;
			break;
		}
		p = comma + 1;
	}
	if (k != REF_FIELDS) {
		fprintf(stderr, "sqlite_ref: line %ld: %d fields, expected %d\n", r->rows + 2, k,
			REF_FIELDS);
		return -1;
	}
	if (sqlite3_step(r->ins) != SQLITE_DONE || sqlite3_reset(r->ins) != SQLITE_OK)
		return fail(r, "insert");
	return 0;
}

static int load(struct ref *r)
{
	ssize_t len;
	int rc = 0;

	if (getline(&r->line, &r->cap, r->in) < 0) /* the header */
		return 0;
	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(r, "begin");
	while (!rc && (len = getline(&r->line, &r->cap, r->in)) > 0) {
		if ((size_t)len > XY_LINE_MAX) {
			fprintf(stderr, "sqlite_ref: line %ld too long\n", r->rows + 2);
			return -1;
		}
		if ((rc = insert_line(r, r->line, (size_t)len)))
			break;
		if (++r->rows % REF_TXN_ROWS == 0 &&
		    sqlite3_exec(r->db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			rc = fail(r, "commit");
	}
	if (!rc && sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(r, "commit");
	return rc;
}

int main(int argc, char **argv)
{
	struct ref r = {0};
	struct stat sb;
	int64_t t0, t1;
	int rc = 1;

	if (argc != 3) {
		fputs("usage: sqlite_ref CSV DB\n", stderr);
		return 2;
	}
	if (stat(argv[2], &sb) == 0) {
		fprintf(stderr, "sqlite_ref: %s exists: the reference needs a fresh file\n",
			argv[2]);
		return 2;
	}
	t0 = xy_now_us();
	if (!(r.in = fopen(argv[1], "r"))) {
		perror(argv[1]);
		return 1;
	}
	if (sqlite3_open(argv[2], &r.db) != SQLITE_OK) {
		fail(&r, "open");
		goto out;
	}
	if (prepare(&r) || load(&r))
		goto out;
	sqlite3_finalize(r.ins);
	r.ins = NULL;
	if (sqlite3_close(r.db) != SQLITE_OK) {
		fail(&r, "close");
		goto out;
	}
	r.db = NULL;
	t1 = xy_now_us();
	printf("rows=%ld seconds=%.3f rows_per_s=%.0f\n", r.rows, (double)(t1 - t0) / 1e6,
	       t1 > t0 ? (double)r.rows * 1e6 / (double)(t1 - t0) : 0.0);
	rc = 0;
out:
	sqlite3_finalize(r.ins);
	sqlite3_close(r.db);
	fclose(r.in);
	free(r.line);
	return rc;
}
