/* /api/v1/subjects and /api/v1/datasets/{code}/records: the queries of
 * SHR-1..5.  What may be seen, and masked how, is svc/query.c's to say; this
 * file only writes it. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/row.h"
#include "svc/query.h"
#include "util/err.h"

/* The answer for a failed query. */
static void query_fail(struct xy_api_req *ar, int rc, const char *why)
{
	char msg[160];
	if (rc == XY_EINVAL && why && !strcmp(why, "purpose_required")) {
		xy_api_error(
			ar, 400, "purpose_required",
			"every query states its purpose: ?purpose=CODE (GET /api/v1/purposes)");
	} else if (rc == XY_EINVAL && why && !strcmp(why, "purpose")) {
		xy_api_error(ar, 400, "unknown_purpose",
			     "purpose is not a code of GET /api/v1/purposes");
	} else if (rc == XY_EINVAL) {
		snprintf(msg, sizeof msg, "query parameter \"%s\" is missing or invalid",
			 why ? why : "?");
		xy_api_error(ar, 400, "bad_request", msg);
	} else if (rc == XY_EDENIED && why && !strcmp(why, "no_agreement")) {
		xy_api_error(ar, 403, "no_agreement",
			     "your unit has no use agreement in force for this purpose");
	} else if (rc == XY_ENOTFOUND && why && !strcmp(why, "subject")) {
		xy_api_error(ar, 404, "not_found", "no credit information you may see");
	} else {
		xy_api_fail(ar, rc, why);
	}
}

static const char *param(struct xy_api_req *ar, const char *key)
{
	return xy_http_query(&ar->rq->target, key);
}

static void write_record(struct xy_jw *w, const struct xy_qrec *r)
{
	xy_jw_obj(w);
	xy_jw_kint(w, "id", r->id);
	xy_jw_key(w, "provider");
	xy_jw_obj(w);
	xy_jw_kstr(w, "code", r->provider->code);
	xy_jw_kstr(w, "name", r->provider->name);
	xy_jw_obj_end(w);
	xy_jw_key(w, "submitted_at");
	xy_jw_time(w, r->submitted_us);
	xy_jw_key(w, "valid_until");
	if (r->valid_until == XY_NO_END)
		xy_jw_null(w);
	else
		xy_jw_date(w, r->valid_until);
	xy_jw_key(w, "display_until");
	if (r->display_until == XY_NOT_DISPLAYED)
		xy_jw_null(w);
	else
		xy_jw_date(w, r->display_until);
	xy_jw_kstr(w, "basis", r->basis);
	xy_jw_key(w, "agreement");
	if (r->agreement_id)
		xy_jw_int(w, r->agreement_id);
	else
		xy_jw_null(w);
	xy_jw_key(w, "grant");
	if (r->grant_id)
		xy_jw_int(w, r->grant_id);
	else
		xy_jw_null(w);
	xy_jw_kbool(w, "clear", r->clear);
	xy_jw_key(w, "masked");
	xy_jw_arr(w);
	for (int i = 0; i < r->nfields; i++)
		if (r->fields[i].masked)
			xy_jw_str(w, r->fields[i].f->code);
	xy_jw_arr_end(w);
	xy_jw_key(w, "fields");
	xy_jw_obj(w);
	for (int i = 0; i < r->nfields; i++) {
		xy_jw_key(w, r->fields[i].f->code);
		if (r->fields[i].v)
			xy_jw_strn(w, r->fields[i].v, r->fields[i].n);
		else
			xy_jw_null(w);
	}
	xy_jw_obj_end(w);
	xy_jw_obj_end(w);
}

static void write_subject(struct xy_jw *w, const struct xy_qsubject *s)
{
	xy_jw_obj(w);
	xy_jw_kint(w, "id", s->id);
	xy_jw_kstr(w, "kind", s->natural ? "natural" : "legal");
	xy_jw_kstr(w, "code", s->code);
	xy_jw_kstr(w, "code_type", s->code_type);
	xy_jw_kstr(w, "name", s->name[0] ? s->name : NULL);
	xy_jw_kstr(w, "region", s->region[0] ? s->region : NULL);
	xy_jw_obj_end(w);
}

/* ---- GET /api/v1/subjects/{code} ---- */

struct subj_out {
	struct xy_jw *w;
	const char *ds; /* the dataset group open, or NULL */
};

