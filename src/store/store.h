/* The store: one interface, engines behind it (SQLite now; PostgreSQL
 * later, same schema).  Nothing outside src/store/ speaks SQL, and every
 * value reaches the database as a bound parameter.
 *
 * A store handle belongs to one thread at a time.  Writes happen inside
 * xy_store_begin()/xy_store_commit(); a failed step leaves the transaction
 * open for the caller to roll back. */
#ifndef XY_STORE_STORE_H
#define XY_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/limits.h"

#define XY_WUR	    __attribute__((warn_unused_result))
#define XY_RKEY_MAX 160 /* bytes of a record key (see struct xy_store_rec) */

struct xy_store;

enum { XY_STORE_CREATE = 1 };

/* Opens (or with XY_STORE_CREATE creates) the database and applies the
 * numbered migrations it lacks. */
XY_WUR int xy_store_open(const char *path, int flags, struct xy_store **out);
void xy_store_close(struct xy_store *st);
/* Schema version after migrations. */
int xy_store_schema_version(struct xy_store *st);

/* Bulk loading (an import's intermediate transactions): commits are not
 * flushed to disk one by one, and the WAL is checkpointed by a second
 * connection on a thread of its own, so the importing thread never waits for
 * a checkpoint's copies and fsyncs (only, briefly, when the WAL reaches ~256
 * MiB and must start over).  The transaction that makes a batch visible runs
 * after xy_store_bulk(st, 0), fully synchronous, so a crash can lose only
 * rows of a batch that was never marked done (and is then cleaned up). */
XY_WUR int xy_store_bulk(struct xy_store *st, int on);
XY_WUR int xy_store_begin(struct xy_store *st);
XY_WUR int xy_store_commit(struct xy_store *st);
void xy_store_rollback(struct xy_store *st);

XY_WUR int xy_store_meta_set(struct xy_store *st, const char *key, const char *value);
/* XY_ENOTFOUND when absent. */
XY_WUR int xy_store_meta_get(struct xy_store *st, const char *key, char *out, size_t cap);

/* ---- regions and units ---- */

enum { XY_REGION_CODE_MAX = 12, XY_UNIT_CODE_MAX = 24 };

struct xy_region {
	char code[XY_REGION_CODE_MAX + 1];
	char name[XY_NAME_MAX];
	int level; /* XY_LEVEL_CITY or XY_LEVEL_COUNTY */
	char parent[XY_REGION_CODE_MAX + 1];
};

struct xy_unit {
	int64_t id;
	char code[XY_UNIT_CODE_MAX + 1]; /* 统一社会信用代码 */
	char name[XY_NAME_MAX];
	char region[XY_REGION_CODE_MAX + 1];
	int level;     /* the level of its region */
	char kind[16]; /* "credit_office" or "member" */
};

XY_WUR int xy_store_region_add(struct xy_store *st, const struct xy_region *r);
XY_WUR int xy_store_region_get(struct xy_store *st, const char *code, struct xy_region *out);
XY_WUR int xy_store_region_count(struct xy_store *st, long *n);
/* Calls fn for every region (city first, then counties by code). */
XY_WUR int xy_store_region_each(struct xy_store *st,
				int (*fn)(void *arg, const struct xy_region *r), void *arg);
/* Sets u->id.  XY_EEXISTS when the code is taken. */
XY_WUR int xy_store_unit_add(struct xy_store *st, struct xy_unit *u);
XY_WUR int xy_store_unit_by_code(struct xy_store *st, const char *code, struct xy_unit *out);
XY_WUR int xy_store_unit_by_id(struct xy_store *st, int64_t id, struct xy_unit *out);
XY_WUR int xy_store_unit_provides_add(struct xy_store *st, int64_t unit_id, const char *dataset);
/* 1 when the unit provides the dataset, 0 when not. */
XY_WUR int xy_store_unit_provides(struct xy_store *st, int64_t unit_id, const char *dataset);

/* ---- catalog ---- */

/* Stores a catalog document as the new active version. */
XY_WUR int xy_store_catalog_add(struct xy_store *st, const char *doc, size_t n,
				const uint8_t sm3[32], int64_t *version);
XY_WUR int xy_store_catalog_active(struct xy_store *st, struct xy_buf *doc, int64_t *version);

/* ---- accounts (the first administrators; the Accounts issue extends) ---- */

struct xy_account_new {
	const char *name;
	const char *real_name;
	int64_t unit_id;
	const char *pw_hash; /* encoded Argon2id hash, never a password */
	const char *status;  /* "active", "pending" … */
	int must_change;     /* ACC-3 */
};

XY_WUR int xy_store_account_add(struct xy_store *st, const struct xy_account_new *a, int64_t *id);
XY_WUR int xy_store_role_add(struct xy_store *st, int64_t account_id, const char *role,
			     const char *scope, int64_t granted_by);
