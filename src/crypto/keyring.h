/* The keyring (CRY-3): data keys wrapped by a master key held outside the database.
 *
 * A keyring directory holds
 *   master.key        0600  64 hex chars + "\n" (absent when XY_MASTER_KEY is used)
 *   data-keys         0600  one line per data key, each wrapped by the master key
 *   platform-sm2.key  0600  the platform SM2 private key, wrapped by the master key
 *   platform-sm2.pub  0644  its public key, PEM
 * Formats: docs/internals/crypto.md.
 *
 * Key ids run 1, 2, 3...: every id has one key of each purpose, and the highest id is the
 * active one.  Older keys are never dropped, so values written under them stay readable.
 *
 * Threads: any number may call xy_keyring_active / _by_id / _sm2 at once, also while one
 * thread runs xy_keyring_rotate or xy_keyring_reload on the same keyring (a new key is
 * complete in memory before it becomes visible).  Rotate and reload themselves must not
 * run in two threads at once on one keyring. */
#ifndef XY_CRYPTO_KEYRING_H
#define XY_CRYPTO_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sm2.h"

enum xy_key_purpose {
	XY_KEY_ENC = 0, /* SM4 of sealed values, 16 bytes */
	XY_KEY_MAC,	/* HMAC-SM3 of sealed values, 32 */
	XY_KEY_BIDX,	/* blind index, 32 */
	XY_KEY_ROW,	/* row tags (CRY-2), 32 */
	XY_KEY__COUNT
};

#define XY_MASTER_ENV	  "XY_MASTER_KEY" /* 64 hex chars; overrides the file when set */
#define XY_MASTER_KEY_LEN 32
#define XY_DATA_KEY_MAX	  32 /* bytes in the longest data key */
/* Rotations a keyring can hold (ids 1..this).  Bounds the keyring's memory (32 KiB of
 * keys) and a sealer's per-id contexts; at one rotation a month it lasts 20 years. */
#define XY_KEYRING_IDS_MAX 256
/* Largest data-keys / platform-sm2.key file accepted (a full data-keys is ~200 KiB). */
#define XY_KEYRING_FILE_MAX (512 * 1024)

struct xy_keyring;

/* Creates DIR (mode 0700; it must not exist, or be an empty directory) with master.key
 * (32 random bytes, unless XY_MASTER_KEY is set: then no master.key is written and that
 * key is used), data-keys (key id 1 of each purpose), platform-sm2.key and
 * platform-sm2.pub.  XY_EEXISTS when DIR is not empty; XY_EKEY for a malformed
 * XY_MASTER_KEY; XY_EIO; XY_ECRYPTO.  On failure nothing it wrote is left behind. */
__attribute__((warn_unused_result)) int xy_keyring_create(const char *dir);

/* Loads DIR and unwraps every key.  The master key comes from XY_MASTER_KEY when set,
 * else from DIR/master.key, which must be a regular file that group and others can
 * neither read nor write.  XY_EKEY (with the reason logged) for a missing, malformed or
 * exposed master key or one that does not open this keyring; XY_ETAMPER when a wrapped
 * key fails its tag or the set of keys is not whole; XY_EPARSE for a malformed line;
 * XY_EIO.  *out is freed with xy_keyring_free. */
__attribute__((warn_unused_result)) int xy_keyring_load(const char *dir, struct xy_keyring **out);

/* The active key of a purpose (XY_SM4_KEY_LEN bytes for XY_KEY_ENC, else XY_SM3_LEN);
 * its id in *key_id when key_id is not NULL.  Borrowed from kr. */
const uint8_t *xy_keyring_active(const struct xy_keyring *kr, enum xy_key_purpose p,
				 uint32_t *key_id);
/* A key by id; NULL when the id is unknown.  Borrowed from kr. */
const uint8_t *xy_keyring_by_id(const struct xy_keyring *kr, enum xy_key_purpose p,
				uint32_t key_id);
/* Length of a key of purpose p. */
size_t xy_keyring_key_len(enum xy_key_purpose p);

/* Adds one new key of each purpose with the next id and makes it active; rewrites
 * DIR/data-keys atomically (temp file, fsync, rename, fsync of DIR).  Older keys are kept.
 * Refuses with XY_ECONFLICT when data-keys on disk no longer matches kr (another process
 * rotated: reload first), XY_EBUSY when another rotation holds the lock, XY_ELIMIT at
 * XY_KEYRING_IDS_MAX.  The approval around a rotation is CHG-4's job, not this one. */
__attribute__((warn_unused_result)) int xy_keyring_rotate(const char *dir, struct xy_keyring *kr);
/* Picks up keys another process added to DIR/data-keys since kr was loaded (so a running
 * server can read and write under a new key without a restart).  XY_ECONFLICT when the
 * keys kr already holds differ from the file's; the errors of xy_keyring_load. */
__attribute__((warn_unused_result)) int xy_keyring_reload(const char *dir, struct xy_keyring *kr);

/* The platform signing key (CRY-4).  Borrowed from kr. */
const struct xy_sm2key *xy_keyring_sm2(const struct xy_keyring *kr);
/* Wipes all key bytes and frees.  NULL is a no-op. */
void xy_keyring_free(struct xy_keyring *kr);

#endif
