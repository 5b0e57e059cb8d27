/* A stored record as a viewer sees it (SHR-4, NET-1): its clear JSON and
 * its sealed values turned into one list of fields in catalog order, each
 * value masked by the field's rule unless the viewer may see it in clear.
 * One code path for every way a record leaves the platform: a query's
 * answer (svc/query.c) and a change set for the portal (svc/publish.c).
 *
 * A sealed value is opened only when something of it will be shown (a
 * field masked to nothing is never opened), and the opened text is wiped
 * as soon as its masked form is made. */
#ifndef XY_SVC_RECVIEW_H
#define XY_SVC_RECVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "store/store.h"
#include "util/buf.h"

struct xy_sealer;

/* One field of a record as the viewer may see it. */
struct xy_qfield {
	const struct xy_field *f;
	const char *v; /* NULL when the mask leaves nothing (null) */
	size_t n;
	int masked;
};

/* For the public (change sets, NET-1): fields marked "publish": false are
 * left out, and so is a value stored sealed whose field has no mask rule
 * (the catalog gave it no public form) and a value masked to nothing; none
 * of them is opened. */
#define XY_RECVIEW_PUBLIC 1

struct xy_recview {
	struct xy_sealer *sealer; /* borrowed: opens values, keys the "hash" mask */
	struct xy_buf vals, plain;
	size_t off[XY_CATALOG_FIELDS_MAX], len[XY_CATALOG_FIELDS_MAX];
	signed char state[XY_CATALOG_FIELDS_MAX]; /* 0 absent, 1 value, 2 masked, 3 null */
	struct xy_qfield fields[XY_CATALOG_FIELDS_MAX];
	const struct xy_dataset *ds;
	int64_t rec_id;
	int clear, flags;
};

void xy_recview_init(struct xy_recview *rv, struct xy_sealer *sealer);
/* Wipes what was shown and frees. */
void xy_recview_cleanup(struct xy_recview *rv);

/* Builds record v of dataset ds: *fields (catalog order, only fields with
 * something to show) and *n, valid until the next build.  Values are in
 * clear when clear is set, else masked where the catalog says (flags: 0 or
 * XY_RECVIEW_PUBLIC).  XY_ETAMPER when the stored values are not what the
 * store wrote (not a JSON object, a sealed value that does not open). */
__attribute__((warn_unused_result)) int xy_recview_build(struct xy_recview *rv,
							 const struct xy_dataset *ds,
							 const struct xy_store_rec_view *v,
							 int clear, int flags,
							 const struct xy_qfield **fields, int *n);

#endif