XY_WUR int xy_store_account_count(struct xy_store *st, long *n);

/* The whole account row (sqlite_acct.c).  Times are microseconds since the
 * epoch (0: never); dates are day numbers (XY_NO_DATE: none). */
#define XY_ACCOUNT_NAME_MAX 64
#define XY_NO_DATE	    INT32_MIN
#define XY_SEALED_SMALL_MAX 160	 /* a sealed identity number or TOTP secret */
#define XY_NOTE_MAX	    2000 /* bytes of a note (hand-over, incident, reason) */

struct xy_account {
	int64_t id;
	char name[XY_ACCOUNT_NAME_MAX];
	char real_name[XY_NAME_MAX];
	uint8_t idnum_bidx[32];
	int has_idnum;
	uint8_t idnum_sealed[XY_SEALED_SMALL_MAX];
	size_t idnum_sealed_len;
	int64_t unit_id;
	char status[12]; /* pending, active, locked, disabled, left */
	char status_reason[256];
	int64_t status_at;
	char pw_hash[160];
	int must_change;
	int64_t pw_changed_at, created_at, last_login_at;
	int32_t end_date; /* XY_NO_DATE: none */
	int fail_count;
	int64_t fail_first_at, locked_until;
	uint8_t totp_sealed[XY_SEALED_SMALL_MAX];
	size_t totp_sealed_len; /* 0: no confirmed TOTP */
	uint8_t totp_pending[XY_SEALED_SMALL_MAX];
	size_t totp_pending_len;
	int64_t totp_last_step;
	char sm2_pub[1024]; /* PEM, "" when none */
	char sm2_pending[1024];
	int32_t training_on, agreement_on; /* XY_NO_DATE: not recorded */
	char training_note[256];
	char agreement_ref[256];
	int64_t created_by;
};

/* Inserts a (sets a->id) with the columns of a new account.  XY_EEXISTS
 * when the name or the identity number's blind index is taken. */
XY_WUR int xy_store_account_insert(struct xy_store *st, struct xy_account *a);
/* Writes every mutable column of a back to its row. */
XY_WUR int xy_store_account_update(struct xy_store *st, const struct xy_account *a);
/* XY_ENOTFOUND when absent. */
XY_WUR int xy_store_account_by_name(struct xy_store *st, const char *name, struct xy_account *out);
XY_WUR int xy_store_account_by_id(struct xy_store *st, int64_t id, struct xy_account *out);
XY_WUR int xy_store_account_by_idnum(struct xy_store *st, const uint8_t bidx[32],
				     struct xy_account *out);
/* Accounts with id > after_id in id order, at most limit of them. */
XY_WUR int xy_store_account_list(struct xy_store *st, int64_t after_id, int limit,
				 int (*fn)(void *arg, const struct xy_account *a), void *arg);

/* Roles: fn gets each (role, scope) of the account. */
XY_WUR int xy_store_role_each(struct xy_store *st, int64_t account_id,
			      int (*fn)(void *arg, const char *role, const char *scope), void *arg);
/* XY_ENOTFOUND when the account did not hold it. */
XY_WUR int xy_store_role_remove(struct xy_store *st, int64_t account_id, const char *role);
XY_WUR int xy_store_role_remove_all(struct xy_store *st, int64_t account_id, long *removed);

/* Password history (ACC-4): the newest n hashes, newest first. */
XY_WUR int xy_store_pwhist_add(struct xy_store *st, int64_t account_id, const char *hash,
			       int64_t at);
XY_WUR int xy_store_pwhist_each(struct xy_store *st, int64_t account_id, int n,
				int (*fn)(void *arg, const char *hash), void *arg);

XY_WUR int xy_store_handover_add(struct xy_store *st, int64_t account_id, const char *kind,
				 int64_t from_unit, int64_t to_unit, const char *note, int64_t by,
				 int64_t at);

struct xy_incident {
	int64_t id;
	char kind[32];
	int64_t account_id;
	int64_t reported_by;
	char note[XY_NOTE_MAX];
	int64_t opened_at, report_due, closed_at;
};
XY_WUR int xy_store_incident_add(struct xy_store *st, struct xy_incident *in);
XY_WUR int xy_store_incident_each(struct xy_store *st, int64_t after_id, int limit,
				  int (*fn)(void *arg, const struct xy_incident *in), void *arg);

/* ---- use agreements (SHR-5) ---- */

struct xy_agreement {
	int64_t id, unit_id;
	char document[XY_NOTE_MAX];
	int32_t valid_from, valid_to; /* China day numbers, inclusive */
	int64_t created_by, created_at;
	int64_t ended_at; /* 0: in force */
};
/* Adds an agreement (sets id) and its dataset × purpose lines. */
XY_WUR int xy_store_agreement_add(struct xy_store *st, struct xy_agreement *a);
XY_WUR int xy_store_agreement_line_add(struct xy_store *st, int64_t id, const char *dataset,
				       const char *purpose);
