#include "crypto/sm.h"

#include <limits.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/err.h"
#include "util/log.h"

/* The algorithms are fetched once: an implicit fetch on every init (EVP_sm3() and
 * friends) costs a method-store lookup on each call of a hot path. */
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *cipher_sm4_ctr;

static void fetch_all(void)
{
	cipher_sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	if (!cipher_sm4_ctr)
		xy__ossl_fail(__func__, "SM4-CTR is not available in this OpenSSL");
}

static int fetched(void)
{
	if (pthread_once(&fetch_once, fetch_all) != 0)
		return XY_ECRYPTO;
	return cipher_sm4_ctr ? 0 : XY_ECRYPTO;
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

/* ---- SM3 (GB/T 32905-2016), our own ----
 *
 * Written from the standard, not from another implementation, because the import hashes
 * every row, every sealed value's tag and the whole file: OpenSSL 3.0's generic SM3 is no
 * faster than this, and its EVP layer costs more than the compression itself for the short
 * messages of a row (a tag is 2-3 blocks).  Checked against OpenSSL on the standard's
 * vectors and on random inputs (tests/unit/test_crypto.c).  No table is indexed by data:
 * the time depends on the length only. */

static const uint32_t sm3_iv[8] = {0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600,
				   0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e};

/* T_j <<< (j mod 32): 0x79cc4519 for rounds 0-15, 0x7a879d8a for 16-63. */
static const uint32_t sm3_k[64] = {
	0x79cc4519, 0xf3988a32, 0xe7311465, 0xce6228cb, 0x9cc45197, 0x3988a32f, 0x7311465e,
	0xe6228cbc, 0xcc451979, 0x988a32f3, 0x311465e7, 0x6228cbce, 0xc451979c, 0x88a32f39,
	0x11465e73, 0x228cbce6, 0x9d8a7a87, 0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879,
	0xb14f50f3, 0x629ea1e7, 0xc53d43ce, 0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec,
	0xa7a879d8, 0x4f50f3b1, 0x9ea1e762, 0x3d43cec5, 0x7a879d8a, 0xf50f3b14, 0xea1e7629,
	0xd43cec53, 0xa879d8a7, 0x50f3b14f, 0xa1e7629e, 0x43cec53d, 0x879d8a7a, 0x0f3b14f5,
	0x1e7629ea, 0x3cec53d4, 0x79d8a7a8, 0xf3b14f50, 0xe7629ea1, 0xcec53d43, 0x9d8a7a87,
	0x3b14f50f, 0x7629ea1e, 0xec53d43c, 0xd8a7a879, 0xb14f50f3, 0x629ea1e7, 0xc53d43ce,
	0x8a7a879d, 0x14f50f3b, 0x29ea1e76, 0x53d43cec, 0xa7a879d8, 0x4f50f3b1, 0x9ea1e762,
	0x3d43cec5,
};

static inline uint32_t rol32(uint32_t x, int n)
{
	return (x << n) | (x >> ((32 - n) & 31));
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define SM3_P0(x)	 ((x) ^ rol32((x), 9) ^ rol32((x), 17))
#define SM3_P1(x)	 ((x) ^ rol32((x), 15) ^ rol32((x), 23))
#define SM3_FF0(x, y, z) ((x) ^ (y) ^ (z))
#define SM3_FF1(x, y, z) (((x) & (y)) | ((z) & ((x) | (y)))) /* majority */
#define SM3_GG0(x, y, z) ((x) ^ (y) ^ (z))
#define SM3_GG1(x, y, z) ((z) ^ ((x) & ((y) ^ (z)))) /* (x & y) | (~x & z) */
/* Message expansion W16..W67, each computed four rounds before its first use. */
#define SM3_W(i) \
	(SM3_P1(w[(i)-16] ^ w[(i)-9] ^ rol32(w[(i)-3], 15)) ^ rol32(w[(i)-13], 7) ^ w[(i)-6])

/* EXP computes the word four rounds ahead; rounds 0-11 find theirs in the block. */
#define SM3_EXP(i)   (w[i] = SM3_W(i))
#define SM3_NOEXP(i) ((void)0)

/* The round macros take the names of the eight working variables (and the function-like
 * FF, GG, EXP), which change from round to round; they are only ever plain identifiers. */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
/* Round j.  Instead of shifting the eight words along, d and h receive the new A and E and
 * b, f are rotated in place; the next round names the words (d,a,b,c,h,e,f,g). */
#define SM3_R(FF, GG, EXP, a, b, c, d, e, f, g, h, j)                        \
	do {                                                                 \
		uint32_t a12, ss1, tt1, tt2;                                 \
		EXP((j) + 4);                                                \
		a12 = rol32(a, 12);                                          \
		ss1 = rol32(a12 + e + sm3_k[(j)], 7);                        \
		tt1 = FF(a, b, c) + d + (ss1 ^ a12) + (w[(j)] ^ w[(j) + 4]); \
		tt2 = GG(e, f, g) + h + ss1 + w[(j)];                        \
		b = rol32(b, 9);                                             \
		f = rol32(f, 19);                                            \
		d = tt1;                                                     \
		h = SM3_P0(tt2);                                             \
	} while (0)

#define SM3_R4(FF, GG, EXP, j)                               \
	SM3_R(FF, GG, EXP, A, B, C, D, E, F, G, H, j);       \
	SM3_R(FF, GG, EXP, D, A, B, C, H, E, F, G, (j) + 1); \
	SM3_R(FF, GG, EXP, C, D, A, B, G, H, E, F, (j) + 2); \
	SM3_R(FF, GG, EXP, B, C, D, A, F, G, H, E, (j) + 3)
/* NOLINTEND(bugprone-macro-parentheses) */

/* The compression function over n whole 64-byte blocks. */
static void sm3_blocks(uint32_t v[8], const uint8_t *p, size_t n)
{
	uint32_t w[68];

	for (; n > 0; n--, p += 64) {
		uint32_t A = v[0], B = v[1], C = v[2], D = v[3];
		uint32_t E = v[4], F = v[5], G = v[6], H = v[7];

		for (int i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		SM3_R4(SM3_FF0, SM3_GG0, SM3_NOEXP, 0);
		SM3_R4(SM3_FF0, SM3_GG0, SM3_NOEXP, 4);
		SM3_R4(SM3_FF0, SM3_GG0, SM3_NOEXP, 8);
		SM3_R4(SM3_FF0, SM3_GG0, SM3_EXP, 12);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 16);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 20);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 24);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 28);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 32);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 36);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 40);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 44);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 48);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 52);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 56);
		SM3_R4(SM3_FF1, SM3_GG1, SM3_EXP, 60);
		v[0] ^= A;
		v[1] ^= B;
		v[2] ^= C;
		v[3] ^= D;
		v[4] ^= E;
		v[5] ^= F;
		v[6] ^= G;
		v[7] ^= H;
	}
	xy_wipe(w, sizeof(w)); /* the words of a key pad or a row pass through here */
}

