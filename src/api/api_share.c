/* /api/v1/purposes and /api/v1/agreements: the purposes a query names and
 * the use agreements that let a unit query (SHR-5). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/purpose.h"
#include "svc/agreement.h"
#include "util/err.h"

void xy_api_purposes(struct xy_api_req *ar)
{
	struct xy_jw w;
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "purposes");
	xy_jw_arr(&w);
	for (int i = 0; i < xy_npurposes; i++) {
		xy_jw_obj(&w);
		xy_jw_kstr(&w, "code", xy_purposes[i].code);
		xy_jw_kstr(&w, "name_zh", xy_purposes[i].zh);
		xy_jw_kstr(&w, "name_en", xy_purposes[i].en);
		xy_jw_obj_end(&w);
	}
	xy_jw_arr_end(&w);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}

/* A body member that must be an array of strings (1..max). */
static int str_array(json_t *body, const char *key, const char **out, int max, int *n)
{
	json_t *a = json_object_get(body, key), *v;
	size_t i;
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > (size_t)max)
		return -1;
	json_array_foreach (a, i, v) {
		if (!json_is_string(v))
			return -1;
		out[(*n)++] = json_string_value(v);
	}
	return 0;
}

void xy_api_agreements_create(struct xy_api_req *ar)
{
	const char *ds[XY_AGREEMENT_DATASETS_MAX], *pp[XY_AGREEMENT_PURPOSES_MAX];
	struct xy_agreement_req in = {0};
	const char *why = NULL;
	int64_t id;
	int bad = 0, rc;

	in.unit = xy_api_str(ar, "unit", &bad);
	in.valid_from = xy_api_str(ar, "valid_from", &bad);
	in.valid_to = xy_api_str(ar, "valid_to", &bad);
	in.document = xy_api_str(ar, "document", &bad);
	if (bad) {
		xy_api_error(ar, 422, "invalid_field",
			     "unit, valid_from, valid_to, document: strings");
		return;
	}
	if (str_array(ar->body, "datasets", ds, XY_AGREEMENT_DATASETS_MAX, &in.ndatasets)) {
		xy_api_fail(ar, XY_EINVAL, "datasets");
		return;
	}
	if (str_array(ar->body, "purposes", pp, XY_AGREEMENT_PURPOSES_MAX, &in.npurposes)) {
		xy_api_fail(ar, XY_EINVAL, "purposes");
		return;
	}
	in.datasets = ds;
	in.purposes = pp;
	rc = xy_agreement_create(&ar->cx, &in, &id, &why);
	if (rc) {
		xy_api_fail(ar, rc, why);
		return;
	}
	xy_api_reply(ar, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

struct list_out {
	struct xy_api_req *ar;
	json_t *items;
	int64_t last;
};

static int add_line(void *arg, const char *dataset, const char *purpose)
{
	json_t *lines = arg;
	return json_array_append_new(lines,
				     json_pack("{s:s,s:s}", "dataset", dataset, "purpose", purpose))
		       ? XY_ENOMEM
		       : 0;
}

static int add_item(void *arg, const struct xy_agreement *a, const char *unit_code)
{
	struct list_out *o = arg;
	json_t *lines = json_array();
	int rc;
	if (!lines)
		return XY_ENOMEM;
	if ((rc = xy_store_agreement_lines(o->ar->cx.st, a->id, add_line, lines))) {
		json_decref(lines);
		return rc;
	}
	o->last = a->id;
	return json_array_append_new(o->items,
				     json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:b}", "id",
					       (json_int_t)a->id, "unit", unit_code, "document",
					       a->document, "valid_from",
					       xy_api_date(a->valid_from), "valid_to",
					       xy_api_date(a->valid_to), "lines", lines, "ended_at",
					       xy_api_time(a->ended_at), "in_force", !a->ended_at))
		       ? XY_ENOMEM
		       : 0;
}

void xy_api_agreements_list(struct xy_api_req *ar)
{
	struct list_out o = {ar, json_array(), 0};
	const char *why = NULL;
	int64_t after;
	int limit, rc;
	if (xy_api_page(ar, &after, &limit)) {
		json_decref(o.items);
		xy_api_error(ar, 400, "bad_request", "after: a number; limit: 1-500");
		return;
	}
	rc = xy_agreement_list(&ar->cx, xy_http_query(&ar->rq->target, "unit"), after, limit,
			       add_item, &o, &why);
	if (rc) {
		json_decref(o.items);
		xy_api_fail(ar, rc, why);
		return;
	}
	xy_api_reply(ar, 200,
		     json_pack("{s:o,s:o}", "items", o.items, "next",
			       json_array_size(o.items) == (size_t)limit ? json_integer(o.last)
									 : json_null()));
}

void xy_api_agreement_end(struct xy_api_req *ar)
{
	const char *why = NULL, *reason;
	char *e;
	int bad = 0, rc;
	long long id = strtoll(ar->param[0], &e, 10);
	reason = xy_api_str(ar, "reason", &bad);
	if (*e || id <= 0) {
		xy_api_error(ar, 404, "not_found", "no such agreement");
		return;
	}
	if (bad) {
		xy_api_fail(ar, XY_EINVAL, "reason");
		return;
	}
	rc = xy_agreement_end(&ar->cx, id, reason, &why);
	if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 404, "not_found", "no such agreement");
	else if (rc == XY_ECONFLICT)
		xy_api_error(ar, 409, "already_ended", "the agreement has already ended");
	else if (rc)
		xy_api_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}
