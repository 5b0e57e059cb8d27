/* /api/v1/exports: extraction requests and their one download (SHR-7).
 * What the file holds, and who may take it, is svc/export.c's to say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "crypto/sm.h"
#include "svc/export.h"
#include "util/err.h"

static void export_fail(struct xy_api_req *ar, int rc, const char *why)
{
	if (rc == XY_ENOTFOUND && (!why || strcmp(why, "subject") != 0))
		xy_api_error(ar, 404, "not_found", "no such export");
	else if (rc == XY_ECONFLICT && why && !strcmp(why, "not_pending"))
		xy_api_error(ar, 409, "not_pending", "the request has been decided already");
	else if (rc == XY_ECONFLICT && why && !strcmp(why, "not_approved"))
		xy_api_error(ar, 409, "not_approved", "the extraction has not been approved");
	else if (rc == XY_ECONFLICT && why && !strcmp(why, "already_downloaded"))
		xy_api_error(ar, 409, "already_downloaded",
			     "the file was downloaded once already; ask again for another");
	else if (rc == XY_ELIMIT)
		xy_api_error(ar, 422, "export_too_large",
			     "the result is larger than one export may be (100,000 records, "
			     "64 MiB): narrow it, e.g. to one providing unit");
	else if (rc == XY_EDENIED && why && !strcmp(why, "no_agreement"))
		xy_api_error(ar, 403, "no_agreement",
			     "your unit has no use agreement in force for this purpose");
	else
		xy_api_fail(ar, rc, why);
}

static void write_view(struct xy_jw *w, const struct xy_export_view *v)
{
	const struct xy_request *r = v->r;
	char hex[65];
	xy_jw_obj(w);
	xy_jw_kint(w, "id", r->id);
	xy_jw_kstr(w, "state", v->done ? "downloaded" : r->state);
	xy_jw_kstr(w, "requester", v->requester);
	xy_jw_kstr(w, "requester_unit", v->requester_unit);
	xy_jw_kstr(w, "dataset", v->dataset);
	xy_jw_kstr(w, "unit", v->unit);
	xy_jw_kstr(w, "subject", v->subject);
	xy_jw_kstr(w, "purpose", v->purpose);
	xy_jw_kstr(w, "format", v->format);
	xy_jw_kstr(w, "reason", r->reason);
	xy_jw_key(w, "created_at");
	xy_jw_time(w, r->created_at);
	xy_jw_kstr(w, "decided_by", v->decided_by);
	xy_jw_key(w, "decided_at");
	if (r->decided_at)
		xy_jw_time(w, r->decided_at);
	else
		xy_jw_null(w);
	xy_jw_kstr(w, "decision_note", r->decided_at ? r->decision_note : NULL);
	xy_jw_key(w, "download");
	if (v->done) {
		xy_hex(v->done->sm3, sizeof v->done->sm3, hex);
		xy_jw_obj(w);
		xy_jw_key(w, "at");
		xy_jw_time(w, v->done->downloaded_at);
		xy_jw_kint(w, "rows", v->done->rows);
		xy_jw_kint(w, "bytes", v->done->bytes);
		xy_jw_kstr(w, "sm3", hex);
		xy_jw_obj_end(w);
	} else {
		xy_jw_null(w);
	}
	xy_jw_obj_end(w);
}

static int view_cb(void *arg, const struct xy_export_view *v)
{
	write_view(arg, v);
	return 0;
}

void xy_api_exports_create(struct xy_api_req *ar)
{
	struct xy_export_req in = {0};
	const char *why = NULL;
	int64_t id;
	int bad = 0, rc;
	in.dataset = xy_api_str(ar, "dataset", &bad);
	in.unit = xy_api_str(ar, "unit", &bad);
	in.subject = xy_api_str(ar, "subject", &bad);
	in.purpose = xy_api_str(ar, "purpose", &bad);
	in.format = xy_api_str(ar, "format", &bad);
	in.reason = xy_api_str(ar, "reason", &bad);
	if (bad) {
		xy_api_error(ar, 422, "invalid_field",
			     "dataset, unit, subject, purpose, format, reason: strings");
		return;
	}
	rc = xy_export_submit(&ar->cx, &in, &id, &why);
	if (rc) {
		export_fail(ar, rc, why);
		return;
	}
	xy_api_reply(ar, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state", "submitted"));
}

static int64_t export_param(struct xy_api_req *ar)
{
	char *e;
	long long id = strtoll(ar->param[0], &e, 10);
	if (*e || id <= 0) {
		xy_api_error(ar, 404, "not_found", "no such export");
		return 0;
	}
	return id;
}

void xy_api_exports_list(struct xy_api_req *ar)
{
	const char *why = NULL;
	int64_t before = 0, next = 0;
	int limit, rc;
	struct xy_jw w;

	if (xy_api_before_page(ar, &before, &limit)) {
		xy_api_error(ar, 400, "bad_request", "before: an export id; limit: 1-500");
		return;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "items");
	xy_jw_arr(&w);
	rc = xy_export_list(&ar->cx, xy_http_query(&ar->rq->target, "state"), before, limit,
			    view_cb, &w, &next, &why);
	if (rc) {
		if (rc == XY_EINVAL)
			xy_api_error(ar, 400, "bad_request",
				     "state: submitted, approved or rejected");
		else
			export_fail(ar, rc, why);
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

void xy_api_export_get(struct xy_api_req *ar)
{
	struct xy_jw w;
	int64_t id = export_param(ar);
	int rc;
	if (!id)
		return;
	xy_api_jw_begin(ar, &w);
	rc = xy_export_get(&ar->cx, id, view_cb, &w);
	if (rc)
		export_fail(ar, rc, NULL);
	else
		xy_api_jw_end(ar, 200, &w);
}

static void decide(struct xy_api_req *ar, int approve)
{
	const char *why = NULL, *note;
	int bad = 0, rc;
	int64_t id = export_param(ar);
	if (!id)
		return;
	note = xy_api_str(ar, approve ? "note" : "reason", &bad);
	if (bad) {
		xy_api_fail(ar, XY_EINVAL, approve ? "note" : "reason");
		return;
	}
	rc = xy_export_decide(&ar->cx, id, approve, note, &why);
	if (rc)
		export_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}

void xy_api_export_approve(struct xy_api_req *ar)
{
	decide(ar, 1);
}

void xy_api_export_reject(struct xy_api_req *ar)
{
	decide(ar, 0);
}

void xy_api_export_file(struct xy_api_req *ar)
{
	const char *why = NULL, *ctype = NULL;
	char name[64];
	long rows = 0;
	int64_t id = export_param(ar);
	int rc;
	if (!id)
		return;
	xy_buf_reset(&ar->rq->out);
	rc = xy_export_download(&ar->cx, id, &ar->rq->out, &ctype, name, sizeof name, &rows, &why);
	if (rc) {
		export_fail(ar, rc, why);
		return;
	}
	ar->rq->status = 200;
	ar->rq->ctype = ctype;
	snprintf(ar->rq->disposition, sizeof ar->rq->disposition, "attachment; filename=\"%s\"",
		 name);
}
