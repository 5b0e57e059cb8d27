/* /api/v1/units and /api/v1/regions: managed by the credit office. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "svc/account.h"
#include "util/err.h"

#define PROVIDES_MAX 64

static int add_ds(void *arg, const char *ds)
{
	json_array_append_new(arg, json_string(ds));
	return 0;
}

static json_t *unit_json(struct xy_ctx *cx, const struct xy_unit *u)
{
	json_t *ds = json_array();
	if (xy_unit_datasets(cx, u->id, add_ds, ds)) {
		json_decref(ds);
		ds = json_null();
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "code", u->code, "name", u->name, "region",
			 u->region, "level", u->level == 1 ? "city" : "county", "kind", u->kind,
			 "provides", ds);
}

/* A JSON array of strings into out[]; -1 when it is not one. */
static int str_array(json_t *a, const char *out[PROVIDES_MAX])
{
	size_t i;
	json_t *v;
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > PROVIDES_MAX)
		return -1;
	json_array_foreach (a, i, v) {
		if (!json_is_string(v))
			return -1;
		out[i] = json_string_value(v);
	}
	return (int)json_array_size(a);
}

struct units_out {
	struct xy_ctx *cx;
	json_t *items;
	int64_t last;
};

static int unit_add(void *arg, const struct xy_unit *u)
{
	struct units_out *o = arg;
	json_array_append_new(o->items, unit_json(o->cx, u));
	o->last = u->id;
	return 0;
}

void xy_api_units_list(struct xy_api_req *ar)
{
	struct units_out o = {&ar->cx, json_array(), 0};
	const char *why = NULL;
	int64_t after;
	int limit, rc;
	if (xy_api_page(ar, &after, &limit)) {
		json_decref(o.items);
		xy_api_error(ar, 400, "bad_request", "after and limit are whole numbers");
		return;
	}
	rc = xy_unit_list(&ar->cx, after, limit, unit_add, &o, &why);
	if (rc) {
		json_decref(o.items);
		xy_api_fail(ar, rc, why);
		return;
	}
	xy_api_reply(ar, 200,
		     json_pack("{s:o,s:o}", "items", o.items, "next",
			       json_array_size(o.items) ? json_integer(o.last) : json_null()));
}

void xy_api_units_create(struct xy_api_req *ar)
{
	struct xy_unit_new in = {0};
	struct xy_unit u;
	const char *prov[PROVIDES_MAX], *why = NULL;
	int bad = 0, rc;
	in.code = xy_api_str(ar, "code", &bad);
	in.name = xy_api_str(ar, "name", &bad);
	in.region = xy_api_str(ar, "region", &bad);
	in.kind = xy_api_str(ar, "kind", &bad);
	if (!in.kind && !bad)
		in.kind = "member";
	in.nprovides = str_array(json_object_get(ar->body, "provides"), prov);
	in.provides = prov;
	if (bad || in.nprovides < 0) {
		xy_api_error(
			ar, 400, "bad_request",
			"code, name, region, kind are strings; provides a list of dataset codes");
		return;
	}
	rc = xy_unit_create(&ar->cx, &in, &u, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 201, unit_json(&ar->cx, &u));
}

void xy_api_unit_get(struct xy_api_req *ar)
{
	struct xy_unit u;
	const char *why = NULL;
	int rc = xy_unit_get(&ar->cx, ar->param[0], &u, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 200, unit_json(&ar->cx, &u));
}

void xy_api_unit_update(struct xy_api_req *ar)
{
	const char *add[PROVIDES_MAX], *rem[PROVIDES_MAX], *why = NULL;
	int bad = 0, nadd, nrem, rc;
	const char *name = xy_api_str(ar, "name", &bad);
	nadd = str_array(json_object_get(ar->body, "provides_add"), add);
	nrem = str_array(json_object_get(ar->body, "provides_remove"), rem);
	if (bad || nadd < 0 || nrem < 0) {
		xy_api_error(ar, 400, "bad_request",
			     "name is a string; provides_add and provides_remove lists of codes");
		return;
	}
	rc = xy_unit_update(&ar->cx, ar->param[0], name, add, nadd, rem, nrem, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}

static int region_add(void *arg, const struct xy_region *r)
{
	json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:s*}", "code", r->code, "name", r->name,
					     "level", r->level == 1 ? "city" : "county", "parent",
					     r->parent[0] ? r->parent : NULL));
	return 0;
}

void xy_api_regions_list(struct xy_api_req *ar)
{
	json_t *items = json_array();
	int rc = xy_region_list(&ar->cx, region_add, items);
	if (rc) {
		json_decref(items);
		xy_api_fail(ar, rc, NULL);
		return;
	}
	xy_api_reply(ar, 200, json_pack("{s:o}", "items", items));
}

void xy_api_regions_create(struct xy_api_req *ar)
{
	const char *why = NULL;
	int bad = 0, rc;
	const char *code = xy_api_str(ar, "code", &bad);
	const char *name = xy_api_str(ar, "name", &bad);
	if (bad) {
		xy_api_error(ar, 400, "bad_request", "code and name are strings");
		return;
	}
	rc = xy_region_create(&ar->cx, code, name, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 201, json_pack("{s:s,s:s}", "code", code, "name", name));
}
