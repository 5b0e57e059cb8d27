#include "crypto/keyring.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sm.h"
#include "util/err.h"
#include "util/log.h"

#define F_MASTER    "master.key"
#define F_KEYS	    "data-keys"
#define F_KEYS_TMP  "data-keys.tmp"
#define F_SM2	    "platform-sm2.key"
#define F_SM2_PUB   "platform-sm2.pub"
#define FILE_HEADER "# xinyong keyring: wrapped by the master key; see docs/internals/crypto.md\n"

#define WRAP_VERSION 0x01
#define CREATED_LEN  20 /* 2026-11-21T09:30:00Z */
#define LINE_MAX_LEN 1024
#define BLOB_MAX     (XY_SM4_IV_LEN + XY_SM2_PRIV_DER_MAX + XY_SM3_LEN)

/* What a wrapped line holds.  The data-key purposes come first so that they index the
 * same table; W_SM2 lives in platform-sm2.key; W_CHECK is an empty payload whose tag
 * tells a wrong master key apart from a tampered file. */
enum { W_SM2 = XY_KEY__COUNT, W_CHECK, W__COUNT };

static const struct {
	const char *name;
	size_t len; /* payload bytes; 0 for W_SM2 (variable) and W_CHECK (empty) */
} kinds[W__COUNT] = {
	[XY_KEY_ENC] = {"enc", XY_SM4_KEY_LEN},
	[XY_KEY_MAC] = {"mac", XY_SM3_LEN},
	[XY_KEY_BIDX] = {"bidx", XY_SM3_LEN},
	[XY_KEY_ROW] = {"row", XY_SM3_LEN},
	[W_SM2] = {"sm2", 0},
	[W_CHECK] = {"check", 0},
};

struct xy_keyring {
	/* Ids 1..n are complete.  Written last, with release order, so a reader that sees
	 * n also sees the key bytes (CRY-3: rotation without downtime). */
	_Atomic uint32_t n;
	uint8_t wrap_enc[XY_SM4_KEY_LEN];
	uint8_t wrap_mac[XY_SM3_LEN];
	struct xy_sm2key *sm2;
	uint8_t key[XY_KEY__COUNT][XY_KEYRING_IDS_MAX][XY_DATA_KEY_MAX];
};

/* Keys parsed from a data-keys file before they go into a keyring. */
struct keyset {
	uint32_t n;
	uint8_t have[XY_KEYRING_IDS_MAX + 1]; /* bit per purpose seen, by id */
	uint8_t key[XY_KEY__COUNT][XY_KEYRING_IDS_MAX][XY_DATA_KEY_MAX];
};

/* One wrapped line: "v1 ID KIND CREATED HEX(IV | CT | TAG)". */
struct wline {
	uint32_t id;
	int kind;
	char created[CREATED_LEN + 1];
	uint8_t blob[BLOB_MAX];
	size_t bloblen;
};

/* The wrapping keys' contexts, alive for one load / create / rotate. */
struct wrapper {
	struct xy_hmac *mac;
	struct xy_sm4 *enc;
};

size_t xy_keyring_key_len(enum xy_key_purpose p)
{
	return kinds[p].len;
}

/* ---- wrapping ---- */

static int derive_wrap_keys(struct xy_keyring *kr, const uint8_t master[XY_MASTER_KEY_LEN])
{
	static const char enc_label[] = "xinyong wrap enc v1";
	static const char mac_label[] = "xinyong wrap mac v1";
	uint8_t t[XY_SM3_LEN];
	struct xy_hmac *h;
	int rc = xy_hmac_new(&h, master, XY_MASTER_KEY_LEN);

	if (rc)
		return rc;
	xy_hmac_oneshot(h, enc_label, strlen(enc_label), t);
	memcpy(kr->wrap_enc, t, sizeof(kr->wrap_enc));
	xy_hmac_oneshot(h, mac_label, strlen(mac_label), kr->wrap_mac);
	xy_wipe(t, sizeof(t));
	xy_hmac_free(h);
	return 0;
}

