/* The SQLite engine of the store: one file, WAL, numbered migrations,
 * prepared statements kept per handle. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/catalog.h"
#include "core/row.h"
#include "store/sqlite_int.h"
#include "store/store.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

/* ---- migrations: append only; never edit one that has shipped ---- */

static const char *const migrations[] = {
	/* 1: instance, regions, units, catalog, accounts, batches, subjects,
	 * records, audit events. */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" level TEXT NOT NULL CHECK (level IN ('city','county')),"
	" parent TEXT REFERENCES regions(code));"
	"CREATE TABLE units(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL, region TEXT NOT NULL REFERENCES regions(code),"
	" kind TEXT NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE unit_datasets(unit_id INTEGER NOT NULL REFERENCES units(id),"
	" dataset TEXT NOT NULL, PRIMARY KEY (unit_id, dataset)) WITHOUT ROWID;"
	"CREATE TABLE catalogs(version INTEGER PRIMARY KEY, doc TEXT NOT NULL,"
	" sm3 BLOB NOT NULL, active INTEGER NOT NULL, loaded_at INTEGER NOT NULL);"
	"CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" real_name TEXT NOT NULL, idnum_bidx BLOB UNIQUE, idnum_sealed BLOB,"
	" unit_id INTEGER NOT NULL REFERENCES units(id), status TEXT NOT NULL,"
	" pw_hash TEXT NOT NULL, must_change INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL, end_date INTEGER);"
	"CREATE TABLE account_roles(account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" role TEXT NOT NULL, scope TEXT, granted_at INTEGER NOT NULL,"
	" granted_by INTEGER, PRIMARY KEY (account_id, role));"
	"CREATE TABLE subjects(id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('legal','natural')),"
	" code TEXT, code_type TEXT, name TEXT, bidx BLOB UNIQUE, region TEXT,"
	" created_at INTEGER NOT NULL, UNIQUE (code_type, code));"
	"CREATE TABLE batches(id INTEGER PRIMARY KEY, dataset TEXT NOT NULL,"
	" unit_id INTEGER NOT NULL REFERENCES units(id), account TEXT NOT NULL,"
	" file_name TEXT NOT NULL, file_size INTEGER NOT NULL, file_sm3 BLOB,"
	" format TEXT NOT NULL,"
	" encoding TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('loading','done','failed')),"
	" rows_total INTEGER NOT NULL DEFAULT 0, accepted INTEGER NOT NULL DEFAULT 0,"
	" rejected INTEGER NOT NULL DEFAULT 0, report TEXT,"
	" started_at INTEGER NOT NULL, finished_at INTEGER);"
	"CREATE UNIQUE INDEX batches_digest ON batches(file_sm3) WHERE state <> 'failed';"
	"CREATE TABLE records(id INTEGER PRIMARY KEY, dataset TEXT NOT NULL,"
	" unit_id INTEGER NOT NULL, batch_id INTEGER NOT NULL, row_no INTEGER NOT NULL,"
	" subject_id INTEGER NOT NULL, rkey BLOB NOT NULL, row_sm3 BLOB NOT NULL,"
	" submitted_at INTEGER NOT NULL, valid_until INTEGER, display_until INTEGER,"
	" status TEXT NOT NULL DEFAULT 'active', clear TEXT NOT NULL, sealed BLOB);"
	"CREATE UNIQUE INDEX records_key ON records(dataset, unit_id, rkey);"
	"CREATE INDEX records_subject ON records(subject_id);"
	"CREATE TABLE audit_events(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
	" zone TEXT NOT NULL, client TEXT, agent TEXT, account TEXT, real_name TEXT,"
	" unit TEXT, action TEXT NOT NULL, object TEXT, purpose TEXT, grant_ref TEXT,"
	" result TEXT NOT NULL, reason TEXT, hash BLOB NOT NULL);",
	/* 2: the life of an account (ACC-1..10), incidents (ACC-9). */
	"ALTER TABLE accounts ADD COLUMN pw_changed_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE accounts ADD COLUMN last_login_at INTEGER;"
	"ALTER TABLE accounts ADD COLUMN fail_count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE accounts ADD COLUMN fail_first_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE accounts ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE accounts ADD COLUMN totp_sealed BLOB;"
	"ALTER TABLE accounts ADD COLUMN totp_pending BLOB;"
	"ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE accounts ADD COLUMN sm2_pub TEXT;"
	"ALTER TABLE accounts ADD COLUMN sm2_pending TEXT;"
	"ALTER TABLE accounts ADD COLUMN training_on INTEGER;"
	"ALTER TABLE accounts ADD COLUMN training_note TEXT;"
	"ALTER TABLE accounts ADD COLUMN agreement_on INTEGER;"
	"ALTER TABLE accounts ADD COLUMN agreement_ref TEXT;"
	"ALTER TABLE accounts ADD COLUMN status_reason TEXT;"
	"ALTER TABLE accounts ADD COLUMN status_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE accounts ADD COLUMN created_by INTEGER;"
	"CREATE TABLE password_history(account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" pw_hash TEXT NOT NULL, set_at INTEGER NOT NULL);"
	"CREATE INDEX password_history_account ON password_history(account_id, set_at);"
	"CREATE TABLE handovers(id INTEGER PRIMARY KEY,"
	" account_id INTEGER NOT NULL REFERENCES accounts(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('transfer','leave')), from_unit INTEGER NOT NULL,"
	" to_unit INTEGER, note TEXT NOT NULL, by_account INTEGER NOT NULL,"
	" at INTEGER NOT NULL);"
	"CREATE TABLE incidents(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" account_id INTEGER REFERENCES accounts(id), reported_by INTEGER NOT NULL,"
	" note TEXT NOT NULL, opened_at INTEGER NOT NULL, report_due INTEGER NOT NULL,"
	" closed_at INTEGER, report TEXT);",
	/* 3: use agreements (SHR-5): a unit may query a dataset for a purpose
	 * from valid_from to valid_to (China day numbers) until ended. */
	"CREATE TABLE agreements(id INTEGER PRIMARY KEY,"
	" unit_id INTEGER NOT NULL REFERENCES units(id), document TEXT NOT NULL,"
	" valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,"
	" created_by INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	" ended_at INTEGER, ended_by INTEGER, end_reason TEXT,"
	" CHECK (valid_from <= valid_to));"
	"CREATE INDEX agreements_unit ON agreements(unit_id);"
	"CREATE TABLE agreement_lines(agreement_id INTEGER NOT NULL REFERENCES agreements(id),"
	" dataset TEXT NOT NULL, purpose TEXT NOT NULL,"
	" PRIMARY KEY (agreement_id, dataset, purpose)) WITHOUT ROWID;",
	/* 4: finding subjects (SHR): by code whatever its type, and by name
	 * through a contentless FTS5 trigram index that the server fills from
	 * new subjects after imports (meta subject_names_upto). */
	"CREATE INDEX subjects_code ON subjects(code) WHERE code IS NOT NULL;"
	"CREATE VIRTUAL TABLE subject_names USING fts5(name, content='',"
	" tokenize='trigram');",
	/* 5: requests and their approval (a small core that the Approvals
	 * issue generalises), and the grants an approved authorisation gives
	 * (SHR-3, SOD-4). */
	"CREATE TABLE requests(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('submitted','approved','rejected','revoked')),"
	" requester INTEGER NOT NULL REFERENCES accounts(id),"
	" requester_unit INTEGER NOT NULL REFERENCES units(id),"
	" approver_unit INTEGER NOT NULL REFERENCES units(id),"
	" payload TEXT NOT NULL, reason TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" decided_by INTEGER, decided_at INTEGER, decision_note TEXT);"
	"CREATE INDEX requests_requester_unit ON requests(requester_unit, id);"
	"CREATE INDEX requests_approver_unit ON requests(approver_unit, id);"
	"CREATE TABLE request_subjects(request_id INTEGER NOT NULL REFERENCES requests(id),"
	" subject_id INTEGER NOT NULL, PRIMARY KEY (request_id, subject_id)) WITHOUT ROWID;"
	"CREATE TABLE grants(id INTEGER PRIMARY KEY,"
	" request_id INTEGER NOT NULL REFERENCES requests(id),"
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" provider_unit_id INTEGER NOT NULL REFERENCES units(id),"
	" dataset TEXT NOT NULL, purpose TEXT NOT NULL, subject_id INTEGER NOT NULL,"
	" clear INTEGER NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,"
	" revoked_at INTEGER, revoked_by INTEGER, revoke_reason TEXT,"
	" CHECK (start_at < end_at));"
	"CREATE INDEX grants_unit ON grants(unit_id, purpose, subject_id);"
	"CREATE INDEX grants_request ON grants(request_id);",
	/* 6: machine clients of the data API (SHR-6): credentials of another
	 * government system, bound to a unit and some of its agreements, with
	 * an address allow-list, a rate and a daily quota; and their usage per
	 * China day (the quota survives a restart). */
	"CREATE TABLE clients(id INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL, unit_id INTEGER NOT NULL REFERENCES units(id),"
	" secret_hash BLOB NOT NULL, allow TEXT NOT NULL, rate INTEGER NOT NULL,"
	" daily_quota INTEGER NOT NULL, agreements TEXT NOT NULL, valid_to INTEGER NOT NULL,"
	" created_by INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	" revoked_at INTEGER, revoked_by INTEGER, revoke_reason TEXT);"
	"CREATE TABLE client_usage(client INTEGER NOT NULL REFERENCES clients(id),"
	" day INTEGER NOT NULL, used INTEGER NOT NULL,"
	" PRIMARY KEY (client, day)) WITHOUT ROWID;",
	/* 7: exports (SHR-7): an approved extraction request is downloaded
	 * once; the row says by whom, when, how many rows, and the file's SM3. */
	"CREATE TABLE exports(request_id INTEGER PRIMARY KEY REFERENCES requests(id),"
	" account INTEGER NOT NULL REFERENCES accounts(id), downloaded_at INTEGER NOT NULL,"
	" rows INTEGER NOT NULL, bytes INTEGER NOT NULL, sm3 BLOB NOT NULL);",
	/* 8: the audit trail is append-only (AUD-4): no event is ever changed,
	 * and only events older than the retention job's recorded cut-off go,
	 * in the job's own transaction, which moves the cut-off forward first.
	 * (Guards against the application's own mistakes; a change behind its
	 * back is what the chain and the signed checkpoints catch.) */
	"CREATE TABLE audit_retention(id INTEGER PRIMARY KEY CHECK (id = 1),"
	" through_seq INTEGER NOT NULL, cutoff_us INTEGER NOT NULL);"
	"INSERT INTO audit_retention VALUES (1, 0, 0);"
	"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN"
	" SELECT RAISE(ABORT, 'audit events are never changed (AUD-4)'); END;"
	"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events"
	" WHEN old.seq > (SELECT through_seq FROM audit_retention)"
	" OR old.ts >= (SELECT cutoff_us FROM audit_retention) BEGIN"
	" SELECT RAISE(ABORT, 'audit events are removed only by the retention job (AUD-4)');"
	" END;"
	"CREATE TRIGGER audit_retention_forward BEFORE UPDATE ON audit_retention"
	" WHEN new.through_seq < old.through_seq OR new.cutoff_us < old.cutoff_us BEGIN"
	" SELECT RAISE(ABORT, 'the retention cut-off only moves forward'); END;"
	"CREATE TRIGGER audit_retention_kept BEFORE DELETE ON audit_retention BEGIN"
	" SELECT RAISE(ABORT, 'the retention record stays'); END;",
	/* 9: row tags (CRY-2): an HMAC-SM3 tag and the id of its row key on
	 * records, accounts (their roles folded in), agreements (their lines
	 * folded in), grants and clients (sqlite_tag.c).  SQL cannot compute
	 * them: rows already there are tagged once, audited, when the instance
	 * is next opened (meta row_tags_backfill); a store created after this
	 * migration has no such mark, and an untagged row is a tampered one. */
	"ALTER TABLE records ADD COLUMN tag BLOB;"
	"ALTER TABLE records ADD COLUMN tag_key INTEGER;"
	"ALTER TABLE accounts ADD COLUMN tag BLOB;"
	"ALTER TABLE accounts ADD COLUMN tag_key INTEGER;"
	"ALTER TABLE agreements ADD COLUMN tag BLOB;"
	"ALTER TABLE agreements ADD COLUMN tag_key INTEGER;"
	"ALTER TABLE grants ADD COLUMN tag BLOB;"
	"ALTER TABLE grants ADD COLUMN tag_key INTEGER;"
	"ALTER TABLE clients ADD COLUMN tag BLOB;"
	"ALTER TABLE clients ADD COLUMN tag_key INTEGER;"
	"INSERT INTO meta(key, value) SELECT 'row_tags_backfill', 'pending'"
	" WHERE EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM records)"
	" OR EXISTS (SELECT 1 FROM agreements) OR EXISTS (SELECT 1 FROM grants)"
	" OR EXISTS (SELECT 1 FROM clients);",
	/* 10: publishing to the portal (NET-1, POR-2): what the portal holds
	 * now, object by object (the SM3 of the line last sent for it), and
	 * every change set written (sqlite_publish.c). */
	"CREATE TABLE published(kind TEXT NOT NULL, id TEXT NOT NULL, sm3 BLOB NOT NULL,"
	" PRIMARY KEY (kind, id)) WITHOUT ROWID;"
	"CREATE TABLE publications(seq INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('snapshot','delta')),"
	" created_at INTEGER NOT NULL, file TEXT NOT NULL, bytes INTEGER NOT NULL,"
	" sm3 BLOB NOT NULL, lines INTEGER NOT NULL, records INTEGER NOT NULL,"
	" removals INTEGER NOT NULL);",
	/* 11: portals whose signed submissions are taken (their public keys and the
	 * last file taken from each), and the cases they open: objections and credit
	 * repair applications (POR-3).  The submitter's name, contact and reason are
	 * sealed (CRY-1); the check code is kept only as a digest. */
	"CREATE TABLE portals(key_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" pem TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0,"
	" registered_at INTEGER NOT NULL);"
	"CREATE TABLE cases(id INTEGER PRIMARY KEY, ticket TEXT NOT NULL UNIQUE,"
	" check_sm3 TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('objection','repair')),"
	" record_id INTEGER NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL,"
	" portal TEXT NOT NULL, file_seq INTEGER NOT NULL, submitted TEXT NOT NULL,"
	" received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, unit_id INTEGER NOT NULL,"
	" reply TEXT, sealed BLOB);"
	"CREATE INDEX cases_record ON cases(record_id);",
	/* 12: sections (POR-5) */
	/* Portal sections: notices (通知公告) and policy pages (政策法规),
	 * each with its responsible unit and update period, published to the
	 * portal by the change sets.  A removed section keeps its row (who
	 * removed it and when); its id may be used again.  Not row-tagged:
	 * nothing in it grants access, and all of it is published. */
	"CREATE TABLE sections(id TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('notice','policy')),"
	" title TEXT NOT NULL, body TEXT NOT NULL,"
	" unit_id INTEGER NOT NULL REFERENCES units(id),"
	" period_days INTEGER NOT NULL CHECK (period_days BETWEEN 1 AND 3650),"
	" created_at INTEGER NOT NULL, created_by INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL, updated_by INTEGER NOT NULL,"
	" removed_at INTEGER, removed_by INTEGER);"
	"CREATE INDEX sections_due ON sections(updated_at + period_days * 86400000000)"
	" WHERE removed_at IS NULL;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof *migrations))

