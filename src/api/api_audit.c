/* /api/v1/audit/…: the auditor's review of the trail (AUD-5), and
 * /api/v1/subjects/{code}/viewers, "who looked at me".  Who may is
 * svc/review.c's (the policy) to say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "svc/review.h"
#include "util/date.h"
#include "util/err.h"

#define CHINA_S (8 * 3600LL)

/* ?key= as a time: YYYY-MM-DD (midnight in China) or
 * YYYY-MM-DDTHH:MM:SS followed by Z or +08:00.  0 when absent; -1 when
 * malformed. */
static int64_t time_param(struct xy_api_req *ar, const char *key)
{
	const char *s = xy_http_query(&ar->rq->target, key);
	int32_t day;
	int h = 0, m = 0, sec = 0;
	int64_t off = CHINA_S;
	size_t n;
	if (!s)
		return 0;
	n = strlen(s);
	if (n < 10 || xy_date_parse(s, 10, &day) || s[4] != '-')
		return -1;
	if (n > 10) {
		const char *end = s + 19;
		if (n < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		    (h = xy_two_digits(s + 11)) < 0 || (m = xy_two_digits(s + 14)) < 0 ||
		    (sec = xy_two_digits(s + 17)) < 0 || h > 23 || m > 59 || sec > 59)
			return -1;
		if (!strcmp(end, "Z"))
			off = 0;
		else if (strcmp(end, "+08:00") != 0)
			return -1;
	}
	return ((int64_t)day * 86400 + h * 3600 + m * 60 + sec - off) * 1000000LL;
}

/* ?from= and ?to= (0 each when absent), or -1 after answering 400. */
static int time_range(struct xy_api_req *ar, int64_t *from, int64_t *to)
{
	*from = time_param(ar, "from");
	*to = time_param(ar, "to");
	if (*from >= 0 && *to >= 0)
		return 0;
	xy_api_error(ar, 400, "bad_request",
		     "from, to: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00 (or Z)");
	return -1;
}

