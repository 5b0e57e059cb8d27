/* /api/v1/authorisations: a using unit asks, the providing unit approves,
 * rejects or revokes (SHR-3, SOD-4).  The rules are svc/authorise.c's. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "svc/authorise.h"
#include "util/date.h"
#include "util/err.h"

static void auth_fail(struct xy_api_req *ar, int rc, const char *why)
{
	if (rc == XY_EDENIED && why && !strcmp(why, "no_agreement"))
		xy_api_error(
			ar, 403, "no_agreement",
			"your unit has no use agreement in force for this dataset and purpose");
	else if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 404, "not_found", "no such authorisation request");
	else if (rc == XY_ECONFLICT && why && !strcmp(why, "not_pending"))
		xy_api_error(ar, 409, "not_pending", "the request has already been decided");
	else if (rc == XY_ECONFLICT && why && !strcmp(why, "not_approved"))
		xy_api_error(ar, 409, "not_approved", "only an approved request can be revoked");
	else if (rc == XY_ECONFLICT && why && !strcmp(why, "period_over"))
		xy_api_error(ar, 409, "period_over", "the period asked for has already ended");
	else
		xy_api_fail(ar, rc, why);
}

/* A body member that is an array of strings; -1 when present and not. */
static int strings(json_t *body, const char *key, const char **out, int max, int *n)
{
	json_t *a = json_object_get(body, key), *v;
	size_t i;
	*n = 0;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > (size_t)max)
		return -1;
	json_array_foreach (a, i, v) {
		if (!json_is_string(v))
			return -1;
		out[(*n)++] = json_string_value(v);
	}
	return 0;
}

