/* Growable byte buffer with a hard cap (never grows past max because input
 * said so).  Always NUL-terminated after a successful append. */
#ifndef XY_UTIL_BUF_H
#define XY_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

struct xy_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

void xy_buf_init(struct xy_buf *b, size_t max);
/* Frees the storage (wiping it first when secret is nonzero). */
void xy_buf_cleanup(struct xy_buf *b);
void xy_buf_reset(struct xy_buf *b);
/* XY_ELIMIT when the result would exceed max; XY_ENOMEM. */
__attribute__((warn_unused_result)) int xy_buf_add(struct xy_buf *b, const void *data, size_t n);
__attribute__((warn_unused_result)) int xy_buf_addc(struct xy_buf *b, char c);
__attribute__((warn_unused_result)) int xy_buf_adds(struct xy_buf *b, const char *s);
__attribute__((warn_unused_result, format(printf, 2, 3))) int xy_buf_printf(struct xy_buf *b,
									    const char *fmt, ...);
/* Makes room for extra more bytes (and a NUL) without changing len, so a
 * caller may write up to extra bytes at p + len and then set len. */
__attribute__((warn_unused_result)) int xy_buf_reserve(struct xy_buf *b, size_t extra);
/* Writes v in decimal (no NUL); returns the length (at most 20). */
size_t xy_i64_str(int64_t v, char out[24]);
/* Wipes the content (for buffers that held secrets). */
void xy_buf_wipe(struct xy_buf *b);

#endif