/* ---- prepared statements ---- */

enum stmt_id {
	S_META_SET,
	S_META_GET,
	S_META_DEL,
	S_REGION_ADD,
	S_REGION_GET,
	S_REGION_COUNT,
	S_REGION_ALL,
	S_UNIT_ADD,
	S_UNIT_BY_CODE,
	S_UNIT_BY_ID,
	S_PROVIDES_ADD,
	S_PROVIDES,
	S_CATALOG_OFF,
	S_CATALOG_ADD,
	S_CATALOG_ACTIVE,
	S_ACCOUNT_ADD,
	S_ROLE_ADD,
	S_ACCOUNT_COUNT,
	S_BATCH_BY_DIGEST,
	S_BATCH_GET,
	S_BATCH_ADD,
	S_BATCH_FINISH,
	S_BATCH_FAIL,
	S_BATCH_DEL_RECORDS,
	S_BATCH_LOADING,
	S_BATCH_SIZE_SEEN,
	S_SUBJ_LEGAL,
	S_SUBJ_NATURAL,
	S_SUBJ_ADD,
	S_REC_ADD,
	S_REC_DUP,
	S_REC_SCAN,
	S_REC_COUNT,
	S_REC_COUNT_ALL,
	S_SUBJ_COUNT,
	S_AUDIT_HEAD,
	S_AUDIT_ADD,
	S_AUDIT_SCAN,
	S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
	[S_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
		       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_DEL] = "DELETE FROM meta WHERE key = ?1",
	[S_REGION_ADD] = "INSERT INTO regions(code, name, level, parent) VALUES (?1, ?2, ?3, ?4)",
	[S_REGION_GET] = "SELECT code, name, level, parent FROM regions WHERE code = ?1",
	[S_REGION_COUNT] = "SELECT count(*) FROM regions",
	[S_REGION_ALL] = "SELECT code, name, level, coalesce(parent, '') FROM regions"
			 " ORDER BY level = 'county', code",
	[S_UNIT_ADD] = "INSERT INTO units(code, name, region, kind, created_at)"
		       " VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_UNIT_BY_CODE] = "SELECT u.id, u.code, u.name, u.region, r.level, u.kind FROM units u"
			   " JOIN regions r ON r.code = u.region WHERE u.code = ?1",
	[S_UNIT_BY_ID] = "SELECT u.id, u.code, u.name, u.region, r.level, u.kind FROM units u"
			 " JOIN regions r ON r.code = u.region WHERE u.id = ?1",
	[S_PROVIDES_ADD] = "INSERT OR IGNORE INTO unit_datasets(unit_id, dataset) VALUES (?1, ?2)",
	[S_PROVIDES] = "SELECT 1 FROM unit_datasets WHERE unit_id = ?1 AND dataset = ?2",
	[S_CATALOG_OFF] = "UPDATE catalogs SET active = 0 WHERE active = 1",
	[S_CATALOG_ADD] =
		"INSERT INTO catalogs(doc, sm3, active, loaded_at) VALUES (?1, ?2, 1, ?3)",
	[S_CATALOG_ACTIVE] = "SELECT version, doc FROM catalogs WHERE active = 1",
	[S_ACCOUNT_ADD] = "INSERT INTO accounts(name, real_name, unit_id, status, pw_hash,"
			  " must_change, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_ROLE_ADD] = "INSERT INTO account_roles(account_id, role, scope, granted_at, granted_by)"
		       " VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_ACCOUNT_COUNT] = "SELECT count(*) FROM accounts",
	[S_BATCH_BY_DIGEST] = "SELECT id FROM batches WHERE file_sm3 = ?1 AND state <> 'failed'",
	[S_BATCH_GET] = "SELECT id, dataset, unit_id, account, file_name, file_sm3, format,"
			" encoding, state, rows_total, accepted, rejected, coalesce(report, ''),"
			" started_at, coalesce(finished_at, 0) FROM batches WHERE id = ?1",
	[S_BATCH_ADD] = "INSERT INTO batches(dataset, unit_id, account, file_name, file_size,"
			" format, encoding, state, started_at)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'loading', ?8)",
	[S_BATCH_FINISH] = "UPDATE batches SET state = 'done', rows_total = ?2, accepted = ?3,"
			   " rejected = ?4, report = ?5, finished_at = ?6, encoding = ?7,"
			   " file_sm3 = ?8 WHERE id = ?1 AND state = 'loading'",
	[S_BATCH_FAIL] = "UPDATE batches SET state = 'failed', finished_at = ?2 WHERE id = ?1",
	[S_BATCH_DEL_RECORDS] = "DELETE FROM records WHERE id >= ?1 AND id < ?2",
	[S_BATCH_LOADING] = "SELECT id FROM batches WHERE state = 'loading' AND dataset = ?1"
			    " AND unit_id = ?2 ORDER BY id",
	[S_BATCH_SIZE_SEEN] = "SELECT 1 FROM batches WHERE file_size = ?1 AND state <> 'failed'"
			      " LIMIT 1",
	[S_SUBJ_LEGAL] = "SELECT id FROM subjects WHERE code_type = ?1 AND code = ?2",
	[S_SUBJ_NATURAL] = "SELECT id FROM subjects WHERE bidx = ?1",
	[S_SUBJ_ADD] = "INSERT INTO subjects(kind, code, code_type, name, bidx, region, created_at)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_REC_ADD] =
		"INSERT INTO records(id, dataset, unit_id, batch_id, row_no, subject_id, rkey,"
		" row_sm3, submitted_at, valid_until, display_until, clear, sealed, tag, tag_key)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_REC_DUP] = "SELECT batch_id, row_no FROM records WHERE dataset = ?1 AND unit_id = ?2"
		      " AND rkey = ?3",
	[S_REC_SCAN] = "SELECT id, dataset, unit_id, batch_id, row_no, subject_id, row_sm3, clear,"
		       " sealed, status FROM records ORDER BY id",
	[S_REC_COUNT] = "SELECT count(*) FROM records WHERE dataset = ?1",
	[S_REC_COUNT_ALL] = "SELECT count(*) FROM records",
	[S_SUBJ_COUNT] =
		"SELECT coalesce(sum(kind = 'legal'), 0), coalesce(sum(kind = 'natural'), 0)"
		" FROM subjects",
	[S_AUDIT_HEAD] = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
	[S_AUDIT_ADD] =
		"INSERT INTO audit_events(seq, ts, zone, client, agent, account, real_name,"
		" unit, action, object, purpose, grant_ref, result, reason, hash)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[S_AUDIT_SCAN] = "SELECT seq, ts, zone, client, agent, account, real_name, unit, action,"
			 " object, purpose, grant_ref, result, reason, hash FROM audit_events"
			 " WHERE seq >= ?1 ORDER BY seq",
};

