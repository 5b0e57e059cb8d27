/* /api/v1/clients: the credit office's register of machine clients of the
 * data API (SHR-6).  The clients themselves use the query endpoints. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "crypto/sm.h"
#include "svc/client.h"
#include "util/err.h"

static json_t *client_json(const struct xy_machine_client *c, const char *unit_code,
			   int64_t used_today)
{
	json_t *ags = json_array();
	for (int i = 0; ags && i < c->nagreements; i++)
		json_array_append_new(ags, json_integer(c->agreements[i]));
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:o,s:o,s:o,s:o,s:b,s:s?}", "id",
			 (json_int_t)c->id, "client_id", c->client_id, "name", c->name, "unit",
			 unit_code, "allow", c->allow, "rate", c->rate, "daily_quota",
			 (json_int_t)c->daily_quota, "used_today", (json_int_t)used_today,
			 "agreements", ags ? ags : json_null(), "valid_to",
			 xy_api_date(c->valid_to), "created_at", xy_api_time(c->created_at),
			 "revoked_at", xy_api_time(c->revoked_at), "in_force", !c->revoked_at,
			 "revoke_reason", c->revoked_at ? c->revoke_reason : NULL);
}

static int json_num(json_t *body, const char *key, long long *out)
{
	json_t *v = json_object_get(body, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return *out > 0 ? 0 : -1;
}

void xy_api_clients_create(struct xy_api_req *ar)
{
	struct xy_client_req in = {0};
	struct xy_machine_client c;
	int64_t ags[XY_CLIENT_AGREEMENTS_MAX];
	char secret[XY_CLIENT_SECRET_LEN + 1];
	const char *why = NULL;
	json_t *a, *v, *out;
	size_t i;
	int bad = 0, rc;

	in.unit = xy_api_str(ar, "unit", &bad);
	in.name = xy_api_str(ar, "name", &bad);
	in.allow = xy_api_str(ar, "allow", &bad);
	in.valid_to = xy_api_str(ar, "valid_to", &bad);
	if (bad) {
		xy_api_error(ar, 422, "invalid_field", "unit, name, allow, valid_to: strings");
		return;
	}
	if (json_num(ar->body, "rate", &in.rate)) {
		xy_api_fail(ar, XY_EINVAL, "rate");
		return;
	}
	if (json_num(ar->body, "daily_quota", &in.daily_quota)) {
		xy_api_fail(ar, XY_EINVAL, "daily_quota");
		return;
	}
	a = json_object_get(ar->body, "agreements");
	if (!json_is_array(a) || json_array_size(a) < 1 ||
	    json_array_size(a) > XY_CLIENT_AGREEMENTS_MAX) {
		xy_api_fail(ar, XY_EINVAL, "agreements");
		return;
	}
	json_array_foreach (a, i, v) {
		if (!json_is_integer(v)) {
			xy_api_fail(ar, XY_EINVAL, "agreements");
			return;
		}
		ags[in.nagreements++] = json_integer_value(v);
	}
	in.agreements = ags;
	rc = xy_client_create(&ar->cx, &in, &c, secret, &why);
	if (rc) {
		xy_api_fail(ar, rc, why);
		return;
	}
	out = client_json(&c, in.unit, 0);
	if (out)
		json_object_set_new(out, "secret", json_string(secret));
	xy_wipe(secret, sizeof secret);
	xy_api_reply(ar, 201, out);
}

struct list_out {
	json_t *items;
	int64_t last;
};

static int add_item(void *arg, const struct xy_machine_client *c, const char *unit_code,
		    int64_t used_today)
{
	struct list_out *o = arg;
	o->last = c->id;
	return json_array_append_new(o->items, client_json(c, unit_code, used_today)) ? XY_ENOMEM
										      : 0;
}

void xy_api_clients_list(struct xy_api_req *ar)
{
	struct list_out o = {json_array(), 0};
	const char *why = NULL;
	int64_t after;
	int limit, rc;
	if (xy_api_page(ar, &after, &limit)) {
		json_decref(o.items);
		xy_api_error(ar, 400, "bad_request", "after: a number; limit: 1-500");
		return;
	}
	rc = xy_client_list(&ar->cx, xy_http_query(&ar->rq->target, "unit"), after, limit, add_item,
			    &o, &why);
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

static int64_t client_param(struct xy_api_req *ar)
{
	char *e;
	long long id = strtoll(ar->param[0], &e, 10);
	if (*e || id <= 0) {
		xy_api_error(ar, 404, "not_found", "no such client");
		return 0;
	}
	return id;
}

void xy_api_client_get(struct xy_api_req *ar)
{
	struct xy_machine_client c;
	char unit[XY_UNIT_CODE_MAX + 1];
	int64_t used = 0, id = client_param(ar);
	int rc;
	if (!id)
		return;
	rc = xy_client_get(&ar->cx, id, &c, unit, sizeof unit, &used);
	if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 404, "not_found", "no such client");
	else if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		xy_api_reply(ar, 200, client_json(&c, unit, used));
}

void xy_api_client_revoke(struct xy_api_req *ar)
{
	const char *why = NULL, *reason;
	int bad = 0, rc;
	int64_t id = client_param(ar);
	if (!id)
		return;
	reason = xy_api_str(ar, "reason", &bad);
	if (bad) {
		xy_api_fail(ar, XY_EINVAL, "reason");
		return;
	}
	rc = xy_client_revoke(&ar->cx, id, reason, &why);
	if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 404, "not_found", "no such client");
	else if (rc == XY_ECONFLICT)
		xy_api_error(ar, 409, "already_revoked", "the client has already been revoked");
	else if (rc)
		xy_api_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}