/* A streaming state: chaining value, bytes so far, the partial block. */
struct sm3_state {
	uint32_t v[8];
	uint64_t n;
	uint8_t buf[64];
};

static void sm3_init(struct sm3_state *s)
{
	memcpy(s->v, sm3_iv, sizeof(s->v));
	s->n = 0;
}

static void sm3_update(struct sm3_state *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t used = (size_t)(s->n % 64);

	s->n += n;
	if (used) {
		size_t take = 64 - used < n ? 64 - used : n;
		memcpy(s->buf + used, p, take);
		p += take;
		n -= take;
		if (used + take < 64)
			return;
		sm3_blocks(s->v, s->buf, 1);
	}
	sm3_blocks(s->v, p, n / 64);
	p += n / 64 * 64;
	if (n % 64)
		memcpy(s->buf, p, n % 64);
}

/* Padding (a 1 bit, zeros, the length in bits as 64 bits big-endian) and the digest.  The
 * state is left wiped. */
static void sm3_final(struct sm3_state *s, uint8_t out[XY_SM3_LEN])
{
	size_t used = (size_t)(s->n % 64);
	uint64_t bits = s->n * 8;

	s->buf[used++] = 0x80;
	if (used > 56) {
		memset(s->buf + used, 0, 64 - used);
		sm3_blocks(s->v, s->buf, 1);
		used = 0;
	}
	memset(s->buf + used, 0, 56 - used);
	store_be32(s->buf + 56, (uint32_t)(bits >> 32));
	store_be32(s->buf + 60, (uint32_t)bits);
	sm3_blocks(s->v, s->buf, 1);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, s->v[i]);
	xy_wipe(s, sizeof(*s));
}