/* Bulk loading's checkpointer: a second connection on its own thread copies
 * committed WAL frames into the database (and waits for its fsyncs) while
 * the importing connection goes on writing.  See xy_store_bulk(). */
struct checkpointer {
	sqlite3 *db;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long commits;  /* commits seen by the WAL hook */
	int frames;    /* frames in the WAL after the last commit */
	int at_pass;   /* frames in the WAL when the last pass started */
	int waiting;   /* the importing connection waits for a full pass */
	long asked;    /* commits the checkpointer has started a pass for */
	long caught;   /* every frame up to this commit is in the database */
	int stop, err; /* err: SQLite's code of a failed pass */
};

struct xy_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S__COUNT];
	sqlite3_stmt *ext[XY__SQL_EXT_MAX]; /* the other files' statements */
	int schema;
	struct checkpointer *ckpt; /* while in bulk mode */
	struct xy_sealer *tagger;  /* row keys (CRY-2), borrowed */
	struct xy_buf tagbuf;	   /* canonical bytes of the row being tagged */
	struct xy_store_tamper tampered[XY_STORE_TAMPER_MAX];
	int ntampered;
};

static int db_error(struct xy_store *st, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	xy_log_error("%s: %s", what, sqlite3_errmsg(st->db));
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return XY_EBUSY;
	if (code == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR || code == SQLITE_READONLY)
		return XY_EIO;
	return XY_ESTORE;
}

