/* /api/v1/accounts…, /api/v1/incidents, /api/v1/account-review: the life
 * of an account (ACC-1, ACC-7..11, SOD-1..3). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "svc/account.h"
#include "util/err.h"

static json_t *account_json(const struct xy_account_view *v)
{
	json_t *roles = json_array();
	for (int i = 0; i < XY_ROLE__COUNT; i++)
		if (v->roles & XY_ROLE_BIT(i))
			json_array_append_new(roles, json_string(xy_role_name(i)));
	/* The identity number never leaves in clear: only whether it is held. */
	return json_pack(
		"{s:s,s:s,s:b,s:{s:s,s:s,s:s},s:o,s:s,s:s*,s:o,s:o,s:o,s:o,s:o,s:s*,"
		"s:b,s:b,s:b}",
		"account", v->a.name, "real_name", v->a.real_name, "identity_recorded",
		v->a.has_idnum, "unit", "code", v->unit.code, "name", v->unit.name, "region",
		v->unit.region, "roles", roles, "status", v->status, "status_reason",
		v->a.status_reason[0] ? v->a.status_reason : NULL, "end_date",
		xy_api_date(v->a.end_date), "created_at", xy_api_time(v->a.created_at),
		"last_login_at", xy_api_time(v->a.last_login_at), "training_on",
		xy_api_date(v->a.training_on), "agreement_on", xy_api_date(v->a.agreement_on),
		"agreement_document", v->a.agreement_ref[0] ? v->a.agreement_ref : NULL,
		"must_change_password", v->a.must_change, "totp_enrolled", v->a.totp_sealed_len > 0,
		"sm2_enrolled", v->a.sm2_pub[0] != 0);
}

/* 1 when every value of the body (if any) is a string or null. */
static int strings_only(json_t *body)
{
	const char *k;
	json_t *v;
	if (!body)
		return 1;
	json_object_foreach (body, k, v) {
		if (!json_is_string(v) && !json_is_null(v))
			return 0;
	}
	return 1;
}

static int bad_body(struct xy_api_req *ar, int bad)
{
	if (bad)
		xy_api_error(ar, 400, "bad_request", "every field must be a string");
	return bad;
}

void xy_api_accounts_create(struct xy_api_req *ar)
{
	struct xy_account_req in;
	struct xy_account_view v;
	char otp[XY_OTP_LEN + 1];
	const char *why = NULL;
	int bad = 0, rc;
	in.name = xy_api_str(ar, "name", &bad);
	in.real_name = xy_api_str(ar, "real_name", &bad);
	in.id_number = xy_api_str(ar, "id_number", &bad);
	in.unit = xy_api_str(ar, "unit", &bad);
	in.end_date = xy_api_str(ar, "end_date", &bad);
	if (bad_body(ar, bad))
		return;
	rc = xy_acct_create(&ar->cx, &in, &v, otp, &why);
	if (rc == XY_ECONFLICT && why)
		xy_api_error(ar, 409, why,
			     !strcmp(why, "identity_taken")
				     ? "another account holds this identity number (ACC-1)"
				     : "the account name is taken");
	else if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 201,
			     json_pack("{s:o,s:s}", "account", account_json(&v),
				       "one_time_password", otp));
	explicit_bzero(otp, sizeof otp);
}

void xy_api_account_get(struct xy_api_req *ar)
{
	struct xy_account_view v;
	const char *why = NULL;
	int rc = xy_acct_get(&ar->cx, ar->param[0], &v, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 200, account_json(&v));
}

struct list_out {
	json_t *items;
	int64_t last;
};

static int list_add(void *arg, const struct xy_account_view *v)
{
	struct list_out *l = arg;
	json_array_append_new(l->items, account_json(v));
	l->last = v->a.id;
	return 0;
}

void xy_api_accounts_list(struct xy_api_req *ar)
{
	struct list_out l = {json_array(), 0};
	const char *why = NULL;
	int64_t after;
	int limit, rc;
	if (xy_api_page(ar, &after, &limit)) {
		json_decref(l.items);
		xy_api_error(ar, 400, "bad_request",
			     "after and limit are whole numbers (limit 1-500)");
		return;
	}
	rc = xy_acct_list(&ar->cx, after, limit, list_add, &l, &why);
	if (rc) {
		json_decref(l.items);
		xy_api_fail(ar, rc, why);
		return;
	}
	/* The cursor is the last id looked at (items outside the reader's
	 * jurisdiction are skipped, not counted). */
	xy_api_reply(ar, 200,
		     json_pack("{s:o,s:o}", "items", l.items, "next",
			       json_array_size(l.items) ? json_integer(l.last) : json_null()));
}

#define SIMPLE(fn_name, call)                                   \
	void fn_name(struct xy_api_req *ar)                     \
	{                                                       \
		const char *why = NULL;                         \
		int bad = !strings_only(ar->body), rc;          \
		if (bad_body(ar, bad))                          \
			return; /* before any change is made */ \
		rc = call;                                      \
		if (rc)                                         \
			xy_api_fail(ar, rc, why);               \
		else                                            \
			ar->rq->status = 204;                   \
	}

static const char *s(struct xy_api_req *ar, const char *k, int *bad)
{
	return xy_api_str(ar, k, bad);
}

