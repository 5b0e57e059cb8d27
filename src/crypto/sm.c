#include "crypto/sm.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "util/err.h"
#include "util/log.h"

/* The algorithms are fetched once: an implicit fetch on every init (EVP_sm3() and
 * friends) costs a method-store lookup on each call of a hot path. */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sm3;
static EVP_CIPHER *cipher_sm4_ctr;
static EVP_MAC *mac_hmac;

static void fetch_all(void)
{
	md_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
	cipher_sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!md_sm3 || !cipher_sm4_ctr || !mac_hmac)
		xy__ossl_fail(__func__, "SM3, SM4-CTR or HMAC is not available in this OpenSSL");
}

static int fetched(void)
{
	if (pthread_once(&fetch_once, fetch_all) != 0)
		return XY_ECRYPTO;
	return md_sm3 && cipher_sm4_ctr && mac_hmac ? 0 : XY_ECRYPTO;
}

int xy__ossl_fail(const char *where, const char *what)
{
	char msg[256];
	unsigned long e = ERR_get_error();

	if (e) {
		ERR_error_string_n(e, msg, sizeof(msg));
		xy_log(XY_LOG_ERROR, where, "%s: %s", what, msg);
	} else {
		xy_log(XY_LOG_ERROR, where, "%s", what);
	}
	ERR_clear_error();
	return XY_ECRYPTO;
}

void xy__crypto_fatal(const char *where, const char *what)
{
	xy__ossl_fail(where, what);
	xy_log(XY_LOG_ERROR, where, "cryptographic primitive failed; aborting");
	abort();
}

int xy_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_priv_bytes(p, chunk) != 1)
			return xy__ossl_fail(__func__, "RAND_priv_bytes");
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/* ---- SM3 ---- */

struct xy_sm3 {
	EVP_MD_CTX *ctx;
};

/* One digest context per thread, kept: allocating one per call costs more
 * than hashing a short row.  Freed when its thread ends. */
static pthread_key_t sm3_key;
static pthread_once_t sm3_once = PTHREAD_ONCE_INIT;

static void sm3_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sm3_key_init(void)
{
	if (pthread_key_create(&sm3_key, sm3_ctx_free))
		xy__crypto_fatal("xy_sm3", "thread key");
}

static EVP_MD_CTX *sm3_ctx(void)
{
	EVP_MD_CTX *ctx;

	pthread_once(&sm3_once, sm3_key_init);
	ctx = pthread_getspecific(sm3_key);
	if (!ctx) {
		if (!(ctx = EVP_MD_CTX_new()) || pthread_setspecific(sm3_key, ctx))
			xy__crypto_fatal("xy_sm3", "SM3 context");
	}
	return ctx;
}

void xy_sm3(const void *p, size_t n, uint8_t out[XY_SM3_LEN])
{
	EVP_MD_CTX *ctx;

	if (fetched())
		xy__crypto_fatal(__func__, "SM3");
	ctx = sm3_ctx();
	if (EVP_DigestInit_ex2(ctx, md_sm3, NULL) != 1 || EVP_DigestUpdate(ctx, p, n) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		xy__crypto_fatal(__func__, "SM3");
}

int xy_sm3_new(struct xy_sm3 **out)
{
	struct xy_sm3 *h;
	int rc = fetched();

	*out = NULL;
	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return XY_ENOMEM;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex2(h->ctx, md_sm3, NULL) != 1) {
		xy_sm3_free(h);
		return xy__ossl_fail(__func__, "SM3 init");
	}
	*out = h;
	return 0;
}

void xy_sm3_update(struct xy_sm3 *h, const void *p, size_t n)
{
	if (EVP_DigestUpdate(h->ctx, p, n) != 1)
		xy__crypto_fatal(__func__, "SM3 update");
}

void xy_sm3_final(struct xy_sm3 *h, uint8_t out[XY_SM3_LEN])
{
	if (EVP_DigestFinal_ex(h->ctx, out, NULL) != 1 ||
	    EVP_DigestInit_ex2(h->ctx, md_sm3, NULL) != 1)
		xy__crypto_fatal(__func__, "SM3 final");
}

