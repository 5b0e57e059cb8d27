/* Review of the audit trail (AUD-5) and "who looked at me": see review.h. */
#include "svc/review.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm.h"
#include "svc/instance.h"
#include "svc/query.h"
#include "util/date.h"
#include "util/err.h"
#include "util/ini.h"
#include "util/jw.h"
#include "util/log.h"
#include "util/workdays.h"

#define HOUR_US	     (3600LL * 1000000LL)
#define DAY_US	     (24 * HOUR_US)
#define CHINA_US     (8 * HOUR_US)
#define SUBJ_RECORDS 10000 /* a subject's records the viewer report matches */

/* ---- shared ---- */

static int may_review(struct xy_ctx *cx, const char *action, int act, const char *region,
		      const char **why)
{
	struct xy_resource r = {0};
	struct xy_decision d;
	int rc;
	r.region = region;
	xy_policy_decide(&cx->actor, (enum xy_action)act, &r, xy_now_us(), &d);
	if (d.allow)
		return 0;
	*why = d.reason;
	rc = xy_svc_refuse(cx, action, NULL, d.reason);
	return rc ? rc : XY_EDENIED;
}

/* The first event at or after time t (last + 1 when none). */
static int seq_at(struct xy_store *st, int64_t t, int64_t *out)
{
	int64_t lo, hi, last, ts;
	uint8_t h[32];
	int rc;
	if ((rc = xy_store_audit_first(st, &lo)) || (rc = xy_store_audit_head(st, &last, h)))
		return rc;
	hi = last;
	*out = last + 1;
	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;
		rc = xy_store_audit_at(st, mid, &ts, h);
		if (rc == XY_ENOTFOUND) { /* a gap: verification's business, not ours */
			lo = mid + 1;
			continue;
		}
		if (rc)
			return rc;
		if (ts >= t) {
			*out = mid;
			hi = mid - 1;
		} else {
			lo = mid + 1;
		}
	}
	return 0;
}

struct filter_text {
	char subj_id[48], subj_code[96], dataset[64];
};

static int valid_opt(const char *s)
{
	return !s || xy_svc_valid_text(s, 128, 0);
}

static int make_filter(struct xy_ctx *cx, const struct xy_review_query *q,
		       struct xy_audit_filter *f, struct filter_text *t, const char **why)
{
	memset(f, 0, sizeof *f);
	if (!valid_opt(q->account) || !valid_opt(q->unit) || !valid_opt(q->action) ||
	    !valid_opt(q->result) || !valid_opt(q->zone) || !valid_opt(q->client)) {
		*why = "filter";
		return XY_EINVAL;
	}
	if (q->from_us < 0 || q->to_us < 0 || (q->to_us && q->from_us >= q->to_us)) {
		*why = "time";
		return XY_EINVAL;
	}
	f->account = q->account;
	f->unit = q->unit;
	f->action = q->action;
	f->result = q->result;
	f->zone = q->zone;
	f->client = q->client;
	f->from_us = q->from_us;
	f->to_us = q->to_us;
	if (q->subject) {
		struct xy_subject s;
		int rc;
		if (!xy_query_valid_code(q->subject)) {
			*why = "subject";
			return XY_EINVAL;
		}
		/* The trail names a found subject by its number, one not found
		 * by the code asked. */
		snprintf(t->subj_code, sizeof t->subj_code, "\"code\":\"%s\"", q->subject);
		f->object_any[0] = t->subj_code;
		rc = xy_query_find_subject(cx, q->subject, NULL, &s);
		if (rc && rc != XY_ENOTFOUND)
			return rc;
		if (!rc) {
			snprintf(t->subj_id, sizeof t->subj_id, "\"subject\":%lld,",
				 (long long)s.id);
			f->object_any[1] = t->subj_id;
		}
	}
	if (q->dataset) {
		if (!xy_catalog_dataset(cx->svc->inst->catalog, q->dataset)) {
			*why = "dataset";
			return XY_EINVAL;
		}
		snprintf(t->dataset, sizeof t->dataset, "\"dataset\":\"%s\"", q->dataset);
		f->object_all = t->dataset;
	}
	return 0;
}

