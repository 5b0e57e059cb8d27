/* The life of an account, units and regions: see account.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/codes.h"
#include "crypto/password.h"
#include "crypto/seal.h"
#include "svc/account.h"
#include "svc/instance.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"
#include "util/utf8.h"

#define IDNUM_DOMAIN "account.id_number"

/* ---- validation ---- */

/* Account names: 3..32 of [a-z0-9._-], starting with a letter. */
static int valid_account_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 3 || n > 32 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* Free text (names, notes): valid UTF-8, no control characters but
 * line breaks when multiline, 1..max bytes. */

static int parse_date(const char *s, int32_t *d)
{
	return s && !xy_date_parse(s, strlen(s), d) ? 0 : XY_EINVAL;
}

/* ---- common steps ---- */

static void obj_account(char *out, size_t cap, const char *name)
{
	/* account names are [a-z0-9._-]: nothing to escape */
	snprintf(out, cap, "{\"account\":\"%s\"}", valid_account_name(name) ? name : "?");
}

static void resource_of(const struct xy_account *a, const struct xy_unit *u, struct xy_resource *r)
{
	xy_svc_unit_resource(u, r);
	r->account_id = a ? a->id : 0;
}

/* Loads the target account and its unit and asks the policy; refusals are
 * audited. */
static int target(struct xy_ctx *cx, const char *name, enum xy_action act, int role,
		  struct xy_account *a, struct xy_unit *u, const char **why)
{
	struct xy_resource r;
	struct xy_decision d;
	char obj[128];
	int rc;

	obj_account(obj, sizeof obj, name);
	if (!valid_account_name(name) ||
	    (rc = xy_store_account_by_name(cx->st, name, a)) == XY_ENOTFOUND) {
		*why = "no_such_account";
		rc = xy_svc_audit(cx, xy_action_name(act), obj, "refused", *why);
		return rc ? rc : XY_ENOTFOUND;
	}
	if (rc)
		return rc;
	xy_wipe(a->pw_hash, sizeof a->pw_hash);
	if ((rc = xy_store_unit_by_id(cx->st, a->unit_id, u)))
		return rc;
	resource_of(a, u, &r);
	r.role = role;
	xy_policy_decide(&cx->actor, act, &r, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, xy_action_name(act), obj, d.reason);
	}
	return 0;
}

static int view_of(struct xy_ctx *cx, const struct xy_account *a, const struct xy_unit *u,
		   struct xy_account_view *v)
{
	int64_t now = xy_now_us();
	v->a = *a;
	xy_wipe(v->a.pw_hash, sizeof v->a.pw_hash);
	v->unit = *u;
	snprintf(v->status, sizeof v->status, "%s",
		 a->locked_until > now && !strcmp(a->status, "active") ? "locked" : a->status);
	return xy_svc_roles(cx->st, a->id, &v->roles);
}

/* Re-reads the target inside a write transaction. */
static int begin_change(struct xy_ctx *cx, int64_t id, struct xy_account *a)
{
	int rc = xy_store_begin(cx->st);
	if (!rc && (rc = xy_store_account_by_id(cx->st, id, a)))
		xy_store_rollback(cx->st);
	return rc;
}

/* Writes a, its audit event, commits; drops cached session views. */
static int finish_change(struct xy_ctx *cx, struct xy_account *a, const char *action,
			 const char *object)
{
	int rc;
	if ((a && (rc = xy_store_account_update(cx->st, a))) ||
	    (rc = xy_svc_audit_tx(cx, action, object, "ok", NULL)) ||
	    (rc = xy_store_commit(cx->st))) {
		xy_store_rollback(cx->st);
		if (a)
			xy_wipe(a->pw_hash, sizeof a->pw_hash);
		return rc == XY_EEXISTS ? XY_ECONFLICT : XY_EAUDIT;
	}
	if (a)
		xy_wipe(a->pw_hash, sizeof a->pw_hash);
	xy_sessions_invalidate(cx->svc);
	return 0;
}

/* ---- creation ---- */

