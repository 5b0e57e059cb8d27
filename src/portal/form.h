/* Form bodies (application/x-www-form-urlencoded) from the public (POR-3, POR-4):
 * decoded into a fixed buffer; refused (XY_EPARSE) on a bad escape, invalid UTF-8,
 * NUL or other control characters (a textarea's CR LF becomes LF), a key given twice;
 * XY_ELIMIT past XY_PORTAL_FORM_MAX bytes or XY_FORM_FIELDS_MAX fields.  Pure. */
#ifndef XY_PORTAL_FORM_H
#define XY_PORTAL_FORM_H

#include <stddef.h>

#include "util/limits.h"

#define XY_FORM_FIELDS_MAX 16

struct xy_form {
	char buf[XY_PORTAL_FORM_MAX + XY_FORM_FIELDS_MAX * 2];
	const char *key[XY_FORM_FIELDS_MAX], *val[XY_FORM_FIELDS_MAX];
	int n;
};

__attribute__((warn_unused_result)) int xy_form_parse(const char *body, size_t n,
						      struct xy_form *f);
/* The value of key, or NULL. */
const char *xy_form_get(const struct xy_form *f, const char *key);

#endif
