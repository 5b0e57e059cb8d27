/* The audit verifier (AUD-3): the chain, its signed checkpoints, the
 * retention base and the tail.  See xy_audit_verify in audit.h and
 * docs/FORMATS.md for what each finding means. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "util/err.h"

#define RETAIN_MAX  10000 /* retain lines one file may hold */
#define STOP_TAMPER 1	  /* scan callback: stop, finding recorded */

/* The walk reads BATCH events, then hashes their chain steps together with
 * xy_sm3_many (sixteen lanes where the CPU allows): each step starts from
 * the *stored* hash of the event before, so once read the steps are
 * independent.  They are still checked in order, and the first bad event is
 * the one reported, as if the walk had stopped there. */
#define BATCH 64

struct retain {
	int64_t seq;
	uint8_t head[32];
};

struct vstate {
	struct xy_audit_check *res;
	FILE *heads; /* the checkpoint file, read again in step with the events */
	long line;   /* its line number (1-based) of next */
	struct xy_cp next;
	int have_next;
	int64_t prev_cp; /* seq of the last checkpoint the chain matched */
	struct retain *ret;
	size_t nret;
	int have_file;
	uint8_t prev[32];	    /* the stored hash of the last event read */
	int64_t expect;		    /* 0 before the first event */
	int n;			    /* events read, not yet checked: */
	struct xy_buf bytes[BATCH]; /* their chain-step input, prev || canonical */
	int64_t seq[BATCH];
	uint8_t hash[BATCH][32]; /* their stored hashes */
	int rc;			 /* an error that stopped the check (not tamper) */
};

