/* libFuzzer target: the working-day calendar reader (DIR/calendar.txt,
 * a file an operator edits by hand), and the counts over what it read. */
#include <stddef.h>
#include <stdint.h>

#include "util/workdays.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xy_workdays *c = NULL;
	char err[256];
	int32_t out;
	long n;

	if (xy_workdays_parse((const char *)data, size, &c, err, sizeof err) == 0) {
		/* 2026-02-13 (20497) and a year later */
		(void)xy_workdays_add(c, 20497, 10, &out);
		(void)xy_workdays_between(c, 20497, 20497 + 365, &n);
		(void)xy_workdays_is_workday(c, 20497);
		xy_workdays_free(c);
	}
	return 0;
}
