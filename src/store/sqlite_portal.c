/* The portal's store on SQLite: see portal.h.  Separate from the government store
 * (sqlite.c): another file, another schema, no shared statement table. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/portal.h"
#include "util/err.h"
#include "util/log.h"

#define SCHEMA_VERSION 1

/* The index and triggers a snapshot drops while it loads and makes again before its
 * commit (a bulk load then one index build is several times faster than keeping them up
 * row by row: the trigram index above all). */
#define RECORDS_INDEX "CREATE INDEX records_subject ON records(subject, dataset, date);"
#define SUBJECT_TRIGGERS                                                               \
	"CREATE TRIGGER subjects_ai AFTER INSERT ON subjects BEGIN"                    \
	" INSERT INTO subject_fts(rowid, name) VALUES (new.id, new.name); END;"        \
	"CREATE TRIGGER subjects_ad AFTER DELETE ON subjects BEGIN"                    \
	" INSERT INTO subject_fts(subject_fts, rowid, name) VALUES ('delete', old.id," \
	" old.name); END;"                                                             \
	"CREATE TRIGGER subjects_au AFTER UPDATE OF name ON subjects BEGIN"            \
	" INSERT INTO subject_fts(subject_fts, rowid, name) VALUES ('delete', old.id," \
	" old.name); INSERT INTO subject_fts(rowid, name) VALUES (new.id, new.name); END;"

static const char schema[] =
	"CREATE TABLE meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
	"CREATE TABLE subjects(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL,"
	" region_name TEXT NOT NULL);"
	"CREATE VIRTUAL TABLE subject_fts USING fts5(name, content='subjects',"
	" content_rowid='id', tokenize='trigram');" SUBJECT_TRIGGERS
	"CREATE TABLE records(id INTEGER PRIMARY KEY, subject TEXT NOT NULL,"
	" dataset TEXT NOT NULL, date TEXT NOT NULL, display_until TEXT,"
	" objection INTEGER NOT NULL, line TEXT NOT NULL);" RECORDS_INDEX
	"CREATE TABLE sections(id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL,"
	" body TEXT NOT NULL, unit TEXT NOT NULL, updated TEXT NOT NULL,"
	" period_days INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE tickets(ticket TEXT PRIMARY KEY, check_hash TEXT NOT NULL,"
	" kind TEXT NOT NULL, status TEXT NOT NULL, updated TEXT NOT NULL, reply TEXT)"
	" WITHOUT ROWID;"
	"CREATE TABLE own_tickets(ticket TEXT PRIMARY KEY, check_hash TEXT NOT NULL,"
	" kind TEXT NOT NULL, record INTEGER NOT NULL, submitted TEXT NOT NULL,"
	" seq INTEGER NOT NULL UNIQUE) WITHOUT ROWID;"
	"CREATE TABLE changesets(seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" created TEXT NOT NULL, platform TEXT NOT NULL, lines INTEGER NOT NULL,"
	" file TEXT NOT NULL, applied TEXT NOT NULL);"
	"CREATE TABLE alarms(id INTEGER PRIMARY KEY, at TEXT NOT NULL, file TEXT NOT NULL,"
	" reason TEXT NOT NULL);"
	"INSERT INTO meta VALUES ('schema', 1), ('sub_seq', 0);";

/* A snapshot: without the index and triggers, everything it replaces removed (a DELETE
 * without triggers is a truncation). */
static const char snapshot_begin[] =
	"DROP TRIGGER subjects_ai; DROP TRIGGER subjects_ad; DROP TRIGGER subjects_au;"
	" DROP INDEX records_subject;"
	" DELETE FROM records; DELETE FROM subjects; DELETE FROM sections; DELETE FROM tickets;";
/* ...and before its commit, the index built once and the name index rebuilt from
 * subjects. */
static const char snapshot_end[] =
	RECORDS_INDEX " INSERT INTO subject_fts(subject_fts) VALUES ('rebuild');" SUBJECT_TRIGGERS;