XY_WUR int xy_store_agreement_get(struct xy_store *st, int64_t id, struct xy_agreement *a);
/* Ends an agreement in force; XY_ENOTFOUND when there is none to end. */
XY_WUR int xy_store_agreement_end(struct xy_store *st, int64_t id, int64_t by, int64_t at,
				  const char *reason);
/* Agreements of a unit (0: all), in id order after after_id. */
XY_WUR int xy_store_agreement_each(struct xy_store *st, int64_t unit_id, int64_t after_id,
				   int limit, int (*fn)(void *arg, const struct xy_agreement *a),
				   void *arg);
/* An agreement's lines. */
XY_WUR int xy_store_agreement_lines(struct xy_store *st, int64_t id,
				    int (*fn)(void *arg, const char *dataset, const char *purpose),
				    void *arg);
/* The lines of a unit's agreements in force on day (for the policy). */
XY_WUR int xy_store_agreement_lines_on(struct xy_store *st, int64_t unit_id, int32_t day,
				       int (*fn)(void *arg, int64_t id, const char *dataset,
						 const char *purpose, int32_t from, int32_t to),
				       void *arg);

/* Units: all, in id order after after_id; a unit's provided datasets. */
XY_WUR int xy_store_unit_list(struct xy_store *st, int64_t after_id, int limit,
			      int (*fn)(void *arg, const struct xy_unit *u), void *arg);
XY_WUR int xy_store_unit_rename(struct xy_store *st, int64_t unit_id, const char *name);
XY_WUR int xy_store_unit_datasets(struct xy_store *st, int64_t unit_id,
				  int (*fn)(void *arg, const char *dataset), void *arg);
XY_WUR int xy_store_unit_provides_remove(struct xy_store *st, int64_t unit_id, const char *dataset);

/* ---- batches (COL-2, COL-4) ---- */

struct xy_batch {
	int64_t id;
	char dataset[XY_CODE_MAX + 1];
	int64_t unit_id;
	char account[64];
	char file_name[256];
	unsigned long long file_size;
	uint8_t file_sm3[32];
	char format[8];	   /* "csv" or "jsonl" */
	char encoding[16]; /* "utf-8", "gb18030" */
	char state[12];	   /* "loading", "done", "failed" */
	long rows_total, accepted, rejected;
	char report[512];
	int64_t started_us, finished_us;
};

/* The batch (loading or done) that holds a file with this digest, or
 * XY_ENOTFOUND. */
XY_WUR int xy_store_batch_by_digest(struct xy_store *st, const uint8_t sm3[32],
				    struct xy_batch *out);
XY_WUR int xy_store_batch_get(struct xy_store *st, int64_t id, struct xy_batch *out);
/* 1 when a loading or done batch holds a file of this many bytes, else 0. */
XY_WUR int xy_store_batch_size_seen(struct xy_store *st, unsigned long long size);
/* Inserts b as "loading" and sets b->id.  Its file digest is set when it
 * is finished (the file is hashed while it is read). */
XY_WUR int xy_store_batch_begin(struct xy_store *st, struct xy_batch *b);
/* Marks it "done" with its counts, report path, encoding (which a file
 * that starts with plain ASCII only reveals late) and file digest;
 * XY_EDUPLICATE when a done batch already holds a file with that digest. */
XY_WUR int xy_store_batch_finish(struct xy_store *st, const struct xy_batch *b);
/* Removes the records of a batch and marks it "failed" (its digest may then
 * be imported again).  Inside the caller's transaction. */
XY_WUR int xy_store_batch_discard(struct xy_store *st, int64_t batch_id, long *removed);
/* Batches of a unit's dataset still "loading", oldest first; fn is called
 * for each id until it returns nonzero.  (The importer calls it while it
 * holds that unit's import lock, when any such batch was left by a crash.) */
XY_WUR int xy_store_batch_each_loading(struct xy_store *st, const char *dataset, int64_t unit_id,
				       int (*fn)(void *arg, int64_t id), void *arg);

/* ---- subjects and records ---- */

/* Record ids encode their batch and row: a batch's records are one id
 * range, assigned without asking the database, so values can be sealed to
 * their row id before the row is written. */
#define XY_RECORD_ROW_BITS	 25
#define XY_RECORD_ID(batch, row) (((int64_t)(batch) << XY_RECORD_ROW_BITS) | (int64_t)(row))

