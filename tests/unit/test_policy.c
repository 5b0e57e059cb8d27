/* ACC-11, ACC-8..10, SOD-1..4: the policy decision (core/policy.h) and the
 * separation-of-duties table.
 *
 * Every check compares both the verdict and the reason, because the reason is
 * what the audit trail records.  The units below model Jiujiang: the city
 * (360400) with its credit office, and two counties (360402, 360403). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define NOW	      INT64_C(1795000000000000) /* microseconds; the policy ignores it */
#define ACTOR_ID      INT64_C(100)
#define OTHER_ID      INT64_C(200)
#define ALL_ROLES     ((uint32_t)((1u << XY_ROLE__COUNT) - 1))
#define R(id)	      XY_ROLE_BIT(XY_ROLE_##id)
#define IN_JUR	      "administrator_in_jurisdiction"
#define OUT_JUR	      "outside_jurisdiction"
#define NO_RULE	      "no_rule_allows"
#define NEEDS_SEC_ADM "role_needs_security_admin"
#define NEEDS_ACC_ADM "role_needs_account_admin"

struct unit {
	int64_t id;
	const char *region;
	int level;
	int credit_office;
};

static const struct unit city_office = {10, "360400", XY_JUR_CITY, 1};	/* 九江市信用办 */
static const struct unit city_bureau = {11, "360400", XY_JUR_CITY, 0};	/* a city bureau */
static const struct unit c02_office = {20, "360402", XY_JUR_COUNTY, 1}; /* 濂溪区信用办 */
static const struct unit c02_unit = {21, "360402", XY_JUR_COUNTY, 0};	/* a 濂溪区 unit */
static const struct unit c03_unit = {30, "360403", XY_JUR_COUNTY, 0};	/* a 浔阳区 unit */

static struct xy_actor actor_in(const struct unit *u, uint32_t roles)
{
	struct xy_actor a = {
		.account_id = ACTOR_ID,
		.roles = roles,
		.active = 1,
		.unit_id = u->id,
		.region = u->region,
		.level = u->level,
		.credit_office = u->credit_office,
	};
	return a;
}

/* Another person's account in unit u (role -1: no role named). */
static struct xy_resource account_in(const struct unit *u)
{
	struct xy_resource r = {
		.account_id = OTHER_ID,
		.unit_id = u->id,
		.region = u->region,
		.level = u->level,
		.credit_office = u->credit_office,
		.role = -1,
		.provides = 0,
	};
	return r;
}

/* The actor's own account (they sit in unit u). */
static struct xy_resource self_in(const struct unit *u)
{
	struct xy_resource r = account_in(u);
	r.account_id = ACTOR_ID;
	return r;
}

static struct xy_resource role_in(const struct unit *u, int role)
{
	struct xy_resource r = account_in(u);
	r.role = role;
	return r;
}

/* 0 when the decision is the one expected; otherwise says what differed and
 * returns 1, so that a test reports every wrong row before it fails. */
static int check(const char *what, const struct xy_actor *a, enum xy_action act,
		 const struct xy_resource *r, int allow, const char *reason)
{
	struct xy_decision d = {.allow = -1};

	xy_policy_decide(a, act, r, NOW, &d);
	if (d.allow == allow && d.reason && !strcmp(d.reason, reason))
		return 0;
	print_message("%s, %s: got %s (%s), expected %s (%s)\n", what, xy_action_name(act),
		      d.allow == 1   ? "allow"
		      : d.allow == 0 ? "deny"
				     : "?",
		      d.reason ? d.reason : "null", allow ? "allow" : "deny", reason);
	return 1;
}

/* ---- names ---- */

static void test_acc11_role_names_round_trip(void **state)
{
	static const char *const unknown[] = {
		"",
		"root",
		"admin",
		"Credit_Admin",
		"CREDIT_ADMIN",
		"credit_admin ",
		" unit_user",
		"security-admin",
		"auditors",
		"信用管理员",
		"?",
	};
	(void)state;
	for (int i = 0; i < XY_ROLE__COUNT; i++) {
		const char *name = xy_role_name(i);
		assert_string_not_equal(name, "?");
		assert_string_not_equal(xy_role_zh(i), "?");
		assert_int_equal(xy_role_parse(name), i);
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(xy_role_name(j), name);
			assert_string_not_equal(xy_role_zh(j), xy_role_zh(i));
		}
	}
	assert_string_equal(xy_role_name(XY_ROLE_SECURITY_ADMIN), "security_admin");
	assert_string_equal(xy_role_zh(XY_ROLE_AUDITOR), "安全审计员");
	for (size_t i = 0; i < ARRAY_LEN(unknown); i++)
		assert_int_equal(xy_role_parse(unknown[i]), -1);
	assert_int_equal(xy_role_parse(NULL), -1);
	assert_string_equal(xy_role_name(-1), "?");
	assert_string_equal(xy_role_name(XY_ROLE__COUNT), "?");
	assert_string_equal(xy_role_zh(-1), "?");
	assert_string_equal(xy_role_zh(XY_ROLE__COUNT), "?");
}

static void test_acc11_business_roles(void **state)
{
	(void)state;
	for (int i = 0; i < XY_ROLE__COUNT; i++)
		assert_int_equal(xy_role_is_business(i), i == XY_ROLE_CREDIT_ADMIN ||
								 i == XY_ROLE_UNIT_USER ||
								 i == XY_ROLE_PROVIDER_OPERATOR);
	assert_int_equal(xy_role_is_business(-1), 0);
	assert_int_equal(xy_role_is_business(XY_ROLE__COUNT), 0);
}

