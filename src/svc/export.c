/* Exports: see export.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/catalog.h"
#include "core/codes.h"
#include "core/policy.h"
#include "core/purpose.h"
#include "crypto/sm.h"
#include "svc/agreement.h"
#include "svc/export.h"
#include "svc/instance.h"
#include "svc/query.h"
#include "util/date.h"
#include "util/err.h"
#include "util/jw.h"

#define KIND	     "extraction"
#define COLUMNS_MAX  512 /* distinct field codes in one CSV file */
#define PAGE_RECORDS 500

/* ---- asking ---- */

int xy_export_submit(struct xy_ctx *cx, const struct xy_export_req *in, int64_t *id,
		     const char **why)
{
	struct xy_request r = {0};
	struct xy_holdings h;
	struct xy_resource res = {.role = -1};
	struct xy_decision d;
	char obj[160], *payload;
	json_t *p;
	int64_t office = 0;
	int rc;

	*id = 0;
	if (!in->purpose || !*in->purpose) {
		*why = "purpose";
		return XY_EINVAL;
	}
	if (!xy_purpose_find(in->purpose)) {
		*why = "purpose";
		return XY_EINVAL;
	}
	if (!!in->dataset == !!in->subject) {
		*why = "dataset"; /* exactly one of dataset and subject */
		return XY_EINVAL;
	}
	if (in->dataset && !xy_catalog_dataset(cx->svc->inst->catalog, in->dataset)) {
		*why = "dataset";
		return XY_EINVAL;
	}
	if (in->unit && (!in->dataset || strlen(in->unit) > XY_UNIT_CODE_MAX ||
			 xy_uscc_check(in->unit, strlen(in->unit)) != XY_CODE_OK)) {
		*why = "unit";
		return XY_EINVAL;
	}
	if (in->subject && xy_uscc_check(in->subject, strlen(in->subject)) != XY_CODE_OK) {
		*why = "subject"; /* a legal person's unified social credit code */
		return XY_EINVAL;
	}
	if (!in->format || (strcmp(in->format, "csv") != 0 && strcmp(in->format, "jsonl") != 0)) {
		*why = "format";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(in->reason, 1000, 1)) {
		*why = "reason";
		return XY_EINVAL;
	}
	snprintf(obj, sizeof obj, "{\"dataset\":\"%s\",\"format\":\"%s\"}",
		 in->dataset ? in->dataset : "", in->format);
	cx->purpose = in->purpose;
	xy_policy_decide(&cx->actor, XY_ACT_EXPORT_REQUEST, &res, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, KIND ".submit", obj, d.reason);
	}
	/* Refused now rather than after an approval: no query at all. */
	if ((rc = xy_holdings_agreements(cx, in->purpose, &h)))
		return rc;
	res.purpose = in->purpose;
	xy_policy_decide(&cx->actor, XY_ACT_QUERY, &res, xy_now_us(), &d);
	xy_holdings_free(cx, &h);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, KIND ".submit", obj, d.reason);
	}
	/* Decided by the credit office of the unit's county, else the city's. */
	rc = xy_store_unit_office(cx->st, cx->who.region, &office);
	if (rc == XY_ENOTFOUND)
		rc = xy_store_unit_office(cx->st, cx->svc->inst->city_code, &office);
	if (rc)
		return rc;

	p = json_pack("{s:s?,s:s?,s:s?,s:s,s:s}", "dataset", in->dataset, "unit", in->unit,
		      "subject", in->subject, "purpose", in->purpose, "format", in->format);
	payload = p ? json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(p);
	if (!payload)
		return XY_ENOMEM;
	snprintf(r.kind, sizeof r.kind, KIND);
	r.requester = cx->who.account_id;
	r.requester_unit = cx->who.unit_id;
	r.approver_unit = office;
	snprintf(r.payload, sizeof r.payload, "%s", payload);
	snprintf(r.reason, sizeof r.reason, "%s", in->reason);
	r.created_at = xy_now_us();
	free(payload);
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	rc = xy_store_request_add(cx->st, &r);
	if (!rc) {
		snprintf(obj, sizeof obj, "{\"export\":%lld,\"dataset\":\"%s\",\"format\":\"%s\"}",
			 (long long)r.id, in->dataset ? in->dataset : "", in->format);
		rc = xy_svc_audit_tx(cx, KIND ".submit", obj, "ok", NULL);
	}
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc) {
		xy_store_rollback(cx->st);
		return rc;
	}
	*id = r.id;
	return 0;
}

/* ---- reading ---- */

