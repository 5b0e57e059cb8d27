/* Minimal INI reader for the instance configuration: "[section]",
 * "key = value", comments starting with '#' or ';'.  Bounded by
 * XY_CONFIG_FILE_MAX. */
#ifndef XY_UTIL_INI_H
#define XY_UTIL_INI_H

#include <stddef.h>

struct xy_ini;

/* Parses the file; on XY_EPARSE/XY_ELIMIT err names the line and why. */
__attribute__((warn_unused_result)) int xy_ini_load(const char *path, struct xy_ini **out,
						    char *err, size_t errlen);
/* Parses text held in memory (for tests and fuzzing). */
__attribute__((warn_unused_result)) int xy_ini_parse(const char *text, size_t n,
						     struct xy_ini **out, char *err, size_t errlen);
/* The value, or NULL when absent.  Borrowed from ini. */
const char *xy_ini_get(const struct xy_ini *ini, const char *section, const char *key);
/* The value as a whole number in [min, max], def when absent; XY_ECONFIG
 * (and a logged reason) when it is not a number or out of range. */
__attribute__((warn_unused_result)) int xy_ini_get_long(const struct xy_ini *ini,
							const char *section, const char *key,
							long def, long min, long max, long *out);
void xy_ini_free(struct xy_ini *ini);

#endif
