/* Test tool, never installed: enters the portal's sandbox (NET-1, src/portal/sandbox.h)
 * on DIR, then does what a portal does and what an intruder in it would try, one line
 * per probe ("NAME: ok ..." / "NAME: refused EACCES" / "NAME: failed ...").
 * tests/cli/test_sandbox.py reads the lines.
 *
 *   xy_sandbox_probe DIR [--user NAME] [--port N] [--http] [--ro PATH]... [--read PATH]...
 *                    [--write PATH]... [--bind N] [--old-kernel] [--require-landlock]
 *                    [--try ACTION [--connect-port N]]
 *
 * Before entering it makes an SM2 signature (OpenSSL is initialised by then, as the
 * portal's start would) and opens /proc/self/status, which it re-reads afterwards.
 * --old-kernel first installs a filter answering ENOSYS to landlock_create_ruleset, as
 * a kernel without Landlock does.  --http starts the government server's own HTTP module
 * (src/http/server.c: epoll thread pool of 2) on 127.0.0.1:PORT, prints "http: listening
 * PORT" and waits (60 s at most) for one request.  --try runs one forbidden ACTION last (exec,
 * fork, connect, fastopen, udp, unix, ptrace, mprotect_exec, setuid,
 * rename_exchange): the filter kills
 * the process (SIGSYS); surviving prints "try ACTION: survived" and exits 3. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <seccomp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sm2.h"
#include "http/server.h"
#include "portal/sandbox.h"
#include "util/buf.h"
#include "util/err.h"

#define PATHS_MAX 8

struct opts {
	struct xy_sandbox sb;
	const char *ro[XY_SANDBOX_RO_MAX], *reads[PATHS_MAX], *writes[PATHS_MAX];
	int nreads, nwrites;
	long bind_port, connect_port;
	int old_kernel, http;
	const char *try;
};

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static long number(const char *s)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535) {
		fprintf(stderr, "xy_sandbox_probe: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static _Noreturn void usage(void)
{
	fputs("usage: xy_sandbox_probe DIR [--user NAME] [--port N] [--http] [--ro PATH]... "
	      "[--read PATH]... [--write PATH]... [--bind N] [--old-kernel] "
	      "[--require-landlock] [--try ACTION [--connect-port N]]\n",
	      stderr);
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	if (argc < 2)
		usage();
	o->sb.dir = argv[1];
	o->sb.ro = o->ro;
	o->bind_port = -1;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--old-kernel")) {
			o->old_kernel = 1;
			continue;
		}
		if (!strcmp(a, "--http")) {
			o->http = 1;
			continue;
		}
		if (!strcmp(a, "--require-landlock")) {
			o->sb.landlock_required = 1;
			continue;
		}
		if (!v)
			usage(); /* every other option takes a value */
		if (!strcmp(a, "--user"))
			o->sb.user = v;
		else if (!strcmp(a, "--port"))
			o->sb.listen_port = (unsigned)number(v);
		else if (!strcmp(a, "--ro") && o->sb.nro < XY_SANDBOX_RO_MAX)
			o->ro[o->sb.nro++] = v;
		else if (!strcmp(a, "--read") && o->nreads < PATHS_MAX)
			o->reads[o->nreads++] = v;
		else if (!strcmp(a, "--write") && o->nwrites < PATHS_MAX)
			o->writes[o->nwrites++] = v;
		else if (!strcmp(a, "--bind"))
			o->bind_port = number(v);
		else if (!strcmp(a, "--connect-port"))
			o->connect_port = number(v);
		else if (!strcmp(a, "--try"))
			o->try = v;
		else
			usage();
		i++;
	}
}

/* As a kernel without Landlock answers (or a container's filter that does not know
 * the calls). */
static void pretend_old_kernel(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(landlock_create_ruleset), 0) ||
	    seccomp_load(ctx)) {
		fputs("xy_sandbox_probe: cannot pretend an old kernel\n", stderr);
		exit(2);
	}
	seccomp_release(ctx);
}

/* ---- probes of what a portal does ---- */

/* The value of one "Name:\tvalue" line of /proc/self/status into out. */
static int status_value(const char *buf, const char *name, char *out, size_t n)
{
	size_t len = strlen(name);
	for (const char *p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ':') {
			p += len + 1 + strspn(p + len + 1, " \t");
			snprintf(out, n, "%.*s", (int)strcspn(p, "\n"), p);
			return 0;
		}
	return -1;
}

static void probe_status(int fd)
{
	char buf[8192], nnp[16], sc[16];
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0) {
		printf("status: failed %s\n", ename(errno));
		return;
	}
	buf[n] = 0;
	if (status_value(buf, "NoNewPrivs", nnp, sizeof nnp) ||
	    status_value(buf, "Seccomp", sc, sizeof sc))
		puts("status: failed no Seccomp/NoNewPrivs lines");
	else
		printf("status: NoNewPrivs: %s | Seccomp: %s\n", nnp, sc);
}