struct xy_store_rec {
	int64_t id;
	int64_t subject_id; /* known subject id (a caller's cache), 0: look it up */
	const char *dataset;
	int64_t unit_id;
	int64_t batch_id;
	long row_no;
	int natural;
	/* Legal persons: the code in clear and its type; natural persons:
	 * the blind index of the identity number (the number itself is sealed
	 * inside the record). */
	const char *subject_code;
	const char *subject_code_type;
	const char *subject_name;
	const uint8_t *subject_bidx; /* 32 bytes */
	const char *region;	     /* from the code, may be NULL */
	/* The record key: 'P' + the key fields' text when none of them is ever
	 * encrypted, else 'H' + a keyed digest (16 bytes) of them. */
	uint8_t rkey[XY_RKEY_MAX];
	size_t rkey_len;
	uint8_t row_sm3[32]; /* SM3 of the row as submitted (COL-4) */
	int64_t submitted_us;
	int32_t valid_until;   /* day number or XY_NO_END */
	int32_t display_until; /* day number or XY_NOT_DISPLAYED */
	const char *clear;     /* JSON object of the fields stored in clear */
	size_t clear_len;
	const void *sealed; /* sealed sensitive values, see svc/record.h */
	size_t sealed_len;
};

/* Where an existing record with the same key came from. */
struct xy_store_dup {
	int64_t batch_id;
	long row_no;
};

/* Writes the record (and its subject when new); *subject_id gets the
 * subject's id.  XY_EEXISTS with dup set when the providing unit already
 * has a record with the same key. */
XY_WUR int xy_store_record_put(struct xy_store *st, const struct xy_store_rec *r,
			       struct xy_store_dup *dup, int64_t *subject_id);

struct xy_store_rec_view {
	int64_t id;
	const char *dataset;
	int64_t unit_id;
	int64_t batch_id;
	long row_no;
	int64_t subject_id;
	const uint8_t *row_sm3;
	const char *clear;
	size_t clear_len;
	const void *sealed;
	size_t sealed_len;
	const char *status;
	/* Set by the subject and dataset reads below (not by the scan): */
	int64_t submitted_us;
	int32_t valid_until;   /* day number or XY_NO_END */
	int32_t display_until; /* day number or XY_NOT_DISPLAYED */
};

/* Calls fn for every record in id order (views valid during the call only)
 * until it returns nonzero (which is then returned). */
XY_WUR int xy_store_record_scan(struct xy_store *st,
				int (*fn)(void *arg, const struct xy_store_rec_view *r), void *arg);
XY_WUR int xy_store_record_count(struct xy_store *st, const char *dataset, long *n);
XY_WUR int xy_store_subject_count(struct xy_store *st, long *legal, long *natural);

/* ---- finding subjects, reading records (SHR; sqlite_query.c) ---- */

#define XY_SUBJECT_CODE_MAX 64 /* bytes of a legal person's code */

struct xy_subject {
	int64_t id;
	int natural;
	char code[XY_SUBJECT_CODE_MAX + 1]; /* legal persons ("" for natural) */
	char code_type[16];
	char name[XY_NAME_MAX]; /* legal persons (natural: sealed in records) */
	char region[XY_REGION_CODE_MAX + 1];
};

XY_WUR int xy_store_subject_get(struct xy_store *st, int64_t id, struct xy_subject *out);
/* The legal person with this code, whatever its type (the lowest id when
 * two types share a code); XY_ENOTFOUND. */
XY_WUR int xy_store_subject_by_code(struct xy_store *st, const char *code, struct xy_subject *out);
/* The natural person with this blind index; XY_ENOTFOUND. */
XY_WUR int xy_store_subject_by_bidx(struct xy_store *st, const uint8_t bidx[32],
				    struct xy_subject *out);
/* Legal persons whose code starts with prefix, in code order after the code
 * `after` ("" from the start), at most limit; fn until nonzero. */
XY_WUR int xy_store_subject_by_prefix(struct xy_store *st, const char *prefix, const char *after,
				      int limit, int (*fn)(void *arg, const struct xy_subject *s),
				      void *arg);
/* Legal persons whose name contains text (case-insensitive), in id order
 * after after_id, at most limit: through the trigram index for three
 * characters or more, by scanning names for fewer. */
XY_WUR int xy_store_subject_by_name(struct xy_store *st, const char *text, int64_t after_id,
				    int limit, int (*fn)(void *arg, const struct xy_subject *s),
				    void *arg);
/* Adds the names of the next max subjects added since the last call to
 * the name index, in one transaction of its own; *n gets how many subjects
 * it went past (0: the index is complete). */
XY_WUR int xy_store_subject_names_index(struct xy_store *st, long max, long *n);

/* The active records of a subject in finished batches, by dataset then id,
 * at most limit; fn until nonzero (views valid during the call only). */
XY_WUR int xy_store_subject_records(struct xy_store *st, int64_t subject_id, int limit,
				    int (*fn)(void *arg, const struct xy_store_rec_view *r),
				    void *arg);
/* The active records of a dataset in finished batches (of one providing
 * unit, or any when unit_id is 0) with id > after, in id order; fn until
 * nonzero.  At most max_scan records are read; *last gets the id of the
 * last one read (0 when the end was reached). */
