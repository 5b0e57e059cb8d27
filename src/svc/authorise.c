/* Authorisations: see authorise.h.  Validate → policy → store → audit. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/purpose.h"
#include "svc/agreement.h"
#include "svc/authorise.h"
#include "svc/instance.h"
#include "svc/query.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"

#define KIND "authorisation"

/* The first microsecond of a China calendar day. */
static int64_t day_start_us(int32_t day)
{
	return ((int64_t)day * 86400 - 8 * 3600) * 1000000;
}

static int parse_day(const char *s, int32_t *day)
{
	return s && strlen(s) == 10 && xy_date_parse(s, 10, day) == 0;
}

static void provider_resource(const struct xy_unit *prov, const struct xy_request *rq,
			      struct xy_resource *r)
{
	xy_svc_unit_resource(prov, r);
	if (rq) {
		r->account_id = rq->requester;
		r->requester_unit_id = rq->requester_unit;
	}
}

/* ---- submit ---- */

static int check_fields(struct xy_ctx *cx, const struct xy_auth_req *in,
			const struct xy_dataset **ds, struct xy_unit *prov, int32_t *from,
			int32_t *to, const char **why)
{
	int rc;
	if (!in->dataset || !(*ds = xy_catalog_dataset(cx->svc->inst->catalog, in->dataset))) {
		*why = "dataset";
		return XY_EINVAL;
	}
	if (!in->provider || strlen(in->provider) > XY_UNIT_CODE_MAX ||
	    xy_store_unit_by_code(cx->st, in->provider, prov)) {
		*why = "provider";
		return XY_EINVAL;
	}
	if ((rc = xy_store_unit_provides(cx->st, prov->id, (*ds)->code)) < 0)
		return rc;
	if (rc != 1) {
		*why = "provider"; /* it does not provide the dataset */
		return XY_EINVAL;
	}
	if (!in->purpose || !xy_purpose_find(in->purpose)) {
		*why = "purpose";
		return XY_EINVAL;
	}
	if (in->all ? in->nsubjects != 0
		    : in->nsubjects < 1 || in->nsubjects > XY_AUTH_SUBJECTS_MAX) {
		*why = "subjects";
		return XY_EINVAL;
	}
	for (int i = 0; i < in->nsubjects; i++)
		if (!xy_query_valid_code(in->subjects[i])) {
			static __thread char which[32];
			snprintf(which, sizeof which, "subjects[%d]", i);
			*why = which;
			return XY_EINVAL;
		}
	if (!parse_day(in->valid_from, from) || *from < xy_today()) {
		*why = "valid_from";
		return XY_EINVAL;
	}
	if (!parse_day(in->valid_to, to) || *to < *from || *to - *from >= XY_AUTH_DAYS_MAX) {
		*why = "valid_to";
		return XY_EINVAL;
	}
	if (in->clear ? !xy_svc_valid_text(in->clear_reason, 500, 0) : in->clear_reason != NULL) {
		*why = "clear_reason";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(in->reason, 500, 0)) {
		*why = "reason";
		return XY_EINVAL;
	}
	return 0;
}