static void wrapper_cleanup(struct wrapper *w)
{
	xy_hmac_free(w->mac);
	xy_sm4_free(w->enc);
	w->mac = NULL;
	w->enc = NULL;
}

static int wrapper_init(struct wrapper *w, const struct xy_keyring *kr)
{
	int rc;

	w->mac = NULL;
	w->enc = NULL;
	rc = xy_hmac_new(&w->mac, kr->wrap_mac, sizeof(kr->wrap_mac));
	if (!rc)
		rc = xy_sm4_new(&w->enc, kr->wrap_enc);
	if (rc)
		wrapper_cleanup(w);
	return rc;
}

/* Tag over version | kind | id (BE32) | created | IV | ciphertext. */
static void wrap_tag(struct wrapper *w, const struct wline *wl, size_t ctlen,
		     uint8_t tag[XY_SM3_LEN])
{
	uint8_t head[6] = {WRAP_VERSION,
			   (uint8_t)wl->kind,
			   (uint8_t)(wl->id >> 24),
			   (uint8_t)(wl->id >> 16),
			   (uint8_t)(wl->id >> 8),
			   (uint8_t)wl->id};

	xy_hmac_begin(w->mac);
	xy_hmac_update(w->mac, head, sizeof(head));
	xy_hmac_update(w->mac, wl->created, CREATED_LEN);
	xy_hmac_update(w->mac, wl->blob, XY_SM4_IV_LEN + ctlen);
	xy_hmac_final(w->mac, tag);
}

static int wrap_line(struct wrapper *w, int kind, uint32_t id, const char *created,
		     const uint8_t *plain, size_t n, struct xy_buf *text)
{
	char hex[2 * BLOB_MAX + 1];
	struct wline wl = {.id = id, .kind = kind};
	int rc;

	if (n > XY_SM2_PRIV_DER_MAX)
		return XY_ELIMIT;
	memcpy(wl.created, created, CREATED_LEN);
	rc = xy_random(wl.blob, XY_SM4_IV_LEN);
	if (!rc)
		rc = xy_sm4_ctr(w->enc, wl.blob, plain, n, wl.blob + XY_SM4_IV_LEN);
	if (rc)
		return rc;
	wrap_tag(w, &wl, n, wl.blob + XY_SM4_IV_LEN + n);
	wl.bloblen = XY_SM4_IV_LEN + n + XY_SM3_LEN;
	xy_hex(wl.blob, wl.bloblen, hex);
	return xy_buf_printf(text, "v1 %u %s %.*s %s\n", (unsigned)id, kinds[kind].name,
			     CREATED_LEN, created, hex);
}

/* Checks the tag, then decrypts into plain (BLOB_MAX bytes); the caller wipes plain. */
static int unwrap_line(struct wrapper *w, const struct wline *wl, uint8_t *plain, size_t *n)
{
	size_t ctlen = wl->bloblen - XY_SM4_IV_LEN - XY_SM3_LEN;
	uint8_t tag[XY_SM3_LEN];
	int rc;

	*n = 0;
	wrap_tag(w, wl, ctlen, tag);
	if (!xy_ct_equal(tag, wl->blob + XY_SM4_IV_LEN + ctlen, XY_SM3_LEN))
		return XY_ETAMPER;
	rc = xy_sm4_ctr(w->enc, wl->blob, wl->blob + XY_SM4_IV_LEN, ctlen, plain);
	if (rc)
		return rc;
	*n = ctlen;
	return 0;
}

/* ---- parsing ---- */

/* Splits s[0..len) at single spaces into exactly `want` fields. */
static int split(const char *s, size_t len, const char **f, size_t *flen, int want)
{
	int k = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (k == want || i == start)
			return XY_EPARSE;
		f[k] = s + start;
		flen[k++] = i - start;
		start = i + 1;
	}
	return k == want ? 0 : XY_EPARSE;
}

