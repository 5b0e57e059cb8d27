/* A JSON writer straight into a xy_buf, for the answers on hot paths (a
 * session check, a subject query): no tree, no allocation per value.  The
 * first error sticks and is returned by xy_jw_end; later calls do nothing.
 *
 * Strings must be valid UTF-8 (everything stored was validated on the way
 * in); quotes, backslashes and control characters are escaped, and "</"
 * is written "<\/" so that a value can never close a script element. */
#ifndef XY_UTIL_JW_H
#define XY_UTIL_JW_H

#include <stdint.h>

#include "util/buf.h"

#define XY_JW_DEPTH 16

struct xy_jw {
	struct xy_buf *b;
	int err;
	int depth;
	uint8_t comma[XY_JW_DEPTH]; /* something is already written at this level */
	uint8_t after_key;
};

void xy_jw_init(struct xy_jw *w, struct xy_buf *b);
void xy_jw_obj(struct xy_jw *w);
void xy_jw_obj_end(struct xy_jw *w);
void xy_jw_arr(struct xy_jw *w);
void xy_jw_arr_end(struct xy_jw *w);
void xy_jw_key(struct xy_jw *w, const char *key);
void xy_jw_str(struct xy_jw *w, const char *s); /* NULL writes null */
void xy_jw_strn(struct xy_jw *w, const char *s, size_t n);
void xy_jw_int(struct xy_jw *w, int64_t v);
void xy_jw_bool(struct xy_jw *w, int v);
void xy_jw_null(struct xy_jw *w);
/* Microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS+08:00" (0: null). */
void xy_jw_time(struct xy_jw *w, int64_t us);
/* A day number as "YYYY-MM-DD" (INT32_MIN, the store's XY_NO_DATE: null). */
void xy_jw_date(struct xy_jw *w, int32_t days);
/* 0, or the first error (XY_ELIMIT, XY_ENOMEM, XY_EINVAL for unbalanced
 * nesting or a key outside an object). */
int xy_jw_end(struct xy_jw *w);

/* Shortcuts: a key and its value. */
#define xy_jw_kstr(w, k, v)      \
	do {                     \
		xy_jw_key(w, k); \
		xy_jw_str(w, v); \
	} while (0)
#define xy_jw_kint(w, k, v)      \
	do {                     \
		xy_jw_key(w, k); \
		xy_jw_int(w, v); \
	} while (0)
#define xy_jw_kbool(w, k, v)      \
	do {                      \
		xy_jw_key(w, k);  \
		xy_jw_bool(w, v); \
	} while (0)

#endif
