#include "audit/audit.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/sm.h"
#include "util/date.h"
#include "util/err.h"
#include "util/fault.h"
#include "util/log.h"

#define EVENT_MAX (256 * 1024) /* canonical bytes of one event */

static int put_field(struct xy_buf *b, const char *s)
{
	uint8_t len[4];
	uint32_t n;

	if (!s) {
		memset(len, 0xff, 4); /* NULL differs from the empty string */
		return xy_buf_add(b, len, 4);
	}
	n = (uint32_t)strlen(s);
	len[0] = (uint8_t)(n >> 24);
	len[1] = (uint8_t)(n >> 16);
	len[2] = (uint8_t)(n >> 8);
	len[3] = (uint8_t)n;
	int rc = xy_buf_add(b, len, 4);
	return rc ? rc : xy_buf_add(b, s, n);
}

int xy_audit_canonical(const struct xy_store_event *ev, struct xy_buf *out)
{
	char seq[24], ts[24];
	const char *fields[14];
	int rc = 0;

	seq[xy_i64_str(ev->seq, seq)] = 0;
	ts[xy_i64_str(ev->ts_us, ts)] = 0;
	fields[0] = seq;
	fields[1] = ts;
	fields[2] = ev->zone;
	fields[3] = ev->client;
	fields[4] = ev->agent;
	fields[5] = ev->account;
	fields[6] = ev->real_name;
	fields[7] = ev->unit;
	fields[8] = ev->action;
	fields[9] = ev->object;
	fields[10] = ev->purpose;
	fields[11] = ev->grant_ref;
	fields[12] = ev->result;
	fields[13] = ev->reason;
	for (int i = 0; i < 14 && !rc; i++)
		rc = put_field(out, fields[i]);
	return rc;
}

/* The bytes a chain step hashes, prev || canonical(ev), into scratch: a
 * buffer the caller keeps between events (its max is set here). */
static int chain_bytes(const uint8_t prev[32], const struct xy_store_event *ev,
		       struct xy_buf *scratch)
{
	int rc;
	xy_buf_reset(scratch);
	scratch->max = EVENT_MAX;
	rc = xy_buf_add(scratch, prev, 32);
	return rc ? rc : xy_audit_canonical(ev, scratch);
}

static int chain_hash(const uint8_t prev[32], const struct xy_store_event *ev,
		      struct xy_buf *scratch, uint8_t out[32])
{
	int rc = chain_bytes(prev, ev, scratch);
	if (!rc)
		xy_sm3(scratch->p, scratch->len, out);
	return rc;
}

int xy_audit_head(struct xy_store *st, struct xy_audit_cursor *cur)
{
	int rc = xy_store_audit_head(st, &cur->seq, cur->hash);
	if (!cur->scratch.max)
		xy_buf_init(&cur->scratch, EVENT_MAX);
	if (rc)
		xy_log_error("audit: the chain head cannot be read: %s", xy_strerror(rc));
	return rc ? XY_EAUDIT : 0;
}

int xy_audit_append_at(struct xy_store *st, struct xy_audit_cursor *cur,
		       const struct xy_audit_event *in)
{
	struct xy_store_event ev = {0};
	int rc;

	if (xy_fault("audit_append")) {
		xy_log_error("audit: injected failure (XY_FAULT=audit_append)");
		return XY_EAUDIT;
	}
	ev.seq = cur->seq + 1;
	ev.ts_us = xy_now_us();
	ev.zone = in->zone ? in->zone : XY_ZONE_GOV;
	ev.client = in->client;
	ev.agent = in->agent;
	ev.account = in->account;
	ev.real_name = in->real_name;
	ev.unit = in->unit;
	ev.action = in->action;
	ev.object = in->object;
	ev.purpose = in->purpose;
	ev.grant_ref = in->grant_ref;
	ev.result = in->result ? in->result : "ok";
	ev.reason = in->reason;
	if (!ev.action) {
		rc = XY_EINVAL;
		goto fail;
	}
	if ((rc = chain_hash(cur->hash, &ev, &cur->scratch, ev.hash)) ||
	    (rc = xy_store_audit_insert(st, &ev)))
		goto fail;
	cur->seq = ev.seq;
	memcpy(cur->hash, ev.hash, sizeof cur->hash);
	return 0;
fail:
	xy_log_error("audit: event %s could not be written: %s", in->action ? in->action : "?",
		     xy_strerror(rc));
	return XY_EAUDIT;
}