struct xy_sm3 {
	struct sm3_state s;
};

void xy_sm3(const void *p, size_t n, uint8_t out[XY_SM3_LEN])
{
	struct sm3_state s;

	sm3_init(&s);
	sm3_update(&s, p, n);
	sm3_final(&s, out);
}

int xy_sm3_new(struct xy_sm3 **out)
{
	struct xy_sm3 *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return XY_ENOMEM;
	sm3_init(&h->s);
	*out = h;
	return 0;
}

void xy_sm3_update(struct xy_sm3 *h, const void *p, size_t n)
{
	sm3_update(&h->s, p, n);
}

void xy_sm3_final(struct xy_sm3 *h, uint8_t out[XY_SM3_LEN])
{
	sm3_final(&h->s, out);
	sm3_init(&h->s);
}

void xy_sm3_free(struct xy_sm3 *h)
{
	if (!h)
		return;
	xy_wipe(h, sizeof(*h));
	free(h);
}

/* ---- SM3 of many messages at once: sixteen lanes of AVX-512 ----
 *
 * The same rounds as sm3_blocks on sixteen independent messages, one per 32-bit lane of a
 * 512-bit register; the three-input logic functions and P0/P1 map onto vpternlogd and
 * vprold.  A lane whose message ends takes the next message at once, so lanes of rows of
 * unequal length do not idle.  Used when the CPU has AVX-512F (checked at run time). */

#define MB_LANES 16

struct mb_lane {
	const uint8_t *p; /* the message's whole blocks */
	size_t nfull;	  /* whole blocks in the message */
	size_t nblocks;	  /* nfull + the 1 or 2 padding blocks in tail */
	size_t at;	  /* next block */
	size_t idx;	  /* which message; SIZE_MAX when the lane is idle */
	uint8_t tail[128];
};

/* The final one or two blocks of a message of n bytes ending in rest[0..n % 64). */
static size_t sm3_tail(uint8_t tail[128], const uint8_t *rest, size_t n)
{
	size_t r = n % 64, len = r + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;

	memcpy(tail, rest, r);
	tail[r] = 0x80;
	memset(tail + r + 1, 0, len - r - 1 - 8);
	store_be32(tail + len - 8, (uint32_t)(bits >> 32));
	store_be32(tail + len - 4, (uint32_t)bits);
	return len / 64;
}

