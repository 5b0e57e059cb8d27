/* /api/v1/session…: sign-in, who am I, sign-out, password, second factors,
 * identity (ACC-1..6). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/passpol.h"
#include "util/date.h"
#include "util/err.h"

void xy_api_healthz(struct xy_api_req *ar)
{
	xy_api_reply(ar, 200, json_pack("{s:s}", "status", "ok"));
}

void xy_api_roles(struct xy_api_req *ar)
{
	json_t *a = json_array();
	for (int i = 0; i < XY_ROLE__COUNT; i++)
		json_array_append_new(a,
				      json_pack("{s:s,s:s,s:b}", "role", xy_role_name(i), "name_zh",
						xy_role_zh(i), "business", xy_role_is_business(i)));
	xy_api_reply(ar, 200, json_pack("{s:o}", "roles", a));
}

void xy_api_session_create(struct xy_api_req *ar)
{
	struct xy_signin in = {0};
	struct xy_signin_result res;
	int bad = 0, rc;
	char cookie[320];

	in.account = xy_api_str(ar, "account", &bad);
	in.password = xy_api_str(ar, "password", &bad);
	in.otp = xy_api_str(ar, "otp", &bad);
	in.challenge_id = xy_api_str(ar, "challenge_id", &bad);
	in.signature = xy_api_str(ar, "signature", &bad);
	if (bad || !in.account || !in.password) {
		xy_api_error(ar, 400, "bad_request", "account and password (strings) are required");
		return;
	}
	rc = xy_session_signin(&ar->cx, &in, &res);
	if (rc == XY_EDENIED) {
		/* ACC-2/ACC-6: the same answer for every kind of wrong. */
		if (!strcmp(res.refusal, "second_factor_required"))
			xy_api_error(ar, 401, "second_factor_required",
				     "give the TOTP code (otp) or an SM2 signature");
		else
			xy_api_error(ar, 401, "invalid_credentials",
				     "the account or password is wrong");
		return;
	}
	if (rc) {
		xy_api_fail(ar, rc, NULL);
		return;
	}
	snprintf(cookie, sizeof cookie, "xy_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
		 res.token, ar->cx.svc->cfg.secure_cookies ? "; Secure" : "");
	memcpy(ar->rq->set_cookie[0], cookie, sizeof cookie);
	xy_api_reply(ar, 201,
		     json_pack("{s:s,s:s,s:o,s:b,s:b,s:b}", "token", res.token, "csrf_token",
			       res.csrf, "expires_at", xy_api_time(res.expires_us),
			       "must_change_password", res.must_change, "must_enroll_second_factor",
			       res.must_enroll, "must_record_identity", res.needs_identity));
	explicit_bzero(&res, sizeof res);
	explicit_bzero(cookie, sizeof cookie);
}

/* Written with the JSON writer: this is what every client checks, often. */
void xy_api_session_get(struct xy_api_req *ar)
{
	const struct xy_who *who = &ar->cx.who;
	struct xy_jw w;
	if (xy_svc_audit_read(&ar->cx, "session.read", NULL, "ok", NULL)) {
		xy_api_fail(ar, XY_EAUDIT, NULL);
		return;
	}
	xy_api_jw_begin(ar, &w);
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "account", who->account);
	xy_jw_kstr(&w, "real_name", who->real_name);
	xy_jw_key(&w, "unit");
	xy_jw_obj(&w);
	xy_jw_kstr(&w, "code", who->unit_code);
	xy_jw_kstr(&w, "name", who->unit_name);
	xy_jw_kstr(&w, "region", who->region);
	xy_jw_kstr(&w, "level", who->level == 1 ? "city" : "county");
	xy_jw_obj_end(&w);
	xy_jw_key(&w, "roles");
	xy_jw_arr(&w);
	for (int i = 0; i < XY_ROLE__COUNT; i++)
		if (who->roles & XY_ROLE_BIT(i))
			xy_jw_str(&w, xy_role_name(i));
	xy_jw_arr_end(&w);
	xy_jw_kstr(&w, "status", who->status);
	xy_jw_kbool(&w, "must_change_password", who->must_change);
	xy_jw_kbool(&w, "must_enroll_second_factor", who->must_enroll);
	xy_jw_kbool(&w, "must_record_identity", who->needs_identity);
	xy_jw_key(&w, "expires_at");
	xy_jw_time(&w, who->expires_us);
	xy_jw_key(&w, "idle_expires_at");
	xy_jw_time(&w, who->idle_until_us);
	xy_jw_obj_end(&w);
	xy_api_jw_end(ar, 200, &w);
}

