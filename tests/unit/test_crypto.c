/* Unit tests for src/crypto/: SM3, HMAC-SM3, SM4-CTR, sealed values and blind index
 * (CRY-1), row tags (CRY-2), the keyring (CRY-3) and SM2 signatures (CRY-4).
 *
 * The reference values come from outside this code: the GB/T 32905 and GB/T 32907 test
 * vectors, and HMAC-SM3 values computed with the OpenSSL command line, e.g.
 *   printf 'xinyong credit' | openssl mac -digest SM3 -macopt hexkey:0001...1f HMAC
 * The SM2 distinguishing-ID tests make signatures with raw OpenSSL calls on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/keyring.h"
#include "crypto/seal.h"
#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

/* ---- helpers ---- */

static void unhex_ok(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(xy_unhex(hex, strlen(hex), out, n), 0);
}

static void assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char hex[2 * 64 + 1];

	assert_true(n <= 64);
	xy_hex(p, n, hex);
	assert_string_equal(hex, want);
}

/* A fresh temporary directory; the keyring goes in <base>/keys. */
struct tmpdir {
	char base[64];
	char keys[96];
};

static void rm_dir(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (unlink(path))
			rm_dir(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Directories made by the running test, removed by its teardown even when it fails. */
static char made_dirs[4][64];

static void tmpdir_make(struct tmpdir *t)
{
	snprintf(t->base, sizeof(t->base), "/tmp/xy-test-crypto-XXXXXX");
	assert_non_null(mkdtemp(t->base));
	snprintf(t->keys, sizeof(t->keys), "%s/keys", t->base);
	for (size_t i = 0; i < sizeof(made_dirs) / sizeof(made_dirs[0]); i++) {
		if (!made_dirs[i][0]) {
			snprintf(made_dirs[i], sizeof(made_dirs[i]), "%s", t->base);
			return;
		}
	}
	fail_msg("too many temporary directories in one test");
}

static int remove_tmpdirs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(made_dirs) / sizeof(made_dirs[0]); i++) {
		if (made_dirs[i][0])
			rm_dir(made_dirs[i]);
		made_dirs[i][0] = '\0';
	}
	return 0;
}

static char *path_in(const struct tmpdir *t, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", t->keys, name);
	return buf;
}