int xy_auth_submit(struct xy_ctx *cx, const struct xy_auth_req *in, int64_t *id, const char **why)
{
	const struct xy_dataset *ds = NULL;
	struct xy_unit prov;
	struct xy_holdings h;
	struct xy_resource r;
	struct xy_decision d;
	struct xy_request *rq = NULL;
	struct xy_buf pb;
	struct xy_jw w;
	int64_t *sids = NULL;
	int32_t from = 0, to = 0;
	int nsids = 0, rc;
	char obj[256];

	*id = 0;
	if ((rc = check_fields(cx, in, &ds, &prov, &from, &to, why)))
		return rc;
	if ((rc = xy_holdings_agreements(cx, in->purpose, &h)))
		return rc;
	provider_resource(&prov, NULL, &r);
	r.dataset = ds->code;
	r.sharing = (int)ds->sharing;
	r.purpose = in->purpose;
	xy_policy_decide(&cx->actor, XY_ACT_AUTH_REQUEST, &r, xy_now_us(), &d);
	xy_holdings_free(cx, &h);
	snprintf(obj, sizeof obj, "{\"dataset\":\"%s\",\"provider\":\"%s\"}", ds->code, prov.code);
	if (!d.allow) {
		*why = d.reason;
		cx->purpose = in->purpose;
		rc = xy_svc_refuse(cx, KIND ".request", obj, d.reason);
		cx->purpose = NULL;
		return rc;
	}
	/* Codes nobody holds records of are kept out of the grants without a
	 * word: the answer must not tell the asker who has records. */
	if (in->nsubjects && !(sids = calloc((size_t)in->nsubjects, sizeof *sids)))
		return XY_ENOMEM;
	for (int i = 0; i < in->nsubjects; i++) {
		struct xy_subject s;
		rc = xy_query_find_subject(cx, in->subjects[i], NULL, &s);
		if (rc == 0)
			sids[nsids++] = s.id;
		else if (rc != XY_ENOTFOUND)
			goto out;
	}
	if (!(rq = calloc(1, sizeof *rq))) {
		rc = XY_ENOMEM;
		goto out;
	}
	xy_buf_init(&pb, sizeof rq->payload - 1);
	xy_jw_init(&w, &pb);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "dataset", ds->code);
	xy_jw_kstr(&w, "purpose", in->purpose);
	xy_jw_key(&w, "valid_from");
	xy_jw_date(&w, from);
	xy_jw_key(&w, "valid_to");
	xy_jw_date(&w, to);
	xy_jw_kbool(&w, "all", in->all);
	xy_jw_kint(&w, "subjects_asked", in->nsubjects);
	xy_jw_kbool(&w, "clear", in->clear);
	xy_jw_kstr(&w, "clear_reason", in->clear ? in->clear_reason : NULL);
	xy_jw_obj_end(&w);
	rc = xy_jw_end(&w);
	if (!rc)
		memcpy(rq->payload, pb.p, pb.len + 1);
	xy_buf_cleanup(&pb);
	if (rc)
		goto out;
	snprintf(rq->kind, sizeof rq->kind, "%s", KIND);
	rq->requester = cx->who.account_id;
	rq->requester_unit = cx->who.unit_id;
	rq->approver_unit = prov.id;
	snprintf(rq->reason, sizeof rq->reason, "%s", in->reason);
	rq->created_at = xy_now_us();
	if ((rc = xy_store_begin(cx->st)))
		goto out;
	rc = xy_store_request_add(cx->st, rq);
	for (int i = 0; !rc && i < nsids; i++)
		rc = xy_store_request_subject_add(cx->st, rq->id, sids[i]);
	if (!rc) {
		snprintf(obj, sizeof obj,
			 "{\"request\":%lld,\"dataset\":\"%s\",\"provider\":\"%s\",\"all\":%s,"
			 "\"subjects\":%d,\"clear\":%s}",
			 (long long)rq->id, ds->code, prov.code, in->all ? "true" : "false",
			 in->nsubjects, in->clear ? "true" : "false");
		cx->purpose = in->purpose;
		rc = xy_svc_audit_tx(cx, KIND ".request", obj, "ok", NULL);
		cx->purpose = NULL;
	}
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
	else
		*id = rq->id;
out:
	free(rq);
	free(sids);
	return rc;
}

/* ---- reading ---- */

struct view_ctx {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_auth_view *v);
	void *arg;
	struct xy_grant grants[64];
	int ngrants;
	long known;
	int64_t last;
	int count;
};

static int count_subject(void *arg, int64_t subject_id)
{
	(void)subject_id;
	((struct view_ctx *)arg)->known++;
	return 0;
}