/* The statement, reset and ready for binding. */
static sqlite3_stmt *stmt(struct xy_store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	if (!s) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s,
				       NULL) != SQLITE_OK) {
			xy_log_error("prepare: %s", sqlite3_errmsg(st->db));
			return NULL;
		}
		st->stmt[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Runs a statement that returns no rows. */
static int step_done(struct xy_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_CONSTRAINT) {
		int ext = sqlite3_extended_errcode(st->db);
		if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
			return XY_EEXISTS;
		xy_log_error("%s: %s", what, sqlite3_errmsg(st->db));
		return XY_EINVAL;
	}
	return db_error(st, what);
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static int exec(struct xy_store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		xy_log_error("%s", msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return db_error(st, "exec");
	}
	return 0;
}

static int migrate(struct xy_store *st)
{
	sqlite3_stmt *s;
	int version = 0, rc;

	if ((rc = exec(st, "CREATE TABLE IF NOT EXISTS schema_migrations("
			   "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")))
		return rc;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "migrations");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > NMIGRATIONS) {
		xy_log_error("the database has schema %d; this program knows up to %d", version,
			     NMIGRATIONS);
		return XY_ESTORE;
	}
	for (int v = version; v < NMIGRATIONS; v++) { /* applies migration v + 1 */
		if ((rc = exec(st, "BEGIN IMMEDIATE")))
			return rc;
		if ((rc = exec(st, migrations[v])))
			goto fail;
		if (sqlite3_prepare_v2(
			    st->db,
			    "INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)",
			    -1, &s, NULL) != SQLITE_OK) {
			rc = db_error(st, "migrations");
			goto fail;
		}
		sqlite3_bind_int(s, 1, v + 1);
		sqlite3_bind_int64(s, 2, xy_now_us());
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : db_error(st, "migrations");
		sqlite3_finalize(s);
		if (rc || (rc = exec(st, "COMMIT")))
			goto fail;
	}
	st->schema = NMIGRATIONS;
	return 0;
fail:
	exec(st, "ROLLBACK");
	return rc;
}

/* Process-wide SQLite settings, before its first use: no memory statistics
 * (they take a global mutex on every allocation). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int xy_store_open(const char *path, int flags, struct xy_store **out)
{
	struct xy_store *st;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	if (flags & XY_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	st = calloc(1, sizeof *st);
	if (!st)
		return XY_ENOMEM;
	xy_buf_init(&st->tagbuf, XY_TAG_ROW_MAX);
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		xy_log_error("%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
		rc = XY_EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	if ((rc = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			   " PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;"
			   " PRAGMA cache_size=-16384")) ||
	    (rc = migrate(st)))
		goto fail;
	*out = st;
	return 0;
fail:
	xy_store_close(st);
	return rc;
}

static void checkpointer_stop(struct xy_store *st);

void xy_store_close(struct xy_store *st)
{
	if (!st)
		return;
	checkpointer_stop(st);
	for (int i = 0; i < S__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (int i = 0; i < XY__SQL_EXT_MAX; i++)
		sqlite3_finalize(st->ext[i]);
	sqlite3_close(st->db);
	xy_buf_cleanup(&st->tagbuf);
	free(st);
}

int xy_store_schema_version(struct xy_store *st)
{
	return st->schema;
}

/* WAL frames past which the importing connection waits for the checkpointer
 * to catch up, so that its next transaction starts the WAL over: the WAL
 * stays under ~256 MiB whatever the file.  (Smaller means more waits.) */
#define BULK_WAL_FRAMES 65536
/* A pass starts once this many frames were added since the last one:
 * fewer, larger passes copy a page changed by several transactions once. */
#define BULK_PASS_FRAMES 8192
/* Longest such wait: a reader holding an old snapshot keeps frames from
 * being copied; the import then goes on and the WAL grows meanwhile, as it
 * would with SQLite's own checkpoints. */
#define BULK_WAIT_S 5

