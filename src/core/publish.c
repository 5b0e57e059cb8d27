/* What may be published: see publish.h. */
#include "core/publish.h"

#include <string.h>

#include "core/row.h"

static const char *const reason_names[XY_PUB__REASONS] = {
	[XY_PUB_SHOWN] = "",
	[XY_PUB_DISPLAY_ENDED] = "display_ended",
	[XY_PUB_REVOKED] = "revoked",
	[XY_PUB_CORRECTED] = "corrected",
	[XY_PUB_REPAIRED] = "repaired",
	[XY_PUB_WITHDRAWN] = "withdrawn",
};

const char *xy_pub_reason_name(enum xy_pub_reason r)
{
	return (unsigned)r < XY_PUB__REASONS ? reason_names[r] : "withdrawn";
}

static enum xy_pub_reason by_status(const char *status)
{
	if (status && !strcmp(status, "active"))
		return XY_PUB_SHOWN;
	if (status && !strcmp(status, "revoked"))
		return XY_PUB_REVOKED;
	if (status && !strcmp(status, "corrected"))
		return XY_PUB_CORRECTED;
	if (status && !strcmp(status, "repaired"))
		return XY_PUB_REPAIRED;
	return XY_PUB_WITHDRAWN; /* a status this rule does not know: not shown */
}

enum xy_pub_reason xy_pub_decide(const struct xy_dataset *ds, const char *status, int natural,
				 int32_t display_until, int32_t today)
{
	enum xy_pub_reason r = by_status(status);

	if (r != XY_PUB_SHOWN)
		return r;
	/* NET-1: only public datasets, only subjects the catalog lets out. */
	if (!ds || ds->sharing != XY_SHARE_PUBLIC || !ds->display.present)
		return XY_PUB_WITHDRAWN;
	if (natural && !ds->publish_natural)
		return XY_PUB_WITHDRAWN;
	/* POR-1: within the display period, its last day included. */
	if (display_until == XY_NOT_DISPLAYED || display_until < today)
		return XY_PUB_DISPLAY_ENDED;
	return XY_PUB_SHOWN;
}

int xy_pub_date_field(const struct xy_dataset *ds)
{
	if (ds->display.present && ds->display.from >= 0)
		return ds->display.from;
	for (int i = 0; i < ds->nfields; i++)
		if (ds->fields[i].type == XY_FT_DATE)
			return i;
	return -1;
}

int xy_pub_due(int64_t last_us, int32_t last_day, int64_t now_us, int32_t today, long interval_s)
{
	if (interval_s <= 0)
		return 0;
	if (today != last_day)
		return 1;
	return now_us - last_us >= (int64_t)interval_s * 1000000;
}
