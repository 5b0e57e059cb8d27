/* The portal's HTTP side: routing, per-address rate limits, security headers and
 * conditional GET (POR-1).  Pages are rendered by pages.c, api.c and submit.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/portal_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

/* POR-1: no inline script or style anywhere; forms post only to the portal. */
static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

int xy_portal_new(const struct xy_portal_opts *o, const struct xy_sm2key *platform,
		  const struct xy_sm2key *own, const struct xy_catalog *cat, struct xy_portal **out)
{
	struct xy_portal *p = calloc(1, sizeof *p);
	uint8_t h[XY_SM3_LEN];
	int rc;
	*out = NULL;
	if (!p)
		return XY_ENOMEM;
	if (strlen(o->dir) >= sizeof p->dir - 64) {
		free(p);
		return XY_EINVAL;
	}
	snprintf(p->dir, sizeof p->dir, "%s", o->dir);
	snprintf(p->name, sizeof p->name, "%s", o->name);
	p->changeset_max = o->changeset_max;
	p->platform = platform;
	p->own = own;
	p->cat = cat;
	if ((rc = xy_rate_new(o->rate, o->burst, &p->rate))) {
		free(p);
		return rc;
	}
	pthread_key_create(&p->tls, NULL);
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->state_mu, NULL);
	pthread_mutex_init(&p->submit_mu, NULL);
	xy_sm3(xy_portal_css, strlen(xy_portal_css), h);
	for (int i = 0; i < 8; i++)
		snprintf(p->css_ver + 2 * i, 3, "%02x", h[i]);
	p->cache = o->cache_max ? xy_pcache_new(o->cache_max) : NULL;
	if (o->cache_max && !p->cache)
		xy_log_warn("no memory for the page cache: every page is rendered");
	if ((rc = xy_portal_submit_init(p))) {
		xy_portal_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void xy_portal_close_stores(struct xy_portal *p)
{
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->nstores; i++)
		xy_pstore_close(p->stores[i]);
	p->nstores = 0;
	pthread_mutex_unlock(&p->mu);
	pthread_setspecific(p->tls, NULL);
}

void xy_portal_free(struct xy_portal *p)
{
	if (!p)
		return;
	xy_portal_close_stores(p);
	xy_pstore_close(p->writer);
	xy_rate_free(p->rate);
	xy_hmac_free(p->form_mac);
	xy_pcache_free(p->cache);
	pthread_key_delete(p->tls);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->state_mu);
	pthread_mutex_destroy(&p->submit_mu);
	free(p);
}

struct xy_pstore *xy_portal_store(struct xy_portal *p)
{
	struct xy_pstore *s = pthread_getspecific(p->tls);
	char path[PORTAL_DIR_MAX + 16], err[256];
	if (s)
		return s;
	snprintf(path, sizeof path, "%s/public.db", p->dir);
	if (xy_pstore_open(path, 0, &s, err, sizeof err)) {
		xy_log_error("%s", err);
		return NULL;
	}
	pthread_mutex_lock(&p->mu);
	if (p->nstores == PORTAL_STORES_MAX) {
		pthread_mutex_unlock(&p->mu);
		xy_pstore_close(s);
		xy_log_error("more store connections than threads");
		return NULL;
	}
	p->stores[p->nstores++] = s;
	pthread_mutex_unlock(&p->mu);
	pthread_setspecific(p->tls, s);
	return s;
}

void xy_portal_state(struct xy_portal *p, struct xy_pstate *st)
{
	pthread_mutex_lock(&p->state_mu);
	*st = p->state;
	pthread_mutex_unlock(&p->state_mu);
}

void xy_portal_state_refresh(struct xy_portal *p, struct xy_pstore *s)
{
	struct xy_pstate st;
	if (xy_pstore_state(s, &st))
		return;
	pthread_mutex_lock(&p->state_mu);
	p->state = st;
	pthread_mutex_unlock(&p->state_mu);
}

/* ---- requests ---- */

static void begin(void *arg, struct xy_http_req *rq)
{
	struct xy_portal *p = arg;
	int retry_s;
	rq->csp = csp;
	if (!xy_rate_take(p->rate, rq->addr, xy_now_us(), &retry_s)) {
		snprintf(rq->retry_after, sizeof rq->retry_after, "%d", retry_s);
		xy_page_error(p, rq, 429, "请求过于频繁，请稍后再试。");
		rq->reject = 1;
		return;
	}
	if (!strcmp(rq->method, "POST"))
		rq->body_max = XY_PORTAL_FORM_MAX;
	else
		rq->body_max = 1; /* a GET carries no body worth reading */
}

/* Conditional GET: the page depends only on the change set applied (and the
 * templates, named by the style sheet's version).  1 when answered 304. */
static int conditional(struct xy_portal *p, struct xy_http_req *rq)
{
	struct xy_pstate st;
	xy_portal_state(p, &st);
	snprintf(rq->etag, sizeof rq->etag, "\"cs-%lld-%s\"", st.seq, p->css_ver);
	rq->cache = "no-cache";
	if (rq->if_none_match &&
	    (strstr(rq->if_none_match, rq->etag) || !strcmp(rq->if_none_match, "*"))) {
		rq->status = 304;
		rq->ctype = "text/html; charset=utf-8";
		xy_buf_reset(&rq->out);
		return 1;
	}
	return 0;
}

static void css(struct xy_portal *p, struct xy_http_req *rq)
{
	(void)p;
	rq->status = 200;
	rq->ctype = "text/css; charset=utf-8";
	rq->cache = "public, max-age=31536000, immutable";
	snprintf(rq->etag, sizeof rq->etag, "\"css-%s\"", p->css_ver);
	if (rq->if_none_match && strstr(rq->if_none_match, rq->etag)) {
		rq->status = 304;
		return;
	}
	if (xy_buf_adds(&rq->out, xy_portal_css))
		xy_page_error(p, rq, 500, "页面生成失败。");
}