static int parse_id(const char *s, size_t n, uint32_t *id)
{
	uint32_t v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return XY_EPARSE;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return XY_EPARSE;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > XY_KEYRING_IDS_MAX)
		return XY_EPARSE;
	*id = v;
	return 0;
}

static int parse_kind(const char *s, size_t n)
{
	for (int k = 0; k < W__COUNT; k++)
		if (strlen(kinds[k].name) == n && memcmp(kinds[k].name, s, n) == 0)
			return k;
	return -1;
}

/* Payload length a line of this kind may carry. */
static int payload_ok(int kind, size_t n)
{
	if (kind == W_SM2)
		return n > 0 && n <= XY_SM2_PRIV_DER_MAX;
	return n == kinds[kind].len;
}

static int parse_line(const char *s, size_t len, struct wline *wl)
{
	const char *f[5];
	size_t fl[5];
	size_t bloblen;

	if (len > LINE_MAX_LEN || split(s, len, f, fl, 5))
		return XY_EPARSE;
	if (fl[0] != 2 || memcmp(f[0], "v1", 2) != 0 || parse_id(f[1], fl[1], &wl->id))
		return XY_EPARSE;
	wl->kind = parse_kind(f[2], fl[2]);
	if (wl->kind < 0 || fl[3] != CREATED_LEN || fl[4] % 2)
		return XY_EPARSE;
	bloblen = fl[4] / 2;
	if (bloblen < XY_SM4_IV_LEN + XY_SM3_LEN || bloblen > BLOB_MAX ||
	    !payload_ok(wl->kind, bloblen - XY_SM4_IV_LEN - XY_SM3_LEN))
		return XY_EPARSE;
	memcpy(wl->created, f[3], CREATED_LEN);
	wl->created[CREATED_LEN] = '\0';
	wl->bloblen = bloblen;
	return xy_unhex(f[4], fl[4], wl->blob, bloblen);
}

/* Next line of text[*pos..len) that is neither empty nor a comment; 0 at the end. */
static int next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	while (*pos < len) {
		const char *s = text + *pos;
		const char *nl = memchr(s, '\n', len - *pos);
		size_t l = nl ? (size_t)(nl - s) : len - *pos;
		*pos += l + (nl ? 1 : 0);
		if (l == 0 || s[0] == '#')
			continue;
		*line = s;
		*n = l;
		return 1;
	}
	return 0;
}

static int take_key(struct keyset *ks, const struct wline *wl, const uint8_t *plain)
{
	uint8_t bit = (uint8_t)(1u << wl->kind);

	if (wl->kind >= XY_KEY__COUNT || wl->id == 0) {
		xy_log_error(F_KEYS ": unexpected %s line with id %u", kinds[wl->kind].name,
			     (unsigned)wl->id);
		return XY_EPARSE;
	}
	if (ks->have[wl->id] & bit) {
		xy_log_error(F_KEYS ": key %u %s appears twice", (unsigned)wl->id,
			     kinds[wl->kind].name);
		return XY_ETAMPER;
	}
	ks->have[wl->id] |= bit;
	memcpy(ks->key[wl->kind][wl->id - 1], plain, kinds[wl->kind].len);
	if (wl->id > ks->n)
		ks->n = wl->id;
	return 0;
}

/* The first line must be the check line: its tag failing means the master key is wrong
 * (XY_EKEY) rather than a key line altered (XY_ETAMPER). */
static int check_master(struct wrapper *w, const char *line, size_t n, struct wline *wl)
{
	uint8_t plain[1];
	size_t len;

	if (parse_line(line, n, wl) || wl->kind != W_CHECK || wl->id != 0) {
		xy_log_error(F_KEYS ": the first line is not the check line");
		return XY_EPARSE;
	}
	if (unwrap_line(w, wl, plain, &len)) {
		xy_log_error("the master key does not open this keyring");
		return XY_EKEY;
	}
	return 0;
}

