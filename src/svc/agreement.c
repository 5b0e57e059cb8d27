/* Use agreements: see agreement.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/policy.h"
#include "core/purpose.h"
#include "svc/agreement.h"
#include "svc/instance.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

static int parse_day(const char *s, int32_t *day)
{
	return s && strlen(s) == 10 && xy_date_parse(s, 10, day) == 0;
}

int xy_agreement_create(struct xy_ctx *cx, const struct xy_agreement_req *in, int64_t *id,
			const char **why)
{
	struct xy_agreement a = {0};
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	char obj[160];
	int rc;

	*id = 0;
	if (!in->unit || strlen(in->unit) > XY_UNIT_CODE_MAX ||
	    xy_store_unit_by_code(cx->st, in->unit, &u)) {
		*why = "unit";
		return XY_EINVAL;
	}
	xy_svc_unit_resource(&u, &r);
	snprintf(obj, sizeof obj, "{\"unit\":\"%s\"}", u.code);
	xy_policy_decide(&cx->actor, XY_ACT_AGREEMENT_MANAGE, &r, xy_now_us(), &d);
	if (!d.allow)
		return xy_svc_refuse(cx, "agreement.create", obj, d.reason);
	if (r.credit_office) {
		*why = "unit"; /* the credit office queries under the law, not an agreement */
		return XY_EINVAL;
	}
	if (in->ndatasets < 1 || in->ndatasets > XY_AGREEMENT_DATASETS_MAX) {
		*why = "datasets";
		return XY_EINVAL;
	}
	for (int i = 0; i < in->ndatasets; i++)
		if (!in->datasets[i] ||
		    !xy_catalog_dataset(cx->svc->inst->catalog, in->datasets[i])) {
			*why = "datasets";
			return XY_EINVAL;
		}
	if (in->npurposes < 1 || in->npurposes > XY_AGREEMENT_PURPOSES_MAX) {
		*why = "purposes";
		return XY_EINVAL;
	}
	for (int i = 0; i < in->npurposes; i++)
		if (!xy_purpose_find(in->purposes[i])) {
			*why = "purposes";
			return XY_EINVAL;
		}
	if (!parse_day(in->valid_from, &a.valid_from)) {
		*why = "valid_from";
		return XY_EINVAL;
	}
	if (!parse_day(in->valid_to, &a.valid_to) || a.valid_to < a.valid_from ||
	    a.valid_to < xy_today()) {
		*why = "valid_to";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(in->document, 200, 0)) {
		*why = "document";
		return XY_EINVAL;
	}
	a.unit_id = u.id;
	snprintf(a.document, sizeof a.document, "%s", in->document);
	a.created_by = cx->who.account_id;
	a.created_at = xy_now_us();
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	rc = xy_store_agreement_add(cx->st, &a);
	for (int i = 0; !rc && i < in->ndatasets; i++)
		for (int j = 0; !rc && j < in->npurposes; j++) {
			rc = xy_store_agreement_line_add(cx->st, a.id, in->datasets[i],
							 in->purposes[j]);
			if (rc == XY_EEXISTS) {
				*why = "duplicate_line";
				rc = XY_EINVAL;
			}
		}
	if (!rc) {
		snprintf(obj, sizeof obj, "{\"agreement\":%lld,\"unit\":\"%s\",\"lines\":%d}",
			 (long long)a.id, u.code, in->ndatasets * in->npurposes);
		rc = xy_svc_audit_tx(cx, "agreement.create", obj, "ok", NULL);
	}
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc) {
		xy_store_rollback(cx->st);
		return rc;
	}
	*id = a.id;
	return 0;
}

int xy_agreement_end(struct xy_ctx *cx, int64_t id, const char *reason, const char **why)
{
	struct xy_agreement a;
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	char obj[96];
	int rc;

	if (!xy_svc_valid_text(reason, 500, 0)) {
		*why = "reason";
		return XY_EINVAL;
	}
	if ((rc = xy_store_agreement_get(cx->st, id, &a)) ||
	    (rc = xy_store_unit_by_id(cx->st, a.unit_id, &u))) {
		*why = "agreement";
		return rc;
	}
	xy_svc_unit_resource(&u, &r);
	snprintf(obj, sizeof obj, "{\"agreement\":%lld}", (long long)id);
	xy_policy_decide(&cx->actor, XY_ACT_AGREEMENT_MANAGE, &r, xy_now_us(), &d);
	if (!d.allow)
		return xy_svc_refuse(cx, "agreement.end", obj, d.reason);
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	rc = xy_store_agreement_end(cx->st, id, cx->who.account_id, xy_now_us(), reason);
	if (rc == XY_ENOTFOUND)
		*why = "already_ended";
	if (!rc)
		rc = xy_svc_audit_tx(cx, "agreement.end", obj, "ok", NULL);
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
	return rc == XY_ENOTFOUND ? XY_ECONFLICT : rc;
}

struct list_ctx {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_agreement *a, const char *unit_code);
	void *arg;
};

static int list_one(void *arg, const struct xy_agreement *a)
{
	struct list_ctx *l = arg;
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	if (xy_store_unit_by_id(l->cx->st, a->unit_id, &u))
		return 0;
	xy_svc_unit_resource(&u, &r);
	xy_policy_decide(&l->cx->actor, XY_ACT_AGREEMENT_READ, &r, xy_now_us(), &d);
	if (!d.allow)
		return 0; /* not shown, not mentioned */
	return l->fn(l->arg, a, u.code);
}

