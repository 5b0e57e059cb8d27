/* SHR-1 (authorised-use data only with the provider's consent), SHR-2 (JJ art.18),
 * SHR-3, SHR-4, SHR-5: the policy decision on data.
 *
 * A table walks every clause of SHR-2 and each neighbour of it: county A
 * against county B, a city unit against county-level data, a county
 * administrator against city data, authorised-use data with and without a
 * grant (expired, not yet begun, for another dataset, purpose, provider or
 * subject), agreements that do not cover the query, and accounts that are
 * not active.  Each row checks the verdict, the reason (what the audit trail
 * records), whether clear values are allowed, and the agreement and grant
 * relied on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "core/policy.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-21 12:00 China time, and China day numbers around it. */
#define NOW	INT64_C(1795233600000000)
#define TODAY	20778
#define HOUR	INT64_C(3600000000)
#define SUBJECT INT64_C(7001)
#define P	"daily_supervision"
#define P_OTHER "bidding"

struct unit {
	int64_t id;
	const char *region;
	int level;
	int credit_office;
};

static const struct unit city_office = {10, "360400", XY_JUR_CITY, 1};
static const struct unit city_unit = {11, "360400", XY_JUR_CITY, 0};
static const struct unit city_provider = {12, "360400", XY_JUR_CITY, 0};
static const struct unit c02_office = {20, "360402", XY_JUR_COUNTY, 1};
static const struct unit c02_unit = {21, "360402", XY_JUR_COUNTY, 0};
static const struct unit c02_provider = {22, "360402", XY_JUR_COUNTY, 0};
static const struct unit c03_unit = {30, "360403", XY_JUR_COUNTY, 0};
static const struct unit c03_provider = {31, "360403", XY_JUR_COUNTY, 0};

/* Agreement sets (SHR-5). */
enum ag { AG_NONE, AG_FULL, AG_OTHER_PURPOSE, AG_EXPIRED, AG_NOT_YET, AG_XZCF_ONLY };
static const struct xy_agreement_ref ag_full[] = {
	{501, "XZCF", P, TODAY - 30, TODAY + 300},
	{502, "GOVX", P, TODAY - 30, TODAY + 300},
	{503, "AUTH", P, TODAY - 30, TODAY + 300},
};
static const struct xy_agreement_ref ag_other_purpose[] = {
	{511, "XZCF", P_OTHER, TODAY - 30, TODAY + 300},
	{512, "AUTH", P_OTHER, TODAY - 30, TODAY + 300},
};
static const struct xy_agreement_ref ag_expired[] = {
	{521, "XZCF", P, TODAY - 300, TODAY - 1},
	{522, "AUTH", P, TODAY - 300, TODAY - 1},
};
static const struct xy_agreement_ref ag_not_yet[] = {
	{531, "XZCF", P, TODAY + 1, TODAY + 300},
};
static const struct xy_agreement_ref ag_xzcf_only[] = {
	{541, "XZCF", P, TODAY, TODAY},
};

/* Grant sets (SHR-3): from provider 12 (city) or 22 (county 02). */
enum gr {
	GR_NONE,
	GR_CITY,
	GR_CITY_CLEAR,
	GR_EXPIRED,
	GR_NOT_YET,
	GR_OTHER_DATASET,
	GR_OTHER_PURPOSE,
	GR_OTHER_PROVIDER,
	GR_OTHER_SUBJECT,
	GR_C02
};
static const struct xy_grant_ref gr_city[] = {
	{601, "AUTH", P, 12, SUBJECT, 0, NOW - HOUR, NOW + HOUR}};
static const struct xy_grant_ref gr_city_clear[] = {
	{602, "AUTH", P, 12, 0, 0, NOW - HOUR, NOW + HOUR},
	{603, "AUTH", P, 12, 0, 1, NOW - HOUR, NOW + HOUR}};
static const struct xy_grant_ref gr_expired[] = {{604, "AUTH", P, 12, 0, 1, NOW - 2 * HOUR, NOW}};
static const struct xy_grant_ref gr_not_yet[] = {{605, "AUTH", P, 12, 0, 1, NOW + 1, NOW + HOUR}};
static const struct xy_grant_ref gr_other_dataset[] = {
	{606, "GOVX", P, 12, 0, 1, NOW - HOUR, NOW + HOUR}};
static const struct xy_grant_ref gr_other_purpose[] = {
	{607, "AUTH", P_OTHER, 12, 0, 1, NOW - HOUR, NOW + HOUR}};
static const struct xy_grant_ref gr_other_provider[] = {
	{608, "AUTH", P, 31, 0, 1, NOW - HOUR, NOW + HOUR}};
