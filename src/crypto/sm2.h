/* SM2 signatures with SM3 (CRY-4; later ACC-5).  OpenSSL 3.0's default distinguishing ID
 * is empty, which other national-standard implementations do not accept, so every sign
 * and verify here sets XY_SM2_ID explicitly (GB/T 35276 default).
 *
 * A key is immutable once made: a const key may be used by several threads at once. */
#ifndef XY_CRYPTO_SM2_H
#define XY_CRYPTO_SM2_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sm.h"
#include "util/buf.h"

#define XY_SM2_ID	    "1234567812345678"
#define XY_SM2_SIG_MAX	    72	 /* DER of two 256-bit INTEGERs, bytes */
#define XY_SM2_PEM_MAX	    1024 /* a PEM public key accepted by load (real ones ~180) */
#define XY_SM2_PRIV_DER_MAX 256	 /* PKCS#8 DER of a private key (real ones ~150) */

struct xy_sm2key;

/* A new random key pair.  XY_ENOMEM / XY_ECRYPTO. */
__attribute__((warn_unused_result)) int xy_sm2_generate(struct xy_sm2key **out);
/* Signs SM3(Z || msg) with ID XY_SM2_ID and appends the DER signature to sig.
 * XY_EKEY for a verify-only key; XY_ELIMIT / XY_ENOMEM from sig; XY_ECRYPTO. */
__attribute__((warn_unused_result)) int xy_sm2_sign(const struct xy_sm2key *k, const void *msg,
						    size_t n, struct xy_buf *sig);
/* 0 when sig is a valid signature of msg under k with ID XY_SM2_ID; XY_ETAMPER when it
 * is not, including a malformed or oversized signature; XY_ENOMEM / XY_ECRYPTO when the
 * check itself could not run. */
__attribute__((warn_unused_result)) int xy_sm2_verify(const struct xy_sm2key *k, const void *msg,
						      size_t n, const void *sig, size_t siglen);
/* Appends the public key as PEM (SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----"). */
__attribute__((warn_unused_result)) int xy_sm2_public_pem(const struct xy_sm2key *k,
							  struct xy_buf *pem);
/* A verify-only key from PEM text pem[0..n).  XY_EPARSE when it is not a PEM public key,
 * XY_EKEY when it is not on the SM2 curve, XY_ELIMIT past XY_SM2_PEM_MAX. */
__attribute__((warn_unused_result)) int xy_sm2_load_public_pem(const void *pem, size_t n,
							       struct xy_sm2key **out);
/* SM3 of the DER SubjectPublicKeyInfo: a short stable name for the key (to print next to
 * a signature, or to check which key signed). */
__attribute__((warn_unused_result)) int xy_sm2_key_id(const struct xy_sm2key *k,
						      uint8_t out[XY_SM3_LEN]);
/* 1 when k holds a private key (can sign). */
int xy_sm2_has_private(const struct xy_sm2key *k);

/* Private key as PKCS#8 DER into out[0..cap), length in *len.  SECRET: the caller wipes
 * out (xy_wipe) as soon as it is done.  For the keyring, which stores it wrapped.
 * XY_EKEY for a verify-only key, XY_ELIMIT when cap is too small. */
__attribute__((warn_unused_result)) int xy_sm2_private_der(const struct xy_sm2key *k, uint8_t *out,
							   size_t cap, size_t *len);
/* The inverse; der is borrowed (the caller wipes it).  XY_EKEY when it is not an SM2
 * private key. */
__attribute__((warn_unused_result)) int xy_sm2_load_private_der(const void *der, size_t n,
								struct xy_sm2key **out);

void xy_sm2_free(struct xy_sm2key *k);

#endif
