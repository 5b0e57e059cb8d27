/* Queries: see query.h.  Validate → policy → store → decide and mask each
 * record → audit, in that order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "core/mask.h"
#include "core/purpose.h"
#include "core/row.h"
#include "crypto/seal.h"
#include "svc/agreement.h"
#include "svc/instance.h"
#include "svc/query.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"
#include "util/log.h"
#include "util/utf8.h"

#define UNIT_CACHE   16
#define AUDIT_IDS    (XY_QUERY_RECORDS_MAX * 24 + 256)
#define REFS_TRACKED 16

/* One query's working state. */
struct qstate {
	struct xy_ctx *cx;
	const struct xy_catalog *cat;
	const char *purpose;
	int64_t now;
	struct xy_holdings h; /* what the actor's unit holds for this purpose */
	/* providing units seen so far */
	struct xy_unit units[UNIT_CACHE];
	int nunits;
	struct xy_recview rv; /* the record being built */
	/* for the audit event */
	struct xy_buf ids;
	long count;
	int64_t used_ag[REFS_TRACKED], used_gr[REFS_TRACKED];
	int nused_ag, nused_gr;
};

static void qs_init(struct qstate *q, struct xy_ctx *cx, const char *purpose)
{
	memset(q, 0, sizeof *q);
	q->cx = cx;
	q->cat = cx->svc->inst->catalog;
	q->purpose = purpose;
	q->now = xy_now_us();
	xy_recview_init(&q->rv, cx->sealer);
	xy_buf_init(&q->ids, AUDIT_IDS);
}

static void qs_done(struct qstate *q)
{
	xy_recview_cleanup(&q->rv);
	xy_buf_cleanup(&q->ids);
	xy_holdings_free(q->cx, &q->h);
}

/* ---- one record ---- */

static const struct xy_unit *unit_of(struct qstate *q, int64_t id)
{
	struct xy_unit *u;
	for (int i = 0; i < q->nunits; i++)
		if (q->units[i].id == id)
			return &q->units[i];
	u = &q->units[q->nunits < UNIT_CACHE ? q->nunits++ : (int)(id % UNIT_CACHE)];
	if (xy_store_unit_by_id(q->cx->st, id, u)) {
		u->id = 0;
		return NULL;
	}
	return u;
}

/* Asks the policy about one record; 1 when it may be seen. */
static int visible(struct qstate *q, const struct xy_store_rec_view *v,
		   const struct xy_dataset **ds, const struct xy_unit **u, struct xy_decision *d)
{
	struct xy_resource r;
	*ds = xy_catalog_dataset(q->cat, v->dataset);
	*u = unit_of(q, v->unit_id);
	if (!*ds || !*u)
		return 0; /* a dataset no longer in the catalog, a unit gone: nothing */
	xy_svc_unit_resource(*u, &r);
	r.dataset = (*ds)->code;
	r.sharing = (int)(*ds)->sharing;
	r.subject_id = v->subject_id;
	r.purpose = q->purpose;
	xy_policy_decide(&q->cx->actor, XY_ACT_RECORD_READ, &r, q->now, d);
	return d->allow;
}

static int build(struct qstate *q, const struct xy_store_rec_view *v, const struct xy_dataset *ds,
		 const struct xy_unit *u, const struct xy_decision *d, struct xy_qrec *out)
{
	const struct xy_qfield *fields;
	int n, rc = xy_recview_build(&q->rv, ds, v, d->clear, 0, &fields, &n);

	if (rc)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = v->id;
	out->ds = ds;
	out->provider = u;
	out->subject_id = v->subject_id;
	out->submitted_us = v->submitted_us;
	out->valid_until = v->valid_until;
	out->display_until = v->display_until;
	out->basis = d->reason;
	out->agreement_id = d->agreement_id;
	out->grant_id = d->grant_id;
	out->clear = d->clear;
	out->fields = fields;
	out->nfields = n;
	return 0;
}

