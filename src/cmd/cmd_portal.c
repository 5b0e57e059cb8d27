/* xinyong portal-init PDIR --platform-public-key FILE [--name NAME] [--user USER]
 * xinyong portal PDIR [--listen ADDR:PORT]
 *
 * The internet-zone portal (issue 6): its own directory, store and submission key; the
 * platform's public key only.  `portal` confines itself (NET-1) before it reads a change
 * set or starts a thread. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <jansson.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/catalog.h"
#include "crypto/sm.h"
#include "crypto/sm2.h"
#include "http/server.h"
#include "portal/portal.h"
#include "portal/sandbox.h"
#include "store/portal.h"
#include "svc/instance.h"
#include "util/err.h"
#include "util/ini.h"
#include "util/log.h"

#define PDIR_MAX 2048
#define KEY_FILE "portal-sm2.key"
#define PUB_FILE "portal-sm2.pub"

/* ---- small file helpers ---- */

static int read_small(const char *path, char *buf, size_t cap, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t r;
	if (fd < 0)
		return XY_ENOTFOUND;
	r = read(fd, buf, cap);
	close(fd);
	if (r < 0)
		return XY_EIO;
	if ((size_t)r == cap)
		return XY_ELIMIT;
	*n = (size_t)r;
	return 0;
}

static int write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int rc = 0;
	if (fd < 0)
		return XY_EIO;
	if (write(fd, p, n) != (ssize_t)n || fchmod(fd, mode) || fsync(fd))
		rc = XY_EIO;
	close(fd);
	return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static uid_t chown_uid;
static gid_t chown_gid;
static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, chown_uid, chown_gid);
}