XY_WUR int xy_store_dataset_records(struct xy_store *st, const char *dataset, int64_t unit_id,
				    int64_t after, long max_scan,
				    int (*fn)(void *arg, const struct xy_store_rec_view *r),
				    void *arg, int64_t *last);

/* ---- requests and grants (SHR-3, SOD-4; sqlite_grant.c) ---- */

#define XY_REQUEST_PAYLOAD_MAX 4096 /* bytes of a request's kind-specific JSON */

struct xy_request {
	int64_t id;
	char kind[24];	/* "authorisation" */
	char state[12]; /* submitted, approved, rejected, revoked */
	int64_t requester, requester_unit, approver_unit;
	char payload[XY_REQUEST_PAYLOAD_MAX];
	char reason[XY_NOTE_MAX];
	int64_t created_at;
	int64_t decided_by, decided_at; /* 0: not yet */
	char decision_note[XY_NOTE_MAX];
};

XY_WUR int xy_store_request_add(struct xy_store *st, struct xy_request *r);
XY_WUR int xy_store_request_get(struct xy_store *st, int64_t id, struct xy_request *out);
/* Moves a request from state `from` to `to`; XY_ECONFLICT when it is not in
 * `from` any more (two deciders at once: exactly one wins). */
XY_WUR int xy_store_request_move(struct xy_store *st, int64_t id, const char *from, const char *to,
				 int64_t by, int64_t at, const char *note);
/* Requests a unit asked or must decide (0: all), newest first before
 * before_id (0: from the newest), of a state (NULL: any). */
XY_WUR int xy_store_request_each(struct xy_store *st, const char *kind, int64_t unit_id,
				 const char *state, int64_t before_id, int limit,
				 int (*fn)(void *arg, const struct xy_request *r), void *arg);
XY_WUR int xy_store_request_subject_add(struct xy_store *st, int64_t request_id,
					int64_t subject_id);
XY_WUR int xy_store_request_subjects(struct xy_store *st, int64_t request_id,
				     int (*fn)(void *arg, int64_t subject_id), void *arg);

struct xy_grant {
	int64_t id, request_id, unit_id, provider_unit_id;
	char dataset[XY_CODE_MAX + 1];
	char purpose[32];
	int64_t subject_id; /* 0: every subject in the unit's scope */
	int clear;
	int64_t start_us, end_us;
	int64_t revoked_at; /* 0: not revoked */
};

XY_WUR int xy_store_grant_add(struct xy_store *st, struct xy_grant *g);
/* Revokes the grants of a request not yet revoked; *n how many. */
XY_WUR int xy_store_grant_revoke(struct xy_store *st, int64_t request_id, int64_t by, int64_t at,
				 const char *reason, long *n);
/* The grants of a unit for a purpose in force at now, for one subject and
 * the whole-dataset ones (subject_id > 0) or all (subject_id 0). */
XY_WUR int xy_store_grants_in_force(struct xy_store *st, int64_t unit_id, const char *purpose,
				    int64_t subject_id, int64_t now,
				    int (*fn)(void *arg, const struct xy_grant *g), void *arg);
XY_WUR int xy_store_grants_of_request(struct xy_store *st, int64_t request_id,
				      int (*fn)(void *arg, const struct xy_grant *g), void *arg);

/* ---- machine clients of the data API (SHR-6) ---- */

#define XY_CLIENT_ID_LEN	 20  /* "xyc_" and 16 hex digits */
#define XY_CLIENT_ALLOW_MAX	 512 /* bytes of the CIDR list */
#define XY_CLIENT_AGREEMENTS_MAX 16  /* agreements one client is bound to */

struct xy_machine_client {
	int64_t id;
	char client_id[XY_CLIENT_ID_LEN + 1];
	char name[XY_NAME_MAX];
	int64_t unit_id;
	uint8_t secret_hash[32];	 /* SM3 of the secret (256 random bits) */
	char allow[XY_CLIENT_ALLOW_MAX]; /* comma-separated CIDR ranges */
	int rate;			 /* requests a second */
	int64_t daily_quota;		 /* requests a China day */
	int64_t agreements[XY_CLIENT_AGREEMENTS_MAX];
	int nagreements;
	int32_t valid_to; /* China day number, inclusive */
	int64_t created_by, created_at;
	int64_t revoked_at; /* 0: in force */
	char revoke_reason[XY_NOTE_MAX];
};

/* Adds a client (sets id); XY_EEXISTS when the client id is taken. */
XY_WUR int xy_store_client_add(struct xy_store *st, struct xy_machine_client *c);
XY_WUR int xy_store_client_get(struct xy_store *st, int64_t id, struct xy_machine_client *c);
XY_WUR int xy_store_client_by_cid(struct xy_store *st, const char *client_id,
				  struct xy_machine_client *c);