void xy_api_session_delete(struct xy_api_req *ar)
{
	int rc = xy_session_signout(&ar->cx);
	if (rc) {
		xy_api_fail(ar, rc, NULL);
		return;
	}
	snprintf(ar->rq->set_cookie[0], sizeof ar->rq->set_cookie[0],
		 "xy_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	ar->rq->status = 204;
}

void xy_api_session_password(struct xy_api_req *ar)
{
	int bad = 0, rc;
	const char *old = xy_api_str(ar, "old_password", &bad);
	const char *nw = xy_api_str(ar, "new_password", &bad);
	const char *rule = NULL;
	char msg[400];
	if (bad || !old || !nw) {
		xy_api_error(ar, 400, "bad_request", "old_password and new_password are required");
		return;
	}
	rc = xy_session_change_password(&ar->cx, old, nw, &rule);
	if (rc == XY_EDENIED) {
		xy_api_error(ar, 403, "wrong_password", "the old password is wrong");
	} else if (rc == XY_EINVAL) {
		snprintf(msg, sizeof msg, "%s: %s", rule, xy_pwpolicy_explain(rule));
		xy_api_error(ar, 422,
			     !strcmp(rule, "password_reused") ? "password_reused" : "weak_password",
			     msg);
	} else if (rc) {
		xy_api_fail(ar, rc, NULL);
	} else {
		ar->rq->status = 204;
	}
}

void xy_api_session_totp(struct xy_api_req *ar)
{
	char secret[64], uri[512];
	struct xy_buf svg;
	int rc;
	xy_buf_init(&svg, 256 * 1024);
	rc = xy_session_totp_begin(&ar->cx, secret, sizeof secret, uri, sizeof uri, &svg);
	if (rc == XY_ECONFLICT)
		xy_api_error(ar, 409, "already_enrolled",
			     "a TOTP authenticator is enrolled; an administrator must reset it");
	else if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		xy_api_reply(ar, 201,
			     json_pack("{s:s,s:s,s:s}", "secret", secret, "otpauth_uri", uri,
				       "qr_svg", svg.p ? svg.p : ""));
	explicit_bzero(secret, sizeof secret);
	explicit_bzero(uri, sizeof uri);
	xy_buf_wipe(&svg); /* the QR code holds the secret */
	xy_buf_cleanup(&svg);
}

void xy_api_session_totp_confirm(struct xy_api_req *ar)
{
	int bad = 0, rc;
	const char *code = xy_api_str(ar, "code", &bad);
	if (bad || !code) {
		xy_api_error(ar, 400, "bad_request", "code is required");
		return;
	}
	rc = xy_session_totp_confirm(&ar->cx, code);
	if (rc == XY_EDENIED || rc == XY_EINVAL)
		xy_api_error(ar, 422, "wrong_code", "the code does not match");
	else if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 409, "no_enrolment", "start with POST /api/v1/session/totp");
	else if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		ar->rq->status = 204;
}

void xy_api_session_sm2(struct xy_api_req *ar)
{
	int bad = 0, rc;
	const char *pem = xy_api_str(ar, "public_key", &bad);
	char id[64], msg[256];
	if (bad || !pem) {
		xy_api_error(ar, 400, "bad_request", "public_key (PEM) is required");
		return;
	}
	rc = xy_session_sm2_begin(&ar->cx, pem, id, sizeof id, msg, sizeof msg);
	if (rc == XY_EINVAL)
		xy_api_error(ar, 422, "bad_public_key", "not an SM2 public key in PEM form");
	else if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		xy_api_reply(ar, 201, json_pack("{s:s,s:s}", "challenge_id", id, "message", msg));
}

void xy_api_session_sm2_confirm(struct xy_api_req *ar)
{
	int bad = 0, rc;
	const char *id = xy_api_str(ar, "challenge_id", &bad);
	const char *sig = xy_api_str(ar, "signature", &bad);
	if (bad || !id || !sig) {
		xy_api_error(ar, 400, "bad_request", "challenge_id and signature are required");
		return;
	}
	rc = xy_session_sm2_confirm(&ar->cx, id, sig);
	if (rc == XY_EDENIED)
		xy_api_error(ar, 422, "bad_signature",
			     "the signature does not verify, or the challenge is used or expired");
	else if (rc == XY_ENOTFOUND)
		xy_api_error(ar, 409, "no_enrolment", "start with POST /api/v1/session/sm2");
	else if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		ar->rq->status = 204;
}

void xy_api_session_challenge(struct xy_api_req *ar)
{
	int bad = 0, rc;
	const char *acct = xy_api_str(ar, "account", &bad);
	char id[64], msg[256];
	if (bad || !acct || !*acct || strlen(acct) >= XY_ACCOUNT_NAME_MAX) {
		xy_api_error(ar, 400, "bad_request", "account is required");
		return;
	}
	ar->cx.claimed = acct;
	rc = xy_session_challenge(&ar->cx, acct, id, sizeof id, msg, sizeof msg);
	if (rc)
		xy_api_fail(ar, rc, NULL);
	else
		xy_api_reply(ar, 201, json_pack("{s:s,s:s}", "challenge_id", id, "message", msg));
}

void xy_api_session_identity(struct xy_api_req *ar)
{
	int bad = 0, rc;
	const char *name = xy_api_str(ar, "real_name", &bad);
	const char *idn = xy_api_str(ar, "id_number", &bad);
	const char *why = NULL;
	if (bad) {
		xy_api_error(ar, 400, "bad_request", "real_name and id_number must be strings");
		return;
	}
	rc = xy_session_identity(&ar->cx, name, idn, &why);
	if (rc == XY_EEXISTS)
		xy_api_error(ar, 409, "identity_taken",
			     "another account holds this identity number (ACC-1)");
	else if (rc)
		xy_api_fail(ar, rc, why);
	else
		ar->rq->status = 204;
}