enum {
	S_SUBJECT_UPSERT,
	S_RECORD_UPSERT,
	S_RECORD_DELETE,
	S_SUBJECT_DELETE,
	S_SUBJECT_RECORDS_DELETE,
	S_SECTION_UPSERT,
	S_SECTION_DELETE,
	S_TICKET_UPSERT,
	S_CHANGESET_INSERT,
	S_ALARM_INSERT,
	S_STATE,
	S_SUBJECT_GET,
	S_SEARCH_CODE,
	S_SEARCH_FTS,
	S_SEARCH_SCAN,
	S_RECORDS,
	S_RECORD_GET,
	S_SECTIONS,
	S_TICKET_GET,
	S_OWN_GET,
	S_OWN_SEQ,
	S_OWN_INSERT,
	S_OWN_SEQ_SET,
	S__COUNT
};

static const char *const sql[S__COUNT] = {
	[S_SUBJECT_UPSERT] =
		"INSERT INTO subjects(code, kind, name, region, region_name)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(code) DO UPDATE SET"
		" kind = excluded.kind, name = excluded.name, region = excluded.region,"
		" region_name = excluded.region_name",
	[S_RECORD_UPSERT] = "INSERT OR REPLACE INTO records(id, subject, dataset, date,"
			    " display_until, objection, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_RECORD_DELETE] = "DELETE FROM records WHERE id = ?1",
	[S_SUBJECT_DELETE] = "DELETE FROM subjects WHERE code = ?1",
	[S_SUBJECT_RECORDS_DELETE] = "DELETE FROM records WHERE subject = ?1",
	[S_SECTION_UPSERT] = "INSERT OR REPLACE INTO sections VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SECTION_DELETE] = "DELETE FROM sections WHERE id = ?1",
	[S_TICKET_UPSERT] = "INSERT OR REPLACE INTO tickets VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_CHANGESET_INSERT] = "INSERT INTO changesets VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
			       " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
	[S_ALARM_INSERT] = "INSERT INTO alarms(at, file, reason) VALUES"
			   " (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2)",
	[S_STATE] = "SELECT (SELECT seq FROM changesets ORDER BY seq DESC LIMIT 1),"
		    " (SELECT created FROM changesets ORDER BY seq DESC LIMIT 1),"
		    " (SELECT platform FROM changesets ORDER BY seq DESC LIMIT 1),"
		    " (SELECT count(*) FROM alarms), (SELECT max(at) FROM alarms)",
	[S_SUBJECT_GET] = "SELECT code, kind, name, region, region_name FROM subjects"
			  " WHERE code = ?1",
	[S_SEARCH_CODE] = "SELECT code, kind, name, region, region_name FROM subjects"
			  " WHERE code >= ?1 AND code < ?2 AND kind = 'legal' ORDER BY code"
			  " LIMIT ?3 OFFSET ?4",
	[S_SEARCH_FTS] = "SELECT s.code, s.kind, s.name, s.region, s.region_name"
			 " FROM subject_fts JOIN subjects s ON s.id = subject_fts.rowid"
			 " WHERE subject_fts MATCH '\"' || replace(?1, '\"', '\"\"') || '\"'"
			 " AND s.kind = 'legal' ORDER BY subject_fts.rowid LIMIT ?2 OFFSET ?3",
	[S_SEARCH_SCAN] = "SELECT code, kind, name, region, region_name FROM subjects"
			  " WHERE instr(name, ?1) > 0 AND kind = 'legal' ORDER BY id"
			  " LIMIT ?2 OFFSET ?3",
	[S_RECORDS] = "SELECT id, dataset, subject, date, display_until, objection, line"
		      " FROM records WHERE subject = ?1 AND (display_until IS NULL OR"
		      " display_until >= ?2) ORDER BY dataset, date DESC, id DESC LIMIT ?3",
	[S_RECORD_GET] = "SELECT id, dataset, subject, date, display_until, objection, line"
			 " FROM records WHERE id = ?1 AND (display_until IS NULL OR"
			 " display_until >= ?2)",
	[S_SECTIONS] = "SELECT id, kind, title, body, unit, updated, period_days FROM sections"
		       " ORDER BY updated DESC, id",
	[S_TICKET_GET] = "SELECT kind, status, updated, check_hash, reply, 0 FROM tickets"
			 " WHERE ticket = ?1 UNION ALL SELECT kind, 'pending', submitted,"
			 " check_hash, NULL, record FROM own_tickets WHERE ticket = ?1",
	[S_OWN_GET] = "SELECT 1 FROM own_tickets WHERE ticket = ?1",
	[S_OWN_SEQ] = "SELECT v FROM meta WHERE k = 'sub_seq'",
	[S_OWN_INSERT] = "INSERT INTO own_tickets VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_OWN_SEQ_SET] = "UPDATE meta SET v = ?1 WHERE k = 'sub_seq'",
};