static unsigned mode_of(const struct tmpdir *t, const char *name)
{
	char p[160];
	struct stat st;

	if (name)
		path_in(t, name, p, sizeof(p));
	else
		snprintf(p, sizeof(p), "%s", t->keys);
	assert_int_equal(stat(p, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static void write_file(const char *path, const char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static struct xy_keyring *make_keyring(struct tmpdir *t)
{
	struct xy_keyring *kr = NULL;

	tmpdir_make(t);
	assert_int_equal(xy_keyring_create(t->keys), 0);
	assert_int_equal(xy_keyring_load(t->keys, &kr), 0);
	return kr;
}

static int reset_env(void **state)
{
	(void)state;
	unsetenv(XY_MASTER_ENV);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- CRY-1: primitives ---- */

static void test_cry1_sm3_abc_vector(void **state)
{
	uint8_t d[XY_SM3_LEN];

	(void)state;
	xy_sm3("abc", 3, d); /* GB/T 32905-2016, example 1 */
	assert_hex(d, sizeof(d),
		   "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

static void test_cry1_sm3_streaming_matches_oneshot(void **state)
{
	static const char msg[] = "abcdabcdabcdabcdabcdabcdabcdabcd"
				  "abcdabcdabcdabcdabcdabcdabcdabcd";
	uint8_t a[XY_SM3_LEN], b[XY_SM3_LEN];
	struct xy_sm3 *h;

	(void)state;
	assert_int_equal(xy_sm3_new(&h), 0);
	for (int round = 0; round < 2; round++) { /* reusable after final */
		xy_sm3_update(h, msg, 5);
		xy_sm3_update(h, msg + 5, sizeof(msg) - 1 - 5);
		xy_sm3_final(h, a);
		/* GB/T 32905-2016, example 2 (64 bytes) */
		assert_hex(a, sizeof(a),
			   "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
	}
	xy_sm3(msg, sizeof(msg) - 1, b);
	assert_memory_equal(a, b, sizeof(a));
	xy_sm3_free(h);
}

static void test_cry1_hmac_sm3_matches_openssl_cli(void **state)
{
	uint8_t key[100], mac[XY_SM3_LEN], msg[100];
	struct xy_hmac *h, *d;

	(void)state;
	unhex_ok("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key, 32);
	assert_int_equal(xy_hmac_new(&h, key, 32), 0);
	for (int round = 0; round < 3; round++) { /* the context is reusable */
		xy_hmac_begin(h);
		xy_hmac_update(h, "xinyong ", 8);
		xy_hmac_update(h, "credit", 6);
		xy_hmac_final(h, mac);
		assert_hex(mac, sizeof(mac),
			   "70cba349e3876ac4075bb4e448caa66970371e91f7624bd7f9b414294093beca");
	}
	assert_int_equal(xy_hmac_dup(&d, h), 0);
	xy_hmac_free(h);
	xy_hmac_oneshot(d, "xinyong credit", 14, mac);
	assert_hex(mac, sizeof(mac),
		   "70cba349e3876ac4075bb4e448caa66970371e91f7624bd7f9b414294093beca");
	xy_hmac_free(d);

	/* A key longer than the 64-byte block is hashed first. */
	memset(key, 0xaa, sizeof(key));
	memset(msg, 'a', sizeof(msg));
	assert_int_equal(xy_hmac_new(&h, key, sizeof(key)), 0);
	xy_hmac_oneshot(h, msg, sizeof(msg), mac);
	assert_hex(mac, sizeof(mac),
		   "6fe2e792dec47db274f12d56a3e579f6475723a02a2386c922a16ba43cad8606");
	xy_hmac_free(h);
}

/* SM3 and HMAC-SM3 are our own code (src/crypto/sm.c): they must agree with OpenSSL's
 * on every length around the block and padding boundaries, on long inputs, on inputs fed
 * in pieces of any size, and for keys shorter than, equal to and longer than a block. */
static void ossl_sm3(const uint8_t *p, size_t n, uint8_t out[XY_SM3_LEN])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, out, &len, EVP_sm3(), NULL), 1);
	assert_int_equal(len, XY_SM3_LEN);
}

static void ossl_hmac_sm3(const uint8_t *key, size_t kn, const uint8_t *p, size_t n,
			  uint8_t out[XY_SM3_LEN])
{
	size_t len = 0;

	assert_non_null(
		EVP_Q_mac(NULL, "HMAC", NULL, "SM3", NULL, key, kn, p, n, out, XY_SM3_LEN, &len));
	assert_int_equal(len, XY_SM3_LEN);
}

static void test_cry1_sm3_and_hmac_match_openssl_on_random_inputs(void **state)
{
	enum { BIG = 5000 };
	uint8_t *msg = malloc(BIG), key[200], a[XY_SM3_LEN], b[XY_SM3_LEN];
	struct xy_sm3 *h;
	struct xy_hmac *m;
	uint64_t x = 0x9e3779b97f4a7c15u;

	(void)state;
	assert_non_null(msg);
	for (size_t i = 0; i < BIG; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: reproducible */
		msg[i] = (uint8_t)x;
	}
	memcpy(key, msg + 1000, sizeof(key));
	assert_int_equal(xy_sm3_new(&h), 0);
	for (size_t n = 0; n < BIG; n = n < 300 ? n + 1 : n * 5 / 4 + 7) {
		ossl_sm3(msg, n, a);
		xy_sm3(msg, n, b);
		assert_memory_equal(a, b, XY_SM3_LEN);
		for (size_t at = 0; at < n;) { /* streaming, in pieces of 1..130 bytes */
			size_t step = 1 + (msg[at] + n) % 130;
			step = step < n - at ? step : n - at;
			xy_sm3_update(h, msg + at, step);
			at += step;
		}
		xy_sm3_final(h, b);
		assert_memory_equal(a, b, XY_SM3_LEN);
	}
	xy_sm3_free(h);
	for (size_t kn = 0; kn <= sizeof(key); kn += kn < 70 ? 1 : 13) {
		assert_int_equal(xy_hmac_new(&m, key, kn), 0);
		for (size_t n = 0; n < 400; n += 1 + kn % 7) {
			ossl_hmac_sm3(key, kn, msg + kn, n, a);
			xy_hmac_begin(m);
			xy_hmac_update(m, msg + kn, n / 3);
			xy_hmac_update(m, msg + kn + n / 3, n - n / 3);
			xy_hmac_final(m, b);
			assert_memory_equal(a, b, XY_SM3_LEN);
		}
		xy_hmac_free(m);
	}
	free(msg);
}

/* COL-4 row digests are taken sixteen at a time (xy_sm3_many): every digest must equal the
 * one-message SM3, whatever the mix of lengths and however many messages. */
static void test_col4_sm3_many_matches_one_by_one(void **state)
{
	enum { N = 300, BIG = 3000 };
	uint8_t *buf = malloc(BIG), (*got)[XY_SM3_LEN] = malloc(N * XY_SM3_LEN), want[XY_SM3_LEN];
	const void *msg[N];
	size_t len[N];
	uint64_t x = 0x2545f4914f6cdd1du;
	double t0, t1, t2;

	(void)state;
	assert_non_null(buf);
	assert_non_null(got);
	for (size_t i = 0; i < BIG; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len[i] = i < 140 ? i : (size_t)(x % 1500); /* every length around the padding */
		msg[i] = buf + (x >> 32) % (BIG - 1500);
	}
	for (size_t n = 0; n <= N; n = n < 40 ? n + 1 : n + 37) {
		memset(got, 0, N * XY_SM3_LEN);
		xy_sm3_many(n, msg, len, got);
		for (size_t i = 0; i < n; i++) {
			xy_sm3(msg[i], len[i], want);
			assert_memory_equal(got[i], want, XY_SM3_LEN);
		}
	}
	for (size_t i = 0; i < N; i++)
		len[i] = 400 + i % 300; /* rows of an import */
	t0 = now_s();
	for (int r = 0; r < 20; r++)
		xy_sm3_many(N, msg, len, got);
	t1 = now_s();
	for (int r = 0; r < 20; r++)
		for (size_t i = 0; i < N; i++)
			xy_sm3(msg[i], len[i], want);
	t2 = now_s();
	print_message("# COL-4 cost: row digest (550 B) %.2f us one by one, %.2f us %s\n",
		      (t2 - t1) * 1e6 / (20 * N), (t1 - t0) * 1e6 / (20 * N),
		      xy_sm3_many_simd() ? "16 at a time (AVX-512)"
					 : "in xy_sm3_many (no AVX-512)");
	free(buf);
	free(got);
}

static void test_cry1_sm4_ctr_vector_and_round_trip(void **state)
{
	uint8_t key[16], iv[16], zero[16] = {0}, out[16];
	uint8_t pt[1000], ct[1000], back[1000];
	struct xy_sm4 *c;

	(void)state;
	/* GB/T 32907-2016 example: E_K(P) with K = P = 0123...3210.  In CTR mode the first
	 * keystream block is E_K(IV), so zeros encrypted with IV = P give that ciphertext. */
	unhex_ok("0123456789abcdeffedcba9876543210", key, 16);
	memcpy(iv, key, 16);
	assert_int_equal(xy_sm4_new(&c, key), 0);
	assert_int_equal(xy_sm4_ctr(c, iv, zero, 16, out), 0);
	assert_hex(out, 16, "681edf34d206965e86b3e94f536e4246");

	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 7);
	assert_int_equal(xy_random(iv, sizeof(iv)), 0);
	assert_int_equal(xy_sm4_ctr(c, iv, pt, sizeof(pt), ct), 0);
	assert_memory_not_equal(pt, ct, sizeof(pt));
	memcpy(back, ct, sizeof(ct));
	assert_int_equal(xy_sm4_ctr(c, iv, back, sizeof(back), back), 0); /* in place */
	assert_memory_equal(back, pt, sizeof(pt));

	/* Another key gives another ciphertext; setkey back restores the first. */
	key[0] ^= 1;
	assert_int_equal(xy_sm4_setkey(c, key), 0);
	assert_int_equal(xy_sm4_ctr(c, iv, pt, sizeof(pt), back), 0);
	assert_memory_not_equal(back, ct, sizeof(ct));
	key[0] ^= 1;
	assert_int_equal(xy_sm4_setkey(c, key), 0);
	assert_int_equal(xy_sm4_ctr(c, iv, pt, sizeof(pt), back), 0);
	assert_memory_equal(back, ct, sizeof(ct));
	xy_sm4_free(c);
}

static void test_cry1_hex_and_ct_equal(void **state)
{
	uint8_t b[4], c[4] = {0xde, 0xad, 0xbe, 0xef};
	char hex[9];

	(void)state;
	xy_hex(c, 4, hex);
	assert_string_equal(hex, "deadbeef");
	assert_int_equal(xy_unhex("DEADbeef", 8, b, 4), 0);
	assert_memory_equal(b, c, 4);
	assert_int_equal(xy_unhex("deadbee", 7, b, 4), XY_EPARSE);
	assert_int_equal(xy_unhex("deadbeef00", 10, b, 4), XY_EPARSE);
	assert_int_equal(xy_unhex("deadbeeg", 8, b, 4), XY_EPARSE);
	assert_int_equal(xy_unhex("dead:eef", 8, b, 4), XY_EPARSE);
	assert_int_equal(xy_unhex("dead eef", 8, b, 4), XY_EPARSE);
	assert_int_equal(b[0], 0); /* zeroed on failure */
	assert_int_equal(xy_ct_equal(c, "\xde\xad\xbe\xef", 4), 1);
	assert_int_equal(xy_ct_equal(c, "\xde\xad\xbe\xee", 4), 0);
}

/* ---- CRY-1: sealed values ---- */

struct sealfix {
	struct tmpdir t;
	struct xy_keyring *kr;
	struct xy_sealer *s;
	struct xy_buf sealed, plain;
};

static void fix_open(struct sealfix *f)
{
	f->kr = make_keyring(&f->t);
	assert_int_equal(xy_sealer_new(&f->s, f->kr), 0);
	xy_buf_init(&f->sealed, 1 << 20);
	xy_buf_init(&f->plain, 1 << 20);
}

static void fix_close(struct sealfix *f)
{
	xy_buf_wipe(&f->plain);
	xy_buf_cleanup(&f->plain);
	xy_buf_cleanup(&f->sealed);
	xy_sealer_free(f->s);
	xy_keyring_free(f->kr);
}

static void test_cry1_seal_round_trip_sizes(void **state)
{
	static const size_t sizes[] = {0, 1, 18, 64, XY_FIELD_VALUE_MAX};
	uint8_t v[XY_FIELD_VALUE_MAX];
	struct sealfix f;
	uint32_t id = 0;

	(void)state;
	fix_open(&f);
	for (size_t i = 0; i < sizeof(v); i++)
		v[i] = (uint8_t)('A' + i % 26);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		xy_buf_reset(&f.sealed);
		xy_buf_reset(&f.plain);
		assert_int_equal(xy_seal(f.s, "subject", "id_no", 42, v, n, &f.sealed), 0);
		assert_int_equal(f.sealed.len, n + XY_SEAL_OVERHEAD);
		assert_int_equal((uint8_t)f.sealed.p[0], XY_SEAL_VERSION);
		assert_int_equal(xy_sealed_key_id(f.sealed.p, f.sealed.len, &id), 0);
		assert_int_equal(id, 1);
		if (n >= 18) /* the clear text is not in the sealed bytes */
			assert_null(memmem(f.sealed.p, f.sealed.len, v, 18));
		assert_int_equal(
			xy_unseal(f.s, "subject", "id_no", 42, f.sealed.p, f.sealed.len, &f.plain),
			0);
		assert_int_equal(f.plain.len, n);
		assert_memory_equal(f.plain.p, v, n);
	}
	fix_close(&f);
}

static void test_cry1_seal_same_value_twice_differs(void **state)
{
	struct sealfix f;
	struct xy_buf b;

	(void)state;
	fix_open(&f);
	xy_buf_init(&b, 4096);
	assert_int_equal(xy_seal(f.s, "t", "c", 1, "110101199003077777", 18, &f.sealed), 0);
	assert_int_equal(xy_seal(f.s, "t", "c", 1, "110101199003077777", 18, &b), 0);
	assert_int_equal(b.len, f.sealed.len);
	assert_memory_not_equal(b.p, f.sealed.p, b.len); /* fresh IV each time */
	xy_buf_cleanup(&b);
	fix_close(&f);
}

/* Expected result of unsealing `bad`: a changed key id names an unknown key (XY_EKEY)
 * unless it happens to name a key the keyring holds (then the tag fails). */
static int expected_failure(const struct xy_keyring *kr, const uint8_t *bad, size_t n)
{
	uint32_t id = 0;

	if (n >= XY_SEAL_OVERHEAD && bad[0] == XY_SEAL_VERSION &&
	    xy_sealed_key_id(bad, n, &id) == 0 && !xy_keyring_by_id(kr, XY_KEY_MAC, id))
		return XY_EKEY;
	return XY_ETAMPER;
}

static void test_cry1_unseal_any_flipped_bit_fails(void **state)
{
	struct sealfix f;
	uint8_t bad[XY_SEAL_OVERHEAD + 20];
	int ekeys = 0;

	(void)state;
	fix_open(&f);
	assert_int_equal(xy_seal(f.s, "subject", "name", 7, "张三丰 enterprise", 20, &f.sealed), 0);
	assert_int_equal(f.sealed.len, sizeof(bad));
	assert_int_equal(xy_buf_adds(&f.plain, "kept"), 0);
	for (size_t bit = 0; bit < 8 * sizeof(bad); bit++) {
		memcpy(bad, f.sealed.p, sizeof(bad));
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int want = expected_failure(f.kr, bad, sizeof(bad));
		ekeys += want == XY_EKEY;
		assert_int_equal(xy_unseal(f.s, "subject", "name", 7, bad, sizeof(bad), &f.plain),
				 want);
		assert_int_equal(f.plain.len, 4); /* nothing appended */
		assert_string_equal(f.plain.p, "kept");
	}
	assert_int_equal(ekeys, 32); /* every key-id bit leads to an unknown id */
	fix_close(&f);
}

static void test_cry1_unseal_truncated_or_extended_fails(void **state)
{
	struct sealfix f;

	(void)state;
	fix_open(&f);
	assert_int_equal(xy_seal(f.s, "subject", "name", 7, "credit", 6, &f.sealed), 0);
	for (size_t n = 0; n < f.sealed.len; n++)
		assert_int_equal(xy_unseal(f.s, "subject", "name", 7, f.sealed.p, n, &f.plain),
				 XY_ETAMPER);
	assert_int_equal(xy_buf_addc(&f.sealed, 0), 0);
	assert_int_equal(xy_unseal(f.s, "subject", "name", 7, f.sealed.p, f.sealed.len, &f.plain),
			 XY_ETAMPER);
	assert_int_equal(f.plain.len, 0);
	fix_close(&f);
}

static void test_cry1_unseal_moved_value_fails(void **state)
{
	struct sealfix f;
	const char *p;
	size_t n;

	(void)state;
	fix_open(&f);
	assert_int_equal(
		xy_seal(f.s, "subject", "id_no", 1001, "110101199003077777", 18, &f.sealed), 0);
	p = f.sealed.p;
	n = f.sealed.len;
	/* Another row, column or table: the value was moved. */
	assert_int_equal(xy_unseal(f.s, "subject", "id_no", 1002, p, n, &f.plain), XY_ETAMPER);
	assert_int_equal(xy_unseal(f.s, "subject", "id_no", -1001, p, n, &f.plain), XY_ETAMPER);
	assert_int_equal(xy_unseal(f.s, "subject", "phone", 1001, p, n, &f.plain), XY_ETAMPER);
	assert_int_equal(xy_unseal(f.s, "person", "id_no", 1001, p, n, &f.plain), XY_ETAMPER);
	/* The length prefixes keep a name boundary from shifting. */
	assert_int_equal(xy_unseal(f.s, "subjecti", "d_no", 1001, p, n, &f.plain), XY_ETAMPER);
	assert_int_equal(f.plain.len, 0);
	/* Its own place still opens. */
	assert_int_equal(xy_unseal(f.s, "subject", "id_no", 1001, p, n, &f.plain), 0);
	assert_int_equal(f.plain.len, 18);
	fix_close(&f);
}

/* Tag as the layout defines it, computed here from the keyring's MAC key. */
static void forge_tag(const struct xy_keyring *kr, uint32_t id, uint8_t *v, size_t n,
		      const char *table, const char *column, uint64_t rowid)
{
	struct xy_hmac *h;
	uint8_t len4[4], row8[8];
	const uint8_t *key = xy_keyring_by_id(kr, XY_KEY_MAC, id);

	assert_non_null(key);
	assert_int_equal(xy_hmac_new(&h, key, XY_SM3_LEN), 0);
	xy_hmac_begin(h);
	xy_hmac_update(h, v, n - XY_SM3_LEN);
	for (int k = 0; k < 2; k++) {
		const char *name = k ? column : table;
		uint32_t l = (uint32_t)strlen(name);
		len4[0] = (uint8_t)(l >> 24), len4[1] = (uint8_t)(l >> 16);
		len4[2] = (uint8_t)(l >> 8), len4[3] = (uint8_t)l;
		xy_hmac_update(h, len4, 4);
		xy_hmac_update(h, name, l);
	}
	for (int i = 0; i < 8; i++)
		row8[i] = (uint8_t)(rowid >> (56 - 8 * i));
	xy_hmac_update(h, row8, 8);
	xy_hmac_final(h, v + n - XY_SM3_LEN);
	xy_hmac_free(h);
}

static void test_cry1_unseal_wrong_version_fails(void **state)
{
	struct sealfix f;
	uint8_t v[XY_SEAL_OVERHEAD + 6];

	(void)state;
	fix_open(&f);
	assert_int_equal(xy_seal(f.s, "t", "c", 5, "credit", 6, &f.sealed), 0);
	memcpy(v, f.sealed.p, sizeof(v));
	/* The independently computed tag matches ours: the layout is as documented. */
	forge_tag(f.kr, 1, v, sizeof(v), "t", "c", 5);
	assert_memory_equal(v, f.sealed.p, sizeof(v));
	/* A version we do not know is refused even under a valid tag. */
	v[0] = 0x02;
	forge_tag(f.kr, 1, v, sizeof(v), "t", "c", 5);
	assert_int_equal(xy_unseal(f.s, "t", "c", 5, v, sizeof(v), &f.plain), XY_ETAMPER);
	v[0] = 0x00;
	forge_tag(f.kr, 1, v, sizeof(v), "t", "c", 5);
	assert_int_equal(xy_unseal(f.s, "t", "c", 5, v, sizeof(v), &f.plain), XY_ETAMPER);
	assert_int_equal(f.plain.len, 0);
	fix_close(&f);
}

static void test_cry1_unseal_unknown_key_id(void **state)
{
	struct sealfix f;
	uint8_t v[XY_SEAL_OVERHEAD + 6];

	(void)state;
	fix_open(&f);
	assert_int_equal(xy_seal(f.s, "t", "c", 5, "credit", 6, &f.sealed), 0);
	memcpy(v, f.sealed.p, sizeof(v));
	v[4] = 7; /* key id 7: this keyring only has 1 */
	assert_int_equal(xy_unseal(f.s, "t", "c", 5, v, sizeof(v), &f.plain), XY_EKEY);
	v[4] = 0;
	assert_int_equal(xy_unseal(f.s, "t", "c", 5, v, sizeof(v), &f.plain), XY_EKEY);
	memset(v + 1, 0xff, 4);
	assert_int_equal(xy_unseal(f.s, "t", "c", 5, v, sizeof(v), &f.plain), XY_EKEY);
	assert_int_equal(f.plain.len, 0);
	fix_close(&f);
}

static void test_cry1_seal_refusals(void **state)
{
	char longname[XY_SEAL_NAME_MAX + 2];
	struct sealfix f;
	struct xy_buf small;
	static uint8_t big[XY_SEAL_PLAIN_MAX + 1];

	(void)state;
	fix_open(&f);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(xy_seal(f.s, "", "c", 1, "v", 1, &f.sealed), XY_EINVAL);
	assert_int_equal(xy_seal(f.s, "t", NULL, 1, "v", 1, &f.sealed), XY_EINVAL);
	assert_int_equal(xy_seal(f.s, longname, "c", 1, "v", 1, &f.sealed), XY_EINVAL);
	assert_int_equal(xy_seal(f.s, "t", "c", 1, big, sizeof(big), &f.sealed), XY_ELIMIT);
	assert_int_equal(f.sealed.len, 0);
	/* An output buffer too small for the sealed value is left as it was. */
	xy_buf_init(&small, 30);
	assert_int_equal(xy_buf_adds(&small, "ab"), 0);
	assert_int_equal(xy_seal(f.s, "t", "c", 1, "value", 5, &small), XY_ELIMIT);
	assert_int_equal(small.len, 2);
	assert_string_equal(small.p, "ab");
	xy_buf_cleanup(&small);
	fix_close(&f);
}

static void test_cry1_blind_index(void **state)
{
	uint8_t a[XY_SM3_LEN], b[XY_SM3_LEN], want[XY_SM3_LEN], plain[XY_SM3_LEN];
	struct xy_hmac *h;
	struct sealfix f;
	uint32_t id;
	const uint8_t *key;

	(void)state;
	fix_open(&f);
	xy_blind_index(f.s, "subject.id_no", "110101199003077777", 18, a);
	xy_blind_index(f.s, "subject.id_no", "110101199003077777", 18, b);
	assert_memory_equal(a, b, sizeof(a)); /* deterministic: usable for lookups */
	/* HMAC-SM3(bidx key, domain || 0x00 || value), computed independently */
	key = xy_keyring_active(f.kr, XY_KEY_BIDX, &id);
	assert_int_equal(id, 1);
	assert_int_equal(xy_hmac_new(&h, key, XY_SM3_LEN), 0);
	xy_hmac_oneshot(h,
			"subject.id_no\0"
			"110101199003077777",
			14 + 18, want);
	xy_hmac_free(h);
	assert_memory_equal(a, want, sizeof(a));
	assert_int_equal(xy_blind_index_id(f.s, 1, "subject.id_no", "110101199003077777", 18, b),
			 0);
	assert_memory_equal(a, b, sizeof(a));
	/* Other value, other domain, domain/value boundary: all differ; not a bare hash. */
	xy_blind_index(f.s, "subject.id_no", "110101199003077778", 18, b);
	assert_memory_not_equal(a, b, sizeof(a));
	xy_blind_index(f.s, "subject.phone", "110101199003077777", 18, b);
	assert_memory_not_equal(a, b, sizeof(a));
	xy_blind_index(f.s, "subject.id_no1", "10101199003077777", 17, b);
	assert_memory_not_equal(a, b, sizeof(a));
	xy_sm3("110101199003077777", 18, plain);
	assert_memory_not_equal(a, plain, sizeof(a));
	assert_int_equal(xy_blind_index_id(f.s, 2, "d", "v", 1, b), XY_EKEY);
	fix_close(&f);
}

static void test_cry2_row_tag(void **state)
{
	uint8_t a[XY_SM3_LEN], want[XY_SM3_LEN];
	struct xy_hmac *h;
	struct sealfix f;
	const uint8_t *key;

	(void)state;
	fix_open(&f);
	xy_row_tag(f.s, "row content", 11, a);
	key = xy_keyring_active(f.kr, XY_KEY_ROW, NULL);
	assert_int_equal(xy_hmac_new(&h, key, XY_SM3_LEN), 0);
	xy_hmac_oneshot(h, "row content", 11, want);
	xy_hmac_free(h);
	assert_memory_equal(a, want, sizeof(a));
	/* A different key from the blind index and the MAC key (purposes are separate). */
	xy_blind_index(f.s, "", "row content", 11, want);
	assert_memory_not_equal(a, want, sizeof(a));
	assert_int_equal(xy_row_tag_id(f.s, 1, "row content", 11, want), 0);
	assert_memory_equal(a, want, sizeof(a));
	assert_int_equal(xy_row_tag_id(f.s, 9, "row content", 11, want), XY_EKEY);
	fix_close(&f);
}

static void test_cry1_measure_seal_and_blind_index(void **state)
{
	uint8_t v[64], idx[XY_SM3_LEN];
	struct sealfix f;
	const int n = 20000;
	double t0, t1, t2, t3;

	(void)state;
	fix_open(&f);
	memset(v, 'x', sizeof(v));
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		xy_buf_reset(&f.sealed);
		assert_int_equal(xy_seal(f.s, "subject", "id_no", i, v, sizeof(v), &f.sealed), 0);
	}
	t1 = now_s();
	for (int i = 0; i < n; i++) {
		xy_buf_reset(&f.plain);
		assert_int_equal(xy_unseal(f.s, "subject", "id_no", n - 1, f.sealed.p, f.sealed.len,
					   &f.plain),
				 0);
	}
	t2 = now_s();
	for (int i = 0; i < n; i++)
		xy_blind_index(f.s, "subject.id_no", v, 18, idx);
	t3 = now_s();
	printf("# CRY-1 cost: xy_seal 64 B %.2f us, xy_unseal 64 B %.2f us, "
	       "xy_blind_index %.2f us (%d each)\n",
	       (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6, (t3 - t2) / n * 1e6, n);
	fflush(stdout);
	fix_close(&f);
}

/* ---- CRY-3: keyring ---- */

static void test_cry3_keyring_create_load_round_trip(void **state)
{
	struct tmpdir t;
	struct xy_keyring *kr = make_keyring(&t), *kr2 = NULL;
	struct xy_sealer *s1, *s2;
	struct xy_buf sealed, plain;
	char p[160], text[256];
	uint8_t mk[32];
	uint32_t id = 0;

	(void)state;
	assert_int_equal(mode_of(&t, NULL), 0700);
	assert_int_equal(mode_of(&t, "master.key"), 0600);
	assert_int_equal(mode_of(&t, "data-keys"), 0600);
	assert_int_equal(mode_of(&t, "platform-sm2.key"), 0600);
	assert_int_equal(mode_of(&t, "platform-sm2.pub"), 0644);
	assert_int_equal(read_file(path_in(&t, "master.key", p, sizeof(p)), text, sizeof(text)),
			 65);
	assert_int_equal(text[64], '\n');
	assert_int_equal(xy_unhex(text, 64, mk, 32), 0);
	assert_int_equal(
		read_file(path_in(&t, "platform-sm2.pub", p, sizeof(p)), text, sizeof(text)) > 0,
		1);
	assert_non_null(strstr(text, "-----BEGIN PUBLIC KEY-----"));

	for (int purpose = 0; purpose < XY_KEY__COUNT; purpose++) {
		const uint8_t *k = xy_keyring_active(kr, (enum xy_key_purpose)purpose, &id);
		assert_int_equal(id, 1);
		assert_ptr_equal(k, xy_keyring_by_id(kr, (enum xy_key_purpose)purpose, 1));
		assert_null(xy_keyring_by_id(kr, (enum xy_key_purpose)purpose, 0));
		assert_null(xy_keyring_by_id(kr, (enum xy_key_purpose)purpose, 2));
	}
	assert_int_equal(xy_keyring_key_len(XY_KEY_ENC), 16);
	assert_int_equal(xy_keyring_key_len(XY_KEY_ROW), 32);
	assert_memory_not_equal(xy_keyring_active(kr, XY_KEY_MAC, NULL),
				xy_keyring_active(kr, XY_KEY_BIDX, NULL), 32);

	/* A second load of the same directory opens what the first sealed. */
	assert_int_equal(xy_keyring_load(t.keys, &kr2), 0);
	assert_int_equal(xy_sealer_new(&s1, kr), 0);
	assert_int_equal(xy_sealer_new(&s2, kr2), 0);
	xy_buf_init(&sealed, 4096);
	xy_buf_init(&plain, 4096);
	assert_int_equal(xy_seal(s1, "t", "c", 1, "persisted", 9, &sealed), 0);
	assert_int_equal(xy_unseal(s2, "t", "c", 1, sealed.p, sealed.len, &plain), 0);
	assert_string_equal(plain.p, "persisted");
	xy_buf_cleanup(&sealed);
	xy_buf_cleanup(&plain);
	xy_sealer_free(s1);
	xy_sealer_free(s2);
	xy_keyring_free(kr2);
	xy_keyring_free(kr);
}

static void test_cry3_create_refuses_non_empty_dir(void **state)
{
	struct tmpdir t;
	struct xy_keyring *kr;
	char p[160];

	(void)state;
	tmpdir_make(&t);
	assert_int_equal(mkdir(t.keys, 0755), 0); /* an existing empty directory is taken */
	assert_int_equal(xy_keyring_create(t.keys), 0);
	assert_int_equal(mode_of(&t, NULL), 0700);
	assert_int_equal(xy_keyring_create(t.keys), XY_EEXISTS);
	assert_int_equal(xy_keyring_load(t.keys, &kr), 0); /* the refusal touched nothing */
	xy_keyring_free(kr);
	assert_int_equal(xy_keyring_create(path_in(&t, "master.key", p, sizeof(p))), XY_EEXISTS);
}

static void test_cry3_master_key_mode_0644_refused(void **state)
{
	struct tmpdir t;
	struct xy_keyring *kr;
	char p[160];

	(void)state;
	tmpdir_make(&t);
	assert_int_equal(xy_keyring_create(t.keys), 0);
	path_in(&t, "master.key", p, sizeof(p));
	assert_int_equal(chmod(p, 0644), 0);
	kr = (struct xy_keyring *)1;
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	assert_null(kr);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	assert_int_equal(chmod(p, 0602), 0);
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	assert_int_equal(chmod(p, 0400), 0); /* owner-only read is fine */
	assert_int_equal(xy_keyring_load(t.keys, &kr), 0);
	xy_keyring_free(kr);
	/* No master key at all. */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
}

static void test_cry3_master_key_from_env(void **state)
{
	static const char env_key[] =
		"8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
	static const char other_key[] =
		"0000000000000000000000000000000000000000000000000000000000000001";
	struct tmpdir t, t2;
	struct xy_keyring *kr;
	char p[160];

	(void)state;
	tmpdir_make(&t);
	assert_int_equal(setenv(XY_MASTER_ENV, env_key, 1), 0);
	assert_int_equal(xy_keyring_create(t.keys), 0);
	assert_int_equal(access(path_in(&t, "master.key", p, sizeof(p)), F_OK), -1);
	assert_int_equal(xy_keyring_load(t.keys, &kr), 0);
	xy_keyring_free(kr);
	/* Without the variable there is no master key. */
	unsetenv(XY_MASTER_ENV);
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	/* Another key does not open it; a malformed one is refused. */
	assert_int_equal(setenv(XY_MASTER_ENV, other_key, 1), 0);
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	assert_int_equal(setenv(XY_MASTER_ENV, "8f1e2d", 1), 0);
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	snprintf(p, sizeof(p), "%s/new", t.base);
	assert_int_equal(xy_keyring_create(p), XY_EKEY);
	assert_int_equal(access(p, F_OK), -1); /* nothing left behind */
	/* The variable overrides a master.key file: a keyring made with the file does not
	 * open while the variable holds another key. */
	unsetenv(XY_MASTER_ENV);
	tmpdir_make(&t2);
	assert_int_equal(xy_keyring_create(t2.keys), 0);
	assert_int_equal(setenv(XY_MASTER_ENV, env_key, 1), 0);
	assert_int_equal(xy_keyring_load(t2.keys, &kr), XY_EKEY);
	unsetenv(XY_MASTER_ENV);
	assert_int_equal(xy_keyring_load(t2.keys, &kr), 0);
	xy_keyring_free(kr);
}

/* Replaces the first `from` at or after the line starting with `prefix` by `to` (same
 * length) in a keyring file. */
static void edit_file(const struct tmpdir *t, const char *name, const char *prefix,
		      const char *from, const char *to)
{
	char p[160], text[8192], *at;
	size_t n;

	path_in(t, name, p, sizeof(p));
	n = read_file(p, text, sizeof(text));
	at = strstr(text, prefix);
	assert_non_null(at);
	at = strstr(at, from);
	assert_non_null(at);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(at, to, strlen(to));
	write_file(p, text, n);
}

/* Flips one hex digit inside the wrapped blob of the line starting with `prefix`. */
static void tamper_blob(const struct tmpdir *t, const char *name, const char *prefix)
{
	char p[160], text[8192], *line, *digit;
	size_t n;

	path_in(t, name, p, sizeof(p));
	n = read_file(p, text, sizeof(text));
	line = strstr(text, prefix);
	assert_non_null(line);
	digit = strchr(line, '\n') - 20; /* inside the tag */
	*digit = *digit == '0' ? '1' : '0';
	write_file(p, text, n);
}

static void test_cry3_tampered_data_keys_line(void **state)
{
	struct tmpdir t;
	struct xy_keyring *kr;
	char p[160], saved[8192];
	size_t n;

	(void)state;
	tmpdir_make(&t);
	assert_int_equal(xy_keyring_create(t.keys), 0);
	n = read_file(path_in(&t, "data-keys", p, sizeof(p)), saved, sizeof(saved));

	tamper_blob(&t, "data-keys", "v1 1 mac ");
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_ETAMPER);
	write_file(p, saved, n);
	assert_int_equal(xy_keyring_load(t.keys, &kr), 0); /* the original is fine */
	xy_keyring_free(kr);

	/* A key relabelled for another purpose: the tag covers the purpose. */
	edit_file(&t, "data-keys", "v1 1 mac ", "v1 1 mac ", "v1 1 row ");
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_ETAMPER);
	write_file(p, saved, n);
	/* The creation time is covered too. */
	edit_file(&t, "data-keys", "v1 1 enc ", "Z ", "X ");
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_ETAMPER);
	write_file(p, saved, n);
	/* The check line failing reads as a wrong master key. */
	tamper_blob(&t, "data-keys", "v1 0 check ");
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_EKEY);
	write_file(p, saved, n);
	/* A line removed: the set is no longer whole. */
	{
		char text[8192], *line, *end;
		memcpy(text, saved, n + 1);
		line = strstr(text, "v1 1 bidx ");
		end = strchr(line, '\n') + 1;
		memmove(line, end, strlen(end) + 1);
		write_file(p, text, strlen(text));
		assert_int_equal(xy_keyring_load(t.keys, &kr), XY_ETAMPER);
	}
	write_file(p, saved, n);
	/* The wrapped SM2 key as well. */
	tamper_blob(&t, "platform-sm2.key", "v1 1 sm2 ");
	assert_int_equal(xy_keyring_load(t.keys, &kr), XY_ETAMPER);
}