static void found(struct xy_audit_check *res, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void found(struct xy_audit_check *res, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	res->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(res->what, sizeof res->what, fmt, ap);
	va_end(ap);
}

/* The next head line of the file, skipping retain lines. */
static void next_head(struct vstate *v)
{
	char buf[XY_CP_LINE_MAX + 2];
	v->have_next = 0;
	while (v->heads && fgets(buf, sizeof buf, v->heads)) {
		v->line++;
		if (xy_cp_parse(buf, strcspn(buf, "\n"), &v->next))
			continue; /* pass 1 already refused a bad line */
		if (!v->next.retain) {
			v->have_next = 1;
			return;
		}
	}
}

/* Pass 1 over the file: every line parses, every signature holds, head
 * lines go up.  Collects the retain lines. */
static int check_file(struct vstate *v, const struct xy_sm2key *key, FILE *f)
{
	char buf[XY_CP_LINE_MAX + 2];
	int64_t last_head = 0;
	long line = 0;

	while (fgets(buf, sizeof buf, f)) {
		struct xy_cp c;
		size_t n = strcspn(buf, "\n");
		line++;
		if (buf[n] != '\n') {
			found(v->res, 0, "checkpoint file line %ld is %s", line,
			      n >= XY_CP_LINE_MAX ? "too long" : "torn (no end of line)");
			return XY_ETAMPER;
		}
		if (xy_cp_parse(buf, n, &c)) {
			found(v->res, 0, "checkpoint file line %ld does not parse", line);
			return XY_ETAMPER;
		}
		int rc = xy_sm2_verify(key, buf, c.signed_len, c.sig, c.siglen);
		if (rc == XY_ETAMPER) {
			found(v->res, c.seq,
			      "checkpoint file line %ld (event %lld): the signature does not match "
			      "(the line was altered or not signed by this platform)",
			      line, (long long)c.seq);
			return XY_ETAMPER;
		}
		if (rc)
			return rc;
		v->res->checkpoints++;
		if (c.retain) {
			if (v->nret == RETAIN_MAX) {
				found(v->res, 0, "checkpoint file: more than %d retain lines",
				      RETAIN_MAX);
				return XY_ETAMPER;
			}
			v->ret[v->nret].seq = c.seq;
			memcpy(v->ret[v->nret].head, c.head, 32);
			v->nret++;
			continue;
		}
		if (c.seq <= last_head) {
			found(v->res, c.seq,
			      "checkpoint file line %ld (event %lld) goes back from event %lld "
			      "(lines reordered or replayed)",
			      line, (long long)c.seq, (long long)last_head);
			return XY_ETAMPER;
		}
		last_head = c.seq;
	}
	return ferror(f) ? XY_EIO : 0;
}

/* The first event present is seq: where does the chain start? */
static int base(struct vstate *v, int64_t seq)
{
	v->res->first_seq = seq;
	memset(v->prev, 0, 32);
	if (seq == 1)
		return 0;
	for (size_t i = v->nret; i-- > 0;)
		if (v->ret[i].seq == seq - 1) {
			memcpy(v->prev, v->ret[i].head, 32);
			return 0;
		}
	found(v->res, 1,
	      "events 1..%lld are missing and no signed retention checkpoint covers them "
	      "(deleted)",
	      (long long)seq - 1);
	return STOP_TAMPER;
}

/* Checks the chain hash of event seq against the checkpoints that name it. */
static int against_checkpoints(struct vstate *v, int64_t seq, const uint8_t hash[32])
{
	while (v->have_next && v->next.seq < seq)
		next_head(v); /* about events before the first present (retained) */
	if (v->have_next && v->next.seq == seq) {
		if (!xy_ct_equal(v->next.head, hash, 32)) {
			found(v->res, v->prev_cp + 1,
			      "the chain at event %lld differs from its signed checkpoint (file "
			      "line "
			      "%ld): events %lld..%lld were changed and the chain rewritten over "
			      "them",
			      (long long)seq, v->line, (long long)v->prev_cp + 1, (long long)seq);
			return STOP_TAMPER;
		}
		v->prev_cp = seq;
		v->res->covered_seq = seq;
		next_head(v);
	}
	for (size_t i = 0; i < v->nret; i++)
		if (v->ret[i].seq == seq && !xy_ct_equal(v->ret[i].head, hash, 32)) {
			found(v->res, seq,
			      "the chain at event %lld differs from its signed retention "
			      "checkpoint",
			      (long long)seq);
			return STOP_TAMPER;
		}
	return 0;
}

/* Checks the events read and not yet checked, in order: each one's chain
 * hash, then the checkpoints that name it. */
static int flush(struct vstate *v)
{
	const void *msg[BATCH] = {0};
	size_t len[BATCH] = {0};
	uint8_t h[BATCH][32];
	int n = v->n, rc;

	v->n = 0;
	for (int i = 0; i < n; i++) {
		msg[i] = v->bytes[i].p;
		len[i] = v->bytes[i].len;
	}
	if (n)
		xy_sm3_many((size_t)n, msg, len, h);
	for (int i = 0; i < n; i++) {
		v->res->events++;
		if (!xy_ct_equal(h[i], v->hash[i], 32)) {
			/* classified by the caller, from the hash before it */
			memcpy(v->prev, v->bytes[i].p, 32);
			v->res->bad_seq = v->seq[i];
			return STOP_TAMPER;
		}
		if ((rc = against_checkpoints(v, v->seq[i], v->hash[i])))
			return rc;
		v->res->last_seq = v->seq[i];
	}
	return 0;
}

static int verify_one(void *arg, const struct xy_store_event *ev)
{
	struct vstate *v = arg;
	int rc;

	if (v->expect == 0) {
		if ((rc = base(v, ev->seq)))
			return rc;
		v->expect = ev->seq;
		v->prev_cp = ev->seq - 1;
	}
	if (ev->seq != v->expect) {
		/* The scan runs in seq order, so only a gap is possible here;
		 * the events before it are checked first. */
		if ((rc = flush(v)))
			return rc;
		v->res->events++;
		if (ev->seq == v->expect + 1)
			found(v->res, v->expect, "event %lld is missing (deleted)",
			      (long long)v->expect);
		else
			found(v->res, v->expect, "events %lld..%lld are missing (deleted)",
			      (long long)v->expect, (long long)ev->seq - 1);
		return STOP_TAMPER;
	}
	xy_buf_reset(&v->bytes[v->n]);
	if ((v->rc = xy_buf_add(&v->bytes[v->n], v->prev, 32)) ||
	    (v->rc = xy_audit_canonical(ev, &v->bytes[v->n]))) {
		rc = flush(v);
		return rc ? rc : v->rc;
	}
	v->seq[v->n] = ev->seq;
	memcpy(v->hash[v->n++], ev->hash, 32);
	memcpy(v->prev, ev->hash, 32);
	v->expect++;
	return v->n == BATCH ? flush(v) : 0;
}

/* The two events from a broken link on, with the hashes the classifier
 * needs: each one's content under its own seq and under its neighbour's. */
struct pair {
	int n;
	int64_t seq[2];
	uint8_t stored[2][32];
	uint8_t prev[32];
	uint8_t b_as_a[32];    /* H(prev, B with A's seq) */
	uint8_t b_after_a[32]; /* H(A.stored, B) */
	struct xy_store_event a_copy;
	char *a_text[12];   /* A's fields, for A under B's seq */
	uint8_t a_as_b[32]; /* H(B.stored, A with B's seq) */
	struct xy_buf scratch;
	int rc;
};

/* A copy of an event's text fields (strings the scan owns only during its
 * callback), NULL kept as NULL. */
static int copy_event(struct xy_store_event *dst, const struct xy_store_event *ev, char *f[12])
{
	const char *src[12] = {ev->zone,      ev->client,    ev->agent,	 ev->account,
			       ev->real_name, ev->unit,	     ev->action, ev->object,
			       ev->purpose,   ev->grant_ref, ev->result, ev->reason};
	for (int i = 0; i < 12; i++)
		if (src[i] && !(f[i] = strdup(src[i])))
			return XY_ENOMEM;
	*dst = *ev;
	dst->zone = f[0];
	dst->client = f[1];
	dst->agent = f[2];
	dst->account = f[3];
	dst->real_name = f[4];
	dst->unit = f[5];
	dst->action = f[6];
	dst->object = f[7];
	dst->purpose = f[8];
	dst->grant_ref = f[9];
	dst->result = f[10];
	dst->reason = f[11];
	return 0;
}

static int collect(void *arg, const struct xy_store_event *ev)
{
	struct pair *p = arg;
	struct xy_store_event e = *ev;
	int i = p->n++;

	p->seq[i] = ev->seq;
	memcpy(p->stored[i], ev->hash, 32);
	if (i == 0) {
		p->rc = copy_event(&p->a_copy, ev, p->a_text);
		return p->rc;
	}
	e.seq = p->seq[0];
	if (!p->rc)
		p->rc = xy_audit_link(p->prev, &e, &p->scratch, p->b_as_a);
	if (!p->rc)
		p->rc = xy_audit_link(p->stored[0], ev, &p->scratch, p->b_after_a);
	if (!p->rc) {
		struct xy_store_event a = p->a_copy;
		a.seq = ev->seq;
		p->rc = xy_audit_link(ev->hash, &a, &p->scratch, p->a_as_b);
	}
	return 1; /* two are enough */
}

/* Event seq does not match its chain hash, the one before it does: what
 * happened?  Looks at it and the event after it. */
static int classify(struct xy_store *st, struct vstate *v, int64_t seq)
{
	struct pair p;
	int rc;

	memset(&p, 0, sizeof p);
	memcpy(p.prev, v->prev, 32);
	xy_buf_init(&p.scratch, XY_AUDIT_EVENT_MAX);
	rc = xy_store_audit_scan(st, seq, collect, &p);
	if (rc == 1)
		rc = 0;
	if (!rc)
		rc = p.rc;
	if (rc)
		goto out;
	if (p.n == 2 && p.seq[1] == seq + 1) {
		if (xy_ct_equal(p.b_as_a, p.stored[0], 32)) {
			found(v->res, seq,
			      "events %lld and %lld are in each other's place (reordered)",
			      (long long)seq, (long long)seq + 1);
		} else if (xy_ct_equal(p.b_as_a, p.stored[1], 32)) {
			if (xy_ct_equal(p.a_as_b, p.stored[0], 32))
				found(v->res, seq,
				      "events %lld and %lld are in each other's place (reordered)",
				      (long long)seq, (long long)seq + 1);
			else
				found(v->res, seq,
				      "event %lld was inserted (the events after it were "
				      "renumbered)",
				      (long long)seq);
		} else if (xy_ct_equal(p.b_after_a, p.stored[1], 32)) {
			found(v->res, seq,
			      "event %lld was changed (its content no longer matches its hash)",
			      (long long)seq);
		} else {
			found(v->res, seq,
			      "event %lld does not match its chain hash, nor does the chain after "
			      "it "
			      "(changed, inserted or reordered, and the hashes rewritten)",
			      (long long)seq);
		}
	} else {
		found(v->res, seq,
		      "event %lld, the last, does not match its chain hash (changed or inserted)",
		      (long long)seq);
	}
out:
	for (int i = 0; i < 12; i++)
		free(p.a_text[i]);
	xy_buf_cleanup(&p.scratch);
	return rc;
}

int xy_audit_verify(struct xy_store *st, const struct xy_sm2key *key, const char *cp_path,
		    struct xy_audit_check *res)
{
	struct vstate v;
	FILE *f = NULL;
	int rc = 0;

	memset(res, 0, sizeof *res);
	memset(&v, 0, sizeof v);
	v.res = res;
	for (int i = 0; i < BATCH; i++)
		xy_buf_init(&v.bytes[i], XY_AUDIT_EVENT_MAX);
	if (key && cp_path) {
		v.ret = calloc(RETAIN_MAX, sizeof *v.ret);
		if (!v.ret) {
			rc = XY_ENOMEM;
			goto out;
		}
		f = fopen(cp_path, "r");
		if (!f && errno != ENOENT) {
			rc = XY_EIO;
			goto out;
		}
		v.have_file = f != NULL;
		if (f && (rc = check_file(&v, key, f)))
			goto out;
		if (f) {
			rewind(f);
			v.heads = f;
			next_head(&v);
		}
	}
	rc = xy_store_audit_scan(st, 1, verify_one, &v);
	if (!rc && !v.rc)
		rc = flush(&v); /* the last events */
	if (rc == STOP_TAMPER) {
		rc = res->what[0] ? 0 : classify(st, &v, res->bad_seq);
		if (!rc)
			rc = XY_ETAMPER;
		goto out;
	}
	if (rc || (rc = v.rc))
		goto out;
	if (key && cp_path && res->events > 0 && !v.have_file) {
		found(res, 1, "the checkpoint file %s is missing", cp_path);
		rc = XY_ETAMPER;
		goto out;
	}
	if (v.have_next) {
		/* A signed checkpoint names events that are no longer there. */
		found(res, res->last_seq + 1,
		      "the tail is cut off: events %lld..%lld are missing (the signed checkpoint "
		      "at line %ld names event %lld)",
		      (long long)res->last_seq + 1, (long long)v.next.seq, v.line,
		      (long long)v.next.seq);
		rc = XY_ETAMPER;
		goto out;
	}
	for (size_t i = 0; i < v.nret; i++)
		if (v.ret[i].seq > res->last_seq && res->events > 0) {
			found(res, res->last_seq + 1,
			      "the tail is cut off: a signed retention checkpoint names event "
			      "%lld, the chain ends at %lld",
			      (long long)v.ret[i].seq, (long long)res->last_seq);
			rc = XY_ETAMPER;
			goto out;
		}
out:
	if (f)
		fclose(f);
	free(v.ret);
	for (int i = 0; i < BATCH; i++)
		xy_buf_cleanup(&v.bytes[i]);
	return rc;
}

int xy_audit_verify_chain(struct xy_store *st, struct xy_audit_check *res)
{
	return xy_audit_verify(st, NULL, NULL, res);
}