/* The filter as the object of the review's own event. */
static void filter_json(struct xy_jw *w, const struct xy_review_query *q)
{
	xy_jw_key(w, "filter");
	xy_jw_obj(w);
	if (q->account)
		xy_jw_kstr(w, "account", q->account);
	if (q->unit)
		xy_jw_kstr(w, "unit", q->unit);
	if (q->action)
		xy_jw_kstr(w, "action", q->action);
	if (q->result)
		xy_jw_kstr(w, "result", q->result);
	if (q->zone)
		xy_jw_kstr(w, "zone", q->zone);
	if (q->client)
		xy_jw_kstr(w, "client", q->client);
	if (q->subject)
		xy_jw_kstr(w, "subject", q->subject);
	if (q->dataset)
		xy_jw_kstr(w, "dataset", q->dataset);
	if (q->from_us)
		xy_jw_kint(w, "from_us", q->from_us);
	if (q->to_us)
		xy_jw_kint(w, "to_us", q->to_us);
	xy_jw_obj_end(w);
}

/* ---- search ---- */

struct page {
	xy_review_fn fn;
	void *arg;
	long n;
	int64_t last;
};

static int page_one(void *arg, const struct xy_store_event *ev)
{
	struct page *p = arg;
	p->n++;
	p->last = ev->seq;
	return p->fn ? p->fn(p->arg, ev) : 0;
}

/* One window of the search below before; *next as in review.h. */
static int window(struct xy_ctx *cx, struct xy_audit_filter *f, int64_t before, int limit,
		  struct page *p, int64_t *next)
{
	int64_t first, head;
	uint8_t h[32];
	int rc;
	if ((rc = xy_store_audit_first(cx->st, &first)) ||
	    (rc = xy_store_audit_head(cx->st, &head, h)))
		return rc;
	if (before <= 0 || before > head + 1)
		before = head + 1;
	f->before_seq = before;
	f->floor_seq = before - XY_REVIEW_WINDOW > first ? before - XY_REVIEW_WINDOW : first;
	p->n = 0;
	if ((rc = xy_store_audit_search(cx->st, f, limit, page_one, p)))
		return rc;
	if (p->n == limit)
		*next = p->last;
	else
		*next = f->floor_seq > first ? f->floor_seq : 0;
	return 0;
}

static int audit_review(struct xy_ctx *cx, const char *action, const struct xy_review_query *q,
			long n, const char *extra)
{
	struct xy_buf b;
	struct xy_jw w;
	int rc;
	xy_buf_init(&b, 8192);
	xy_jw_init(&w, &b);
	xy_jw_obj(&w);
	filter_json(&w, q);
	xy_jw_kint(&w, "returned", n);
	if (extra)
		xy_jw_kstr(&w, "sm3", extra);
	xy_jw_obj_end(&w);
	rc = xy_jw_end(&w);
	if (!rc)
		rc = xy_svc_audit_read(cx, action, b.p, "ok", NULL);
	xy_buf_cleanup(&b);
	return rc;
}

int xy_review_search(struct xy_ctx *cx, const struct xy_review_query *q, xy_review_fn fn, void *arg,
		     int64_t *next, const char **why)
{
	static const char action[] = "audit.search";
	struct xy_audit_filter f;
	struct filter_text t;
	struct page p = {fn, arg, 0, 0};
	int rc;

	*next = 0;
	if ((rc = may_review(cx, action, XY_ACT_AUDIT_REVIEW, NULL, why)))
		return rc;
	if (q->limit < 1 || q->limit > XY_REVIEW_PAGE_MAX) {
		*why = "limit";
		return XY_EINVAL;
	}
	if ((rc = make_filter(cx, q, &f, &t, why)) ||
	    (rc = window(cx, &f, q->before, q->limit, &p, next)))
		return rc;
	return audit_review(cx, action, q, p.n, NULL);
}