struct xy_pstore {
	sqlite3 *db;
	sqlite3_stmt *st[S__COUNT];
	int snapshot; /* applying a snapshot: index and triggers are off until the commit */
	char path[4096];
};

static int fail(struct xy_pstore *s, const char *what)
{
	xy_log_error("public.db: %s: %s", what, sqlite3_errmsg(s->db));
	return XY_ESTORE;
}

static int exec(struct xy_pstore *s, const char *q)
{
	char *e = NULL;
	if (sqlite3_exec(s->db, q, NULL, NULL, &e) != SQLITE_OK) {
		xy_log_error("public.db: %s", e ? e : sqlite3_errmsg(s->db));
		sqlite3_free(e);
		return XY_ESTORE;
	}
	return 0;
}

static sqlite3_stmt *stmt(struct xy_pstore *s, int i)
{
	sqlite3_stmt *st = s->st[i];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int xy_pstore_open(const char *path, int create, struct xy_pstore **out, char *err, size_t errlen)
{
	struct xy_pstore *s;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	*out = NULL;
	if (create && access(path, F_OK) == 0) {
		snprintf(err, errlen, "%s exists already", path);
		return XY_EEXISTS;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return XY_ENOMEM;
	snprintf(s->path, sizeof s->path, "%s", path);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 1);
	if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		    " PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"))
		goto fail_msg;
	if (create && exec(s, schema))
		goto fail_msg;
	for (int i = 0; i < S__COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK)
			goto fail_msg;
	*out = s;
	return 0;
fail_msg:
	snprintf(err, errlen, "%s: %s (not a portal store?)", path, sqlite3_errmsg(s->db));
fail:
	xy_pstore_close(s);
	return XY_ESTORE;
}