SIMPLE(xy_api_account_training, xy_acct_training(&ar->cx, ar->param[0], s(ar, "completed_on", &bad),
						 s(ar, "course", &bad), &why))
SIMPLE(xy_api_account_agreement, xy_acct_agreement(&ar->cx, ar->param[0], s(ar, "signed_on", &bad),
						   s(ar, "document", &bad), &why))
SIMPLE(xy_api_account_activate, xy_acct_activate(&ar->cx, ar->param[0], &why))
SIMPLE(xy_api_account_disable, xy_acct_disable(&ar->cx, ar->param[0], s(ar, "reason", &bad), &why))
SIMPLE(xy_api_account_enable, xy_acct_enable(&ar->cx, ar->param[0], &why))
SIMPLE(xy_api_account_transfer,
       xy_acct_transfer(&ar->cx, ar->param[0], s(ar, "unit", &bad), s(ar, "handover", &bad), &why))
SIMPLE(xy_api_account_leave, xy_acct_leave(&ar->cx, ar->param[0], s(ar, "handover", &bad), &why))
SIMPLE(xy_api_account_role_remove, xy_acct_role_revoke(&ar->cx, ar->param[0], ar->param[1], &why))

void xy_api_account_reset(struct xy_api_req *ar)
{
	char otp[XY_OTP_LEN + 1];
	const char *why = NULL;
	int rc = xy_acct_reset_password(&ar->cx, ar->param[0], otp, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 200, json_pack("{s:s}", "one_time_password", otp));
	explicit_bzero(otp, sizeof otp);
}

void xy_api_account_factor_reset(struct xy_api_req *ar)
{
	const char *why = NULL;
	int rc = xy_acct_reset_second_factor(&ar->cx, ar->param[0], &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}

void xy_api_account_leak(struct xy_api_req *ar)
{
	struct xy_incident inc;
	const char *why = NULL;
	int bad = 0, rc;
	const char *note = xy_api_str(ar, "note", &bad);
	if (bad_body(ar, bad))
		return;
	rc = xy_acct_leak(&ar->cx, ar->param[0], note, &inc, &why);
	if (rc)
		xy_api_fail(ar, rc, why);
	else
		xy_api_reply(ar, 201,
			     json_pack("{s:I,s:s,s:o,s:o}", "incident", (json_int_t)inc.id, "kind",
				       inc.kind, "opened_at", xy_api_time(inc.opened_at),
				       "report_due", xy_api_time(inc.report_due)));
}

void xy_api_account_role_add(struct xy_api_req *ar)
{
	const char *why = NULL, *with = NULL;
	int bad = 0, rc;
	const char *role = xy_api_str(ar, "role", &bad);
	char msg[200];
	if (bad_body(ar, bad))
		return;
	rc = xy_acct_role_grant(&ar->cx, ar->param[0], role, &why, &with);
	if (rc == XY_ECONFLICT && with) {
		snprintf(msg, sizeof msg, "%s: %s may not be held together with %s", why,
			 role ? role : "?", with);
		xy_api_error(ar, 409, "role_conflict", msg);
	} else if (rc) {
		xy_api_fail(ar, rc, why);
	} else {
		ar->rq->status = 204;
	}
}

static int incident_add(void *arg, const struct xy_incident *in)
{
	json_array_append_new(arg, json_pack("{s:I,s:s,s:I,s:s,s:o,s:o,s:o}", "incident",
					     (json_int_t)in->id, "kind", in->kind, "account_id",
					     (json_int_t)in->account_id, "note", in->note,
					     "opened_at", xy_api_time(in->opened_at), "report_due",
					     xy_api_time(in->report_due), "closed_at",
					     xy_api_time(in->closed_at)));
	return 0;
}

void xy_api_incidents(struct xy_api_req *ar)
{
	json_t *items = json_array();
	const char *why = NULL;
	int64_t after;
	int limit, rc;
	if (xy_api_page(ar, &after, &limit)) {
		json_decref(items);
		xy_api_error(ar, 400, "bad_request", "after and limit are whole numbers");
		return;
	}
	rc = xy_incident_list(&ar->cx, after, limit, incident_add, items, &why);
	if (rc) {
		json_decref(items);
		xy_api_fail(ar, rc, why);
		return;
	}
	xy_api_reply(ar, 200, json_pack("{s:o}", "items", items));
}

static int review_add(void *arg, const struct xy_account_view *v)
{
	json_array_append_new(arg, account_json(v));
	return 0;
}

static void review(struct xy_api_req *ar, int run)
{
	json_t *items = json_array();
	const char *why = NULL;
	long disabled = 0;
	int rc = xy_acct_review(&ar->cx, run, review_add, items, &disabled, &why);
	if (rc) {
		json_decref(items);
		xy_api_fail(ar, rc, why);
		return;
	}
	xy_api_reply(
		ar, 200,
		json_pack("{s:I,s:o}", "disabled_now", (json_int_t)disabled, "accounts", items));
}

void xy_api_review_run(struct xy_api_req *ar)
{
	review(ar, 1);
}

void xy_api_review_report(struct xy_api_req *ar)
{
	review(ar, 0);
}