static void test_aud_action_names(void **state)
{
	(void)state;
	for (int i = 0; i < XY_ACT__COUNT; i++) {
		const char *name = xy_action_name((enum xy_action)i);
		assert_string_not_equal(name, "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(xy_action_name((enum xy_action)j), name);
	}
	assert_string_equal(xy_action_name(XY_ACT_ROLE_GRANT), "role.grant");
	assert_string_equal(xy_action_name(XY_ACT__COUNT), "?");
}

/* ---- every action against every single role ---- */

/* The actor sits in the city credit office and holds one role; the target is
 * another account in the same unit (so in jurisdiction), which provides the
 * dataset for uploads.  Role grants name unit_user (a business role), role
 * revocations auditor (an administrator role).  allowed[role] is the reason
 * when that role is allowed; a role not listed is denied with `deny`. */
static const struct {
	enum xy_action act;
	const char *deny;
	const char *allowed[XY_ROLE__COUNT];
} matrix[] = {
	{XY_ACT_ACCOUNT_READ,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_OFFICER] = IN_JUR,
	  [XY_ROLE_SECURITY_ADMIN] = IN_JUR,
	  [XY_ROLE_APP_ADMIN] = IN_JUR,
	  [XY_ROLE_AUDITOR] = "auditor_reads_accounts"}},
	{XY_ACT_ACCOUNT_LIST,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_OFFICER] = "account_administration",
	  [XY_ROLE_SECURITY_ADMIN] = "account_administration",
	  [XY_ROLE_APP_ADMIN] = "account_administration",
	  [XY_ROLE_AUDITOR] = "account_administration"}},
	{XY_ACT_ACCOUNT_CREATE,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_ADMIN] = IN_JUR, [XY_ROLE_APP_ADMIN] = IN_JUR}},
	{XY_ACT_ACCOUNT_MANAGE,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_ADMIN] = IN_JUR, [XY_ROLE_APP_ADMIN] = IN_JUR}},
	{XY_ACT_ACCOUNT_TRANSFER,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_ADMIN] = IN_JUR, [XY_ROLE_APP_ADMIN] = IN_JUR}},
	{XY_ACT_ACCOUNT_LEAVE,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_ADMIN] = IN_JUR, [XY_ROLE_APP_ADMIN] = IN_JUR}},
	{XY_ACT_ROLE_GRANT,
	 NEEDS_ACC_ADM, /* the matrix grants unit_user, a business role */
	 {[XY_ROLE_SECURITY_ADMIN] = IN_JUR, [XY_ROLE_APP_ADMIN] = IN_JUR}},
	{XY_ACT_ROLE_REVOKE, NEEDS_SEC_ADM, {[XY_ROLE_SECURITY_ADMIN] = IN_JUR}},
	{XY_ACT_LEAK_REPORT,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_OFFICER] = IN_JUR,
	  [XY_ROLE_SECURITY_ADMIN] = IN_JUR,
	  [XY_ROLE_APP_ADMIN] = IN_JUR}},
	{XY_ACT_ACCOUNT_REVIEW,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_ADMIN] = "account_review", [XY_ROLE_AUDITOR] = "account_review"}},
	{XY_ACT_INCIDENT_READ,
	 NO_RULE,
	 {[XY_ROLE_SECURITY_OFFICER] = "security_staff",
	  [XY_ROLE_SECURITY_ADMIN] = "security_staff",
	  [XY_ROLE_AUDITOR] = "security_staff"}},
	{XY_ACT_UNIT_READ,
	 NO_RULE,
	 {[XY_ROLE_CREDIT_ADMIN] = "staff_read_units",
	  [XY_ROLE_UNIT_USER] = "staff_read_units",
	  [XY_ROLE_PROVIDER_OPERATOR] = "staff_read_units",
	  [XY_ROLE_SECURITY_OFFICER] = "staff_read_units",
	  [XY_ROLE_SECURITY_ADMIN] = "staff_read_units",
	  [XY_ROLE_SYSTEM_ADMIN] = "staff_read_units",
	  [XY_ROLE_NETWORK_ADMIN] = "staff_read_units",
	  [XY_ROLE_DATA_ADMIN] = "staff_read_units",
	  [XY_ROLE_APP_ADMIN] = "staff_read_units",
	  [XY_ROLE_AUDITOR] = "staff_read_units",
	  [XY_ROLE_DEVELOPER] = "staff_read_units"}},
	{XY_ACT_UNIT_MANAGE, NO_RULE, {[XY_ROLE_CREDIT_ADMIN] = "credit_admin_in_jurisdiction"}},
	{XY_ACT_REGION_MANAGE, NO_RULE, {[XY_ROLE_CREDIT_ADMIN] = "city_credit_admin"}},
	{XY_ACT_BATCH_UPLOAD,
	 "needs_provider_operator",
	 {[XY_ROLE_PROVIDER_OPERATOR] = "provider_operator_of_unit"}},
	/* POR-5: the portal's sections (the resource: the responsible unit). */
	{XY_ACT_SECTION_MANAGE, NO_RULE, {[XY_ROLE_CREDIT_ADMIN] = "credit_admin_in_jurisdiction"}},
	{XY_ACT_SECTION_READ,
	 NO_RULE,
	 {[XY_ROLE_CREDIT_ADMIN] = "staff_read_sections",
	  [XY_ROLE_UNIT_USER] = "staff_read_sections",
	  [XY_ROLE_PROVIDER_OPERATOR] = "staff_read_sections",
	  [XY_ROLE_SECURITY_OFFICER] = "staff_read_sections",
	  [XY_ROLE_SECURITY_ADMIN] = "staff_read_sections",
	  [XY_ROLE_SYSTEM_ADMIN] = "staff_read_sections",
	  [XY_ROLE_NETWORK_ADMIN] = "staff_read_sections",
	  [XY_ROLE_DATA_ADMIN] = "staff_read_sections",
	  [XY_ROLE_APP_ADMIN] = "staff_read_sections",
	  [XY_ROLE_AUDITOR] = "staff_read_sections",
	  [XY_ROLE_DEVELOPER] = "staff_read_sections"}},
};

static struct xy_resource matrix_resource(enum xy_action act)
{
	struct xy_resource r = account_in(&city_office);

	r.provides = 1;
	r.role = act == XY_ACT_ROLE_GRANT ? XY_ROLE_UNIT_USER : XY_ROLE_AUDITOR;
	return r;
}