int xy_acct_create(struct xy_ctx *cx, const struct xy_account_req *in, struct xy_account_view *v,
		   char otp[XY_OTP_LEN + 1], const char **why)
{
	struct xy_account a, other;
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	char obj[256];
	int32_t end = XY_NO_DATE;
	int64_t now = xy_now_us();
	int rc;

	*why = NULL;
	otp[0] = 0;
	if (!valid_account_name(in->name)) {
		*why = "name";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(in->real_name, 96, 0)) {
		*why = "real_name";
		return XY_EINVAL;
	}
	if (!in->id_number || xy_idnum_check(in->id_number, strlen(in->id_number),
					     xy_date_yyyymmdd(xy_today())) != XY_CODE_OK) {
		*why = "id_number";
		return XY_EINVAL;
	}
	if (in->end_date && (parse_date(in->end_date, &end) || end < xy_today())) {
		*why = "end_date";
		return XY_EINVAL;
	}
	if (!in->unit || strlen(in->unit) > XY_UNIT_CODE_MAX ||
	    xy_store_unit_by_code(cx->st, in->unit, &u)) {
		*why = "unit";
		return XY_EINVAL;
	}
	snprintf(obj, sizeof obj, "{\"account\":\"%s\",\"unit\":\"%s\"}", in->name, u.code);
	resource_of(NULL, &u, &r);
	xy_policy_decide(&cx->actor, XY_ACT_ACCOUNT_CREATE, &r, now, &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "account.create", obj, d.reason);
	}
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "%s", in->name);
	snprintf(a.real_name, sizeof a.real_name, "%s", in->real_name);
	xy_blind_index(cx->sealer, IDNUM_DOMAIN, in->id_number, strlen(in->id_number),
		       a.idnum_bidx);
	a.has_idnum = 1;
	a.unit_id = u.id;
	snprintf(a.status, sizeof a.status, "pending"); /* ACC-7: active after the records */
	a.status_at = now;
	a.must_change = 1; /* ACC-3 */
	a.created_at = now;
	a.pw_changed_at = now;
	a.end_date = end;
	a.created_by = cx->who.account_id;
	a.training_on = a.agreement_on = XY_NO_DATE;
	if ((rc = xy_password_generate(otp)) ||
	    (rc = xy_password_hash(otp, strlen(otp), a.pw_hash)))
		goto wipe;
	if ((rc = xy_store_begin(cx->st)))
		goto wipe;
	rc = xy_store_account_by_idnum(cx->st, a.idnum_bidx, &other);
	if (rc != XY_ENOTFOUND) {
		xy_store_rollback(cx->st);
		if (rc)
			goto wipe;
		xy_wipe(other.pw_hash, sizeof other.pw_hash);
		*why = "identity_taken"; /* ACC-1: one account per person */
		rc = xy_svc_refuse(cx, "account.create", obj, *why);
		rc = rc == XY_EDENIED ? XY_ECONFLICT : rc;
		goto wipe;
	}
	if ((rc = xy_store_account_insert(cx->st, &a))) {
		xy_store_rollback(cx->st);
		if (rc == XY_EEXISTS) {
			*why = "name_taken";
			rc = xy_svc_refuse(cx, "account.create", obj, *why);
			rc = rc == XY_EDENIED ? XY_ECONFLICT : rc;
		}
		goto wipe;
	}
	if ((rc = xy_svc_seal_account(cx, "id_number", a.id, in->id_number, strlen(in->id_number),
				      a.idnum_sealed, sizeof a.idnum_sealed,
				      &a.idnum_sealed_len))) {
		xy_store_rollback(cx->st);
		goto wipe;
	}
	if ((rc = finish_change(cx, &a, "account.create", obj)))
		goto wipe;
	return view_of(cx, &a, &u, v);
wipe:
	xy_wipe(otp, XY_OTP_LEN + 1);
	xy_wipe(a.pw_hash, sizeof a.pw_hash);
	return rc;
}

int xy_acct_get(struct xy_ctx *cx, const char *name, struct xy_account_view *v, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128];
	int rc;
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_READ, -1, &a, &u, why)))
		return rc;
	if ((rc = view_of(cx, &a, &u, v)))
		return rc;
	obj_account(obj, sizeof obj, name);
	return xy_svc_audit_read(cx, "account.read", obj, "ok", NULL);
}

struct list_ctx {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_account_view *v);
	void *arg;
	int64_t last_id;
	int n;
};

static int list_one(void *arg, const struct xy_account *a)
{
	struct list_ctx *l = arg;
	struct xy_unit u;
	struct xy_resource r;
	struct xy_decision d;
	struct xy_account_view v;
	int rc;
	l->last_id = a->id;
	if ((rc = xy_store_unit_by_id(l->cx->st, a->unit_id, &u)))
		return rc;
	resource_of(a, &u, &r);
	xy_policy_decide(&l->cx->actor, XY_ACT_ACCOUNT_READ, &r, xy_now_us(), &d);
	if (!d.allow)
		return 0; /* outside the reader's jurisdiction: not listed */
	if ((rc = view_of(l->cx, a, &u, &v)))
		return rc;
	l->n++;
	return l->fn(l->arg, &v);
}