static int dir_empty_or_absent(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;
	if (!d)
		return errno == ENOENT ? 1 : -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* ---- portal-init ---- */

static void init_usage(FILE *f)
{
	fprintf(f, "usage: xinyong portal-init PDIR --platform-public-key FILE [--name NAME]\n"
		   "                           [--user USER] [--listen ADDR:PORT]\n\n"
		   "Creates the internet-zone portal's directory: config.ini, its own SM2 key\n"
		   "pair for submissions (portal-sm2.key, PKCS#8 DER, 0600; portal-sm2.pub to\n"
		   "register on the government side), platform.pub (the platform's public key,\n"
		   "checked), inbox/, outbox/, quarantine/ and the store public.db.  PDIR must\n"
		   "not exist or be empty.  Run as root, the directory is given to USER (default\n"
		   "nobody), whom `xinyong portal` becomes.\n");
}

static int write_config(const char *dir, const char *name, const char *user, const char *listen)
{
	char path[PDIR_MAX + 32], text[2048];
	int n = snprintf(text, sizeof text,
			 "# xinyong portal configuration (docs/OPERATIONS.md \"The portal\")\n"
			 "[portal]\n"
			 "name = %s\n"
			 "listen = %s\n"
			 "threads = 2\n"
			 "%s%s%s"
			 "poll_seconds = 2\n"
			 "rate_per_addr = 20\n"
			 "rate_burst = 40\n"
			 "conn_per_addr = 32\n"
			 "changeset_max_mb = 1024\n"
			 "page_cache_mb = %d\n"
			 "access_log = 1\n"
			 "landlock_required = 0\n",
			 name, listen,
			 user ? "user = " : "# user = nobody   (when started as root)\n",
			 user ? user : "", user ? "\n" : "", XY_PORTAL_CACHE_MB);
	if (n < 0 || (size_t)n >= sizeof text)
		return XY_ELIMIT;
	snprintf(path, sizeof path, "%s/config.ini", dir);
	return write_file(path, text, (size_t)n, 0600);
}

static int make_keys(const char *dir, const char *platform_file, char *err, size_t errlen)
{
	char pem[XY_SM2_PEM_MAX + 1], path[PDIR_MAX + 32], hex[2 * XY_SM3_LEN + 1];
	uint8_t der[XY_SM2_PRIV_DER_MAX], id[XY_SM3_LEN];
	struct xy_sm2key *plat = NULL, *own = NULL;
	struct xy_buf pub;
	size_t n = 0, dlen = 0;
	int rc;

	xy_buf_init(&pub, 4096);
	rc = read_small(platform_file, pem, sizeof pem, &n);
	if (rc) {
		snprintf(err, errlen, "--platform-public-key %s: %s", platform_file,
			 rc == XY_ELIMIT ? "too large for a public key" : "cannot be read");
		goto out;
	}
	if ((rc = xy_sm2_load_public_pem(pem, n, &plat))) {
		snprintf(err, errlen, "--platform-public-key %s: not an SM2 public key (PEM)",
			 platform_file);
		goto out;
	}
	snprintf(path, sizeof path, "%s/platform.pub", dir);
	if ((rc = write_file(path, pem, n, 0644)))
		goto io;
	if ((rc = xy_sm2_generate(&own)) || (rc = xy_sm2_private_der(own, der, sizeof der, &dlen)))
		goto crypto;
	snprintf(path, sizeof path, "%s/" KEY_FILE, dir);
	rc = write_file(path, der, dlen, 0600);
	xy_wipe(der, sizeof der);
	if (rc)
		goto io;
	if ((rc = xy_sm2_public_pem(own, &pub)) || (rc = xy_sm2_key_id(own, id)))
		goto crypto;
	snprintf(path, sizeof path, "%s/" PUB_FILE, dir);
	if ((rc = write_file(path, pub.p, pub.len, 0644)))
		goto io;
	for (int i = 0; i < XY_SM3_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	printf("portal key_id=%s\n", hex);
	goto out;
crypto:
	snprintf(err, errlen, "the portal's key pair could not be made: %s", xy_strerror(rc));
	goto out;
io:
	snprintf(err, errlen, "%s could not be written: %s", path, strerror(errno));
out:
	xy_buf_cleanup(&pub);
	xy_sm2_free(plat);
	xy_sm2_free(own);
	return rc;
}

static int build(const char *tmp, const char *platform_file, const char *name, const char *user,
		 const char *listen, char *err, size_t errlen)
{
	static const char *const dirs[] = {"inbox", "outbox", "quarantine"};
	char path[PDIR_MAX + 32];
	struct xy_pstore *s = NULL;
	int rc;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp, dirs[i]);
		if (mkdir(path, 0700)) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			return XY_EIO;
		}
	}
	if ((rc = make_keys(tmp, platform_file, err, errlen)))
		return rc;
	if ((rc = write_config(tmp, name, user, listen))) {
		snprintf(err, errlen, "config.ini could not be written");
		return rc;
	}
	snprintf(path, sizeof path, "%s/public.db", tmp);
	if ((rc = xy_pstore_open(path, 1, &s, err, errlen)))
		return rc;
	xy_pstore_close(s);
	return 0;
}

