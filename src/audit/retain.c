/* The retention job: see retain.h. */
#include "audit/retain.h"

#include <stdio.h>
#include <string.h>

#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

#define DAY_US	     (86400LL * 1000000LL)
#define CHINA_UTC_US (8LL * 3600LL * 1000000LL)

/* Midnight in China, `months` calendar months before the day of now_us. */
static int64_t cutoff_of(int64_t now_us, int months)
{
	int32_t today = (int32_t)((now_us + CHINA_UTC_US) / DAY_US);
	int32_t day = xy_date_add_months(today, -months);
	return (int64_t)day * DAY_US - CHINA_UTC_US;
}

/* The last event older than cutoff: binary search on seq (times rise with
 * seq), then pulled back below any younger event in the range (a clock
 * that stepped back must not take a young event with it). */
static int last_old(struct xy_store *st, int64_t first, int64_t last, int64_t cutoff,
		    int64_t *through)
{
	int64_t lo = first, hi = last, ts, young;
	uint8_t h[32];
	int rc;

	*through = 0;
	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if ((rc = xy_store_audit_at(st, mid, &ts, h)))
			return rc; /* a gap: the verification before would have said */
		if (ts < cutoff) {
			*through = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (*through && (rc = xy_store_audit_young(st, *through, cutoff, &young)))
		return rc;
	if (*through && young)
		*through = young - 1;
	return 0;
}

static int job_event(struct xy_store *st, const struct xy_audit_event *who,
		     const struct xy_retain_result *r, int months, const char *result,
		     const char *reason, int in_tx)
{
	struct xy_audit_event ev = *who;
	char obj[256];

	snprintf(obj, sizeof obj,
		 "{\"months\":%d,\"cutoff_us\":%lld,\"through_seq\":%lld,\"removed\":%lld}", months,
		 (long long)r->cutoff_us, (long long)r->through_seq, (long long)r->removed);
	ev.action = "audit.retention";
	ev.object = obj;
	ev.result = result;
	ev.reason = reason;
	if (in_tx)
		return xy_audit_append(st, &ev);
	if (xy_store_begin(st))
		return XY_EAUDIT;
	if (xy_audit_append(st, &ev) || xy_store_commit(st)) {
		xy_store_rollback(st);
		return XY_EAUDIT;
	}
	return 0;
}

int xy_audit_retain(struct xy_store *st, struct xy_auditcp *cp, const struct xy_sm2key *key,
		    const char *cp_path, int months, int64_t now_us,
		    const struct xy_audit_event *who, struct xy_retain_result *out)
{
	int64_t first, ts;
	uint8_t head[32];
	int rc;

	memset(out, 0, sizeof *out);
	if (months < XY_RETAIN_MONTHS_MIN)
		return XY_EINVAL;
	out->cutoff_us = cutoff_of(now_us, months);
	/* Nothing goes unless everything verifies: removing events must not
	 * hide a change made to them. */
	rc = xy_audit_verify(st, key, cp_path, &out->check);
	if (rc == XY_ETAMPER) {
		xy_log_error("audit retention: the trail does not verify; nothing removed");
		return job_event(st, who, out, months, "failed", "chain_broken", 0) ? XY_EAUDIT
										    : XY_ETAMPER;
	}
	if (rc)
		return rc;
	first = out->check.first_seq;
	if (out->check.events > 0 &&
	    (rc = last_old(st, first, out->check.last_seq, out->cutoff_us, &out->through_seq)))
		return rc;
	if (out->through_seq < first) {
		out->through_seq = 0;
		return job_event(st, who, out, months, "ok", NULL, 0);
	}
	/* The signed base first: if what follows fails, the events are still
	 * there and still verify from the start. */
	if ((rc = xy_store_audit_at(st, out->through_seq, &ts, head)) ||
	    (rc = xy_auditcp_retain(cp, out->through_seq, head)))
		return rc;
	if ((rc = xy_store_begin(st)))
		return rc;
	rc = xy_store_audit_remove(st, out->through_seq, out->cutoff_us, &out->removed);
	if (!rc)
		rc = job_event(st, who, out, months, "ok", NULL, 1);
	if (!rc)
		rc = xy_store_commit(st);
	if (rc) {
		xy_store_rollback(st);
		xy_log_error("audit retention: %s; nothing removed", xy_strerror(rc));
		return rc;
	}
	(void)xy_auditcp_sync(cp, st, 1);
	(void)xy_auditcp_compact(cp, out->through_seq);
	xy_log_info("audit retention: %lld events removed (%lld..%lld, before the cut-off)",
		    (long long)out->removed, (long long)first, (long long)out->through_seq);
	return 0;
}