int xy_acct_list(struct xy_ctx *cx, int64_t after_id, int limit,
		 int (*fn)(void *arg, const struct xy_account_view *v), void *arg, const char **why)
{
	struct xy_decision d;
	struct list_ctx l = {cx, fn, arg, after_id, 0};
	char obj[96];
	int rc;
	xy_policy_decide(&cx->actor, XY_ACT_ACCOUNT_LIST, NULL, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "account.list", NULL, d.reason);
	}
	if ((rc = xy_store_account_list(cx->st, after_id, limit, list_one, &l)))
		return rc;
	snprintf(obj, sizeof obj, "{\"after\":%lld,\"returned\":%d}", (long long)after_id, l.n);
	return xy_svc_audit_read(cx, "account.list", obj, "ok", NULL);
}

/* ---- ACC-7: training, agreement, activation ---- */

int xy_acct_training(struct xy_ctx *cx, const char *name, const char *date, const char *note,
		     const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	int32_t d;
	char obj[128];
	int rc;
	if (parse_date(date, &d) || d > xy_today()) {
		*why = "completed_on";
		return XY_EINVAL;
	}
	if (note && *note && !xy_svc_valid_text(note, 200, 0)) {
		*why = "course";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)) ||
	    (rc = begin_change(cx, a.id, &a)))
		return rc;
	a.training_on = d;
	snprintf(a.training_note, sizeof a.training_note, "%s", note ? note : "");
	obj_account(obj, sizeof obj, name);
	return finish_change(cx, &a, "account.training", obj);
}

int xy_acct_agreement(struct xy_ctx *cx, const char *name, const char *date, const char *ref,
		      const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	int32_t d;
	char obj[128];
	int rc;
	if (parse_date(date, &d) || d > xy_today()) {
		*why = "signed_on";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(ref, 200, 0)) {
		*why = "document";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)) ||
	    (rc = begin_change(cx, a.id, &a)))
		return rc;
	a.agreement_on = d;
	snprintf(a.agreement_ref, sizeof a.agreement_ref, "%s", ref);
	obj_account(obj, sizeof obj, name);
	return finish_change(cx, &a, "account.agreement", obj);
}

static int set_status(struct xy_ctx *cx, struct xy_account *a, const char *status,
		      const char *reason)
{
	snprintf(a->status, sizeof a->status, "%s", status);
	snprintf(a->status_reason, sizeof a->status_reason, "%s", reason ? reason : "");
	a->status_at = xy_now_us();
	(void)cx;
	return 0;
}

int xy_acct_activate(struct xy_ctx *cx, const char *name, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128];
	int rc;
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)))
		return rc;
	obj_account(obj, sizeof obj, name);
	if (strcmp(a.status, "pending") != 0) {
		*why = "not_pending";
		rc = xy_svc_refuse(cx, "account.activate", obj, *why);
		return rc == XY_EDENIED ? XY_ECONFLICT : rc;
	}
	/* ACC-7: training and the signed confidentiality agreement first. */
	if (a.training_on == XY_NO_DATE || a.agreement_on == XY_NO_DATE) {
		*why = a.training_on == XY_NO_DATE ? "training_not_recorded"
						   : "agreement_not_recorded";
		rc = xy_svc_refuse(cx, "account.activate", obj, *why);
		return rc == XY_EDENIED ? XY_ECONFLICT : rc;
	}
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	set_status(cx, &a, "active", NULL);
	return finish_change(cx, &a, "account.activate", obj);
}

int xy_acct_disable(struct xy_ctx *cx, const char *name, const char *reason, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128];
	int rc;
	if (!xy_svc_valid_text(reason, 200, 0)) {
		*why = "reason";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)))
		return rc;
	obj_account(obj, sizeof obj, name);
	if (!strcmp(a.status, "left")) {
		*why = "account_left";
		return XY_ECONFLICT;
	}
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	set_status(cx, &a, "disabled", reason);
	if ((rc = finish_change(cx, &a, "account.disable", obj)))
		return rc;
	xy_sessions_end_account(cx->svc, a.id);
	return 0;
}

int xy_acct_enable(struct xy_ctx *cx, const char *name, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128];
	int rc;
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)))
		return rc;
	obj_account(obj, sizeof obj, name);
	if (strcmp(a.status, "disabled") != 0 &&
	    !(a.locked_until > xy_now_us() && !strcmp(a.status, "active"))) {
		*why = "not_disabled_or_locked";
		return XY_ECONFLICT;
	}
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	set_status(cx, &a, "active", NULL);
	a.locked_until = 0;
	a.fail_count = 0;
	a.fail_first_at = 0;
	if (a.end_date != XY_NO_DATE && a.end_date < xy_today()) {
		xy_store_rollback(cx->st);
		*why = "end_date_passed";
		return XY_ECONFLICT;
	}
	return finish_change(cx, &a, "account.enable", obj);
}

