/* How a record's values are stored (CRY-1): the fields that may stay in
 * clear as one JSON object; every sensitive value sealed on its own (SM4-CTR
 * + HMAC-SM3 bound to table "records", the field code and the record id),
 * the sealed values concatenated as
 *     [u8 code length][code][u32 big-endian sealed length][sealed bytes] …
 * Format: docs/FORMATS.md. */
#ifndef XY_SVC_RECORD_H
#define XY_SVC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct xy_sealer;

#define XY_RECORD_TABLE "records"

/* Appends "CODE":"value" (JSON-escaped) to an object being built in b; the
 * caller writes the braces. */
__attribute__((warn_unused_result)) int xy_record_json_put(struct xy_buf *b, const char *code,
							   const char *v, size_t n);
/* Seals v for (record id, field code) and appends the entry to b. */
__attribute__((warn_unused_result)) int xy_record_seal_put(struct xy_buf *b, struct xy_sealer *s,
							   int64_t id, const char *code,
							   const char *v, size_t n);

/* Calls fn for each sealed entry (code NUL-terminated copy, sealed bytes
 * borrowed); XY_ETAMPER when the framing is broken. */
__attribute__((warn_unused_result)) int
xy_record_sealed_each(const void *sealed, size_t n,
		      int (*fn)(void *arg, const char *code, const void *v, size_t len), void *arg);

#endif
