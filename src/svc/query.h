/* Queries (SHR-1..5): a subject and its records, a search by name or code,
 * a dataset's records.  Every query names a purpose; every record is asked
 * of the policy decision on its own, and one that may not be seen is not
 * mentioned at all; every value a viewer may not see in clear is masked
 * here, before the record leaves the service (SHR-4); every query is
 * audited with its purpose, the agreements and grants it relied on and the
 * ids of the records it returned (AUD-1). */
#ifndef XY_SVC_QUERY_H
#define XY_SVC_QUERY_H

#include "core/catalog.h"
#include "store/store.h"
#include "svc/recview.h"
#include "svc/service.h"

#define XY_QUERY_RECORDS_MAX 500   /* records in one subject answer */
#define XY_SEARCH_LIMIT_MAX  100   /* subjects in one page of a search */
#define XY_SEARCH_SCAN_MAX   2000  /* candidates one page looks at */
#define XY_DATASET_SCAN_MAX  20000 /* records one page of a dataset reads */
#define XY_QUERY_LINES_MAX   4096  /* agreement lines and grants one query loads */

struct xy_qrec {
	int64_t id;
	const struct xy_dataset *ds;
	const struct xy_unit *provider;
	int64_t subject_id;
	int64_t submitted_us;
	int32_t valid_until, display_until; /* XY_NO_END / XY_NOT_DISPLAYED */
	const char *basis;		    /* the decision's reason */
	int64_t agreement_id, grant_id;	    /* what it relied on (0: none) */
	int clear;			    /* shown without masks */
	const struct xy_qfield *fields;	    /* catalog order, only fields with a value */
	int nfields;
};

typedef int (*xy_qrec_fn)(void *arg, const struct xy_qrec *r);

/* The subject as the viewer may see it. */
struct xy_qsubject {
	int64_t id;
	int natural;
	char code[XY_SUBJECT_CODE_MAX + 1]; /* natural persons: masked */
	char code_type[16];
	char name[XY_NAME_MAX]; /* natural persons: from a visible record, masked
				 * unless that record is shown in clear */
	char region[XY_REGION_CODE_MAX + 1];
};

struct xy_subject_query {
	const char *purpose;
	const char *code;    /* a legal person's code or an identity number */
	const char *id_type; /* natural persons' document type (NULL: 身份证) */
};

/* GET /api/v1/subjects/{code}: fn for each visible record (grouped by
 * dataset), then *out and *more (records beyond XY_QUERY_RECORDS_MAX).
 * XY_EINVAL with *why "purpose_required", "purpose" or "code";
 * XY_EDENIED with *why the policy's reason ("no_agreement"…);
 * XY_ENOTFOUND when the subject is unknown or nothing of it is visible
 * (the same answer, so a query cannot learn that hidden records exist). */
int xy_query_subject(struct xy_ctx *cx, const struct xy_subject_query *in, xy_qrec_fn fn, void *arg,
		     struct xy_qsubject *out, int *more, const char **why);

struct xy_search {
	const char *purpose;
	const char *q;	    /* a name (any part) or a code prefix */
	const char *cursor; /* from the previous page, NULL for the first */
	int limit;	    /* 1..XY_SEARCH_LIMIT_MAX */
};

/* One search hit: the subject and how many records of each dataset the
 * viewer may see. */
struct xy_search_hit {
	const struct xy_qsubject *s;
	const char *const *datasets;
	const int *counts;
	int ndatasets;
};

/* GET /api/v1/subjects?q=: subjects that have a record the viewer may see;
 * next gets the cursor of the next page ("" at the end). */
int xy_query_search(struct xy_ctx *cx, const struct xy_search *in,
		    int (*fn)(void *arg, const struct xy_search_hit *h), void *arg, char *next,
		    size_t nextcap, const char **why);

struct xy_dataset_query {
	const char *purpose;
	const char *dataset;
	const char *unit; /* a providing unit's code, or NULL */
	int64_t after;	  /* record id cursor */
	int limit;	  /* 1..XY_PAGE_MAX */
};

/* GET /api/v1/datasets/{code}/records: visible records in id order after
 * the cursor; *next the cursor of the next page (0 at the end). */
int xy_query_dataset(struct xy_ctx *cx, const struct xy_dataset_query *in, xy_qrec_fn fn, void *arg,
		     int64_t *next, const char **why);

/* A subject by code: a legal person by any of its codes, else a natural
 * person by the blind index of document type (NULL: 身份证) and number.
 * XY_ENOTFOUND.  (No policy: callers decide what the caller may learn.) */
int xy_query_find_subject(struct xy_ctx *cx, const char *code, const char *id_type,
			  struct xy_subject *s);
/* 1 when c can be a subject code (1..64 letters, digits, '-'). */
int xy_query_valid_code(const char *c);

/* Adds new subjects' names to the search index (the server calls it after
 * an upload and from its maintenance thread). */
int xy_query_index_names(struct xy_service *svc, long *n);

#endif