int xy_acct_reset_password(struct xy_ctx *cx, const char *name, char otp[XY_OTP_LEN + 1],
			   const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128], hash[XY_PASSWORD_HASH_MAX];
	int rc;
	otp[0] = 0;
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)))
		return rc;
	if (!strcmp(a.status, "left")) {
		*why = "account_left";
		return XY_ECONFLICT;
	}
	if ((rc = xy_password_generate(otp)) || (rc = xy_password_hash(otp, strlen(otp), hash)))
		goto out;
	if ((rc = begin_change(cx, a.id, &a)))
		goto out;
	if ((rc = xy_store_pwhist_add(cx->st, a.id, a.pw_hash, xy_now_us()))) {
		xy_store_rollback(cx->st);
		goto out;
	}
	memcpy(a.pw_hash, hash, sizeof hash);
	a.must_change = 1; /* ACC-3 */
	a.pw_changed_at = xy_now_us();
	obj_account(obj, sizeof obj, name);
	if ((rc = finish_change(cx, &a, "account.password_reset", obj)))
		goto out;
	xy_sessions_end_account(cx->svc, a.id);
out:
	xy_wipe(hash, sizeof hash);
	if (rc)
		xy_wipe(otp, XY_OTP_LEN + 1);
	return rc;
}

/* ACC-5: a person who lost their phone or key.  Their factors are removed
 * and their sessions end; at the next sign-in (password alone) the
 * enrolment gate lets them do nothing but enrol a new one.  Never for
 * oneself (the policy: nobody administers their own account). */
int xy_acct_reset_second_factor(struct xy_ctx *cx, const char *name, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128];
	int rc;
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_MANAGE, -1, &a, &u, why)))
		return rc;
	if (!strcmp(a.status, "left")) {
		*why = "account_left";
		return XY_ECONFLICT;
	}
	obj_account(obj, sizeof obj, name);
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	if (!a.totp_sealed_len && !a.totp_pending_len && !a.sm2_pub[0] && !a.sm2_pending[0]) {
		xy_store_rollback(cx->st);
		xy_wipe(a.pw_hash, sizeof a.pw_hash);
		*why = "no_second_factor";
		return XY_ECONFLICT;
	}
	a.totp_sealed_len = 0;
	a.totp_pending_len = 0;
	a.sm2_pub[0] = 0;
	a.sm2_pending[0] = 0;
	if ((rc = finish_change(cx, &a, "account.second_factor_reset", obj)))
		return rc;
	xy_sessions_end_account(cx->svc, a.id);
	return 0;
}

/* ---- ACC-8: transfer and leaving ---- */

int xy_acct_transfer(struct xy_ctx *cx, const char *name, const char *unit, const char *handover,
		     const char **why)
{
	struct xy_account a;
	struct xy_unit u, nu;
	struct xy_resource r;
	struct xy_decision d;
	char obj[256];
	long removed = 0;
	int64_t from;
	int rc;
	if (!xy_svc_valid_text(handover, XY_NOTE_MAX, 1)) {
		*why = "handover";
		return XY_EINVAL;
	}
	if (!unit || strlen(unit) > XY_UNIT_CODE_MAX || xy_store_unit_by_code(cx->st, unit, &nu)) {
		*why = "unit";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_TRANSFER, -1, &a, &u, why)))
		return rc;
	snprintf(obj, sizeof obj, "{\"account\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"}", a.name,
		 u.code, nu.code);
	resource_of(&a, &nu, &r); /* and the new unit must be in jurisdiction too */
	xy_policy_decide(&cx->actor, XY_ACT_ACCOUNT_TRANSFER, &r, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "account.transfer", obj, d.reason);
	}
	if (!strcmp(a.status, "left")) {
		*why = "account_left";
		return XY_ECONFLICT;
	}
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	from = a.unit_id;
	/* ACC-8: every permission goes; the new post's are granted afresh. */
	if ((rc = xy_store_role_remove_all(cx->st, a.id, &removed)) ||
	    (rc = xy_store_handover_add(cx->st, a.id, "transfer", from, nu.id, handover,
					cx->who.account_id, xy_now_us()))) {
		xy_store_rollback(cx->st);
		return rc;
	}
	a.unit_id = nu.id;
	if ((rc = finish_change(cx, &a, "account.transfer", obj)))
		return rc;
	xy_sessions_end_account(cx->svc, a.id);
	return 0;
}