/* Notes a returned record for the audit event. */
static int note(struct qstate *q, const struct xy_decision *d, int64_t id)
{
	char s[24];
	size_t n = xy_i64_str(id, s);
	int rc;
	if (q->count && (rc = xy_buf_addc(&q->ids, ',')))
		return rc;
	if ((rc = xy_buf_add(&q->ids, s, n)))
		return rc;
	q->count++;
	if (d->agreement_id) {
		int k = 0;
		while (k < q->nused_ag && q->used_ag[k] != d->agreement_id)
			k++;
		if (k == q->nused_ag && k < REFS_TRACKED)
			q->used_ag[q->nused_ag++] = d->agreement_id;
	}
	if (d->grant_id) {
		int k = 0;
		while (k < q->nused_gr && q->used_gr[k] != d->grant_id)
			k++;
		if (k == q->nused_gr && k < REFS_TRACKED)
			q->used_gr[q->nused_gr++] = d->grant_id;
	}
	return 0;
}

/* "agreement:3,grant:12" for the audit event's grant reference. */
static void refs_text(const struct qstate *q, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < q->nused_ag && k < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, "%sagreement:%lld", k ? "," : "",
				      (long long)q->used_ag[i]);
	for (int i = 0; i < q->nused_gr && k < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, "%sgrant:%lld", k ? "," : "",
				      (long long)q->used_gr[i]);
}

/* ---- the steps every query shares ---- */

/* The purpose, then may this account query at all (SHR-5). */
static int begin(struct qstate *q, const char *action, const char **why)
{
	struct xy_ctx *cx = q->cx;
	struct xy_resource r = {0};
	struct xy_decision d;
	int rc;

	cx->purpose = q->purpose;
	if (!q->purpose || !*q->purpose) {
		*why = "purpose_required";
		rc = xy_svc_refuse(cx, action, NULL, "purpose_required");
		return rc == XY_EDENIED ? XY_EINVAL : rc;
	}
	if (!xy_purpose_find(q->purpose)) {
		cx->purpose = NULL; /* not a code of ours: not for the trail's field */
		*why = "purpose";
		rc = xy_svc_refuse(cx, action, NULL, "unknown_purpose");
		return rc == XY_EDENIED ? XY_EINVAL : rc;
	}
	if ((rc = xy_holdings_agreements(cx, q->purpose, &q->h)))
		return rc;
	r.purpose = q->purpose;
	xy_policy_decide(&cx->actor, XY_ACT_QUERY, &r, q->now, &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, action, NULL, d.reason);
	}
	return 0;
}

/* The last act: the read's event with what was returned. */
static int finish(struct qstate *q, const char *action, const char *object)
{
	char refs[REFS_TRACKED * 2 * 32];
	refs_text(q, refs, sizeof refs);
	q->cx->grant_ref = refs[0] ? refs : NULL;
	return xy_svc_audit_read(q->cx, action, object, "ok", NULL);
}

/* A failure while reading: audited, then passed on. */
static int failed(struct qstate *q, const char *action, int rc)
{
	if (xy_svc_audit(q->cx, action, NULL, "failed", xy_err_code(rc)))
		return XY_EAUDIT;
	return rc;
}

/* ---- GET /api/v1/subjects/{code} ---- */

struct subj_run {
	struct qstate *q;
	xy_qrec_fn fn;
	void *arg;
	struct xy_qsubject *out;
	int more;
};

static int subj_record(void *arg, const struct xy_store_rec_view *v)
{
	struct subj_run *s = arg;
	const struct xy_dataset *ds;
	const struct xy_unit *u;
	struct xy_decision d;
	struct xy_qrec rec;
	int rc;

	if (!visible(s->q, v, &ds, &u, &d))
		return 0;
	if (s->q->count >= XY_QUERY_RECORDS_MAX) {
		s->more = 1;
		return 1;
	}
	if ((rc = build(s->q, v, ds, u, &d, &rec)))
		return rc;
	/* A natural person's name, as this record may show it. */
	if (s->out->natural && !s->out->name[0] && ds->subject.name >= 0) {
		for (int i = 0; i < rec.nfields; i++)
			if (rec.fields[i].f == &ds->fields[ds->subject.name] && rec.fields[i].v &&
			    rec.fields[i].n < sizeof s->out->name) {
				memcpy(s->out->name, rec.fields[i].v, rec.fields[i].n);
				s->out->name[rec.fields[i].n] = '\0';
			}
	}
	if ((rc = note(s->q, &d, v->id)) || (rc = s->fn(s->arg, &rec)))
		return rc;
	return 0;
}