static void test_cry3_rotation_keeps_old_values_readable(void **state)
{
	struct tmpdir t;
	struct xy_keyring *kr = make_keyring(&t), *kr2;
	struct xy_sealer *s, *s2;
	struct xy_buf a, b, plain;
	uint8_t idx1[XY_SM3_LEN], idx2[XY_SM3_LEN], old_mac[32];
	uint32_t id = 0;

	(void)state;
	xy_buf_init(&a, 4096);
	xy_buf_init(&b, 4096);
	xy_buf_init(&plain, 4096);
	memcpy(old_mac, xy_keyring_active(kr, XY_KEY_MAC, NULL), 32);
	assert_int_equal(xy_sealer_new(&s, kr), 0);
	assert_int_equal(xy_seal(s, "t", "c", 1, "before", 6, &a), 0);
	xy_blind_index(s, "d", "v", 1, idx1);

	assert_int_equal(xy_keyring_rotate(t.keys, kr), 0);
	for (int p = 0; p < XY_KEY__COUNT; p++) {
		xy_keyring_active(kr, (enum xy_key_purpose)p, &id);
		assert_int_equal(id, 2);
	}
	assert_memory_equal(xy_keyring_by_id(kr, XY_KEY_MAC, 1), old_mac, 32);
	assert_memory_not_equal(xy_keyring_active(kr, XY_KEY_MAC, NULL), old_mac, 32);
	assert_int_equal(mode_of(&t, "data-keys"), 0600);

	/* The same sealer, without a restart, seals new values under id 2 ... */
	assert_int_equal(xy_seal(s, "t", "c", 2, "after", 5, &b), 0);
	assert_int_equal(xy_sealed_key_id(b.p, b.len, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(xy_sealed_key_id(a.p, a.len, &id), 0);
	assert_int_equal(id, 1);
	/* ... and reads both. */
	assert_int_equal(xy_unseal(s, "t", "c", 1, a.p, a.len, &plain), 0);
	assert_int_equal(xy_unseal(s, "t", "c", 2, b.p, b.len, &plain), 0);
	assert_string_equal(plain.p, "beforeafter");
	/* The blind index moves to the new key; the old one stays computable by id. */
	xy_blind_index(s, "d", "v", 1, idx2);
	assert_memory_not_equal(idx1, idx2, sizeof(idx1));
	assert_int_equal(xy_blind_index_id(s, 1, "d", "v", 1, idx2), 0);
	assert_memory_equal(idx1, idx2, sizeof(idx1));

	/* A fresh load from disk sees both ids. */
	assert_int_equal(xy_keyring_load(t.keys, &kr2), 0);
	xy_keyring_active(kr2, XY_KEY_ENC, &id);
	assert_int_equal(id, 2);
	assert_int_equal(xy_sealer_new(&s2, kr2), 0);
	xy_buf_reset(&plain);
	assert_int_equal(xy_unseal(s2, "t", "c", 1, a.p, a.len, &plain), 0);
	assert_int_equal(xy_unseal(s2, "t", "c", 2, b.p, b.len, &plain), 0);
	assert_string_equal(plain.p, "beforeafter");

	xy_sealer_free(s2);
	xy_sealer_free(s);
	xy_keyring_free(kr2);
	xy_keyring_free(kr);
	xy_buf_cleanup(&a);
	xy_buf_cleanup(&b);
	xy_buf_cleanup(&plain);
}

static void test_cry3_rotation_by_another_process_needs_reload(void **state)
{
	struct tmpdir t;
	struct xy_keyring *a = make_keyring(&t), *b;
	struct xy_sealer *sa, *sb;
	struct xy_buf v, plain;
	uint32_t id = 0;

	(void)state;
	xy_buf_init(&v, 4096);
	xy_buf_init(&plain, 4096);
	assert_int_equal(xy_keyring_load(t.keys, &b), 0);
	assert_int_equal(xy_keyring_rotate(t.keys, a), 0);
	assert_int_equal(xy_sealer_new(&sa, a), 0);
	assert_int_equal(xy_sealer_new(&sb, b), 0);
	assert_int_equal(xy_seal(sa, "t", "c", 1, "new", 3, &v), 0);
	/* b has not seen key 2 yet, and must not write over a's rotation. */
	assert_int_equal(xy_unseal(sb, "t", "c", 1, v.p, v.len, &plain), XY_EKEY);
	assert_int_equal(xy_keyring_rotate(t.keys, b), XY_ECONFLICT);
	assert_int_equal(xy_keyring_reload(t.keys, b), 0);
	xy_keyring_active(b, XY_KEY_ENC, &id);
	assert_int_equal(id, 2);
	assert_int_equal(xy_unseal(sb, "t", "c", 1, v.p, v.len, &plain), 0);
	assert_string_equal(plain.p, "new");
	assert_int_equal(xy_keyring_rotate(t.keys, b), 0);
	xy_keyring_active(b, XY_KEY_ENC, &id);
	assert_int_equal(id, 3);
	xy_sealer_free(sa);
	xy_sealer_free(sb);
	xy_keyring_free(a);
	xy_keyring_free(b);
	xy_buf_cleanup(&v);
	xy_buf_cleanup(&plain);
}

/* A worker that seals and unseals without pause while the keyring rotates under it. */
struct worker {
	struct xy_keyring *kr;
	atomic_int stop;
	atomic_uint max_id;
	long ops, failures;
};

static void *seal_loop(void *arg)
{
	struct worker *w = arg;
	struct xy_sealer *s;
	struct xy_buf v, plain;
	uint32_t id;

	if (xy_sealer_new(&s, w->kr)) {
		w->failures++;
		return NULL;
	}
	xy_buf_init(&v, 4096);
	xy_buf_init(&plain, 4096);
	while (!atomic_load(&w->stop)) {
		xy_buf_reset(&v);
		xy_buf_reset(&plain);
		if (xy_seal(s, "t", "c", w->ops, "value", 5, &v) ||
		    xy_unseal(s, "t", "c", w->ops, v.p, v.len, &plain) || plain.len != 5 ||
		    xy_sealed_key_id(v.p, v.len, &id))
			w->failures++;
		else if (id > atomic_load(&w->max_id))
			atomic_store(&w->max_id, id);
		w->ops++;
	}
	xy_buf_cleanup(&v);
	xy_buf_cleanup(&plain);
	xy_sealer_free(s);
	return NULL;
}

static void test_cry3_rotation_without_downtime(void **state)
{
	struct tmpdir t;
	struct worker w = {.kr = make_keyring(&t)};
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, seal_loop, &w), 0);
	for (int i = 0; i < 3; i++) {
		struct timespec ms = {0, 20 * 1000 * 1000};
		nanosleep(&ms, NULL);
		assert_int_equal(xy_keyring_rotate(t.keys, w.kr), 0);
	}
	/* The worker picks up the last rotation without being told (up to 10 s). */
	for (int i = 0; i < 1000 && atomic_load(&w.max_id) < 4; i++) {
		struct timespec ms = {0, 10 * 1000 * 1000};
		nanosleep(&ms, NULL);
	}
	atomic_store(&w.stop, 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.failures, 0);
	assert_true(w.ops > 0);
	assert_int_equal(atomic_load(&w.max_id), 4);
	xy_keyring_free(w.kr);
}