/* ---- export ---- */

static int csv_field(struct xy_buf *b, const char *s, int last)
{
	int rc = xy_buf_addc(b, '"');
	/* A spreadsheet must not run a cell as a formula. */
	if (!rc && s && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
		rc = xy_buf_addc(b, '\'');
	for (; !rc && s && *s; s++)
		rc = *s == '"' ? xy_buf_add(b, "\"\"", 2) : xy_buf_addc(b, *s);
	if (!rc)
		rc = xy_buf_addc(b, '"');
	if (!rc)
		rc = last ? xy_buf_add(b, "\r\n", 2) : xy_buf_addc(b, ',');
	return rc;
}

static int csv_row(void *arg, const struct xy_store_event *ev)
{
	struct xy_buf *b = arg;
	char seq[24], ts[40];
	const char *f[14];
	int32_t day = (int32_t)((ev->ts_us + CHINA_US) / DAY_US);
	int64_t sec = (ev->ts_us + CHINA_US) / 1000000 % 86400;
	char date[XY_DATE_STR];
	int rc = 0;

	seq[xy_i64_str(ev->seq, seq)] = 0;
	xy_date_format(day, date);
	snprintf(ts, sizeof ts, "%s %02d:%02d:%02d+08:00", date, (int)(sec / 3600),
		 (int)(sec / 60 % 60), (int)(sec % 60));
	f[0] = seq;
	f[1] = ts;
	f[2] = ev->zone;
	f[3] = ev->client;
	f[4] = ev->agent;
	f[5] = ev->account;
	f[6] = ev->real_name;
	f[7] = ev->unit;
	f[8] = ev->action;
	f[9] = ev->object;
	f[10] = ev->purpose;
	f[11] = ev->grant_ref;
	f[12] = ev->result;
	f[13] = ev->reason;
	for (int i = 0; i < 14 && !rc; i++)
		rc = csv_field(b, f[i], i == 13);
	return rc;
}

int xy_review_export(struct xy_ctx *cx, const struct xy_review_query *q, struct xy_buf *out,
		     long *rows, const char **why)
{
	static const char action[] = "audit.export";
	struct xy_audit_filter f;
	struct filter_text t;
	struct page p = {csv_row, out, 0, 0};
	int64_t before = q->before, next = 0;
	long scanned_windows = 0;
	uint8_t sm3[32];
	char hex[65];
	int rc;

	*rows = 0;
	if ((rc = may_review(cx, action, XY_ACT_AUDIT_REVIEW, NULL, why)))
		return rc;
	if ((rc = make_filter(cx, q, &f, &t, why)))
		return rc;
	if ((rc = xy_buf_adds(out, "seq,time,zone,client,agent,account,real_name,unit,action,"
				   "object,purpose,grant_ref,result,reason\r\n")))
		return rc;
	/* Window after window, newest first, until the rows or the trail end
	 * (at most XY_REVIEW_SCAN_MAX events looked through). */
	do {
		if ((rc = window(cx, &f, before, (int)(XY_REVIEW_EXPORT_MAX - *rows), &p, &next)))
			return rc == XY_ELIMIT ? XY_ELIMIT : rc;
		*rows += p.n;
		before = next;
		scanned_windows++;
	} while (next && *rows < XY_REVIEW_EXPORT_MAX &&
		 scanned_windows * XY_REVIEW_WINDOW < XY_REVIEW_SCAN_MAX * 5);
	xy_sm3(out->p, out->len, sm3);
	xy_hex(sm3, sizeof sm3, hex);
	return audit_review(cx, action, q, *rows, hex);
}

/* ---- anomalies ---- */

struct bucket {
	const char *kind;
	char account[96];
	int64_t from_us, to_us;
	long count;
	int64_t *subjects; /* bulk_query: subject numbers (repeats included) */
	size_t nsub, capsub;
	int64_t events[XY_REVIEW_EVENTS_MAX];
	int nevents;
};

struct anom {
	struct bucket *b;
	size_t n, cap;
	long bulk_n, fail_n;
	int work_from, work_to;	 /* minutes of the day, China time */
	struct xy_workdays *cal; /* working weekdays and DIR/calendar.txt */
	int64_t to_us;
	long scanned;
	int truncated;
	int rc;
};

static struct bucket *bucket(struct anom *a, const char *kind, const char *account, int64_t from_us,
			     int64_t to_us)
{
	struct bucket *b;
	/* Recent buckets first: events come in time order. */
	for (size_t i = a->n; i-- > 0 && i + 256 >= a->n;) {
		b = &a->b[i];
		if (b->kind == kind && b->from_us == from_us && !strcmp(b->account, account))
			return b;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void *p = realloc(a->b, cap * sizeof *a->b);
		if (!p)
			return NULL;
		a->b = p;
		a->cap = cap;
	}
	b = &a->b[a->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	snprintf(b->account, sizeof b->account, "%s", account);
	b->from_us = from_us;
	b->to_us = to_us;
	return b;
}

static void add_event(struct bucket *b, int64_t seq)
{
	b->count++;
	if (b->nevents < XY_REVIEW_EVENTS_MAX)
		b->events[b->nevents++] = seq;
}

static int add_subject(struct bucket *b, int64_t id)
{
	if (b->nsub == b->capsub) {
		size_t cap = b->capsub ? b->capsub * 2 : 32;
		void *p = realloc(b->subjects, cap * sizeof *b->subjects);
		if (!p)
			return XY_ENOMEM;
		b->subjects = p;
		b->capsub = cap;
	}
	b->subjects[b->nsub++] = id;
	return 0;
}

/* 1 when t is within working hours on a working day (China time). */
static int working(const struct anom *a, int64_t t)
{
	int64_t local = t + CHINA_US;
	int32_t day = (int32_t)(local / DAY_US);
	int minute = (int)(local % DAY_US / 60000000LL);
	return xy_workdays_is_workday(a->cal, day) && minute >= a->work_from && minute < a->work_to;
}

static int person(const char *account)
{
	return account && *account && strncmp(account, "os:", 3) != 0 &&
	       strncmp(account, "system:", 7) != 0;
}

/* The number after "key": in a JSON object text, or -1. */
static int64_t num_after(const char *obj, const char *key)
{
	const char *p = obj ? strstr(obj, key) : NULL;
	int64_t v = 0;
	if (!p)
		return -1;
	p += strlen(key);
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && v < INT64_MAX / 10)
		v = v * 10 + (*p++ - '0');
	return v;
}

static int anom_one(void *arg, const struct xy_store_event *ev)
{
	struct anom *a = arg;
	int64_t hour = ev->ts_us - (ev->ts_us % HOUR_US);
	int64_t day = (ev->ts_us + CHINA_US) / DAY_US * DAY_US - CHINA_US;
	const char *acc = ev->account ? ev->account : "";
	struct bucket *b = NULL;

	if (ev->ts_us >= a->to_us)
		return 1;
	if (++a->scanned > XY_REVIEW_SCAN_MAX) {
		a->truncated = 1;
		return 1;
	}
	if (!strcmp(ev->result, "ok") && person(acc) &&
	    (!strcmp(ev->action, "subject.query") || !strcmp(ev->action, "dataset.query"))) {
		int64_t s = num_after(ev->object, "\"subject\":");
		if (!(b = bucket(a, "bulk_query", acc, hour, hour + HOUR_US)))
			return XY_ENOMEM;
		add_event(b, ev->seq);
		if (s >= 0 && (a->rc = add_subject(b, s)))
			return a->rc;
		/* A dataset page's records count as that many subjects looked
		 * at (their subjects are not in the event). */
		for (int64_t k = num_after(ev->object, "\"count\":"); s < 0 && k > 0; k--)
			if ((a->rc = add_subject(b, -(ev->seq * 1000 + k))))
				return a->rc;
	}
	if (!strcmp(ev->result, "ok") && person(acc) && !working(a, ev->ts_us)) {
		if (!(b = bucket(a, "off_hours", acc, day, day + DAY_US)))
			return XY_ENOMEM;
		add_event(b, ev->seq);
	}
	if (!strcmp(ev->action, "session.create") && strcmp(ev->result, "ok") != 0) {
		if (!(b = bucket(a, "signin_failures", acc, hour, hour + HOUR_US)))
			return XY_ENOMEM;
		add_event(b, ev->seq);
	}
	if (ev->reason &&
	    (!strcmp(ev->reason, "account_disabled") || !strcmp(ev->reason, "account_left") ||
	     !strcmp(ev->reason, "account_ended") || !strcmp(ev->reason, "account_expired"))) {
		if (!(b = bucket(a, "inactive_account", acc, day, day + DAY_US)))
			return XY_ENOMEM;
		add_event(b, ev->seq);
		snprintf(b->account, sizeof b->account, "%s", acc);
	}
	if (!strcmp(ev->result, "ok") &&
	    (!strcmp(ev->action, "extraction.download") || !strcmp(ev->action, "audit.export"))) {
		if (!(b = bucket(a, "export", acc, ev->ts_us, ev->ts_us)))
			return XY_ENOMEM;
		add_event(b, ev->seq);
	}
	return 0;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static long distinct(struct bucket *b)
{
	long n = 0;
	if (b->nsub) /* subjects is NULL until the first one */
		qsort(b->subjects, b->nsub, sizeof *b->subjects, cmp_i64);
	for (size_t i = 0; i < b->nsub; i++)
		n += i == 0 || b->subjects[i] != b->subjects[i - 1];
	return n;
}

/* "HH:MM-HH:MM" */
static int parse_hours(const char *s, int *from, int *to)
{
	int h1, m1, h2, m2;
	if (!s || strlen(s) != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':' ||
	    (h1 = xy_two_digits(s)) < 0 || (m1 = xy_two_digits(s + 3)) < 0 ||
	    (h2 = xy_two_digits(s + 6)) < 0 || (m2 = xy_two_digits(s + 9)) < 0 || h1 > 24 ||
	    h2 > 24 || m1 > 59 || m2 > 59)
		return XY_ECONFIG;
	*from = h1 * 60 + m1;
	*to = h2 * 60 + m2;
	return *from < *to ? 0 : XY_ECONFIG;
}

/* DIR/calendar.txt (util/workdays.h, docs/FORMATS.md) with the working
 * weekdays of [audit] work_days; without the file, the weekday rule alone.
 * A file that does not read is a configuration error naming the line, not
 * a calendar quietly smaller than the operator meant. */
static int load_calendar(struct anom *a, const char *dir, const char *days, char *err,
			 size_t errlen)
{
	char path[PATH_MAX], why[256];
	unsigned bits;
	int rc;

	if (xy_workdays_parse_weekdays(days, &bits)) {
		snprintf(err, errlen,
			 "config.ini [audit] work_days: days 1 (Monday) to 7, as 1-5 or 1,2,3");
		return XY_ECONFIG;
	}
	snprintf(path, sizeof path, "%s/calendar.txt", dir);
	rc = xy_workdays_load(path, &a->cal, why, sizeof why);
	if (rc == XY_ENOTFOUND)
		rc = xy_workdays_parse("", 0, &a->cal, why, sizeof why);
	if (rc) {
		xy_log_error("%s: %s", path, why);
		snprintf(err, errlen, "calendar.txt: %s", why);
		return rc == XY_ENOMEM ? rc : XY_ECONFIG;
	}
	return xy_workdays_set_weekdays(a->cal, bits);
}

/* [audit] of config.ini and the calendar; err says what is wrong. */
static int anom_config(struct anom *a, const struct xy_ini *ini, const char *dir, char *err,
		       size_t errlen)
{
	const char *hours = xy_ini_get(ini, "audit", "work_hours");
	const char *days = xy_ini_get(ini, "audit", "work_days");

	if (xy_ini_get_long(ini, "audit", "bulk_subjects_per_hour", 100, 1, 1000000, &a->bulk_n) ||
	    xy_ini_get_long(ini, "audit", "signin_failures_per_hour", 5, 1, 1000, &a->fail_n)) {
		snprintf(err, errlen,
			 "config.ini [audit]: a threshold is not a whole number in range");
		return XY_ECONFIG;
	}
	if (parse_hours(hours ? hours : "08:00-18:00", &a->work_from, &a->work_to)) {
		snprintf(err, errlen,
			 "config.ini [audit] work_hours: HH:MM-HH:MM, start before end");
		return XY_ECONFIG;
	}
	return load_calendar(a, dir, days ? days : "1-5", err, errlen);
}

/* The years of [from, to) (China days) the calendar does not cover: there
 * the off-hours findings rest on the weekday rule alone. */
static void uncovered_years(const struct anom *a, int64_t from_us, int64_t to_us,
			    struct xy_anomaly_report *rep)
{
	int32_t first = (int32_t)((from_us + CHINA_US) / DAY_US);
	int32_t last = (int32_t)((to_us - 1 + CHINA_US) / DAY_US);
	int y1, y2, m, d;
	xy_date_to_ymd(first, &y1, &m, &d);
	xy_date_to_ymd(last, &y2, &m, &d);
	for (int y = y1; y <= y2 && rep->nuncovered < XY_REVIEW_YEARS_MAX; y++)
		if (!xy_workdays_covers_year(a->cal, y))
			rep->uncovered[rep->nuncovered++] = y;
}

static int cmp_bucket(const void *x, const void *y)
{
	const struct bucket *a = x, *b = y;
	int k = strcmp(a->kind, b->kind);
	if (k)
		return k;
	if (a->from_us != b->from_us)
		return a->from_us < b->from_us ? -1 : 1;
	return strcmp(a->account, b->account);
}

int xy_review_anomalies(struct xy_ctx *cx, int64_t from_us, int64_t to_us,
			int (*fn)(void *arg, const struct xy_anomaly *a), void *arg,
			struct xy_anomaly_report *rep, const char **why)
{
	static const char action[] = "audit.anomalies";
	const struct xy_ini *ini = cx->svc->inst->config;
	struct anom a;
	int64_t from_seq;
	char obj[160];
	int rc;

	memset(rep, 0, sizeof *rep);
	memset(&a, 0, sizeof a);
	if ((rc = may_review(cx, action, XY_ACT_AUDIT_REVIEW, NULL, why)))
		return rc;
	if (from_us <= 0 || to_us <= from_us || to_us - from_us > XY_REVIEW_RANGE_MAX * 1000000LL) {
		*why = "range";
		return XY_EINVAL;
	}
	if ((rc = anom_config(&a, ini, cx->svc->inst->dir, rep->error, sizeof rep->error))) {
		*why = "config";
		goto out;
	}
	rep->from_us = from_us;
	rep->to_us = to_us;
	a.to_us = to_us;
	uncovered_years(&a, from_us, to_us, rep);
	if ((rc = seq_at(cx->st, from_us, &from_seq)))
		goto out;
	rc = xy_store_audit_scan(cx->st, from_seq, anom_one, &a);
	if (rc == 1)
		rc = 0;
	if (rc || (rc = a.rc))
		goto out;
	rep->scanned = a.scanned > XY_REVIEW_SCAN_MAX ? XY_REVIEW_SCAN_MAX : a.scanned;
	rep->truncated = a.truncated;
	if (a.n) /* a quiet range has no bucket, and a.b is NULL */
		qsort(a.b, a.n, sizeof *a.b, cmp_bucket);
	for (size_t i = 0; i < a.n && !rc; i++) {
		struct bucket *b = &a.b[i];
		struct xy_anomaly x;
		long n = 0;
		if (!strcmp(b->kind, "bulk_query") && (n = distinct(b)) <= a.bulk_n)
			continue;
		if (!strcmp(b->kind, "signin_failures") && b->count < a.fail_n)
			continue;
		memset(&x, 0, sizeof x);
		x.kind = b->kind;
		snprintf(x.account, sizeof x.account, "%s", b->account);
		x.from_us = b->from_us;
		x.to_us = b->to_us;
		x.count = b->count;
		if (!strcmp(b->kind, "bulk_query"))
			snprintf(x.detail, sizeof x.detail,
				 "%ld distinct subjects in an hour (more than %ld)", n, a.bulk_n);
		else if (!strcmp(b->kind, "signin_failures"))
			snprintf(x.detail, sizeof x.detail,
				 "%ld failed sign-ins in an hour (%ld or more)", b->count,
				 a.fail_n);
		else if (!strcmp(b->kind, "off_hours"))
			snprintf(x.detail, sizeof x.detail,
				 "%ld operations outside working hours or days", b->count);
		else if (!strcmp(b->kind, "inactive_account"))
			snprintf(x.detail, sizeof x.detail,
				 "%ld attempts by a disabled, left or expired account", b->count);
		else
			snprintf(x.detail, sizeof x.detail, "data left the platform in a file");
		memcpy(x.events, b->events, sizeof x.events);
		x.nevents = b->nevents;
		rc = fn(arg, &x);
	}
	if (!rc) {
		snprintf(obj, sizeof obj,
			 "{\"from_us\":%lld,\"to_us\":%lld,\"scanned\":%ld,\"truncated\":%s}",
			 (long long)from_us, (long long)to_us, rep->scanned,
			 rep->truncated ? "true" : "false");
		rc = xy_svc_audit_read(cx, action, obj, "ok", NULL);
	}
out:
	for (size_t i = 0; i < a.n; i++)
		free(a.b[i].subjects);
	free(a.b);
	xy_workdays_free(a.cal);
	return rc;
}

/* ---- who looked at me ---- */

struct viewers {
	int64_t subject;
	char subj_pat[48];
	int64_t *recs;
	size_t nrecs;
	struct xy_viewer *v;
	size_t n, cap;
	int64_t to_us;
	long scanned, events;
	int truncated;
	int rc;
};

static int rec_id(void *arg, const struct xy_store_rec_view *r)
{
	struct viewers *w = arg;
	if (w->nrecs < SUBJ_RECORDS)
		w->recs[w->nrecs++] = r->id;
	return 0;
}

/* 1 when the "records":[…] list of obj names one of w's records. */
static int names_record(const struct viewers *w, const char *obj)
{
	const char *p = obj ? strstr(obj, "\"records\":[") : NULL;
	if (!p || !w->nrecs)
		return 0;
	p += 11;
	while (*p >= '0' && *p <= '9') {
		int64_t id = 0;
		while (*p >= '0' && *p <= '9' && id < INT64_MAX / 10)
			id = id * 10 + (*p++ - '0');
		if (bsearch(&id, w->recs, w->nrecs, sizeof *w->recs, cmp_i64))
			return 1;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int view_one(void *arg, const struct xy_store_event *ev)
{
	struct viewers *w = arg;
	struct xy_viewer *v = NULL;
	if (ev->ts_us >= w->to_us)
		return 1;
	if (++w->scanned > XY_REVIEW_SCAN_MAX) {
		w->truncated = 1;
		return 1;
	}
	if (strcmp(ev->result, "ok") != 0 || !ev->unit)
		return 0;
	if (!((!strcmp(ev->action, "subject.query") && ev->object &&
	       strstr(ev->object, w->subj_pat)) ||
	      (!strcmp(ev->action, "dataset.query") && names_record(w, ev->object))))
		return 0;
	w->events++;
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].unit, ev->unit))
			v = &w->v[i];
	if (!v) {
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 16;
			void *p = realloc(w->v, cap * sizeof *w->v);
			if (!p)
				return w->rc = XY_ENOMEM;
			w->v = p;
			w->cap = cap;
		}
		v = &w->v[w->n++];
		memset(v, 0, sizeof *v);
		snprintf(v->unit, sizeof v->unit, "%s", ev->unit);
		v->first_us = ev->ts_us;
	}
	v->count++;
	v->last_us = ev->ts_us;
	if (ev->purpose && *ev->purpose && !strstr(v->purposes, ev->purpose)) {
		size_t len = strlen(v->purposes);
		snprintf(v->purposes + len, sizeof v->purposes - len, "%s%s", len ? "," : "",
			 ev->purpose);
	}
	return 0;
}