/* The policy's view of a request: the requesting unit and account. */
static int request_resource(struct xy_ctx *cx, const struct xy_request *r, struct xy_unit *u,
			    struct xy_resource *res)
{
	int rc = xy_store_unit_by_id(cx->st, r->requester_unit, u);
	if (rc)
		return rc;
	xy_svc_unit_resource(u, res);
	res->account_id = r->requester;
	res->requester_unit_id = r->requester_unit;
	return 0;
}

/* An extraction request and the policy's view of it; XY_ENOTFOUND for a
 * request of another kind. */
static int load(struct xy_ctx *cx, int64_t id, struct xy_request *r, struct xy_unit *u,
		struct xy_resource *res)
{
	int rc = xy_store_request_get(cx->st, id, r);
	if (!rc && strcmp(r->kind, KIND) != 0)
		rc = XY_ENOTFOUND;
	return rc ? rc : request_resource(cx, r, u, res);
}

static const char *pstr(json_t *p, const char *key)
{
	return json_string_value(json_object_get(p, key));
}

/* Calls fn with the view of r (the caller has decided it may be read). */
static int view(struct xy_ctx *cx, const struct xy_request *r, const struct xy_unit *u,
		int (*fn)(void *arg, const struct xy_export_view *v), void *arg)
{
	struct xy_account *a = malloc(sizeof *a);
	struct xy_export_done done;
	char requester[XY_ACCOUNT_NAME_MAX] = "", decider[XY_ACCOUNT_NAME_MAX] = "";
	struct xy_export_view v = {r, requester, u->code, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	json_t *p = json_loads(r->payload, 0, NULL);
	int rc;

	if (!a || !p) {
		free(a);
		json_decref(p);
		return XY_ENOMEM;
	}
	if (!xy_store_account_by_id(cx->st, r->requester, a))
		snprintf(requester, sizeof requester, "%s", a->name);
	if (r->decided_by && !xy_store_account_by_id(cx->st, r->decided_by, a)) {
		snprintf(decider, sizeof decider, "%s", a->name);
		v.decided_by = decider;
	}
	xy_wipe(a, sizeof *a);
	free(a);
	v.dataset = pstr(p, "dataset");
	v.unit = pstr(p, "unit");
	v.subject = pstr(p, "subject");
	v.purpose = pstr(p, "purpose");
	v.format = pstr(p, "format");
	rc = xy_store_export_get(cx->st, r->id, &done);
	if (!rc)
		v.done = &done;
	rc = rc == XY_ENOTFOUND ? 0 : rc;
	if (!rc)
		rc = fn(arg, &v);
	json_decref(p);
	return rc;
}

int xy_export_get(struct xy_ctx *cx, int64_t id,
		  int (*fn)(void *arg, const struct xy_export_view *v), void *arg)
{
	struct xy_request *r = malloc(sizeof *r);
	struct xy_unit u;
	struct xy_resource res;
	struct xy_decision d;
	char obj[64];
	int rc;

	if (!r)
		return XY_ENOMEM;
	snprintf(obj, sizeof obj, "{\"export\":%lld}", (long long)id);
	rc = load(cx, id, r, &u, &res);
	if (!rc) {
		xy_policy_decide(&cx->actor, XY_ACT_EXPORT_READ, &res, xy_now_us(), &d);
		if (!d.allow) /* the same answer as an unknown export */
			rc = xy_svc_audit_read(cx, KIND ".read", obj, "refused", d.reason)
				     ? XY_EAUDIT
				     : XY_ENOTFOUND;
		else
			rc = view(cx, r, &u, fn, arg);
	}
	if (!rc)
		rc = xy_svc_audit_read(cx, KIND ".read", obj, "ok", NULL);
	free(r);
	return rc;
}

struct list_ctx {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_export_view *v);
	void *arg;
	int64_t last;
	int n;
};

static int list_one(void *arg, const struct xy_request *r)
{
	struct list_ctx *l = arg;
	struct xy_unit u;
	struct xy_resource res;
	struct xy_decision d;
	l->last = r->id;
	l->n++;
	if (request_resource(l->cx, r, &u, &res))
		return 0;
	xy_policy_decide(&l->cx->actor, XY_ACT_EXPORT_READ, &res, xy_now_us(), &d);
	return d.allow ? view(l->cx, r, &u, l->fn, l->arg) : 0;
}