static int keyset_complete(const struct keyset *ks)
{
	uint8_t all = (uint8_t)((1u << XY_KEY__COUNT) - 1);

	if (ks->n == 0) {
		xy_log_error(F_KEYS ": holds no keys");
		return XY_ETAMPER;
	}
	for (uint32_t id = 1; id <= ks->n; id++) {
		if (ks->have[id] != all) {
			xy_log_error(F_KEYS ": key id %u is incomplete", (unsigned)id);
			return XY_ETAMPER;
		}
	}
	return 0;
}

static int parse_keys(struct wrapper *w, const char *text, size_t len, struct keyset *ks)
{
	uint8_t plain[BLOB_MAX];
	struct wline wl;
	const char *line;
	size_t pos = 0, n, plen;
	int rc;

	if (!next_line(text, len, &pos, &line, &n)) {
		xy_log_error(F_KEYS ": empty");
		return XY_EKEY;
	}
	rc = check_master(w, line, n, &wl);
	while (!rc && next_line(text, len, &pos, &line, &n)) {
		rc = parse_line(line, n, &wl);
		if (rc) {
			xy_log_error(F_KEYS ": malformed line");
			break;
		}
		rc = unwrap_line(w, &wl, plain, &plen);
		if (rc == XY_ETAMPER)
			xy_log_error(F_KEYS ": key %u %s fails its tag", (unsigned)wl.id,
				     kinds[wl.kind].name);
		if (!rc)
			rc = take_key(ks, &wl, plain);
	}
	xy_wipe(plain, sizeof(plain));
	xy_wipe(&wl, sizeof(wl));
	return rc ? rc : keyset_complete(ks);
}

/* ---- files ---- */

static void utc_now(char out[CREATED_LEN + 1])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CREATED_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int read_fd(int fd, size_t max, struct xy_buf *out)
{
	char chunk[4096];
	ssize_t got;
	int rc = 0;

	while (!rc && (got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = XY_EIO;
		} else if (out->len + (size_t)got > max) {
			rc = XY_ELIMIT;
		} else {
			rc = xy_buf_add(out, chunk, (size_t)got);
		}
	}
	xy_wipe(chunk, sizeof(chunk));
	return rc;
}

/* Reads a keyring file that is not the master key; missing -> XY_EKEY. */
static int read_at(int dirfd, const char *name, struct xy_buf *out)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc;

	if (fd < 0) {
		int e = errno;
		xy_log_error("%s: %s", name, strerror(e));
		return e == ENOENT ? XY_EKEY : XY_EIO;
	}
	rc = read_fd(fd, XY_KEYRING_FILE_MAX, out);
	if (rc)
		xy_log_error("%s: %s", name, xy_strerror(rc));
	close(fd);
	return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return XY_EIO;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Creates name (which must not exist) with exactly `mode`, writes and fsyncs it. */
static int write_new_at(int dirfd, const char *name, const void *p, size_t n, mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int rc;

	if (fd < 0) {
		int e = errno;
		xy_log_error("%s: %s", name, strerror(e));
		return e == EEXIST ? XY_EEXISTS : XY_EIO;
	}
	rc = fchmod(fd, mode) ? XY_EIO : 0; /* the umask must not change the mode */
	if (!rc)
		rc = write_all(fd, p, n);
	if (!rc && fsync(fd))
		rc = XY_EIO;
	if (close(fd) && !rc)
		rc = XY_EIO;
	if (rc) {
		xy_log_error("%s: write failed", name);
		unlinkat(dirfd, name, 0);
	}
	return rc;
}

/* Replaces name atomically: a reader sees the old file or the new one, never a mix. */
static int replace_at(int dirfd, const char *name, const char *tmp, const void *p, size_t n)
{
	int rc;

	if (unlinkat(dirfd, tmp, 0) && errno != ENOENT)
		return XY_EIO;
	rc = write_new_at(dirfd, tmp, p, n, 0600);
	if (rc)
		return rc;
	if (renameat(dirfd, tmp, dirfd, name)) {
		xy_log_error("%s: rename: %s", name, strerror(errno));
		unlinkat(dirfd, tmp, 0);
		return XY_EIO;
	}
	return fsync(dirfd) ? XY_EIO : 0;
}