static void probe_file(const char *dir)
{
	char tmp[4096], fin[4096], back[16] = "";
	const char msg[] = "submission 1\n";
	const char *step = "create";
	int fd;

	snprintf(tmp, sizeof tmp, "%s/probe.tmp", dir);
	snprintf(fin, sizeof fin, "%s/probe.txt", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	step = "write";
	if (write(fd, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1))
		goto fail_close;
	step = "fsync";
	if (fsync(fd))
		goto fail_close;
	close(fd);
	step = "rename";
	if (rename(tmp, fin))
		goto fail;
	step = "read back";
	fd = open(fin, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, back, sizeof back - 1) != (ssize_t)(sizeof msg - 1) ||
	    memcmp(back, msg, sizeof msg - 1) != 0)
		goto fail_close;
	close(fd);
	step = "unlink";
	if (unlink(fin))
		goto fail;
	puts("file: ok create write fsync rename read unlink");
	return;
fail_close:
	if (fd >= 0)
		close(fd);
fail:
	printf("file: failed %s %s\n", step, ename(errno));
}

static int count_row(void *arg, int n, char **v, char **names)
{
	(void)n;
	(void)names;
	*(long *)arg = v[0] ? strtol(v[0], NULL, 10) : -1;
	return 0;
}

static long probe_sqlite(const char *dir)
{
	char path[4096], *err = NULL;
	sqlite3 *db = NULL;
	long rows = -1;
	int rc;

	snprintf(path, sizeof path, "%s/public.db", dir);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(
			db,
			"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			"PRAGMA mmap_size=1048576;"
			"CREATE TABLE IF NOT EXISTS subjects(code TEXT PRIMARY KEY, name);"
			"BEGIN; INSERT OR REPLACE INTO subjects VALUES"
			" ('91360402MA0010010X','a'),('91360403MA0020016N','b'),"
			" ('91360404MA0030011C','c'); COMMIT;"
			"PRAGMA wal_checkpoint(TRUNCATE);",
			NULL, NULL, &err);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "SELECT count(*) FROM subjects", count_row, &rows, &err);
	if (rc == SQLITE_OK)
		printf("sqlite: ok wal rows=%ld\n", rows);
	else
		printf("sqlite: failed %s\n", err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	sqlite3_close(db);
	return rows;
}

struct signed_msg {
	struct xy_buf pem, sig;
};

static const char change_set[] = "XYCS1 change set 1";

/* Before entering: the platform's key signs; the portal keeps its public key. */
static int sign_before(struct signed_msg *m)
{
	struct xy_sm2key *k = NULL;
	int rc;
	xy_buf_init(&m->pem, XY_SM2_PEM_MAX);
	xy_buf_init(&m->sig, XY_SM2_SIG_MAX);
	rc = xy_sm2_generate(&k);
	if (!rc)
		rc = xy_sm2_sign(k, change_set, sizeof change_set - 1, &m->sig);
	if (!rc)
		rc = xy_sm2_public_pem(k, &m->pem);
	xy_sm2_free(k);
	return rc;
}

static void probe_sm2(struct signed_msg *m)
{
	struct xy_sm2key *pub = NULL;
	int good, bad = -1;
	int rc = xy_sm2_load_public_pem(m->pem.p, m->pem.len, &pub);
	if (rc) {
		printf("sm2_verify: failed load %s\n", xy_strerror(rc));
		return;
	}
	good = xy_sm2_verify(pub, change_set, sizeof change_set - 1, m->sig.p, m->sig.len);
	bad = xy_sm2_verify(pub, "XYCS1 change set 2", 18, m->sig.p, m->sig.len);
	xy_sm2_free(pub);
	if (!good && bad == XY_ETAMPER)
		puts("sm2_verify: ok (a changed message refused)");
	else
		printf("sm2_verify: failed %s / %s\n", xy_strerror(good), xy_strerror(bad));
}

static void probe_open(const char *what, const char *path, int flags)
{
	char c;
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0) {
		printf("%s %s: refused %s\n", what, path, ename(errno));
		return;
	}
	if (!(flags & (O_WRONLY | O_RDWR)) && read(fd, &c, 1) < 0)
		printf("%s %s: refused %s (read)\n", what, path, ename(errno));
	else
		printf("%s %s: ok\n", what, path);
	close(fd);
}

static void probe_bind(long port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		printf("bind %ld: failed socket %s\n", port, ename(errno));
	else if (bind(fd, (struct sockaddr *)&a, sizeof a))
		printf("bind %ld: refused %s\n", port, ename(errno));
	else
		printf("bind %ld: ok\n", port);
	if (fd >= 0)
		close(fd);
}

/* ---- one HTTP request through the government server's own module ---- */

struct http_probe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int answered;
	long rows;
};