int xy_export_list(struct xy_ctx *cx, const char *state, int64_t before_id, int limit,
		   int (*fn)(void *arg, const struct xy_export_view *v), void *arg, int64_t *next,
		   const char **why)
{
	struct list_ctx l = {cx, fn, arg, 0, 0};
	int rc;
	*next = 0;
	if (state && strcmp(state, "submitted") != 0 && strcmp(state, "approved") != 0 &&
	    strcmp(state, "rejected") != 0) {
		*why = "state";
		return XY_EINVAL;
	}
	rc = xy_store_request_each(cx->st, KIND, 0, state, before_id, limit, list_one, &l);
	if (!rc && l.n == limit)
		*next = l.last;
	return rc ? rc : xy_svc_audit_read(cx, KIND ".list", NULL, "ok", NULL);
}

/* ---- deciding ---- */

int xy_export_decide(struct xy_ctx *cx, int64_t id, int approve, const char *note, const char **why)
{
	const char *action = approve ? KIND ".approve" : KIND ".reject";
	struct xy_request *r;
	struct xy_unit u;
	struct xy_resource res;
	struct xy_decision d;
	char obj[64];
	int rc;

	if (approve ? note && !xy_svc_valid_text(note, 500, 0) : !xy_svc_valid_text(note, 500, 0)) {
		*why = approve ? "note" : "reason";
		return XY_EINVAL;
	}
	if (!(r = malloc(sizeof *r)))
		return XY_ENOMEM;
	snprintf(obj, sizeof obj, "{\"export\":%lld}", (long long)id);
	rc = load(cx, id, r, &u, &res);
	if (rc)
		goto out;
	xy_policy_decide(&cx->actor, XY_ACT_EXPORT_DECIDE, &res, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		rc = xy_svc_refuse(cx, action, obj, d.reason);
		goto out;
	}
	if ((rc = xy_store_begin(cx->st)))
		goto out;
	rc = xy_store_request_move(cx->st, id, "submitted", approve ? "approved" : "rejected",
				   cx->who.account_id, xy_now_us(), note);
	if (rc == XY_ECONFLICT)
		*why = "not_pending";
	if (!rc)
		rc = xy_svc_audit_tx(cx, action, obj, "ok", NULL);
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
out:
	free(r);
	return rc;
}

/* ---- the file ---- */

/* Records collected as JSON lines (one object each, with their field
 * values), then written out as the requested format. */
struct collect {
	struct xy_buf lines;
	const char *cols[COLUMNS_MAX];
	int ncols;
	long rows;
	int too_many;
};

static int collect_rec(void *arg, const struct xy_qrec *r)
{
	struct collect *c = arg;
	struct xy_jw w;
	if (++c->rows > XY_EXPORT_ROWS_MAX) {
		c->too_many = 1;
		return XY_ELIMIT;
	}
	for (int i = 0; i < r->nfields; i++) { /* catalog field codes live as long as the catalog */
		int k = 0;
		while (k < c->ncols && strcmp(c->cols[k], r->fields[i].f->code) != 0)
			k++;
		if (k == c->ncols) {
			if (c->ncols == COLUMNS_MAX)
				return XY_ELIMIT;
			c->cols[c->ncols++] = r->fields[i].f->code;
		}
	}
	xy_jw_init(&w, &c->lines);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "dataset", r->ds->code);
	xy_jw_kint(&w, "record", r->id);
	xy_jw_kstr(&w, "provider", r->provider->code);
	xy_jw_key(&w, "submitted_at");
	xy_jw_time(&w, r->submitted_us);
	xy_jw_key(&w, "fields");
	xy_jw_obj(&w);
	for (int i = 0; i < r->nfields; i++) {
		xy_jw_key(&w, r->fields[i].f->code);
		if (r->fields[i].v)
			xy_jw_strn(&w, r->fields[i].v, r->fields[i].n);
		else
			xy_jw_null(&w);
	}
	xy_jw_obj_end(&w);
	xy_jw_obj_end(&w);
	if (xy_jw_end(&w))
		return XY_ELIMIT;
	return xy_buf_addc(&c->lines, '\n');
}

/* One CSV cell: quoted when needed; a leading = + @ or control character
 * gets a ' so that a spreadsheet shows it instead of running it. */
static int csv_cell(struct xy_buf *b, const char *v, int first)
{
	int rc = first ? 0 : xy_buf_addc(b, ',');
	int formula = v[0] == '=' || v[0] == '+' || v[0] == '@' || v[0] == '\t' || v[0] == '\r';
	if (rc)
		return rc;
	if (!formula && !strpbrk(v, ",\"\r\n"))
		return xy_buf_adds(b, v);
	if ((rc = xy_buf_addc(b, '"')) || (formula && (rc = xy_buf_addc(b, '\''))))
		return rc;
	for (; *v; v++)
		if ((*v == '"' && (rc = xy_buf_addc(b, '"'))) || (rc = xy_buf_addc(b, *v)))
			return rc;
	return xy_buf_addc(b, '"');
}

