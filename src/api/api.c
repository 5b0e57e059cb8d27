/* The API's router, limits, authentication gate and error answers: see
 * api.h.  The route table is at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unistd.h>

#include "api/api.h"
#include "svc/batch.h"
#include "svc/client.h"
#include "http/ratelimit.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

struct xy_api {
	struct xy_service *svc;
	struct xy_api_opts o;
	struct xy_rate *per_addr, *per_account, *signin;
};

int xy_api_new(struct xy_service *svc, const struct xy_api_opts *o, struct xy_api **out)
{
	struct xy_api *a = calloc(1, sizeof *a);
	int rc;
	*out = NULL;
	if (!a)
		return XY_ENOMEM;
	a->svc = svc;
	a->o = *o;
	if ((rc = xy_rate_new(o->rate_per_addr, o->rate_per_addr * 2, &a->per_addr)) ||
	    (rc = xy_rate_new(o->rate_per_account, o->rate_per_account * 2, &a->per_account)) ||
	    (rc = xy_rate_new(o->signin_per_minute / 60.0, o->signin_per_minute, &a->signin))) {
		xy_api_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void xy_api_free(struct xy_api *a)
{
	if (!a)
		return;
	xy_rate_free(a->per_addr);
	xy_rate_free(a->per_account);
	xy_rate_free(a->signin);
	free(a);
}

/* ---- routing ---- */