int xy_acct_leave(struct xy_ctx *cx, const char *name, const char *handover, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[128];
	long removed = 0;
	int rc;
	if (!xy_svc_valid_text(handover, XY_NOTE_MAX, 1)) {
		*why = "handover";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ACCOUNT_LEAVE, -1, &a, &u, why)))
		return rc;
	if (!strcmp(a.status, "left")) {
		*why = "account_left";
		return XY_ECONFLICT;
	}
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	if ((rc = xy_store_role_remove_all(cx->st, a.id, &removed)) ||
	    (rc = xy_store_handover_add(cx->st, a.id, "leave", a.unit_id, 0, handover,
					cx->who.account_id, xy_now_us()))) {
		xy_store_rollback(cx->st);
		return rc;
	}
	set_status(cx, &a, "left", "left the post");
	obj_account(obj, sizeof obj, name);
	if ((rc = finish_change(cx, &a, "account.leave", obj)))
		return rc;
	xy_sessions_end_account(cx->svc, a.id); /* ACC-8: at once */
	return 0;
}

/* ---- ACC-9: a leaked password ---- */

int xy_acct_leak(struct xy_ctx *cx, const char *name, const char *note, struct xy_incident *inc,
		 const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[160];
	int rc;
	if (!xy_svc_valid_text(note, XY_NOTE_MAX, 1)) {
		*why = "note";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_LEAK_REPORT, -1, &a, &u, why)))
		return rc;
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	memset(inc, 0, sizeof *inc);
	snprintf(inc->kind, sizeof inc->kind, "password_leak");
	inc->account_id = a.id;
	inc->reported_by = cx->who.account_id;
	snprintf(inc->note, sizeof inc->note, "%s", note);
	inc->opened_at = xy_now_us();
	inc->report_due = inc->opened_at + 24LL * 3600 * 1000000; /* written report in 24 h */
	if ((rc = xy_store_incident_add(cx->st, inc))) {
		xy_store_rollback(cx->st);
		return rc;
	}
	if (strcmp(a.status, "left") != 0)
		set_status(cx, &a, "disabled", "password reported leaked");
	snprintf(obj, sizeof obj, "{\"account\":\"%s\",\"incident\":%lld}", a.name,
		 (long long)inc->id);
	if ((rc = finish_change(cx, &a, "account.leak_report", obj)))
		return rc;
	xy_sessions_end_account(cx->svc, a.id);
	return 0;
}

int xy_incident_list(struct xy_ctx *cx, int64_t after_id, int limit,
		     int (*fn)(void *arg, const struct xy_incident *in), void *arg,
		     const char **why)
{
	struct xy_decision d;
	int rc;
	xy_policy_decide(&cx->actor, XY_ACT_INCIDENT_READ, NULL, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "incident.list", NULL, d.reason);
	}
	if ((rc = xy_store_incident_each(cx->st, after_id, limit, fn, arg)))
		return rc;
	return xy_svc_audit_read(cx, "incident.list", NULL, "ok", NULL);
}

/* ---- roles (SOD-1..3) ---- */

int xy_acct_role_grant(struct xy_ctx *cx, const char *name, const char *role, const char **why,
		       const char **with)
{
	struct xy_account a;
	struct xy_unit u;
	uint32_t held;
	char obj[160];
	int id = xy_role_parse(role), other = -1, rc;

	*with = NULL;
	if (id < 0) {
		*why = "role";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ROLE_GRANT, id, &a, &u, why)))
		return rc;
	snprintf(obj, sizeof obj, "{\"account\":\"%s\",\"role\":\"%s\"}", a.name, xy_role_name(id));
	if (strcmp(a.status, "left") == 0) {
		*why = "account_left";
		return XY_ECONFLICT;
	}
	if ((rc = begin_change(cx, a.id, &a)))
		return rc;
	if ((rc = xy_svc_roles(cx->st, a.id, &held))) {
		xy_store_rollback(cx->st);
		return rc;
	}
	if (held & XY_ROLE_BIT(id)) {
		xy_store_rollback(cx->st);
		*why = "already_held";
		return XY_ECONFLICT;
	}
	/* SOD-1..3, checked here whoever asks, inside the transaction. */
	if (xy_roles_conflict(held, id, why, &other)) {
		xy_store_rollback(cx->st);
		*with = xy_role_name(other);
		rc = xy_svc_refuse(cx, "role.grant", obj, *why);
		return rc == XY_EDENIED ? XY_ECONFLICT : rc;
	}
	if ((rc = xy_store_role_add(cx->st, a.id, xy_role_name(id), u.region,
				    cx->who.account_id))) {
		xy_store_rollback(cx->st);
		return rc;
	}
	return finish_change(cx, NULL, "role.grant", obj);
}

