/* The portal's small JSON API (POR-1): the same public data as the pages, for those
 * who would otherwise crawl them (docs/openapi.yaml, "public").  Written with the JSON
 * writer; a record's published fields are passed on as the change set had them. */
#include <jansson.h>
#include <string.h>

#include "portal/portal_int.h"
#include "util/err.h"
#include "util/jw.h"

static void done(struct xy_http_req *rq, struct xy_jw *w)
{
	if (xy_jw_end(w)) {
		xy_http_json_error(rq, 500, "internal_error", "the answer could not be written");
		rq->etag[0] = 0;
		return;
	}
	rq->status = 200;
	rq->ctype = "application/json; charset=utf-8";
}

static void api_error(struct xy_http_req *rq, int status, const char *code, const char *msg)
{
	rq->etag[0] = 0;
	rq->cache = NULL;
	xy_http_json_error(rq, status, code, msg);
}

static void changeset(struct xy_portal *p, struct xy_jw *w)
{
	struct xy_pstate st;
	xy_portal_state(p, &st);
	xy_jw_key(w, "changeset");
	xy_jw_obj(w);
	xy_jw_kint(w, "seq", st.seq);
	xy_jw_kstr(w, "created", st.seq ? st.created : NULL);
	xy_jw_kstr(w, "platform", st.seq ? st.platform : NULL);
	xy_jw_obj_end(w);
}

static void subject_obj(struct xy_jw *w, const struct xy_psubject *sj)
{
	xy_jw_obj(w);
	xy_jw_kstr(w, "code", sj->code);
	xy_jw_kstr(w, "kind", sj->kind);
	xy_jw_kstr(w, "name", sj->name);
	xy_jw_kstr(w, "region", sj->region);
	xy_jw_kstr(w, "region_name", sj->region_name);
	xy_jw_obj_end(w);
}