static int write_csv(struct xy_buf *out, const struct collect *c, const char *head[], int nhead,
		     const char *mark)
{
	static const char *const fixed[] = {"watermark", "dataset", "record", "provider",
					    "submitted_at"};
	char *p = c->lines.p, *nl;
	int rc = 0;
	for (int i = 0; !rc && i < nhead; i++)
		rc = csv_cell(out, head[i], i == 0);
	rc = rc ? rc : xy_buf_adds(out, "\r\n");
	for (int i = 0; !rc && i < 5; i++)
		rc = csv_cell(out, fixed[i], i == 0);
	for (int i = 0; !rc && i < c->ncols; i++)
		rc = csv_cell(out, c->cols[i], 0);
	rc = rc ? rc : xy_buf_adds(out, "\r\n");
	for (; !rc && p && (nl = strchr(p, '\n')); p = nl + 1) {
		json_t *o = json_loadb(p, (size_t)(nl - p), 0, NULL), *f;
		char id[24];
		if (!o)
			return XY_ENOMEM;
		f = json_object_get(o, "fields");
		id[xy_i64_str(json_integer_value(json_object_get(o, "record")), id)] = 0;
		rc = csv_cell(out, mark, 1);
		if (!rc)
			rc = csv_cell(out, pstr(o, "dataset"), 0);
		if (!rc)
			rc = csv_cell(out, id, 0);
		if (!rc)
			rc = csv_cell(out, pstr(o, "provider"), 0);
		if (!rc)
			rc = csv_cell(out, pstr(o, "submitted_at"), 0);
		for (int i = 0; !rc && i < c->ncols; i++) {
			const char *v = json_string_value(json_object_get(f, c->cols[i]));
			rc = csv_cell(out, v ? v : "", 0);
		}
		if (!rc)
			rc = xy_buf_adds(out, "\r\n");
		json_decref(o);
	}
	return rc;
}

static int write_jsonl(struct xy_buf *out, const struct collect *c, const char *head[],
		       const char *mark)
{
	struct xy_jw w;
	const char *p = c->lines.p, *nl;
	int rc;
	xy_jw_init(&w, out);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "xinyong_export", head[1]);
	xy_jw_kstr(&w, "account", head[3]);
	xy_jw_kstr(&w, "unit", head[5]);
	xy_jw_kstr(&w, "purpose", head[7]);
	xy_jw_kstr(&w, "generated_at", head[9]);
	xy_jw_kstr(&w, "watermark", mark);
	xy_jw_obj_end(&w);
	if ((rc = xy_jw_end(&w)) || (rc = xy_buf_addc(out, '\n')))
		return rc;
	/* Each line gets the watermark as its first member. */
	for (; p && (nl = strchr(p, '\n')); p = nl + 1) {
		if ((rc = xy_buf_adds(out, "{\"watermark\":\"")) || (rc = xy_buf_adds(out, mark)) ||
		    (rc = xy_buf_adds(out, "\",")) ||
		    (rc = xy_buf_add(out, p + 1, (size_t)(nl - p))))
			return rc;
	}
	return 0;
}

/* The requester's query, page by page, into c. */
static int run_query(struct xy_ctx *cx, const char *dataset, const char *unit, const char *subject,
		     const char *purpose, struct collect *c, const char **why)
{
	int rc;
	if (subject) {
		struct xy_subject_query q = {purpose, subject, NULL};
		struct xy_qsubject s;
		int more = 0;
		rc = xy_query_subject(cx, &q, collect_rec, c, &s, &more, why);
		if (!rc && more)
			rc = XY_ELIMIT;
		return rc;
	}
	{
		struct xy_dataset_query q = {purpose, dataset, unit, 0, PAGE_RECORDS};
		int64_t next = 0;
		do {
			rc = xy_query_dataset(cx, &q, collect_rec, c, &next, why);
			q.after = next;
		} while (!rc && next);
	}
	return rc;
}

