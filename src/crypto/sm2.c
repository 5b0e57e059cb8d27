#include "crypto/sm2.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/err.h"
#include "util/log.h"

struct xy_sm2key {
	EVP_PKEY *pkey;
	int has_private;
};

static int wrap_pkey(EVP_PKEY *pkey, int has_private, struct xy_sm2key **out)
{
	struct xy_sm2key *k = calloc(1, sizeof(*k));

	if (!k) {
		EVP_PKEY_free(pkey);
		return XY_ENOMEM;
	}
	k->pkey = pkey;
	k->has_private = has_private;
	*out = k;
	return 0;
}

int xy_sm2_generate(struct xy_sm2key **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
	EVP_PKEY *pkey = NULL;

	*out = NULL;
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &pkey) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return xy__ossl_fail(__func__, "SM2 key generation");
	}
	EVP_PKEY_CTX_free(ctx);
	return wrap_pkey(pkey, 1, out);
}

/* A digest-sign/verify context with the distinguishing ID set on its key context before
 * the operation starts (CRY-4: OpenSSL 3.0 would otherwise use an empty ID).  The caller
 * frees *mctx first, then *pctx (the MD context does not own it). */
static int sigctx(const struct xy_sm2key *k, int sign, EVP_MD_CTX **mctx, EVP_PKEY_CTX **pctx)
{
	int ok;

	*mctx = EVP_MD_CTX_new();
	*pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!*mctx || !*pctx)
		return xy__ossl_fail(__func__, "SM2 context");
	if (EVP_PKEY_CTX_set1_id(*pctx, XY_SM2_ID, strlen(XY_SM2_ID)) != 1)
		return xy__ossl_fail(__func__, "SM2 distinguishing ID");
	EVP_MD_CTX_set_pkey_ctx(*mctx, *pctx);
	if (sign)
		ok = EVP_DigestSignInit_ex(*mctx, NULL, "SM3", NULL, NULL, k->pkey, NULL);
	else
		ok = EVP_DigestVerifyInit_ex(*mctx, NULL, "SM3", NULL, NULL, k->pkey, NULL);
	if (ok != 1)
		return xy__ossl_fail(__func__, "SM2 init");
	return 0;
}

int xy_sm2_sign(const struct xy_sm2key *k, const void *msg, size_t n, struct xy_buf *sig)
{
	unsigned char der[XY_SM2_SIG_MAX + 8];
	size_t len = sizeof(der);
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int rc;

	if (!k->has_private) {
		xy_log_error("this SM2 key is verify-only");
		return XY_EKEY;
	}
	rc = sigctx(k, 1, &mctx, &pctx);
	if (rc)
		goto out;
	if (EVP_DigestSign(mctx, der, &len, msg, n) != 1 || len > XY_SM2_SIG_MAX) {
		rc = xy__ossl_fail(__func__, "SM2 sign");
		goto out;
	}
	rc = xy_buf_add(sig, der, len);
out:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

int xy_sm2_verify(const struct xy_sm2key *k, const void *msg, size_t n, const void *sig,
		  size_t siglen)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int rc;

	if (siglen == 0 || siglen > XY_SM2_SIG_MAX)
		return XY_ETAMPER;
	rc = sigctx(k, 0, &mctx, &pctx);
	if (rc)
		goto out;
	/* 0 is "does not verify", negative is "could not parse": both mean not valid. */
	if (EVP_DigestVerify(mctx, sig, siglen, msg, n) != 1) {
		ERR_clear_error();
		rc = XY_ETAMPER;
	}
out:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

int xy_sm2_public_pem(const struct xy_sm2key *k, struct xy_buf *pem)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;
	int rc;

	if (!bio || PEM_write_bio_PUBKEY(bio, k->pkey) != 1) {
		rc = xy__ossl_fail(__func__, "SM2 public key to PEM");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || !data) {
		rc = xy__ossl_fail(__func__, "SM2 public key to PEM");
		goto out;
	}
	rc = xy_buf_add(pem, data, (size_t)len);
out:
	BIO_free(bio);
	return rc;
}

/* OpenSSL 3.0 decodes a key on the SM2 curve as type "SM2"; anything else is refused. */
static int check_sm2(EVP_PKEY *pkey)
{
	if (!EVP_PKEY_is_a(pkey, "SM2")) {
		xy_log_error("the key is not an SM2 key");
		return XY_EKEY;
	}
	return 0;
}

int xy_sm2_load_public_pem(const void *pem, size_t n, struct xy_sm2key **out)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio;
	int rc;

	*out = NULL;
	if (n > XY_SM2_PEM_MAX)
		return XY_ELIMIT;
	bio = BIO_new_mem_buf(pem, (int)n);
	if (!bio)
		return xy__ossl_fail(__func__, "BIO");
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pkey) {
		ERR_clear_error();
		xy_log_error("not a PEM public key");
		return XY_EPARSE;
	}
	rc = check_sm2(pkey);
	if (rc) {
		EVP_PKEY_free(pkey);
		return rc;
	}
	return wrap_pkey(pkey, 0, out);
}

int xy_sm2_key_id(const struct xy_sm2key *k, uint8_t out[XY_SM3_LEN])
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(k->pkey, &der);

	if (len <= 0)
		return xy__ossl_fail(__func__, "SM2 public key to DER");
	xy_sm3(der, (size_t)len, out);
	OPENSSL_free(der);
	return 0;
}

int xy_sm2_has_private(const struct xy_sm2key *k)
{
	return k->has_private;
}

int xy_sm2_private_der(const struct xy_sm2key *k, uint8_t *out, size_t cap, size_t *len)
{
	OSSL_ENCODER_CTX *ectx;
	unsigned char *p = out;
	size_t left = cap;
	int rc = 0;

	*len = 0;
	if (!k->has_private)
		return XY_EKEY;
	ectx = OSSL_ENCODER_CTX_new_for_pkey(k->pkey, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo",
					     NULL);
	if (!ectx || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
		rc = xy__ossl_fail(__func__, "no PKCS#8 encoder for SM2");
		goto out;
	}
	/* With a caller buffer, the encoder writes into it and decreases `left`. */
	if (OSSL_ENCODER_to_data(ectx, &p, &left) != 1) {
		xy_wipe(out, cap);
		rc = xy__ossl_fail(__func__, "SM2 private key to DER");
		if (cap < XY_SM2_PRIV_DER_MAX)
			rc = XY_ELIMIT;
		goto out;
	}
	*len = cap - left;
out:
	OSSL_ENCODER_CTX_free(ectx);
	return rc;
}

int xy_sm2_load_private_der(const void *der, size_t n, struct xy_sm2key **out)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;
	int rc;

	*out = NULL;
	if (n > XY_SM2_PRIV_DER_MAX)
		return XY_EKEY;
	pkey = d2i_AutoPrivateKey(NULL, &p, (long)n);
	if (!pkey || p != (const unsigned char *)der + n) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		xy_log_error("not an SM2 private key");
		return XY_EKEY;
	}
	rc = check_sm2(pkey);
	if (rc) {
		EVP_PKEY_free(pkey);
		return rc;
	}
	return wrap_pkey(pkey, 1, out);
}

void xy_sm2_free(struct xy_sm2key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey); /* OpenSSL clears the private scalar */
	free(k);
}