static void mb_assign(struct mb_lane *l, size_t idx, const void *msg, size_t len)
{
	l->p = msg;
	l->nfull = len / 64;
	l->nblocks = l->nfull + sm3_tail(l->tail, l->p + l->nfull * 64, len);
	l->at = 0;
	l->idx = idx;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MB_TARGET	  __attribute__((target("avx512f")))
#define V_ROL(x, n)	  _mm512_rol_epi32((x), (n))
#define V_ADD(x, y)	  _mm512_add_epi32((x), (y))
#define V_XOR(x, y)	  _mm512_xor_si512((x), (y))
#define V_XOR3(x, y, z)	  _mm512_ternarylogic_epi32((x), (y), (z), 0x96)
#define V_MAJ(x, y, z)	  _mm512_ternarylogic_epi32((x), (y), (z), 0xE8)
#define V_CHOOSE(x, y, z) _mm512_ternarylogic_epi32((x), (y), (z), 0xCA) /* x ? y : z */
#define V_P0(x)		  V_XOR3((x), V_ROL((x), 9), V_ROL((x), 17))
#define V_P1(x)		  V_XOR3((x), V_ROL((x), 15), V_ROL((x), 23))
#define V_W(i)                                                                              \
	V_XOR3(V_P1(V_XOR3(w[(i)-16], w[(i)-9], V_ROL(w[(i)-3], 15))), V_ROL(w[(i)-13], 7), \
	       w[(i)-6])

#define V_EXP(i)   (w[i] = V_W(i))
#define V_NOEXP(i) ((void)0)

/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define V_R(FF, GG, EXP, a, b, c, d, e, f, g, h, j)                                       \
	do {                                                                              \
		__m512i a12, ss1, tt1, tt2;                                               \
		EXP((j) + 4);                                                             \
		a12 = V_ROL(a, 12);                                                       \
		ss1 = V_ROL(V_ADD(V_ADD(a12, e), _mm512_set1_epi32((int)sm3_k[(j)])), 7); \
		tt1 = V_ADD(V_ADD(FF(a, b, c), d),                                        \
			    V_ADD(V_XOR(ss1, a12), V_XOR(w[(j)], w[(j) + 4])));           \
		tt2 = V_ADD(V_ADD(GG(e, f, g), h), V_ADD(ss1, w[(j)]));                   \
		b = V_ROL(b, 9);                                                          \
		f = V_ROL(f, 19);                                                         \
		d = tt1;                                                                  \
		h = V_P0(tt2);                                                            \
	} while (0)

#define V_R4(FF, GG, EXP, j)                               \
	V_R(FF, GG, EXP, A, B, C, D, E, F, G, H, j);       \
	V_R(FF, GG, EXP, D, A, B, C, H, E, F, G, (j) + 1); \
	V_R(FF, GG, EXP, C, D, A, B, G, H, E, F, (j) + 2); \
	V_R(FF, GG, EXP, B, C, D, A, F, G, H, E, (j) + 3)
/* NOLINTEND(bugprone-macro-parentheses) */

/* One block in each lane: v[k] holds word k of the sixteen chaining values, m[i] word i of
 * the sixteen blocks. */
MB_TARGET static void sm3_x16(__m512i v[8], const __m512i m[16])
{
	__m512i w[68];
	__m512i A = v[0], B = v[1], C = v[2], D = v[3], E = v[4], F = v[5], G = v[6], H = v[7];

	for (int i = 0; i < 16; i++)
		w[i] = m[i];
	V_R4(V_XOR3, V_XOR3, V_NOEXP, 0);
	V_R4(V_XOR3, V_XOR3, V_NOEXP, 4);
	V_R4(V_XOR3, V_XOR3, V_NOEXP, 8);
	V_R4(V_XOR3, V_XOR3, V_EXP, 12);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 16);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 20);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 24);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 28);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 32);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 36);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 40);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 44);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 48);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 52);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 56);
	V_R4(V_MAJ, V_CHOOSE, V_EXP, 60);
	v[0] = V_XOR(v[0], A);
	v[1] = V_XOR(v[1], B);
	v[2] = V_XOR(v[2], C);
	v[3] = V_XOR(v[3], D);
	v[4] = V_XOR(v[4], E);
	v[5] = V_XOR(v[5], F);
	v[6] = V_XOR(v[6], G);
	v[7] = V_XOR(v[7], H);
	xy_wipe(w, sizeof(w));
}

