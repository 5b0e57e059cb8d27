/* The policy decision: see policy.h.  Each rule names the requirement it
 * carries out. */
#include <string.h>

#include "core/catalog.h"
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
	[XY_ACT_QUERY] = "query",
	[XY_ACT_RECORD_READ] = "record.read",
	[XY_ACT_AGREEMENT_MANAGE] = "agreement.manage",
	[XY_ACT_AGREEMENT_READ] = "agreement.read",
	[XY_ACT_AUTH_REQUEST] = "authorisation.request",
	[XY_ACT_AUTH_DECIDE] = "authorisation.decide",
	[XY_ACT_AUTH_REVOKE] = "authorisation.revoke",
	[XY_ACT_AUTH_READ] = "authorisation.read",
	[XY_ACT_CLIENT_MANAGE] = "client.manage",
	[XY_ACT_CLIENT_READ] = "client.read",
	[XY_ACT_EXPORT_REQUEST] = "export.request",
	[XY_ACT_EXPORT_DECIDE] = "export.decide",
	[XY_ACT_EXPORT_READ] = "export.read",
	[XY_ACT_EXPORT_DOWNLOAD] = "export.download",
	[XY_ACT_AUDIT_REVIEW] = "audit.review",
	[XY_ACT_AUDIT_SUBJECT_REPORT] = "audit.subject_report",
	[XY_ACT_CASE_READ] = "case.read",
	[XY_ACT_SECTION_MANAGE] = "section.manage",
	[XY_ACT_SECTION_READ] = "section.read",
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

/* The China calendar day of a microsecond time. */
static int32_t china_day(int64_t us)
{
	int64_t s = us / 1000000 + 8 * 3600;
	return (int32_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}

/* SHR-5: an agreement line for dataset (NULL: any) and purpose, valid today. */
static const struct xy_agreement_ref *agreement_for(const struct xy_actor *a, const char *dataset,
						    const char *purpose, int64_t now)
{
	int32_t today = china_day(now);
	if (!purpose)
		return NULL;
	for (int i = 0; i < a->nagreements; i++) {
		const struct xy_agreement_ref *g = &a->agreements[i];
		if (g->from <= today && today <= g->to && g->purpose && g->dataset &&
		    !strcmp(g->purpose, purpose) && (!dataset || !strcmp(g->dataset, dataset)))
			return g;
	}
	return NULL;
}

/* SHR-3: a grant for this record (its provider, dataset, purpose, subject)
 * in force now; one with clear values preferred. */
static const struct xy_grant_ref *grant_for(const struct xy_actor *a, const struct xy_resource *r,
					    int64_t now)
{
	const struct xy_grant_ref *best = NULL;
	for (int i = 0; i < a->ngrants; i++) {
		const struct xy_grant_ref *g = &a->grants[i];
		if (g->start_us <= now && now < g->end_us && g->provider_unit_id == r->unit_id &&
		    g->dataset && r->dataset && !strcmp(g->dataset, r->dataset) && g->purpose &&
		    r->purpose && !strcmp(g->purpose, r->purpose) &&
		    (g->subject_id == 0 || g->subject_id == r->subject_id) &&
		    (!best || (g->clear && !best->clear)))
			best = g;
	}
	return best;
}

static void verdict(struct xy_decision *d, int allow, const char *reason)
{
	d->allow = allow;
	d->reason = reason;
}

/* SHR-5: may the actor query at all with this purpose? */
static void decide_query(const struct xy_actor *a, const struct xy_resource *r, int64_t now,
			 struct xy_decision *d)
{
	const struct xy_agreement_ref *g;
	if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office) {
		verdict(d, 1, "credit_office");
	} else if (has(a, XY_ROLE_UNIT_USER) && (g = agreement_for(a, NULL, r->purpose, now))) {
		verdict(d, 1, "agreement");
		d->agreement_id = g->id;
	} else if (has(a, XY_ROLE_PROVIDER_OPERATOR)) {
		verdict(d, 1, "own_unit_records"); /* what it provided, nothing else */
	} else {
		verdict(d, 0, has(a, XY_ROLE_UNIT_USER) ? "no_agreement" : "no_query_role");
	}
}

/* SHR-2 (JJ art.18) for one record, then SHR-4's clear-or-masked. */
static void decide_record(const struct xy_actor *a, const struct xy_resource *r, int64_t now,
			  struct xy_decision *d)
{
	int authorised = r->sharing == XY_SHARE_AUTHORISED;
	int own_county = r->level == XY_JUR_COUNTY && a->region && r->region &&
			 !strcmp(a->region, r->region);
	const struct xy_agreement_ref *ag;
	const struct xy_grant_ref *gr;

