/* The retention job (AUD-4): events older than the retention period go,
 * only through here, only after the whole trail has verified, and only
 * under a signed "retain" checkpoint that lets verification go on from
 * where the removed events ended.  The job's own event records what it
 * removed. */
#ifndef XY_AUDIT_RETAIN_H
#define XY_AUDIT_RETAIN_H

#include <stdint.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"

#define XY_RETAIN_MONTHS_MIN 6

struct xy_retain_result {
	int64_t cutoff_us;   /* events before this time may go */
	int64_t through_seq; /* the last event removed (0: none) */
	int64_t removed;
	struct xy_audit_check check; /* the verification that came first */
};

/* Removes the events older than `months` calendar months before now_us
 * (counted from midnight in China).  who names the caller for the job's
 * event (a local command or the server's maintenance).  XY_EINVAL for
 * months below XY_RETAIN_MONTHS_MIN; XY_ETAMPER (nothing removed, a failed
 * event written) when the trail does not verify; XY_EAUDIT. */
__attribute__((warn_unused_result)) int
xy_audit_retain(struct xy_store *st, struct xy_auditcp *cp, const struct xy_sm2key *key,
		const char *cp_path, int months, int64_t now_us, const struct xy_audit_event *who,
		struct xy_retain_result *out);

#endif