int xy_acct_role_revoke(struct xy_ctx *cx, const char *name, const char *role, const char **why)
{
	struct xy_account a;
	struct xy_unit u;
	char obj[160];
	int id = xy_role_parse(role), rc;
	if (id < 0) {
		*why = "role";
		return XY_EINVAL;
	}
	if ((rc = target(cx, name, XY_ACT_ROLE_REVOKE, id, &a, &u, why)))
		return rc;
	snprintf(obj, sizeof obj, "{\"account\":\"%s\",\"role\":\"%s\"}", a.name, xy_role_name(id));
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	if ((rc = xy_store_role_remove(cx->st, a.id, xy_role_name(id)))) {
		xy_store_rollback(cx->st);
		if (rc == XY_ENOTFOUND)
			*why = "not_held";
		return rc;
	}
	return finish_change(cx, NULL, "role.revoke", obj);
}

/* ---- ACC-10: dormant and expired accounts ---- */

struct review {
	struct xy_ctx *cx;
	int run;
	int64_t ids[XY_PAGE_MAX];
	const char *reasons[XY_PAGE_MAX];
	int n;
	int64_t last;
	int (*fn)(void *arg, const struct xy_account_view *v);
	void *arg;
};

static int review_one(void *arg, const struct xy_account *a)
{
	struct review *rv = arg;
	int64_t now = xy_now_us();
	/* ACC-10: unused since the last sign-in, its creation, or the last time
	 * it was made active (activation, re-enabling), whichever is latest. */
	int64_t since = a->last_login_at > a->status_at ? a->last_login_at : a->status_at;
	if (a->created_at > since)
		since = a->created_at;
	const char *reason = NULL;
	rv->last = a->id;
	if (strcmp(a->status, "active") != 0 && strcmp(a->status, "pending") != 0)
		return 0;
	if (a->end_date != XY_NO_DATE && a->end_date < xy_today())
		reason = "expired";
	else if (now - since > (int64_t)rv->cx->svc->cfg.dormant_days * 86400LL * 1000000LL)
		reason = "dormant";
	if (reason && rv->n < XY_PAGE_MAX) {
		rv->ids[rv->n] = a->id;
		rv->reasons[rv->n] = reason;
		rv->n++;
	}
	return 0;
}

static int review_run(struct xy_ctx *cx, long *disabled)
{
	struct review rv;
	int rc;
	*disabled = 0;
	memset(&rv, 0, sizeof rv);
	rv.cx = cx;
	do {
		int64_t before = rv.last;
		rv.n = 0;
		if ((rc = xy_store_account_list(cx->st, rv.last, XY_PAGE_MAX, review_one, &rv)))
			return rc;
		for (int i = 0; i < rv.n; i++) {
			struct xy_account a;
			char obj[128];
			if ((rc = begin_change(cx, rv.ids[i], &a)))
				return rc;
			set_status(cx, &a, "disabled", rv.reasons[i]);
			obj_account(obj, sizeof obj, a.name);
			if (xy_store_account_update(cx->st, &a) ||
			    xy_svc_audit_tx(cx, "account.disable", obj, "ok", rv.reasons[i]) ||
			    xy_store_commit(cx->st)) {
				xy_store_rollback(cx->st);
				xy_wipe(a.pw_hash, sizeof a.pw_hash);
				return XY_EAUDIT;
			}
			xy_wipe(a.pw_hash, sizeof a.pw_hash);
			xy_sessions_end_account(cx->svc, a.id);
			(*disabled)++;
		}
		if (rv.last == before)
			break;
	} while (1);
	return 0;
}

struct report {
	struct xy_ctx *cx;
	int (*fn)(void *arg, const struct xy_account_view *v);
	void *arg;
	int64_t last;
};

static int report_one(void *arg, const struct xy_account *a)
{
	struct report *rp = arg;
	struct xy_unit u;
	struct xy_account_view v;
	int rc;
	rp->last = a->id;
	if (strcmp(a->status, "disabled") != 0 ||
	    (strcmp(a->status_reason, "expired") != 0 && strcmp(a->status_reason, "dormant") != 0))
		return 0;
	if ((rc = xy_store_unit_by_id(rp->cx->st, a->unit_id, &u)) ||
	    (rc = view_of(rp->cx, a, &u, &v)))
		return rc;
	return rp->fn(rp->arg, &v);
}

