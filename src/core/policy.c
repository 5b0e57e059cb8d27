/* The policy decision: see policy.h.  Each rule names the requirement it
 * carries out. */
#include <string.h>

#include "core/policy.h"

static const struct {
	const char *name, *zh;
	int business;
} roles[] = {
#define XY__ROLE_ROW(id, name, zh, business) {name, zh, business},
	XY_ROLES(XY__ROLE_ROW)
#undef XY__ROLE_ROW
};

int xy_role_parse(const char *name)
{
	for (int i = 0; i < XY_ROLE__COUNT; i++)
		if (name && !strcmp(name, roles[i].name))
			return i;
	return -1;
}

const char *xy_role_name(int role)
{
	return role >= 0 && role < XY_ROLE__COUNT ? roles[role].name : "?";
}

const char *xy_role_zh(int role)
{
	return role >= 0 && role < XY_ROLE__COUNT ? roles[role].zh : "?";
}

int xy_role_is_business(int role)
{
	return role >= 0 && role < XY_ROLE__COUNT && roles[role].business;
}

/* Pairs that one account may never hold together, with the rule. */
static const struct {
	int a, b;
	const char *rule;
} sod[] = {
	/* SOD-1: the security administrator is not network, system or data administrator. */
	{XY_ROLE_SECURITY_ADMIN, XY_ROLE_NETWORK_ADMIN, "SOD-1"},
	{XY_ROLE_SECURITY_ADMIN, XY_ROLE_SYSTEM_ADMIN, "SOD-1"},
	{XY_ROLE_SECURITY_ADMIN, XY_ROLE_DATA_ADMIN, "SOD-1"},
	/* SOD-2: the security auditor is none of network, system, data or security
	 * administrator. */
	{XY_ROLE_AUDITOR, XY_ROLE_NETWORK_ADMIN, "SOD-2"},
	{XY_ROLE_AUDITOR, XY_ROLE_SYSTEM_ADMIN, "SOD-2"},
	{XY_ROLE_AUDITOR, XY_ROLE_DATA_ADMIN, "SOD-2"},
	{XY_ROLE_AUDITOR, XY_ROLE_SECURITY_ADMIN, "SOD-2"},
	/* SOD-3: a developer is not a business operator. */
	{XY_ROLE_DEVELOPER, XY_ROLE_CREDIT_ADMIN, "SOD-3"},
	{XY_ROLE_DEVELOPER, XY_ROLE_UNIT_USER, "SOD-3"},
	{XY_ROLE_DEVELOPER, XY_ROLE_PROVIDER_OPERATOR, "SOD-3"},
};

int xy_roles_conflict(uint32_t held, int add, const char **rule, int *with)
{
	for (size_t i = 0; i < sizeof sod / sizeof *sod; i++) {
		int other = -1;
		if (sod[i].a == add)
			other = sod[i].b;
		else if (sod[i].b == add)
			other = sod[i].a;
		if (other >= 0 && (held & XY_ROLE_BIT(other))) {
			*rule = sod[i].rule;
			*with = other;
			return -1;
		}
	}
	return 0;
}

static const char *const action_names[XY_ACT__COUNT] = {
	[XY_ACT_ACCOUNT_READ] = "account.read",
	[XY_ACT_ACCOUNT_LIST] = "account.list",
	[XY_ACT_ACCOUNT_CREATE] = "account.create",
	[XY_ACT_ACCOUNT_MANAGE] = "account.manage",
	[XY_ACT_ACCOUNT_TRANSFER] = "account.transfer",
	[XY_ACT_ACCOUNT_LEAVE] = "account.leave",
	[XY_ACT_ROLE_GRANT] = "role.grant",
	[XY_ACT_ROLE_REVOKE] = "role.revoke",
	[XY_ACT_LEAK_REPORT] = "account.leak_report",
	[XY_ACT_ACCOUNT_REVIEW] = "account.review",
	[XY_ACT_INCIDENT_READ] = "incident.read",
	[XY_ACT_UNIT_READ] = "unit.read",
	[XY_ACT_UNIT_MANAGE] = "unit.manage",
	[XY_ACT_REGION_MANAGE] = "region.manage",
	[XY_ACT_BATCH_UPLOAD] = "batch.upload",
};

const char *xy_action_name(enum xy_action act)
{
	return act >= 0 && act < XY_ACT__COUNT && action_names[act] ? action_names[act] : "?";
}

static int has(const struct xy_actor *a, int role)
{
	return (a->roles & XY_ROLE_BIT(role)) != 0;
}

/* ACC-11: role, unit and jurisdiction together.  A city-level unit's
 * jurisdiction is the whole city; a county unit's is its county. */
static int in_jurisdiction(const struct xy_actor *a, const struct xy_resource *r)
{
	if (!a->region || !r->region)
		return 0;
	if (a->level == XY_JUR_CITY)
		return 1;
	return a->level == XY_JUR_COUNTY && !strcmp(a->region, r->region);
}