/* A code as the trail may hold it: a legal person's as it is, an identity
 * number masked. */
static void code_for_trail(const char *code, int natural, char *out, size_t cap)
{
	struct xy_buf b;
	struct xy_mask m = {XY_MASK_IDNUM, 0, 0};
	int is_null;
	if (!natural) {
		snprintf(out, cap, "%s", code);
		return;
	}
	xy_buf_init(&b, cap - 1);
	if (xy_mask_apply(&m, code, strlen(code), NULL, NULL, &b, &is_null) == 0 && b.p)
		snprintf(out, cap, "%s", b.p);
	else
		snprintf(out, cap, "*");
	xy_buf_cleanup(&b);
}

int xy_query_valid_code(const char *c)
{
	size_t n = c ? strlen(c) : 0;
	if (n == 0 || n > XY_SUBJECT_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)c[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= 'a' && ch <= 'z') || ch == '-'))
			return 0;
	}
	return 1;
}

int xy_query_find_subject(struct xy_ctx *cx, const char *code, const char *id_type,
			  struct xy_subject *s)
{
	char key[160];
	uint8_t bidx[32];
	const char *type = id_type && *id_type ? id_type : "身份证";
	int rc = xy_store_subject_by_code(cx->st, code, s);
	if (rc != XY_ENOTFOUND)
		return rc;
	if ((size_t)snprintf(key, sizeof key, "%s:%s", type, code) >= sizeof key)
		return XY_ENOTFOUND;
	/* The importer indexes the number as submitted (upper-case X). */
	for (char *p = key + strlen(type) + 1; *p; p++)
		if (*p == 'x')
			*p = 'X';
	xy_blind_index(cx->sealer, "subject.idnum", key, strlen(key), bidx);
	return xy_store_subject_by_bidx(cx->st, bidx, s);
}

int xy_query_subject(struct xy_ctx *cx, const struct xy_subject_query *in, xy_qrec_fn fn, void *arg,
		     struct xy_qsubject *out, int *more, const char **why)
{
	static const char action[] = "subject.query";
	struct qstate q;
	struct subj_run run;
	struct xy_subject s;
	char obj[AUDIT_IDS + 128], tc[XY_SUBJECT_CODE_MAX + 1];
	int rc;

