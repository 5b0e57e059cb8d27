/* Masking: see mask.h. */
#include <string.h>

#include "core/mask.h"
#include "util/err.h"
#include "util/utf8.h"

/* Keeps the first `first` and last `last` characters, a '*' for each other. */
static int keep(const char *v, size_t n, size_t first, size_t last, struct xy_buf *out)
{
	size_t chars = xy_utf8_len(v, n), i = 0, pos = 0;
	int rc = 0;
	if (first + last >= chars) { /* nothing would be hidden: hide it all */
		first = 0;
		last = 0;
	}
	while (pos < n && !rc) {
		int len = xy_utf8_seq(v + pos, n - pos);
		if (len <= 0)
			len = 1; /* not valid UTF-8: one byte, hidden like the rest */
		if (i < first || i >= chars - last)
			rc = xy_buf_add(out, v + pos, (size_t)len);
		else
			rc = xy_buf_addc(out, '*');
		pos += (size_t)len;
		i++;
	}
	return rc;
}

int xy_mask_apply(const struct xy_mask *m, const char *v, size_t n, xy_mask_hash_fn hash,
		  void *hash_arg, struct xy_buf *out, int *is_null)
{
	*is_null = 0;
	switch (m->kind) {
	case XY_MASK_NONE:
		return xy_buf_add(out, v, n);
	case XY_MASK_IDNUM:
		return keep(v, n, 6, 4, out);
	case XY_MASK_MOBILE:
		return keep(v, n, 3, 4, out);
	case XY_MASK_NAME:
		return keep(v, n, 1, 0, out);
	case XY_MASK_KEEP:
		return keep(v, n, (size_t)(m->first > 0 ? m->first : 0),
			    (size_t)(m->last > 0 ? m->last : 0), out);
	case XY_MASK_YEAR:
		/* A date (YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD): its year; else nothing. */
		if (n >= 4 && v[0] >= '0' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9' &&
		    v[2] >= '0' && v[2] <= '9' && v[3] >= '0' && v[3] <= '9')
			return xy_buf_add(out, v, 4);
		*is_null = 1;
		return 0;
	case XY_MASK_HASH: {
		char h[17];
		if (!hash) {
			*is_null = 1; /* no key to hash with: show nothing */
			return 0;
		}
		hash(hash_arg, v, n, h);
		return xy_buf_add(out, h, 16);
	}
	case XY_MASK_NULL:
		*is_null = 1;
		return 0;
	}
	*is_null = 1; /* an unknown rule shows nothing */
	return 0;
}