static void http_begin(void *arg, struct xy_http_req *rq)
{
	(void)arg;
	(void)rq;
}

static void http_handle(void *arg, struct xy_http_req *rq)
{
	struct http_probe *h = arg;
	rq->status = 200;
	if (xy_buf_printf(&rq->out, "{\"probe\":\"ok\",\"rows\":%ld}", h->rows))
		rq->status = 500;
	pthread_mutex_lock(&h->mu);
	h->answered++;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static void probe_http(unsigned port, long rows)
{
	struct http_probe h = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, rows};
	struct xy_http_app app = {.arg = &h, .begin = http_begin, .handle = http_handle};
	struct xy_http_opts o = {.threads = 2,
				 .conn_max = 16,
				 .conn_per_addr = 16,
				 .timeout_s = 10,
				 .body_max = 4096,
				 .header_mem = 32 * 1024,
				 .allow = "127.0.0.0/8"};
	struct xy_http_server *s = NULL;
	struct timespec until;
	char listen[32], err[256] = "";
	int rc;

	snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
	o.listen = listen;
	if ((rc = xy_http_start(&o, &app, &s, err, sizeof err))) {
		printf("http: failed %s\n", err[0] ? err : xy_strerror(rc));
		return;
	}
	printf("http: listening %d\n", xy_http_port(s));
	fflush(stdout);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60;
	pthread_mutex_lock(&h.mu);
	while (!h.answered)
		if (pthread_cond_timedwait(&h.cv, &h.mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&h.mu);
	xy_http_stop(s, 5); /* waits for the answer to go out */
	printf("http: %s\n", h.answered ? "answered 1 request" : "failed no request came");
}

/* ---- what an intruder would try: each should kill the process ---- */

static long try_action(const char *a, long connect_port)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)connect_port)};
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!strcmp(a, "exec")) {
		static char true_path[] = "/bin/true";
		char *const argv[] = {true_path, NULL};
		return execve(argv[0], argv, environ);
	}
	if (!strcmp(a, "fork"))
		return fork();
	if (!strcmp(a, "connect") || !strcmp(a, "fastopen")) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return fd;
		if (!strcmp(a, "connect"))
			return connect(fd, (struct sockaddr *)&to, sizeof to);
		return sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&to, sizeof to);
	}
	if (!strcmp(a, "udp"))
		return socket(AF_INET, SOCK_DGRAM, 0);
	if (!strcmp(a, "unix"))
		return socket(AF_UNIX, SOCK_STREAM, 0);
	if (!strcmp(a, "ptrace"))
		return ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	if (!strcmp(a, "mprotect_exec")) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);
		return p == MAP_FAILED ? -1 : mprotect(p, 4096, PROT_READ | PROT_EXEC);
	}
	if (!strcmp(a, "setuid"))
		return setuid(0);
	if (!strcmp(a, "rename_exchange")) /* two files swapped: only NOREPLACE is allowed */
		return renameat2(AT_FDCWD, "/", AT_FDCWD, "/tmp", RENAME_EXCHANGE);
	fprintf(stderr, "xy_sandbox_probe: unknown action %s\n", a);
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct xy_sandbox_report rep;
	struct signed_msg m;
	struct rlimit no_core = {0, 0};
	char line[256];
	long rows, r;
	int status_fd, rc;

	parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0); /* each line out before a kill can take it */
	setrlimit(RLIMIT_CORE, &no_core); /* the killed runs leave no core behind */
	status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (sign_before(&m)) {
		fputs("xy_sandbox_probe: SM2 set-up failed\n", stderr);
		return 2;
	}
	if (o.old_kernel)
		pretend_old_kernel();

	rc = xy_sandbox_enter(&o.sb, &rep);
	xy_sandbox_report_str(&rep, line, sizeof line);
	if (rc) {
		printf("sandbox: failed %s (%s)\n", xy_err_code(rc), line);
		return 1;
	}
	printf("sandbox: ok %s\n", line);
	probe_status(status_fd);
	probe_file(o.sb.dir);
	rows = probe_sqlite(o.sb.dir);
	probe_sm2(&m);
	for (int i = 0; i < o.nreads; i++)
		probe_open("read", o.reads[i], O_RDONLY);
	for (int i = 0; i < o.nwrites; i++)
		probe_open("write", o.writes[i], O_WRONLY | O_CREAT);
	if (o.bind_port >= 0)
		probe_bind(o.bind_port);
	if (o.http)
		probe_http(o.sb.listen_port, rows);
	xy_buf_cleanup(&m.pem);
	xy_buf_cleanup(&m.sig);
	if (o.try) {
		fflush(stdout);
		r = try_action(o.try, o.connect_port);
		printf("try %s: survived rc=%ld %s\n", o.try, r, r < 0 ? ename(errno) : "");
		return 3;
	}
	close(status_fd);
	puts("done");
	return 0;
}