static const struct xy_grant_ref gr_other_subject[] = {
	{609, "AUTH", P, 12, SUBJECT + 1, 1, NOW - HOUR, NOW + HOUR}};
static const struct xy_grant_ref gr_c02[] = {
	{610, "AUTH", P, 22, SUBJECT, 1, NOW - HOUR, NOW + HOUR}};

enum st { ACTIVE, DISABLED, SETUP };

struct row {
	const char *what;
	const struct unit *actor_unit;
	uint32_t roles;
	enum st status;
	enum ag ag;
	enum gr gr;
	const struct unit *provider; /* the record's providing unit */
	int sharing;
	const char *dataset;
	const char *purpose;
	/* expected */
	int allow;
	const char *reason;
	int clear;
	int64_t agreement_id, grant_id;
};

#define CA  XY_ROLE_BIT(XY_ROLE_CREDIT_ADMIN)
#define UU  XY_ROLE_BIT(XY_ROLE_UNIT_USER)
#define PO  XY_ROLE_BIT(XY_ROLE_PROVIDER_OPERATOR)
#define AUD XY_ROLE_BIT(XY_ROLE_AUDITOR)
#define PUB XY_SHARE_PUBLIC
#define GOV XY_SHARE_GOVERNMENT
#define AUT XY_SHARE_AUTHORISED