void xy_pstore_close(struct xy_pstore *s)
{
	if (!s)
		return;
	for (int i = 0; i < S__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(out, n, "%s", t ? (const char *)t : "");
}

int xy_pstore_state(struct xy_pstore *s, struct xy_pstate *st)
{
	sqlite3_stmt *q = stmt(s, S_STATE);
	memset(st, 0, sizeof *st);
	if (sqlite3_step(q) != SQLITE_ROW)
		return fail(s, "state");
	st->seq = sqlite3_column_int64(q, 0);
	copy_col(q, 1, st->created, sizeof st->created);
	copy_col(q, 2, st->platform, sizeof st->platform);
	st->alarms = sqlite3_column_int64(q, 3);
	copy_col(q, 4, st->last_alarm, sizeof st->last_alarm);
	sqlite3_reset(q);
	return 0;
}

/* ---- apply ---- */

/* A change set is one transaction: with SQLite's default page cache (2 MiB) a big one
 * spills its dirty pages to the WAL midway and reads them back from there; a larger
 * cache while applying keeps them in memory until the commit.  Constant text, no value. */
#define STR_(x)		    #x
#define STR(x)		    STR_(x)
#define APPLY_CACHE_PRAGMA  "PRAGMA cache_size = -" STR(XY_PORTAL_APPLY_CACHE_KB)
#define NORMAL_CACHE_PRAGMA "PRAGMA cache_size = -2000"

int xy_pstore_apply_begin(struct xy_pstore *s, int snapshot)
{
	if (exec(s, APPLY_CACHE_PRAGMA) || exec(s, "BEGIN IMMEDIATE"))
		return XY_ESTORE;
	s->snapshot = snapshot;
	if (snapshot && exec(s, snapshot_begin)) {
		xy_pstore_rollback(s);
		return XY_ESTORE;
	}
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int run(struct xy_pstore *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(s, what);
}

int xy_pstore_apply_line(struct xy_pstore *s, const struct xy_csline *l, const char *line, size_t n)
{
	sqlite3_stmt *st;
	switch (l->op) {
	case XY_CS_SUBJECT:
		st = stmt(s, S_SUBJECT_UPSERT);
		bind_text(st, 1, l->code);
		bind_text(st, 2, l->kind);
		bind_text(st, 3, l->name);
		bind_text(st, 4, l->region);
		bind_text(st, 5, l->region_name);
		return run(s, st, "subject");
	case XY_CS_RECORD:
		st = stmt(s, S_RECORD_UPSERT);
		sqlite3_bind_int64(st, 1, l->id);
		bind_text(st, 2, l->subject);
		bind_text(st, 3, l->dataset);
		bind_text(st, 4, l->date);
		bind_text(st, 5, l->display_until);
		sqlite3_bind_int(st, 6, l->objection);
		sqlite3_bind_text(st, 7, line, (int)n, SQLITE_STATIC);
		return run(s, st, "record");
	case XY_CS_REMOVE:
		st = stmt(s, S_RECORD_DELETE);
		sqlite3_bind_int64(st, 1, l->id);
		return run(s, st, "remove");
	case XY_CS_SUBJECT_REMOVE:
		st = stmt(s, S_SUBJECT_RECORDS_DELETE);
		bind_text(st, 1, l->code);
		if (run(s, st, "subject_remove"))
			return XY_ESTORE;
		st = stmt(s, S_SUBJECT_DELETE);
		bind_text(st, 1, l->code);
		return run(s, st, "subject_remove");
	case XY_CS_SECTION:
		st = stmt(s, S_SECTION_UPSERT);
		bind_text(st, 1, l->sid);
		bind_text(st, 2, l->kind);
		bind_text(st, 3, l->title);
		bind_text(st, 4, l->body);
		bind_text(st, 5, l->unit);
		bind_text(st, 6, l->updated);
		sqlite3_bind_int64(st, 7, l->period_days);
		return run(s, st, "section");
	case XY_CS_SECTION_REMOVE:
		st = stmt(s, S_SECTION_DELETE);
		bind_text(st, 1, l->sid);
		return run(s, st, "section_remove");
	case XY_CS_TICKET:
		st = stmt(s, S_TICKET_UPSERT);
		bind_text(st, 1, l->ticket);
		bind_text(st, 2, l->check);
		bind_text(st, 3, l->kind);
		bind_text(st, 4, l->status);
		bind_text(st, 5, l->updated);
		bind_text(st, 6, l->reply);
		return run(s, st, "ticket");
	}
	return XY_EINVAL;
}

int xy_pstore_apply_commit(struct xy_pstore *s, long long seq, int snapshot, const char *created,
			   const char *platform, long lines, const char *file)
{
	sqlite3_stmt *st;
	if (s->snapshot && exec(s, snapshot_end)) {
		xy_pstore_rollback(s);
		return XY_ESTORE;
	}
	st = stmt(s, S_CHANGESET_INSERT);
	sqlite3_bind_int64(st, 1, seq);
	bind_text(st, 2, snapshot ? "snapshot" : "delta");
	bind_text(st, 3, created);
	bind_text(st, 4, platform);
	sqlite3_bind_int64(st, 5, lines);
	bind_text(st, 6, file);
	/* one durable commit per change set (synchronous=FULL) */
	if (run(s, st, "change-set log") || exec(s, "COMMIT")) {
		xy_pstore_rollback(s);
		return XY_ESTORE;
	}
	s->snapshot = 0;
	(void)exec(s, NORMAL_CACHE_PRAGMA); /* gives the apply cache back */
	return 0;
}

void xy_pstore_rollback(struct xy_pstore *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)exec(s, "ROLLBACK"); /* the index and triggers of a snapshot come back too */
	s->snapshot = 0;
	(void)exec(s, NORMAL_CACHE_PRAGMA);
}

int xy_pstore_alarm(struct xy_pstore *s, const char *file, const char *reason)
{
	sqlite3_stmt *st = stmt(s, S_ALARM_INSERT);
	bind_text(st, 1, file);
	bind_text(st, 2, reason);
	return run(s, st, "alarm");
}

/* ---- reads ---- */

static void subject_row(sqlite3_stmt *q, struct xy_psubject *o)
{
	copy_col(q, 0, o->code, sizeof o->code);
	copy_col(q, 1, o->kind, sizeof o->kind);
	copy_col(q, 2, o->name, sizeof o->name);
	copy_col(q, 3, o->region, sizeof o->region);
	copy_col(q, 4, o->region_name, sizeof o->region_name);
}

int xy_pstore_subject(struct xy_pstore *s, const char *code, struct xy_psubject *out)
{
	sqlite3_stmt *q = stmt(s, S_SUBJECT_GET);
	int rc;
	bind_text(q, 1, code);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		subject_row(q, out);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : fail(s, "subject");
}

static int code_query(const char *q)
{
	if (!*q)
		return 0;
	for (; *q; q++)
		if (!((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z')))
			return 0;
	return 1;
}

static int each_subject(struct xy_pstore *s, sqlite3_stmt *q, xy_psubject_cb cb, void *arg,
			int *more)
{
	struct xy_psubject sj;
	int rc, n = 0, cbrc = 0;
	*more = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (++n > XY_PORTAL_PAGE) {
			*more = 1;
			break;
		}
		subject_row(q, &sj);
		if ((cbrc = cb(arg, &sj)))
			break;
	}
	sqlite3_reset(q);
	if (cbrc)
		return cbrc;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, "search");
}

int xy_pstore_search(struct xy_pstore *s, const char *text, int page, xy_psubject_cb cb, void *arg,
		     int *more)
{
	sqlite3_stmt *q;
	int offset = page * XY_PORTAL_PAGE, rc;
	*more = 0;
	if (code_query(text)) {
		char hi[XY_PORTAL_QUERY_MAX + 2];
		snprintf(hi, sizeof hi, "%s\x7f", text);
		q = stmt(s, S_SEARCH_CODE);
		bind_text(q, 1, text);
		sqlite3_bind_text(q, 2, hi, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 3, XY_PORTAL_PAGE + 1);
		sqlite3_bind_int(q, 4, offset);
		rc = each_subject(s, q, cb, arg, more);
		if (rc || page > 0 || *more)
			return rc;
		/* nothing by code on the first page may still be a name ("ABC商贸") */
		q = stmt(s, S_SEARCH_CODE);
		bind_text(q, 1, text);
		sqlite3_bind_text(q, 2, hi, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 3, 1);
		sqlite3_bind_int(q, 4, 0);
		if (sqlite3_step(q) == SQLITE_ROW) {
			sqlite3_reset(q);
			return 0;
		}
		sqlite3_reset(q);
	}
	{
		/* characters, not bytes: three or more use the trigram index */
		size_t chars = 0;
		for (const char *p = text; *p; p++)
			chars += ((unsigned char)*p & 0xC0) != 0x80;
		q = stmt(s, chars >= 3 ? S_SEARCH_FTS : S_SEARCH_SCAN);
	}
	bind_text(q, 1, text);
	sqlite3_bind_int(q, 2, XY_PORTAL_PAGE + 1);
	sqlite3_bind_int(q, 3, offset);
	return each_subject(s, q, cb, arg, more);
}

static int each_record(struct xy_pstore *s, sqlite3_stmt *q, xy_precord_cb cb, void *arg, int *n)
{
	int rc, cbrc = 0;
	*n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct xy_precord r;
		r.id = sqlite3_column_int64(q, 0);
		r.dataset = (const char *)sqlite3_column_text(q, 1);
		r.subject = (const char *)sqlite3_column_text(q, 2);
		r.date = (const char *)sqlite3_column_text(q, 3);
		r.display_until = (const char *)sqlite3_column_text(q, 4);
		r.objection = sqlite3_column_int(q, 5);
		r.line = (const char *)sqlite3_column_text(q, 6);
		r.len = (size_t)sqlite3_column_bytes(q, 6);
		(*n)++;
		if ((cbrc = cb(arg, &r)))
			break;
	}
	sqlite3_reset(q);
	if (cbrc)
		return cbrc;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, "records");
}

