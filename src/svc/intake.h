/* Submissions from the portal (POR-3): objections (异议) and credit repair
 * applications (信用修复) arrive as files signed with a registered portal's own key
 * (docs/FORMATS.md "Submissions"), ferried into DIR/inbox/NAME/ for the portal
 * registered as NAME.  The intake takes them in sequence order: signature, sequence
 * (no gap, no replay), size and schema; each valid line opens a case with the ticket
 * number and check-code digest the portal gave the submitter; the submitter's details
 * are sealed.  A refused file goes to DIR/quarantine/ and leaves an alarm in the
 * audit trail and the running log; one bad line refuses that line only.
 *
 * Handling the cases is the approvals engine's (issue 7); here they are received,
 * listed and read. */
#ifndef XY_SVC_INTAKE_H
#define XY_SVC_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

struct xy_service;
struct xy_instance;
struct xy_ctx;

#define XY_INTAKE_FILES_MAX 1000 /* files looked at per portal per run */

struct xy_intake_result {
	long files;	  /* taken */
	long cases;	  /* opened */
	long refused;	  /* lines refused */
	long quarantined; /* files refused whole */
	long waiting;	  /* portals whose next file is missing while a later one is there */
};

/* Registers a portal's public key (PEM file contents) under name ([a-z0-9-]{1,64}),
 * audited as `portal.register` by "local".  XY_EEXISTS for a name or key already
 * registered, XY_EINVAL (why: "name" or "key"). */
int xy_intake_register(struct xy_instance *inst, const char *name, const char *pem, size_t n,
		       const char **why);

/* One pass over every registered portal's inbox folder, as "system:intake". */
int xy_intake_run(struct xy_service *svc, struct xy_intake_result *r);

/* ---- the cases, for staff (policy: XY_ACT_CASE_READ) ---- */

struct xy_case_view {
	const struct xy_case *c;
	const char *unit_code, *unit_name; /* the record's providing unit ("" unknown) */
	/* the submitter's details (detail only; NULL in lists) */
	const char *name, *contact, *reason;
};

/* Cases the caller may see, audited as one `case.list`.  why: "kind", "status". */
int xy_case_list(struct xy_ctx *cx, const char *kind, const char *status, int64_t after, int limit,
		 int (*fn)(void *arg, const struct xy_case_view *v), void *arg, const char **why);
/* One case with the submitter's details, audited as `case.read`. */
int xy_case_get(struct xy_ctx *cx, const char *ticket,
		int (*fn)(void *arg, const struct xy_case_view *v), void *arg);

/* 1 when s is a ticket number as the portal makes them: "YY", eight digits of a date,
 * six digits. */
int xy_ticket_valid(const char *s, size_t n);

#endif
