/* Masking (脱敏, SHR-4): one function turns a clear value into what a viewer
 * without the right to the clear value sees, by the field's mask rule in the
 * catalog.  Pure: the keyed digest of the "hash" rule comes from the caller
 * (core/ does no cryptography).
 *
 *   idnum   110105********1234      first 6, last 4
 *   mobile  180****1999             first 3, last 4
 *   name    段**                    first character
 *   keep    first N / last M        e.g. first:2 → 九江********
 *   year    2026                    the year of a date
 *   hash    8f3a…(16 hex)           keyed digest: equal values match, nothing shows
 *   null    (no value)
 *
 * Every hidden character becomes one '*', so the length shows but nothing
 * else; a value too short to hide anything is all stars. */
#ifndef XY_CORE_MASK_H
#define XY_CORE_MASK_H

#include <stddef.h>

#include "core/catalog.h"
#include "util/buf.h"

/* Writes the keyed digest of v as 16 lowercase hex characters into out. */
typedef void (*xy_mask_hash_fn)(void *arg, const char *v, size_t n, char out[17]);

/* Appends the masked form of v (valid UTF-8) to out.  *is_null is set when
 * the rule yields no value (null).  XY_ELIMIT when out is full. */
__attribute__((warn_unused_result)) int xy_mask_apply(const struct xy_mask *m, const char *v,
						      size_t n, xy_mask_hash_fn hash,
						      void *hash_arg, struct xy_buf *out,
						      int *is_null);

#endif