	memset(out, 0, sizeof *out);
	*more = 0;
	qs_init(&q, cx, in->purpose);
	if ((rc = begin(&q, action, why)))
		goto done;
	if (!xy_query_valid_code(in->code) ||
	    (in->id_type && !xy_svc_valid_text(in->id_type, 64, 0))) {
		*why = in->id_type && xy_query_valid_code(in->code) ? "id_type" : "code";
		rc = XY_EINVAL;
		goto done;
	}
	rc = xy_query_find_subject(cx, in->code, in->id_type, &s);
	if (rc && rc != XY_ENOTFOUND) {
		rc = failed(&q, action, rc);
		goto done;
	}
	if (rc == XY_ENOTFOUND) {
		/* Anything but a credit code may be an identity number. */
		code_for_trail(in->code, xy_uscc_check(in->code, strlen(in->code)) != XY_CODE_OK,
			       tc, sizeof tc);
		snprintf(obj, sizeof obj, "{\"code\":\"%s\",\"found\":false}", tc);
		rc = finish(&q, action, obj);
		if (!rc) {
			*why = "subject";
			rc = XY_ENOTFOUND;
		}
		goto done;
	}
	if ((rc = xy_holdings_grants(cx, s.id, &q.h))) {
		rc = failed(&q, action, rc);
		goto done;
	}
	out->id = s.id;
	out->natural = s.natural;
	if (s.natural)
		code_for_trail(in->code, 1, out->code, sizeof out->code);
	else
		snprintf(out->code, sizeof out->code, "%s", s.code);
	snprintf(out->code_type, sizeof out->code_type, "%s", s.natural ? "idnumber" : s.code_type);
	snprintf(out->name, sizeof out->name, "%s", s.natural ? "" : s.name);
	snprintf(out->region, sizeof out->region, "%s", s.region);
	run = (struct subj_run){&q, fn, arg, out, 0};
	rc = xy_store_subject_records(cx->st, s.id, XY_QUERY_RECORDS_MAX + 64, subj_record, &run);
	if (rc < 0) {
		rc = failed(&q, action, rc);
		goto done;
	}
	*more = run.more;
	snprintf(obj, sizeof obj, "{\"subject\":%lld,\"records\":[%s],\"count\":%ld%s}",
		 (long long)s.id, q.ids.p ? q.ids.p : "", q.count,
		 run.more ? ",\"more\":true" : "");
	rc = finish(&q, action, obj);
	if (!rc && q.count == 0) {
		*why = "subject";
		rc = XY_ENOTFOUND; /* nothing visible: as if unknown */
	}
done:
	cx->purpose = NULL;
	cx->grant_ref = NULL;
	qs_done(&q);
	return rc;
}

/* ---- GET /api/v1/subjects?q= ---- */

struct search_run {
	struct qstate *q;
	int (*fn)(void *arg, const struct xy_search_hit *h);
	void *arg;
	int limit, hits;
	long scanned;
	const char *ds[XY_CATALOG_DATASETS_MAX];
	int counts[XY_CATALOG_DATASETS_MAX];
	int nds;
	struct xy_subject last;
	struct xy_jw *trail; /* the hit ids for the audit event */
};

static int count_visible(void *arg, const struct xy_store_rec_view *v)
{
	struct search_run *r = arg;
	const struct xy_dataset *ds;
	const struct xy_unit *u;
	struct xy_decision d;
	if (!visible(r->q, v, &ds, &u, &d))
		return 0;
	/* Records come by dataset, so a new dataset is a new entry. */
	if (!r->nds || strcmp(r->ds[r->nds - 1], ds->code) != 0) {
		if (r->nds >= XY_CATALOG_DATASETS_MAX)
			return 0;
		r->ds[r->nds] = ds->code;
		r->counts[r->nds++] = 0;
	}
	r->counts[r->nds - 1]++;
	return 0;
}

static int search_candidate(void *arg, const struct xy_subject *s)
{
	struct search_run *r = arg;
	struct xy_qsubject qs;
	struct xy_search_hit h;
	int rc;

	r->last = *s;
	r->scanned++;
	r->nds = 0;
	if ((rc = xy_store_subject_records(r->q->cx->st, s->id, XY_QUERY_RECORDS_MAX * 8,
					   count_visible, r)))
		return rc;
	if (r->nds) {
		memset(&qs, 0, sizeof qs);
		qs.id = s->id;
		snprintf(qs.code, sizeof qs.code, "%s", s->code);
		snprintf(qs.code_type, sizeof qs.code_type, "%s", s->code_type);
		snprintf(qs.name, sizeof qs.name, "%s", s->name);
		snprintf(qs.region, sizeof qs.region, "%s", s->region);
		h = (struct xy_search_hit){&qs, r->ds, r->counts, r->nds};
		if ((rc = r->fn(r->arg, &h)))
			return rc;
		xy_jw_int(r->trail, s->id);
		if (++r->hits >= r->limit)
			return 1;
	}
	return r->scanned >= XY_SEARCH_SCAN_MAX ? 1 : 0;
}

/* A code prefix: 2 or more letters and digits, at least one a digit
 * (names hold Chinese characters or at least no digits-only runs). */