void xy_sm3_free(struct xy_sm3 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

/* ---- HMAC-SM3 ---- */

struct xy_hmac {
	EVP_MAC_CTX *ctx;
};

int xy_hmac_new(struct xy_hmac **out, const uint8_t *key, size_t keylen)
{
	static char digest_name[] = "SM3"; /* OSSL_PARAM wants a non-const pointer */
	OSSL_PARAM params[2];
	struct xy_hmac *h;
	int rc = fetched();

	*out = NULL;
	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return XY_ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	h->ctx = EVP_MAC_CTX_new(mac_hmac);
	if (!h->ctx || EVP_MAC_init(h->ctx, key, keylen, params) != 1) {
		xy_hmac_free(h);
		return xy__ossl_fail(__func__, "HMAC-SM3 init");
	}
	*out = h;
	return 0;
}

int xy_hmac_dup(struct xy_hmac **out, const struct xy_hmac *h)
{
	struct xy_hmac *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return XY_ENOMEM;
	d->ctx = EVP_MAC_CTX_dup(h->ctx);
	if (!d->ctx) {
		free(d);
		return xy__ossl_fail(__func__, "HMAC-SM3 dup");
	}
	*out = d;
	return 0;
}

/* A NULL key re-initialises with the key already set, keeping the precomputed pads. */
void xy_hmac_begin(struct xy_hmac *h)
{
	if (EVP_MAC_init(h->ctx, NULL, 0, NULL) != 1)
		xy__crypto_fatal(__func__, "HMAC-SM3 init");
}

void xy_hmac_update(struct xy_hmac *h, const void *p, size_t n)
{
	if (EVP_MAC_update(h->ctx, p, n) != 1)
		xy__crypto_fatal(__func__, "HMAC-SM3 update");
}

void xy_hmac_final(struct xy_hmac *h, uint8_t out[XY_SM3_LEN])
{
	size_t len = 0;

	if (EVP_MAC_final(h->ctx, out, &len, XY_SM3_LEN) != 1 || len != XY_SM3_LEN)
		xy__crypto_fatal(__func__, "HMAC-SM3 final");
}

void xy_hmac_oneshot(struct xy_hmac *h, const void *p, size_t n, uint8_t out[XY_SM3_LEN])
{
	xy_hmac_begin(h);
	xy_hmac_update(h, p, n);
	xy_hmac_final(h, out);
}

void xy_hmac_free(struct xy_hmac *h)
{
	if (!h)
		return;
	EVP_MAC_CTX_free(h->ctx); /* OpenSSL cleanses the key schedule */
	free(h);
}

/* ---- SM4-CTR ---- */

struct xy_sm4 {
	EVP_CIPHER_CTX *ctx;
};

int xy_sm4_new(struct xy_sm4 **out, const uint8_t key[XY_SM4_KEY_LEN])
{
	struct xy_sm4 *c;
	int rc = fetched();

	*out = NULL;
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return XY_ENOMEM;
	c->ctx = EVP_CIPHER_CTX_new();
	if (!c->ctx || EVP_EncryptInit_ex2(c->ctx, cipher_sm4_ctr, key, NULL, NULL) != 1) {
		xy_sm4_free(c);
		return xy__ossl_fail(__func__, "SM4-CTR init");
	}
	*out = c;
	return 0;
}

int xy_sm4_setkey(struct xy_sm4 *c, const uint8_t key[XY_SM4_KEY_LEN])
{
	if (EVP_EncryptInit_ex2(c->ctx, NULL, key, NULL, NULL) != 1)
		return xy__ossl_fail(__func__, "SM4-CTR key");
	return 0;
}

int xy_sm4_ctr(struct xy_sm4 *c, const uint8_t iv[XY_SM4_IV_LEN], const void *in, size_t n,
	       void *out)
{
	const unsigned char *ip = in;
	unsigned char *op = out;

	if (EVP_EncryptInit_ex2(c->ctx, NULL, NULL, iv, NULL) != 1)
		return xy__ossl_fail(__func__, "SM4-CTR iv");
	/* EVP takes int lengths; the counter carries on across updates. */
	while (n > 0) {
		int chunk = n > (1u << 30) ? 1 << 30 : (int)n, got = 0;
		if (EVP_EncryptUpdate(c->ctx, op, &got, ip, chunk) != 1 || got != chunk)
			return xy__ossl_fail(__func__, "SM4-CTR");
		ip += chunk;
		op += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

void xy_sm4_free(struct xy_sm4 *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ctx); /* cleanses the key schedule */
	free(c);
}

/* ---- helpers ---- */

int xy_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void xy_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void xy_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Value of one hex digit, or a negative number; no branch or table on c. */
static int hexval(unsigned char c)
{
	int d = (int)c - '0';
	int l = (int)(c | 0x20) - 'a';
	int is_d = ((d >= 0) & (d <= 9));
	int is_l = ((l >= 0) & (l <= 5));

	return (d & -is_d) | ((l + 10) & -is_l) | (-1 & -(1 - (is_d | is_l)));
}

int xy_unhex(const char *hex, size_t hexlen, uint8_t *out, size_t outlen)
{
	int bad = 0;

	if (outlen > SIZE_MAX / 2 || hexlen != 2 * outlen) {
		xy_wipe(out, outlen);
		return XY_EPARSE;
	}
	for (size_t i = 0; i < outlen; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);
		bad |= (hi | lo) < 0;
		out[i] = (uint8_t)(((unsigned)hi << 4) | ((unsigned)lo & 15));
	}
	if (bad) {
		xy_wipe(out, outlen);
		return XY_EPARSE;
	}
	return 0;
}
