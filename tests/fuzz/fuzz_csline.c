/* libFuzzer target: change-set lines and headers as the portal checks them
 * (src/ferry/csline.h), the bytes a compromised or broken publisher could send.  Also
 * holds the single-pass scanner to the full parser: a line the scanner takes must be
 * taken by the full parser with the same fields (else abort). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ferry/csline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xy_csline l, fast;
	char err[256];
	int snapshot;
	int full = xy_csline_parse_full((const char *)data, size, &l, err, sizeof err);
	if (xy_csline_scan((const char *)data, size, &fast) == 0 &&
	    (full != 0 || !xy_csline_equal(&fast, &l)))
		abort(); /* the scanner took what the full parser refused, or read it otherwise */
	if (full == 0) {
		json_t *hdr = l.root;
		(void)xy_csheader_check(hdr, &snapshot, err, sizeof err);
		xy_csline_cleanup(&l);
	}
	xy_csline_cleanup(&fast);
	return 0;
}