static int is_code_prefix(const char *q)
{
	size_t n = strlen(q);
	int digit = 0;
	if (n < 2 || n > XY_SUBJECT_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)q[i];
		if (c >= '0' && c <= '9')
			digit = 1;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return 0;
	}
	return digit;
}

int xy_query_search(struct xy_ctx *cx, const struct xy_search *in,
		    int (*fn)(void *arg, const struct xy_search_hit *h), void *arg, char *next,
		    size_t nextcap, const char **why)
{
	static const char action[] = "subject.search";
	struct qstate q;
	struct search_run *r = NULL;
	struct xy_buf tb;
	struct xy_jw tw;
	char text[XY_SUBJECT_CODE_MAX + 1];
	int code = 0, rc;
	int64_t after_id = 0;
	const char *after_code = "";

	next[0] = '\0';
	qs_init(&q, cx, in->purpose);
	xy_buf_init(&tb, 16 * 1024);
	if ((rc = begin(&q, action, why)))
		goto done;
	if (!in->q || !xy_svc_valid_text(in->q, 200, 0) || xy_utf8_len(in->q, strlen(in->q)) > 64) {
		*why = "q";
		rc = XY_EINVAL;
		goto done;
	}
	if (in->limit < 1 || in->limit > XY_SEARCH_LIMIT_MAX) {
		*why = "limit";
		rc = XY_EINVAL;
		goto done;
	}
	code = is_code_prefix(in->q);
	if (code) { /* codes are stored in upper case */
		size_t i;
		for (i = 0; in->q[i]; i++)
			text[i] = (char)(in->q[i] >= 'a' && in->q[i] <= 'z' ? in->q[i] - 32
									    : in->q[i]);
		text[i] = '\0';
	}
	if (in->cursor && *in->cursor) {
		char *e;
		if (code && in->cursor[0] == 'c' && in->cursor[1] == ':' &&
		    strlen(in->cursor + 2) <= XY_SUBJECT_CODE_MAX)
			after_code = in->cursor + 2;
		else if (!code && in->cursor[0] == 'n' && in->cursor[1] == ':' &&
			 (after_id = strtoll(in->cursor + 2, &e, 10)) > 0 && !*e)
			;
		else {
			*why = "cursor";
			rc = XY_EINVAL;
			goto done;
		}
	}
	if ((rc = xy_holdings_grants(cx, 0, &q.h)) || !(r = calloc(1, sizeof *r))) {
		rc = rc ? rc : XY_ENOMEM;
		goto done;
	}
	r->q = &q;
	r->fn = fn;
	r->arg = arg;
	r->limit = in->limit;
	r->trail = &tw;
	/* The trail: what was looked for, and which subjects were shown. */
	xy_jw_init(&tw, &tb);
	xy_jw_obj(&tw);
	xy_jw_kstr(&tw, "q", in->q);
	xy_jw_kstr(&tw, "by", code ? "code" : "name");
	xy_jw_key(&tw, "subjects");
	xy_jw_arr(&tw);
	rc = code ? xy_store_subject_by_prefix(cx->st, text, after_code, XY_SEARCH_SCAN_MAX,
					       search_candidate, r)
		  : xy_store_subject_by_name(cx->st, in->q, after_id, XY_SEARCH_SCAN_MAX,
					     search_candidate, r);
	if (rc < 0) {
		rc = failed(&q, action, rc);
		goto done;
	}
	/* More may follow when the page filled or the scan stopped early. */
	if (rc == 1 && r->scanned && code)
		snprintf(next, nextcap, "c:%s", r->last.code);
	else if (rc == 1 && r->scanned)
		snprintf(next, nextcap, "n:%lld", (long long)r->last.id);
	xy_jw_arr_end(&tw);
	xy_jw_kint(&tw, "count", r->hits);
	xy_jw_obj_end(&tw);
	if ((rc = xy_jw_end(&tw)))
		goto done;
	rc = finish(&q, action, tb.p);
done:
	cx->purpose = NULL;
	cx->grant_ref = NULL;
	free(r);
	xy_buf_cleanup(&tb);
	qs_done(&q);
	return rc;
}