void xy_audit_cursor_done(struct xy_audit_cursor *cur)
{
	xy_buf_cleanup(&cur->scratch);
}

int xy_audit_append(struct xy_store *st, const struct xy_audit_event *in)
{
	struct xy_audit_cursor cur = {0};
	int rc = xy_audit_head(st, &cur);
	if (!rc)
		rc = xy_audit_append_at(st, &cur, in);
	xy_audit_cursor_done(&cur);
	return rc;
}

/* Verification reads VERIFY_BATCH events, then hashes them together with
 * xy_sm3_many (sixteen at once where the CPU allows): each step starts from
 * the stored hash of the event before, so once read the steps are
 * independent.  They are still checked in order, and the first bad event is
 * the one reported, as if the walk had stopped there. */
#define VERIFY_BATCH 64

struct verify_ctx {
	struct xy_audit_check *res;
	uint8_t prev[32]; /* the stored hash of the last event read */
	int64_t expect;
	int n;				   /* events read and not yet checked: */
	struct xy_buf bytes[VERIFY_BATCH]; /* their chain-step input */
	int64_t seq[VERIFY_BATCH];
	uint8_t hash[VERIFY_BATCH][32]; /* their stored hashes */
};

/* Checks the events read and not yet checked, in order. */
static int verify_flush(struct verify_ctx *v)
{
	const void *msg[VERIFY_BATCH] = {0};
	size_t len[VERIFY_BATCH] = {0};
	uint8_t h[VERIFY_BATCH][32];
	int n = v->n;

	if (!n)
		return 0;
	v->n = 0;
	for (int i = 0; i < n; i++) {
		msg[i] = v->bytes[i].p;
		len[i] = v->bytes[i].len;
	}
	xy_sm3_many((size_t)n, msg, len, h);
	for (int i = 0; i < n; i++) {
		if (xy_ct_equal(h[i], v->hash[i], 32))
			continue;
		v->res->events -= n - 1 - i; /* those after it are not counted */
		v->res->bad_seq = v->seq[i];
		snprintf(
			v->res->what, sizeof v->res->what,
			"event %lld does not match its chain hash (changed, inserted or reordered)",
			(long long)v->seq[i]);
		return XY_ETAMPER;
	}
	return 0;
}

static int verify_one(void *arg, const struct xy_store_event *ev)
{
	struct verify_ctx *v = arg;
	int rc = 0;

	if (ev->seq != v->expect || (rc = chain_bytes(v->prev, ev, &v->bytes[v->n]))) {
		int frc = verify_flush(v); /* the events before it come first */
		if (frc)
			return frc;
		v->res->events++;
		if (rc)
			return rc;
		v->res->bad_seq = v->expect;
		snprintf(v->res->what, sizeof v->res->what,
			 ev->seq > v->expect ? "event %lld missing (deleted)"
					     : "event %lld out of order",
			 (long long)v->expect);
		return XY_ETAMPER;
	}
	v->res->events++;
	v->seq[v->n] = ev->seq;
	memcpy(v->hash[v->n++], ev->hash, 32);
	memcpy(v->prev, ev->hash, 32);
	v->expect++;
	return v->n == VERIFY_BATCH ? verify_flush(v) : 0;
}

int xy_audit_verify_chain(struct xy_store *st, struct xy_audit_check *res)
{
	struct verify_ctx v = {.res = res, .expect = 1};
	int rc;

	memset(res, 0, sizeof *res);
	for (int i = 0; i < VERIFY_BATCH; i++)
		xy_buf_init(&v.bytes[i], EVENT_MAX);
	rc = xy_store_audit_scan(st, 1, verify_one, &v);
	if (v.n) { /* the last events; or those before a store error */
		int frc = verify_flush(&v);
		if (frc)
			rc = frc;
	}
	for (int i = 0; i < VERIFY_BATCH; i++)
		xy_buf_cleanup(&v.bytes[i]);
	return rc;
}

void xy_audit_local(struct xy_audit_event *ev)
{
	static __thread char account[80];
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
		snprintf(account, sizeof account, "os:%s", res->pw_name);
	else
		snprintf(account, sizeof account, "os:uid%u", (unsigned)getuid());
	ev->zone = XY_ZONE_GOV;
	ev->client = "local";
	ev->agent = "xinyong-cli";
	ev->account = account;
}