int xy_acct_review(struct xy_ctx *cx, int run,
		   int (*fn)(void *arg, const struct xy_account_view *v), void *arg, long *disabled,
		   const char **why)
{
	struct xy_decision d;
	struct report rp = {cx, fn, arg, 0};
	char obj[64];
	int rc;
	*disabled = 0;
	xy_policy_decide(&cx->actor, XY_ACT_ACCOUNT_REVIEW, NULL, xy_now_us(), &d);
	if (!d.allow || (run && !(cx->actor.roles & XY_ROLE_BIT(XY_ROLE_SECURITY_ADMIN)))) {
		*why = d.allow ? "run_needs_security_admin" : d.reason;
		return xy_svc_refuse(cx, run ? "account.review.run" : "account.review.report", NULL,
				     *why);
	}
	if (run && (rc = review_run(cx, disabled)))
		return rc;
	for (;;) {
		int64_t before = rp.last;
		if ((rc = xy_store_account_list(cx->st, rp.last, XY_PAGE_MAX, report_one, &rp)))
			return rc;
		if (rp.last == before)
			break;
	}
	snprintf(obj, sizeof obj, "{\"disabled\":%ld}", *disabled);
	return xy_svc_audit(cx, run ? "account.review.run" : "account.review.report", obj, "ok",
			    NULL);
}

int xy_acct_review_job(struct xy_service *svc, long *disabled)
{
	struct xy_ctx cx;
	int rc = xy_ctx_init(&cx, svc, "local", "maintenance");
	if (rc)
		return rc;
	cx.claimed = "system:account-review";
	rc = review_run(&cx, disabled);
	/* CRY-2: an account found tampered on the way raises its alarm here too. */
	int irc = xy_svc_integrity(&cx);
	return irc ? irc : rc;
}

/* ---- units and regions ---- */

static int valid_dataset(struct xy_ctx *cx, const char *ds)
{
	return ds && xy_catalog_dataset(cx->svc->inst->catalog, ds) != NULL;
}

int xy_unit_create(struct xy_ctx *cx, const struct xy_unit_new *in, struct xy_unit *out,
		   const char **why)
{
	struct xy_region reg;
	struct xy_resource r = {0};
	struct xy_decision d;
	char obj[160];
	int rc;

	if (!in->code || xy_uscc_check(in->code, strlen(in->code)) != XY_CODE_OK) {
		*why = "code";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(in->name, 200, 0)) {
		*why = "name";
		return XY_EINVAL;
	}
	if (!in->region || strlen(in->region) > XY_REGION_CODE_MAX ||
	    xy_store_region_get(cx->st, in->region, &reg)) {
		*why = "region";
		return XY_EINVAL;
	}
	if (!in->kind ||
	    (strcmp(in->kind, "member") != 0 && strcmp(in->kind, "credit_office") != 0)) {
		*why = "kind";
		return XY_EINVAL;
	}
	for (int i = 0; i < in->nprovides; i++)
		if (!valid_dataset(cx, in->provides[i])) {
			*why = "provides";
			return XY_EINVAL;
		}
	snprintf(obj, sizeof obj, "{\"unit\":\"%s\",\"region\":\"%s\"}", in->code, reg.code);
	r.region = reg.code;
	r.level = reg.level;
	xy_policy_decide(&cx->actor, XY_ACT_UNIT_MANAGE, &r, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "unit.create", obj, d.reason);
	}
	memset(out, 0, sizeof *out);
	snprintf(out->code, sizeof out->code, "%s", in->code);
	snprintf(out->name, sizeof out->name, "%s", in->name);
	snprintf(out->region, sizeof out->region, "%s", reg.code);
	snprintf(out->kind, sizeof out->kind, "%s", in->kind);
	out->level = reg.level;
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	if ((rc = xy_store_unit_add(cx->st, out))) {
		xy_store_rollback(cx->st);
		if (rc == XY_EEXISTS) {
			*why = "code_taken";
			return XY_ECONFLICT;
		}
		return rc;
	}
	for (int i = 0; i < in->nprovides; i++)
		if ((rc = xy_store_unit_provides_add(cx->st, out->id, in->provides[i]))) {
			xy_store_rollback(cx->st);
			return rc;
		}
	return finish_change(cx, NULL, "unit.create", obj);
}

int xy_unit_get(struct xy_ctx *cx, const char *code, struct xy_unit *out, const char **why)
{
	struct xy_decision d;
	xy_policy_decide(&cx->actor, XY_ACT_UNIT_READ, NULL, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "unit.read", NULL, d.reason);
	}
	if (!code || strlen(code) > XY_UNIT_CODE_MAX || xy_store_unit_by_code(cx->st, code, out)) {
		*why = "no_such_unit";
		return XY_ENOTFOUND;
	}
	{
		char obj[96];
		snprintf(obj, sizeof obj, "{\"unit\":\"%s\"}", out->code);
		return xy_svc_audit_read(cx, "unit.read", obj, "ok", NULL);
	}
}