int xy_export_download(struct xy_ctx *cx, int64_t id, struct xy_buf *out, const char **ctype,
		       char *name, size_t namecap, long *rows, const char **why)
{
	struct xy_request *r = malloc(sizeof *r);
	struct xy_unit u;
	struct xy_resource res;
	struct xy_decision d;
	struct xy_export_done done;
	struct collect *c = calloc(1, sizeof *c);
	json_t *p = NULL;
	char obj[256], idtext[24], when[40], mark[XY_ACCOUNT_NAME_MAX + 40], hex[65];
	const char *head[10];
	const char *dataset, *unit, *subject, *purpose, *format;
	int rc;

	*rows = 0;
	if (!r || !c) {
		rc = XY_ENOMEM;
		goto out;
	}
	xy_buf_init(&c->lines, XY_EXPORT_BYTES_MAX);
	snprintf(obj, sizeof obj, "{\"export\":%lld}", (long long)id);
	rc = load(cx, id, r, &u, &res);
	if (rc)
		goto out;
	xy_policy_decide(&cx->actor, XY_ACT_EXPORT_DOWNLOAD, &res, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		rc = xy_svc_refuse(cx, KIND ".download", obj, d.reason);
		goto out;
	}
	if (strcmp(r->state, "approved") != 0 || !xy_store_export_get(cx->st, id, &done)) {
		*why = strcmp(r->state, "approved") != 0 ? "not_approved" : "already_downloaded";
		rc = xy_svc_audit(cx, KIND ".download", obj, "refused", *why);
		rc = rc ? rc : XY_ECONFLICT;
		goto out;
	}
	if (!(p = json_loads(r->payload, 0, NULL))) {
		rc = XY_ESTORE;
		goto out;
	}
	dataset = pstr(p, "dataset");
	unit = pstr(p, "unit");
	subject = pstr(p, "subject");
	purpose = pstr(p, "purpose");
	format = pstr(p, "format");
	if (!purpose || !format) {
		rc = XY_ESTORE;
		goto out;
	}
	rc = run_query(cx, dataset, unit, subject, purpose, c, why);
	if (rc == XY_ELIMIT || c->too_many) {
		*why = "too_large";
		rc = xy_svc_audit(cx, KIND ".download", obj, "refused", "too_large");
		rc = rc ? rc : XY_ELIMIT;
		goto out;
	}
	if (rc == XY_ENOTFOUND && subject) {
		rc = 0; /* nothing visible: an empty file, like an empty dataset */
	}
	if (rc)
		goto out;

	/* The header row and every line's watermark: who took it, which export. */
	idtext[xy_i64_str(id, idtext)] = 0;
	{
		time_t t = (time_t)(xy_now_us() / 1000000) + 8 * 3600; /* China time */
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
	}
	snprintf(mark, sizeof mark, "xinyong-export-%lld/%s", (long long)id, cx->who.account);
	head[0] = "xinyong_export";
	head[1] = idtext;
	head[2] = "account";
	head[3] = cx->who.account;
	head[4] = "unit";
	head[5] = cx->who.unit_code;
	head[6] = "purpose";
	head[7] = purpose;
	head[8] = "generated_at";
	head[9] = when;
	out->max = XY_EXPORT_BYTES_MAX;
	rc = !strcmp(format, "csv") ? write_csv(out, c, head, 10, mark)
				    : write_jsonl(out, c, head, mark);
	if (rc) {
		*why = "too_large";
		rc = rc == XY_ELIMIT ? XY_ELIMIT : rc;
		goto out;
	}
	*rows = c->rows;
	*ctype = !strcmp(format, "csv") ? "text/csv; charset=utf-8"
					: "application/x-ndjson; charset=utf-8";
	snprintf(name, namecap, "xinyong-export-%lld.%s", (long long)id, format);

	/* The one download, with its event, in one transaction. */
	memset(&done, 0, sizeof done);
	done.request_id = id;
	done.account = cx->who.account_id;
	done.downloaded_at = xy_now_us();
	done.rows = c->rows;
	done.bytes = (long long)out->len;
	xy_sm3(out->p ? out->p : "", out->len, done.sm3);
	xy_hex(done.sm3, sizeof done.sm3, hex);
	snprintf(obj, sizeof obj,
		 "{\"export\":%lld,\"format\":\"%s\",\"rows\":%ld,\"bytes\":%zu,\"sm3\":\"%s\"}",
		 (long long)id, format, c->rows, out->len, hex);
	if ((rc = xy_store_begin(cx->st)))
		goto out;
	rc = xy_store_export_claim(cx->st, &done);
	if (rc == XY_EEXISTS) {
		*why = "already_downloaded";
		rc = XY_ECONFLICT;
	}
	if (!rc)
		rc = xy_svc_audit_tx(cx, KIND ".download", obj, "ok", NULL);
	if (!rc)
		rc = xy_store_commit(cx->st);
	if (rc)
		xy_store_rollback(cx->st);
out:
	if (rc)
		xy_buf_wipe(out);
	if (c)
		xy_buf_cleanup(&c->lines);
	free(c);
	json_decref(p);
	free(r);
	return rc;
}
