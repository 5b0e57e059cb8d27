/* Authorisations (SHR-3, 授权): a using unit asks a providing unit for its
 * authorised-use records of a dataset — for a list of subjects or every
 * subject in the unit's scope, for a purpose, for a period, with or without
 * clear values of masked fields.  The providing unit approves or rejects;
 * an approval gives grants with a start and an end, after which access
 * stops by itself; the provider may revoke them sooner.  Nobody decides
 * their own request (SOD-4).
 *
 * Built on a small request core (store: requests, request_subjects): a
 * request has a kind, a requesting and a deciding unit, a state
 * submitted → approved | rejected, approved → revoked, and one transition
 * at a time (two deciders at once: exactly one wins, the other gets
 * XY_ECONFLICT).  The Approvals issue generalises it to every kind. */
#ifndef XY_SVC_AUTHORISE_H
#define XY_SVC_AUTHORISE_H

#include "store/store.h"
#include "svc/service.h"

#define XY_AUTH_SUBJECTS_MAX 1000 /* subjects named in one request */
#define XY_AUTH_DAYS_MAX     366  /* longest period one request may ask */

struct xy_auth_req {
	const char *dataset;
	const char *provider; /* the providing unit's code */
	const char *purpose;
	const char *const *subjects; /* codes or identity numbers */
	int nsubjects;
	int all;			   /* every subject in the unit's scope (no list) */
	const char *valid_from, *valid_to; /* YYYY-MM-DD, China days, inclusive */
	int clear;			   /* clear values of masked fields are needed */
	const char *clear_reason;	   /* why (required with clear) */
	const char *reason;		   /* why the unit needs the data */
};

/* XY_EINVAL with *why the field ("subjects[3]"…); XY_EDENIED with *why the
 * policy's reason (audited). */
int xy_auth_submit(struct xy_ctx *cx, const struct xy_auth_req *in, int64_t *id, const char **why);

/* A request as its readers see it. */
struct xy_auth_view {
	const struct xy_request *r;
	const char *requester;		       /* account name */
	const char *requester_unit, *provider; /* unit codes */
	const char *decided_by;		       /* account name or NULL */
	long subjects_asked, subjects_known;
	const struct xy_grant *grants;
	int ngrants;
};

/* XY_ENOTFOUND for an unknown request and for one the caller may not read
 * (the same answer). */
int xy_auth_get(struct xy_ctx *cx, int64_t id, int (*fn)(void *arg, const struct xy_auth_view *v),
		void *arg);
/* Requests the caller may read, newest first before before_id. */
int xy_auth_list(struct xy_ctx *cx, const char *state, int64_t before_id, int limit,
		 int (*fn)(void *arg, const struct xy_auth_view *v), void *arg, int64_t *next,
		 const char **why);
/* Approve (note optional) or reject (note required); XY_ECONFLICT with
 * *why "not_pending" when it was decided already. */
int xy_auth_decide(struct xy_ctx *cx, int64_t id, int approve, const char *note, const char **why);
/* Ends the grants of an approved request now. */
int xy_auth_revoke(struct xy_ctx *cx, int64_t id, const char *reason, const char **why);

#endif
