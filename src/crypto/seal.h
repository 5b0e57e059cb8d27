/* Sensitive field values at rest (CRY-1): SM4-CTR then HMAC-SM3 (encrypt-then-MAC), a
 * keyed SM3 blind index for equality lookups, and the HMAC-SM3 row tags of CRY-2.
 *
 * Sealed value (DESIGN §4; docs/internals/crypto.md):
 *   version 0x01 | key id (4 bytes, big-endian) | IV (16) | SM4-CTR ciphertext (n) | tag (32)
 * where tag = HMAC-SM3(mac key of that id, every byte before the tag
 *                      || len-prefixed table name || len-prefixed column name
 *                      || row id as 8 bytes big-endian),
 * lengths being 4 bytes big-endian.  A value copied to another row, column or table
 * therefore fails to unseal.  The version byte lets a later release move to SM4-GCM.
 *
 * A sealer is one thread's set of reused SM4 and HMAC contexts bound to a keyring.  The
 * keyring is borrowed and must outlive the sealer; it may be rotated or reloaded while
 * sealers use it (new values then go under the new key id). */
#ifndef XY_CRYPTO_SEAL_H
#define XY_CRYPTO_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/keyring.h"
#include "crypto/sm.h"
#include "util/buf.h"

#define XY_SEAL_VERSION	 0x01
#define XY_SEAL_OVERHEAD (1 + 4 + 16 + 32)
/* Largest plaintext one sealed value may hold: well above XY_FIELD_VALUE_MAX so long
 * free-text fields fit, small enough that one value never becomes a bulk object. */
#define XY_SEAL_PLAIN_MAX (64 * 1024)
/* Longest table or column name bound into a tag (they are schema names, not input). */
#define XY_SEAL_NAME_MAX 128

struct xy_sealer;

/* XY_ENOMEM / XY_ECRYPTO.  kr is borrowed. */
__attribute__((warn_unused_result)) int xy_sealer_new(struct xy_sealer **out,
						      const struct xy_keyring *kr);

/* Seals pt[0..n) for (table, column, rowid) under the active key and appends the
 * n + XY_SEAL_OVERHEAD sealed bytes to out (pt must not point into out).  XY_EINVAL for a
 * NULL/empty/overlong name, XY_ELIMIT past XY_SEAL_PLAIN_MAX or out's cap, XY_ENOMEM,
 * XY_ECRYPTO.  On failure out is as it was. */
__attribute__((warn_unused_result)) int xy_seal(struct xy_sealer *s, const char *table,
						const char *column, int64_t rowid, const void *pt,
						size_t n, struct xy_buf *out);

/* Checks and opens sealed[0..n) for (table, column, rowid) and appends the plaintext to
 * out (sealed must not point into out).  XY_ETAMPER when the format, version or tag is
 * wrong (nothing is appended: no partial plaintext, ever); XY_EKEY for a key id the
 * keyring does not hold; XY_EINVAL for a bad name; XY_ELIMIT / XY_ENOMEM from out.
 * Nothing is logged: the caller knows which row failed and logs that.  The plaintext in
 * out is the caller's to wipe. */
__attribute__((warn_unused_result)) int xy_unseal(struct xy_sealer *s, const char *table,
						  const char *column, int64_t rowid,
						  const void *sealed, size_t n, struct xy_buf *out);

/* The key id a sealed value names (to find values to re-seal after a rotation); not
 * authenticated until xy_unseal succeeds.  XY_ETAMPER when it is not a sealed value. */
__attribute__((warn_unused_result)) int xy_sealed_key_id(const void *sealed, size_t n,
							 uint32_t *key_id);

/* Blind index for equality lookups with the active index key:
 * HMAC-SM3(bidx key, domain || 0x00 || value).  domain (e.g. "subject.id_no") keeps equal
 * values of different fields apart.  The caller normalises v first. */
void xy_blind_index(struct xy_sealer *s, const char *domain, const void *v, size_t n,
		    uint8_t out[XY_SM3_LEN]);
/* The same with the index key of a given id (a lookup after a rotation computes the index
 * under each id still present in the store).  XY_EKEY for an unknown id, XY_ENOMEM. */
__attribute__((warn_unused_result)) int xy_blind_index_id(struct xy_sealer *s, uint32_t key_id,
							  const char *domain, const void *v,
							  size_t n, uint8_t out[XY_SM3_LEN]);

/* Row tag for CRY-2 with the active row key: HMAC-SM3(row key, data).  A caller that
 * stores the key id beside the tag (so a verifier still works after a rotation) should
 * instead read the id once with xy_keyring_active(kr, XY_KEY_ROW, &id) and tag with
 * xy_row_tag_id(s, id, ...), so a rotation in between cannot split the two. */
void xy_row_tag(struct xy_sealer *s, const void *data, size_t n, uint8_t out[XY_SM3_LEN]);
/* The same with the row key of a given id.  XY_EKEY for an unknown id, XY_ENOMEM. */
__attribute__((warn_unused_result)) int xy_row_tag_id(struct xy_sealer *s, uint32_t key_id,
						      const void *data, size_t n,
						      uint8_t out[XY_SM3_LEN]);
/* Tags with the active row key and says which one (*key_id), in one step, so that a
 * rotation cannot split the tag from the id stored beside it.  XY_ENOMEM. */
__attribute__((warn_unused_result)) int xy_row_tag_active(struct xy_sealer *s, const void *data,
							  size_t n, uint32_t *key_id,
							  uint8_t out[XY_SM3_LEN]);

void xy_sealer_free(struct xy_sealer *s);

#endif