/* ---- CRY-4: SM2 ---- */

static void test_cry4_sm2_sign_verify(void **state)
{
	static const char msg[] = "checkpoint 42 head 66c7f0f4";
	struct xy_sm2key *k;
	struct xy_buf sig;
	uint8_t bad[XY_SM2_SIG_MAX];

	(void)state;
	xy_buf_init(&sig, 1024);
	assert_int_equal(xy_sm2_generate(&k), 0);
	assert_int_equal(xy_sm2_has_private(k), 1);
	assert_int_equal(xy_sm2_sign(k, msg, sizeof(msg) - 1, &sig), 0);
	assert_true(sig.len >= 8 && sig.len <= XY_SM2_SIG_MAX);
	assert_int_equal(xy_sm2_verify(k, msg, sizeof(msg) - 1, sig.p, sig.len), 0);
	assert_int_equal(
		xy_sm2_verify(k, "checkpoint 43 head 66c7f0f4", sizeof(msg) - 1, sig.p, sig.len),
		XY_ETAMPER);
	for (size_t i = 0; i < sig.len; i++) { /* every byte of the signature matters */
		memcpy(bad, sig.p, sig.len);
		bad[i] ^= 0x01;
		assert_int_equal(xy_sm2_verify(k, msg, sizeof(msg) - 1, bad, sig.len), XY_ETAMPER);
	}
	assert_int_equal(xy_sm2_verify(k, msg, sizeof(msg) - 1, sig.p, sig.len - 1), XY_ETAMPER);
	assert_int_equal(xy_sm2_verify(k, msg, sizeof(msg) - 1, sig.p, 0), XY_ETAMPER);
	assert_int_equal(xy_sm2_verify(k, msg, sizeof(msg) - 1, "garbage", 7), XY_ETAMPER);
	xy_sm2_free(k);
	xy_buf_cleanup(&sig);
}