int xy_agreement_list(struct xy_ctx *cx, const char *unit, int64_t after, int limit,
		      int (*fn)(void *arg, const struct xy_agreement *a, const char *unit_code),
		      void *arg, const char **why)
{
	struct list_ctx l = {cx, fn, arg};
	struct xy_unit u = {0};
	int rc;
	if (unit && (strlen(unit) > XY_UNIT_CODE_MAX || xy_store_unit_by_code(cx->st, unit, &u))) {
		*why = "unit";
		return XY_EINVAL;
	}
	rc = xy_store_agreement_each(cx->st, u.id, after, limit, list_one, &l);
	return rc ? rc : xy_svc_audit_read(cx, "agreement.list", NULL, "ok", NULL);
}

/* ---- holdings ---- */

/* Room for entry n in two parallel arrays that share one capacity. */
static int room(void **a, size_t asize, void **b, size_t bsize, int n, int *cap)
{
	void *p;
	int ncap;
	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (!(p = realloc(*a, (size_t)ncap * asize)))
		return XY_ENOMEM;
	*a = p;
	if (!(p = realloc(*b, (size_t)ncap * bsize)))
		return XY_ENOMEM; /* a is larger than cap says: harmless */
	*b = p;
	*cap = ncap;
	return 0;
}

static int add_ag(void *arg, int64_t id, const char *dataset, const char *purpose, int32_t from,
		  int32_t to)
{
	struct xy_holdings *h = arg;
	int rc;
	if (strcmp(purpose, h->purpose) != 0)
		return 0; /* another purpose: never relevant to this query */
	if (h->only) {
		int bound = 0;
		for (int i = 0; i < h->nonly && !bound; i++)
			bound = h->only[i] == id;
		if (!bound)
			return 0; /* the unit's, but not this client's */
	}
	if (h->nag >= XY_HOLDINGS_MAX) {
		xy_log_warn("more than %d agreement lines for one purpose", XY_HOLDINGS_MAX);
		return 0;
	}
	if ((rc = room((void **)&h->ag, sizeof *h->ag, (void **)&h->ag_ds, sizeof *h->ag_ds, h->nag,
		       &h->cap_ag)))
		return rc;
	snprintf(h->ag_ds[h->nag], sizeof h->ag_ds[h->nag], "%s", dataset);
	h->ag[h->nag] = (struct xy_agreement_ref){id, NULL, NULL, from, to};
	h->nag++;
	return 0;
}

int xy_holdings_agreements(struct xy_ctx *cx, const char *purpose, struct xy_holdings *h)
{
	int rc;
	memset(h, 0, sizeof *h);
	h->purpose = purpose;
	if (cx->who.client_id) {
		h->only = cx->who.client_agreements;
		h->nonly = cx->who.nclient_agreements;
	}
	if (!cx->actor.unit_id || !purpose)
		return 0;
	if ((rc = xy_store_agreement_lines_on(cx->st, cx->actor.unit_id, xy_today(), add_ag, h)))
		return rc;
	for (int i = 0; i < h->nag; i++) { /* the arrays have stopped moving */
		h->ag[i].dataset = h->ag_ds[i];
		h->ag[i].purpose = h->purpose;
	}
	cx->actor.agreements = h->ag;
	cx->actor.nagreements = h->nag;
	return 0;
}

static int add_gr(void *arg, const struct xy_grant *g)
{
	struct xy_holdings *h = arg;
	int rc;
	if (h->ngr >= XY_HOLDINGS_MAX) {
		xy_log_warn("more than %d grants in force for one purpose", XY_HOLDINGS_MAX);
		return 0;
	}
	if ((rc = room((void **)&h->gr, sizeof *h->gr, (void **)&h->names, sizeof *h->names, h->ngr,
		       &h->cap_gr)))
		return rc;
	snprintf(h->names[h->ngr][0], sizeof h->names[h->ngr][0], "%s", g->dataset);
	snprintf(h->names[h->ngr][1], sizeof h->names[h->ngr][1], "%s", g->purpose);
	h->gr[h->ngr] =
		(struct xy_grant_ref){g->id,	     NULL,     NULL,	    g->provider_unit_id,
				      g->subject_id, g->clear, g->start_us, g->end_us};
	h->ngr++;
	return 0;
}

int xy_holdings_grants(struct xy_ctx *cx, int64_t subject_id, struct xy_holdings *h)
{
	int rc;
	if (!cx->actor.unit_id || !h->purpose)
		return 0;
	if ((rc = xy_store_grants_in_force(cx->st, cx->actor.unit_id, h->purpose, subject_id,
					   xy_now_us(), add_gr, h)))
		return rc;
	for (int i = 0; i < h->ngr; i++) {
		h->gr[i].dataset = h->names[i][0];
		h->gr[i].purpose = h->names[i][1];
	}
	cx->actor.grants = h->gr;
	cx->actor.ngrants = h->ngr;
	return 0;
}

void xy_holdings_free(struct xy_ctx *cx, struct xy_holdings *h)
{
	free(h->ag);
	free(h->ag_ds);
	free(h->gr);
	free(h->names);
	memset(h, 0, sizeof *h);
	cx->actor.agreements = NULL;
	cx->actor.nagreements = 0;
	cx->actor.grants = NULL;
	cx->actor.ngrants = 0;
}