static const struct row rows[] = {
	/* Clause 1: the city credit administrator sees all non-authorised-use information. */
	{"city admin, county 02 public", &city_office, CA, ACTIVE, AG_NONE, GR_NONE, &c02_provider,
	 PUB, "XZCF", P, 1, "city_credit_admin", 0, 0, 0},
	{"city admin, county 03 gov-shared", &city_office, CA, ACTIVE, AG_NONE, GR_NONE,
	 &c03_provider, GOV, "GOVX", P, 1, "city_credit_admin", 0, 0, 0},
	{"city admin, city public", &city_office, CA, ACTIVE, AG_NONE, GR_NONE, &city_provider, PUB,
	 "XZCF", P, 1, "city_credit_admin", 0, 0, 0},
	{"city admin, authorised-use", &city_office, CA, ACTIVE, AG_NONE, GR_NONE, &city_provider,
	 AUT, "AUTH", P, 0, "authorised_use_not_for_credit_office", 0, 0, 0},
	{"credit_admin role outside a credit office", &city_unit, CA, ACTIVE, AG_NONE, GR_NONE,
	 &city_provider, PUB, "XZCF", P, 0, "no_rule_allows", 0, 0, 0},
	/* Clause 3: the county administrator, own county only. */
	{"county 02 admin, county 02 public", &c02_office, CA, ACTIVE, AG_NONE, GR_NONE,
	 &c02_provider, PUB, "XZCF", P, 1, "county_credit_admin_own_county", 0, 0, 0},
	{"county 02 admin, county 03", &c02_office, CA, ACTIVE, AG_NONE, GR_NONE, &c03_provider,
	 PUB, "XZCF", P, 0, "outside_jurisdiction", 0, 0, 0},
	{"county 02 admin, city-level data", &c02_office, CA, ACTIVE, AG_NONE, GR_NONE,
	 &city_provider, GOV, "GOVX", P, 0, "outside_jurisdiction", 0, 0, 0},
	{"county 02 admin, authorised-use of 02", &c02_office, CA, ACTIVE, AG_NONE, GR_NONE,
	 &c02_provider, AUT, "AUTH", P, 0, "authorised_use_not_for_credit_office", 0, 0, 0},
	/* Clause 2: a city using unit, city-level data. */
	{"city unit, city public", &city_unit, UU, ACTIVE, AG_FULL, GR_NONE, &city_provider, PUB,
	 "XZCF", P, 1, "city_unit_city_level", 0, 501, 0},
	{"city unit, city gov-shared", &city_unit, UU, ACTIVE, AG_FULL, GR_NONE, &city_provider,
	 GOV, "GOVX", P, 1, "city_unit_city_level", 0, 502, 0},
	{"city unit, county-level data", &city_unit, UU, ACTIVE, AG_FULL, GR_NONE, &c02_provider,
	 PUB, "XZCF", P, 0, "outside_jurisdiction", 0, 0, 0},
	{"city unit, authorised-use, no grant", &city_unit, UU, ACTIVE, AG_FULL, GR_NONE,
	 &city_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, authorised-use, grant for the subject", &city_unit, UU, ACTIVE, AG_FULL,
	 GR_CITY, &city_provider, AUT, "AUTH", P, 1, "authorised_by_grant", 0, 503, 601},
	{"city unit, grant with clear values preferred", &city_unit, UU, ACTIVE, AG_FULL,
	 GR_CITY_CLEAR, &city_provider, AUT, "AUTH", P, 1, "authorised_by_grant", 1, 503, 603},
	{"city unit, grant ended at now", &city_unit, UU, ACTIVE, AG_FULL, GR_EXPIRED,
	 &city_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, grant not begun", &city_unit, UU, ACTIVE, AG_FULL, GR_NOT_YET, &city_provider,
	 AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, grant for another dataset", &city_unit, UU, ACTIVE, AG_FULL, GR_OTHER_DATASET,
	 &city_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, grant for another purpose", &city_unit, UU, ACTIVE, AG_FULL, GR_OTHER_PURPOSE,
	 &city_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, grant from another provider", &city_unit, UU, ACTIVE, AG_FULL,
	 GR_OTHER_PROVIDER, &city_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, grant for another subject", &city_unit, UU, ACTIVE, AG_FULL, GR_OTHER_SUBJECT,
	 &city_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	{"city unit, county authorised-use even with a grant", &city_unit, UU, ACTIVE, AG_FULL,
	 GR_C02, &c02_provider, AUT, "AUTH", P, 0, "outside_jurisdiction", 0, 0, 0},
	/* SHR-5: the agreement must cover dataset and purpose today. */
	{"city unit, no agreement", &city_unit, UU, ACTIVE, AG_NONE, GR_NONE, &city_provider, PUB,
	 "XZCF", P, 0, "no_agreement", 0, 0, 0},
	{"city unit, agreement for another purpose", &city_unit, UU, ACTIVE, AG_OTHER_PURPOSE,
	 GR_NONE, &city_provider, PUB, "XZCF", P, 0, "no_agreement", 0, 0, 0},
	{"city unit, agreement ended yesterday", &city_unit, UU, ACTIVE, AG_EXPIRED, GR_NONE,
	 &city_provider, PUB, "XZCF", P, 0, "no_agreement", 0, 0, 0},
	{"city unit, agreement from tomorrow", &city_unit, UU, ACTIVE, AG_NOT_YET, GR_NONE,
	 &city_provider, PUB, "XZCF", P, 0, "no_agreement", 0, 0, 0},
	{"city unit, agreement for another dataset", &city_unit, UU, ACTIVE, AG_XZCF_ONLY, GR_NONE,
	 &city_provider, GOV, "GOVX", P, 0, "no_agreement", 0, 0, 0},
	{"city unit, one-day agreement today", &city_unit, UU, ACTIVE, AG_XZCF_ONLY, GR_NONE,
	 &city_provider, PUB, "XZCF", P, 1, "city_unit_city_level", 0, 541, 0},
	{"authorised-use grant without agreement", &city_unit, UU, ACTIVE, AG_NONE, GR_CITY,
	 &city_provider, AUT, "AUTH", P, 0, "no_agreement", 0, 0, 0},
	/* Clause 3: county using units, own county only. */
	{"county 02 unit, county 02 public", &c02_unit, UU, ACTIVE, AG_FULL, GR_NONE, &c02_provider,
	 PUB, "XZCF", P, 1, "county_unit_own_county", 0, 501, 0},
	{"county 02 unit, county 03 public", &c02_unit, UU, ACTIVE, AG_FULL, GR_NONE, &c03_provider,
	 PUB, "XZCF", P, 0, "outside_jurisdiction", 0, 0, 0},
	{"county 03 unit, county 02 public", &c03_unit, UU, ACTIVE, AG_FULL, GR_NONE, &c02_provider,
	 PUB, "XZCF", P, 0, "outside_jurisdiction", 0, 0, 0},
	{"county 02 unit, city-level data", &c02_unit, UU, ACTIVE, AG_FULL, GR_NONE, &city_provider,
	 PUB, "XZCF", P, 0, "outside_jurisdiction", 0, 0, 0},
	{"county 02 unit, own authorised-use with a grant", &c02_unit, UU, ACTIVE, AG_FULL, GR_C02,
	 &c02_provider, AUT, "AUTH", P, 1, "authorised_by_grant", 1, 503, 610},
	{"county 02 unit, own authorised-use without", &c02_unit, UU, ACTIVE, AG_FULL, GR_NONE,
	 &c02_provider, AUT, "AUTH", P, 0, "needs_authorisation", 0, 503, 0},
	/* The providing unit on its own records: clear (SHR-4). */
	{"provider, own records", &c02_provider, PO, ACTIVE, AG_NONE, GR_NONE, &c02_provider, AUT,
	 "AUTH", P, 1, "own_unit_records", 1, 0, 0},
	{"provider, another unit's records", &c02_provider, PO, ACTIVE, AG_NONE, GR_NONE,
	 &c03_provider, PUB, "XZCF", P, 0, "no_rule_allows", 0, 0, 0},
	{"provider and user, own records", &c02_provider, PO | UU, ACTIVE, AG_FULL, GR_NONE,
	 &c02_provider, PUB, "XZCF", P, 1, "own_unit_records", 1, 0, 0},
	/* Nobody else, and nobody not active. */
	{"auditor", &city_office, AUD, ACTIVE, AG_FULL, GR_NONE, &city_provider, PUB, "XZCF", P, 0,
	 "no_rule_allows", 0, 0, 0},
	{"no role", &city_unit, 0, ACTIVE, AG_FULL, GR_NONE, &city_provider, PUB, "XZCF", P, 0,
	 "no_rule_allows", 0, 0, 0},
	{"disabled city admin", &city_office, CA, DISABLED, AG_NONE, GR_NONE, &city_provider, PUB,
	 "XZCF", P, 0, "account_not_active", 0, 0, 0},
	{"city unit before set-up", &city_unit, UU, SETUP, AG_FULL, GR_NONE, &city_provider, PUB,
	 "XZCF", P, 0, "account_setup_incomplete", 0, 0, 0},
};

static void set_agreements(struct xy_actor *a, enum ag ag)
{
#define SET(arr)                                      \
	do {                                          \
		a->agreements = arr;                  \
		a->nagreements = (int)ARRAY_LEN(arr); \
	} while (0)
	a->agreements = NULL;
	a->nagreements = 0;
	switch (ag) {
	case AG_NONE:
		break;
	case AG_FULL:
		SET(ag_full);
		break;
	case AG_OTHER_PURPOSE:
		SET(ag_other_purpose);
		break;
	case AG_EXPIRED:
		SET(ag_expired);
		break;
	case AG_NOT_YET:
		SET(ag_not_yet);
		break;
	case AG_XZCF_ONLY:
		SET(ag_xzcf_only);
		break;
	}
#undef SET
}

static void set_grants(struct xy_actor *a, enum gr gr)
{
	static const struct {
		const struct xy_grant_ref *g;
		int n;
	} sets[] = {
		[GR_NONE] = {NULL, 0},
		[GR_CITY] = {gr_city, 1},
		[GR_CITY_CLEAR] = {gr_city_clear, 2},
		[GR_EXPIRED] = {gr_expired, 1},
		[GR_NOT_YET] = {gr_not_yet, 1},
		[GR_OTHER_DATASET] = {gr_other_dataset, 1},
		[GR_OTHER_PURPOSE] = {gr_other_purpose, 1},
		[GR_OTHER_PROVIDER] = {gr_other_provider, 1},
		[GR_OTHER_SUBJECT] = {gr_other_subject, 1},
		[GR_C02] = {gr_c02, 1},
	};
	a->grants = sets[gr].g;
	a->ngrants = sets[gr].n;
}

static struct xy_actor actor_of(const struct row *t)
{
	struct xy_actor a = {
		.account_id = 100,
		.roles = t->roles,
		.active = t->status != DISABLED,
		.setup_pending = t->status == SETUP,
		.unit_id = t->actor_unit->id,
		.region = t->actor_unit->region,
		.level = t->actor_unit->level,
		.credit_office = t->actor_unit->credit_office,
	};
	set_agreements(&a, t->ag);
	set_grants(&a, t->gr);
	return a;
}

static void test_shr1_shr2_shr3_shr5_record_read_table(void **state)
{
	int bad = 0;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *t = &rows[i];
		struct xy_actor a = actor_of(t);
		struct xy_resource r = {
			.unit_id = t->provider->id,
			.region = t->provider->region,
			.level = t->provider->level,
			.role = -1,
			.dataset = t->dataset,
			.sharing = t->sharing,
			.subject_id = SUBJECT,
			.purpose = t->purpose,
		};
		struct xy_decision d;
		xy_policy_decide(&a, XY_ACT_RECORD_READ, &r, NOW, &d);
		if (d.allow != t->allow || strcmp(d.reason, t->reason) != 0 ||
		    d.clear != t->clear || d.agreement_id != t->agreement_id ||
		    d.grant_id != t->grant_id) {
			print_error("row %zu (%s): got allow=%d reason=%s clear=%d agreement=%lld "
				    "grant=%lld; want %d %s %d %lld %lld\n",
				    i, t->what, d.allow, d.reason, d.clear,
				    (long long)d.agreement_id, (long long)d.grant_id, t->allow,
				    t->reason, t->clear, (long long)t->agreement_id,
				    (long long)t->grant_id);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_shr5_query_needs_an_agreement_for_the_purpose(void **state)
{
	static const struct {
		const struct unit *u;
		uint32_t roles;
		enum ag ag;
		const char *purpose;
		int allow;
		const char *reason;
		int64_t agreement_id;
	} q[] = {
		{&city_office, CA, AG_NONE, P, 1, "credit_office", 0},
		{&c02_office, CA, AG_NONE, P_OTHER, 1, "credit_office", 0},
		{&city_unit, UU, AG_FULL, P, 1, "agreement", 501},
		{&city_unit, UU, AG_FULL, P_OTHER, 0, "no_agreement", 0},
		{&city_unit, UU, AG_EXPIRED, P, 0, "no_agreement", 0},
		{&city_unit, UU, AG_FULL, NULL, 0, "no_agreement", 0},
		{&c02_provider, PO, AG_NONE, P, 1, "own_unit_records", 0},
		{&city_office, AUD, AG_FULL, P, 0, "no_query_role", 0},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(q); i++) {
		struct xy_actor a = {.account_id = 100,
				     .roles = q[i].roles,
				     .active = 1,
				     .unit_id = q[i].u->id,
				     .region = q[i].u->region,
				     .level = q[i].u->level,
				     .credit_office = q[i].u->credit_office};
		struct xy_resource r = {.role = -1, .purpose = q[i].purpose};
		struct xy_decision d;
		set_agreements(&a, q[i].ag);
		xy_policy_decide(&a, XY_ACT_QUERY, &r, NOW, &d);
		if (d.allow != q[i].allow || strcmp(d.reason, q[i].reason) != 0 ||
		    d.agreement_id != q[i].agreement_id)
			fail_msg("query row %zu: got %d %s %lld", i, d.allow, d.reason,
				 (long long)d.agreement_id);
	}
}

static void test_shr5_agreements_are_recorded_by_the_credit_office_in_jurisdiction(void **state)
{
	struct xy_actor city = {.account_id = 1,
				.roles = CA,
				.active = 1,
				.unit_id = 10,
				.region = "360400",
				.level = XY_JUR_CITY,
				.credit_office = 1};
	struct xy_actor county = city, user = city;
	struct xy_resource in02 = {
		.role = -1, .unit_id = 21, .region = "360402", .level = XY_JUR_COUNTY};
	struct xy_resource in03 = in02;
	struct xy_decision d;
	(void)state;
	in03.region = "360403";
	county.region = "360402";
	county.level = XY_JUR_COUNTY;
	user.roles = UU;
	user.credit_office = 0;
	xy_policy_decide(&city, XY_ACT_AGREEMENT_MANAGE, &in03, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&county, XY_ACT_AGREEMENT_MANAGE, &in02, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&county, XY_ACT_AGREEMENT_MANAGE, &in03, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "outside_jurisdiction");
	xy_policy_decide(&user, XY_ACT_AGREEMENT_MANAGE, &in02, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "no_rule_allows");
	/* Reading: the unit's own staff see theirs, not another unit's. */
	user.unit_id = 21;
	xy_policy_decide(&user, XY_ACT_AGREEMENT_READ, &in02, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "own_unit");
	in03.unit_id = 30;
	xy_policy_decide(&user, XY_ACT_AGREEMENT_READ, &in03, NOW, &d);
	assert_false(d.allow);
	xy_policy_decide(&county, XY_ACT_AGREEMENT_READ, &in03, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "no_rule_allows");
}

/* SHR-3: who may ask which provider, and who decides (SOD-4). */
static void test_shr3_authorisation_request_reach_and_sod4_decision(void **state)
{
	static const struct {
		const struct unit *u;
		uint32_t roles;
		enum ag ag;
		const struct unit *provider;
		int sharing;
		const char *dataset, *purpose;
		int allow;
		const char *reason;
		int64_t agreement_id;
	} q[] = {
		{&city_unit, UU, AG_FULL, &city_provider, AUT, "AUTH", P, 1, "agreement", 503},
		{&city_unit, UU, AG_FULL, &c02_provider, AUT, "AUTH", P, 0, "outside_jurisdiction",
		 0},
		{&c02_unit, UU, AG_FULL, &c02_provider, AUT, "AUTH", P, 1, "agreement", 503},
		{&c02_unit, UU, AG_FULL, &c03_provider, AUT, "AUTH", P, 0, "outside_jurisdiction",
		 0},
		{&c02_unit, UU, AG_FULL, &city_provider, AUT, "AUTH", P, 0, "outside_jurisdiction",
		 0},
		{&c02_unit, UU, AG_FULL, &c02_provider, GOV, "GOVX", P, 0,
		 "not_authorised_use_data", 0},
		{&c02_unit, UU, AG_OTHER_PURPOSE, &c02_provider, AUT, "AUTH", P, 0, "no_agreement",
		 0},
		{&c02_unit, UU, AG_EXPIRED, &c02_provider, AUT, "AUTH", P, 0, "no_agreement", 0},
		{&c02_unit, UU, AG_XZCF_ONLY, &c02_provider, AUT, "AUTH", P, 0, "no_agreement", 0},
		{&c02_provider, UU, AG_FULL, &c02_provider, AUT, "AUTH", P, 0, "own_unit_records",
		 0},
		{&city_office, CA, AG_FULL, &city_provider, AUT, "AUTH", P, 0, "needs_using_unit",
		 0},
		{&c02_unit, PO, AG_FULL, &c02_provider, AUT, "AUTH", P, 0, "needs_using_unit", 0},
	};
	struct xy_actor op = {.account_id = 200,
			      .roles = PO,
			      .active = 1,
			      .unit_id = c02_provider.id,
			      .region = "360402",
			      .level = XY_JUR_COUNTY};
	struct xy_actor other = op;
	struct xy_resource mine = {.role = -1,
				   .account_id = 100,
				   .unit_id = c02_provider.id,
				   .region = "360402",
				   .level = XY_JUR_COUNTY,
				   .requester_unit_id = c02_unit.id};
	struct xy_resource own_request = mine;
	struct xy_decision d;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(q); i++) {
		struct xy_actor a = {.account_id = 100,
				     .roles = q[i].roles,
				     .active = 1,
				     .unit_id = q[i].u->id,
				     .region = q[i].u->region,
				     .level = q[i].u->level,
				     .credit_office = q[i].u->credit_office};
		struct xy_resource r = {.role = -1,
					.unit_id = q[i].provider->id,
					.region = q[i].provider->region,
					.level = q[i].provider->level,
					.dataset = q[i].dataset,
					.sharing = q[i].sharing,
					.purpose = q[i].purpose};
		set_agreements(&a, q[i].ag);
		xy_policy_decide(&a, XY_ACT_AUTH_REQUEST, &r, NOW, &d);
		if (d.allow != q[i].allow || strcmp(d.reason, q[i].reason) != 0 ||
		    d.agreement_id != q[i].agreement_id)
			fail_msg("request row %zu: got %d %s %lld", i, d.allow, d.reason,
				 (long long)d.agreement_id);
	}
	/* The providing unit's operator decides; nobody else, and never on
	 * their own request. */
	xy_policy_decide(&op, XY_ACT_AUTH_DECIDE, &mine, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "providing_unit");
	own_request.account_id = op.account_id;
	xy_policy_decide(&op, XY_ACT_AUTH_DECIDE, &own_request, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "own_request");
	other.unit_id = c03_provider.id;
	xy_policy_decide(&other, XY_ACT_AUTH_DECIDE, &mine, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "not_providing_unit");
	other = op;
	other.roles = UU;
	xy_policy_decide(&other, XY_ACT_AUTH_DECIDE, &mine, NOW, &d);
	assert_false(d.allow);
	xy_policy_decide(&op, XY_ACT_AUTH_REVOKE, &mine, NOW, &d);
	assert_true(d.allow);
	other.active = 0;
	other.roles = PO;
	xy_policy_decide(&other, XY_ACT_AUTH_DECIDE, &mine, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "account_not_active");
	/* Reading: both units, the auditor; not a third unit. */
	other = op;
	other.roles = UU;
	other.unit_id = c02_unit.id;
	xy_policy_decide(&other, XY_ACT_AUTH_READ, &mine, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "requesting_unit");
	other.unit_id = c03_unit.id;
	xy_policy_decide(&other, XY_ACT_AUTH_READ, &mine, NOW, &d);
	assert_false(d.allow);
}

/* SHR-6: a machine client acts as a using unit of its unit, with the
 * agreements it holds, for queries only, whatever roles it claims. */
static void test_shr6_machine_client_queries_as_its_unit_and_nothing_else(void **state)
{
	struct xy_actor c = {.client_id = 9,
			     .roles = CA | PO | AUD, /* ignored: a client is a using unit */
			     .active = 1,
			     .unit_id = city_unit.id,
			     .region = city_unit.region,
			     .level = city_unit.level,
			     .credit_office = 1};
	struct xy_resource q = {.role = -1, .purpose = P};
	struct xy_resource rec = {.role = -1,
				  .unit_id = city_provider.id,
				  .region = city_provider.region,
				  .level = city_provider.level,
				  .dataset = "XZCF",
				  .sharing = PUB,
				  .purpose = P};
	struct xy_resource county = rec, own = rec,
			   unit = {.role = -1,
				   .unit_id = city_unit.id,
				   .region = "360400",
				   .level = XY_JUR_CITY};
	static const enum xy_action others[] = {
		XY_ACT_ACCOUNT_READ, XY_ACT_ACCOUNT_LIST,   XY_ACT_UNIT_READ,
		XY_ACT_BATCH_UPLOAD, XY_ACT_AGREEMENT_READ, XY_ACT_AGREEMENT_MANAGE,
		XY_ACT_AUTH_REQUEST, XY_ACT_AUTH_DECIDE,    XY_ACT_AUTH_READ,
		XY_ACT_CLIENT_READ,  XY_ACT_CLIENT_MANAGE,  XY_ACT_INCIDENT_READ,
		XY_ACT_SECTION_READ, XY_ACT_SECTION_MANAGE,
	};
	struct xy_decision d;
	(void)state;
	set_agreements(&c, AG_FULL);
	xy_policy_decide(&c, XY_ACT_QUERY, &q, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "agreement");
	assert_int_equal(d.agreement_id, 501);
	xy_policy_decide(&c, XY_ACT_RECORD_READ, &rec, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "city_unit_city_level");
	assert_false(d.clear);
	/* Not the credit office's reach, though it claimed the role. */
	county.unit_id = c02_provider.id;
	county.region = c02_provider.region;
	county.level = c02_provider.level;
	xy_policy_decide(&c, XY_ACT_RECORD_READ, &county, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "outside_jurisdiction");
	/* Not a provider's clear view of its own unit's records either. */
	own.unit_id = city_unit.id;
	xy_policy_decide(&c, XY_ACT_RECORD_READ, &own, NOW, &d);
	assert_true(d.allow);
	assert_false(d.clear);
	/* Without agreements, nothing. */
	set_agreements(&c, AG_NONE);
	xy_policy_decide(&c, XY_ACT_QUERY, &q, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "no_agreement");
	for (size_t i = 0; i < ARRAY_LEN(others); i++) {
		xy_policy_decide(&c, others[i], &unit, NOW, &d);
		if (d.allow || strcmp(d.reason, "machine_client") != 0)
			fail_msg("action %s: got %d %s", xy_action_name(others[i]), d.allow,
				 d.reason);
	}
	/* A revoked client (not active), and an actor claiming to be both. */
	set_agreements(&c, AG_FULL);
	c.active = 0;
	xy_policy_decide(&c, XY_ACT_QUERY, &q, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "account_not_active");
	c.active = 1;
	c.account_id = 100;
	xy_policy_decide(&c, XY_ACT_QUERY, &q, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "machine_client");
}

/* SHR-6: clients are created and revoked by the credit office. */
static void test_shr6_clients_are_managed_by_the_credit_office(void **state)
{
	struct xy_actor city = {.account_id = 1,
				.roles = CA,
				.active = 1,
				.unit_id = 10,
				.region = "360400",
				.level = XY_JUR_CITY,
				.credit_office = 1};
	struct xy_actor county = city, staff = city;
	struct xy_resource in03 = {
		.role = -1, .unit_id = 30, .region = "360403", .level = XY_JUR_COUNTY};
	struct xy_decision d;
	(void)state;
	county.region = "360402";
	county.level = XY_JUR_COUNTY;
	staff.roles = UU;
	staff.credit_office = 0;
	staff.unit_id = 30;
	xy_policy_decide(&city, XY_ACT_CLIENT_MANAGE, &in03, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&county, XY_ACT_CLIENT_MANAGE, &in03, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "outside_jurisdiction");
	xy_policy_decide(&staff, XY_ACT_CLIENT_MANAGE, &in03, NOW, &d);
	assert_false(d.allow);
	xy_policy_decide(&staff, XY_ACT_CLIENT_READ, &in03, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "own_unit");
	staff.unit_id = 21;
	xy_policy_decide(&staff, XY_ACT_CLIENT_READ, &in03, NOW, &d);
	assert_false(d.allow);
}

/* SHR-7 / SOD-4: who asks for an export, who decides, who takes the file. */
static void
test_shr7_exports_asked_by_queriers_decided_by_the_office_taken_by_the_requester(void **state)
{
	struct xy_actor ca = {.account_id = 1,
			      .roles = CA,
			      .active = 1,
			      .unit_id = 10,
			      .region = "360400",
			      .level = XY_JUR_CITY,
			      .credit_office = 1};
	struct xy_actor county_ca = ca, user = ca, auditor = ca;
	struct xy_resource req = {.role = -1,
				  .account_id = 100,
				  .unit_id = c02_unit.id,
				  .region = c02_unit.region,
				  .level = c02_unit.level};
	struct xy_resource other_county = req;
	struct xy_decision d;
	(void)state;
	county_ca.region = "360403";
	county_ca.level = XY_JUR_COUNTY;
	user.account_id = 100;
	user.roles = UU;
	user.credit_office = 0;
	user.unit_id = c02_unit.id;
	auditor.roles = AUD;
	auditor.credit_office = 0;
	other_county.region = "360403";
	xy_policy_decide(&user, XY_ACT_EXPORT_REQUEST, NULL, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&auditor, XY_ACT_EXPORT_REQUEST, NULL, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "no_query_role");
	xy_policy_decide(&ca, XY_ACT_EXPORT_DECIDE, &req, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&county_ca, XY_ACT_EXPORT_DECIDE, &req, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "outside_jurisdiction");
	xy_policy_decide(&county_ca, XY_ACT_EXPORT_DECIDE, &other_county, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&user, XY_ACT_EXPORT_DECIDE, &req, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "own_request");
	req.account_id = ca.account_id; /* the credit administrator's own request */
	xy_policy_decide(&ca, XY_ACT_EXPORT_DECIDE, &req, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "own_request");
	xy_policy_decide(&ca, XY_ACT_EXPORT_DOWNLOAD, &req, NOW, &d);
	assert_true(d.allow);
	req.account_id = 100;
	xy_policy_decide(&ca, XY_ACT_EXPORT_DOWNLOAD, &req, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "not_requester");
	xy_policy_decide(&user, XY_ACT_EXPORT_DOWNLOAD, &req, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&auditor, XY_ACT_EXPORT_READ, &req, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&auditor, XY_ACT_EXPORT_DOWNLOAD, &req, NOW, &d);
	assert_false(d.allow);
}

/* POR-3: objections and repair applications are the credit office's to read, within
 * its jurisdiction (the record's providing unit); not the provider's staff, not a unit
 * user, not a credit administrator outside the credit office. */
static void test_por3_cases_are_read_by_the_credit_office_in_jurisdiction(void **state)
{
	struct xy_actor city = {.account_id = 1,
				.roles = CA,
				.active = 1,
				.unit_id = 10,
				.region = "360400",
				.level = XY_JUR_CITY,
				.credit_office = 1};
	struct xy_actor county = city, provider = city, elsewhere = city;
	struct xy_resource in02 = {
		.role = -1, .unit_id = 22, .region = "360402", .level = XY_JUR_COUNTY};
	struct xy_resource in03 = in02;
	struct xy_decision d;
	(void)state;
	in03.unit_id = 31;
	in03.region = "360403";
	county.region = "360402";
	county.level = XY_JUR_COUNTY;
	county.unit_id = 20;
	provider.roles = UU;
	provider.credit_office = 0;
	provider.unit_id = 22;
	provider.region = "360402";
	provider.level = XY_JUR_COUNTY;
	elsewhere.credit_office = 0;
	elsewhere.unit_id = 21;
	xy_policy_decide(&city, XY_ACT_CASE_READ, &in03, NOW, &d);
	assert_true(d.allow);
	assert_string_equal(d.reason, "credit_admin_in_jurisdiction");
	xy_policy_decide(&county, XY_ACT_CASE_READ, &in02, NOW, &d);
	assert_true(d.allow);
	xy_policy_decide(&county, XY_ACT_CASE_READ, &in03, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "outside_jurisdiction");
	xy_policy_decide(&provider, XY_ACT_CASE_READ, &in02, NOW, &d);
	assert_false(d.allow);
	assert_string_equal(d.reason, "no_rule_allows");
	xy_policy_decide(&elsewhere, XY_ACT_CASE_READ, &in02, NOW, &d);
	assert_false(d.allow);
	city.active = 0;
	xy_policy_decide(&city, XY_ACT_CASE_READ, &in02, NOW, &d);
	assert_false(d.allow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shr1_shr2_shr3_shr5_record_read_table),
		cmocka_unit_test(test_shr5_query_needs_an_agreement_for_the_purpose),
		cmocka_unit_test(
			test_shr5_agreements_are_recorded_by_the_credit_office_in_jurisdiction),
		cmocka_unit_test(test_shr3_authorisation_request_reach_and_sod4_decision),
		cmocka_unit_test(test_shr6_machine_client_queries_as_its_unit_and_nothing_else),
		cmocka_unit_test(test_shr6_clients_are_managed_by_the_credit_office),
		cmocka_unit_test(
			test_shr7_exports_asked_by_queriers_decided_by_the_office_taken_by_the_requester),
		cmocka_unit_test(test_por3_cases_are_read_by_the_credit_office_in_jurisdiction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