/* A raw OpenSSL SM2 signature, with the distinguishing ID set or left at OpenSSL 3.0's
 * empty default. */
static size_t raw_sign(EVP_PKEY *pkey, int set_id, const char *msg, unsigned char *sig, size_t cap)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pkey, NULL);
	size_t len = cap;

	assert_non_null(m);
	assert_non_null(pc);
	if (set_id)
		assert_int_equal(EVP_PKEY_CTX_set1_id(pc, XY_SM2_ID, 16), 1);
	EVP_MD_CTX_set_pkey_ctx(m, pc);
	assert_int_equal(EVP_DigestSignInit(m, NULL, EVP_sm3(), NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(m, sig, &len, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(pc);
	return len;
}

static int raw_verify(EVP_PKEY *pkey, int set_id, const char *msg, const void *sig, size_t n)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pkey, NULL);
	int ok;

	if (set_id)
		assert_int_equal(EVP_PKEY_CTX_set1_id(pc, XY_SM2_ID, 16), 1);
	EVP_MD_CTX_set_pkey_ctx(m, pc);
	assert_int_equal(EVP_DigestVerifyInit(m, NULL, EVP_sm3(), NULL, pkey), 1);
	ok = EVP_DigestVerify(m, sig, n, (const unsigned char *)msg, strlen(msg));
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(pc);
	return ok == 1;
}