int xy_pstore_records(struct xy_pstore *s, const char *code, const char *today, xy_precord_cb cb,
		      void *arg)
{
	sqlite3_stmt *q = stmt(s, S_RECORDS);
	int n;
	bind_text(q, 1, code);
	bind_text(q, 2, today);
	sqlite3_bind_int(q, 3, XY_PORTAL_RECORDS_MAX);
	return each_record(s, q, cb, arg, &n);
}

int xy_pstore_record(struct xy_pstore *s, long long id, const char *today, xy_precord_cb cb,
		     void *arg)
{
	sqlite3_stmt *q = stmt(s, S_RECORD_GET);
	int n, rc;
	sqlite3_bind_int64(q, 1, id);
	bind_text(q, 2, today);
	rc = each_record(s, q, cb, arg, &n);
	return rc ? rc : n ? 0 : XY_ENOTFOUND;
}

int xy_pstore_sections(struct xy_pstore *s, xy_psection_cb cb, void *arg)
{
	sqlite3_stmt *q = stmt(s, S_SECTIONS);
	int rc, cbrc = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct xy_psection sec;
		sec.id = (const char *)sqlite3_column_text(q, 0);
		sec.kind = (const char *)sqlite3_column_text(q, 1);
		sec.title = (const char *)sqlite3_column_text(q, 2);
		sec.body = (const char *)sqlite3_column_text(q, 3);
		sec.unit = (const char *)sqlite3_column_text(q, 4);
		sec.updated = (const char *)sqlite3_column_text(q, 5);
		sec.period_days = (long)sqlite3_column_int64(q, 6);
		if ((cbrc = cb(arg, &sec)))
			break;
	}
	sqlite3_reset(q);
	if (cbrc)
		return cbrc;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, "sections");
}

