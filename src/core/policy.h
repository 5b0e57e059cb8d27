/* The policy decision (DESIGN §3; ACC-11, SOD-1..3): one pure function that
 * every service asks before it acts.  No handler decides access by itself.
 *
 *   xy_policy_decide(actor, action, resource, now) -> allow | deny, reason
 *
 * The actor is who asks (account, roles, unit, jurisdiction); the resource
 * is what they act on.  Nothing is allowed by default: an action that no
 * rule below allows is denied.
 *
 * Data (SHR-2, JJ art.18), exactly: a city credit administrator sees all
 * non-authorised-use information; a city using unit sees city-level
 * non-authorised-use information, and city-level authorised-use information
 * through a grant; a county credit administrator and county using units see
 * their own county's non-authorised-use information, county units its
 * authorised-use information through a grant.  A using unit needs a use
 * agreement for the dataset and purpose (SHR-5).  A providing unit's
 * operator sees its own records.  Masks apply unless the decision says
 * clear: only the providing unit on its own records and a grant that
 * includes clear values (SHR-4).
 *
 * A machine client of the data API (SHR-6) acts as a using unit of its
 * unit, holding only the agreements it is bound to, and may do nothing but
 * query: every other action is denied "machine_client". */
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

/* A use agreement line the actor's unit holds (SHR-5): a dataset and a
 * purpose, valid from..to (China day numbers, inclusive). */
struct xy_agreement_ref {
	int64_t id;
	const char *dataset;
	const char *purpose;
	int32_t from, to;
};

/* An approved authorisation (SHR-3): the providing unit let the actor's unit
 * use its authorised-use records of a dataset for a purpose, for one subject
 * or every subject in the unit's scope, from start to end (microseconds). */
struct xy_grant_ref {
	int64_t id;
	const char *dataset;
	const char *purpose;
	int64_t provider_unit_id;
	int64_t subject_id; /* 0: every subject */
	int clear;	    /* clear values of masked fields were asked and granted */
	int64_t start_us, end_us;
};

struct xy_actor {
	int64_t account_id; /* 0 for a machine client */
	int64_t client_id;  /* a machine client (SHR-6), 0 for a person */
	uint32_t roles;	    /* XY_ROLE_BIT set */
	int active;	    /* status "active" (a left, disabled or locked account is not) */
	int setup_pending;  /* signed in, but the password change, second factor or
			     * identity (ACC-3, ACC-5, ACC-1) is outstanding */
	int64_t unit_id;
	const char *region; /* the unit's region code */
	int level;	    /* the unit's level: XY_JUR_CITY or XY_JUR_COUNTY */
	int credit_office;  /* the unit is a credit office */
	/* What the unit holds now (loaded by the service for data actions). */
	const struct xy_agreement_ref *agreements;
	int nagreements;
	const struct xy_grant_ref *grants;
	int ngrants;
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
	/* ---- data (SHR-1..5) ---- */
	XY_ACT_QUERY,		 /* query at all, for resource.purpose (SHR-5) */
	XY_ACT_RECORD_READ,	 /* see one record (resource: dataset, sharing, its
				  * providing unit, subject, purpose) */
	XY_ACT_AGREEMENT_MANAGE, /* record or end a unit's use agreement */
	XY_ACT_AGREEMENT_READ,	 /* see a unit's agreements */
	/* ---- authorisations (SHR-3, SOD-4) ---- */
	XY_ACT_AUTH_REQUEST, /* ask a providing unit (resource: it, dataset, sharing, purpose) */
	XY_ACT_AUTH_DECIDE,  /* approve or reject (resource: the provider; account_id: who asked) */
	XY_ACT_AUTH_REVOKE,  /* end an approved grant early (resource: the provider) */
	XY_ACT_AUTH_READ,    /* see a request (resource: the provider; requester_unit_id) */
	/* ---- machine clients (SHR-6) ---- */
	XY_ACT_CLIENT_MANAGE, /* create or revoke a unit's client (resource: the unit) */
	XY_ACT_CLIENT_READ,   /* see a unit's clients */
	/* ---- exports (SHR-7, CHG-2 extraction) ---- */
	XY_ACT_EXPORT_REQUEST,	/* ask to export a query result */
	XY_ACT_EXPORT_DECIDE,	/* approve or reject (resource: the requesting unit; account_id) */
	XY_ACT_EXPORT_READ,	/* see a request (resource: the requesting unit; account_id) */
	XY_ACT_EXPORT_DOWNLOAD, /* take the file (resource.account_id: who asked) */
	/* ---- the audit trail (AUD-5) ---- */
	XY_ACT_AUDIT_REVIEW,	     /* search, export, anomaly reports: auditors only */
	XY_ACT_AUDIT_SUBJECT_REPORT, /* who viewed a subject (resource.region: its region) */
	XY_ACT_CASE_READ, /* see an objection or repair case (resource: the record's provider) */
	/* ---- portal sections (POR-5) ---- */
	XY_ACT_SECTION_MANAGE, /* create, change or remove a notice or policy page
				* (resource: its responsible unit) */
	XY_ACT_SECTION_READ,   /* see sections and the overdue report */
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
	/* Data actions: a record's dataset and class; its level, region and
	 * unit are those of its providing unit (unit_id, level, region above). */
	const char *dataset;
	int sharing; /* enum xy_sharing (core/catalog.h) */
	int64_t subject_id;
	const char *purpose;	   /* the purpose the query states */
	int64_t requester_unit_id; /* requests: the unit that asked */
};

struct xy_decision {
	int allow;
	const char *reason; /* a stable snake_case reason, for the audit trail */
	/* Data actions: */
	int clear;	      /* sensitive fields may be shown in clear (else masked) */
	int64_t agreement_id; /* the agreement relied on, 0: none */
	int64_t grant_id;     /* the grant relied on, 0: none */
};

/* Pure: no I/O, no clock other than now (microseconds). */
void xy_policy_decide(const struct xy_actor *a, enum xy_action act, const struct xy_resource *r,
		      int64_t now, struct xy_decision *d);

const char *xy_action_name(enum xy_action act);

#endif