static void *checkpoint_loop(void *arg)
{
	struct checkpointer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		if (c->frames < c->at_pass)
			c->at_pass = 0; /* the WAL started over */
		while (!c->stop && (c->asked == c->commits ||
				    (!c->waiting && c->frames - c->at_pass < BULK_PASS_FRAMES))) {
			pthread_cond_wait(&c->cv, &c->mu);
			if (c->frames < c->at_pass)
				c->at_pass = 0;
		}
		if (c->stop)
			break; /* what is left is copied by the importing connection */
		long upto = c->commits;
		int log = 0, done = 0;
		c->asked = upto;
		c->at_pass = c->frames;
		pthread_mutex_unlock(&c->mu);
		int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
						   &done);
		pthread_mutex_lock(&c->mu);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && !c->err) {
			c->err = rc;
			xy_log_error("checkpoint: %s", sqlite3_errmsg(c->db));
		}
		if (rc == SQLITE_OK && log == done && upto > c->caught)
			c->caught = upto;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* SQLite calls this after each commit of the importing connection (it
 * replaces the automatic checkpoint while in bulk mode). */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct checkpointer *c = arg;
	struct timespec until;

	(void)db;
	(void)name;
	pthread_mutex_lock(&c->mu);
	long me = ++c->commits;
	c->frames = frames;
	if (frames >= BULK_WAL_FRAMES && !c->err) {
		c->waiting = 1;
		pthread_cond_broadcast(&c->cv);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += BULK_WAIT_S;
		while (c->caught < me && !c->err &&
		       pthread_cond_timedwait(&c->cv, &c->mu, &until) == 0)
			;
		c->waiting = 0;
	} else {
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

static void checkpointer_stop(struct xy_store *st)
{
	struct checkpointer *c = st->ckpt;

	if (!c)
		return;
	sqlite3_wal_hook(st->db, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->tid, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
	st->ckpt = NULL;
}

static int checkpointer_start(struct xy_store *st)
{
	struct checkpointer *c = calloc(1, sizeof *c);
	const char *path = sqlite3_db_filename(st->db, "main");

	if (!c)
		return XY_ENOMEM;
	if (!path || !*path ||
	    sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		xy_log_error("checkpointer: %s", c->db ? sqlite3_errmsg(c->db) : "cannot open");
		sqlite3_close(c->db);
		free(c);
		return XY_ESTORE;
	}
	sqlite3_busy_timeout(c->db, 10000);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->tid, NULL, checkpoint_loop, c)) {
		sqlite3_close(c->db);
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		free(c);
		return XY_ENOMEM;
	}
	st->ckpt = c;
	sqlite3_wal_hook(st->db, on_commit, c);
	return 0;
}

int xy_store_bulk(struct xy_store *st, int on)
{
	int rc, err;

	if (on) {
		if (st->ckpt)
			return 0;
		if ((rc = exec(st, "PRAGMA synchronous=NORMAL")))
			return rc;
		return checkpointer_start(st);
	}
	err = st->ckpt ? st->ckpt->err : 0;
	checkpointer_stop(st); /* waits for a pass under way; the rest is copied below */
	sqlite3_wal_autocheckpoint(st->db, 1000);
	if ((rc = exec(st, "PRAGMA synchronous=FULL")))
		return rc;
	return err ? XY_EIO : 0;
}

int xy_store_begin(struct xy_store *st)
{
	return exec(st, "BEGIN IMMEDIATE");
}

int xy_store_commit(struct xy_store *st)
{
	return exec(st, "COMMIT");
}

void xy_store_rollback(struct xy_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- meta ---- */

int xy_store_meta_set(struct xy_store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(st, S_META_SET);
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	return step_done(st, s, "meta");
}

int xy_store_meta_del(struct xy_store *st, const char *key)
{
	sqlite3_stmt *s = stmt(st, S_META_DEL);
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, key);
	return step_done(st, s, "meta");
}

int xy_store_meta_get(struct xy_store *st, const char *key, char *out, size_t cap)
{
	sqlite3_stmt *s = stmt(st, S_META_GET);
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(s, 0, out, cap);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : db_error(st, "meta");
}

/* ---- regions and units ---- */

static const char *level_name(int level)
{
	return level == XY_LEVEL_CITY ? "city" : "county";
}

int xy_store_region_add(struct xy_store *st, const struct xy_region *r)
{
	sqlite3_stmt *s = stmt(st, S_REGION_ADD);
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, r->code);
	bind_text(s, 2, r->name);
	bind_text(s, 3, level_name(r->level));
	bind_text(s, 4, r->parent[0] ? r->parent : NULL);
	return step_done(st, s, "region");
}

int xy_store_region_get(struct xy_store *st, const char *code, struct xy_region *out)
{
	sqlite3_stmt *s = stmt(st, S_REGION_GET);
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, code);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_col(s, 0, out->code, sizeof out->code);
		copy_col(s, 1, out->name, sizeof out->name);
		out->level = strcmp((const char *)sqlite3_column_text(s, 2), "city") == 0
				     ? XY_LEVEL_CITY
				     : XY_LEVEL_COUNTY;
		copy_col(s, 3, out->parent, sizeof out->parent);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : db_error(st, "region");
}

static int count1(struct xy_store *st, enum stmt_id id, const char *arg, long *n)
{
	sqlite3_stmt *s = stmt(st, id);
	int rc;
	if (!s)
		return XY_ESTORE;
	if (arg)
		bind_text(s, 1, arg);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_error(st, "count");
}

int xy_store_region_each(struct xy_store *st, int (*fn)(void *arg, const struct xy_region *r),
			 void *arg)
{
	struct xy_region all[XY_REGIONS_MAX + 1];
	sqlite3_stmt *s = stmt(st, S_REGION_ALL);
	int n = 0, rc = SQLITE_DONE;

	if (!s)
		return XY_ESTORE;
	while (n < XY_REGIONS_MAX + 1 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct xy_region *r = &all[n++];
		copy_col(s, 0, r->code, sizeof r->code);
		copy_col(s, 1, r->name, sizeof r->name);
		r->level = strcmp((const char *)sqlite3_column_text(s, 2), "city") == 0
				   ? XY_LEVEL_CITY
				   : XY_LEVEL_COUNTY;
		copy_col(s, 3, r->parent, sizeof r->parent);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(st, "regions");
	for (int i = 0; i < n; i++)
		if ((rc = fn(arg, &all[i])))
			return rc;
	return 0;
}

int xy_store_region_count(struct xy_store *st, long *n)
{
	return count1(st, S_REGION_COUNT, NULL, n);
}

int xy_store_unit_add(struct xy_store *st, struct xy_unit *u)
{
	sqlite3_stmt *s = stmt(st, S_UNIT_ADD);
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, u->code);
	bind_text(s, 2, u->name);
	bind_text(s, 3, u->region);
	bind_text(s, 4, u->kind);
	sqlite3_bind_int64(s, 5, xy_now_us());
	rc = step_done(st, s, "unit");
	if (rc == 0)
		u->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static int unit_row(struct xy_store *st, sqlite3_stmt *s, struct xy_unit *out)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, out->code, sizeof out->code);
		copy_col(s, 2, out->name, sizeof out->name);
		copy_col(s, 3, out->region, sizeof out->region);
		out->level = strcmp((const char *)sqlite3_column_text(s, 4), "city") == 0
				     ? XY_LEVEL_CITY
				     : XY_LEVEL_COUNTY;
		copy_col(s, 5, out->kind, sizeof out->kind);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : db_error(st, "unit");
}

int xy_store_unit_by_code(struct xy_store *st, const char *code, struct xy_unit *out)
{
	sqlite3_stmt *s = stmt(st, S_UNIT_BY_CODE);
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, code);
	return unit_row(st, s, out);
}

int xy_store_unit_by_id(struct xy_store *st, int64_t id, struct xy_unit *out)
{
	sqlite3_stmt *s = stmt(st, S_UNIT_BY_ID);
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	return unit_row(st, s, out);
}

int xy_store_unit_provides_add(struct xy_store *st, int64_t unit_id, const char *dataset)
{
	sqlite3_stmt *s = stmt(st, S_PROVIDES_ADD);
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	bind_text(s, 2, dataset);
	return step_done(st, s, "unit_datasets");
}