static void test_cry4_sm2_id_is_set_explicitly(void **state)
{
	static const char msg[] = "credit report 2026-0001";
	unsigned char sig[128];
	EVP_PKEY *raw = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	struct xy_sm2key *pub, *ours;
	struct xy_buf pem, oursig;
	BIO *bio;
	size_t n;

	(void)state;
	assert_non_null(raw);
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(bio, raw), 1);
	{
		char *data;
		long len = BIO_get_mem_data(bio, &data);
		assert_int_equal(xy_sm2_load_public_pem(data, (size_t)len, &pub), 0);
	}
	BIO_free(bio);
	/* Made with the empty default ID: refused by ours (so ours does set the ID). */
	n = raw_sign(raw, 0, msg, sig, sizeof(sig));
	assert_int_equal(xy_sm2_verify(pub, msg, strlen(msg), sig, n), XY_ETAMPER);
	/* Control: the same raw path with the ID set verifies. */
	n = raw_sign(raw, 1, msg, sig, sizeof(sig));
	assert_int_equal(xy_sm2_verify(pub, msg, strlen(msg), sig, n), 0);
	EVP_PKEY_free(raw);
	xy_sm2_free(pub);

	/* The other direction: our signature checks out under the ID, not without it. */
	assert_int_equal(xy_sm2_generate(&ours), 0);
	xy_buf_init(&pem, 4096);
	xy_buf_init(&oursig, 256);
	assert_int_equal(xy_sm2_sign(ours, msg, strlen(msg), &oursig), 0);
	assert_int_equal(xy_sm2_public_pem(ours, &pem), 0);
	bio = BIO_new_mem_buf(pem.p, (int)pem.len);
	raw = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	assert_non_null(raw);
	BIO_free(bio);
	assert_int_equal(raw_verify(raw, 1, msg, oursig.p, oursig.len), 1);
	assert_int_equal(raw_verify(raw, 0, msg, oursig.p, oursig.len), 0);
	EVP_PKEY_free(raw);
	xy_sm2_free(ours);
	xy_buf_cleanup(&pem);
	xy_buf_cleanup(&oursig);
}