int xy_unit_list(struct xy_ctx *cx, int64_t after_id, int limit,
		 int (*fn)(void *arg, const struct xy_unit *u), void *arg, const char **why)
{
	struct xy_decision d;
	int rc;
	xy_policy_decide(&cx->actor, XY_ACT_UNIT_READ, NULL, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "unit.list", NULL, d.reason);
	}
	if ((rc = xy_store_unit_list(cx->st, after_id, limit, fn, arg)))
		return rc;
	return xy_svc_audit_read(cx, "unit.list", NULL, "ok", NULL);
}

int xy_unit_datasets(struct xy_ctx *cx, int64_t unit_id, int (*fn)(void *arg, const char *ds),
		     void *arg)
{
	return xy_store_unit_datasets(cx->st, unit_id, fn, arg);
}

int xy_unit_update(struct xy_ctx *cx, const char *code, const char *name, const char *const *add,
		   int nadd, const char *const *remove, int nremove, const char **why)
{
	struct xy_unit u;
	struct xy_resource r = {0};
	struct xy_decision d;
	char obj[128];
	int rc;
	if (!code || strlen(code) > XY_UNIT_CODE_MAX || xy_store_unit_by_code(cx->st, code, &u)) {
		*why = "no_such_unit";
		return XY_ENOTFOUND;
	}
	if (name && !xy_svc_valid_text(name, 200, 0)) {
		*why = "name";
		return XY_EINVAL;
	}
	for (int i = 0; i < nadd; i++)
		if (!valid_dataset(cx, add[i])) {
			*why = "provides_add";
			return XY_EINVAL;
		}
	snprintf(obj, sizeof obj, "{\"unit\":\"%s\"}", u.code);
	r.unit_id = u.id;
	r.region = u.region;
	r.level = u.level;
	xy_policy_decide(&cx->actor, XY_ACT_UNIT_MANAGE, &r, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "unit.update", obj, d.reason);
	}
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	if (name && (rc = xy_store_unit_rename(cx->st, u.id, name)))
		goto fail;
	for (int i = 0; i < nadd; i++)
		if ((rc = xy_store_unit_provides_add(cx->st, u.id, add[i])))
			goto fail;
	for (int i = 0; i < nremove; i++)
		if ((rc = xy_store_unit_provides_remove(cx->st, u.id, remove[i])) &&
		    rc != XY_ENOTFOUND)
			goto fail;
	return finish_change(cx, NULL, "unit.update", obj);
fail:
	xy_store_rollback(cx->st);
	return rc;
}

int xy_region_create(struct xy_ctx *cx, const char *code, const char *name, const char **why)
{
	struct xy_region reg, city;
	struct xy_decision d;
	char obj[96];
	int rc;
	if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6) {
		*why = "code";
		return XY_EINVAL;
	}
	if (!xy_svc_valid_text(name, 120, 0)) {
		*why = "name";
		return XY_EINVAL;
	}
	snprintf(obj, sizeof obj, "{\"region\":\"%s\"}", code);
	xy_policy_decide(&cx->actor, XY_ACT_REGION_MANAGE, NULL, xy_now_us(), &d);
	if (!d.allow) {
		*why = d.reason;
		return xy_svc_refuse(cx, "region.create", obj, d.reason);
	}
	if ((rc = xy_store_region_get(cx->st, cx->svc->inst->city_code, &city)))
		return rc;
	if (strncmp(code, city.code, 4) != 0) {
		*why = "not_in_city"; /* a county's code starts with its city's */
		return XY_EINVAL;
	}
	memset(&reg, 0, sizeof reg);
	snprintf(reg.code, sizeof reg.code, "%s", code);
	snprintf(reg.name, sizeof reg.name, "%s", name);
	reg.level = XY_LEVEL_COUNTY;
	snprintf(reg.parent, sizeof reg.parent, "%s", city.code);
	if ((rc = xy_store_begin(cx->st)))
		return rc;
	if ((rc = xy_store_region_add(cx->st, &reg))) {
		xy_store_rollback(cx->st);
		if (rc == XY_EEXISTS) {
			*why = "code_taken";
			return XY_ECONFLICT;
		}
		return rc;
	}
	return finish_change(cx, NULL, "region.create", obj);
}

int xy_region_list(struct xy_ctx *cx, int (*fn)(void *arg, const struct xy_region *r), void *arg)
{
	struct xy_decision d;
	int rc;
	/* Regions are read under the same rule as units (ACC-11: a role first). */
	xy_policy_decide(&cx->actor, XY_ACT_UNIT_READ, NULL, xy_now_us(), &d);
	if (!d.allow)
		return xy_svc_refuse(cx, "region.list", NULL, d.reason);
	rc = xy_store_region_each(cx->st, fn, arg);
	return rc ? rc : xy_svc_audit_read(cx, "region.list", NULL, "ok", NULL);
}