	if (has(a, XY_ROLE_PROVIDER_OPERATOR) && r->unit_id && r->unit_id == a->unit_id) {
		verdict(d, 1, "own_unit_records"); /* the provider sees what it gave */
		d->clear = 1;
		return;
	}
	if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office) {
		if (authorised)
			verdict(d, 0, "authorised_use_not_for_credit_office");
		else if (a->level == XY_JUR_CITY)
			verdict(d, 1, "city_credit_admin"); /* clause 1 */
		else if (a->level == XY_JUR_COUNTY && own_county)
			verdict(d, 1, "county_credit_admin_own_county"); /* clause 3 */
		else
			verdict(d, 0, "outside_jurisdiction");
		return;
	}
	if (!has(a, XY_ROLE_UNIT_USER))
		return; /* no_rule_allows */
	/* Clauses 2 and 3: which records a using unit's level reaches. */
	if (a->level == XY_JUR_CITY ? r->level != XY_JUR_CITY : !own_county) {
		verdict(d, 0, "outside_jurisdiction");
		return;
	}
	if (!(ag = agreement_for(a, r->dataset, r->purpose, now))) {
		verdict(d, 0, "no_agreement");
		return;
	}
	d->agreement_id = ag->id;
	if (!authorised) {
		verdict(d, 1,
			a->level == XY_JUR_CITY ? "city_unit_city_level"
						: "county_unit_own_county");
		return;
	}
	if (!(gr = grant_for(a, r, now))) {
		verdict(d, 0, "needs_authorisation");
		return;
	}
	verdict(d, 1, "authorised_by_grant");
	d->grant_id = gr->id;
	d->clear = gr->clear;
}

/* SHR-3: a using unit asks for the authorised-use records of a providing
 * unit it could see through a grant (the reach of SHR-2 clauses 2 and 3),
 * for a dataset and purpose its agreement covers. */
static void decide_auth_request(const struct xy_actor *a, const struct xy_resource *r, int64_t now,
				struct xy_decision *d)
{
	int own_county = r->level == XY_JUR_COUNTY && a->region && r->region &&
			 !strcmp(a->region, r->region);
	const struct xy_agreement_ref *ag;
	if (!has(a, XY_ROLE_UNIT_USER) || a->credit_office) {
		verdict(d, 0, "needs_using_unit");
	} else if (r->sharing != XY_SHARE_AUTHORISED) {
		verdict(d, 0, "not_authorised_use_data");
	} else if (r->unit_id == a->unit_id) {
		verdict(d, 0, "own_unit_records");
	} else if (a->level == XY_JUR_CITY ? r->level != XY_JUR_CITY : !own_county) {
		verdict(d, 0, "outside_jurisdiction");
	} else if (!(ag = agreement_for(a, r->dataset, r->purpose, now))) {
		verdict(d, 0, "no_agreement");
	} else {
		verdict(d, 1, "agreement");
		d->agreement_id = ag->id;
	}
}