/* ---- GET /api/v1/datasets/{code}/records ---- */

struct ds_run {
	struct qstate *q;
	xy_qrec_fn fn;
	void *arg;
	int limit;
	int64_t last_shown;
};

static int ds_record(void *arg, const struct xy_store_rec_view *v)
{
	struct ds_run *r = arg;
	const struct xy_dataset *ds;
	const struct xy_unit *u;
	struct xy_decision d;
	struct xy_qrec rec;
	int rc;
	if (!visible(r->q, v, &ds, &u, &d))
		return 0;
	if ((rc = build(r->q, v, ds, u, &d, &rec)) || (rc = note(r->q, &d, v->id)) ||
	    (rc = r->fn(r->arg, &rec)))
		return rc;
	r->last_shown = v->id;
	return r->q->count >= r->limit ? 1 : 0;
}

int xy_query_dataset(struct xy_ctx *cx, const struct xy_dataset_query *in, xy_qrec_fn fn, void *arg,
		     int64_t *next, const char **why)
{
	static const char action[] = "dataset.query";
	struct qstate q;
	struct ds_run r;
	struct xy_unit u = {0};
	const struct xy_dataset *ds;
	char obj[AUDIT_IDS + 256];
	int64_t last = 0;
	int rc;

	*next = 0;
	qs_init(&q, cx, in->purpose);
	if ((rc = begin(&q, action, why)))
		goto done;
	if (!(ds = xy_catalog_dataset(q.cat, in->dataset))) {
		*why = "dataset";
		rc = XY_ENOTFOUND;
		goto done;
	}
	if (in->unit &&
	    (strlen(in->unit) > XY_UNIT_CODE_MAX || xy_store_unit_by_code(cx->st, in->unit, &u))) {
		*why = "unit";
		rc = XY_EINVAL;
		goto done;
	}
	if (in->limit < 1 || in->limit > XY_PAGE_MAX || in->limit > XY_QUERY_RECORDS_MAX ||
	    in->after < 0) {
		*why = in->after < 0 ? "after" : "limit";
		rc = XY_EINVAL;
		goto done;
	}
	if ((rc = xy_holdings_grants(cx, 0, &q.h)))
		goto done;
	r = (struct ds_run){&q, fn, arg, in->limit, 0};
	rc = xy_store_dataset_records(cx->st, ds->code, u.id, in->after, XY_DATASET_SCAN_MAX,
				      ds_record, &r, &last);
	if (rc < 0) {
		rc = failed(&q, action, rc);
		goto done;
	}
	*next = rc == 1 ? r.last_shown : last;
	snprintf(obj, sizeof obj,
		 "{\"dataset\":\"%s\",\"unit\":\"%s\",\"after\":%lld,\"records\":[%s],\"count\":%"
		 "ld}",
		 ds->code, u.id ? u.code : "", (long long)in->after, q.ids.p ? q.ids.p : "",
		 q.count);
	rc = finish(&q, action, obj);
done:
	cx->purpose = NULL;
	cx->grant_ref = NULL;
	qs_done(&q);
	return rc;
}

/* ---- the name index ---- */

int xy_query_index_names(struct xy_service *svc, long *n)
{
	struct xy_ctx cx;
	char obj[64];
	long k = 0;
	int rc = xy_ctx_init(&cx, svc, "local", "maintenance");

	*n = 0;
	if (rc)
		return rc;
	cx.claimed = "system:name-index";
	do {
		if ((rc = xy_store_subject_names_index(cx.st, 20000, &k)))
			break;
		*n += k;
	} while (k > 0);
	if (*n == 0)
		return rc;
	snprintf(obj, sizeof obj, "{\"subjects\":%ld}", *n);
	if (xy_svc_audit(&cx, "subject.index", obj, rc ? "failed" : "ok",
			 rc ? xy_err_code(rc) : NULL))
		return XY_EAUDIT;
	return rc;
}
