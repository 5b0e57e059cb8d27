/* Use agreements (SHR-5, 使用协议): the credit office records which datasets
 * a using unit may query, for which purposes, from when to when.  Every
 * query of a using unit is checked against them by the policy decision. */
#ifndef XY_SVC_AGREEMENT_H
#define XY_SVC_AGREEMENT_H

#include "store/store.h"
#include "svc/service.h"

#define XY_AGREEMENT_DATASETS_MAX 64 /* datasets named in one agreement */
#define XY_AGREEMENT_PURPOSES_MAX 32 /* purposes named in one agreement */

struct xy_agreement_req {
	const char *unit; /* the using unit's code */
	const char *const *datasets;
	int ndatasets;
	const char *const *purposes;
	int npurposes;
	const char *valid_from, *valid_to; /* YYYY-MM-DD */
	const char *document;		   /* the signed agreement's reference */
};

/* Records an agreement (every dataset × purpose); *id gets its number.
 * XY_EINVAL with *why naming the field; XY_EDENIED (policy, audited). */
int xy_agreement_create(struct xy_ctx *cx, const struct xy_agreement_req *in, int64_t *id,
			const char **why);
/* Ends an agreement in force (XY_ENOTFOUND when none). */
int xy_agreement_end(struct xy_ctx *cx, int64_t id, const char *reason, const char **why);
/* The agreements of a unit (NULL: every unit the caller may see). */
int xy_agreement_list(struct xy_ctx *cx, const char *unit, int64_t after, int limit,
		      int (*fn)(void *arg, const struct xy_agreement *a, const char *unit_code),
		      void *arg, const char **why);

/* What the signed-in person's unit holds for one purpose (for a machine
 * client: what its unit holds under the agreements it is bound to), loaded into
 * cx->actor for the policy decision: its agreement lines in force today,
 * and its grants in force now (for one subject and the whole-dataset ones,
 * or all of them when subject_id is 0).  At most XY_HOLDINGS_MAX of each. */
#define XY_HOLDINGS_MAX 4096

struct xy_holdings {
	struct xy_agreement_ref *ag;
	struct xy_grant_ref *gr;
	char (*names)[2][XY_CODE_MAX + 1]; /* dataset and purpose of each grant */
	char (*ag_ds)[XY_CODE_MAX + 1];	   /* dataset of each agreement line */
	int nag, ngr, cap_ag, cap_gr;
	const char *purpose;
	const int64_t *only; /* a machine client's agreements (SHR-6): no others */
	int nonly;
};

int xy_holdings_agreements(struct xy_ctx *cx, const char *purpose, struct xy_holdings *h);
int xy_holdings_grants(struct xy_ctx *cx, int64_t subject_id, struct xy_holdings *h);
/* Frees h and takes it out of cx->actor. */
void xy_holdings_free(struct xy_ctx *cx, struct xy_holdings *h);

#endif