static void test_acc11_every_action_every_role(void **state)
{
	int bad = 0, seen[XY_ACT__COUNT] = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(matrix); i++) {
		struct xy_resource r = matrix_resource(matrix[i].act);
		seen[matrix[i].act]++;
		for (int role = 0; role < XY_ROLE__COUNT; role++) {
			struct xy_actor a = actor_in(&city_office, XY_ROLE_BIT(role));
			const char *allow = matrix[i].allowed[role];
			bad += check(xy_role_name(role), &a, matrix[i].act, &r, allow != NULL,
				     allow ? allow : matrix[i].deny);
		}
	}
	/* The matrix names every account action once; the data actions (from
	 * XY_ACT_QUERY on) have their own table in test_policy_data.c. */
	for (int act = 0; act < XY_ACT_QUERY; act++)
		assert_int_equal(seen[act], 1);
	assert_int_equal(bad, 0);
}

/* ACC-11: nothing is granted by default.  An active account with no role is
 * refused every action. */
static void test_acc11_nothing_by_default(void **state)
{
	struct xy_actor a = actor_in(&city_office, 0);
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(matrix); i++) {
		struct xy_resource r = matrix_resource(matrix[i].act);
		bad += check("no roles", &a, matrix[i].act, &r, 0, matrix[i].deny);
	}
	assert_int_equal(bad, 0);
}

/* ACC-3, ACC-5, ACC-1: an account still being set up acts as nobody, except
 * that its holder may report the password leaked (ACC-9). */
static void test_acc3_setup_pending_only_own_leak_report(void **state)
{
	int bad = 0;

	(void)state;
	for (int act = 0; act < XY_ACT__COUNT; act++) {
		struct xy_actor a = actor_in(&city_office, ALL_ROLES);
		struct xy_resource other = matrix_resource((enum xy_action)act);
		struct xy_resource self = self_in(&city_office);

		a.setup_pending = 1;
		bad += check("setup pending", &a, act, &other, 0, "account_setup_incomplete");
		if (act != XY_ACT_LEAK_REPORT)
			bad += check("setup pending, self", &a, act, &self, 0,
				     "account_setup_incomplete");
	}
	{
		struct xy_actor a = actor_in(&city_office, 0);
		struct xy_resource self = self_in(&city_office);
		a.setup_pending = 1;
		bad += check("setup pending, own leak", &a, XY_ACT_LEAK_REPORT, &self, 1,
			     "own_account");
	}
	assert_int_equal(bad, 0);
}

/* ACC-8, ACC-10: a left, disabled or locked account (active = 0) is refused
 * everything, whatever roles it still holds, even on its own account. */
static void test_acc11_inactive_actor_denied_everything(void **state)
{
	int bad = 0;

	(void)state;
	for (int act = 0; act < XY_ACT__COUNT; act++) {
		struct xy_actor a = actor_in(&city_office, ALL_ROLES);
		struct xy_resource other = matrix_resource((enum xy_action)act);
		struct xy_resource self = self_in(&city_office);

		self.provides = 1;
		self.role = XY_ROLE_UNIT_USER;
		a.active = 0;
		bad += check("inactive", &a, act, &other, 0, "account_not_active");
		bad += check("inactive, self", &a, act, &self, 0, "account_not_active");
		bad += check("inactive, no resource", &a, act, NULL, 0, "account_not_active");
		a.active = 1;
		a.account_id = 0; /* no account at all */
		bad += check("account 0", &a, act, &other, 0, "account_not_active");
		bad += check("no actor", NULL, act, &other, 0, "account_not_active");
	}
	assert_int_equal(bad, 0);
}

/* ---- self versus other ---- */

/* Anyone may read their own account and report their own password leaked
 * (ACC-9), without any role. */
static void test_acc9_own_account_read_and_leak_report(void **state)
{
	struct xy_resource self = self_in(&c02_unit);
	int bad = 0;

	(void)state;
	for (int role = -1; role < XY_ROLE__COUNT; role++) {
		struct xy_actor a = actor_in(&c02_unit, role < 0 ? 0 : XY_ROLE_BIT(role));
		const char *what = role < 0 ? "no roles" : xy_role_name(role);
		bad += check(what, &a, XY_ACT_ACCOUNT_READ, &self, 1, "own_account");
		bad += check(what, &a, XY_ACT_LEAK_REPORT, &self, 1, "own_account");
	}
	assert_int_equal(bad, 0);
}

/* ACC-11 / SOD-4 spirit: nobody administers their own account. */
static void test_acc11_nobody_administers_themselves(void **state)
{
	static const enum xy_action acts[] = {XY_ACT_ACCOUNT_CREATE, XY_ACT_ACCOUNT_MANAGE,
					      XY_ACT_ACCOUNT_TRANSFER, XY_ACT_ACCOUNT_LEAVE};
	static const uint32_t who[] = {R(APP_ADMIN), R(SECURITY_ADMIN),
				       R(APP_ADMIN) | R(SECURITY_ADMIN), ALL_ROLES};
	struct xy_resource self = self_in(&city_office);
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(acts); i++)
		for (size_t j = 0; j < ARRAY_LEN(who); j++) {
			struct xy_actor a = actor_in(&city_office, who[j]);
			bad += check("self", &a, acts[i], &self, 0, "own_account");
		}
	assert_int_equal(bad, 0);
}

/* SOD-4: nobody grants or revokes their own roles, whatever the role. */
static void test_sod4_no_role_grant_to_self(void **state)
{
	struct xy_actor a = actor_in(&city_office, ALL_ROLES);
	int bad = 0;

	(void)state;
	for (int role = 0; role < XY_ROLE__COUNT; role++) {
		struct xy_resource self = self_in(&city_office);
		self.role = role;
		bad += check(xy_role_name(role), &a, XY_ACT_ROLE_GRANT, &self, 0, "own_roles");
		bad += check(xy_role_name(role), &a, XY_ACT_ROLE_REVOKE, &self, 0, "own_roles");
	}
	assert_int_equal(bad, 0);
}

/* ---- jurisdiction ---- */

