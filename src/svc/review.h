/* Review of the audit trail (AUD-5): the auditor's search, its export and
 * the anomaly reports; and, for the credit office, "who looked at me" —
 * which units viewed a subject's records, when and why.  Every use asks the
 * policy (XY_ACT_AUDIT_REVIEW / _SUBJECT_REPORT) and is itself audited. */
#ifndef XY_SVC_REVIEW_H
#define XY_SVC_REVIEW_H

#include "svc/service.h"

#define XY_REVIEW_WINDOW     1000000 /* events one search page looks through */
#define XY_REVIEW_PAGE_MAX   500
#define XY_REVIEW_EXPORT_MAX 100000	    /* events in one export */
#define XY_REVIEW_SCAN_MAX   2000000	    /* events one report reads */
#define XY_REVIEW_RANGE_MAX  (31LL * 86400) /* seconds one report spans */
#define XY_REVIEW_EVENTS_MAX 50		    /* event numbers listed per finding */

struct xy_review_query {
	const char *account, *unit, *action, *result, *zone, *client;
	const char *subject; /* a subject's code: events that name it */
	const char *dataset;
	int64_t from_us, to_us; /* 0: open */
	int64_t before;		/* events below this number (0: the newest) */
	int limit;
};

typedef int (*xy_review_fn)(void *arg, const struct xy_store_event *ev);

/* Newest first, at most q->limit; looks through XY_REVIEW_WINDOW events
 * below q->before at most.  *next: where the next page starts (0: the
 * trail's beginning was reached).  Audited as "audit.search". */
int xy_review_search(struct xy_ctx *cx, const struct xy_review_query *q, xy_review_fn fn, void *arg,
		     int64_t *next, const char **why);
/* The same search as CSV into out (at most XY_REVIEW_EXPORT_MAX events),
 * audited as "audit.export" with its rows and SM3. */
int xy_review_export(struct xy_ctx *cx, const struct xy_review_query *q, struct xy_buf *out,
		     long *rows, const char **why);

struct xy_anomaly {
	const char *kind; /* bulk_query, off_hours, signin_failures, inactive_account, export */
	char account[96];
	int64_t from_us, to_us; /* the hour, day or moment it covers */
	long count;
	char detail[160];
	int64_t events[XY_REVIEW_EVENTS_MAX];
	int nevents;
};

#define XY_REVIEW_YEARS_MAX 2 /* calendar years one report spans */

struct xy_anomaly_report {
	int64_t from_us, to_us;
	long scanned;
	int truncated; /* XY_REVIEW_SCAN_MAX reached before to_us */
	/* Years of the range DIR/calendar.txt does not cover: off-hours
	 * findings there follow the working weekdays alone. */
	int uncovered[XY_REVIEW_YEARS_MAX];
	int nuncovered;
	char error[256]; /* XY_ECONFIG: what is wrong ("calendar.txt: line 7: …") */
};

/* The anomaly reports over [from, to) (at most XY_REVIEW_RANGE_MAX): fn is
 * called for each finding, in time order per kind.  Audited as
 * "audit.anomalies".  A malformed [audit] setting or DIR/calendar.txt is
 * XY_ECONFIG with rep->error naming it (the line of the calendar). */
int xy_review_anomalies(struct xy_ctx *cx, int64_t from_us, int64_t to_us,
			int (*fn)(void *arg, const struct xy_anomaly *a), void *arg,
			struct xy_anomaly_report *rep, const char **why);

struct xy_viewer {
	char unit[32];
	char unit_name[128];
	long count;
	int64_t first_us, last_us;
	char purposes[256]; /* comma-separated codes */
};

struct xy_viewer_report {
	int64_t subject_id;
	int64_t from_us, to_us;
	long scanned;
	int truncated;
	long events;
};

/* Who viewed the subject with this code over [from, to): per unit, how
 * often, first and last time, for which purposes (subject queries naming it
 * and dataset pages that returned its records).  Audited as
 * "audit.subject_report". */
int xy_review_viewers(struct xy_ctx *cx, const char *code, int64_t from_us, int64_t to_us,
		      int (*fn)(void *arg, const struct xy_viewer *v), void *arg,
		      struct xy_viewer_report *rep, const char **why);

#endif
