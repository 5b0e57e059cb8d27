/* The policy decision (DESIGN §3; ACC-11, SOD-1..3): one pure function that
 * every service asks before it acts.  No handler decides access by itself.
 *
 *   xy_policy_decide(actor, action, resource, now) -> allow | deny, reason
 *
 * The actor is who asks (account, roles, unit, jurisdiction); the resource
 * is what they act on.  Nothing is allowed by default: an action that no
 * rule below allows is denied.  The Sharing issue adds the data actions
 * (datasets, sharing classes, grants, masks) to the same function. */
#ifndef XY_CORE_POLICY_H
#define XY_CORE_POLICY_H

#include <stdint.h>

/* Roles (ACC-11).  Bit i of a role set is role i. */
#define XY_ROLES(X)                                                    \
	X(CREDIT_ADMIN, "credit_admin", "信用管理员", 1)               \
	X(UNIT_USER, "unit_user", "使用单位用户", 1)                   \
	X(PROVIDER_OPERATOR, "provider_operator", "提供单位操作员", 1) \
	X(SECURITY_OFFICER, "security_officer", "安全员", 0)           \
	X(SECURITY_ADMIN, "security_admin", "安全管理员", 0)           \
	X(SYSTEM_ADMIN, "system_admin", "系统管理员", 0)               \
	X(NETWORK_ADMIN, "network_admin", "网络管理员", 0)             \
	X(DATA_ADMIN, "data_admin", "数据库管理员", 0)                 \
	X(APP_ADMIN, "app_admin", "应用管理员", 0)                     \
	X(AUDITOR, "auditor", "安全审计员", 0)                         \
	X(DEVELOPER, "developer", "开发人员", 0)

enum xy_role {
#define XY__ROLE_ENUM(id, name, zh, business) XY_ROLE_##id,
	XY_ROLES(XY__ROLE_ENUM)
#undef XY__ROLE_ENUM
		XY_ROLE__COUNT
};

#define XY_ROLE_BIT(r) (1u << (r))

/* "credit_admin" -> XY_ROLE_CREDIT_ADMIN; -1 when unknown. */
int xy_role_parse(const char *name);
const char *xy_role_name(int role);
const char *xy_role_zh(int role);
/* 1 for the business roles (credit_admin, unit_user, provider_operator). */
int xy_role_is_business(int role);

/* Separation of duties (SOD-1..3): 0 when an account holding `held` may also
 * hold `add`; otherwise -1 with *rule ("SOD-1"…) and *with (the held role
 * it conflicts with). */
int xy_roles_conflict(uint32_t held, int add, const char **rule, int *with);

enum { XY_JUR_CITY = 1, XY_JUR_COUNTY = 2 }; /* = XY_LEVEL_CITY / XY_LEVEL_COUNTY */

struct xy_actor {
	int64_t account_id;
	uint32_t roles;	   /* XY_ROLE_BIT set */
	int active;	   /* status "active" (a left, disabled or locked account is not) */
	int setup_pending; /* signed in, but the password change, second factor or
			    * identity (ACC-3, ACC-5, ACC-1) is outstanding */
	int64_t unit_id;
	const char *region; /* the unit's region code */
	int level;	    /* the unit's level: XY_JUR_CITY or XY_JUR_COUNTY */
	int credit_office;  /* the unit is a credit office */
};

enum xy_action {
	XY_ACT_ACCOUNT_READ,	 /* see one account */
	XY_ACT_ACCOUNT_LIST,	 /* list accounts (filtered by jurisdiction) */
	XY_ACT_ACCOUNT_CREATE,	 /* create in a unit */
	XY_ACT_ACCOUNT_MANAGE,	 /* training, agreement, activate, disable, enable, reset */
	XY_ACT_ACCOUNT_TRANSFER, /* move to another unit (resource: the new unit) */
	XY_ACT_ACCOUNT_LEAVE,	 /* end the account */
	XY_ACT_ROLE_GRANT,	 /* resource.role */
	XY_ACT_ROLE_REVOKE,	 /* resource.role */
	XY_ACT_LEAK_REPORT,	 /* report a leaked password (ACC-9) */
	XY_ACT_ACCOUNT_REVIEW,	 /* run the dormant/expired job, read its report (ACC-10) */
	XY_ACT_INCIDENT_READ,	 /* list security incidents */
	XY_ACT_UNIT_READ,	 /* see units */
	XY_ACT_UNIT_MANAGE,	 /* create or change a unit in a region */
	XY_ACT_REGION_MANAGE,	 /* add a county */
	XY_ACT_BATCH_UPLOAD,	 /* submit a file for a dataset (resource.provides) */
	XY_ACT__COUNT
};

struct xy_resource {
	int64_t account_id; /* the target account (0: none) */
	int64_t unit_id;    /* the target's unit */
	const char *region; /* that unit's region code */
	int level;	    /* that unit's level */
	int credit_office;  /* that unit is a credit office */
	int role;	    /* for role grants: the role */
	int provides;	    /* for uploads: the unit provides the dataset */
};

struct xy_decision {
	int allow;
	const char *reason; /* a stable snake_case reason, for the audit trail */
};

/* Pure: no I/O, no clock other than now (microseconds). */
void xy_policy_decide(const struct xy_actor *a, enum xy_action act, const struct xy_resource *r,
		      int64_t now, struct xy_decision *d);

const char *xy_action_name(enum xy_action act);

#endif