/* A boolean member: 0 when absent; -1 when present and not a boolean. */
static int boolean(json_t *body, const char *key, int *out)
{
	json_t *v = json_object_get(body, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

void xy_api_auth_create(struct xy_api_req *ar)
{
	const char **subjects = calloc(XY_AUTH_SUBJECTS_MAX, sizeof *subjects);
	struct xy_auth_req in = {0};
	const char *why = NULL;
	int64_t id;
	int bad = 0, rc;

	if (!subjects) {
		xy_api_fail(ar, XY_ENOMEM, NULL);
		return;
	}
	in.dataset = xy_api_str(ar, "dataset", &bad);
	in.provider = xy_api_str(ar, "provider", &bad);
	in.purpose = xy_api_str(ar, "purpose", &bad);
	in.valid_from = xy_api_str(ar, "valid_from", &bad);
	in.valid_to = xy_api_str(ar, "valid_to", &bad);
	in.clear_reason = xy_api_str(ar, "clear_reason", &bad);
	in.reason = xy_api_str(ar, "reason", &bad);
	if (bad)
		why = "dataset, provider, purpose, valid_from, valid_to, clear_reason, reason";
	else if (strings(ar->body, "subjects", subjects, XY_AUTH_SUBJECTS_MAX, &in.nsubjects))
		why = "subjects";
	else if (boolean(ar->body, "all", &in.all))
		why = "all";
	else if (boolean(ar->body, "clear", &in.clear))
		why = "clear";
	if (why) {
		free(subjects);
		xy_api_fail(ar, XY_EINVAL, why);
		return;
	}
	in.subjects = subjects;
	rc = xy_auth_submit(&ar->cx, &in, &id, &why);
	free(subjects);
	if (rc) {
		auth_fail(ar, rc, why);
		return;
	}
	xy_api_reply(ar, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state", "submitted"));
}

static int write_view(void *arg, const struct xy_auth_view *v)
{
	struct xy_jw *w = arg;
	json_t *p = json_loads(v->r->payload, 0, NULL);
	int64_t now = xy_now_us();
	xy_jw_obj(w);
	xy_jw_kint(w, "id", v->r->id);
	xy_jw_kstr(w, "state", v->r->state);
	xy_jw_kstr(w, "requester", v->requester);
	xy_jw_kstr(w, "requester_unit", v->requester_unit);
	xy_jw_kstr(w, "provider", v->provider);
	xy_jw_kstr(w, "dataset", json_string_value(json_object_get(p, "dataset")));
	xy_jw_kstr(w, "purpose", json_string_value(json_object_get(p, "purpose")));
	xy_jw_kstr(w, "valid_from", json_string_value(json_object_get(p, "valid_from")));
	xy_jw_kstr(w, "valid_to", json_string_value(json_object_get(p, "valid_to")));
	xy_jw_kbool(w, "all", json_is_true(json_object_get(p, "all")));
	xy_jw_kint(w, "subjects_asked", v->subjects_asked);
	xy_jw_kbool(w, "clear", json_is_true(json_object_get(p, "clear")));
	xy_jw_kstr(w, "clear_reason", json_string_value(json_object_get(p, "clear_reason")));
	xy_jw_kstr(w, "reason", v->r->reason);
	xy_jw_key(w, "created_at");
	xy_jw_time(w, v->r->created_at);
	xy_jw_kstr(w, "decided_by", v->decided_by);
	xy_jw_key(w, "decided_at");
	if (v->r->decided_at)
		xy_jw_time(w, v->r->decided_at);
	else
		xy_jw_null(w);
	xy_jw_kstr(w, "decision_note", v->r->decision_note[0] ? v->r->decision_note : NULL);
	xy_jw_key(w, "grants");
	xy_jw_arr(w);
	for (int i = 0; i < v->ngrants; i++) {
		const struct xy_grant *g = &v->grants[i];
		xy_jw_obj(w);
		xy_jw_kint(w, "id", g->id);
		xy_jw_kbool(w, "all_subjects", g->subject_id == 0);
		xy_jw_key(w, "start");
		xy_jw_time(w, g->start_us);
		xy_jw_key(w, "end");
		xy_jw_time(w, g->end_us);
		xy_jw_key(w, "revoked_at");
		if (g->revoked_at)
			xy_jw_time(w, g->revoked_at);
		else
			xy_jw_null(w);
		xy_jw_kbool(w, "in_force", !g->revoked_at && g->start_us <= now && now < g->end_us);
		xy_jw_obj_end(w);
	}
	xy_jw_arr_end(w);
	xy_jw_obj_end(w);
	json_decref(p);
	return 0;
}

static int64_t id_param(struct xy_api_req *ar)
{
	char *e;
	long long id = strtoll(ar->param[0], &e, 10);
	return *e || id <= 0 ? 0 : id;
}

void xy_api_auth_get(struct xy_api_req *ar)
{
	struct xy_jw w;
	int64_t id = id_param(ar);
	int rc;
	if (!id) {
		auth_fail(ar, XY_ENOTFOUND, NULL);
		return;
	}
	xy_api_jw_begin(ar, &w);
	rc = xy_auth_get(&ar->cx, id, write_view, &w);
	if (rc) {
		auth_fail(ar, rc, NULL);
		return;
	}
	xy_api_jw_end(ar, 200, &w);
}

void xy_api_auth_list(struct xy_api_req *ar)
{
	const char *why = NULL;
	int64_t before = 0, next = 0;
	int limit, rc;
	struct xy_jw w;

	if (xy_api_before_page(ar, &before, &limit)) {
		xy_api_error(ar, 400, "bad_request", "before: a request id; limit: 1-500");
		return;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "items");
	xy_jw_arr(&w);
	rc = xy_auth_list(&ar->cx, xy_http_query(&ar->rq->target, "state"), before, limit,
			  write_view, &w, &next, &why);
	if (rc) {
		if (rc == XY_EINVAL)
			xy_api_error(ar, 400, "bad_request",
				     "state: submitted, approved, rejected or revoked");
		else
			auth_fail(ar, rc, why);
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

static void decide(struct xy_api_req *ar, int what)
{
	const char *why = NULL, *text;
	int64_t id = id_param(ar);
	int bad = 0, rc;
	text = xy_api_str(ar, what == 1 ? "note" : "reason", &bad);
	if (!id) {
		auth_fail(ar, XY_ENOTFOUND, NULL);
		return;
	}
	if (bad) {
		xy_api_fail(ar, XY_EINVAL, what == 1 ? "note" : "reason");
		return;
	}
	rc = what == 2 ? xy_auth_revoke(&ar->cx, id, text, &why)
		       : xy_auth_decide(&ar->cx, id, what == 1, text, &why);
	if (rc)
		auth_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}

void xy_api_auth_approve(struct xy_api_req *ar)
{
	decide(ar, 1);
}

void xy_api_auth_reject(struct xy_api_req *ar)
{
	decide(ar, 0);
}

void xy_api_auth_revoke(struct xy_api_req *ar)
{
	decide(ar, 2);
}