/* The actions an account administrator takes over another account. */
static const enum xy_action admin_acts[] = {
	XY_ACT_ACCOUNT_READ,  XY_ACT_ACCOUNT_CREATE, XY_ACT_ACCOUNT_MANAGE, XY_ACT_ACCOUNT_TRANSFER,
	XY_ACT_ACCOUNT_LEAVE, XY_ACT_ROLE_GRANT,     XY_ACT_ROLE_REVOKE,    XY_ACT_LEAK_REPORT,
};

static int admin_acts_over(const char *what, const struct xy_actor *a, const struct unit *u,
			   int allow)
{
	int bad = 0;

	for (size_t i = 0; i < ARRAY_LEN(admin_acts); i++) {
		struct xy_resource r = role_in(u, XY_ROLE_UNIT_USER);
		bad += check(what, a, admin_acts[i], &r, allow, allow ? IN_JUR : OUT_JUR);
	}
	return bad;
}

/* ACC-11: a city-level unit's jurisdiction is the whole city, counties included. */
static void test_acc11_city_admin_over_county_units(void **state)
{
	static const uint32_t who[] = {R(APP_ADMIN), R(SECURITY_ADMIN)};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(who); i++) {
		struct xy_actor a = actor_in(&city_office, who[i]);
		bad += admin_acts_over("city admin over 360402", &a, &c02_unit, 1);
		bad += admin_acts_over("city admin over 360403", &a, &c03_unit, 1);
		bad += admin_acts_over("city admin over the city", &a, &city_bureau, 1);
		a = actor_in(&city_bureau, who[i]); /* any city-level unit, not only the office */
		bad += admin_acts_over("city bureau admin over 360403", &a, &c03_unit, 1);
	}
	assert_int_equal(bad, 0);
}

/* ACC-11: a county unit's jurisdiction is its own county only: not another
 * county, not the city above it. */
static void test_acc11_county_admin_only_in_own_county(void **state)
{
	static const uint32_t who[] = {R(APP_ADMIN), R(SECURITY_ADMIN)};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(who); i++) {
		struct xy_actor a = actor_in(&c02_unit, who[i]);
		bad += admin_acts_over("360402 admin over 360402", &a, &c02_office, 1);
		bad += admin_acts_over("360402 admin over own unit", &a, &c02_unit, 1);
		bad += admin_acts_over("360402 admin over 360403", &a, &c03_unit, 0);
		bad += admin_acts_over("360402 admin over 360400", &a, &city_bureau, 0);
		bad += admin_acts_over("360402 admin over city office", &a, &city_office, 0);
	}
	/* The security officer reads accounts and reports leaks, within the same bounds. */
	{
		struct xy_actor a = actor_in(&c02_unit, R(SECURITY_OFFICER));
		struct xy_resource in = account_in(&c02_office), out = account_in(&c03_unit),
				   up = account_in(&city_bureau);
		bad += check("officer", &a, XY_ACT_ACCOUNT_READ, &in, 1, IN_JUR);
		bad += check("officer", &a, XY_ACT_ACCOUNT_READ, &out, 0, OUT_JUR);
		bad += check("officer", &a, XY_ACT_ACCOUNT_READ, &up, 0, OUT_JUR);
		bad += check("officer", &a, XY_ACT_LEAK_REPORT, &in, 1, IN_JUR);
		bad += check("officer", &a, XY_ACT_LEAK_REPORT, &out, 0, OUT_JUR);
		bad += check("officer", &a, XY_ACT_LEAK_REPORT, &up, 0, OUT_JUR);
	}
	assert_int_equal(bad, 0);
}

/* The auditor reads every account, whatever its jurisdiction (AUD). */
static void test_acc11_auditor_reads_accounts_everywhere(void **state)
{
	struct xy_actor a = actor_in(&c02_unit, R(AUDITOR));
	struct xy_resource out = account_in(&c03_unit), up = account_in(&city_office);
	int bad = 0;

	(void)state;
	bad += check("360402 auditor", &a, XY_ACT_ACCOUNT_READ, &out, 1, "auditor_reads_accounts");
	bad += check("360402 auditor", &a, XY_ACT_ACCOUNT_READ, &up, 1, "auditor_reads_accounts");
	bad += check("360402 auditor", &a, XY_ACT_ACCOUNT_MANAGE, &out, 0, NO_RULE);
	assert_int_equal(bad, 0);
}

/* Jurisdiction unknown (no region on either side, or no level) is outside it. */
static void test_acc11_unknown_jurisdiction_denied(void **state)
{
	struct xy_actor a = actor_in(&city_office, R(APP_ADMIN));
	struct xy_resource r = account_in(&c02_unit);
	int bad = 0;

	(void)state;
	r.region = NULL;
	bad += check("target without region", &a, XY_ACT_ACCOUNT_MANAGE, &r, 0, OUT_JUR);
	bad += check("no resource", &a, XY_ACT_ACCOUNT_MANAGE, NULL, 0, OUT_JUR);
	r = account_in(&c02_unit);
	a.region = NULL;
	bad += check("actor without region", &a, XY_ACT_ACCOUNT_MANAGE, &r, 0, OUT_JUR);
	a = actor_in(&c02_unit, R(APP_ADMIN));
	a.level = 0;
	bad += check("actor without level", &a, XY_ACT_ACCOUNT_MANAGE, &r, 0, OUT_JUR);
	assert_int_equal(bad, 0);
}

/* ---- role grants ---- */

/* ACC-11: administrator roles are the security administrator's to give or
 * take away; nobody else's, not even the application administrator's. */