int xy_review_viewers(struct xy_ctx *cx, const char *code, int64_t from_us, int64_t to_us,
		      int (*fn)(void *arg, const struct xy_viewer *v), void *arg,
		      struct xy_viewer_report *rep, const char **why)
{
	static const char action[] = "audit.subject_report";
	struct viewers w;
	struct xy_subject s;
	int64_t from_seq;
	char obj[200];
	int rc;

	memset(rep, 0, sizeof *rep);
	memset(&w, 0, sizeof w);
	if (!code || !xy_query_valid_code(code)) {
		*why = "code";
		return XY_EINVAL;
	}
	if (from_us < 0 || to_us <= from_us) {
		*why = "range";
		return XY_EINVAL;
	}
	rc = xy_query_find_subject(cx, code, NULL, &s);
	if (rc == XY_ENOTFOUND) {
		/* Refuse before saying whether the subject exists. */
		if ((rc = may_review(cx, action, XY_ACT_AUDIT_SUBJECT_REPORT, "", why)) == 0)
			*why = "subject";
		return rc ? rc : XY_ENOTFOUND;
	}
	if (rc)
		return rc;
	if ((rc = may_review(cx, action, XY_ACT_AUDIT_SUBJECT_REPORT, s.region, why)))
		return rc;
	rep->subject_id = s.id;
	rep->from_us = from_us;
	rep->to_us = to_us;
	w.subject = s.id;
	w.to_us = to_us;
	snprintf(w.subj_pat, sizeof w.subj_pat, "\"subject\":%lld,", (long long)s.id);
	w.recs = malloc(SUBJ_RECORDS * sizeof *w.recs);
	if (!w.recs)
		return XY_ENOMEM;
	rc = xy_store_subject_records(cx->st, s.id, SUBJ_RECORDS, rec_id, &w);
	if (rc > 0)
		rc = 0;
	qsort(w.recs, w.nrecs, sizeof *w.recs, cmp_i64);
	if (!rc)
		rc = seq_at(cx->st, from_us, &from_seq);
	if (!rc)
		rc = xy_store_audit_scan(cx->st, from_seq, view_one, &w);
	if (rc == 1)
		rc = 0;
	if (!rc)
		rc = w.rc;
	rep->scanned = w.scanned > XY_REVIEW_SCAN_MAX ? XY_REVIEW_SCAN_MAX : w.scanned;
	rep->truncated = w.truncated;
	rep->events = w.events;
	for (size_t i = 0; i < w.n && !rc; i++) {
		struct xy_unit u;
		if (!xy_store_unit_by_code(cx->st, w.v[i].unit, &u))
			snprintf(w.v[i].unit_name, sizeof w.v[i].unit_name, "%s", u.name);
		rc = fn(arg, &w.v[i]);
	}
	if (!rc) {
		snprintf(obj, sizeof obj,
			 "{\"subject\":%lld,\"from_us\":%lld,\"to_us\":%lld,\"units\":%zu,"
			 "\"events\":%ld}",
			 (long long)s.id, (long long)from_us, (long long)to_us, w.n, w.events);
		rc = xy_svc_audit_read(cx, action, obj, "ok", NULL);
	}
	free(w.recs);
	free(w.v);
	return rc;
}