/* ---- master key ---- */

/* XY_MASTER_KEY when set (an empty value counts as unset): 1 and the key, 0 when unset. */
static int master_from_env(uint8_t key[XY_MASTER_KEY_LEN])
{
	const char *v = secure_getenv(XY_MASTER_ENV);

	if (!v || !*v)
		return 0;
	if (xy_unhex(v, strlen(v), key, XY_MASTER_KEY_LEN)) {
		xy_log_error(XY_MASTER_ENV " is not 64 hex characters");
		return XY_EKEY;
	}
	return 1;
}

static int master_check_mode(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return XY_EIO;
	if (!S_ISREG(st.st_mode)) {
		xy_log_error(F_MASTER " is not a regular file");
		return XY_EKEY;
	}
	/* CRY-3: the master key is for this account's eyes only. */
	if (st.st_mode & 077) {
		xy_log_error(F_MASTER " is open to group or others (mode %03o); chmod 600 it",
			     (unsigned)(st.st_mode & 0777));
		return XY_EKEY;
	}
	return 0;
}

static int master_from_file(int dirfd, uint8_t key[XY_MASTER_KEY_LEN])
{
	char text[2 * XY_MASTER_KEY_LEN + 2];
	size_t n = 0;
	ssize_t got;
	int fd = openat(dirfd, F_MASTER, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		xy_log_error("no master key: " XY_MASTER_ENV " is unset and " F_MASTER ": %s",
			     strerror(errno));
		return XY_EKEY;
	}
	rc = master_check_mode(fd);
	while (!rc && n < sizeof(text) && (got = read(fd, text + n, sizeof(text) - n)) != 0) {
		if (got < 0 && errno != EINTR)
			rc = XY_EIO;
		else if (got > 0)
			n += (size_t)got;
	}
	close(fd);
	if (!rc && n == sizeof(text) - 1 && text[n - 1] == '\n')
		n--;
	if (!rc && xy_unhex(text, n, key, XY_MASTER_KEY_LEN)) {
		xy_log_error(F_MASTER " does not hold 64 hex characters");
		rc = XY_EKEY;
	}
	xy_wipe(text, sizeof(text));
	return rc;
}

/* Derives kr's wrapping keys from the master key (environment first, then the file). */
static int open_master(int dirfd, struct xy_keyring *kr)
{
	uint8_t master[XY_MASTER_KEY_LEN];
	int rc = master_from_env(master);

	if (rc == 0)
		rc = master_from_file(dirfd, master);
	else if (rc == 1)
		rc = 0;
	if (!rc)
		rc = derive_wrap_keys(kr, master);
	xy_wipe(master, sizeof(master));
	return rc;
}

/* ---- load / reload ---- */

static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		xy_log_error("%s: %s", dir, strerror(errno));
	return fd;
}

/* Reads and verifies data-keys into a fresh keyset (the caller wipes and frees it); the
 * file text is left in text when it is not NULL. */
static int read_keys(int dirfd, const struct xy_keyring *kr, struct keyset **out,
		     struct xy_buf *text)
{
	struct xy_buf local, *t;
	struct wrapper w;
	int rc;

	xy_buf_init(&local, XY_KEYRING_FILE_MAX);
	t = text ? text : &local;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return XY_ENOMEM;
	rc = wrapper_init(&w, kr);
	if (!rc)
		rc = read_at(dirfd, F_KEYS, t);
	if (!rc)
		rc = parse_keys(&w, t->p, t->len, *out);
	wrapper_cleanup(&w);
	xy_buf_cleanup(&local);
	return rc;
}

static void keyset_free(struct keyset *ks)
{
	if (!ks)
		return;
	xy_wipe(ks, sizeof(*ks));
	free(ks);
}

/* Copies ids from+1..ks->n into kr, then publishes them. */
static void publish(struct xy_keyring *kr, const struct keyset *ks, uint32_t from)
{
	for (int p = 0; p < XY_KEY__COUNT; p++)
		for (uint32_t id = from + 1; id <= ks->n; id++)
			memcpy(kr->key[p][id - 1], ks->key[p][id - 1], XY_DATA_KEY_MAX);
	atomic_store_explicit(&kr->n, ks->n, memory_order_release);
}

