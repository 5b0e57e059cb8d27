/* libFuzzer target: the catalog parser (COL-1, COL-3) — a catalog file may
 * come from an operator's hand; it must be refused cleanly, never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xy_catalog *cat = NULL;
	char err[512];

	if (xy_catalog_parse((const char *)data, size, &cat, err, sizeof err) == 0) {
		/* Every header lookup on a parsed catalog stays in bounds. */
		for (int d = 0; d < cat->ndatasets; d++)
			for (int f = 0; f < cat->datasets[d].nfields; f++) {
				const char *name = cat->datasets[d].fields[f].name;
				int i = xy_dataset_match_header(&cat->datasets[d], name,
								strlen(name));
				if (i < -2 || i >= cat->datasets[d].nfields)
					abort();
			}
		xy_catalog_free(cat);
	} else if (err[0] == '\0') {
		abort(); /* a refusal always says why */
	}
	return 0;
}