int xy_store_unit_provides(struct xy_store *st, int64_t unit_id, const char *dataset)
{
	sqlite3_stmt *s = stmt(st, S_PROVIDES);
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, unit_id);
	bind_text(s, 2, dataset);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_error(st, "unit_datasets");
}

/* ---- catalog ---- */

int xy_store_catalog_add(struct xy_store *st, const char *doc, size_t n, const uint8_t sm3[32],
			 int64_t *version)
{
	sqlite3_stmt *s = stmt(st, S_CATALOG_OFF);
	int rc;
	if (!s)
		return XY_ESTORE;
	if ((rc = step_done(st, s, "catalog")))
		return rc;
	if (!(s = stmt(st, S_CATALOG_ADD)))
		return XY_ESTORE;
	sqlite3_bind_text(s, 1, doc, (int)n, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, sm3, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, xy_now_us());
	rc = step_done(st, s, "catalog");
	if (rc == 0)
		*version = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int xy_store_catalog_active(struct xy_store *st, struct xy_buf *doc, int64_t *version)
{
	sqlite3_stmt *s = stmt(st, S_CATALOG_ACTIVE);
	int rc, brc = 0;
	if (!s)
		return XY_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int64(s, 0);
		xy_buf_reset(doc);
		brc = xy_buf_add(doc, sqlite3_column_text(s, 1),
				 (size_t)sqlite3_column_bytes(s, 1));
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return brc;
	return rc == SQLITE_DONE ? XY_ENOTFOUND : db_error(st, "catalog");
}

/* ---- accounts ---- */

int xy_store_account_add(struct xy_store *st, const struct xy_account_new *a, int64_t *id)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_ADD);
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, a->name);
	bind_text(s, 2, a->real_name);
	sqlite3_bind_int64(s, 3, a->unit_id);
	bind_text(s, 4, a->status);
	bind_text(s, 5, a->pw_hash);
	sqlite3_bind_int(s, 6, a->must_change);
	sqlite3_bind_int64(s, 7, xy_now_us());
	rc = step_done(st, s, "account");
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc ? rc : xy__tag_set(st, XY__TAG_ACCOUNTS, *id);
}

int xy_store_role_add(struct xy_store *st, int64_t account_id, const char *role, const char *scope,
		      int64_t granted_by)
{
	sqlite3_stmt *s;
	int rc;
	/* CRY-2: roles are folded into their account's tag. */
	if ((rc = xy__tag_check(st, XY__TAG_ACCOUNTS, account_id)))
		return rc;
	if (!(s = stmt(st, S_ROLE_ADD)))
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, account_id);
	bind_text(s, 2, role);
	bind_text(s, 3, scope);
	sqlite3_bind_int64(s, 4, xy_now_us());
	if (granted_by > 0)
		sqlite3_bind_int64(s, 5, granted_by);
	if ((rc = step_done(st, s, "role")))
		return rc;
	return xy__tag_set(st, XY__TAG_ACCOUNTS, account_id);
}

int xy_store_account_count(struct xy_store *st, long *n)
{
	return count1(st, S_ACCOUNT_COUNT, NULL, n);
}

/* ---- batches ---- */

int xy_store_batch_get(struct xy_store *st, int64_t id, struct xy_batch *b)
{
	sqlite3_stmt *s = stmt(st, S_BATCH_GET);
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(b, 0, sizeof *b);
		b->id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, b->dataset, sizeof b->dataset);
		b->unit_id = sqlite3_column_int64(s, 2);
		copy_col(s, 3, b->account, sizeof b->account);
		copy_col(s, 4, b->file_name, sizeof b->file_name);
		if (sqlite3_column_bytes(s, 5) == 32)
			memcpy(b->file_sm3, sqlite3_column_blob(s, 5), 32);
		copy_col(s, 6, b->format, sizeof b->format);
		copy_col(s, 7, b->encoding, sizeof b->encoding);
		copy_col(s, 8, b->state, sizeof b->state);
		b->rows_total = (long)sqlite3_column_int64(s, 9);
		b->accepted = (long)sqlite3_column_int64(s, 10);
		b->rejected = (long)sqlite3_column_int64(s, 11);
		copy_col(s, 12, b->report, sizeof b->report);
		b->started_us = sqlite3_column_int64(s, 13);
		b->finished_us = sqlite3_column_int64(s, 14);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : db_error(st, "batch");
}

int xy_store_batch_by_digest(struct xy_store *st, const uint8_t sm3[32], struct xy_batch *out)
{
	sqlite3_stmt *s = stmt(st, S_BATCH_BY_DIGEST);
	int64_t id = 0;
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_blob(s, 1, sm3, 32, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return XY_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return db_error(st, "batch");
	return xy_store_batch_get(st, id, out);
}

int xy_store_batch_size_seen(struct xy_store *st, unsigned long long size)
{
	sqlite3_stmt *s = stmt(st, S_BATCH_SIZE_SEEN);
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_error(st, "batches");
}

int xy_store_batch_begin(struct xy_store *st, struct xy_batch *b)
{
	sqlite3_stmt *s = stmt(st, S_BATCH_ADD);
	int rc;
	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, b->dataset);
	sqlite3_bind_int64(s, 2, b->unit_id);
	bind_text(s, 3, b->account);
	bind_text(s, 4, b->file_name);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)b->file_size);
	bind_text(s, 6, b->format);
	bind_text(s, 7, b->encoding);
	sqlite3_bind_int64(s, 8, b->started_us);
	rc = step_done(st, s, "batch");
	if (rc == 0) {
		b->id = sqlite3_last_insert_rowid(st->db);
		snprintf(b->state, sizeof b->state, "loading");
	}
	return rc;
}

int xy_store_batch_finish(struct xy_store *st, const struct xy_batch *b)
{
	sqlite3_stmt *s = stmt(st, S_BATCH_FINISH);
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, b->id);
	sqlite3_bind_int64(s, 2, b->rows_total);
	sqlite3_bind_int64(s, 3, b->accepted);
	sqlite3_bind_int64(s, 4, b->rejected);
	bind_text(s, 5, b->report);
	sqlite3_bind_int64(s, 6, xy_now_us());
	bind_text(s, 7, b->encoding);
	sqlite3_bind_blob(s, 8, b->file_sm3, 32, SQLITE_STATIC);
	rc = step_done(st, s, "batch");
	if (rc == XY_EEXISTS)
		return XY_EDUPLICATE;
	if (rc == 0 && sqlite3_changes(st->db) != 1)
		return XY_ECONFLICT; /* not loading any more: discarded meanwhile */
	return rc;
}

int xy_store_batch_discard(struct xy_store *st, int64_t batch_id, long *removed)
{
	sqlite3_stmt *s = stmt(st, S_BATCH_DEL_RECORDS);
	int rc;
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, XY_RECORD_ID(batch_id, 0));
	sqlite3_bind_int64(s, 2, XY_RECORD_ID(batch_id + 1, 0));
	if ((rc = step_done(st, s, "discard")))
		return rc;
	*removed = (long)sqlite3_changes(st->db);
	if (!(s = stmt(st, S_BATCH_FAIL)))
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, batch_id);
	sqlite3_bind_int64(s, 2, xy_now_us());
	return step_done(st, s, "discard");
}