static int subj_rec(void *arg, const struct xy_qrec *r)
{
	struct subj_out *o = arg;
	if (!o->ds || strcmp(o->ds, r->ds->code) != 0) {
		if (o->ds) {
			xy_jw_arr_end(o->w);
			xy_jw_obj_end(o->w);
		}
		o->ds = r->ds->code;
		xy_jw_obj(o->w);
		xy_jw_kstr(o->w, "code", r->ds->code);
		xy_jw_kstr(o->w, "name", r->ds->name);
		xy_jw_kstr(o->w, "sharing", xy_sharing_name(r->ds->sharing));
		xy_jw_key(o->w, "records");
		xy_jw_arr(o->w);
	}
	write_record(o->w, r);
	return 0;
}

void xy_api_subject_get(struct xy_api_req *ar)
{
	struct xy_subject_query in = {param(ar, "purpose"), ar->param[0], param(ar, "id_type")};
	struct xy_qsubject s;
	struct subj_out o = {0};
	struct xy_jw w;
	const char *why = NULL;
	int more = 0, rc;

	xy_api_jw_begin(ar, &w);
	o.w = &w;
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "purpose", in.purpose);
	xy_jw_key(&w, "datasets");
	xy_jw_arr(&w);
	rc = xy_query_subject(&ar->cx, &in, subj_rec, &o, &s, &more, &why);
	if (rc) {
		query_fail(ar, rc, why);
		return;
	}
	if (o.ds) {
		xy_jw_arr_end(&w);
		xy_jw_obj_end(&w);
	}
	xy_jw_arr_end(&w);
	xy_jw_kbool(&w, "more", more);
	xy_jw_key(&w, "subject");
	write_subject(&w, &s);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}

/* ---- GET /api/v1/subjects?q= ---- */

static int hit(void *arg, const struct xy_search_hit *h)
{
	struct xy_jw *w = arg;
	xy_jw_obj(w);
	xy_jw_key(w, "subject");
	write_subject(w, h->s);
	xy_jw_key(w, "records");
	xy_jw_obj(w);
	for (int i = 0; i < h->ndatasets; i++)
		xy_jw_kint(w, h->datasets[i], h->counts[i]);
	xy_jw_obj_end(w);
	xy_jw_obj_end(w);
	return 0;
}

void xy_api_subjects_search(struct xy_api_req *ar)
{
	struct xy_search in = {param(ar, "purpose"), param(ar, "q"), param(ar, "cursor"), 20};
	const char *l = param(ar, "limit");
	char next[XY_SUBJECT_CODE_MAX + 8];
	struct xy_jw w;
	const char *why = NULL;
	int rc;

	if (l) {
		char *e;
		long v = strtol(l, &e, 10);
		in.limit = (!*l || *e || v < 1 || v > XY_SEARCH_LIMIT_MAX) ? 0 : (int)v;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "purpose", in.purpose);
	xy_jw_key(&w, "items");
	xy_jw_arr(&w);
	rc = xy_query_search(&ar->cx, &in, hit, &w, next, sizeof next, &why);
	if (rc) {
		query_fail(ar, rc, why);
		return;
	}
	xy_jw_arr_end(&w);
	xy_jw_kstr(&w, "next", next[0] ? next : NULL);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}

/* ---- GET /api/v1/datasets/{code}/records ---- */

static int ds_rec(void *arg, const struct xy_qrec *r)
{
	write_record(arg, r);
	return 0;
}

void xy_api_dataset_records(struct xy_api_req *ar)
{
	struct xy_dataset_query in = {param(ar, "purpose"), ar->param[0], param(ar, "unit"), 0,
				      100};
	struct xy_jw w;
	const char *why = NULL;
	int64_t next = 0;
	int rc;

	if (xy_api_page(ar, &in.after, &in.limit)) {
		xy_api_error(ar, 400, "bad_request", "after: a record id; limit: 1-500");
		return;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "purpose", in.purpose);
	xy_jw_kstr(&w, "dataset", in.dataset);
	xy_jw_key(&w, "items");
	xy_jw_arr(&w);
	rc = xy_query_dataset(&ar->cx, &in, ds_rec, &w, &next, &why);
	if (rc) {
		query_fail(ar, rc, why);
		return;
	}
	xy_jw_arr_end(&w);
	xy_jw_key(&w, "next");
	if (next)
		xy_jw_int(&w, next);
	else
		xy_jw_null(&w);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}