/* Revokes a client in force; XY_ENOTFOUND when there is none to revoke. */
XY_WUR int xy_store_client_revoke(struct xy_store *st, int64_t id, int64_t by, int64_t at,
				  const char *reason);
/* Clients of a unit (0: all) with id > after, in id order, up to limit. */
XY_WUR int xy_store_client_each(struct xy_store *st, int64_t unit_id, int64_t after, int limit,
				int (*fn)(void *arg, const struct xy_machine_client *c), void *arg);
/* Requests a client made on a day (0 when none recorded), and recording it. */
XY_WUR int xy_store_client_usage(struct xy_store *st, int64_t id, int32_t day, int64_t *used);
XY_WUR int xy_store_client_usage_set(struct xy_store *st, int64_t id, int32_t day, int64_t used);

/* ---- exports (SHR-7) ---- */

struct xy_export_done {
	int64_t request_id, account, downloaded_at;
	long rows;
	long long bytes;
	uint8_t sm3[32];
};

/* Records the one download of an export; XY_EEXISTS when it was taken. */
XY_WUR int xy_store_export_claim(struct xy_store *st, const struct xy_export_done *e);
/* XY_ENOTFOUND when the export has not been downloaded. */
XY_WUR int xy_store_export_get(struct xy_store *st, int64_t request_id, struct xy_export_done *e);
/* The credit office of a region (XY_ENOTFOUND when it has none). */
XY_WUR int xy_store_unit_office(struct xy_store *st, const char *region, int64_t *unit_id);

/* ---- publishing to the portal (NET-1, POR-2; sqlite_publish.c) ---- */

#define XY_PUB_KIND_MAX 16  /* bytes of an object kind ("record", "subject") */
#define XY_PUB_ID_MAX	128 /* bytes of an object id (a record id, a subject code) */

/* One change set written to the outbox. */
struct xy_publication {
	int64_t seq;
	char kind[12]; /* "snapshot" or "delta" */
	int64_t created_at;
	char file[64]; /* its name in DIR/outbox */
	long long bytes;
	uint8_t sm3[32]; /* of the whole file, signature line included */
	long lines, records, removals;
};

/* The last change set (XY_ENOTFOUND when none was ever written). */
XY_WUR int xy_store_publication_last(struct xy_store *st, struct xy_publication *out);
/* Records a change set; XY_EEXISTS when its seq is taken. */
XY_WUR int xy_store_publication_add(struct xy_store *st, const struct xy_publication *p);
/* What the portal holds: fn for every published object (kind, id, SM3 of
 * the line last sent for it), in kind then id order, until nonzero. */
XY_WUR int xy_store_published_each(struct xy_store *st,
				   int (*fn)(void *arg, const char *kind, const char *id,
					     const uint8_t sm3[32]),
				   void *arg);
/* Sets (insert or replace) or removes one object of the published state;
 * clear removes all of it (before a snapshot). */
XY_WUR int xy_store_published_set(struct xy_store *st, const char *kind, const char *id,
				  const uint8_t sm3[32]);
XY_WUR int xy_store_published_del(struct xy_store *st, const char *kind, const char *id);
XY_WUR int xy_store_published_clear(struct xy_store *st);
/* Every record of a dataset in finished batches, whatever its status, in
 * id order (views as xy_store_dataset_records gives them, status set); fn
 * until nonzero. */
XY_WUR int xy_store_publish_records(struct xy_store *st, const char *dataset,
				    int (*fn)(void *arg, const struct xy_store_rec_view *r),
				    void *arg);
/* ---- portal sections (POR-5; sqlite_section.c) ---- */

/* A notice (通知公告) or policy page (政策法规) of the portal: its
 * responsible unit and the period within which it must be updated.  Times
 * are microseconds since the epoch.  The reads fill unit_code and
 * unit_name from the unit. */
struct xy_section {
	char id[XY_SECTION_ID_MAX + 1];
	char kind[8]; /* "notice" or "policy" */
	char title[XY_SECTION_TITLE_MAX + 1];
	int64_t unit_id;
	char unit_code[XY_UNIT_CODE_MAX + 1];
	char unit_name[XY_NAME_MAX];
	int period_days;
	int64_t created_at, created_by, updated_at, updated_by;
	const char *body; /* reads: valid until the callback returns (NULL: not read) */
	size_t body_len;
};

/* Adds a section (created = updated = s->updated_at, by s->updated_by);
 * the id of a removed section is taken again.  XY_EEXISTS when a section
 * with that id is in place. */
XY_WUR int xy_store_section_add(struct xy_store *st, const struct xy_section *s);
/* Replaces kind, title, body, unit and period of a section in place, and
 * its updated_at/by.  XY_ENOTFOUND when there is none. */