/* A parsed JSON value through the writer (which escapes as everywhere). */
static void jw_value(struct xy_jw *w, json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;
	char num[40];
	if (depth > 8) {
		xy_jw_null(w);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		xy_jw_obj(w);
		json_object_foreach (v, k, x) {
			xy_jw_key(w, k);
			jw_value(w, x, depth + 1);
		}
		xy_jw_obj_end(w);
		break;
	case JSON_ARRAY:
		xy_jw_arr(w);
		json_array_foreach (v, i, x) {
			jw_value(w, x, depth + 1);
		}
		xy_jw_arr_end(w);
		break;
	case JSON_STRING:
		xy_jw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		xy_jw_int(w, json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
		xy_jw_str(w, num);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		xy_jw_bool(w, json_is_true(v));
		break;
	default:
		xy_jw_null(w);
	}
}

static void event_json(struct xy_jw *w, const struct xy_store_event *ev)
{
	json_t *obj = NULL;
	xy_jw_obj(w);
	xy_jw_kint(w, "seq", ev->seq);
	xy_jw_key(w, "time");
	xy_jw_time(w, ev->ts_us);
	xy_jw_kstr(w, "zone", ev->zone);
	xy_jw_kstr(w, "client", ev->client);
	xy_jw_kstr(w, "agent", ev->agent);
	xy_jw_kstr(w, "account", ev->account);
	xy_jw_kstr(w, "real_name", ev->real_name);
	xy_jw_kstr(w, "unit", ev->unit);
	xy_jw_kstr(w, "action", ev->action);
	/* The object as JSON when it is (the platform writes it so); else
	 * as the text it is. */
	xy_jw_key(w, "object");
	if (ev->object && (obj = json_loads(ev->object, 0, NULL)) != NULL) {
		jw_value(w, obj, 0);
		json_decref(obj);
	} else {
		xy_jw_str(w, ev->object);
	}
	xy_jw_kstr(w, "purpose", ev->purpose);
	xy_jw_kstr(w, "grant_ref", ev->grant_ref);
	xy_jw_kstr(w, "result", ev->result);
	xy_jw_kstr(w, "reason", ev->reason);
	xy_jw_obj_end(w);
}

static int event_cb(void *arg, const struct xy_store_event *ev)
{
	event_json(arg, ev);
	return 0;
}

static int read_query(struct xy_api_req *ar, struct xy_review_query *q)
{
	const struct xy_target *t = &ar->rq->target;
	const char *b = xy_http_query(t, "before"), *l = xy_http_query(t, "limit");
	char *e;
	memset(q, 0, sizeof *q);
	q->account = xy_http_query(t, "account");
	q->unit = xy_http_query(t, "unit");
	q->action = xy_http_query(t, "action");
	q->result = xy_http_query(t, "result");
	q->zone = xy_http_query(t, "zone");
	q->client = xy_http_query(t, "client");
	q->subject = xy_http_query(t, "subject");
	q->dataset = xy_http_query(t, "dataset");
	q->limit = 100;
	if (time_range(ar, &q->from_us, &q->to_us))
		return -1;
	if (b) {
		q->before = strtoll(b, &e, 10);
		if (*e || q->before <= 0) {
			xy_api_error(ar, 400, "bad_request", "before: an event number");
			return -1;
		}
	}
	if (l) {
		long v = strtol(l, &e, 10);
		if (*e || v < 1 || v > XY_REVIEW_PAGE_MAX) {
			xy_api_error(ar, 400, "bad_request", "limit: 1-500");
			return -1;
		}
		q->limit = (int)v;
	}
	return 0;
}

static void review_fail(struct xy_api_req *ar, int rc, const char *why)
{
	if (rc == XY_EDENIED && why && !strcmp(why, "auditor_only"))
		xy_api_error(ar, 403, "forbidden", "only an auditor reads the audit trail");
	else
		xy_api_fail(ar, rc, why);
}

static void export_csv(struct xy_api_req *ar, const struct xy_review_query *q)
{
	const char *why = NULL;
	long rows = 0;
	int rc;
	xy_buf_reset(&ar->rq->out);
	ar->rq->out.max = 128u << 20;
	rc = xy_review_export(&ar->cx, q, &ar->rq->out, &rows, &why);
	if (rc) {
		review_fail(ar, rc, why);
		return;
	}
	ar->rq->status = 200;
	ar->rq->ctype = "text/csv; charset=utf-8";
	snprintf(ar->rq->disposition, sizeof ar->rq->disposition,
		 "attachment; filename=\"audit-events.csv\"");
}

void xy_api_audit_events(struct xy_api_req *ar)
{
	struct xy_review_query q;
	const char *why = NULL, *fmt = xy_http_query(&ar->rq->target, "format");
	int64_t next = 0;
	struct xy_jw w;
	int rc;

	if (read_query(ar, &q))
		return;
	if (fmt && !strcmp(fmt, "csv")) {
		export_csv(ar, &q);
		return;
	}
	if (fmt && strcmp(fmt, "json") != 0) {
		xy_api_error(ar, 400, "bad_request", "format: json or csv");
		return;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "items");
	xy_jw_arr(&w);
	rc = xy_review_search(&ar->cx, &q, event_cb, &w, &next, &why);
	if (rc) {
		review_fail(ar, rc, why);
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

static int anomaly_cb(void *arg, const struct xy_anomaly *a)
{
	struct xy_jw *w = arg;
	xy_jw_obj(w);
	xy_jw_kstr(w, "kind", a->kind);
	xy_jw_kstr(w, "account", a->account);
	xy_jw_key(w, "from");
	xy_jw_time(w, a->from_us);
	xy_jw_key(w, "to");
	xy_jw_time(w, a->to_us);
	xy_jw_kint(w, "count", a->count);
	xy_jw_kstr(w, "detail", a->detail);
	xy_jw_key(w, "events");
	xy_jw_arr(w);
	for (int i = 0; i < a->nevents; i++)
		xy_jw_int(w, a->events[i]);
	xy_jw_arr_end(w);
	xy_jw_obj_end(w);
	return 0;
}

void xy_api_audit_anomalies(struct xy_api_req *ar)
{
	int64_t from, to;
	struct xy_anomaly_report rep;
	const char *why = NULL;
	struct xy_jw w;
	int rc;

	if (time_range(ar, &from, &to))
		return;
	if (!to)
		to = xy_now_us();
	if (!from)
		from = to - 86400LL * 1000000LL;
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "anomalies");
	xy_jw_arr(&w);
	rc = xy_review_anomalies(&ar->cx, from, to, anomaly_cb, &w, &rep, &why);
	if (rc) {
		if (rc == XY_EINVAL && why && !strcmp(why, "range"))
			xy_api_error(ar, 422, "invalid_range",
				     "from must come before to, at most 31 days apart");
		else if (rc == XY_ECONFIG && rep.error[0])
			xy_api_error(ar, 500, "config_error", rep.error);
		else
			review_fail(ar, rc, why);
		return;
	}
	xy_jw_arr_end(&w);
	xy_jw_key(&w, "from");
	xy_jw_time(&w, rep.from_us);
	xy_jw_key(&w, "to");
	xy_jw_time(&w, rep.to_us);
	xy_jw_kint(&w, "scanned", rep.scanned);
	xy_jw_key(&w, "truncated");
	xy_jw_bool(&w, rep.truncated);
	xy_jw_key(&w, "calendar_uncovered");
	xy_jw_arr(&w);
	for (int i = 0; i < rep.nuncovered; i++)
		xy_jw_int(&w, rep.uncovered[i]);
	xy_jw_arr_end(&w);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}

static int viewer_cb(void *arg, const struct xy_viewer *v)
{
	struct xy_jw *w = arg;
	xy_jw_obj(w);
	xy_jw_kstr(w, "unit", v->unit);
	xy_jw_kstr(w, "unit_name", v->unit_name[0] ? v->unit_name : NULL);
	xy_jw_kint(w, "count", v->count);
	xy_jw_key(w, "first");
	xy_jw_time(w, v->first_us);
	xy_jw_key(w, "last");
	xy_jw_time(w, v->last_us);
	xy_jw_key(w, "purposes");
	xy_jw_arr(w);
	for (const char *p = v->purposes; *p;) {
		size_t n = strcspn(p, ",");
		xy_jw_strn(w, p, n);
		p += n + (p[n] == ',');
	}
	xy_jw_arr_end(w);
	xy_jw_obj_end(w);
	return 0;
}

void xy_api_subject_viewers(struct xy_api_req *ar)
{
	int64_t from, to;
	struct xy_viewer_report rep;
	const char *why = NULL;
	struct xy_jw w;
	int rc;

	if (time_range(ar, &from, &to))
		return;
	if (!to)
		to = xy_now_us();
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_key(&w, "units");
	xy_jw_arr(&w);
	rc = xy_review_viewers(&ar->cx, ar->param[0], from, to, viewer_cb, &w, &rep, &why);
	if (rc) {
		if (rc == XY_ENOTFOUND)
			xy_api_error(ar, 404, "not_found", "no such subject");
		else
			review_fail(ar, rc, why);
		return;
	}
	xy_jw_arr_end(&w);
	xy_jw_key(&w, "from");
	xy_jw_time(&w, rep.from_us);
	xy_jw_key(&w, "to");
	xy_jw_time(&w, rep.to_us);
	xy_jw_kint(&w, "events", rep.events);
	xy_jw_kint(&w, "scanned", rep.scanned);
	xy_jw_key(&w, "truncated");
	xy_jw_bool(&w, rep.truncated);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}
