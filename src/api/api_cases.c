/* /api/v1/cases: objections and credit repair applications received from the
 * portal (POR-3).  What may be seen is svc/intake.c's to say. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "svc/intake.h"
#include "util/err.h"

static void write_case(struct xy_jw *w, const struct xy_case_view *v)
{
	const struct xy_case *c = v->c;
	char rec[24];
	snprintf(rec, sizeof rec, "%lld", (long long)c->record_id);
	xy_jw_obj(w);
	xy_jw_kstr(w, "ticket", c->ticket);
	xy_jw_kstr(w, "kind", c->kind);
	xy_jw_kstr(w, "status", c->status);
	xy_jw_kstr(w, "record", rec);
	xy_jw_kstr(w, "subject", c->subject);
	xy_jw_key(w, "unit");
	if (v->unit_code && *v->unit_code) {
		xy_jw_obj(w);
		xy_jw_kstr(w, "code", v->unit_code);
		xy_jw_kstr(w, "name", v->unit_name);
		xy_jw_obj_end(w);
	} else {
		xy_jw_null(w);
	}
	xy_jw_kstr(w, "portal", c->portal);
	xy_jw_kint(w, "file_seq", c->file_seq);
	xy_jw_kstr(w, "submitted", c->submitted);
	xy_jw_kint(w, "received_at_us", c->received_at);
	xy_jw_key(w, "reply");
	if (c->reply[0])
		xy_jw_str(w, c->reply);
	else
		xy_jw_null(w);
	if (v->name) {
		xy_jw_key(w, "submitter");
		xy_jw_obj(w);
		xy_jw_kstr(w, "name", v->name);
		xy_jw_kstr(w, "contact", v->contact ? v->contact : "");
		xy_jw_kstr(w, "reason", v->reason ? v->reason : "");
		xy_jw_obj_end(w);
	}
	xy_jw_obj_end(w);
}

struct list_out {
	struct xy_jw *w;
	int64_t last;
	int n;
};

static int list_cb(void *arg, const struct xy_case_view *v)
{
	struct list_out *o = arg;
	write_case(o->w, v);
	o->last = v->c->id;
	o->n++;
	return 0;
}

void xy_api_cases_list(struct xy_api_req *ar)
{
	const char *why = NULL;
	int64_t after = 0;
	int limit, rc;
	struct xy_jw w;
	struct list_out o = {&w, 0, 0};

	if (xy_api_page(ar, &after, &limit)) {
		xy_api_error(ar, 400, "bad_request", "after: a position from `next`; limit: 1-500");
		return;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "items");
	xy_jw_arr(&w);
	rc = xy_case_list(&ar->cx, xy_http_query(&ar->rq->target, "kind"),
			  xy_http_query(&ar->rq->target, "status"), after, limit, list_cb, &o,
			  &why);
	if (rc) {
		if (rc == XY_EINVAL && why && !strcmp(why, "kind"))
			xy_api_error(ar, 400, "bad_request", "kind: objection or repair");
		else if (rc == XY_EINVAL)
			xy_api_error(ar, 400, "bad_request",
				     "status: received, accepted, refused, verifying, corrected, "
				     "upheld, revoked, approved, rejected or closed");
		else
			xy_api_fail(ar, rc, why);
		return;
	}
	xy_jw_arr_end(&w);
	/* A full page: there may be more after its last case. */
	xy_jw_key(&w, "next");
	if (o.n == limit)
		xy_jw_int(&w, o.last);
	else
		xy_jw_null(&w);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}

static int get_cb(void *arg, const struct xy_case_view *v)
{
	write_case(arg, v);
	return 0;
}

void xy_api_case_get(struct xy_api_req *ar)
{
	struct xy_jw w;
	int rc;
	xy_api_jw_begin(ar, &w);
	rc = xy_case_get(&ar->cx, ar->param[0], get_cb, &w);
	if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 404, "not_found", "no such case");
	else if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		xy_api_jw_end(ar, 200, &w);
}
