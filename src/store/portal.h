/* The portal's store, public.db (POR-1, POR-2): built only from verified change sets,
 * never from anything typed on the portal but its own submissions' receipts.  SQLite in
 * WAL mode; the apply loop writes one transaction per change set while the page threads
 * read, each through a connection of its own (a handle is one connection and its
 * prepared statements: one thread at a time).
 *
 * Tables: subjects (with an FTS5 trigram index on names), records (the change-set line
 * kept as published, plus the columns the pages look up by), sections, tickets (case
 * states from change sets), changesets (what was applied), alarms (what was refused),
 * own_tickets (submissions this portal sent; never replaced by a snapshot) and meta. */
#ifndef XY_STORE_PORTAL_H
#define XY_STORE_PORTAL_H

#include <stddef.h>

#include "ferry/csline.h"
#include "util/limits.h"

struct xy_pstore;

/* Opens path (create: make it and its schema; it must not exist yet).  XY_ESTORE with
 * err.  One handle per thread. */
__attribute__((warn_unused_result)) int
xy_pstore_open(const char *path, int create, struct xy_pstore **out, char *err, size_t errlen);
void xy_pstore_close(struct xy_pstore *s);

struct xy_pstate {
	long long seq;			   /* last applied change set, 0: none */
	char created[24];		   /* its "created" */
	char platform[XY_CS_TEXT_MAX + 1]; /* its "platform" */
	long long alarms;		   /* files refused so far */
	char last_alarm[24];		   /* when the last one was refused (RFC 3339 UTC) */
};
__attribute__((warn_unused_result)) int xy_pstore_state(struct xy_pstore *s, struct xy_pstate *st);

/* ---- applying a change set: begin, a line at a time, commit or rollback ---- */

/* BEGIN IMMEDIATE; a snapshot first removes every subject, record, section and ticket. */
__attribute__((warn_unused_result)) int xy_pstore_apply_begin(struct xy_pstore *s, int snapshot);
/* One checked line; line[0..n) is its text, kept as published for a record. */
__attribute__((warn_unused_result)) int
xy_pstore_apply_line(struct xy_pstore *s, const struct xy_csline *l, const char *line, size_t n);
/* Records the change set and commits (durably). */
__attribute__((warn_unused_result)) int xy_pstore_apply_commit(struct xy_pstore *s, long long seq,
							       int snapshot, const char *created,
							       const char *platform, long lines,
							       const char *file);
void xy_pstore_rollback(struct xy_pstore *s);
/* Notes a refused file (its own transaction). */
__attribute__((warn_unused_result)) int xy_pstore_alarm(struct xy_pstore *s, const char *file,
							const char *reason);

/* ---- reads for the pages ---- */

struct xy_psubject {
	char code[XY_CS_CODE_MAX + 1];
	char kind[8];
	char name[XY_CS_TEXT_MAX + 1];
	char region[XY_CS_CODE_MAX + 1];
	char region_name[XY_CS_TEXT_MAX + 1];
};
/* XY_ENOTFOUND when the code is not published. */
__attribute__((warn_unused_result)) int xy_pstore_subject(struct xy_pstore *s, const char *code,
							  struct xy_psubject *out);

/* Legal persons by code prefix (q all digits and capitals) or by part of the name
 * (three characters and more: the trigram index; one or two: a scan), in a stable
 * order; page counts from 0.  cb is called for each, *more set when another page
 * exists. */
typedef int (*xy_psubject_cb)(void *arg, const struct xy_psubject *sj);
__attribute__((warn_unused_result)) int xy_pstore_search(struct xy_pstore *s, const char *q,
							 int page, xy_psubject_cb cb, void *arg,
							 int *more);

struct xy_precord {
	long long id;
	const char *dataset, *subject, *date, *display_until;
	int objection;
	const char *line; /* the change-set line as published */
	size_t len;
};
typedef int (*xy_precord_cb)(void *arg, const struct xy_precord *r);
/* A subject's records still on display on day today ("YYYY-MM-DD": a record whose
 * display_until is before it is not shown even before its removal arrives), by
 * dataset and newest first, at most XY_PORTAL_RECORDS_MAX. */
__attribute__((warn_unused_result)) int xy_pstore_records(struct xy_pstore *s, const char *code,
							  const char *today, xy_precord_cb cb,
							  void *arg);
/* One record (same rule on display); XY_ENOTFOUND. */
__attribute__((warn_unused_result)) int
xy_pstore_record(struct xy_pstore *s, long long id, const char *today, xy_precord_cb cb, void *arg);

struct xy_psection {
	const char *id, *kind, *title, *body, *unit, *updated;
	long period_days;
};
typedef int (*xy_psection_cb)(void *arg, const struct xy_psection *sec);
__attribute__((warn_unused_result)) int xy_pstore_sections(struct xy_pstore *s, xy_psection_cb cb,
							   void *arg);

struct xy_pticket {
	char kind[16];
	char status[16]; /* "pending" for the portal's own, not yet in a change set */
	char updated[24];
	char check[65]; /* hex SM3 of "ticket:check code" */
	char reply[XY_CS_REPLY_MAX + 1];
	long long record;
};
/* A ticket's state from the change sets, else the portal's own receipt of it;
 * XY_ENOTFOUND. */
__attribute__((warn_unused_result)) int xy_pstore_ticket(struct xy_pstore *s, const char *ticket,
							 struct xy_pticket *out);

/* The portal's own submissions: begins a transaction, takes the next submissions
 * sequence number and notes the ticket (XY_EEXISTS when the ticket number is taken);
 * then the caller writes the file and ends with xy_pstore_own_commit or rollback. */
__attribute__((warn_unused_result)) int xy_pstore_own_begin(struct xy_pstore *s, const char *ticket,
							    const char *check, const char *kind,
							    long long record, const char *submitted,
							    long long *seq);
__attribute__((warn_unused_result)) int xy_pstore_own_commit(struct xy_pstore *s);

#endif