int xy_api_match(const char *pat, const char *path, char params[XY_API_PARAMS][128])
{
	int np = 0;
	while (*pat && *path) {
		if (pat[0] == '{' && pat[1] == '}') {
			size_t n = strcspn(path, "/");
			if (n == 0 || n >= 128 || np >= XY_API_PARAMS)
				return 0;
			memcpy(params[np], path, n);
			params[np][n] = 0;
			np++;
			path += n;
			pat += 2;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == 0 && *path == 0;
}

const struct xy_route *xy_api_route(const char *method, const char *path,
				    char params[XY_API_PARAMS][128], int *path_known)
{
	*path_known = 0;
	for (int i = 0; i < xy_nroutes; i++)
		if (xy_api_match(xy_routes[i].pattern, path, params)) {
			if (!strcmp(xy_routes[i].method, method))
				return &xy_routes[i];
			*path_known = 1;
		}
	return NULL;
}

int xy_json_depth(const char *p, size_t n, int max)
{
	int depth = 0, deepest = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > deepest)
				deepest = depth;
			if (deepest > max)
				return deepest;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return deepest;
}

/* ---- answers ---- */

void xy_api_reply(struct xy_api_req *ar, int status, json_t *obj)
{
	char *text;
	xy_buf_reset(&ar->rq->out);
	ar->rq->status = status;
	if (!obj) {
		xy_http_json_error(ar->rq, 500, "internal_error", "out of memory");
		return;
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
	json_decref(obj);
	if (!text || xy_buf_adds(&ar->rq->out, text))
		xy_http_json_error(ar->rq, 500, "internal_error", "response too large");
	free(text);
}

void xy_api_jw_begin(struct xy_api_req *ar, struct xy_jw *w)
{
	xy_buf_reset(&ar->rq->out);
	xy_jw_init(w, &ar->rq->out);
}

void xy_api_jw_end(struct xy_api_req *ar, int status, struct xy_jw *w)
{
	if (xy_jw_end(w))
		xy_http_json_error(ar->rq, 500, "internal_error", "response too large");
	else
		ar->rq->status = status;
}

void xy_api_error(struct xy_api_req *ar, int status, const char *code, const char *msg)
{
	xy_http_json_error(ar->rq, status, code, msg);
}

void xy_api_fail(struct xy_api_req *ar, int rc, const char *why)
{
	char msg[256];
	switch (rc) {
	case XY_EDENIED:
		snprintf(msg, sizeof msg, "not allowed (%s)", why ? why : "policy");
		xy_api_error(ar, 403, "forbidden", msg);
		return;
	case XY_ENOTFOUND:
		snprintf(msg, sizeof msg, "not found (%s)", why ? why : "no such object");
		xy_api_error(ar, 404, "not_found", msg);
		return;
	case XY_EINVAL:
		snprintf(msg, sizeof msg, "field \"%s\" is missing or invalid", why ? why : "?");
		xy_api_error(ar, 422, "invalid_field", msg);
		return;
	case XY_ECONFLICT:
		xy_api_error(ar, 409, why ? why : "conflict", why ? why : "conflicting state");
		return;
	case XY_EAUDIT:
		xy_api_error(ar, 503, "audit_unavailable",
			     "the audit record could not be written; nothing was done");
		return;
	default:
		xy_api_error(ar, xy_err_http(rc), xy_err_code(rc), xy_strerror(rc));
	}
}

const char *xy_api_str(struct xy_api_req *ar, const char *key, int *bad)
{
	json_t *v = ar->body ? json_object_get(ar->body, key) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

int xy_api_page(struct xy_api_req *ar, int64_t *after, int *limit)
{
	const char *a = xy_http_query(&ar->rq->target, "after");
	const char *l = xy_http_query(&ar->rq->target, "limit");
	char *e;
	*after = 0;
	*limit = 100;
	if (a) {
		long long v = strtoll(a, &e, 10);
		if (!*a || *e || v < 0)
			return XY_EINVAL;
		*after = v;
	}
	if (l) {
		long v = strtol(l, &e, 10);
		if (!*l || *e || v < 1 || v > XY_PAGE_MAX)
			return XY_EINVAL;
		*limit = (int)v;
	}
	return 0;
}

int xy_api_before_page(struct xy_api_req *ar, int64_t *before, int *limit)
{
	const char *b = xy_http_query(&ar->rq->target, "before");
	const char *l = xy_http_query(&ar->rq->target, "limit");
	char *e;
	long long v;
	*before = 0;
	*limit = 100;
	if (b && (!*b || (v = strtoll(b, &e, 10)) < 0 || *e))
		return XY_EINVAL;
	if (b)
		*before = v;
	if (l) {
		long n = strtol(l, &e, 10);
		if (!*l || *e || n < 1 || n > XY_PAGE_MAX)
			return XY_EINVAL;
		*limit = (int)n;
	}
	return 0;
}

json_t *xy_api_time(int64_t us)
{
	char s[40];
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	if (!us)
		return json_null();
	t += 8 * 3600; /* China time */
	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
	return json_string(s);
}

json_t *xy_api_date(int32_t days)
{
	char s[XY_DATE_STR];
	if (days == XY_NO_DATE)
		return json_null();
	xy_date_format(days, s);
	return json_string(s);
}

/* ---- the request's life ---- */

static void reject(struct xy_api_req *ar, int status, const char *code, const char *msg,
		   const char *audit_reason)
{
	ar->rq->reject = 1;
	xy_api_error(ar, status, code, msg);
	/* AUD-1: every refusal leaves an event, except a request over its
	 * address's rate (auditing a flood would let it fill the trail). */
	if (!audit_reason && status != 429)
		audit_reason = code;
	if (audit_reason && xy_svc_audit(&ar->cx, "http.refused", NULL, "refused", audit_reason))
		xy_api_error(ar, 503, "audit_unavailable", "the audit record could not be written");
}

/* The writer made a deferred event durable, or could not: on its thread. */
static void audit_done(void *arg, int rc)
{
	struct xy_api_req *ar = arg;
	ar->audit_rc = rc;
	xy_http_release(ar->rq);
}

static int content_is_json(const char *ct)
{
	size_t n = strlen("application/json");
	return ct && !strncasecmp(ct, "application/json", n) && (ct[n] == 0 || ct[n] == ';');
}

/* The gate for a machine client: who it is, then whether it may use this
 * route, then its rate and quota (counted only for a route it may use). */
static void client_begin(struct xy_api_req *ar, int rc, const char *cid, const char *secret)
{
	struct xy_http_req *rq = ar->rq;
	const char *why = "malformed_credentials";
	int retry_s = 0;
	if (!rc && !(ar->route->flags & XY_RT_CLIENT)) {
		reject(ar, 403, "client_not_allowed",
		       "machine clients may use the query endpoints only", "machine_client");
		return;
	}
	if (!rc)
		rc = xy_client_resolve(&ar->cx, cid, secret, rq->addr, &why, &retry_s);
	if (!rc) {
		snprintf(rq->log_account, sizeof rq->log_account, "%s", ar->cx.who.account);
		return;
	}
	if (rc == XY_ELIMIT && retry_s > 0) {
		snprintf(rq->retry_after, sizeof rq->retry_after, "%d", retry_s);
		reject(ar, 429, "rate_limited",
		       strcmp(why, "client_quota_exceeded") != 0
			       ? "too many requests for this client"
			       : "this client's daily quota is used up",
		       why);
	} else if (rc == XY_EDENIED || rc == XY_EPARSE || rc == XY_ELIMIT) {
		reject(ar, 401, "unauthenticated", "the client credentials are not valid here",
		       why);
	} else {
		reject(ar, 503, "busy", "the store is not available", "client_store_error");
	}
}

/* CRY-2: a request whose reads met a tampered row answers 500
 * integrity_violation, whatever the service made of the error, after the
 * alarm events are written.  1 when that happened. */
static int integrity_gate(struct xy_api_req *ar)
{
	int rc = xy_svc_integrity(&ar->cx);
	if (!rc)
		return 0;
	ar->cx.audited = 1;
	if (rc == XY_EAUDIT)
		xy_api_fail(ar, XY_EAUDIT, NULL);
	else
		xy_api_error(ar, 500, "integrity_violation",
			     "stored data failed its integrity check; the security staff "
			     "have been alerted");
	return 1;
}

static void begin(struct xy_api *api, struct xy_http_req *rq);

static void api_begin(void *arg, struct xy_http_req *rq)
{
	struct xy_api_req *ar;

	begin(arg, rq);
	ar = rq->app_state;
	if (ar && ar->cx.st && integrity_gate(ar))
		rq->reject = 1;
}

static void begin(struct xy_api *api, struct xy_http_req *rq)
{
	struct xy_api_req *ar = calloc(1, sizeof *ar);
	char token[XY_TOKEN_MAX + 1], user[XY_TOKEN_MAX + 1], key[96], retry[16];
	const char *why;
	int known = 0, rc, cookie = 0, retry_s = 1;
	int64_t now = xy_now_us();

	if (!ar) {
		rq->reject = 1;
		xy_http_json_error(rq, 503, "busy", "out of memory");
		return;
	}
	rq->app_state = ar;
	ar->rq = rq;
	ar->api = api;
	if (xy_ctx_init(&ar->cx, api->svc, rq->client, rq->agent)) {
		rq->reject = 1;
		xy_http_json_error(rq, 503, "busy", "the store is not available");
		return;
	}
	ar->cx.defer_done = audit_done;
	ar->cx.defer_arg = ar;
	/* Per-address rate first: a flood costs one table lookup. */
	snprintf(key, sizeof key, "a:%s", rq->addr);
	if (!xy_rate_take(api->per_addr, key, now, &retry_s)) {
		snprintf(rq->retry_after, sizeof rq->retry_after, "%d", retry_s);
		reject(ar, 429, "rate_limited", "too many requests from this address", NULL);
		return;
	}
	if (rq->target_err) {
		reject(ar, rq->target_err == XY_ELIMIT ? 414 : 400, "bad_target",
		       "the request path or query is malformed or too long", "bad_target");
		return;
	}
	ar->route = xy_api_route(rq->method, rq->target.path, ar->param, &known);
	if (!ar->route) {
		if (known)
			reject(ar, 405, "method_not_allowed", "method not allowed for this path",
			       NULL);
		else
			reject(ar, 404, "not_found", "no such endpoint", NULL);
		return;
	}
	rq->body_max = api->o.body_max;
	if (ar->route->flags & XY_RT_SIGNIN) {
		/* Before any password hashing: the limit holds under a flood. */
		snprintf(key, sizeof key, "s:%s", rq->addr);
		if (!xy_rate_take(api->signin, key, now, &retry_s)) {
			snprintf(rq->retry_after, sizeof rq->retry_after, "%d", retry_s);
			reject(ar, 429, "rate_limited",
			       "too many sign-in attempts from this address",
			       "signin_rate_limited");
			return;
		}
	}
	if ((ar->route->flags & XY_RT_JSON) && !content_is_json(rq->content_type)) {
		reject(ar, 415, "unsupported_media_type", "the body must be application/json",
		       NULL);
		return;
	}
	if (ar->route->flags & XY_RT_PUBLIC)
		return;
	/* A machine client (SHR-6): Basic credentials, its own rate and quota. */
	rc = xy_http_basic(rq->authorization, user, token);
	if (rc != XY_ENOTFOUND) {
		client_begin(ar, rc, user, token);
		explicit_bzero(token, sizeof token);
		return;
	}
	/* Authentication: a bearer token, else the session cookie (+ CSRF). */
	rc = xy_http_bearer(rq->authorization, token);
	if (rc == XY_ENOTFOUND) {
		rc = xy_http_cookie(rq->cookie, "xy_session", token);
		cookie = rc == 0;
	}
	if (rc) {
		explicit_bzero(token, sizeof token);
		reject(ar, 401, "unauthenticated", "sign in first (Authorization: Bearer TOKEN)",
		       rc == XY_ENOTFOUND ? NULL : "malformed_token");
		return;
	}
	if ((rc = xy_session_resolve(&ar->cx, token, cookie, &why))) {
		explicit_bzero(token, sizeof token);
		reject(ar, 401, "unauthenticated", "the session is not valid; sign in again",
		       rc == XY_EDENIED ? why : "session_error");
		return;
	}
	explicit_bzero(token, sizeof token);
	snprintf(rq->log_account, sizeof rq->log_account, "%s", ar->cx.who.account);
	if (cookie && strcmp(rq->method, "GET") != 0 && !xy_session_csrf_ok(&ar->cx, rq->csrf)) {
		reject(ar, 403, "csrf_failed", "the X-CSRF-Token header is missing or wrong",
		       "csrf_failed");
		return;
	}
	snprintf(key, sizeof key, "u:%lld", (long long)ar->cx.who.account_id);
	if (!xy_rate_take(api->per_account, key, now, &retry_s)) {
		snprintf(retry, sizeof retry, "%d", retry_s);
		memcpy(rq->retry_after, retry, sizeof retry);
		reject(ar, 429, "rate_limited", "too many requests for this account",
		       "account_rate_limited");
		return;
	}
	/* ACC-3, then ACC-5, then ACC-1: the only doors open until each is done. */
	if (ar->cx.who.must_change && !(ar->route->flags & XY_RT_GATE_PW)) {
		reject(ar, 403, "password_change_required",
		       "change the one-time or expired password first "
		       "(POST /api/v1/session/password)",
		       "password_change_required");
		return;
	}
	if (!ar->cx.who.must_change && ar->cx.who.must_enroll &&
	    !(ar->route->flags & XY_RT_GATE_2FA)) {
		reject(ar, 403, "second_factor_enrollment_required",
		       "enrol a second factor first (POST /api/v1/session/totp)",
		       "second_factor_enrollment_required");
		return;
	}
	if (!ar->cx.who.must_change && !ar->cx.who.must_enroll && ar->cx.who.needs_identity &&
	    !(ar->route->flags & XY_RT_GATE_ID)) {
		reject(ar, 403, "identity_required",
		       "record your real name and identity number first "
		       "(POST /api/v1/session/identity)",
		       "identity_required");
		return;
	}
	if (ar->route->flags & XY_RT_UPLOAD) {
		/* The policy first, then spool the body to disk (never to memory). */
		char dir[4096];
		int fd;
		rc = xy_batch_authorize(&ar->cx, ar->param[0], &why);
		if (rc) {
			rq->reject = 1;
			xy_api_fail(ar, rc, why);
			return;
		}
		if (xy_batch_spool_dir(&ar->cx, dir, sizeof dir) ||
		    asprintf(&ar->upload_path, "%s/upload-XXXXXX", dir) < 0 ||
		    (fd = mkstemp(ar->upload_path)) < 0) {
			free(ar->upload_path);
			ar->upload_path = NULL;
			reject(ar, 500, "io_error", "the upload cannot be spooled", NULL);
			return;
		}
		rq->upload_fd = fd;
		rq->stream = 1;
		rq->body_max = XY_HTTP_UPLOAD_MAX;
	}
}

static void api_handle(void *arg, struct xy_http_req *rq)
{
	struct xy_api_req *ar = rq->app_state;
	json_error_t jerr;
	(void)arg;
	if (!ar || !ar->route) {
		xy_http_json_error(rq, 500, "internal_error", "no route");
		return;
	}
	if (rq->too_large) {
		char msg[96];
		snprintf(msg, sizeof msg, "the body is larger than %llu bytes", rq->body_max);
		reject(ar, 413, "too_large", msg, "body_too_large");
		return;
	}
	if (ar->route->flags & XY_RT_JSON) {
		const char *k;
		json_t *v;
		if (xy_json_depth(rq->body.p ? rq->body.p : "", rq->body.len, XY_JSON_DEPTH_MAX) >
		    XY_JSON_DEPTH_MAX) {
			reject(ar, 400, "too_deep", "the JSON body is nested too deeply",
			       "json_too_deep");
			return;
		}
		ar->body = json_loadb(rq->body.p ? rq->body.p : "", rq->body.len,
				      JSON_REJECT_DUPLICATES, &jerr);
		if (!ar->body || !json_is_object(ar->body)) {
			char msg[200];
			snprintf(msg, sizeof msg, "the body is not a JSON object%s%s",
				 ar->body ? "" : ": ", ar->body ? "" : jerr.text);
			reject(ar, 400, "malformed_json", msg, "malformed_json");
			return;
		}
		json_object_foreach (ar->body, k, v) {
			int ok = 0;
			for (const char *const *f = ar->route->fields; f && *f && !ok; f++)
				ok = !strcmp(*f, k);
			if (!ok) {
				char msg[200];
				int cut = (int)strlen(k);
				if (cut >
				    64) { /* at a character boundary: the answer stays UTF-8 */
					cut = 64;
					while (cut > 0 && ((unsigned char)k[cut] & 0xc0) == 0x80)
						cut--;
				}
				snprintf(msg, sizeof msg, "unknown field \"%.*s\"", cut, k);
				reject(ar, 400, "unknown_field", msg, "unknown_field");
				return;
			}
		}
	}
	ar->route->fn(ar);
	integrity_gate(ar);
	if (!ar->cx.audited && !(ar->route->flags & XY_RT_NOAUDIT)) {
		/* AUD-1: a handler whose service wrote no event (a refusal in
		 * validation, a read without an object of its own) still leaves one. */
		char action[160];
		int ok = rq->status < 400;
		snprintf(action, sizeof action, "%s %s", rq->method, ar->route->pattern);
		if (xy_svc_audit_read(&ar->cx, action, NULL, ok ? "ok" : "refused",
				      ok ? NULL : "request_refused"))
			xy_api_fail(ar, XY_EAUDIT, NULL);
	}
	/* A deferred event: the connection waits, the thread goes on. */
	rq->hold = ar->cx.deferred;
}

/* A held request's event is durable (or lost: then nothing is told). */
static void api_resume(void *arg, struct xy_http_req *rq)
{
	struct xy_api_req *ar = rq->app_state;
	(void)arg;
	if (ar && ar->audit_rc)
		xy_api_fail(ar, XY_EAUDIT, NULL);
}

static void api_end(void *arg, struct xy_http_req *rq)
{
	struct xy_api_req *ar = rq->app_state;
	(void)arg;
	if (!ar)
		return;
	json_decref(ar->body);
	if (ar->upload_path) {
		unlink(ar->upload_path);
		free(ar->upload_path);
	}
	explicit_bzero(&ar->cx.who, sizeof ar->cx.who);
	free(ar);
	rq->app_state = NULL;
}

void xy_api_app(struct xy_api *api, struct xy_http_app *app)
{
	memset(app, 0, sizeof *app);
	app->arg = api;
	app->begin = api_begin;
	app->handle = api_handle;
	app->resume = api_resume;
	app->end = api_end;
}

/* ---- the route table ---- */

#define F(...) ((const char *const[]){__VA_ARGS__, NULL})

const struct xy_route xy_routes[] = {
	{"GET", "/healthz", XY_RT_PUBLIC | XY_RT_NOAUDIT, NULL, xy_api_healthz},
	{"GET", "/api/v1/roles", XY_RT_ANY_GATE, NULL, xy_api_roles},
	{"POST", "/api/v1/session", XY_RT_PUBLIC | XY_RT_SIGNIN | XY_RT_JSON,
	 F("account", "password", "otp", "challenge_id", "signature"), xy_api_session_create},
	{"GET", "/api/v1/session", XY_RT_ANY_GATE, NULL, xy_api_session_get},
	{"DELETE", "/api/v1/session", XY_RT_ANY_GATE, NULL, xy_api_session_delete},
	{"POST", "/api/v1/session/password", XY_RT_ANY_GATE | XY_RT_JSON,
	 F("old_password", "new_password"), xy_api_session_password},
	{"POST", "/api/v1/session/totp", XY_RT_GATE_2FA | XY_RT_GATE_ID, NULL, xy_api_session_totp},
	{"POST", "/api/v1/session/totp/confirm", XY_RT_GATE_2FA | XY_RT_GATE_ID | XY_RT_JSON,
	 F("code"), xy_api_session_totp_confirm},
	{"POST", "/api/v1/session/sm2", XY_RT_GATE_2FA | XY_RT_GATE_ID | XY_RT_JSON,
	 F("public_key"), xy_api_session_sm2},
	{"POST", "/api/v1/session/sm2/confirm", XY_RT_GATE_2FA | XY_RT_GATE_ID | XY_RT_JSON,
	 F("challenge_id", "signature"), xy_api_session_sm2_confirm},
	{"POST", "/api/v1/session/challenge", XY_RT_PUBLIC | XY_RT_SIGNIN | XY_RT_JSON,
	 F("account"), xy_api_session_challenge},
	{"POST", "/api/v1/session/identity", XY_RT_GATE_ID | XY_RT_JSON,
	 F("real_name", "id_number"), xy_api_session_identity},
	{"GET", "/api/v1/accounts", 0, NULL, xy_api_accounts_list},
	{"POST", "/api/v1/accounts", XY_RT_JSON,
	 F("name", "real_name", "id_number", "unit", "end_date"), xy_api_accounts_create},
	{"GET", "/api/v1/accounts/{}", 0, NULL, xy_api_account_get},
	{"POST", "/api/v1/accounts/{}/training", XY_RT_JSON, F("completed_on", "course"),
	 xy_api_account_training},
	{"POST", "/api/v1/accounts/{}/agreement", XY_RT_JSON, F("signed_on", "document"),
	 xy_api_account_agreement},
	{"POST", "/api/v1/accounts/{}/activate", 0, NULL, xy_api_account_activate},
	{"POST", "/api/v1/accounts/{}/disable", XY_RT_JSON, F("reason"), xy_api_account_disable},
	{"POST", "/api/v1/accounts/{}/enable", 0, NULL, xy_api_account_enable},
	{"POST", "/api/v1/accounts/{}/password-reset", 0, NULL, xy_api_account_reset},
	{"POST", "/api/v1/accounts/{}/second-factor-reset", 0, NULL, xy_api_account_factor_reset},
	{"POST", "/api/v1/accounts/{}/transfer", XY_RT_JSON, F("unit", "handover"),
	 xy_api_account_transfer},
	{"POST", "/api/v1/accounts/{}/leave", XY_RT_JSON, F("handover"), xy_api_account_leave},
	{"POST", "/api/v1/accounts/{}/leak-report", XY_RT_JSON | XY_RT_ANY_GATE, F("note"),
	 xy_api_account_leak},
	{"POST", "/api/v1/accounts/{}/roles", XY_RT_JSON, F("role"), xy_api_account_role_add},
	{"DELETE", "/api/v1/accounts/{}/roles/{}", 0, NULL, xy_api_account_role_remove},
	{"GET", "/api/v1/incidents", 0, NULL, xy_api_incidents},
	{"POST", "/api/v1/account-review", 0, NULL, xy_api_review_run},
	{"GET", "/api/v1/account-review", 0, NULL, xy_api_review_report},
	{"GET", "/api/v1/units", 0, NULL, xy_api_units_list},
	{"POST", "/api/v1/units", XY_RT_JSON, F("code", "name", "region", "kind", "provides"),
	 xy_api_units_create},
	{"GET", "/api/v1/units/{}", 0, NULL, xy_api_unit_get},
	{"PATCH", "/api/v1/units/{}", XY_RT_JSON, F("name", "provides_add", "provides_remove"),
	 xy_api_unit_update},
	{"GET", "/api/v1/regions", 0, NULL, xy_api_regions_list},
	{"POST", "/api/v1/regions", XY_RT_JSON, F("code", "name"), xy_api_regions_create},
	{"POST", "/api/v1/datasets/{}/batches", XY_RT_UPLOAD, NULL, xy_api_batches_create},
	{"GET", "/api/v1/purposes", XY_RT_CLIENT, NULL, xy_api_purposes},
	{"GET", "/api/v1/agreements", 0, NULL, xy_api_agreements_list},
	{"POST", "/api/v1/agreements", XY_RT_JSON,
	 F("unit", "datasets", "purposes", "valid_from", "valid_to", "document"),
	 xy_api_agreements_create},
	{"POST", "/api/v1/agreements/{}/end", XY_RT_JSON, F("reason"), xy_api_agreement_end},
	{"GET", "/api/v1/subjects", XY_RT_CLIENT, NULL, xy_api_subjects_search},
	{"GET", "/api/v1/subjects/{}", XY_RT_CLIENT, NULL, xy_api_subject_get},
	{"GET", "/api/v1/datasets/{}/records", XY_RT_CLIENT, NULL, xy_api_dataset_records},
	{"GET", "/api/v1/authorisations", 0, NULL, xy_api_auth_list},
	{"POST", "/api/v1/authorisations", XY_RT_JSON,
	 F("dataset", "provider", "purpose", "subjects", "all", "valid_from", "valid_to", "clear",
	   "clear_reason", "reason"),
	 xy_api_auth_create},
	{"GET", "/api/v1/authorisations/{}", 0, NULL, xy_api_auth_get},
	{"POST", "/api/v1/authorisations/{}/approve", XY_RT_JSON, F("note"), xy_api_auth_approve},
	{"POST", "/api/v1/authorisations/{}/reject", XY_RT_JSON, F("reason"), xy_api_auth_reject},
	{"POST", "/api/v1/authorisations/{}/revoke", XY_RT_JSON, F("reason"), xy_api_auth_revoke},
	{"GET", "/api/v1/clients", 0, NULL, xy_api_clients_list},
	{"POST", "/api/v1/clients", XY_RT_JSON,
	 F("unit", "name", "allow", "agreements", "rate", "daily_quota", "valid_to"),
	 xy_api_clients_create},
	{"GET", "/api/v1/clients/{}", 0, NULL, xy_api_client_get},
	{"POST", "/api/v1/clients/{}/revoke", XY_RT_JSON, F("reason"), xy_api_client_revoke},
	{"GET", "/api/v1/cases", 0, NULL, xy_api_cases_list},
	{"GET", "/api/v1/cases/{}", 0, NULL, xy_api_case_get},
	{"GET", "/api/v1/exports", 0, NULL, xy_api_exports_list},
	{"POST", "/api/v1/exports", XY_RT_JSON,
	 F("dataset", "unit", "subject", "purpose", "format", "reason"), xy_api_exports_create},
	{"GET", "/api/v1/exports/{}", 0, NULL, xy_api_export_get},
	{"POST", "/api/v1/exports/{}/approve", XY_RT_JSON, F("note"), xy_api_export_approve},
	{"POST", "/api/v1/exports/{}/reject", XY_RT_JSON, F("reason"), xy_api_export_reject},
	{"GET", "/api/v1/exports/{}/file", 0, NULL, xy_api_export_file},
	{"GET", "/api/v1/audit/events", 0, NULL, xy_api_audit_events},
	{"GET", "/api/v1/audit/anomalies", 0, NULL, xy_api_audit_anomalies},
	{"GET", "/api/v1/subjects/{}/viewers", 0, NULL, xy_api_subject_viewers},
	/* POR-5: the overdue report before {} (the id "overdue" is reserved). */
	{"GET", "/api/v1/sections", 0, NULL, xy_api_sections_list},
	{"POST", "/api/v1/sections", XY_RT_JSON,
	 F("id", "kind", "title", "body", "unit", "period_days"), xy_api_sections_create},
	{"GET", "/api/v1/sections/overdue", 0, NULL, xy_api_sections_overdue},
	{"GET", "/api/v1/sections/{}", 0, NULL, xy_api_section_get},
	{"PUT", "/api/v1/sections/{}", XY_RT_JSON,
	 F("kind", "title", "body", "unit", "period_days"), xy_api_section_update},
	{"DELETE", "/api/v1/sections/{}", 0, NULL, xy_api_section_remove},
};

const int xy_nroutes = (int)(sizeof xy_routes / sizeof *xy_routes);