XY_WUR int xy_store_section_update(struct xy_store *st, const struct xy_section *s);
/* Removes a section (its row stays, marked).  XY_ENOTFOUND when none. */
XY_WUR int xy_store_section_remove(struct xy_store *st, const char *id, int64_t by, int64_t at);
/* A section in place, its body copied into body (NULL: not read; out->body
 * then NULL, else body->p).  XY_ENOTFOUND. */
XY_WUR int xy_store_section_get(struct xy_store *st, const char *id, struct xy_section *out,
				struct xy_buf *body);
/* Calls fn for each section in place with an id after `after` ("" from the
 * first), in id order, at most limit (0: all), with its body when
 * with_body, until fn returns nonzero (returned). */
XY_WUR int xy_store_section_each(struct xy_store *st, const char *after, int limit, int with_body,
				 int (*fn)(void *arg, const struct xy_section *s), void *arg);
/* Calls fn for each section in place whose period ended before before_us
 * (updated_at + period_days days < before_us), the longest ended first, at
 * most limit, without bodies, until fn returns nonzero (returned). */
XY_WUR int xy_store_section_due_before(struct xy_store *st, int64_t before_us, int limit,
				       int (*fn)(void *arg, const struct xy_section *s), void *arg);

/* ---- row tags (CRY-2; sqlite_tag.c, docs/FORMATS.md) ---- */

/* Records, accounts (with their roles), agreements (with their lines),
 * grants and clients carry tag = HMAC-SM3(row key, canonical bytes) and the
 * row key's id.  Every write of such a row tags it; every read checks it
 * and answers XY_ETAMPER for a row changed behind the application's back
 * (noted on the handle: xy_store_tamper_take). */
#define XY_TAG_TABLES	    5
#define XY_TAG_BACKFILL_KEY "row_tags_backfill" /* meta: rows from before migration 9 */
#define XY_STORE_TAMPER_MAX 4

struct xy_sealer;

/* Gives the handle the sealer whose row keys tag and check its rows
 * (borrowed; used on the handle's thread only) and returns the one it had.
 * Without one, a write or read of a tagged row fails with XY_EKEY. */
struct xy_sealer *xy_store_set_tagger(struct xy_store *st, struct xy_sealer *s);

struct xy_store_tamper {
	char table[16];
	int64_t id;
	char what[48];
};
/* The tampered rows this handle's reads met since the last call (the first
 * XY_STORE_TAMPER_MAX of them into out[0..max)), then forgets them; returns
 * how many were met. */
int xy_store_tamper_take(struct xy_store *st, struct xy_store_tamper *out, int max);
int xy_store_tamper_pending(struct xy_store *st);

/* The name of tagged table t (0 .. XY_TAG_TABLES - 1). */
const char *xy_store_tag_table(int t);
/* Checks every tagged row: fn for each one that fails (table, id, what is
 * wrong) until it returns nonzero; rows[t] how many were checked, *bad how
 * many failed. */
XY_WUR int xy_store_tag_verify(struct xy_store *st,
			       int (*fn)(void *arg, const char *table, int64_t id,
					 const char *what),
			       void *arg, long rows[XY_TAG_TABLES], long *bad);
/* 1 when rows written before migration 9 still wait for their first tag. */
XY_WUR int xy_store_tag_backfill_pending(struct xy_store *st);
/* Tags every row without a tag (*n of them) and clears the pending mark,
 * inside the caller's transaction. */
XY_WUR int xy_store_tag_backfill(struct xy_store *st, long *n);
XY_WUR int xy_store_meta_del(struct xy_store *st, const char *key);

/* ---- audit events (stored by audit/, which owns their meaning) ---- */

struct xy_store_event {
	int64_t seq;
	int64_t ts_us;
	const char *zone, *client, *agent, *account, *real_name, *unit;
	const char *action, *object, *purpose, *grant_ref, *result, *reason;
	uint8_t hash[32];
};

/* The last event's sequence number and hash (0 and zeros when empty). */
XY_WUR int xy_store_audit_head(struct xy_store *st, int64_t *seq, uint8_t hash[32]);
XY_WUR int xy_store_audit_insert(struct xy_store *st, const struct xy_store_event *ev);
/* Calls fn for every event in sequence order until it returns nonzero. */
XY_WUR int xy_store_audit_scan(struct xy_store *st, int64_t from_seq,
			       int (*fn)(void *arg, const struct xy_store_event *ev), void *arg);
/* The first event present (0 when there is none). */
XY_WUR int xy_store_audit_first(struct xy_store *st, int64_t *seq);
/* Event seq's time and hash; XY_ENOTFOUND. */
XY_WUR int xy_store_audit_at(struct xy_store *st, int64_t seq, int64_t *ts_us, uint8_t hash[32]);
/* The smallest seq <= through whose time is cutoff_us or later (0: none). */
XY_WUR int xy_store_audit_young(struct xy_store *st, int64_t through, int64_t cutoff_us,
				int64_t *seq);