int xy_cmd_portal_init(int argc, char **argv)
{
	const char *dir = NULL, *pub = NULL, *name = "信用门户网站", *user = NULL;
	const char *listen = "127.0.0.1:8080";
	char tmp[PDIR_MAX + 32], err[512];
	struct passwd *pw = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		int more = i + 1 < argc;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			init_usage(stdout);
			return XY_EXIT_OK;
		} else if (!strcmp(argv[i], "--platform-public-key") && more) {
			pub = argv[++i];
		} else if (!strcmp(argv[i], "--name") && more) {
			name = argv[++i];
		} else if (!strcmp(argv[i], "--user") && more) {
			user = argv[++i];
		} else if (!strcmp(argv[i], "--listen") && more) {
			listen = argv[++i];
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			init_usage(stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (!dir || !pub) {
		init_usage(stderr);
		return XY_EXIT_USAGE;
	}
	if (strlen(dir) > PDIR_MAX - 64)
		return xy_cmd_fail("%s: path too long", dir);
	if (!*name || strlen(name) > XY_CS_TEXT_MAX || strpbrk(name, "\n\r"))
		return xy_cmd_fail("--name: one line of at most %d bytes", XY_CS_TEXT_MAX);
	if (strpbrk(listen, "\n\r ") || strlen(listen) > 64)
		return xy_cmd_fail("--listen: ADDR:PORT");
	if (geteuid() == 0 && !user)
		user = "nobody";
	if (user && (!(pw = getpwnam(user)) || pw->pw_uid == 0))
		return xy_cmd_fail("--user %s: not an unprivileged user of this system", user);
	rc = dir_empty_or_absent(dir);
	if (rc != 1)
		return xy_cmd_fail(rc < 0 ? "%s cannot be read" : "%s is not empty: refused", dir);
	snprintf(tmp, sizeof tmp, "%s.init-XXXXXX", dir);
	if (!mkdtemp(tmp))
		return xy_cmd_fail("cannot create a folder beside %s: %s", dir, strerror(errno));
	rc = build(tmp, pub, name, user, listen, err, sizeof err);
	if (!rc && pw) {
		chown_uid = pw->pw_uid;
		chown_gid = pw->pw_gid;
		if (nftw(tmp, chown_one, 16, FTW_PHYS)) {
			snprintf(err, sizeof err, "cannot give %s to %s: %s", tmp, user,
				 strerror(errno));
			rc = XY_EIO;
		}
	}
	if (!rc && rename(tmp, dir)) { /* replaces an empty directory */
		snprintf(err, sizeof err, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
		rc = XY_EIO;
	}
	if (rc) {
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		return xy_cmd_fail("%s", err);
	}
	printf("portal=%s public_key=%s/" PUB_FILE "%s%s\n", dir, dir, user ? " user=" : "",
	       user ? user : "");
	printf("register it on the government side: xinyong portal-register DIR NAME %s/" PUB_FILE
	       "\n",
	       dir);
	return XY_EXIT_OK;
}

/* ---- portal ---- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xinyong portal PDIR [--listen ADDR:PORT]\n\n"
		   "Runs the public credit portal from PDIR (made by portal-init): applies the\n"
		   "signed change sets put in PDIR/inbox (at start, then every poll_seconds),\n"
		   "quarantining and alarming on any bad one (POR-2), and serves the pages.\n"
		   "It confines itself first (NET-1): no new privileges, seccomp, Landlock to\n"
		   "PDIR, and [portal] user when started as root.  --listen overrides\n"
		   "config.ini (port 0: any free port, printed).  SIGTERM/SIGINT stop it.\n");
}

struct pconf {
	struct xy_ini *ini;
	const char *listen, *name, *user;
	long threads, poll, rate, burst, conn, cs_mb, cache_mb, access, ll_required;
};

static int cfg(struct pconf *c, const char *key, long def, long min, long max, long *out)
{
	if (xy_ini_get_long(c->ini, "portal", key, def, min, max, out))
		return xy_cmd_fail("config.ini [portal] %s: a whole number from %ld to %ld", key,
				   min, max);
	return 0;
}

static int load_config(const char *dir, struct pconf *c)
{
	char path[PDIR_MAX + 32], err[256];
	snprintf(path, sizeof path, "%s/config.ini", dir);
	if (xy_ini_load(path, &c->ini, err, sizeof err))
		return xy_cmd_fail("%s", err);
	c->listen = xy_ini_get(c->ini, "portal", "listen");
	c->name = xy_ini_get(c->ini, "portal", "name");
	c->user = xy_ini_get(c->ini, "portal", "user");
	if (!c->listen)
		c->listen = "127.0.0.1:8080";
	if (!c->name || !*c->name || strlen(c->name) > XY_CS_TEXT_MAX)
		c->name = "信用门户网站";
	if (cfg(c, "threads", 2, 1, XY_HTTP_THREADS_MAX, &c->threads) ||
	    cfg(c, "poll_seconds", 2, 1, 3600, &c->poll) ||
	    cfg(c, "rate_per_addr", 20, 1, 1000000, &c->rate) ||
	    cfg(c, "rate_burst", 40, 1, 1000000, &c->burst) ||
	    cfg(c, "conn_per_addr", 32, 1, XY_HTTP_CONN_MAX, &c->conn) ||
	    cfg(c, "changeset_max_mb", 1024, 1, 1024, &c->cs_mb) ||
	    cfg(c, "page_cache_mb", XY_PORTAL_CACHE_MB, 0, 4096, &c->cache_mb) ||
	    cfg(c, "access_log", 1, 0, 1, &c->access) ||
	    cfg(c, "landlock_required", 0, 0, 1, &c->ll_required))
		return XY_EXIT_FAIL;
	return 0;
}

static int load_keys(const char *dir, struct xy_sm2key **plat, struct xy_sm2key **own)
{
	char path[PDIR_MAX + 32], pem[XY_SM2_PEM_MAX + 1];
	uint8_t der[XY_SM2_PRIV_DER_MAX + 1];
	struct stat st;
	size_t n = 0;
	int rc;
	snprintf(path, sizeof path, "%s/platform.pub", dir);
	if (read_small(path, pem, sizeof pem, &n) || xy_sm2_load_public_pem(pem, n, plat))
		return xy_cmd_fail("%s: missing or not an SM2 public key", path);
	snprintf(path, sizeof path, "%s/" KEY_FILE, dir);
	if (stat(path, &st) || (st.st_mode & 077))
		return xy_cmd_fail("%s: missing, or readable by others (must be 0600)", path);
	rc = read_small(path, (char *)der, sizeof der, &n);
	if (!rc)
		rc = xy_sm2_load_private_der(der, n, own);
	xy_wipe(der, sizeof der);
	if (rc)
		return xy_cmd_fail("%s: not the portal's SM2 private key", path);
	return 0;
}

/* Everything loaded on first use is loaded now, before the sandbox shuts the files
 * away: OpenSSL's SM2/SM3 code (a signature made and checked), the random source. */
static int warm_up(const struct xy_sm2key *own)
{
	struct xy_buf sig;
	uint8_t r[8];
	int rc;
	xy_buf_init(&sig, 256);
	rc = xy_sm2_sign(own, "warm", 4, &sig);
	if (!rc)
		rc = xy_sm2_verify(own, "warm", 4, sig.p, sig.len);
	if (!rc)
		rc = xy_random(r, sizeof r);
	xy_buf_cleanup(&sig);
	tzset();
	return rc;
}

static unsigned listen_port(const char *l)
{
	const char *c = strrchr(l, ':');
	long v = c ? strtol(c + 1, NULL, 10) : 0;
	return v > 0 && v <= 65535 ? (unsigned)v : 0;
}

static int confine(const char *dir, const struct pconf *c, const char *listen)
{
	struct xy_sandbox sb = {0};
	struct xy_sandbox_report rep;
	char line[256];
	int rc;
	sb.dir = dir;
	sb.user = geteuid() == 0 ? c->user : NULL;
	sb.listen_port = listen_port(listen);
	sb.landlock_required = (int)c->ll_required;
	if (geteuid() == 0 && !sb.user)
		return xy_cmd_fail("started as root: config.ini [portal] user must name an "
				   "unprivileged user");
	rc = xy_sandbox_enter(&sb, &rep);
	xy_sandbox_report_str(&rep, line, sizeof line);
	if (rc)
		return xy_cmd_fail("the sandbox could not be entered (%s): %s", xy_strerror(rc),
				   line);
	xy_log_info("NET-1 sandbox: %s", line);
	if (!rep.landlock_abi)
		xy_log_warn("NET-1: this kernel has no Landlock: files are confined by the user "
			    "and seccomp only");
	return 0;
}

static void idle(long seconds)
{
	for (long i = 0; i < seconds * 5 && !stop_signal; i++) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	}
}

int xy_cmd_portal(int argc, char **argv)
{
	const char *dir = NULL, *listen_opt = NULL;
	struct pconf c = {0};
	struct xy_sm2key *plat = NULL, *own = NULL;
	struct xy_catalog *cat = NULL;
	struct xy_portal *p = NULL;
	struct xy_portal_opts po = {0};
	struct xy_http_opts ho = {0};
	struct xy_http_app app;
	struct xy_http_server *srv = NULL;
	struct sigaction sa;
	char err[512], rdir[PATH_MAX];
	const char *cat_json;
	size_t cat_n;
	long applied = 0;
	int rc = XY_EXIT_FAIL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return XY_EXIT_OK;
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen_opt = argv[++i];
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			usage(stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (!dir) {
		usage(stderr);
		return XY_EXIT_USAGE;
	}
	if (!realpath(dir, rdir) || strlen(rdir) > PDIR_MAX - 64)
		return xy_cmd_fail("%s: not a portal directory", dir);
	if (load_config(rdir, &c) || load_keys(rdir, &plat, &own))
		goto out;
	cat_json = xy_default_catalog(&cat_n);
	if (xy_catalog_parse(cat_json, cat_n, &cat, err, sizeof err)) {
		xy_cmd_fail("the program's catalog: %s", err);
		goto out;
	}
	if (warm_up(own)) {
		xy_cmd_fail("OpenSSL could not sign with the portal key");
		goto out;
	}
	xy_log_set_json(1);
	xy_log_set_level(XY_LOG_INFO);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ho.listen = listen_opt ? listen_opt : c.listen;
	po.dir = rdir;
	po.name = c.name;
	po.rate = (double)c.rate;
	po.burst = (double)c.burst;
	po.changeset_max = (size_t)c.cs_mb << 20;
	po.cache_max = (size_t)c.cache_mb << 20;
	if (xy_portal_new(&po, plat, own, cat, &p)) {
		xy_cmd_fail("out of memory");
		goto out;
	}
	/* NET-1: confined before the first change set is read or any thread starts */
	if (confine(rdir, &c, ho.listen))
		goto out;
	if (xy_portal_apply(p, &applied) == XY_ESTORE) {
		xy_cmd_fail("%s/public.db cannot be used", rdir);
		goto out;
	}
	ho.threads = (int)c.threads;
	ho.conn_max = XY_HTTP_CONN_MAX;
	ho.conn_per_addr = (unsigned)c.conn;
	ho.timeout_s = XY_HTTP_TIMEOUT_S;
	ho.body_max = XY_PORTAL_FORM_MAX;
	ho.header_mem = XY_HTTP_HEADER_MEM;
	ho.allow = "0.0.0.0/0, ::/0"; /* the public: everyone (rate-limited per address) */
	ho.access_log = (int)c.access;
	xy_portal_app(p, &app);
	if (xy_http_start(&ho, &app, &srv, err, sizeof err)) {
		xy_cmd_fail("%s", err);
		goto out;
	}
	printf("listening port=%d\n", xy_http_port(srv));
	fflush(stdout);
	xy_log_info("portal %s serving on %s (port %d)", rdir, ho.listen, xy_http_port(srv));
	while (!stop_signal) {
		idle(c.poll);
		if (!stop_signal && xy_portal_apply(p, &applied) == XY_ESTORE)
			xy_log_error("POR-2: public.db failed while applying; serving what it has");
	}
	xy_log_info("signal %d: finishing the requests in flight", (int)stop_signal);
	xy_http_stop(srv, 10);
	srv = NULL;
	rc = XY_EXIT_OK;
out:
	xy_http_stop(srv, 0);
	xy_portal_free(p);
	xy_catalog_free(cat);
	xy_sm2_free(plat);
	xy_sm2_free(own);
	xy_ini_free(c.ini);
	return rc;
}