static void test_cry4_sm2_public_pem_round_trip(void **state)
{
	struct xy_sm2key *k, *pub, *other;
	struct xy_buf pem, pem2, sig;
	uint8_t id1[XY_SM3_LEN], id2[XY_SM3_LEN];
	uint8_t der[XY_SM2_PRIV_DER_MAX];
	size_t len;
	EVP_PKEY *p256;
	BIO *bio;

	(void)state;
	xy_buf_init(&pem, 4096);
	xy_buf_init(&pem2, 4096);
	xy_buf_init(&sig, 256);
	assert_int_equal(xy_sm2_generate(&k), 0);
	assert_int_equal(xy_sm2_public_pem(k, &pem), 0);
	assert_non_null(strstr(pem.p, "-----BEGIN PUBLIC KEY-----"));
	assert_null(strstr(pem.p, "PRIVATE"));
	assert_int_equal(xy_sm2_load_public_pem(pem.p, pem.len, &pub), 0);
	assert_int_equal(xy_sm2_has_private(pub), 0);
	assert_int_equal(xy_sm2_public_pem(pub, &pem2), 0);
	assert_string_equal(pem.p, pem2.p);
	assert_int_equal(xy_sm2_key_id(k, id1), 0);
	assert_int_equal(xy_sm2_key_id(pub, id2), 0);
	assert_memory_equal(id1, id2, sizeof(id1));
	assert_int_equal(xy_sm2_sign(k, "m", 1, &sig), 0);
	assert_int_equal(xy_sm2_verify(pub, "m", 1, sig.p, sig.len), 0);
	assert_int_equal(xy_sm2_sign(pub, "m", 1, &sig), XY_EKEY); /* verify-only */
	/* A different key does not verify it. */
	assert_int_equal(xy_sm2_generate(&other), 0);
	assert_int_equal(xy_sm2_verify(other, "m", 1, sig.p, sig.len), XY_ETAMPER);
	/* Private DER round trip (what the keyring wraps). */
	assert_int_equal(xy_sm2_private_der(k, der, sizeof(der), &len), 0);
	assert_int_equal(xy_sm2_private_der(k, der, 20, &len), XY_ELIMIT);
	assert_int_equal(xy_sm2_private_der(k, der, sizeof(der), &len), 0);
	xy_sm2_free(other);
	assert_int_equal(xy_sm2_load_private_der(der, len, &other), 0);
	xy_wipe(der, sizeof(der));
	xy_buf_reset(&sig);
	assert_int_equal(xy_sm2_sign(other, "m", 1, &sig), 0);
	assert_int_equal(xy_sm2_verify(pub, "m", 1, sig.p, sig.len), 0);
	assert_int_equal(xy_sm2_private_der(pub, der, sizeof(der), &len), XY_EKEY);
	xy_sm2_free(pub);
	/* Refusals: not PEM, too long, not SM2. */
	assert_int_equal(xy_sm2_load_public_pem("hello", 5, &pub), XY_EPARSE);
	assert_int_equal(xy_sm2_load_public_pem(pem.p, XY_SM2_PEM_MAX + 1, &pub), XY_ELIMIT);
	p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(p256);
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(bio, p256), 1);
	{
		char *data;
		long l = BIO_get_mem_data(bio, &data);
		struct xy_sm2key *ec = NULL;
		assert_int_equal(xy_sm2_load_public_pem(data, (size_t)l, &ec), XY_EKEY);
		assert_null(ec);
	}
	BIO_free(bio);
	EVP_PKEY_free(p256);
	xy_sm2_free(k);
	xy_sm2_free(other);
	xy_buf_cleanup(&pem);
	xy_buf_cleanup(&pem2);
	xy_buf_cleanup(&sig);
}