MB_TARGET static void sm3_many_x16(size_t n, const void *const msg[], const size_t len[],
				   uint8_t (*out)[XY_SM3_LEN])
{
	static const uint8_t idle_block[64];
	struct mb_lane lane[MB_LANES];
	uint32_t words[16][MB_LANES], state[8][MB_LANES];
	__m512i v[8], m[16];
	size_t next = 0;
	int active = 0;

	for (int k = 0; k < 8; k++)
		v[k] = _mm512_set1_epi32((int)sm3_iv[k]);
	for (int l = 0; l < MB_LANES; l++) {
		lane[l].idx = SIZE_MAX;
		if (next < n) {
			mb_assign(&lane[l], next, msg[next], len[next]);
			next++;
			active++;
		}
	}
	while (active) {
		__mmask16 fresh = 0;
		int ended = 0;

		for (int l = 0; l < MB_LANES; l++) { /* transpose, big-endian words */
			const struct mb_lane *x = &lane[l];
			const uint8_t *b = x->idx == SIZE_MAX ? idle_block
					   : x->at < x->nfull ? x->p + 64 * x->at
							      : x->tail + 64 * (x->at - x->nfull);
			for (int i = 0; i < 16; i++)
				words[i][l] = load_be32(b + 4 * i);
		}
		for (int i = 0; i < 16; i++)
			m[i] = _mm512_loadu_si512(words[i]);
		sm3_x16(v, m);
		for (int l = 0; l < MB_LANES; l++)
			if (lane[l].idx != SIZE_MAX && ++lane[l].at == lane[l].nblocks)
				ended = 1;
		if (!ended)
			continue;
		for (int k = 0; k < 8; k++)
			_mm512_storeu_si512(state[k], v[k]);
		for (int l = 0; l < MB_LANES; l++) {
			struct mb_lane *x = &lane[l];
			if (x->idx == SIZE_MAX || x->at != x->nblocks)
				continue;
			for (int k = 0; k < 8; k++)
				store_be32(out[x->idx] + 4 * k, state[k][l]);
			x->idx = SIZE_MAX;
			active--;
			if (next < n) {
				mb_assign(x, next, msg[next], len[next]);
				next++;
				active++;
				fresh |= (__mmask16)(1u << l);
			}
		}
		for (int k = 0; k < 8; k++) /* the new messages' lanes start from the IV */
			v[k] = _mm512_mask_blend_epi32(fresh, v[k],
						       _mm512_set1_epi32((int)sm3_iv[k]));
	}
	/* Rows hold identity numbers: leave none of their words behind. */
	xy_wipe(words, sizeof(words));
	xy_wipe(state, sizeof(state));
	xy_wipe(lane, sizeof(lane));
	xy_wipe(m, sizeof(m));
}

static int have_avx512(void)
{
	static int known = -1;
	if (known < 0)
		known = __builtin_cpu_supports("avx512f") ? 1 : 0;
	return known;
}
#else
static int have_avx512(void)
{
	return 0;
}
#endif

int xy_sm3_many_simd(void)
{
	return have_avx512();
}

void xy_sm3_many(size_t n, const void *const msg[], const size_t len[], uint8_t (*out)[XY_SM3_LEN])
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (n >= 4 && have_avx512()) {
		sm3_many_x16(n, msg, len, out);
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		xy_sm3(msg[i], len[i], out[i]);
}

/* ---- HMAC-SM3 (RFC 2104 with SM3: 64-byte block, 32-byte digest) ----
 *
 * The states after the key's inner and outer pads are kept, so a MAC costs its message's
 * blocks plus one block for the outer hash, and no call into OpenSSL. */

struct xy_hmac {
	struct sm3_state inner, outer; /* after K ^ ipad, K ^ opad */
	struct sm3_state cur;	       /* the MAC being computed */
};

int xy_hmac_new(struct xy_hmac **out, const uint8_t *key, size_t keylen)
{
	uint8_t k[64] = {0}, pad[64];
	struct xy_hmac *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return XY_ENOMEM;
	if (keylen > sizeof(k))
		xy_sm3(key, keylen, k); /* a key longer than a block is hashed first */
	else if (keylen)
		memcpy(k, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sm3_init(&h->inner);
	sm3_update(&h->inner, pad, sizeof(pad));
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sm3_init(&h->outer);
	sm3_update(&h->outer, pad, sizeof(pad));
	xy_wipe(k, sizeof(k));
	xy_wipe(pad, sizeof(pad));
	h->cur = h->inner;
	*out = h;
	return 0;
}

int xy_hmac_dup(struct xy_hmac **out, const struct xy_hmac *h)
{
	struct xy_hmac *d = malloc(sizeof(*d));

	*out = NULL;
	if (!d)
		return XY_ENOMEM;
	*d = *h;
	*out = d;
	return 0;
}

void xy_hmac_begin(struct xy_hmac *h)
{
	h->cur = h->inner;
}

void xy_hmac_update(struct xy_hmac *h, const void *p, size_t n)
{
	sm3_update(&h->cur, p, n);
}

void xy_hmac_final(struct xy_hmac *h, uint8_t out[XY_SM3_LEN])
{
	uint8_t d[XY_SM3_LEN];
	struct sm3_state o = h->outer;

	sm3_final(&h->cur, d);
	sm3_update(&o, d, sizeof(d));
	sm3_final(&o, out);
	xy_wipe(d, sizeof(d));
	h->cur = h->inner; /* ready again, as after begin */
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
	xy_wipe(h, sizeof(*h)); /* the pad states are as good as the key */
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
