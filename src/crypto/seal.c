#include "crypto/seal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define HEAD_LEN (1 + 4 + XY_SM4_IV_LEN)
#define IV_POOL	 (64 * XY_SM4_IV_LEN)
/* len-prefixed table and column, then the row id */
#define BINDING_MAX (4 + XY_SEAL_NAME_MAX + 4 + XY_SEAL_NAME_MAX + 8)

struct xy_sealer {
	const struct xy_keyring *kr;
	struct xy_sm4 *sm4;
	uint32_t sm4_id; /* key id whose SM4 key is loaded in sm4 */
	/* Keyed HMAC contexts by purpose and key id, made on first use (the XY_KEY_ENC row
	 * stays empty): re-keying costs more than the MAC of a short field. */
	struct xy_hmac *mac[XY_KEY__COUNT][XY_KEYRING_IDS_MAX];
	/* IVs drawn from the DRBG in batches: one RAND call per value would cost more than
	 * the SM4 itself.  IVs are public; the pool only has to be unique, hence the fork
	 * generation check (a child must never reuse its parent's IVs). */
	uint8_t ivpool[IV_POOL];
	size_t ivpos;
	unsigned ivgen;
};

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static atomic_uint fork_gen;

static void on_fork_child(void)
{
	atomic_fetch_add(&fork_gen, 1);
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

static int next_iv(struct xy_sealer *s, uint8_t iv[XY_SM4_IV_LEN])
{
	unsigned gen = atomic_load_explicit(&fork_gen, memory_order_relaxed);
	int rc;

	if (s->ivpos == IV_POOL || s->ivgen != gen) {
		rc = xy_random(s->ivpool, IV_POOL);
		if (rc)
			return rc;
		s->ivpos = 0;
		s->ivgen = gen;
	}
	memcpy(iv, s->ivpool + s->ivpos, XY_SM4_IV_LEN);
	s->ivpos += XY_SM4_IV_LEN;
	return 0;
}

static int mac_for(struct xy_sealer *s, enum xy_key_purpose p, uint32_t id, struct xy_hmac **h)
{
	const uint8_t *key = xy_keyring_by_id(s->kr, p, id);
	struct xy_hmac **slot;
	int rc;

	if (!key)
		return XY_EKEY;
	slot = &s->mac[p][id - 1];
	if (!*slot) {
		rc = xy_hmac_new(slot, key, xy_keyring_key_len(p));
		if (rc)
			return rc;
	}
	*h = *slot;
	return 0;
}

static int sm4_for(struct xy_sealer *s, uint32_t id)
{
	const uint8_t *key;
	int rc;

	if (s->sm4_id == id)
		return 0;
	key = xy_keyring_by_id(s->kr, XY_KEY_ENC, id);
	if (!key)
		return XY_EKEY;
	rc = xy_sm4_setkey(s->sm4, key);
	s->sm4_id = rc ? 0 : id;
	return rc;
}

int xy_sealer_new(struct xy_sealer **out, const struct xy_keyring *kr)
{
	struct xy_sealer *s = calloc(1, sizeof(*s));
	struct xy_hmac *h;
	uint32_t id;
	const uint8_t *key;
	int rc;

	*out = NULL;
	if (!s)
		return XY_ENOMEM;
	pthread_once(&atfork_once, register_atfork);
	s->kr = kr;
	s->ivpos = IV_POOL;
	key = xy_keyring_active(kr, XY_KEY_ENC, &id);
	rc = xy_sm4_new(&s->sm4, key);
	s->sm4_id = id;
	/* Warm the active contexts so the first values do not pay for them. */
	for (int p = XY_KEY_MAC; p < XY_KEY__COUNT && !rc; p++)
		rc = mac_for(s, (enum xy_key_purpose)p, id, &h);
	if (rc) {
		xy_sealer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t put_name(uint8_t *p, const char *name, size_t n)
{
	put_be32(p, (uint32_t)n);
	memcpy(p + 4, name, n);
	return 4 + n;
}

/* The context a tag binds: len-prefixed table and column, row id (BE64).  Its length,
 * or 0 when a name is missing, empty or too long. */
static size_t binding(uint8_t out[BINDING_MAX], const char *table, const char *column,
		      int64_t rowid)
{
	size_t tl = table ? strnlen(table, XY_SEAL_NAME_MAX + 1) : 0;
	size_t cl = column ? strnlen(column, XY_SEAL_NAME_MAX + 1) : 0;
	uint64_t r = (uint64_t)rowid;
	size_t n;

	if (tl == 0 || tl > XY_SEAL_NAME_MAX || cl == 0 || cl > XY_SEAL_NAME_MAX)
		return 0;
	n = put_name(out, table, tl);
	n += put_name(out + n, column, cl);
	put_be32(out + n, (uint32_t)(r >> 32));
	put_be32(out + n + 4, (uint32_t)r);
	return n + 8;
}

static void seal_tag(struct xy_hmac *h, const uint8_t *p, size_t n, const uint8_t *bind,
		     size_t bindlen, uint8_t tag[XY_SM3_LEN])
{
	xy_hmac_begin(h);
	xy_hmac_update(h, p, n);
	xy_hmac_update(h, bind, bindlen);
	xy_hmac_final(h, tag);
}

/* Undoes a partial append (the bytes may hold plaintext or key-dependent data). */
static void truncate_to(struct xy_buf *out, size_t len)
{
	if (out->len > len) {
		xy_wipe(out->p + len, out->len - len);
		out->len = len;
	}
	if (out->p)
		out->p[len] = '\0';
}

/* Appends the plaintext, then encrypts it in place before out can move again. */
static int append_ct(struct xy_sealer *s, const uint8_t *iv, const void *pt, size_t n,
		     struct xy_buf *out)
{
	size_t at = out->len;
	int rc = xy_buf_add(out, pt, n);

	if (!rc)
		rc = xy_sm4_ctr(s->sm4, iv, out->p + at, n, out->p + at);
	return rc;
}

int xy_seal(struct xy_sealer *s, const char *table, const char *column, int64_t rowid,
	    const void *pt, size_t n, struct xy_buf *out)
{
	uint8_t head[HEAD_LEN], bind[BINDING_MAX], tag[XY_SM3_LEN];
	size_t start = out->len, bindlen = binding(bind, table, column, rowid);
	struct xy_hmac *h = NULL;
	uint32_t id;
	int rc;

	if (!bindlen)
		return XY_EINVAL;
	if (n > XY_SEAL_PLAIN_MAX)
		return XY_ELIMIT;
	xy_keyring_active(s->kr, XY_KEY_ENC, &id);
	head[0] = XY_SEAL_VERSION;
	put_be32(head + 1, id);
	rc = sm4_for(s, id);
	if (!rc)
		rc = mac_for(s, XY_KEY_MAC, id, &h);
	if (!rc)
		rc = next_iv(s, head + 5);
	if (!rc)
		rc = xy_buf_add(out, head, HEAD_LEN);
	if (!rc)
		rc = append_ct(s, head + 5, pt, n, out);
	if (!rc) {
		seal_tag(h, (const uint8_t *)out->p + start, HEAD_LEN + n, bind, bindlen, tag);
		rc = xy_buf_add(out, tag, XY_SM3_LEN);
	}
	if (rc)
		truncate_to(out, start);
	return rc;
}

int xy_unseal(struct xy_sealer *s, const char *table, const char *column, int64_t rowid,
	      const void *sealed, size_t n, struct xy_buf *out)
{
	const uint8_t *b = sealed;
	uint8_t bind[BINDING_MAX], tag[XY_SM3_LEN];
	size_t start = out->len, bindlen = binding(bind, table, column, rowid), ctlen;
	struct xy_hmac *h = NULL;
	uint32_t id;
	int rc;

	if (!bindlen)
		return XY_EINVAL;
	if (n < XY_SEAL_OVERHEAD || n - XY_SEAL_OVERHEAD > XY_SEAL_PLAIN_MAX ||
	    b[0] != XY_SEAL_VERSION)
		return XY_ETAMPER;
	ctlen = n - XY_SEAL_OVERHEAD;
	id = get_be32(b + 1);
	rc = mac_for(s, XY_KEY_MAC, id, &h);
	if (rc)
		return rc;
	/* CRY-1: the tag is checked before a single byte is decrypted. */
	seal_tag(h, b, n - XY_SM3_LEN, bind, bindlen, tag);
	if (!xy_ct_equal(tag, b + n - XY_SM3_LEN, XY_SM3_LEN))
		return XY_ETAMPER;
	rc = sm4_for(s, id);
	if (!rc)
		rc = xy_buf_add(out, b + HEAD_LEN, ctlen);
	if (!rc)
		rc = xy_sm4_ctr(s->sm4, b + 5, out->p + start, ctlen, out->p + start);
	if (rc)
		truncate_to(out, start);
	return rc;
}

int xy_sealed_key_id(const void *sealed, size_t n, uint32_t *key_id)
{
	const uint8_t *b = sealed;

	if (n < XY_SEAL_OVERHEAD || b[0] != XY_SEAL_VERSION)
		return XY_ETAMPER;
	*key_id = get_be32(b + 1);
	return 0;
}

static int keyed_mac(struct xy_sealer *s, enum xy_key_purpose p, uint32_t id, const void *a,
		     size_t an, const void *b, size_t bn, uint8_t out[XY_SM3_LEN])
{
	struct xy_hmac *h;
	int rc = mac_for(s, p, id, &h);

	if (rc)
		return rc;
	xy_hmac_begin(h);
	xy_hmac_update(h, a, an);
	if (b)
		xy_hmac_update(h, b, bn);
	xy_hmac_final(h, out);
	return 0;
}

/* domain || 0x00 || value: the NUL keeps "ab"+"c" apart from "a"+"bc". */
int xy_blind_index_id(struct xy_sealer *s, uint32_t key_id, const char *domain, const void *v,
		      size_t n, uint8_t out[XY_SM3_LEN])
{
	return keyed_mac(s, XY_KEY_BIDX, key_id, domain, strlen(domain) + 1, v, n, out);
}

void xy_blind_index(struct xy_sealer *s, const char *domain, const void *v, size_t n,
		    uint8_t out[XY_SM3_LEN])
{
	uint32_t id;

	xy_keyring_active(s->kr, XY_KEY_BIDX, &id);
	if (xy_blind_index_id(s, id, domain, v, n, out))
		xy__crypto_fatal(__func__, "no context for the active index key");
}

int xy_row_tag_id(struct xy_sealer *s, uint32_t key_id, const void *data, size_t n,
		  uint8_t out[XY_SM3_LEN])
{
	return keyed_mac(s, XY_KEY_ROW, key_id, data, n, NULL, 0, out);
}

void xy_row_tag(struct xy_sealer *s, const void *data, size_t n, uint8_t out[XY_SM3_LEN])
{
	uint32_t id;

	xy_keyring_active(s->kr, XY_KEY_ROW, &id);
	if (xy_row_tag_id(s, id, data, n, out))
		xy__crypto_fatal(__func__, "no context for the active row key");
}

int xy_row_tag_active(struct xy_sealer *s, const void *data, size_t n, uint32_t *key_id,
		      uint8_t out[XY_SM3_LEN])
{
	xy_keyring_active(s->kr, XY_KEY_ROW, key_id);
	return xy_row_tag_id(s, *key_id, data, n, out);
}

void xy_sealer_free(struct xy_sealer *s)
{
	if (!s)
		return;
	xy_sm4_free(s->sm4);
	for (int p = 0; p < XY_KEY__COUNT; p++)
		for (int i = 0; i < XY_KEYRING_IDS_MAX; i++)
			xy_hmac_free(s->mac[p][i]);
	xy_wipe(s, sizeof(*s));
	free(s);
}
