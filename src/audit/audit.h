/* The audit trail (AUD-1, AUD-2, AUD-3): one event per operation, chained
 * with SM3 so that any change, deletion, insertion or reordering shows:
 *     h_n = SM3(h_{n-1} || canonical(event_n)),  h_0 = 32 zero bytes.
 * The canonical encoding is in docs/FORMATS.md.
 *
 * xy_audit_append writes inside the caller's open transaction, so the event
 * and the change it records commit together or not at all; any failure is
 * XY_EAUDIT and the caller must roll back (fail closed). */
#ifndef XY_AUDIT_AUDIT_H
#define XY_AUDIT_AUDIT_H

#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

#define XY_ZONE_GOV "government"
#define XY_ZONE_NET "internet"

struct xy_audit_event {
	const char *zone;      /* XY_ZONE_GOV or XY_ZONE_NET */
	const char *client;    /* address:port, or "local" for a command on the host */
	const char *agent;     /* user agent / terminal */
	const char *account;   /* platform account, or "os:USER" for host commands */
	const char *real_name; /* NULL when not known */
	const char *unit;      /* unit code */
	const char *action;    /* e.g. "import", "instance.init", "catalog.load" */
	const char *object;    /* JSON object: dataset, subject, record ids, counts… */
	const char *purpose;
	const char *grant_ref;
	const char *result; /* "ok", "refused" or "failed" */
	const char *reason;
};

/* Appends ev to the chain inside the caller's transaction. */
__attribute__((warn_unused_result)) int xy_audit_append(struct xy_store *st,
							const struct xy_audit_event *ev);

/* The same for a run of events in one transaction: read the head once,
 * then append each at the cursor (which advances only on success).  A
 * cursor starts zeroed and ends with xy_audit_cursor_done. */
struct xy_audit_cursor {
	int64_t seq;
	uint8_t hash[32];
	struct xy_buf scratch; /* the canonical bytes, reused */
};
__attribute__((warn_unused_result)) int xy_audit_head(struct xy_store *st,
						      struct xy_audit_cursor *cur);
__attribute__((warn_unused_result)) int xy_audit_append_at(struct xy_store *st,
							   struct xy_audit_cursor *cur,
							   const struct xy_audit_event *ev);
void xy_audit_cursor_done(struct xy_audit_cursor *cur);

/* The canonical bytes of a stored event (appended to out). */
__attribute__((warn_unused_result)) int xy_audit_canonical(const struct xy_store_event *ev,
							   struct xy_buf *out);

struct xy_audit_check {
	int64_t events;	 /* events read */
	int64_t bad_seq; /* first bad sequence number, 0 when intact */
	char what[160];	 /* what is wrong there */
};

/* Walks the whole chain from the first event: 0 when intact, XY_ETAMPER
 * with res naming the first bad event otherwise. */
__attribute__((warn_unused_result)) int xy_audit_verify_chain(struct xy_store *st,
							      struct xy_audit_check *res);

/* Fills the host-command identity (zone government, client "local",
 * account "os:USER") into ev. */
void xy_audit_local(struct xy_audit_event *ev);

#endif