static void json_value(struct xy_jw *w, const json_t *v)
{
	size_t i;
	json_t *e;
	if (json_is_string(v))
		xy_jw_strn(w, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		xy_jw_int(w, (int64_t)json_integer_value(v));
	else if (json_is_boolean(v))
		xy_jw_bool(w, json_is_true(v));
	else if (json_is_array(v)) {
		xy_jw_arr(w);
		json_array_foreach (v, i, e) {
			json_value(w, e);
		}
		xy_jw_arr_end(w);
	} else if (json_is_real(v)) {
		char t[40];
		snprintf(t, sizeof t, "%.10g", json_real_value(v));
		xy_jw_str(w, t);
	} else
		xy_jw_null(w);
}

struct ctx {
	struct xy_portal *p;
	struct xy_jw *w;
};

static int record_obj(void *arg, const struct xy_precord *r)
{
	struct ctx *c = arg;
	json_t *root = json_loadb(r->line, r->len, 0, NULL);
	const char *k;
	json_t *v;
	if (!root)
		return 0;
	xy_jw_obj(c->w);
	xy_jw_key(c->w, "id");
	{
		char t[24];
		t[xy_i64_str(r->id, t)] = 0;
		xy_jw_str(c->w, t);
	}
	xy_jw_kstr(c->w, "dataset", r->dataset);
	xy_jw_kstr(c->w, "dataset_name", xy_page_dataset_name(c->p, r->dataset));
	xy_jw_kstr(c->w, "unit", json_string_value(json_object_get(root, "unit")));
	xy_jw_kstr(c->w, "unit_code", json_string_value(json_object_get(root, "unit_code")));
	xy_jw_kstr(c->w, "date", r->date);
	xy_jw_kstr(c->w, "valid_until", json_string_value(json_object_get(root, "valid_until")));
	xy_jw_kstr(c->w, "display_until", r->display_until);
	xy_jw_kbool(c->w, "objection", r->objection);
	xy_jw_key(c->w, "fields");
	xy_jw_obj(c->w);
	json_object_foreach (json_object_get(root, "fields"), k, v) {
		xy_jw_key(c->w, k);
		json_value(c->w, v);
	}
	xy_jw_obj_end(c->w);
	xy_jw_key(c->w, "masked");
	json_value(c->w, json_object_get(root, "masked"));
	xy_jw_obj_end(c->w);
	json_decref(root);
	return 0;
}

void xy_papi_subject(struct xy_portal *p, struct xy_http_req *rq, const char *code)
{
	struct xy_pstore *s = xy_portal_store(p);
	struct xy_psubject sj;
	struct xy_jw w;
	struct ctx c;
	char today[11];
	int rc;
	if (!s)
		return api_error(rq, 500, "store_error", "the store cannot be opened");
	rc = strlen(code) > XY_CS_CODE_MAX ? XY_ENOTFOUND : xy_pstore_subject(s, code, &sj);
	if (rc)
		return api_error(rq, rc == XY_ENOTFOUND ? 404 : 500, xy_err_code(rc),
				 rc == XY_ENOTFOUND ? "no published information on this subject"
						    : "the store failed");
	xy_page_today(today);
	xy_jw_init(&w, &rq->out);
	xy_jw_obj(&w);
	xy_jw_key(&w, "subject");
	subject_obj(&w, &sj);
	xy_jw_key(&w, "records");
	xy_jw_arr(&w);
	c.p = p;
	c.w = &w;
	if (xy_pstore_records(s, sj.code, today, record_obj, &c))
		return api_error(rq, 500, "store_error", "the store failed");
	xy_jw_arr_end(&w);
	changeset(p, &w);
	xy_jw_obj_end(&w);
	done(rq, &w);
}

static int search_row(void *arg, const struct xy_psubject *sj)
{
	subject_obj(arg, sj);
	return 0;
}

void xy_papi_search(struct xy_portal *p, struct xy_http_req *rq)
{
	struct xy_pstore *s = xy_portal_store(p);
	const char *q = xy_http_query(&rq->target, "q");
	const char *pg = xy_http_query(&rq->target, "page");
	long long page = pg ? xy_page_record_id(pg) : 1;
	struct xy_jw w;
	int more = 0;
	if (!s)
		return api_error(rq, 500, "store_error", "the store cannot be opened");
	if (!q || !*q || strlen(q) > XY_PORTAL_QUERY_MAX)
		return api_error(rq, 400, "bad_request",
				 "q: a name or a code prefix of 1 to 100 bytes is required");
	if (page < 1 || page > XY_PORTAL_PAGES_MAX)
		return api_error(rq, 400, "bad_request", "page: a number from 1 to 50");
	xy_jw_init(&w, &rq->out);
	xy_jw_obj(&w);
	xy_jw_key(&w, "subjects");
	xy_jw_arr(&w);
	if (xy_pstore_search(s, q, (int)page - 1, search_row, &w, &more))
		return api_error(rq, 500, "store_error", "the store failed");
	xy_jw_arr_end(&w);
	xy_jw_key(&w, "next_page");
	if (more && page < XY_PORTAL_PAGES_MAX)
		xy_jw_int(&w, page + 1);
	else
		xy_jw_null(&w);
	changeset(p, &w);
	xy_jw_obj_end(&w);
	done(rq, &w);
}

/* POR-2: what was applied and how many files were refused (alarms). */
void xy_papi_status(struct xy_portal *p, struct xy_http_req *rq)
{
	struct xy_pstate st;
	struct xy_jw w;
	xy_portal_state(p, &st);
	xy_jw_init(&w, &rq->out);
	xy_jw_obj(&w);
	changeset(p, &w);
	xy_jw_key(&w, "alarms");
	xy_jw_obj(&w);
	xy_jw_kint(&w, "refused_files", st.alarms);
	xy_jw_kstr(&w, "last", st.alarms ? st.last_alarm : NULL);
	xy_jw_obj_end(&w);
	xy_jw_obj_end(&w);
	done(rq, &w);
}
