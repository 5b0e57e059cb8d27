/* The national (国密) primitives the rest of xinyong uses: SM3, HMAC-SM3, SM4-CTR,
 * randomness, and the small helpers that go with secrets.  Thin over OpenSSL 3.0: nothing
 * outside src/crypto/ includes an OpenSSL header.
 *
 * The reusable objects (xy_sm3, xy_hmac, xy_sm4) keep their OpenSSL context between
 * uses because these run hundreds of thousands of times a second during an import; each
 * may be used by one thread at a time (xy_hmac_dup gives another thread its own).
 *
 * The void functions here cannot fail on valid arguments except when OpenSSL itself
 * cannot allocate; then the process logs and aborts, because a digest or MAC that
 * silently came out wrong is worse than a crash.  See docs/internals/crypto.md. */
#ifndef XY_CRYPTO_SM_H
#define XY_CRYPTO_SM_H

#include <stddef.h>
#include <stdint.h>

#define XY_SM3_LEN     32 /* SM3 digest and HMAC-SM3 tag, bytes */
#define XY_SM4_KEY_LEN 16 /* SM4 key, bytes */
#define XY_SM4_IV_LEN  16 /* SM4-CTR initial counter block, bytes */

/* Fills buf with n bytes from OpenSSL's private DRBG.  XY_ECRYPTO when it cannot. */
__attribute__((warn_unused_result)) int xy_random(void *buf, size_t n);

/* One-shot SM3 of p[0..n). */
void xy_sm3(const void *p, size_t n, uint8_t out[XY_SM3_LEN]);

/* SM3 of n independent messages: out[i] = SM3(msg[i][0..len[i])), as xy_sm3 each, but on
 * sixteen messages at once (AVX-512) when the CPU allows: ~10 times the throughput for the
 * short messages of an import's rows.  Thread-safe (no shared state). */
void xy_sm3_many(size_t n, const void *const msg[], const size_t len[], uint8_t (*out)[XY_SM3_LEN]);
/* 1 when xy_sm3_many uses the sixteen-lane code on this CPU (for tests and figures). */
int xy_sm3_many_simd(void);

/* Streaming SM3 (file digests).  After xy_sm3_final the object is ready for a new
 * digest.  XY_ENOMEM / XY_ECRYPTO from _new. */
struct xy_sm3;
__attribute__((warn_unused_result)) int xy_sm3_new(struct xy_sm3 **out);
void xy_sm3_update(struct xy_sm3 *h, const void *p, size_t n);
void xy_sm3_final(struct xy_sm3 *h, uint8_t out[XY_SM3_LEN]);
void xy_sm3_free(struct xy_sm3 *h);

/* HMAC-SM3 under a fixed key, reusable: begin, update..., final, and again.  The key is
 * copied into OpenSSL (the caller may wipe its own copy at once).  One thread at a time;
 * xy_hmac_dup makes an independent copy with the same key for another thread. */
struct xy_hmac;
__attribute__((warn_unused_result)) int xy_hmac_new(struct xy_hmac **out, const uint8_t *key,
						    size_t keylen);
__attribute__((warn_unused_result)) int xy_hmac_dup(struct xy_hmac **out, const struct xy_hmac *h);
void xy_hmac_begin(struct xy_hmac *h);
void xy_hmac_update(struct xy_hmac *h, const void *p, size_t n);
void xy_hmac_final(struct xy_hmac *h, uint8_t out[XY_SM3_LEN]);
/* begin + update + final in one call. */
void xy_hmac_oneshot(struct xy_hmac *h, const void *p, size_t n, uint8_t out[XY_SM3_LEN]);
void xy_hmac_free(struct xy_hmac *h);

/* SM4 in counter mode under a fixed key, reusable.  CTR encryption and decryption are
 * the same operation.  A (key, iv) pair must never be used for two different messages:
 * take a fresh random iv each time (xy_random).  One thread at a time. */
struct xy_sm4;
__attribute__((warn_unused_result)) int xy_sm4_new(struct xy_sm4 **out,
						   const uint8_t key[XY_SM4_KEY_LEN]);
/* Replaces the key (cheap: the SM4 key schedule only). */
__attribute__((warn_unused_result)) int xy_sm4_setkey(struct xy_sm4 *c,
						      const uint8_t key[XY_SM4_KEY_LEN]);
/* Transforms n bytes of in into out (out may equal in; they must not otherwise
 * overlap), starting the counter at iv.  XY_ECRYPTO on an OpenSSL failure. */
__attribute__((warn_unused_result)) int
xy_sm4_ctr(struct xy_sm4 *c, const uint8_t iv[XY_SM4_IV_LEN], const void *in, size_t n, void *out);
void xy_sm4_free(struct xy_sm4 *c);

/* 1 when a[0..n) equals b[0..n), in time that depends on n only; else 0. */
int xy_ct_equal(const void *a, const void *b, size_t n);
/* Overwrites p[0..n) with zeros in a way the compiler cannot drop. */
void xy_wipe(void *p, size_t n);
/* Lower-case hex of p[0..n) into out, which holds 2n+1 bytes (NUL-terminated). */
void xy_hex(const uint8_t *p, size_t n, char *out);
/* Decodes exactly outlen bytes from hex[0..hexlen) (either case) without branching on
 * the digits (key material passes through here).  XY_EPARSE unless hexlen == 2 * outlen
 * and every character is a hex digit; out is then zeroed. */
__attribute__((warn_unused_result)) int xy_unhex(const char *hex, size_t hexlen, uint8_t *out,
						 size_t outlen);

/* For src/crypto/ only: logs the pending OpenSSL error queue with `what`, clears it and
 * returns XY_ECRYPTO. */
int xy__ossl_fail(const char *where, const char *what);
/* For src/crypto/ only: logs and aborts (see the top of this file). */
__attribute__((noreturn)) void xy__crypto_fatal(const char *where, const char *what);

#endif
