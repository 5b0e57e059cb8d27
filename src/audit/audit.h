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

#define XY_AUDIT_EVENT_MAX (256 * 1024) /* canonical bytes of one event */

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
/* The same with the event's time given (the retention tests write months
 * of history at once; everything else uses the clock). */
__attribute__((warn_unused_result)) int xy_audit_append_timed(struct xy_store *st,
							      struct xy_audit_cursor *cur,
							      const struct xy_audit_event *ev,
							      int64_t ts_us);
void xy_audit_cursor_done(struct xy_audit_cursor *cur);

/* The canonical bytes of a stored event (appended to out). */
__attribute__((warn_unused_result)) int xy_audit_canonical(const struct xy_store_event *ev,
							   struct xy_buf *out);

/* One step of the chain: out = SM3(prev || canonical(ev)).  scratch is a
 * buffer the caller keeps between events (its limit is set here). */
__attribute__((warn_unused_result)) int xy_audit_link(const uint8_t prev[32],
						      const struct xy_store_event *ev,
						      struct xy_buf *scratch, uint8_t out[32]);

struct xy_sm2key;
struct xy_audit_check {
	int64_t events;	     /* events read */
	int64_t checkpoints; /* signed lines checked */
	int64_t first_seq;   /* first event present (after retention) */
	int64_t last_seq;    /* last event present */
	int64_t covered_seq; /* last event under a signed checkpoint */
	int64_t bad_seq;     /* first bad sequence number, 0 when intact */
	char what[320];	     /* what is wrong there */
};

/* Walks the whole chain from its first event and, with key and cp_path,
 * the checkpoint file: every signature, every checkpoint against the chain,
 * the retention base, and a tail cut off behind the last checkpoint.  0
 * when intact; XY_ETAMPER with res naming the first bad sequence number
 * and what is wrong (changed, deleted, inserted, reordered, cut off, or a
 * checkpoint line altered); other errors when the check could not run. */
__attribute__((warn_unused_result)) int xy_audit_verify(struct xy_store *st,
							const struct xy_sm2key *key,
							const char *cp_path,
							struct xy_audit_check *res);
/* The chain alone: xy_audit_verify(st, NULL, NULL, res). */
__attribute__((warn_unused_result)) int xy_audit_verify_chain(struct xy_store *st,
							      struct xy_audit_check *res);

/* Fills the host-command identity (zone government, client "local",
 * account "os:USER") into ev. */
void xy_audit_local(struct xy_audit_event *ev);

#endif
