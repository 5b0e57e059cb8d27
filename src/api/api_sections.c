/* /api/v1/sections: the portal's notices and policy pages, and the report
 * of those not updated within their period (POR-5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "svc/section.h"
#include "util/err.h"
#include "util/limits.h"

/* The body's fields into in (a field of the wrong JSON type is named in
 * in->wrong, for the service to refuse and audit). */
static void read_in(struct xy_api_req *ar, struct xy_section_in *in)
{
	static const char *const strs[] = {"id", "kind", "title", "body", "unit"};
	const char **dst[] = {&in->id, &in->kind, &in->title, &in->body, &in->unit};
	json_t *p;

	memset(in, 0, sizeof *in);
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
		json_t *v = json_object_get(ar->body, strs[i]);
		if (v && !json_is_null(v) && !json_is_string(v) && !in->wrong)
			in->wrong = strs[i];
		*dst[i] = v ? json_string_value(v) : NULL;
	}
	p = json_object_get(ar->body, "period_days");
	in->period_bad = !json_is_integer(p);
	in->period_days = in->period_bad ? 0 : (long long)json_integer_value(p);
}

/* 422 naming the field and why. */
static void invalid(struct xy_api_req *ar, const char *field, const char *why)
{
	char msg[256];
	snprintf(msg, sizeof msg, "field \"%s\": %s", field ? field : "?", why ? why : "invalid");
	xy_api_error(ar, 422, "invalid_field", msg);
}

static void fail(struct xy_api_req *ar, int rc, const struct xy_section_fault *f)
{
	switch (rc) {
	case XY_EINVAL:
		invalid(ar, f ? f->field : NULL, f ? f->why : NULL);
		return;
	case XY_EDENIED:
		xy_api_fail(ar, rc, f ? f->why : NULL);
		return;
	case XY_ENOTFOUND:
		xy_api_error(ar, 404, "not_found", "no such section");
		return;
	case XY_EEXISTS:
		xy_api_error(ar, 409, "id_taken", "a section with this id is in place");
		return;
	default:
		xy_api_fail(ar, rc, NULL);
	}
}

/* The fields every answer gives of a section. */
static json_t *summary(const struct xy_section *s)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:o}", "id", s->id, "kind", s->kind, "title",
			 s->title, "unit", s->unit_code, "unit_name", s->unit_name, "period_days",
			 s->period_days, "updated_at", xy_api_time(s->updated_at), "due",
			 xy_api_date(xy_section_due_day(s->updated_at, s->period_days)));
}

static void create_or_update(struct xy_api_req *ar, int creating)
{
	struct xy_section_in in;
	struct xy_section_fault f = {0};
	int rc;

	read_in(ar, &in);
	rc = creating ? xy_section_create(&ar->cx, &in, &f)
		      : xy_section_update(&ar->cx, ar->param[0], &in, &f);
	if (rc)
		fail(ar, rc, &f);
	else if (creating)
		xy_api_reply(ar, 201, json_pack("{s:s}", "id", in.id));
	else
		ar->rq->status = 204;
}

void xy_api_sections_create(struct xy_api_req *ar)
{
	create_or_update(ar, 1);
}

void xy_api_section_update(struct xy_api_req *ar)
{
	create_or_update(ar, 0);
}

void xy_api_section_remove(struct xy_api_req *ar)
{
	struct xy_section_fault f = {0};
	int rc = xy_section_remove(&ar->cx, ar->param[0], &f);
	if (rc)
		fail(ar, rc, &f);
	else
		ar->rq->status = 204;
}

void xy_api_section_get(struct xy_api_req *ar)
{
	struct xy_section s;
	struct xy_buf body;
	json_t *o;
	int rc;

	xy_buf_init(&body, XY_SECTION_BODY_MAX + 1);
	rc = xy_section_get(&ar->cx, ar->param[0], &s, &body);
	if (rc) {
		xy_buf_cleanup(&body);
		fail(ar, rc, NULL);
		return;
	}
	o = summary(&s);
	if (o && (json_object_set_new(o, "body", json_stringn(s.body ? s.body : "", s.body_len)) ||
		  json_object_set_new(o, "created_at", xy_api_time(s.created_at)))) {
		json_decref(o);
		o = NULL;
	}
	xy_buf_cleanup(&body);
	if (!o)
		xy_api_fail(ar, XY_ENOMEM, NULL);
	else
		xy_api_reply(ar, 200, o);
}

struct list_out {
	json_t *items;
	char last[XY_SECTION_ID_MAX + 1];
};

static int add_item(void *arg, const struct xy_section *s)
{
	struct list_out *o = arg;
	snprintf(o->last, sizeof o->last, "%s", s->id);
	return json_array_append_new(o->items, summary(s)) ? XY_ENOMEM : 0;
}

void xy_api_sections_list(struct xy_api_req *ar)
{
	const char *after = xy_http_query(&ar->rq->target, "after");
	const char *l = xy_http_query(&ar->rq->target, "limit");
	struct list_out o = {json_array(), ""};
	long limit = 100;
	char *e = NULL;
	int n = 0, rc;

	if (l) {
		limit = strtol(l, &e, 10);
		if (!*l || *e || limit < 1 || limit > XY_PAGE_MAX) {
			json_decref(o.items);
			xy_api_error(ar, 400, "bad_request", "limit: 1-500");
			return;
		}
	}
	if (after && strlen(after) > XY_SECTION_ID_MAX) {
		json_decref(o.items);
		xy_api_error(ar, 400, "bad_request", "after: a section id");
		return;
	}
	if (!o.items) {
		xy_api_fail(ar, XY_ENOMEM, NULL);
		return;
	}
	rc = xy_section_list(&ar->cx, after, (int)limit, add_item, &o, &n);
	if (rc) {
		json_decref(o.items);
		fail(ar, rc, NULL);
		return;
	}
	xy_api_reply(ar, 200,
		     json_pack("{s:o,s:o}", "items", o.items, "next",
			       n == limit ? json_string(o.last) : json_null()));
}

static int add_late(void *arg, const struct xy_section_late *l)
{
	json_t *items = arg, *o = summary(l->s);
	if (!o || json_object_set_new(o, "days_overdue", json_integer(l->days_overdue))) {
		json_decref(o);
		return XY_ENOMEM;
	}
	return json_array_append_new(items, o) ? XY_ENOMEM : 0;
}

void xy_api_sections_overdue(struct xy_api_req *ar)
{
	json_t *items = json_array();
	int32_t today;
	int n, truncated, rc;

	if (!items) {
		xy_api_fail(ar, XY_ENOMEM, NULL);
		return;
	}
	rc = xy_section_overdue(&ar->cx, add_late, items, &today, &n, &truncated);
	if (rc) {
		json_decref(items);
		fail(ar, rc, NULL);
		return;
	}
	xy_api_reply(ar, 200,
		     json_pack("{s:o,s:o,s:b}", "as_of", xy_api_date(today), "items", items,
			       "truncated", truncated));
}