static int account_admin(const struct xy_actor *a)
{
	return has(a, XY_ROLE_APP_ADMIN) || has(a, XY_ROLE_SECURITY_ADMIN);
}

static void verdict(struct xy_decision *d, int allow, const char *reason)
{
	d->allow = allow;
	d->reason = reason;
}

void xy_policy_decide(const struct xy_actor *a, enum xy_action act, const struct xy_resource *r,
		      int64_t now, struct xy_decision *d)
{
	static const struct xy_resource none = {0};
	int self;

	(void)now;
	if (!r)
		r = &none;
	verdict(d, 0, "no_rule_allows"); /* ACC-11: nothing by default */
	if (!a || !a->account_id || !a->active) {
		verdict(d, 0, "account_not_active");
		return;
	}
	self = r->account_id && r->account_id == a->account_id;
	if (a->setup_pending && !(act == XY_ACT_LEAK_REPORT && self)) {
		/* Until set up, the holder may only report their password leaked. */
		verdict(d, 0, "account_setup_incomplete");
		return;
	}
	switch (act) {
	case XY_ACT_ACCOUNT_READ:
		if (self)
			verdict(d, 1, "own_account");
		else if (has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "auditor_reads_accounts");
		else if (account_admin(a) || has(a, XY_ROLE_SECURITY_OFFICER))
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "administrator_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_ACCOUNT_LIST:
		if (has(a, XY_ROLE_AUDITOR) || account_admin(a) || has(a, XY_ROLE_SECURITY_OFFICER))
			verdict(d, 1, "account_administration");
		break;
	case XY_ACT_ACCOUNT_CREATE:
	case XY_ACT_ACCOUNT_MANAGE:
	case XY_ACT_ACCOUNT_TRANSFER:
	case XY_ACT_ACCOUNT_LEAVE:
		if (self) {
			verdict(d, 0, "own_account"); /* nobody administers themselves */
		} else if (account_admin(a)) {
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "administrator_in_jurisdiction"
						      : "outside_jurisdiction");
		}
		break;
	case XY_ACT_ROLE_GRANT:
	case XY_ACT_ROLE_REVOKE:
		if (r->role < 0 || r->role >= XY_ROLE__COUNT) {
			verdict(d, 0, "unknown_role");
		} else if (self) {
			verdict(d, 0, "own_roles"); /* SOD-4 spirit: no self-grant */
		} else if (!(xy_role_is_business(r->role) ? account_admin(a)
							  : has(a, XY_ROLE_SECURITY_ADMIN))) {
			/* Administrator roles are the security administrator's to give;
			 * business roles also the application administrator's. */
			verdict(d, 0,
				xy_role_is_business(r->role) ? "role_needs_account_admin"
							     : "role_needs_security_admin");
		} else if (!in_jurisdiction(a, r)) {
			verdict(d, 0, "outside_jurisdiction");
		} else if (act == XY_ACT_ROLE_GRANT && r->role == XY_ROLE_CREDIT_ADMIN &&
			   !r->credit_office) {
			verdict(d, 0, "credit_admin_needs_credit_office_unit");
		} else {
			verdict(d, 1, "administrator_in_jurisdiction");
		}
		break;
	case XY_ACT_LEAK_REPORT:
		/* ACC-9: the holder, or an administrator over them. */
		if (self)
			verdict(d, 1, "own_account");
		else if (account_admin(a) || has(a, XY_ROLE_SECURITY_OFFICER))
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "administrator_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_ACCOUNT_REVIEW:
		if (has(a, XY_ROLE_SECURITY_ADMIN) || has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "account_review");
		break;
	case XY_ACT_INCIDENT_READ:
		if (has(a, XY_ROLE_SECURITY_ADMIN) || has(a, XY_ROLE_SECURITY_OFFICER) ||
		    has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "security_staff");
		break;
	case XY_ACT_UNIT_READ:
		/* Unit names and codes are not secret, but an account with no role
		 * holds no post yet (ACC-11). */
		if (a->roles)
			verdict(d, 1, "staff_read_units");
		break;
	case XY_ACT_UNIT_MANAGE:
		/* The credit office manages units; a county administrator only in its
		 * county. */
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office)
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "credit_admin_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_REGION_MANAGE:
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office && a->level == XY_JUR_CITY)
			verdict(d, 1, "city_credit_admin");
		break;
	case XY_ACT_BATCH_UPLOAD:
		if (!has(a, XY_ROLE_PROVIDER_OPERATOR))
			verdict(d, 0, "needs_provider_operator");
		else if (r->unit_id != a->unit_id)
			verdict(d, 0, "not_own_unit");
		else if (!r->provides)
			verdict(d, 0, "unit_does_not_provide_dataset");
		else
			verdict(d, 1, "provider_operator_of_unit");
		break;
	case XY_ACT__COUNT:
		break;
	}
}
