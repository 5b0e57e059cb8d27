/* Group commit for audit events that have no change of their own to ride
 * with (reads, sign-ins, refusals): request threads hand their events to
 * one writer thread, which appends whatever has gathered to the chain in
 * one transaction and one durable commit, then wakes every waiter (AUD-2).
 * A request answers only after its event is durable; when it cannot be
 * made durable the caller gets XY_EAUDIT and must answer
 * 503 audit_unavailable.
 *
 * Events that record a change are appended by xy_audit_append inside the
 * change's own transaction instead; SQLite's write lock orders both kinds
 * in one chain. */
#ifndef XY_AUDIT_WRITER_H
#define XY_AUDIT_WRITER_H

#include "audit/audit.h"

#define XY_AUDITW_QUEUE_MAX 8192	/* events waiting; submitters block beyond */
#define XY_AUDITW_EVENT_MAX (64 * 1024) /* bytes of one event's fields */
#ifndef XY_AUDITW_GATHER_US
#define XY_AUDITW_GATHER_US 100 /* under load, wait this long for more events */
#endif
#define XY_AUDITW_GATHER_MAX 64 /* unless this many are already waiting */

struct xy_auditw;

struct xy_auditcp;
/* Opens its own connection to the store at db_path and starts the thread.
 * After each commit it offers the new head to cp (may be NULL), which
 * signs a checkpoint when one is due (AUD-3). */
__attribute__((warn_unused_result)) int xy_auditw_start(const char *db_path, struct xy_auditcp *cp,
							struct xy_auditw **out);
/* Copies ev, waits until it is durable.  0 or XY_EAUDIT (XY_ELIMIT when the
 * event's fields exceed XY_AUDITW_EVENT_MAX). */
__attribute__((warn_unused_result)) int xy_auditw_write(struct xy_auditw *w,
							const struct xy_audit_event *ev);
/* The same without waiting: done(arg, 0 or XY_EAUDIT) is called on the
 * writer's thread once the event is durable or lost, exactly once when this
 * returns 0, never when it returns an error.  done must be quick and must
 * not submit. */
typedef void (*xy_auditw_done_fn)(void *arg, int rc);
__attribute__((warn_unused_result)) int xy_auditw_submit(struct xy_auditw *w,
							 const struct xy_audit_event *ev,
							 xy_auditw_done_fn done, void *arg);
/* Writes what is queued, stops the thread, closes. */
void xy_auditw_stop(struct xy_auditw *w);

#endif