static int add_grant(void *arg, const struct xy_grant *g)
{
	struct view_ctx *v = arg;
	if (v->ngrants < (int)(sizeof v->grants / sizeof *v->grants))
		v->grants[v->ngrants++] = *g;
	return 0;
}

/* Calls fn with the view of r when the caller may read it; 1 when shown. */
static int show(struct view_ctx *vc, const struct xy_request *r, int *shown)
{
	struct xy_ctx *cx = vc->cx;
	struct xy_unit prov, asker;
	struct xy_account *acc;
	struct xy_resource res;
	struct xy_decision d;
	struct xy_auth_view v = {0};
	char requester[XY_ACCOUNT_NAME_MAX], decider[XY_ACCOUNT_NAME_MAX];
	json_t *p;
	int rc;

	*shown = 0;
	if (xy_store_unit_by_id(cx->st, r->approver_unit, &prov) ||
	    xy_store_unit_by_id(cx->st, r->requester_unit, &asker))
		return 0;
	provider_resource(&prov, r, &res);
	xy_policy_decide(&cx->actor, XY_ACT_AUTH_READ, &res, xy_now_us(), &d);
	if (!d.allow)
		return 0;
	if (!(acc = malloc(sizeof *acc)))
		return XY_ENOMEM;
	requester[0] = decider[0] = '\0';
	if (xy_store_account_by_id(cx->st, r->requester, acc) == 0)
		snprintf(requester, sizeof requester, "%s", acc->name);
	if (r->decided_by && xy_store_account_by_id(cx->st, r->decided_by, acc) == 0)
		snprintf(decider, sizeof decider, "%s", acc->name);
	free(acc);
	vc->ngrants = 0;
	vc->known = 0;
	if ((rc = xy_store_grants_of_request(cx->st, r->id, add_grant, vc)) ||
	    (rc = xy_store_request_subjects(cx->st, r->id, count_subject, vc)))
		return rc;
	p = json_loads(r->payload, 0, NULL);
	v.r = r;
	v.requester = requester;
	v.requester_unit = asker.code;
	v.provider = prov.code;
	v.decided_by = decider[0] ? decider : NULL;
	v.subjects_asked = (long)json_integer_value(json_object_get(p, "subjects_asked"));
	v.subjects_known = vc->known;
	v.grants = vc->grants;
	v.ngrants = vc->ngrants;
	json_decref(p);
	*shown = 1;
	return vc->fn(vc->arg, &v);
}

int xy_auth_get(struct xy_ctx *cx, int64_t id, int (*fn)(void *arg, const struct xy_auth_view *v),
		void *arg)
{
	struct view_ctx *vc;
	struct xy_request *r;
	char obj[64];
	int shown = 0, rc;

	if (!(vc = calloc(1, sizeof *vc)) || !(r = malloc(sizeof *r))) {
		free(vc);
		return XY_ENOMEM;
	}
	vc->cx = cx;
	vc->fn = fn;
	vc->arg = arg;
	rc = xy_store_request_get(cx->st, id, r);
	if (!rc && strcmp(r->kind, KIND) != 0)
		rc = XY_ENOTFOUND;
	if (!rc)
		rc = show(vc, r, &shown);
	snprintf(obj, sizeof obj, "{\"request\":%lld}", (long long)id);
	if (!rc && !shown)
		rc = xy_svc_refuse(cx, KIND ".read", obj, "not_a_party") == XY_EAUDIT
			     ? XY_EAUDIT
			     : XY_ENOTFOUND;
	else if (!rc)
		rc = xy_svc_audit_read(cx, KIND ".read", obj, "ok", NULL);
	free(r);
	free(vc);
	return rc;
}

static int list_one(void *arg, const struct xy_request *r)
{
	struct view_ctx *vc = arg;
	int shown, rc = show(vc, r, &shown);
	vc->last = r->id;
	vc->count++;
	return rc;
}

