/* libFuzzer target: change-set lines and headers as the portal checks them
 * (src/ferry/csline.h), the bytes a compromised or broken publisher could send. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ferry/csline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xy_csline l;
	char err[256];
	int snapshot;
	if (xy_csline_parse((const char *)data, size, &l, err, sizeof err) == 0) {
		json_t *hdr = l.root;
		(void)xy_csheader_check(hdr, &snapshot, err, sizeof err);
		xy_csline_cleanup(&l);
	}
	return 0;
}