static void test_cry4_keyring_platform_key_matches_pub_file(void **state)
{
	struct tmpdir t;
	struct xy_keyring *kr = make_keyring(&t);
	struct xy_sm2key *pub;
	struct xy_buf sig;
	char p[160], pem[2048];
	size_t n;

	(void)state;
	xy_buf_init(&sig, 256);
	assert_non_null(xy_keyring_sm2(kr));
	assert_int_equal(xy_sm2_sign(xy_keyring_sm2(kr), "snapshot", 8, &sig), 0);
	n = read_file(path_in(&t, "platform-sm2.pub", p, sizeof(p)), pem, sizeof(pem));
	assert_int_equal(xy_sm2_load_public_pem(pem, n, &pub), 0);
	assert_int_equal(xy_sm2_verify(pub, "snapshot", 8, sig.p, sig.len), 0);
	xy_sm2_free(pub);
	xy_buf_cleanup(&sig);
	xy_keyring_free(kr);
}

/* Tests that make keyring directories: a clean environment before, no directory after. */
#define KEYS_TEST(f) cmocka_unit_test_setup_teardown(f, reset_env, remove_tmpdirs)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cry1_sm3_abc_vector),
		cmocka_unit_test(test_cry1_sm3_streaming_matches_oneshot),
		cmocka_unit_test(test_cry1_hmac_sm3_matches_openssl_cli),
		cmocka_unit_test(test_cry1_sm3_and_hmac_match_openssl_on_random_inputs),
		cmocka_unit_test(test_col4_sm3_many_matches_one_by_one),
		cmocka_unit_test(test_cry1_sm4_ctr_vector_and_round_trip),
		cmocka_unit_test(test_cry1_hex_and_ct_equal),
		KEYS_TEST(test_cry1_seal_round_trip_sizes),
		KEYS_TEST(test_cry1_seal_same_value_twice_differs),
		KEYS_TEST(test_cry1_unseal_any_flipped_bit_fails),
		KEYS_TEST(test_cry1_unseal_truncated_or_extended_fails),
		KEYS_TEST(test_cry1_unseal_moved_value_fails),
		KEYS_TEST(test_cry1_unseal_wrong_version_fails),
		KEYS_TEST(test_cry1_unseal_unknown_key_id),
		KEYS_TEST(test_cry1_seal_refusals),
		KEYS_TEST(test_cry1_blind_index),
		KEYS_TEST(test_cry2_row_tag),
		KEYS_TEST(test_cry1_measure_seal_and_blind_index),
		KEYS_TEST(test_cry3_keyring_create_load_round_trip),
		KEYS_TEST(test_cry3_create_refuses_non_empty_dir),
		KEYS_TEST(test_cry3_master_key_mode_0644_refused),
		KEYS_TEST(test_cry3_master_key_from_env),
		KEYS_TEST(test_cry3_tampered_data_keys_line),
		KEYS_TEST(test_cry3_rotation_keeps_old_values_readable),
		KEYS_TEST(test_cry3_rotation_by_another_process_needs_reload),
		KEYS_TEST(test_cry3_rotation_without_downtime),
		cmocka_unit_test(test_cry4_sm2_sign_verify),
		cmocka_unit_test(test_cry4_sm2_id_is_set_explicitly),
		cmocka_unit_test(test_cry4_sm2_public_pem_round_trip),
		KEYS_TEST(test_cry4_keyring_platform_key_matches_pub_file),
	};

	/* The refusals tested here log errors; keep the TAP output readable. */
	xy_log_set_level((enum xy_log_level)(XY_LOG_ERROR + 1));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
