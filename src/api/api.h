/* The JSON API under /api/v1: one router, one error table, and a file per
 * resource (api_session.c, api_accounts.c, api_units.c).  Handlers parse
 * JSON, call one svc function, render JSON.  No rules here: access is the
 * policy decision's, inside svc. */
#ifndef XY_API_API_H
#define XY_API_API_H

#include <jansson.h>

#include "http/server.h"
#include "util/jw.h"
#include "svc/service.h"

struct xy_api;

struct xy_api_opts {
	double rate_per_addr, rate_per_account, signin_per_minute;
	unsigned long long body_max;
};

/* Route flags. */
enum {
	XY_RT_PUBLIC = 1 << 0,	 /* no session needed */
	XY_RT_SIGNIN = 1 << 1,	 /* sign-in limiter (per address, before hashing) */
	XY_RT_GATE_PW = 1 << 2,	 /* allowed while the password must change (ACC-3) */
	XY_RT_GATE_2FA = 1 << 3, /* allowed while a second factor must be enrolled */
	XY_RT_GATE_ID = 1 << 4,	 /* allowed while the identity is missing (ACC-1) */
	XY_RT_JSON = 1 << 5,	 /* has a JSON object body */
	XY_RT_UPLOAD = 1 << 6,	 /* a file body, spooled to disk (batches) */
	XY_RT_NOAUDIT = 1 << 7,	 /* the liveness probe: no data, no account, no event */
	XY_RT_CLIENT = 1 << 8,	 /* open to machine clients (SHR-6): the query endpoints */
};

#define XY_RT_ANY_GATE (XY_RT_GATE_PW | XY_RT_GATE_2FA | XY_RT_GATE_ID)
#define XY_API_PARAMS  2

struct xy_api_req {
	struct xy_http_req *rq;
	struct xy_ctx cx;
	json_t *body;			/* the request object (XY_RT_JSON) */
	char param[XY_API_PARAMS][128]; /* {name} segments in order */
	const struct xy_route *route;
	struct xy_api *api;
	char *upload_path; /* the spooled upload, removed at the end */
	int audit_rc;	   /* a deferred event's outcome (writer thread) */
};

struct xy_route {
	const char *method;
	const char *pattern; /* "/api/v1/accounts/{}/roles/{}" */
	int flags;
	const char *const *fields; /* allowed body fields, NULL-terminated */
	void (*fn)(struct xy_api_req *ar);
};

int xy_api_new(struct xy_service *svc, const struct xy_api_opts *o, struct xy_api **out);
void xy_api_free(struct xy_api *api);
/* The callbacks for xy_http_start. */
void xy_api_app(struct xy_api *api, struct xy_http_app *app);

/* Matches a path against a pattern; 1 and the {} segments in params. */
int xy_api_match(const char *pattern, const char *path, char params[XY_API_PARAMS][128]);
/* Finds a route; *path_known is set when the path exists for another
 * method (405). */
const struct xy_route *xy_api_route(const char *method, const char *path,
				    char params[XY_API_PARAMS][128], int *path_known);
/* Nesting depth of a JSON text (strings skipped); stops counting past max. */
int xy_json_depth(const char *p, size_t n, int max);

/* ---- for the resource files ---- */

/* Renders obj (stolen) as the response with status. */
void xy_api_reply(struct xy_api_req *ar, int status, json_t *obj);
/* The same written with the JSON writer (hot paths): begin resets the
 * answer and points w at it; end sets the status, or answers 500 when the
 * writer failed. */
void xy_api_jw_begin(struct xy_api_req *ar, struct xy_jw *w);
void xy_api_jw_end(struct xy_api_req *ar, int status, struct xy_jw *w);
/* An error answer: status, code, message. */
void xy_api_error(struct xy_api_req *ar, int status, const char *code, const char *msg);
/* The answer for an svc error rc with its reason/field why. */
void xy_api_fail(struct xy_api_req *ar, int rc, const char *why);
/* A string field of the body, or NULL (absent or JSON null); *bad set when
 * present with another type. */
const char *xy_api_str(struct xy_api_req *ar, const char *key, int *bad);
/* The paging query: ?after=ID&limit=N (default 100, at most XY_PAGE_MAX). */
int xy_api_page(struct xy_api_req *ar, int64_t *after, int *limit);
/* ?before=ID&limit=N for newest-first lists (before 0: from the newest;
 * limit 1..XY_PAGE_MAX, default 100): 0 or XY_EINVAL. */
