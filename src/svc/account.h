/* The life of an account (ACC-1, ACC-7..11, SOD-1..3) and the units and
 * regions the credit office manages.  Every function asks the policy
 * decision first, audits refusals through the group writer, and commits a
 * change together with its audit event. */
#ifndef XY_SVC_ACCOUNT_H
#define XY_SVC_ACCOUNT_H

#include "svc/service.h"

struct xy_account_view {
	struct xy_account a;
	struct xy_unit unit;
	uint32_t roles;
	char status[12]; /* status now ("locked" while a lock-out lasts) */
};

struct xy_account_req {
	const char *name, *real_name, *id_number, *unit, *end_date; /* end_date may be NULL */
};

/* Each may answer XY_EDENIED (policy; *why the reason), XY_ENOTFOUND,
 * XY_EINVAL (*why names the field), XY_ECONFLICT (*why), XY_EAUDIT. */
int xy_acct_create(struct xy_ctx *cx, const struct xy_account_req *in, struct xy_account_view *v,
		   char otp[XY_OTP_LEN + 1], const char **why);
int xy_acct_get(struct xy_ctx *cx, const char *name, struct xy_account_view *v, const char **why);
int xy_acct_list(struct xy_ctx *cx, int64_t after_id, int limit,
		 int (*fn)(void *arg, const struct xy_account_view *v), void *arg,
		 const char **why);
int xy_acct_training(struct xy_ctx *cx, const char *name, const char *date, const char *note,
		     const char **why);
int xy_acct_agreement(struct xy_ctx *cx, const char *name, const char *date, const char *ref,
		      const char **why);
int xy_acct_activate(struct xy_ctx *cx, const char *name, const char **why);
int xy_acct_disable(struct xy_ctx *cx, const char *name, const char *reason, const char **why);
int xy_acct_enable(struct xy_ctx *cx, const char *name, const char **why);
/* ACC-5: removes an account's second factors (lost phone or key);
 * XY_ECONFLICT "no_second_factor" when there is none. */
int xy_acct_reset_second_factor(struct xy_ctx *cx, const char *name, const char **why);
int xy_acct_reset_password(struct xy_ctx *cx, const char *name, char otp[XY_OTP_LEN + 1],
			   const char **why);
int xy_acct_transfer(struct xy_ctx *cx, const char *name, const char *unit, const char *handover,
		     const char **why);
int xy_acct_leave(struct xy_ctx *cx, const char *name, const char *handover, const char **why);
int xy_acct_leak(struct xy_ctx *cx, const char *name, const char *note, struct xy_incident *inc,
		 const char **why);
/* SOD-1..3: XY_ECONFLICT with *why = "SOD-1"… and *with the held role. */
int xy_acct_role_grant(struct xy_ctx *cx, const char *name, const char *role, const char **why,
		       const char **with);
int xy_acct_role_revoke(struct xy_ctx *cx, const char *name, const char *role, const char **why);
/* ACC-10: disables active accounts past their end date or unused for the
 * dormant period (run = 1), then lists every account so disabled. */
int xy_acct_review(struct xy_ctx *cx, int run,
		   int (*fn)(void *arg, const struct xy_account_view *v), void *arg, long *disabled,
		   const char **why);
/* The same job with no signed-in person (the daily maintenance). */
int xy_acct_review_job(struct xy_service *svc, long *disabled);
int xy_incident_list(struct xy_ctx *cx, int64_t after_id, int limit,
		     int (*fn)(void *arg, const struct xy_incident *in), void *arg,
		     const char **why);

/* Units and regions. */
struct xy_unit_new {
	const char *code, *name, *region, *kind; /* kind: "member" or "credit_office" */
	const char *const *provides;
	int nprovides;
};
int xy_unit_create(struct xy_ctx *cx, const struct xy_unit_new *in, struct xy_unit *out,
		   const char **why);
int xy_unit_get(struct xy_ctx *cx, const char *code, struct xy_unit *out, const char **why);
int xy_unit_list(struct xy_ctx *cx, int64_t after_id, int limit,
		 int (*fn)(void *arg, const struct xy_unit *u), void *arg, const char **why);
int xy_unit_update(struct xy_ctx *cx, const char *code, const char *name, const char *const *add,
		   int nadd, const char *const *remove, int nremove, const char **why);
/* The datasets a unit provides. */
int xy_unit_datasets(struct xy_ctx *cx, int64_t unit_id, int (*fn)(void *arg, const char *ds),
		     void *arg);
int xy_region_create(struct xy_ctx *cx, const char *code, const char *name, const char **why);
int xy_region_list(struct xy_ctx *cx, int (*fn)(void *arg, const struct xy_region *r), void *arg);

#endif
