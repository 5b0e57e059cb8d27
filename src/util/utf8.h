/* UTF-8 checks for text that comes from outside (CSV, JSON Lines, form fields).
 *
 * Validity follows the Unicode standard (Table 3-7): no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF.  Runs of ASCII are
 * checked a machine word at a time, so mostly-ASCII text costs little. */
#ifndef XY_UTIL_UTF8_H
#define XY_UTIL_UTF8_H

#include <stddef.h>

/* 1 when [p, p+n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF), else 0. */
int xy_utf8_valid(const void *p, size_t n);
/* 1 when [p, p+n) is valid UTF-8 except that its last sequence may be cut short by the
 * end of the buffer (what a prefix of a valid file looks like), else 0. */
int xy_utf8_valid_prefix(const void *p, size_t n);
/* Length (1..4) of the valid sequence at p (n > 0 bytes there); 0 when the bytes there
 * are a valid start cut short by the end; -1 when invalid. */
int xy_utf8_seq(const void *p, size_t n);
/* Number of code points in valid UTF-8 (on invalid input: the number of bytes that do
 * not look like continuation bytes). */
size_t xy_utf8_len(const char *p, size_t n);
/* Number of leading bytes of [p, p+n) below 0x80. */
size_t xy_ascii_prefix(const void *p, size_t n);

#endif