static int load_sm2(int dirfd, struct xy_keyring *kr)
{
	uint8_t der[BLOB_MAX];
	struct xy_buf text;
	struct wrapper w = {0};
	struct wline wl;
	const char *line;
	size_t pos = 0, n, len = 0;
	int rc;

	xy_buf_init(&text, XY_KEYRING_FILE_MAX);
	rc = read_at(dirfd, F_SM2, &text);
	if (!rc && (!next_line(text.p, text.len, &pos, &line, &n) || parse_line(line, n, &wl) ||
		    wl.kind != W_SM2 || next_line(text.p, text.len, &pos, &line, &n))) {
		xy_log_error(F_SM2 ": not one wrapped SM2 key line");
		rc = XY_EPARSE;
	}
	if (!rc)
		rc = wrapper_init(&w, kr);
	if (!rc)
		rc = unwrap_line(&w, &wl, der, &len);
	if (rc == XY_ETAMPER)
		xy_log_error(F_SM2 " fails its tag");
	if (!rc)
		rc = xy_sm2_load_private_der(der, len, &kr->sm2);
	xy_wipe(der, sizeof(der));
	wrapper_cleanup(&w);
	xy_buf_wipe(&text);
	xy_buf_cleanup(&text);
	return rc;
}

int xy_keyring_load(const char *dir, struct xy_keyring **out)
{
	struct xy_keyring *kr;
	struct keyset *ks = NULL;
	int dirfd, rc;

	*out = NULL;
	kr = calloc(1, sizeof(*kr));
	if (!kr)
		return XY_ENOMEM;
	dirfd = open_dir(dir);
	rc = dirfd < 0 ? XY_EKEY : open_master(dirfd, kr);
	if (!rc)
		rc = read_keys(dirfd, kr, &ks, NULL);
	if (!rc)
		rc = load_sm2(dirfd, kr);
	if (!rc)
		publish(kr, ks, 0);
	keyset_free(ks);
	if (dirfd >= 0)
		close(dirfd);
	if (rc)
		xy_keyring_free(kr);
	else
		*out = kr;
	return rc;
}

/* The keys kr holds must be exactly the file's first ones. */
static int same_prefix(const struct xy_keyring *kr, const struct keyset *ks)
{
	uint32_t n = atomic_load_explicit(&kr->n, memory_order_acquire);

	if (ks->n < n)
		return 0;
	for (int p = 0; p < XY_KEY__COUNT; p++)
		if (!xy_ct_equal(kr->key[p], ks->key[p], (size_t)n * XY_DATA_KEY_MAX))
			return 0;
	return 1;
}

