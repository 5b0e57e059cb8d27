/* What may be published (NET-1, POR-1): the pure rules of the publisher
 * (svc/publish.c).  A record reaches the public portal while it is active,
 * its dataset public, its subject publishable and its display period (公示期)
 * not over; otherwise the reason it is not there is one of the removal
 * reasons of a change set (docs/FORMATS.md).  No I/O. */
#ifndef XY_CORE_PUBLISH_H
#define XY_CORE_PUBLISH_H

#include <stdint.h>

#include "core/catalog.h"

enum xy_pub_reason {
	XY_PUB_SHOWN = 0,     /* published today */
	XY_PUB_DISPLAY_ENDED, /* its display period is over (or it has none: 轻微) */
	XY_PUB_REVOKED,	      /* the decision was revoked */
	XY_PUB_CORRECTED,     /* a new version replaces it */
	XY_PUB_REPAIRED,      /* credit repair (信用修复) ended its display early */
	XY_PUB_WITHDRAWN,     /* not (or no longer) publishable: dataset, subject, record gone */
	XY_PUB__REASONS
};

/* The reason's name in a change set ("display_ended" …; "" for SHOWN). */
const char *xy_pub_reason_name(enum xy_pub_reason r);

/* Whether a record is published on day today (a China day number), and if
 * not why.  status: the record's status in the store ("active", "revoked",
 * "corrected", "repaired"; anything else counts as withdrawn); natural: its
 * subject is a natural person; display_until: the last day of its display
 * period, inclusive (XY_NOT_DISPLAYED: never displayed).
 *
 * A public dataset without a display rule publishes nothing: the national
 * rules tie every publication to a display period that ends by itself
 * (SHUANGGONGSHI.md, "Publication rules"), and without a rule there is no
 * end to count to. */
enum xy_pub_reason xy_pub_decide(const struct xy_dataset *ds, const char *status, int natural,
				 int32_t display_until, int32_t today);

/* The field holding a record's decision date (a change set's "date"): the
 * display period's "from" field, else the dataset's first date field; -1
 * when there is none. */
int xy_pub_date_field(const struct xy_dataset *ds);

/* The scheduled publisher (xinyong serve): due when interval_s seconds have
 * passed since the last run, or when the China day changed since then (at
 * midnight, so that a display period that ended yesterday leaves on time).
 * interval_s 0: never (off). */
int xy_pub_due(int64_t last_us, int32_t last_day, int64_t now_us, int32_t today, long interval_s);

#endif