int xy_pstore_ticket(struct xy_pstore *s, const char *ticket, struct xy_pticket *out)
{
	sqlite3_stmt *q = stmt(s, S_TICKET_GET);
	int rc;
	memset(out, 0, sizeof *out);
	bind_text(q, 1, ticket);
	rc = sqlite3_step(q); /* the change sets' state comes first */
	if (rc == SQLITE_ROW) {
		copy_col(q, 0, out->kind, sizeof out->kind);
		copy_col(q, 1, out->status, sizeof out->status);
		copy_col(q, 2, out->updated, sizeof out->updated);
		copy_col(q, 3, out->check, sizeof out->check);
		copy_col(q, 4, out->reply, sizeof out->reply);
		out->record = sqlite3_column_int64(q, 5);
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : fail(s, "ticket");
}

int xy_pstore_own_begin(struct xy_pstore *s, const char *ticket, const char *check,
			const char *kind, long long record, const char *submitted, long long *seq)
{
	sqlite3_stmt *q;
	int rc;
	if (exec(s, "BEGIN IMMEDIATE"))
		return XY_ESTORE;
	q = stmt(s, S_OWN_GET);
	bind_text(q, 1, ticket);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		xy_pstore_rollback(s);
		return rc == SQLITE_ROW ? XY_EEXISTS : fail(s, "own ticket");
	}
	q = stmt(s, S_OWN_SEQ);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		xy_pstore_rollback(s);
		return fail(s, "submission sequence");
	}
	*seq = sqlite3_column_int64(q, 0) + 1;
	sqlite3_reset(q);
	q = stmt(s, S_OWN_INSERT);
	bind_text(q, 1, ticket);
	bind_text(q, 2, check);
	bind_text(q, 3, kind);
	sqlite3_bind_int64(q, 4, record);
	bind_text(q, 5, submitted);
	sqlite3_bind_int64(q, 6, *seq);
	if (run(s, q, "own ticket")) {
		xy_pstore_rollback(s);
		return XY_ESTORE;
	}
	q = stmt(s, S_OWN_SEQ_SET);
	sqlite3_bind_int64(q, 1, *seq);
	if (run(s, q, "submission sequence")) {
		xy_pstore_rollback(s);
		return XY_ESTORE;
	}
	return 0;
}

int xy_pstore_own_commit(struct xy_pstore *s)
{
	if (exec(s, "COMMIT")) {
		xy_pstore_rollback(s);
		return XY_ESTORE;
	}
	return 0;
}
