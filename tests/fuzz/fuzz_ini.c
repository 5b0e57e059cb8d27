/* libFuzzer target: the INI configuration reader. */
#include <stddef.h>
#include <stdint.h>

#include "util/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xy_ini *ini = NULL;
	char err[256];
	long v;

	if (xy_ini_parse((const char *)data, size, &ini, err, sizeof err) == 0) {
		(void)xy_ini_get(ini, "import", "txn_rows");
		(void)xy_ini_get_long(ini, "import", "txn_rows", 1, 1, 100, &v);
		xy_ini_free(ini);
	}
	return 0;
}