int xy_auth_list(struct xy_ctx *cx, const char *state, int64_t before_id, int limit,
		 int (*fn)(void *arg, const struct xy_auth_view *v), void *arg, int64_t *next,
		 const char **why)
{
	struct view_ctx *vc;
	int64_t unit = cx->actor.unit_id;
	int rc;

	*next = 0;
	if (state && strcmp(state, "submitted") != 0 && strcmp(state, "approved") != 0 &&
	    strcmp(state, "rejected") != 0 && strcmp(state, "revoked") != 0) {
		*why = "state";
		return XY_EINVAL;
	}
	if (!(vc = calloc(1, sizeof *vc)))
		return XY_ENOMEM;
	vc->cx = cx;
	vc->fn = fn;
	vc->arg = arg;
	/* The auditor and the credit office may read beyond their own unit;
	 * everyone else reads their unit's (the policy filters each item). */
	if (cx->actor.roles & (XY_ROLE_BIT(XY_ROLE_AUDITOR) | XY_ROLE_BIT(XY_ROLE_CREDIT_ADMIN)))
		unit = 0;
	rc = xy_store_request_each(cx->st, KIND, unit, state, before_id, limit, list_one, vc);
	if (!rc && vc->count == limit)
		*next = vc->last;
	free(vc);
	return rc ? rc : xy_svc_audit_read(cx, KIND ".list", NULL, "ok", NULL);
}

/* ---- deciding ---- */

struct grant_run {
	struct xy_ctx *cx;
	struct xy_grant g;
	struct xy_buf *ids;
	int n;
};

static int grant_one(struct grant_run *gr, int64_t subject_id)
{
	char s[24];
	size_t k;
	int rc;
	gr->g.subject_id = subject_id;
	if ((rc = xy_store_grant_add(gr->cx->st, &gr->g)))
		return rc;
	k = xy_i64_str(gr->g.id, s);
	if ((gr->n++ && (rc = xy_buf_addc(gr->ids, ','))) || (rc = xy_buf_add(gr->ids, s, k)))
		return rc;
	return 0;
}

static int grant_subject(void *arg, int64_t subject_id)
{
	return grant_one(arg, subject_id);
}

/* The grants of an approval, inside its transaction. */
static int make_grants(struct xy_ctx *cx, const struct xy_request *r, struct xy_buf *ids,
		       const char **why)
{
	struct grant_run gr = {cx, {0}, ids, 0};
	json_t *p = json_loads(r->payload, 0, NULL);
	const char *ds = json_string_value(json_object_get(p, "dataset"));
	const char *pp = json_string_value(json_object_get(p, "purpose"));
	const char *f = json_string_value(json_object_get(p, "valid_from"));
	const char *t = json_string_value(json_object_get(p, "valid_to"));
	int32_t from, to;
	int64_t now = xy_now_us();
	int rc;

	if (!ds || !pp || !parse_day(f, &from) || !parse_day(t, &to)) {
		json_decref(p);
		return XY_ETAMPER; /* written by submit: never malformed */
	}
	gr.g.request_id = r->id;
	gr.g.unit_id = r->requester_unit;
	gr.g.provider_unit_id = r->approver_unit;
	snprintf(gr.g.dataset, sizeof gr.g.dataset, "%s", ds);
	snprintf(gr.g.purpose, sizeof gr.g.purpose, "%s", pp);
	gr.g.clear = json_is_true(json_object_get(p, "clear"));
	gr.g.start_us = day_start_us(from) > now ? day_start_us(from) : now;
	gr.g.end_us = day_start_us(to + 1);
	if (gr.g.end_us <= gr.g.start_us) {
		json_decref(p);
		*why = "period_over";
		return XY_ECONFLICT;
	}
	if (json_is_true(json_object_get(p, "all")))
		rc = grant_one(&gr, 0);
	else
		rc = xy_store_request_subjects(cx->st, r->id, grant_subject, &gr);
	json_decref(p);
	return rc;
}