int xy_api_before_page(struct xy_api_req *ar, int64_t *before, int *limit);
json_t *xy_api_time(int64_t us);
json_t *xy_api_date(int32_t days);

extern const struct xy_route xy_routes[];
extern const int xy_nroutes;

/* Handlers (one file per resource). */
void xy_api_healthz(struct xy_api_req *ar);
void xy_api_cases_list(struct xy_api_req *ar);
void xy_api_case_get(struct xy_api_req *ar);
void xy_api_roles(struct xy_api_req *ar);
void xy_api_session_create(struct xy_api_req *ar);
void xy_api_session_get(struct xy_api_req *ar);
void xy_api_session_delete(struct xy_api_req *ar);
void xy_api_session_password(struct xy_api_req *ar);
void xy_api_session_totp(struct xy_api_req *ar);
void xy_api_session_totp_confirm(struct xy_api_req *ar);
void xy_api_session_sm2(struct xy_api_req *ar);
void xy_api_session_sm2_confirm(struct xy_api_req *ar);
void xy_api_session_challenge(struct xy_api_req *ar);
void xy_api_session_identity(struct xy_api_req *ar);
void xy_api_accounts_list(struct xy_api_req *ar);
void xy_api_accounts_create(struct xy_api_req *ar);
void xy_api_account_get(struct xy_api_req *ar);
void xy_api_account_training(struct xy_api_req *ar);
void xy_api_account_agreement(struct xy_api_req *ar);
void xy_api_account_activate(struct xy_api_req *ar);
void xy_api_account_disable(struct xy_api_req *ar);
void xy_api_account_enable(struct xy_api_req *ar);
void xy_api_account_reset(struct xy_api_req *ar);
void xy_api_account_factor_reset(struct xy_api_req *ar);
void xy_api_account_transfer(struct xy_api_req *ar);
void xy_api_account_leave(struct xy_api_req *ar);
void xy_api_account_leak(struct xy_api_req *ar);
void xy_api_account_role_add(struct xy_api_req *ar);
void xy_api_account_role_remove(struct xy_api_req *ar);
void xy_api_incidents(struct xy_api_req *ar);
void xy_api_review_run(struct xy_api_req *ar);
void xy_api_review_report(struct xy_api_req *ar);
void xy_api_units_list(struct xy_api_req *ar);
void xy_api_units_create(struct xy_api_req *ar);
void xy_api_unit_get(struct xy_api_req *ar);
void xy_api_unit_update(struct xy_api_req *ar);
void xy_api_regions_list(struct xy_api_req *ar);
void xy_api_regions_create(struct xy_api_req *ar);
void xy_api_batches_create(struct xy_api_req *ar);
void xy_api_purposes(struct xy_api_req *ar);
void xy_api_agreements_create(struct xy_api_req *ar);
void xy_api_agreements_list(struct xy_api_req *ar);
void xy_api_agreement_end(struct xy_api_req *ar);
void xy_api_subject_get(struct xy_api_req *ar);
void xy_api_subjects_search(struct xy_api_req *ar);
void xy_api_dataset_records(struct xy_api_req *ar);
void xy_api_auth_list(struct xy_api_req *ar);
void xy_api_auth_create(struct xy_api_req *ar);
void xy_api_auth_get(struct xy_api_req *ar);
void xy_api_auth_approve(struct xy_api_req *ar);
void xy_api_auth_reject(struct xy_api_req *ar);
void xy_api_auth_revoke(struct xy_api_req *ar);
void xy_api_clients_create(struct xy_api_req *ar);
void xy_api_clients_list(struct xy_api_req *ar);
void xy_api_client_get(struct xy_api_req *ar);
void xy_api_client_revoke(struct xy_api_req *ar);
void xy_api_exports_create(struct xy_api_req *ar);
void xy_api_exports_list(struct xy_api_req *ar);
void xy_api_export_get(struct xy_api_req *ar);
void xy_api_export_approve(struct xy_api_req *ar);
void xy_api_export_reject(struct xy_api_req *ar);
void xy_api_export_file(struct xy_api_req *ar);
void xy_api_audit_events(struct xy_api_req *ar);
void xy_api_audit_anomalies(struct xy_api_req *ar);
void xy_api_subject_viewers(struct xy_api_req *ar);
void xy_api_sections_list(struct xy_api_req *ar);
void xy_api_sections_create(struct xy_api_req *ar);
void xy_api_sections_overdue(struct xy_api_req *ar);
void xy_api_section_get(struct xy_api_req *ar);
void xy_api_section_update(struct xy_api_req *ar);
void xy_api_section_remove(struct xy_api_req *ar);

#endif