void xy_policy_decide(const struct xy_actor *a, enum xy_action act, const struct xy_resource *r,
		      int64_t now, struct xy_decision *d)
{
	static const struct xy_resource none = {0};
	struct xy_actor client;
	int self;

	if (!r)
		r = &none;
	memset(d, 0, sizeof *d);
	verdict(d, 0, "no_rule_allows"); /* ACC-11: nothing by default */
	if (!a || !(a->account_id || a->client_id) || !a->active) {
		verdict(d, 0, "account_not_active");
		return;
	}
	if (a->client_id) {
		/* SHR-6: a using unit's system, querying and nothing else,
		 * whatever roles the caller filled in. */
		if (a->account_id || (act != XY_ACT_QUERY && act != XY_ACT_RECORD_READ)) {
			verdict(d, 0, "machine_client");
			return;
		}
		client = *a;
		client.roles = XY_ROLE_BIT(XY_ROLE_UNIT_USER);
		client.credit_office = 0;
		client.setup_pending = 0;
		a = &client;
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
	case XY_ACT_QUERY:
		decide_query(a, r, now, d);
		break;
	case XY_ACT_RECORD_READ:
		decide_record(a, r, now, d);
		break;
	case XY_ACT_AGREEMENT_MANAGE:
		/* The credit office records agreements; a county office for the
		 * units of its county. */
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office)
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "credit_admin_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_AGREEMENT_READ:
		/* Whoever may manage it, the auditor, and the unit's own staff. */
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office && in_jurisdiction(a, r))
			verdict(d, 1, "credit_admin_in_jurisdiction");
		else if (has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "auditor");
		else if (a->roles && r->unit_id && r->unit_id == a->unit_id)
			verdict(d, 1, "own_unit");
		break;
	case XY_ACT_AUTH_REQUEST:
		decide_auth_request(a, r, now, d);
		break;
	case XY_ACT_AUTH_DECIDE:
	case XY_ACT_AUTH_REVOKE:
		/* The providing unit consents (JJ art.18); nobody decides their
		 * own request (SOD-4). */
		if (act == XY_ACT_AUTH_DECIDE && self)
			verdict(d, 0, "own_request");
		else if (!has(a, XY_ROLE_PROVIDER_OPERATOR) || !r->unit_id ||
			 r->unit_id != a->unit_id)
			verdict(d, 0, "not_providing_unit");
		else
			verdict(d, 1, "providing_unit");
		break;
	case XY_ACT_AUTH_READ:
		if (a->roles && r->unit_id && r->unit_id == a->unit_id)
			verdict(d, 1, "providing_unit");
		else if (a->roles && r->requester_unit_id && r->requester_unit_id == a->unit_id)
			verdict(d, 1, "requesting_unit");
		else if (has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "auditor");
		else if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office && in_jurisdiction(a, r))
			verdict(d, 1, "credit_admin_in_jurisdiction");
		break;
	case XY_ACT_CLIENT_MANAGE:
		/* Created and revoked by the credit office, like agreements. */
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office)
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "credit_admin_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_CLIENT_READ:
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office && in_jurisdiction(a, r))
			verdict(d, 1, "credit_admin_in_jurisdiction");
		else if (has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "auditor");
		else if (a->roles && r->unit_id && r->unit_id == a->unit_id)
			verdict(d, 1, "own_unit");
		break;
	case XY_ACT_EXPORT_REQUEST:
		/* Whoever may query may ask; the query itself is decided again,
		 * record by record, when the file is made. */
		if ((has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office) ||
		    has(a, XY_ROLE_UNIT_USER) || has(a, XY_ROLE_PROVIDER_OPERATOR))
			verdict(d, 1, "may_query");
		else
			verdict(d, 0, "no_query_role");
		break;
	case XY_ACT_EXPORT_DECIDE:
		/* The credit office over the requesting unit, never on its own
		 * request (SOD-4). */
		if (self)
			verdict(d, 0, "own_request");
		else if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office)
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "credit_admin_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_EXPORT_READ:
		if (self)
			verdict(d, 1, "requester");
		else if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office && in_jurisdiction(a, r))
			verdict(d, 1, "credit_admin_in_jurisdiction");
		else if (has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "auditor");
		break;
	case XY_ACT_EXPORT_DOWNLOAD:
		/* The file goes to the account that asked and was approved. */
		verdict(d, self, self ? "requester" : "not_requester");
		break;
	case XY_ACT_AUDIT_REVIEW:
		/* The auditor alone reads the trail (AUD-5, HH A2 art.5). */
		verdict(d, has(a, XY_ROLE_AUDITOR),
			has(a, XY_ROLE_AUDITOR) ? "auditor" : "auditor_only");
		break;
	case XY_ACT_AUDIT_SUBJECT_REPORT:
		/* "Who looked at me": the credit office answers a person or an
		 * enterprise about its own records, within its jurisdiction. */
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office && in_jurisdiction(a, r))
			verdict(d, 1, "credit_admin_in_jurisdiction");
		else if (has(a, XY_ROLE_AUDITOR))
			verdict(d, 1, "auditor");
		break;
	case XY_ACT_CASE_READ:
		/* Objections and repair applications are the credit office's to receive
		 * (JJ art.29): its administrators, within their jurisdiction (the
		 * record's providing unit).  The submitter's details go no further
		 * until the approvals engine hands the source unit its part. */
	case XY_ACT_SECTION_MANAGE:
		/* POR-5: the portal's content is the credit office's to publish
		 * (DESIGN §1: credit administrators handle publication).  The
		 * city office manages every section; a county office those whose
		 * responsible unit is in its county.  The responsible unit's own
		 * staff send their text to the office: a unit user or provider
		 * operator publishes nothing to the portal by itself. */
		if (has(a, XY_ROLE_CREDIT_ADMIN) && a->credit_office)
			verdict(d, in_jurisdiction(a, r),
				in_jurisdiction(a, r) ? "credit_admin_in_jurisdiction"
						      : "outside_jurisdiction");
		break;
	case XY_ACT_SECTION_READ:
		/* Sections are public once published; any staff member with a
		 * post (ACC-11: an account without a role holds none) may read
		 * them and the overdue report. */
		if (a->roles)
			verdict(d, 1, "staff_read_sections");
		break;
	case XY_ACT__COUNT:
		break;
	}
}