/* Loads request id and asks the policy for act; 0 or a refusal. */
static int load_for(struct xy_ctx *cx, int64_t id, enum xy_action act, const char *action,
		    struct xy_request *r, const char **why)
{
	struct xy_unit prov;
	struct xy_resource res;
	struct xy_decision d;
	char obj[64];
	int rc = xy_store_request_get(cx->st, id, r);
	if (!rc && strcmp(r->kind, KIND) != 0)
		rc = XY_ENOTFOUND;
	if (!rc)
		rc = xy_store_unit_by_id(cx->st, r->approver_unit, &prov);
	if (rc)
		return rc;
	provider_resource(&prov, r, &res);
	xy_policy_decide(&cx->actor, act, &res, xy_now_us(), &d);
	if (d.allow)
		return 0;
	*why = d.reason;
	snprintf(obj, sizeof obj, "{\"request\":%lld}", (long long)id);
	return xy_svc_refuse(cx, action, obj, d.reason);
}

int xy_auth_decide(struct xy_ctx *cx, int64_t id, int approve, const char *note, const char **why)
{
	const char *action = approve ? KIND ".approve" : KIND ".reject";
	struct xy_request *r;
	struct xy_buf ids;
	char *obj = NULL;
	int rc;

	if (approve ? note && !xy_svc_valid_text(note, 500, 0) : !xy_svc_valid_text(note, 500, 0)) {
		*why = approve ? "note" : "reason";
		return XY_EINVAL;
	}
	if (!(r = malloc(sizeof *r)))
		return XY_ENOMEM;
	xy_buf_init(&ids, XY_AUTH_SUBJECTS_MAX * 24);
	if ((rc = load_for(cx, id, XY_ACT_AUTH_DECIDE, action, r, why)))
		goto out;
	if ((rc = xy_store_begin(cx->st)))
		goto out;
	rc = xy_store_request_move(cx->st, id, "submitted", approve ? "approved" : "rejected",
				   cx->who.account_id, xy_now_us(), note);
	if (rc == XY_ECONFLICT)
		*why = "not_pending";
	if (!rc && approve)
		rc = make_grants(cx, r, &ids, why);
	if (!rc && !(obj = malloc(ids.len + 128)))
		rc = XY_ENOMEM;
	if (!rc) {
		snprintf(obj, ids.len + 128, "{\"request\":%lld,\"grants\":[%s]}", (long long)id,
			 ids.p ? ids.p : "");
		rc = xy_svc_audit_tx(cx, action, obj, "ok", NULL);
	}
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
out:
	free(obj);
	xy_buf_cleanup(&ids);
	free(r);
	return rc;
}

int xy_auth_revoke(struct xy_ctx *cx, int64_t id, const char *reason, const char **why)
{
	static const char action[] = KIND ".revoke";
	struct xy_request *r;
	char obj[96];
	long n = 0;
	int rc;

	if (!xy_svc_valid_text(reason, 500, 0)) {
		*why = "reason";
		return XY_EINVAL;
	}
	if (!(r = malloc(sizeof *r)))
		return XY_ENOMEM;
	if ((rc = load_for(cx, id, XY_ACT_AUTH_REVOKE, action, r, why)))
		goto out;
	if ((rc = xy_store_begin(cx->st)))
		goto out;
	rc = xy_store_request_move(cx->st, id, "approved", "revoked", cx->who.account_id,
				   xy_now_us(), NULL);
	if (rc == XY_ECONFLICT)
		*why = "not_approved";
	if (!rc)
		rc = xy_store_grant_revoke(cx->st, id, cx->who.account_id, xy_now_us(), reason, &n);
	if (!rc) {
		snprintf(obj, sizeof obj, "{\"request\":%lld,\"grants_revoked\":%ld}",
			 (long long)id, n);
		rc = xy_svc_audit_tx(cx, action, obj, "ok", NULL);
	}
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
out:
	free(r);
	return rc;
}