/* "/subjects/CODE" -> CODE when path starts with prefix and has one more segment. */
static const char *tail(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0 || !path[n] || strchr(path + n, '/'))
		return NULL;
	return path + n;
}

/* The cache key of a page that depends only on the change set, the day and its target
 * (subjects, records, search, the public API's subjects): the path and its query
 * parameters.  0 for any other page, or a target too long to keep. */
static int cache_key(const struct xy_http_req *rq, char *key, size_t n)
{
	const char *path = rq->target.path;
	size_t at;
	if (!tail(path, "/subjects/") && !tail(path, "/records/") && strcmp(path, "/search") != 0 &&
	    strcmp(path, "/api/v1/public/subjects") != 0 && !tail(path, "/api/v1/public/subjects/"))
		return 0;
	at = (size_t)snprintf(key, n, "%s", path);
	for (int i = 0; i < rq->target.nq && at < n; i++)
		at += (size_t)snprintf(key + at, n - at, "\x01%s\x02%s", rq->target.q[i].key,
				       rq->target.q[i].value);
	return at < n - 1;
}

/* The pages of the change set in force: from the cache, else rendered and kept. */
static void cached(struct xy_portal *p, struct xy_http_req *rq,
		   void (*render)(struct xy_portal *, struct xy_http_req *, const char *),
		   const char *arg)
{
	char key[512];
	struct xy_pstate st;
	int32_t day = xy_today();
	const char *ctype = NULL;
	int keyed = p->cache && cache_key(rq, key, sizeof key);
	xy_portal_state(p, &st);
	if (keyed && xy_pcache_get(p->cache, key, st.seq, day, &rq->out, &ctype)) {
		rq->status = 200;
		rq->ctype = ctype;
		return;
	}
	render(p, rq, arg);
	if (keyed && rq->status == 200 && rq->ctype)
		xy_pcache_put(p->cache, key, st.seq, day, rq->ctype, rq->out.p, rq->out.len);
}

static void search_page(struct xy_portal *p, struct xy_http_req *rq, const char *unused)
{
	(void)unused;
	xy_page_search(p, rq);
}

static void search_api(struct xy_portal *p, struct xy_http_req *rq, const char *unused)
{
	(void)unused;
	xy_papi_search(p, rq);
}

static void get(struct xy_portal *p, struct xy_http_req *rq)
{
	const char *path = rq->target.path, *t;
	if (!strcmp(path, "/static/site.css"))
		return css(p, rq);
	if (!strcmp(path, "/objections/new"))
		return xy_page_form(p, rq, 0);
	if (!strcmp(path, "/repairs/new"))
		return xy_page_form(p, rq, 1);
	if (!strcmp(path, "/tickets"))
		return xy_page_tickets(p, rq);
	if (!strcmp(path, "/api/v1/public/status"))
		return xy_papi_status(p, rq);
	if (conditional(p, rq))
		return;
	if (!strcmp(path, "/"))
		return xy_page_home(p, rq);
	if (!strcmp(path, "/search"))
		return cached(p, rq, search_page, NULL);
	if (!strcmp(path, "/privacy"))
		return xy_page_privacy(p, rq);
	if ((t = tail(path, "/subjects/")))
		return cached(p, rq, xy_page_subject, t);
	if ((t = tail(path, "/records/")))
		return cached(p, rq, xy_page_record, t);
	if (!strcmp(path, "/api/v1/public/subjects"))
		return cached(p, rq, search_api, NULL);
	if ((t = tail(path, "/api/v1/public/subjects/")))
		return cached(p, rq, xy_papi_subject, t);
	rq->etag[0] = 0;
	xy_page_error(p, rq, 404, "您访问的页面不存在。");
}

static int known_path(const char *path)
{
	static const char *const fixed[] = {"/",
					    "/search",
					    "/privacy",
					    "/tickets",
					    "/objections/new",
					    "/repairs/new",
					    "/static/site.css",
					    NULL};
	for (const char *const *f = fixed; *f; f++)
		if (!strcmp(path, *f))
			return 1;
	return tail(path, "/subjects/") || tail(path, "/records/") ||
	       !strncmp(path, "/api/v1/public/", 15);
}

static void handle(void *arg, struct xy_http_req *rq)
{
	struct xy_portal *p = arg;
	const char *path = rq->target.path;
	rq->csp = csp;
	if (rq->target_err) {
		xy_page_error(p, rq, rq->target_err == XY_ELIMIT ? 414 : 400,
			      "请求地址无效或过长。");
		return;
	}
	if (rq->too_large) {
		xy_page_error(p, rq, 413, "提交的内容过长。");
		return;
	}
	if (!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD")) {
		get(p, rq);
		return;
	}
	if (!strcmp(rq->method, "POST") && !strcmp(path, "/objections/new")) {
		xy_page_form_post(p, rq, 0);
		return;
	}
	if (!strcmp(rq->method, "POST") && !strcmp(path, "/repairs/new")) {
		xy_page_form_post(p, rq, 1);
		return;
	}
	if (known_path(path))
		xy_page_error(p, rq, 405, "不支持该请求方式。");
	else
		xy_page_error(p, rq, 404, "您访问的页面不存在。");
}

void xy_portal_app(struct xy_portal *p, struct xy_http_app *app)
{
	memset(app, 0, sizeof *app);
	app->arg = p;
	app->begin = begin;
	app->handle = handle;
}