int xy_keyring_reload(const char *dir, struct xy_keyring *kr)
{
	struct keyset *ks = NULL;
	int dirfd = open_dir(dir);
	int rc = dirfd < 0 ? XY_EKEY : read_keys(dirfd, kr, &ks, NULL);

	if (!rc && !same_prefix(kr, ks)) {
		xy_log_error("%s/" F_KEYS " no longer holds the keys in use", dir);
		rc = XY_ECONFLICT;
	}
	if (!rc)
		publish(kr, ks, atomic_load_explicit(&kr->n, memory_order_relaxed));
	keyset_free(ks);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

/* ---- create / rotate ---- */

/* Draws a key of each purpose for id into ks and appends their wrapped lines to text. */
static int add_key_id(struct wrapper *w, struct keyset *ks, uint32_t id, const char *created,
		      struct xy_buf *text)
{
	int rc = 0;

	for (int p = 0; p < XY_KEY__COUNT && !rc; p++) {
		uint8_t *k = ks->key[p][id - 1];
		rc = xy_random(k, kinds[p].len);
		if (!rc)
			rc = wrap_line(w, p, id, created, k, kinds[p].len, text);
	}
	if (!rc) {
		ks->have[id] = (uint8_t)((1u << XY_KEY__COUNT) - 1);
		ks->n = id;
	}
	return rc;
}

static int lock_dir(int dirfd, const char *dir)
{
	if (flock(dirfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		xy_log_error("%s: lock: %s", dir, strerror(errno));
		return XY_EIO;
	}
	xy_log_error("%s: another key rotation is in progress", dir);
	return XY_EBUSY;
}

int xy_keyring_rotate(const char *dir, struct xy_keyring *kr)
{
	struct keyset *ks = NULL;
	struct wrapper w = {0};
	struct xy_buf text;
	char created[CREATED_LEN + 1];
	int dirfd = open_dir(dir);
	int rc = dirfd < 0 ? XY_EKEY : lock_dir(dirfd, dir);

	xy_buf_init(&text, XY_KEYRING_FILE_MAX);
	utc_now(created);
	if (!rc)
		rc = read_keys(dirfd, kr, &ks, &text);
	if (!rc && (!same_prefix(kr, ks) || ks->n != atomic_load(&kr->n))) {
		xy_log_error("%s/" F_KEYS " changed since this keyring was loaded", dir);
		rc = XY_ECONFLICT;
	}
	if (!rc && ks->n >= XY_KEYRING_IDS_MAX)
		rc = XY_ELIMIT;
	if (!rc)
		rc = wrapper_init(&w, kr);
	if (!rc)
		rc = add_key_id(&w, ks, ks->n + 1, created, &text);
	if (!rc)
		rc = replace_at(dirfd, F_KEYS, F_KEYS_TMP, text.p, text.len);
	if (!rc)
		publish(kr, ks, ks->n - 1);
	wrapper_cleanup(&w);
	keyset_free(ks);
	xy_buf_cleanup(&text);
	if (dirfd >= 0)
		close(dirfd); /* releases the lock */
	return rc;
}

/* mkdir 0700, or take an existing empty directory (and make it 0700). */
static int make_dir(const char *dir, int *made)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	*made = 0;
	if (mkdir(dir, 0700) == 0) {
		*made = 1;
		return 0;
	}
	if (errno != EEXIST) {
		xy_log_error("%s: %s", dir, strerror(errno));
		return XY_EIO;
	}
	d = opendir(dir);
	if (!d) {
		xy_log_error("%s exists and is not a directory", dir);
		return XY_EEXISTS;
	}
	while (!rc && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc = XY_EEXISTS;
	if (!rc && fchmod(dirfd(d), 0700))
		rc = XY_EIO;
	if (rc == XY_EEXISTS)
		xy_log_error("%s exists and is not empty", dir);
	closedir(d);
	return rc;
}

static int write_master(int dirfd, const uint8_t master[XY_MASTER_KEY_LEN])
{
	char text[2 * XY_MASTER_KEY_LEN + 2];
	int rc;

	xy_hex(master, XY_MASTER_KEY_LEN, text);
	text[2 * XY_MASTER_KEY_LEN] = '\n';
	rc = write_new_at(dirfd, F_MASTER, text, 2 * XY_MASTER_KEY_LEN + 1, 0600);
	xy_wipe(text, sizeof(text));
	return rc;
}

static int write_data_keys(int dirfd, struct wrapper *w, const char *created)
{
	struct keyset *ks = calloc(1, sizeof(*ks));
	struct xy_buf text;
	int rc;

	if (!ks)
		return XY_ENOMEM;
	xy_buf_init(&text, XY_KEYRING_FILE_MAX);
	rc = xy_buf_adds(&text, FILE_HEADER);
	if (!rc)
		rc = wrap_line(w, W_CHECK, 0, created, NULL, 0, &text);
	if (!rc)
		rc = add_key_id(w, ks, 1, created, &text);
	if (!rc)
		rc = write_new_at(dirfd, F_KEYS, text.p, text.len, 0600);
	keyset_free(ks);
	xy_buf_cleanup(&text);
	return rc;
}

static int write_sm2(int dirfd, struct wrapper *w, const char *created)
{
	uint8_t der[XY_SM2_PRIV_DER_MAX];
	struct xy_sm2key *k = NULL;
	struct xy_buf text, pem;
	size_t len = 0;
	int rc = xy_sm2_generate(&k);

	xy_buf_init(&text, XY_KEYRING_FILE_MAX);
	xy_buf_init(&pem, XY_SM2_PEM_MAX);
	if (!rc)
		rc = xy_sm2_private_der(k, der, sizeof(der), &len);
	if (!rc)
		rc = xy_buf_adds(&text, FILE_HEADER);
	if (!rc)
		rc = wrap_line(w, W_SM2, 1, created, der, len, &text);
	if (!rc)
		rc = write_new_at(dirfd, F_SM2, text.p, text.len, 0600);
	if (!rc)
		rc = xy_sm2_public_pem(k, &pem);
	if (!rc)
		rc = write_new_at(dirfd, F_SM2_PUB, pem.p, pem.len, 0644);
	xy_wipe(der, sizeof(der));
	xy_sm2_free(k);
	xy_buf_cleanup(&text);
	xy_buf_cleanup(&pem);
	return rc;
}

/* Writes the four files into the (empty) directory dirfd. */
static int populate(int dirfd, struct xy_keyring *kr)
{
	uint8_t master[XY_MASTER_KEY_LEN];
	char created[CREATED_LEN + 1];
	struct wrapper w = {0};
	int rc = master_from_env(master);

	utc_now(created);
	if (rc == 0) {
		rc = xy_random(master, sizeof(master));
		if (!rc)
			rc = write_master(dirfd, master);
	} else if (rc == 1) {
		rc = 0;
	}
	if (!rc)
		rc = derive_wrap_keys(kr, master);
	xy_wipe(master, sizeof(master));
	if (!rc)
		rc = wrapper_init(&w, kr);
	if (!rc)
		rc = write_data_keys(dirfd, &w, created);
	if (!rc)
		rc = write_sm2(dirfd, &w, created);
	if (!rc && fsync(dirfd))
		rc = XY_EIO;
	wrapper_cleanup(&w);
	return rc;
}

int xy_keyring_create(const char *dir)
{
	static const char *const files[] = {F_MASTER, F_KEYS, F_SM2, F_SM2_PUB};
	struct xy_keyring *kr = calloc(1, sizeof(*kr));
	int made = 0, dirfd = -1;
	int rc = kr ? make_dir(dir, &made) : XY_ENOMEM;

	if (!rc) {
		dirfd = open_dir(dir);
		rc = dirfd < 0 ? XY_EIO : populate(dirfd, kr);
	}
	if (rc && dirfd >= 0)
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			unlinkat(dirfd, files[i], 0);
	if (rc && made)
		rmdir(dir);
	if (dirfd >= 0)
		close(dirfd);
	xy_keyring_free(kr);
	return rc;
}

/* ---- access ---- */

const uint8_t *xy_keyring_active(const struct xy_keyring *kr, enum xy_key_purpose p,
				 uint32_t *key_id)
{
	uint32_t n = atomic_load_explicit(&kr->n, memory_order_acquire);

	if (key_id)
		*key_id = n;
	return kr->key[p][n - 1];
}

const uint8_t *xy_keyring_by_id(const struct xy_keyring *kr, enum xy_key_purpose p, uint32_t key_id)
{
	uint32_t n = atomic_load_explicit(&kr->n, memory_order_acquire);

	if ((unsigned)p >= XY_KEY__COUNT || key_id == 0 || key_id > n)
		return NULL;
	return kr->key[p][key_id - 1];
}

const struct xy_sm2key *xy_keyring_sm2(const struct xy_keyring *kr)
{
	return kr->sm2;
}

void xy_keyring_free(struct xy_keyring *kr)
{
	if (!kr)
		return;
	xy_sm2_free(kr->sm2);
	xy_wipe(kr, sizeof(*kr));
	free(kr);
}
