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

#endif