/* AUD-4, in the caller's transaction: moves the retention record forward
 * to (through, cutoff_us), then removes events 1..through, all older than
 * cutoff_us (the triggers of migration 8 refuse anything else). */
XY_WUR int xy_store_audit_remove(struct xy_store *st, int64_t through, int64_t cutoff_us,
				 int64_t *removed);

/* A search of the trail (AUD-5), newest first.  NULL fields do not filter;
 * client matches the whole "address:port" or the address alone; the
 * object patterns match substrings of the event's object. */
struct xy_audit_filter {
	const char *account, *unit, *action, *result, *zone, *client;
	const char *object_any[2]; /* the object holds one of these (NULL: any) */
	const char *object_all;	   /* and this */
	int64_t from_us, to_us;	   /* time window [from, to); 0: open */
	int64_t before_seq;	   /* events below this seq (0: from the newest) */
	int64_t floor_seq;	   /* and at or above this one (bounds the scan) */
};
/* Calls fn for each match, at most limit, until it returns nonzero. */
XY_WUR int xy_store_audit_search(struct xy_store *st, const struct xy_audit_filter *f, int limit,
				 int (*fn)(void *arg, const struct xy_store_event *ev), void *arg);

/* ---- portals and the cases they bring in (POR-3; sqlite_case.c) ---- */

#define XY_PORTAL_NAME_MAX 64 /* bytes of a registered portal's name */
#define XY_TICKET_MAX	   24 /* bytes of a ticket number */
#define XY_CASE_KIND_MAX   16
#define XY_CASE_STATUS_MAX 16
#define XY_CASE_REPLY_MAX  2000 /* bytes of the reply given to the submitter */
#define XY_PORTAL_PEM_MAX  1024 /* bytes of its public key (PEM; = XY_SM2_PEM_MAX) */

/* A portal whose submissions are taken: its public key and the last file taken. */
struct xy_portal_reg {
	char key_id[65]; /* hex SM3 of the key */
	char name[XY_PORTAL_NAME_MAX + 1];
	char pem[XY_PORTAL_PEM_MAX + 1]; /* PEM public key */
	int64_t last_seq;
	int64_t registered_at;
};
XY_WUR int xy_store_portal_add(struct xy_store *st, const struct xy_portal_reg *p);
XY_WUR int xy_store_portal_get(struct xy_store *st, const char *key_id, struct xy_portal_reg *out);
/* Moves last_seq from `from` to `to`; XY_ECONFLICT when it is no longer `from` (another
 * taker was first). */
XY_WUR int xy_store_portal_advance(struct xy_store *st, const char *key_id, int64_t from,
				   int64_t to);
XY_WUR int xy_store_portal_each(struct xy_store *st,
				int (*fn)(void *arg, const struct xy_portal_reg *p), void *arg);

struct xy_case {
	int64_t id;
	char ticket[XY_TICKET_MAX + 1];
	char check[65]; /* hex SM3 of ticket ":" check code */
	char kind[XY_CASE_KIND_MAX];
	int64_t record_id;
	char subject[XY_SUBJECT_CODE_MAX + 1];
	char status[XY_CASE_STATUS_MAX];
	char portal[XY_PORTAL_NAME_MAX + 1];
	int64_t file_seq;
	char submitted[40]; /* as the portal wrote it (RFC 3339) */
	int64_t received_at, updated_at;
	int64_t unit_id; /* the record's providing unit (0: the record is unknown) */
	char reply[XY_CASE_REPLY_MAX + 1];
	const void *sealed; /* the submitter's details, sealed (reads: valid until the next
			       call on the store) */
	size_t sealed_len;
};
/* Inserts c (id set on return); XY_EEXISTS when the ticket is taken. */
XY_WUR int xy_store_case_insert(struct xy_store *st, struct xy_case *c);
XY_WUR int xy_store_case_seal(struct xy_store *st, int64_t id, const void *sealed, size_t n);
XY_WUR int xy_store_case_get(struct xy_store *st, const char *ticket, struct xy_case *out);
/* Cases with id > after (kind, status: NULL for any), in id order, at most limit. */
XY_WUR int xy_store_case_list(struct xy_store *st, const char *kind, const char *status,
			      int64_t after, int limit,
			      int (*fn)(void *arg, const struct xy_case *c), void *arg);
/* 1 in *open when an objection case about the record is still open. */
XY_WUR int xy_store_case_open_objection(struct xy_store *st, int64_t record_id, int *open);
/* What a case needs of a record: its dataset and providing unit; XY_ENOTFOUND. */
XY_WUR int xy_store_record_owner(struct xy_store *st, int64_t record_id, char *dataset, size_t cap,
				 int64_t *unit_id, char *status, size_t scap);

#endif