static void test_acc11_administrator_roles_only_by_security_admin(void **state)
{
	static const uint32_t others[] = {R(APP_ADMIN),
					  R(SECURITY_OFFICER),
					  R(AUDITOR),
					  R(SYSTEM_ADMIN),
					  R(CREDIT_ADMIN),
					  R(UNIT_USER),
					  ALL_ROLES & ~R(SECURITY_ADMIN)};
	int bad = 0;

	(void)state;
	for (int role = 0; role < XY_ROLE__COUNT; role++) {
		struct xy_resource r = role_in(&c02_unit, role);
		struct xy_actor a = actor_in(&city_office, R(SECURITY_ADMIN));
		const char *what = xy_role_name(role);

		if (xy_role_is_business(role))
			continue;
		bad += check(what, &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
		bad += check(what, &a, XY_ACT_ROLE_REVOKE, &r, 1, IN_JUR);
		for (size_t i = 0; i < ARRAY_LEN(others); i++) {
			a = actor_in(&city_office, others[i]);
			bad += check(what, &a, XY_ACT_ROLE_GRANT, &r, 0, NEEDS_SEC_ADM);
			bad += check(what, &a, XY_ACT_ROLE_REVOKE, &r, 0, NEEDS_SEC_ADM);
		}
	}
	assert_int_equal(bad, 0);
}

/* ACC-11: business roles also by the application administrator; nobody else. */
static void test_acc11_business_roles_by_app_or_security_admin(void **state)
{
	static const uint32_t not_admin[] = {R(SECURITY_OFFICER), R(AUDITOR),	   R(CREDIT_ADMIN),
					     R(UNIT_USER),	  R(SYSTEM_ADMIN), R(DATA_ADMIN)};
	int bad = 0;

	(void)state;
	for (int role = 0; role < XY_ROLE__COUNT; role++) {
		/* credit_admin only on a credit office (see the next test) */
		struct xy_resource r =
			role_in(role == XY_ROLE_CREDIT_ADMIN ? &c02_office : &c02_unit, role);
		const char *what = xy_role_name(role);
		struct xy_actor a;

		if (!xy_role_is_business(role))
			continue;
		a = actor_in(&city_office, R(APP_ADMIN));
		bad += check(what, &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
		bad += check(what, &a, XY_ACT_ROLE_REVOKE, &r, 1, IN_JUR);
		a = actor_in(&city_office, R(SECURITY_ADMIN));
		bad += check(what, &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
		bad += check(what, &a, XY_ACT_ROLE_REVOKE, &r, 1, IN_JUR);
		a = actor_in(&c03_unit, R(APP_ADMIN)); /* another county */
		bad += check(what, &a, XY_ACT_ROLE_GRANT, &r, 0, OUT_JUR);
		bad += check(what, &a, XY_ACT_ROLE_REVOKE, &r, 0, OUT_JUR);
		for (size_t i = 0; i < ARRAY_LEN(not_admin); i++) {
			a = actor_in(&city_office, not_admin[i]);
			bad += check(what, &a, XY_ACT_ROLE_GRANT, &r, 0, NEEDS_ACC_ADM);
			bad += check(what, &a, XY_ACT_ROLE_REVOKE, &r, 0, NEEDS_ACC_ADM);
		}
	}
	assert_int_equal(bad, 0);
}

/* ACC-11: credit_admin is granted only on a credit-office unit (city or
 * county); it can always be taken away (ACC-8). */
static void test_acc11_credit_admin_only_on_credit_office(void **state)
{
	static const struct unit *const not_office[] = {&city_bureau, &c02_unit, &c03_unit};
	static const uint32_t who[] = {R(APP_ADMIN), R(SECURITY_ADMIN)};
	int bad = 0;

	(void)state;
	for (size_t j = 0; j < ARRAY_LEN(who); j++) {
		struct xy_actor a = actor_in(&city_office, who[j]);
		struct xy_resource r = role_in(&city_office, XY_ROLE_CREDIT_ADMIN);

		bad += check("city office", &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
		r = role_in(&c02_office, XY_ROLE_CREDIT_ADMIN);
		bad += check("county office", &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
		for (size_t i = 0; i < ARRAY_LEN(not_office); i++) {
			r = role_in(not_office[i], XY_ROLE_CREDIT_ADMIN);
			bad += check("not an office", &a, XY_ACT_ROLE_GRANT, &r, 0,
				     "credit_admin_needs_credit_office_unit");
			bad += check("not an office", &a, XY_ACT_ROLE_REVOKE, &r, 1, IN_JUR);
			/* the other business roles do not need an office */
			r.role = XY_ROLE_UNIT_USER;
			bad += check("unit_user", &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
			r.role = XY_ROLE_PROVIDER_OPERATOR;
			bad += check("provider_operator", &a, XY_ACT_ROLE_GRANT, &r, 1, IN_JUR);
		}
	}
	assert_int_equal(bad, 0);
}

static void test_acc11_unknown_role_refused(void **state)
{
	static const int bad_roles[] = {-1, XY_ROLE__COUNT, 31, 1000};
	struct xy_actor a = actor_in(&city_office, ALL_ROLES);
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_roles); i++) {
		struct xy_resource r = role_in(&c02_unit, bad_roles[i]);
		bad += check("unknown role", &a, XY_ACT_ROLE_GRANT, &r, 0, "unknown_role");
		bad += check("unknown role", &a, XY_ACT_ROLE_REVOKE, &r, 0, "unknown_role");
		r = self_in(&city_office);
		r.role = bad_roles[i];
		bad += check("unknown role, self", &a, XY_ACT_ROLE_GRANT, &r, 0, "unknown_role");
	}
	assert_int_equal(bad, 0);
}

/* ---- units, regions, uploads, review, incidents ---- */

static void test_acc11_unit_manage_by_credit_office(void **state)
{
	struct xy_actor a = actor_in(&city_office, R(CREDIT_ADMIN));
	struct xy_resource r02 = account_in(&c02_unit), r03 = account_in(&c03_unit),
			   rcity = account_in(&city_bureau);
	const char *ok = "credit_admin_in_jurisdiction";
	int bad = 0;

	(void)state;
	bad += check("city office", &a, XY_ACT_UNIT_MANAGE, &r02, 1, ok);
	bad += check("city office", &a, XY_ACT_UNIT_MANAGE, &r03, 1, ok);
	bad += check("city office", &a, XY_ACT_UNIT_MANAGE, &rcity, 1, ok);
	a = actor_in(&c02_office, R(CREDIT_ADMIN));
	bad += check("360402 office", &a, XY_ACT_UNIT_MANAGE, &r02, 1, ok);
	bad += check("360402 office", &a, XY_ACT_UNIT_MANAGE, &r03, 0, OUT_JUR);
	bad += check("360402 office", &a, XY_ACT_UNIT_MANAGE, &rcity, 0, OUT_JUR);
	/* credit_admin outside a credit office (should never be granted) has no power */
	a = actor_in(&city_bureau, R(CREDIT_ADMIN));
	bad += check("city bureau", &a, XY_ACT_UNIT_MANAGE, &r02, 0, NO_RULE);
	a = actor_in(&city_office, ALL_ROLES & ~R(CREDIT_ADMIN));
	bad += check("every other role", &a, XY_ACT_UNIT_MANAGE, &r02, 0, NO_RULE);
	assert_int_equal(bad, 0);
}

/* POR-5: a section is managed by a credit office's credit_admin whose
 * jurisdiction holds its responsible unit: the city office every section, a
 * county office its county's.  The responsible unit's own staff, whatever
 * their role there, publish nothing by themselves. */
static void test_por5_sections_managed_by_credit_office_in_jurisdiction(void **state)
{
	struct xy_actor a = actor_in(&city_office, R(CREDIT_ADMIN));
	struct xy_resource r02 = account_in(&c02_unit), r03 = account_in(&c03_unit),
			   rcity = account_in(&city_bureau), roffice = account_in(&c02_office);
	const char *ok = "credit_admin_in_jurisdiction";
	int bad = 0;

	(void)state;
	r02.account_id = r03.account_id = rcity.account_id = roffice.account_id = 0;
	bad += check("city office", &a, XY_ACT_SECTION_MANAGE, &r02, 1, ok);
	bad += check("city office", &a, XY_ACT_SECTION_MANAGE, &r03, 1, ok);
	bad += check("city office", &a, XY_ACT_SECTION_MANAGE, &rcity, 1, ok);
	a = actor_in(&c02_office, R(CREDIT_ADMIN));
	bad += check("360402 office", &a, XY_ACT_SECTION_MANAGE, &r02, 1, ok);
	bad += check("360402 office", &a, XY_ACT_SECTION_MANAGE, &roffice, 1, ok);
	bad += check("360402 office", &a, XY_ACT_SECTION_MANAGE, &r03, 0, OUT_JUR);
	bad += check("360402 office", &a, XY_ACT_SECTION_MANAGE, &rcity, 0, OUT_JUR);
	bad += check("360402 office", &a, XY_ACT_SECTION_MANAGE, NULL, 0, OUT_JUR);
	a = actor_in(&city_bureau, R(CREDIT_ADMIN));
	bad += check("credit_admin outside an office", &a, XY_ACT_SECTION_MANAGE, &rcity, 0,
		     NO_RULE);
	a = actor_in(&c02_unit, ALL_ROLES & ~R(CREDIT_ADMIN));
	bad += check("the responsible unit's staff", &a, XY_ACT_SECTION_MANAGE, &r02, 0, NO_RULE);
	a = actor_in(&city_office, ALL_ROLES & ~R(CREDIT_ADMIN));
	bad += check("every other role", &a, XY_ACT_SECTION_MANAGE, &r02, 0, NO_RULE);
	/* Reading: any post, in any unit; no post, nothing (ACC-11). */
	a = actor_in(&c03_unit, R(UNIT_USER));
	bad += check("county unit user", &a, XY_ACT_SECTION_READ, NULL, 1, "staff_read_sections");
	a = actor_in(&c03_unit, 0);
	bad += check("no role", &a, XY_ACT_SECTION_READ, NULL, 0, NO_RULE);
	assert_int_equal(bad, 0);
}

/* Adding a county is for a credit_admin of the city credit office only. */
static void test_acc11_region_manage_by_city_credit_office(void **state)
{
	struct xy_actor a = actor_in(&city_office, R(CREDIT_ADMIN));
	struct xy_resource r = account_in(&c02_unit);
	int bad = 0;

	(void)state;
	bad += check("city office", &a, XY_ACT_REGION_MANAGE, &r, 1, "city_credit_admin");
	bad += check("city office", &a, XY_ACT_REGION_MANAGE, NULL, 1, "city_credit_admin");
	a = actor_in(&c02_office, R(CREDIT_ADMIN));
	bad += check("county office", &a, XY_ACT_REGION_MANAGE, &r, 0, NO_RULE);
	a = actor_in(&city_bureau, R(CREDIT_ADMIN));
	bad += check("city bureau", &a, XY_ACT_REGION_MANAGE, &r, 0, NO_RULE);
	a = actor_in(&city_office, ALL_ROLES & ~R(CREDIT_ADMIN));
	bad += check("every other role", &a, XY_ACT_REGION_MANAGE, &r, 0, NO_RULE);
	assert_int_equal(bad, 0);
}

/* COL: a file is submitted by a provider operator of the unit that provides
 * the dataset, for that unit only. */
static void test_col_batch_upload_by_provider_operator_of_unit(void **state)
{
	struct xy_actor a = actor_in(&c02_unit, R(PROVIDER_OPERATOR));
	struct xy_resource r = account_in(&c02_unit);
	const char *ok = "provider_operator_of_unit";
	int bad = 0;

	(void)state;
	r.account_id = 0;
	r.provides = 1;
	bad += check("own unit, provides", &a, XY_ACT_BATCH_UPLOAD, &r, 1, ok);
	r.provides = 0;
	bad += check("own unit, does not provide", &a, XY_ACT_BATCH_UPLOAD, &r, 0,
		     "unit_does_not_provide_dataset");
	r = account_in(&c02_office); /* same county, another unit */
	r.provides = 1;
	bad += check("other unit, same county", &a, XY_ACT_BATCH_UPLOAD, &r, 0, "not_own_unit");
	r = account_in(&c03_unit);
	bad += check("other county", &a, XY_ACT_BATCH_UPLOAD, &r, 0, "not_own_unit");
	bad += check("no resource", &a, XY_ACT_BATCH_UPLOAD, NULL, 0, "not_own_unit");
	a = actor_in(&c02_unit, R(PROVIDER_OPERATOR) | R(UNIT_USER));
	r = account_in(&c02_unit);
	r.provides = 1;
	bad += check("with another role", &a, XY_ACT_BATCH_UPLOAD, &r, 1, ok);
	a = actor_in(&c02_unit, ALL_ROLES & ~R(PROVIDER_OPERATOR));
	bad += check("every other role", &a, XY_ACT_BATCH_UPLOAD, &r, 0, "needs_provider_operator");
	a = actor_in(&city_office, R(APP_ADMIN) | R(SECURITY_ADMIN) | R(CREDIT_ADMIN));
	bad += check("city administrators", &a, XY_ACT_BATCH_UPLOAD, &r, 0,
		     "needs_provider_operator");
	assert_int_equal(bad, 0);
}

/* ACC-10 review and the incident list ignore jurisdiction: whole-system duties. */
static void test_acc10_review_and_incidents_from_a_county(void **state)
{
	struct xy_actor a = actor_in(&c02_unit, R(SECURITY_ADMIN));
	struct xy_resource r = account_in(&c03_unit);
	int bad = 0;

	(void)state;
	bad += check("360402 security admin", &a, XY_ACT_ACCOUNT_REVIEW, &r, 1, "account_review");
	bad += check("360402 security admin", &a, XY_ACT_INCIDENT_READ, &r, 1, "security_staff");
	bad += check("360402 security admin", &a, XY_ACT_ACCOUNT_LIST, &r, 1,
		     "account_administration");
	assert_int_equal(bad, 0);
}

/* The decision is the same whatever `now` says (pure, no clock of its own). */
static void test_acc11_decision_ignores_now(void **state)
{
	struct xy_actor a = actor_in(&city_office, R(APP_ADMIN));
	struct xy_resource r = account_in(&c02_unit);
	struct xy_decision d1, d2;

	(void)state;
	xy_policy_decide(&a, XY_ACT_ACCOUNT_MANAGE, &r, 0, &d1);
	xy_policy_decide(&a, XY_ACT_ACCOUNT_MANAGE, &r, INT64_MAX, &d2);
	assert_int_equal(d1.allow, 1);
	assert_int_equal(d2.allow, 1);
	assert_string_equal(d1.reason, d2.reason);
}

/* ---- separation of duties ---- */

struct pair {
	int a, b;
	const char *rule;
};

static const struct pair forbidden[] = {
	{XY_ROLE_SECURITY_ADMIN, XY_ROLE_NETWORK_ADMIN, "SOD-1"},
	{XY_ROLE_SECURITY_ADMIN, XY_ROLE_SYSTEM_ADMIN, "SOD-1"},
	{XY_ROLE_SECURITY_ADMIN, XY_ROLE_DATA_ADMIN, "SOD-1"},
	{XY_ROLE_AUDITOR, XY_ROLE_NETWORK_ADMIN, "SOD-2"},
	{XY_ROLE_AUDITOR, XY_ROLE_SYSTEM_ADMIN, "SOD-2"},
	{XY_ROLE_AUDITOR, XY_ROLE_DATA_ADMIN, "SOD-2"},
	{XY_ROLE_AUDITOR, XY_ROLE_SECURITY_ADMIN, "SOD-2"},
	{XY_ROLE_DEVELOPER, XY_ROLE_CREDIT_ADMIN, "SOD-3"},
	{XY_ROLE_DEVELOPER, XY_ROLE_UNIT_USER, "SOD-3"},
	{XY_ROLE_DEVELOPER, XY_ROLE_PROVIDER_OPERATOR, "SOD-3"},
};

/* 0 when holding `held` (with `also`) and adding `add` is refused with `rule`
 * and the held role named as the one it conflicts with. */
static int refused(uint32_t also, int held, int add, const char *rule)
{
	const char *got = NULL;
	int with = -1, rc = xy_roles_conflict(XY_ROLE_BIT(held) | also, add, &got, &with);

	if (rc == -1 && got && !strcmp(got, rule) && with == held)
		return 0;
	print_message("holding %s, adding %s: got %d (%s, with %s), expected -1 (%s, with %s)\n",
		      xy_role_name(held), xy_role_name(add), rc, got ? got : "null",
		      xy_role_name(with), rule, xy_role_name(held));
	return 1;
}

/* Every pair of the rule, in both orders (holding a and adding b, holding b
 * and adding a), alone and alongside a role that conflicts with neither. */
static void check_forbidden(const char *rule)
{
	int n = 0, bad = 0;

	for (size_t i = 0; i < ARRAY_LEN(forbidden); i++) {
		const struct pair *p = &forbidden[i];
		if (strcmp(p->rule, rule))
			continue;
		n++;
		bad += refused(0, p->a, p->b, rule);
		bad += refused(0, p->b, p->a, rule);
		bad += refused(R(SECURITY_OFFICER), p->a, p->b, rule);
		bad += refused(R(SECURITY_OFFICER), p->b, p->a, rule);
	}
	assert_true(n > 0);
	assert_int_equal(bad, 0);
}

static void test_sod1_security_admin_not_network_system_or_data_admin(void **state)
{
	(void)state;
	check_forbidden("SOD-1");
}

static void test_sod2_auditor_not_network_system_data_or_security_admin(void **state)
{
	(void)state;
	check_forbidden("SOD-2");
}

static void test_sod3_developer_not_business_operator(void **state)
{
	(void)state;
	check_forbidden("SOD-3");
}

static void test_sod_allowed_pairs(void **state)
{
	static const int allowed[][2] = {
		{XY_ROLE_SECURITY_ADMIN, XY_ROLE_APP_ADMIN},
		{XY_ROLE_SECURITY_ADMIN, XY_ROLE_SECURITY_OFFICER},
		{XY_ROLE_SECURITY_ADMIN, XY_ROLE_CREDIT_ADMIN},
		{XY_ROLE_AUDITOR, XY_ROLE_UNIT_USER},
		{XY_ROLE_AUDITOR, XY_ROLE_APP_ADMIN},
		{XY_ROLE_AUDITOR, XY_ROLE_SECURITY_OFFICER},
		{XY_ROLE_AUDITOR, XY_ROLE_DEVELOPER},
		{XY_ROLE_NETWORK_ADMIN, XY_ROLE_SYSTEM_ADMIN},
		{XY_ROLE_SYSTEM_ADMIN, XY_ROLE_DATA_ADMIN},
		{XY_ROLE_DEVELOPER, XY_ROLE_SYSTEM_ADMIN},
		{XY_ROLE_DEVELOPER, XY_ROLE_APP_ADMIN},
		{XY_ROLE_CREDIT_ADMIN, XY_ROLE_UNIT_USER},
		{XY_ROLE_UNIT_USER, XY_ROLE_PROVIDER_OPERATOR},
		{XY_ROLE_APP_ADMIN, XY_ROLE_PROVIDER_OPERATOR},
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(allowed); i++)
		for (int order = 0; order < 2; order++) {
			int held = allowed[i][order], add = allowed[i][!order], with = -1;
			const char *rule = NULL;

			if (xy_roles_conflict(XY_ROLE_BIT(held), add, &rule, &with) != 0) {
				print_message("holding %s, adding %s: refused (%s)\n",
					      xy_role_name(held), xy_role_name(add),
					      rule ? rule : "null");
				bad++;
			}
		}
	/* network, system and data administrator together: not forbidden by SOD-1..3 */
	{
		const char *rule = NULL;
		int with = -1;
		assert_int_equal(xy_roles_conflict(R(NETWORK_ADMIN) | R(SYSTEM_ADMIN),
						   XY_ROLE_DATA_ADMIN, &rule, &with),
				 0);
	}
	assert_int_equal(bad, 0);
}

/* The whole table: adding role j to an account holding only role i conflicts
 * exactly when {i, j} is a forbidden pair; nothing conflicts with itself or
 * with an empty role set, and unknown roles conflict with nothing. */
static void test_sod_every_pair(void **state)
{
	int bad = 0;

	(void)state;
	for (int i = 0; i < XY_ROLE__COUNT; i++) {
		const char *rule = NULL;
		int with = -1;

		bad += xy_roles_conflict(0, i, &rule, &with) != 0;
		for (int j = 0; j < XY_ROLE__COUNT; j++) {
			int want = 0, got;
			for (size_t k = 0; k < ARRAY_LEN(forbidden); k++)
				if ((forbidden[k].a == i && forbidden[k].b == j) ||
				    (forbidden[k].a == j && forbidden[k].b == i))
					want = -1;
			got = xy_roles_conflict(XY_ROLE_BIT(i), j, &rule, &with);
			if (got != want) {
				print_message("holding %s, adding %s: got %d, expected %d\n",
					      xy_role_name(i), xy_role_name(j), got, want);
				bad++;
			}
		}
	}
	{
		static const int unknown[] = {-1, XY_ROLE__COUNT, 31};
		for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
			const char *rule = NULL;
			int with = -1;
			bad += xy_roles_conflict(ALL_ROLES, unknown[i], &rule, &with) != 0;
		}
	}
	assert_int_equal(bad, 0);
}

/* Several held roles: the conflict found is one of the held roles, with the
 * rule of that pair. */
static void test_sod2_conflict_among_several_held_roles(void **state)
{
	uint32_t held = R(SYSTEM_ADMIN) | R(APP_ADMIN) | R(UNIT_USER);
	const char *rule = NULL;
	int with = -1;

	(void)state;
	assert_int_equal(xy_roles_conflict(held, XY_ROLE_AUDITOR, &rule, &with), -1);
	assert_string_equal(rule, "SOD-2");
	assert_int_equal(with, XY_ROLE_SYSTEM_ADMIN);

	held = R(NETWORK_ADMIN) | R(AUDITOR);
	rule = NULL;
	with = -1;
	assert_int_equal(xy_roles_conflict(held, XY_ROLE_SECURITY_ADMIN, &rule, &with), -1);
	assert_true((!strcmp(rule, "SOD-1") && with == XY_ROLE_NETWORK_ADMIN) ||
		    (!strcmp(rule, "SOD-2") && with == XY_ROLE_AUDITOR));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acc11_role_names_round_trip),
		cmocka_unit_test(test_acc11_business_roles),
		cmocka_unit_test(test_aud_action_names),
		cmocka_unit_test(test_acc11_every_action_every_role),
		cmocka_unit_test(test_acc11_nothing_by_default),
		cmocka_unit_test(test_acc11_inactive_actor_denied_everything),
		cmocka_unit_test(test_acc3_setup_pending_only_own_leak_report),
		cmocka_unit_test(test_acc9_own_account_read_and_leak_report),
		cmocka_unit_test(test_acc11_nobody_administers_themselves),
		cmocka_unit_test(test_sod4_no_role_grant_to_self),
		cmocka_unit_test(test_acc11_city_admin_over_county_units),
		cmocka_unit_test(test_acc11_county_admin_only_in_own_county),
		cmocka_unit_test(test_acc11_auditor_reads_accounts_everywhere),
		cmocka_unit_test(test_acc11_unknown_jurisdiction_denied),
		cmocka_unit_test(test_acc11_administrator_roles_only_by_security_admin),
		cmocka_unit_test(test_acc11_business_roles_by_app_or_security_admin),
		cmocka_unit_test(test_acc11_credit_admin_only_on_credit_office),
		cmocka_unit_test(test_acc11_unknown_role_refused),
		cmocka_unit_test(test_acc11_unit_manage_by_credit_office),
		cmocka_unit_test(test_acc11_region_manage_by_city_credit_office),
		cmocka_unit_test(test_por5_sections_managed_by_credit_office_in_jurisdiction),
		cmocka_unit_test(test_col_batch_upload_by_provider_operator_of_unit),
		cmocka_unit_test(test_acc10_review_and_incidents_from_a_county),
		cmocka_unit_test(test_acc11_decision_ignores_now),
		cmocka_unit_test(test_sod1_security_admin_not_network_system_or_data_admin),
		cmocka_unit_test(test_sod2_auditor_not_network_system_data_or_security_admin),
		cmocka_unit_test(test_sod3_developer_not_business_operator),
		cmocka_unit_test(test_sod_allowed_pairs),
		cmocka_unit_test(test_sod_every_pair),
		cmocka_unit_test(test_sod2_conflict_among_several_held_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