int xy_store_batch_each_loading(struct xy_store *st, const char *dataset, int64_t unit_id,
				int (*fn)(void *arg, int64_t id), void *arg)
{
	int64_t ids[64];
	int n = 0, rc = SQLITE_DONE;
	sqlite3_stmt *s = stmt(st, S_BATCH_LOADING);

	if (!s)
		return XY_ESTORE;
	bind_text(s, 1, dataset);
	sqlite3_bind_int64(s, 2, unit_id);
	while (n < 64 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(st, "batches");
	/* Calls happen after the statement is reset, so fn may write. */
	for (int i = 0; i < n; i++)
		if ((rc = fn(arg, ids[i])))
			return rc;
	return 0;
}

/* ---- subjects and records ---- */

static int subject_find(struct xy_store *st, const struct xy_store_rec *r, int64_t *id)
{
	sqlite3_stmt *s = stmt(st, r->natural ? S_SUBJ_NATURAL : S_SUBJ_LEGAL);
	int rc;

	if (!s)
		return XY_ESTORE;
	if (r->natural) {
		sqlite3_bind_blob(s, 1, r->subject_bidx, 32, SQLITE_STATIC);
	} else {
		bind_text(s, 1, r->subject_code_type);
		bind_text(s, 2, r->subject_code);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? XY_ENOTFOUND : db_error(st, "subject");
}

/* The subject's id, inserting it when new.  Legal persons are one subject
 * per (code type, code); natural persons per blind index. */
static int subject_id(struct xy_store *st, const struct xy_store_rec *r, int64_t *id)
{
	sqlite3_stmt *s;
	int rc = subject_find(st, r, id);

	if (rc != XY_ENOTFOUND)
		return rc;
	if (!(s = stmt(st, S_SUBJ_ADD)))
		return XY_ESTORE;
	bind_text(s, 1, r->natural ? "natural" : "legal");
	if (r->natural) {
		sqlite3_bind_blob(s, 5, r->subject_bidx, 32, SQLITE_STATIC);
	} else {
		bind_text(s, 2, r->subject_code);
		bind_text(s, 3, r->subject_code_type);
		bind_text(s, 4, r->subject_name);
	}
	bind_text(s, 6, r->region);
	sqlite3_bind_int64(s, 7, r->submitted_us);
	rc = step_done(st, s, "subject");
	if (rc == XY_EEXISTS) /* another writer added it meanwhile */
		return subject_find(st, r, id);
	if (rc)
		return rc;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static void find_dup(struct xy_store *st, const struct xy_store_rec *r, struct xy_store_dup *dup)
{
	sqlite3_stmt *s = stmt(st, S_REC_DUP);
	dup->batch_id = 0;
	dup->row_no = 0;
	if (!s)
		return;
	bind_text(s, 1, r->dataset);
	sqlite3_bind_int64(s, 2, r->unit_id);
	sqlite3_bind_blob(s, 3, r->rkey, (int)r->rkey_len, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		dup->batch_id = sqlite3_column_int64(s, 0);
		dup->row_no = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
}

/* The canonical record (docs/FORMATS.md) from the values about to be
 * inserted, exactly as they will read back. */
static int record_tag(struct xy_store *st, const struct xy_store_rec *r, int64_t sid,
		      uint8_t tag[32], uint32_t *key)
{
	const struct xy__tv v[] = {
		{XY__TV_INT, r->id, NULL, 0},
		{XY__TV_TEXT, 0, r->dataset, strlen(r->dataset)},
		{XY__TV_INT, r->unit_id, NULL, 0},
		{XY__TV_INT, r->batch_id, NULL, 0},
		{XY__TV_INT, r->row_no, NULL, 0},
		{XY__TV_INT, sid, NULL, 0},
		{XY__TV_BLOB, 0, r->rkey, r->rkey_len},
		{XY__TV_BLOB, 0, r->row_sm3, sizeof r->row_sm3},
		{XY__TV_INT, r->submitted_us, NULL, 0},
		{r->valid_until != XY_NO_END ? XY__TV_INT : XY__TV_NULL, r->valid_until, NULL, 0},
		{r->display_until != XY_NOT_DISPLAYED ? XY__TV_INT : XY__TV_NULL, r->display_until,
		 NULL, 0},
		{XY__TV_TEXT, 0, "active", 6},
		{XY__TV_TEXT, 0, r->clear, r->clear_len},
		{r->sealed_len ? XY__TV_BLOB : XY__TV_NULL, 0, r->sealed, r->sealed_len},
	};
	int n = (int)(sizeof v / sizeof *v), rc = xy__tag_head(&st->tagbuf, XY__TAG_RECORDS, n);

	for (int i = 0; !rc && i < n; i++)
		rc = xy__tag_value(&st->tagbuf, &v[i]);
	return rc ? rc : xy__tag_compute(st, &st->tagbuf, tag, key);
}

int xy_store_record_put(struct xy_store *st, const struct xy_store_rec *r, struct xy_store_dup *dup,
			int64_t *subject_out)
{
	int64_t sid = r->subject_id;
	uint8_t tag[32];
	uint32_t key;
	sqlite3_stmt *s;
	int rc = sid ? 0 : subject_id(st, r, &sid);

	if (rc)
		return rc;
	*subject_out = sid;
	/* CRY-2: tagged on the writer's thread, where the subject id is known. */
	if ((rc = record_tag(st, r, sid, tag, &key)))
		return rc;
	if (!(s = stmt(st, S_REC_ADD)))
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, r->id);
	bind_text(s, 2, r->dataset);
	sqlite3_bind_int64(s, 3, r->unit_id);
	sqlite3_bind_int64(s, 4, r->batch_id);
	sqlite3_bind_int64(s, 5, r->row_no);
	sqlite3_bind_int64(s, 6, sid);
	sqlite3_bind_blob(s, 7, r->rkey, (int)r->rkey_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, r->row_sm3, sizeof r->row_sm3, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, r->submitted_us);
	if (r->valid_until != XY_NO_END)
		sqlite3_bind_int(s, 10, r->valid_until);
	if (r->display_until != XY_NOT_DISPLAYED)
		sqlite3_bind_int(s, 11, r->display_until);
	sqlite3_bind_text(s, 12, r->clear, (int)r->clear_len, SQLITE_STATIC);
	if (r->sealed_len)
		sqlite3_bind_blob(s, 13, r->sealed, (int)r->sealed_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 14, tag, sizeof tag, SQLITE_STATIC);
	sqlite3_bind_int64(s, 15, key);
	rc = step_done(st, s, "record");
	if (rc == XY_EEXISTS) {
		find_dup(st, r, dup);
		if (!dup->batch_id) /* not the record key: the id itself is taken */
			return XY_ECONFLICT;
	}
	return rc;
}

int xy_store_record_scan(struct xy_store *st,
			 int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg)
{
	sqlite3_stmt *s = stmt(st, S_REC_SCAN);
	struct xy_store_rec_view v;
	int rc, frc = 0;

	if (!s)
		return XY_ESTORE;
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		v.id = sqlite3_column_int64(s, 0);
		v.dataset = (const char *)sqlite3_column_text(s, 1);
		v.unit_id = sqlite3_column_int64(s, 2);
		v.batch_id = sqlite3_column_int64(s, 3);
		v.row_no = (long)sqlite3_column_int64(s, 4);
		v.subject_id = sqlite3_column_int64(s, 5);
		v.row_sm3 = sqlite3_column_blob(s, 6);
		v.clear = (const char *)sqlite3_column_text(s, 7);
		v.sealed = sqlite3_column_blob(s, 8);
		v.sealed_len = (size_t)sqlite3_column_bytes(s, 8);
		v.status = (const char *)sqlite3_column_text(s, 9);
		frc = fn(arg, &v);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : db_error(st, "scan");
}

int xy_store_record_count(struct xy_store *st, const char *dataset, long *n)
{
	return count1(st, dataset ? S_REC_COUNT : S_REC_COUNT_ALL, dataset, n);
}

int xy_store_subject_count(struct xy_store *st, long *legal, long *natural)
{
	sqlite3_stmt *s = stmt(st, S_SUBJ_COUNT);
	int rc;
	if (!s)
		return XY_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*legal = (long)sqlite3_column_int64(s, 0);
		*natural = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_error(st, "subjects");
}

/* ---- audit ---- */

int xy_store_audit_head(struct xy_store *st, int64_t *seq, uint8_t hash[32])
{
	sqlite3_stmt *s = stmt(st, S_AUDIT_HEAD);
	int rc;
	if (!s)
		return XY_ESTORE;
	*seq = 0;
	memset(hash, 0, 32);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == 32)
			memcpy(hash, sqlite3_column_blob(s, 1), 32);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(st, "audit");
}

int xy_store_audit_insert(struct xy_store *st, const struct xy_store_event *ev)
{
	sqlite3_stmt *s = stmt(st, S_AUDIT_ADD);
	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, ev->seq);
	sqlite3_bind_int64(s, 2, ev->ts_us);
	bind_text(s, 3, ev->zone);
	bind_text(s, 4, ev->client);
	bind_text(s, 5, ev->agent);
	bind_text(s, 6, ev->account);
	bind_text(s, 7, ev->real_name);
	bind_text(s, 8, ev->unit);
	bind_text(s, 9, ev->action);
	bind_text(s, 10, ev->object);
	bind_text(s, 11, ev->purpose);
	bind_text(s, 12, ev->grant_ref);
	bind_text(s, 13, ev->result);
	bind_text(s, 14, ev->reason);
	sqlite3_bind_blob(s, 15, ev->hash, 32, SQLITE_STATIC);
	return step_done(st, s, "audit");
}

int xy_store_audit_scan(struct xy_store *st, int64_t from_seq,
			int (*fn)(void *arg, const struct xy_store_event *ev), void *arg)
{
	sqlite3_stmt *s = stmt(st, S_AUDIT_SCAN);
	struct xy_store_event ev;
	int rc, frc = 0;

	if (!s)
		return XY_ESTORE;
	sqlite3_bind_int64(s, 1, from_seq);
	while (!frc && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		xy__sql_event(s, &ev);
		frc = fn(arg, &ev);
	}
	sqlite3_reset(s);
	if (frc)
		return frc;
	return rc == SQLITE_DONE ? 0 : db_error(st, "audit scan");
}

/* ---- for the engine's other files (sqlite_int.h) ---- */

void xy__sql_event(sqlite3_stmt *s, struct xy_store_event *ev)
{
	ev->seq = sqlite3_column_int64(s, 0);
	ev->ts_us = sqlite3_column_int64(s, 1);
	ev->zone = (const char *)sqlite3_column_text(s, 2);
	ev->client = (const char *)sqlite3_column_text(s, 3);
	ev->agent = (const char *)sqlite3_column_text(s, 4);
	ev->account = (const char *)sqlite3_column_text(s, 5);
	ev->real_name = (const char *)sqlite3_column_text(s, 6);
	ev->unit = (const char *)sqlite3_column_text(s, 7);
	ev->action = (const char *)sqlite3_column_text(s, 8);
	ev->object = (const char *)sqlite3_column_text(s, 9);
	ev->purpose = (const char *)sqlite3_column_text(s, 10);
	ev->grant_ref = (const char *)sqlite3_column_text(s, 11);
	ev->result = (const char *)sqlite3_column_text(s, 12);
	ev->reason = (const char *)sqlite3_column_text(s, 13);
	memset(ev->hash, 0, 32);
	if (sqlite3_column_bytes(s, 14) == 32)
		memcpy(ev->hash, sqlite3_column_blob(s, 14), 32);
}

sqlite3 *xy__sql_db(struct xy_store *st)
{
	return st->db;
}

sqlite3_stmt *xy__sql_stmt(struct xy_store *st, int slot, const char *sql)
{
	sqlite3_stmt *s;
	if (slot < 0 || slot >= XY__SQL_EXT_MAX)
		return NULL;
	s = st->ext[slot];
	if (!s) {
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
		    SQLITE_OK) {
			xy_log_error("prepare: %s", sqlite3_errmsg(st->db));
			return NULL;
		}
		st->ext[slot] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int xy__sql_done(struct xy_store *st, sqlite3_stmt *s, const char *what)
{
	return step_done(st, s, what);
}

int xy__sql_error(struct xy_store *st, const char *what)
{
	return db_error(st, what);
}

void xy__sql_text(sqlite3_stmt *s, int i, const char *v)
{
	bind_text(s, i, v);
}

void xy__sql_copy(sqlite3_stmt *s, int col, char *out, size_t cap)
{
	copy_col(s, col, out, cap);
}

/* ---- row tags (CRY-2): the handle's part; the rest is sqlite_tag.c ---- */

struct xy_sealer *xy_store_set_tagger(struct xy_store *st, struct xy_sealer *s)
{
	struct xy_sealer *old = st->tagger;
	st->tagger = s;
	return old;
}

struct xy_sealer *xy__sql_tagger(struct xy_store *st)
{
	return st->tagger;
}

struct xy_buf *xy__sql_tagbuf(struct xy_store *st)
{
	return &st->tagbuf;
}

void xy__sql_tampered(struct xy_store *st, const char *table, int64_t id, const char *what)
{
	/* Logged here, once, where it is found: names the row, never its content. */
	xy_log_error("CRY-2: %s %lld: %s", table, (long long)id, what);
	if (st->ntampered < XY_STORE_TAMPER_MAX) {
		struct xy_store_tamper *t = &st->tampered[st->ntampered];
		snprintf(t->table, sizeof t->table, "%s", table);
		t->id = id;
		snprintf(t->what, sizeof t->what, "%s", what);
	}
	if (st->ntampered < INT32_MAX)
		st->ntampered++;
}

int xy_store_tamper_pending(struct xy_store *st)
{
	return st->ntampered;
}

int xy_store_tamper_take(struct xy_store *st, struct xy_store_tamper *out, int max)
{
	int n = st->ntampered;
	for (int i = 0; i < n && i < max && i < XY_STORE_TAMPER_MAX; i++)
		out[i] = st->tampered[i];
	st->ntampered = 0;
	return n;
}
