/* The API client: saved session, HTTP + JSON over libcurl, prompts.  See
 * client.h. */
#include "cmd/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/err.h"

#define SESSION_DIR  "xinyong"
#define SESSION_FILE "session.json"
#define USER_AGENT   "xinyong-cli/1"

/* ---- jansson allocations are wiped when freed ---- */

/* Each block keeps its size in front, so free can wipe it: the request
 * bodies hold passwords, the answers tokens and one-time passwords. */
union wipe_hdr {
	size_t n;
	max_align_t align;
};

static void *wipe_malloc(size_t n)
{
	union wipe_hdr *h;
	if (n > SIZE_MAX - sizeof *h)
		return NULL;
	h = malloc(sizeof *h + n);
	if (!h)
		return NULL;
	h->n = n;
	return h + 1;
}

static void wipe_free(void *p)
{
	union wipe_hdr *h;
	if (!p)
		return;
	h = (union wipe_hdr *)p - 1;
	explicit_bzero(p, h->n);
	free(h);
}

/* ---- the handle ---- */

static int valid_text(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n >= max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* http:// outside loopback sends the password and the token in clear. */
static void warn_plain_http(const char *server)
{
	const char *h = server + 7;
	size_t n = strcspn(h, "/");
	if (strncmp(server, "http://", 7) != 0)
		return;
	if (n && h[0] != '[')
		n = strcspn(h, ":/");
	if ((n == 9 && !strncmp(h, "localhost", 9)) || (n == 5 && !strncmp(h, "[::1]", 5)) ||
	    (n > 4 && !strncmp(h, "127.", 4) && strspn(h, "0123456789.") == n))
		return;
	fprintf(stderr,
		"xinyong: warning: %s is plain HTTP: the password and the session "
		"token cross the network in clear; use https://\n",
		server);
}

static int set_server(struct xy_client *c, const char *url)
{
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    n >= sizeof c->server || n <= (size_t)(url[4] == 's' ? 8 : 7)) {
		xy_cmd_fail("--server: a URL such as https://xinyong.example.gov.cn:8443");
		return XY_EINVAL;
	}
	memcpy(c->server, url, n);
	c->server[n] = 0;
	if (!valid_text(c->server, sizeof c->server) || strchr(c->server + 8, '?') ||
	    strchr(c->server + 8, '#')) {
		xy_cmd_fail("--server: no spaces, control characters, query or fragment");
		return XY_EINVAL;
	}
	warn_plain_http(c->server);
	return 0;
}

int xy_client_init(struct xy_client *c, const char *server)
{
	memset(c, 0, sizeof *c);
	json_set_alloc_funcs(wipe_malloc, wipe_free);
	if (server && set_server(c, server))
		return XY_EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(c->curl = curl_easy_init())) {
		xy_cmd_fail("libcurl could not start");
		return XY_ENOMEM;
	}
	return 0;
}

void xy_client_cleanup(struct xy_client *c)
{
	explicit_bzero(c->token, sizeof c->token);
	if (c->curl) {
		curl_easy_cleanup(c->curl);
		curl_global_cleanup();
	}
	c->curl = NULL;
}

/* ---- the session file ---- */

/* The folder that holds xinyong/: $XDG_CONFIG_HOME when absolute (the XDG
 * rule), else ~/.config. */
static int config_home(char *out, size_t cap)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct passwd *pw;
	if (x && x[0] == '/')
		return (size_t)snprintf(out, cap, "%s", x) < cap ? 0 : XY_ELIMIT;
	if (!home || home[0] != '/') {
		pw = getpwuid(geteuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || home[0] != '/')
		return XY_ENOTFOUND;
	return (size_t)snprintf(out, cap, "%s/.config", home) < cap ? 0 : XY_ELIMIT;
}

/* The session file's path, for messages. */
static int session_path(char *out, size_t cap)
{
	char base[4096];
	int rc = config_home(base, sizeof base);
	if (rc)
		return rc;
	return (size_t)snprintf(out, cap, "%s/%s/%s", base, SESSION_DIR, SESSION_FILE) < cap
		       ? 0
		       : XY_ELIMIT;
}

/* Opens the xinyong/ folder (creating it, and the config folder, when
 * create); it must be the user's own; a looser mode is tightened to 0700.
 * Returns the descriptor, or -1 with errno (ENOENT: none yet). */
static int open_dir(int create)
{
	char base[4096], path[4200];
	struct stat st;
	int fd;
	if (config_home(base, sizeof base)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", base, SESSION_DIR);
	if (create &&
	    ((mkdir(base, 0700) && errno != EEXIST) || (mkdir(path, 0700) && errno != EEXIST)))
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_uid != geteuid()) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	if ((st.st_mode & 077) && fchmod(fd, 0700)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int session_fail(const char *what)
{
	char path[4200] = "the session file";
	int e = errno;
	(void)session_path(path, sizeof path);
	xy_cmd_fail("%s %s: %s", what, path, strerror(e));
	return XY_EIO;
}

static int copy_field(json_t *doc, const char *key, char *out, size_t cap)
{
	const char *v = json_string_value(json_object_get(doc, key));
	if (!v || !valid_text(v, cap))
		return XY_EPARSE;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* Reads at most XY_CLIENT_SESSION_MAX bytes of a private regular file. */
static int read_session(int dfd, char *buf, size_t cap, size_t *len)
{
	struct stat st;
	ssize_t k;
	int fd = openat(dfd, SESSION_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? XY_ENOTFOUND : session_fail("cannot open");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		xy_cmd_fail("the session file is not a private file of yours (mode 0600); "
			    "remove it and sign in again with `xinyong login`");
		return XY_EDENIED;
	}
	while (*len < cap && (k = read(fd, buf + *len, cap - *len)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			close(fd);
			return session_fail("cannot read");
		}
		*len += (size_t)k;
	}
	close(fd);
	return *len >= cap ? XY_ELIMIT : 0;
}

int xy_client_load(struct xy_client *c)
{
	char buf[XY_CLIENT_SESSION_MAX];
	json_t *doc = NULL;
	size_t len = 0;
	int dfd, rc;

	dfd = open_dir(0);
	if (dfd < 0 && errno != ENOENT)
		return session_fail("cannot open the folder of");
	rc = dfd < 0 ? XY_ENOTFOUND : read_session(dfd, buf, sizeof buf, &len);
	if (dfd >= 0)
		close(dfd);
	if (rc == XY_ENOTFOUND)
		xy_cmd_fail("not signed in: run `xinyong login --server URL` first");
	if (rc)
		goto out;
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!doc || copy_field(doc, "server", c->server, sizeof c->server) ||
	    copy_field(doc, "account", c->account, sizeof c->account) ||
	    copy_field(doc, "token", c->token, sizeof c->token) ||
	    (strncmp(c->server, "http://", 7) != 0 && strncmp(c->server, "https://", 8) != 0)) {
		explicit_bzero(c->token, sizeof c->token);
		xy_cmd_fail("the session file is damaged; sign in again with `xinyong login`");
		rc = XY_EPARSE;
	}
out:
	json_decref(doc);
	explicit_bzero(buf, sizeof buf);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int xy_client_save(const struct xy_client *c)
{
	char tmp[64];
	json_t *doc = json_pack("{s:s,s:s,s:s}", "server", c->server, "token", c->token, "account",
				c->account);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int dfd = -1, fd = -1, rc = XY_EIO;

	json_decref(doc);
	if (!text) {
		xy_cmd_fail("out of memory");
		return XY_ENOMEM;
	}
	snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", SESSION_FILE, (long)getpid());
	if ((dfd = open_dir(1)) < 0) {
		session_fail("cannot create the folder of");
		goto out;
	}
	(void)unlinkat(dfd, tmp, 0); /* left by a crash of an earlier process of this id */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		session_fail("cannot create a temporary file beside");
		goto out;
	}
	rc = fchmod(fd, 0600) || write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) ||
	     fsync(fd);
	if (close(fd) || rc) {
		fd = -1;
		rc = XY_EIO;
		session_fail("cannot write");
		(void)unlinkat(dfd, tmp, 0);
		goto out;
	}
	fd = -1;
	rc = XY_EIO;
	if (renameat(dfd, tmp, dfd, SESSION_FILE)) {
		session_fail("cannot replace");
		(void)unlinkat(dfd, tmp, 0);
		goto out;
	}
	(void)fsync(dfd);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	wipe_free(text);
	return rc;
}

int xy_client_forget(void)
{
	int dfd = open_dir(0), rc = 0;
	if (dfd < 0)
		return errno == ENOENT ? 0 : session_fail("cannot open the folder of");
	if (unlinkat(dfd, SESSION_FILE, 0) && errno != ENOENT)
		rc = session_fail("cannot remove");
	close(dfd);
	return rc;
}

/* ---- one request ---- */

/* Grows the answer; the old block is wiped, as it may hold a secret. */
static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xy_client_resp *r = arg;
	size_t n = size * nmemb, ncap;
	char *np;
	if (n > XY_CLIENT_RESPONSE_MAX - r->len)
		return 0; /* libcurl stops with CURLE_WRITE_ERROR */
	if (r->len + n + 1 > r->cap) {
		ncap = r->cap ? r->cap : 4096;
		while (ncap < r->len + n + 1)
			ncap *= 2;
		if (!(np = malloc(ncap)))
			return 0;
		if (r->body) {
			memcpy(np, r->body, r->len);
			explicit_bzero(r->body, r->cap);
			free(r->body);
		}
		r->body = np;
		r->cap = ncap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = 0;
	return n;
}

void xy_client_resp_cleanup(struct xy_client_resp *r)
{
	json_decref(r->json);
	if (r->body) {
		explicit_bzero(r->body, r->cap);
		free(r->body);
	}
	memset(r, 0, sizeof *r);
}

static void free_headers(struct curl_slist *h)
{
	for (struct curl_slist *t = h; t; t = t->next)
		explicit_bzero(t->data, strlen(t->data)); /* the bearer token */
	curl_slist_free_all(h);
}

static int add_header(struct curl_slist **h, const char *line)
{
	struct curl_slist *n = curl_slist_append(*h, line);
	if (!n)
		return XY_ENOMEM;
	*h = n;
	return 0;
}

/* upload_type: a file body of that type follows (xy_client_upload sets it). */
static int set_request(struct xy_client *c, const char *method, const char *url, const char *text,
		       const char *upload_type, struct curl_slist **h, struct xy_client_resp *r,
		       char *errbuf)
{
	CURL *k = c->curl;
	char auth[XY_TOKEN_MAX + 32];
	int rc = 0;

	curl_easy_reset(k);
	if (curl_easy_setopt(k, CURLOPT_URL, url) ||
	    curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 0L) || /* the token stays here */
	    curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT, (long)XY_CLIENT_CONNECT_S) ||
	    curl_easy_setopt(k, CURLOPT_TIMEOUT, (long)XY_CLIENT_TIMEOUT_S) ||
	    curl_easy_setopt(k, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)XY_CLIENT_RESPONSE_MAX) ||
	    curl_easy_setopt(k, CURLOPT_USERAGENT, USER_AGENT) ||
	    curl_easy_setopt(k, CURLOPT_ERRORBUFFER, errbuf) ||
	    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_data) ||
	    curl_easy_setopt(k, CURLOPT_WRITEDATA, r))
		return XY_EINVAL;
	rc = add_header(h, "Accept: application/json");
	if (!rc && c->token[0]) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
		rc = add_header(h, auth);
		explicit_bzero(auth, sizeof auth);
	}
	if (!rc && upload_type) {
		char ct[128];
		snprintf(ct, sizeof ct, "Content-Type: %s", upload_type);
		rc = add_header(h, ct);
		if (!rc)
			return curl_easy_setopt(k, CURLOPT_HTTPHEADER, *h) ? XY_EINVAL : 0;
	}
	if (!rc && text)
		rc = add_header(h, "Content-Type: application/json");
	else if (!rc && !strcmp(method, "POST"))
		rc = add_header(h, "Content-Type:"); /* an empty POST: no form type */
	if (rc)
		return rc;
	if (!strcmp(method, "POST") && (curl_easy_setopt(k, CURLOPT_POSTFIELDS, text ? text : "") ||
					curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE,
							 (curl_off_t)(text ? strlen(text) : 0))))
		return XY_EINVAL;
	if (strcmp(method, "POST") != 0 && strcmp(method, "GET") != 0 &&
	    curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method))
		return XY_EINVAL;
	if (text && strcmp(method, "POST") != 0 &&
	    (curl_easy_setopt(k, CURLOPT_POSTFIELDS, text) ||
	     curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text))))
		return XY_EINVAL;
	return curl_easy_setopt(k, CURLOPT_HTTPHEADER, *h) ? XY_EINVAL : 0;
}

static int perform(struct xy_client *c, struct xy_client_resp *r, const char *errbuf)
{
	CURLcode cc = curl_easy_perform(c->curl);
	int rc = 0;
	if (cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED) {
		xy_cmd_fail("%s answered more than %d bytes; refused", c->server,
			    XY_CLIENT_RESPONSE_MAX);
		rc = XY_ELIMIT;
	} else if (cc) {
		xy_cmd_fail("cannot reach %s: %s", c->server,
			    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = XY_EIO;
	} else {
		(void)curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
		if (r->len)
			r->json = json_loadb(r->body, r->len, 0, NULL);
	}
	return rc;
}

static int finish(int rc, struct xy_client_resp *r)
{
	if (!rc && !r->body && !(r->body = calloc(1, 1))) {
		xy_cmd_fail("out of memory");
		rc = XY_ENOMEM;
	}
	if (rc)
		xy_client_resp_cleanup(r);
	else if (r->cap == 0)
		r->cap = 1;
	return rc;
}

int xy_client_call(struct xy_client *c, const char *method, const char *path, json_t *body,
		   struct xy_client_resp *r)
{
	char url[XY_CLIENT_URL_MAX + XY_HTTP_PATH_MAX], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL;
	char *text = NULL;
	int rc;

	memset(r, 0, sizeof *r);
	if ((size_t)snprintf(url, sizeof url, "%s%s", c->server, path) >= sizeof url) {
		xy_cmd_fail("the request path is too long");
		return XY_ELIMIT;
	}
	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		xy_cmd_fail("out of memory");
		return XY_ENOMEM;
	}
	if ((rc = set_request(c, method, url, text, NULL, &h, r, errbuf))) {
		xy_cmd_fail("cannot prepare the request to %s", c->server);
		goto out;
	}
	rc = perform(c, r, errbuf);
out:
	free_headers(h);
	wipe_free(text);
	return finish(rc, r);
}

struct upload_src {
	FILE *f;
	int failed;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload_src *u = arg;
	size_t n = fread(buf, 1, size * nmemb, u->f);
	if (n == 0 && ferror(u->f)) {
		u->failed = 1;
		return CURL_READFUNC_ABORT;
	}
	return n;
}

int xy_client_upload(struct xy_client *c, const char *path, const char *file,
		     const char *content_type, struct xy_client_resp *r)
{
	char url[XY_CLIENT_URL_MAX + XY_HTTP_PATH_MAX], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL;
	struct upload_src u = {0};
	struct stat sb;
	CURL *k = c->curl;
	int rc;

	memset(r, 0, sizeof *r);
	if ((size_t)snprintf(url, sizeof url, "%s%s", c->server, path) >= sizeof url) {
		xy_cmd_fail("the request path is too long");
		return XY_ELIMIT;
	}
	if (!(u.f = fopen(file, "rb")) || fstat(fileno(u.f), &sb) || !S_ISREG(sb.st_mode)) {
		xy_cmd_fail("%s: cannot read the file%s", file, u.f ? " (not a regular file)" : "");
		if (u.f)
			fclose(u.f);
		return XY_EIO;
	}
	if ((rc = set_request(c, "POST", url, NULL, content_type, &h, r, errbuf)) ||
	    curl_easy_setopt(k, CURLOPT_POST, 1L) ||
	    curl_easy_setopt(k, CURLOPT_READFUNCTION, on_read) ||
	    curl_easy_setopt(k, CURLOPT_READDATA, &u) ||
	    curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)sb.st_size) ||
	    /* A large file takes long to send and to check: no overall limit,
	     * but a stalled transfer ends. */
	    curl_easy_setopt(k, CURLOPT_TIMEOUT, 0L) ||
	    curl_easy_setopt(k, CURLOPT_LOW_SPEED_LIMIT, 1L) ||
	    curl_easy_setopt(k, CURLOPT_LOW_SPEED_TIME, (long)XY_CLIENT_UPLOAD_STALL_S)) {
		xy_cmd_fail("cannot prepare the request to %s", c->server);
		rc = rc ? rc : XY_EINVAL;
	} else {
		rc = perform(c, r, errbuf);
		if (u.failed) {
			xy_cmd_fail("%s: read error while sending", file);
			rc = XY_EIO;
		}
	}
	fclose(u.f);
	free_headers(h);
	return finish(rc, r);
}

int xy_client_report(const struct xy_client_resp *r)
{
	json_t *e = json_object_get(r->json, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	fputs("xinyong: error: ", stderr);
	if (code) {
		xy_client_put(stderr, code);
		fputs(": ", stderr);
		xy_client_put(stderr, msg ? msg : "");
	} else {
		fprintf(stderr, "the server answered HTTP %ld", r->status);
	}
	fputc('\n', stderr);
	if (code && !strcmp(code, "unauthenticated"))
		fputs("xinyong: sign in again with `xinyong login --server URL`\n", stderr);
	return XY_EXIT_FAIL;
}

int xy_client_escape(struct xy_client *c, const char *s, char *out, size_t cap)
{
	char *e = curl_easy_escape(c->curl, s, 0);
	int rc = 0;
	if (!e)
		return XY_ENOMEM;
	if ((size_t)snprintf(out, cap, "%s", e) >= cap) {
		xy_cmd_fail("the name is too long");
		rc = XY_ELIMIT;
	}
	curl_free(e);
	return rc;
}

void xy_client_put(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < ' ' || *s == 0x7f ? '?' : *s, f);
}

/* ---- prompts ---- */

/* Echo is turned back on if a signal ends the program mid-prompt. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_quiet;
static const int prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define NSIG_PROMPT (sizeof prompt_signals / sizeof *prompt_signals)

static void on_signal(int sig)
{
	if (tty_quiet)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	tty_quiet = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

static int echo_off(struct sigaction old[NSIG_PROMPT])
{
	struct sigaction sa;
	struct termios q;
	if (tcgetattr(STDIN_FILENO, &saved_tty))
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIG_PROMPT; i++)
		sigaction(prompt_signals[i], &sa, &old[i]);
	q = saved_tty;
	q.c_lflag &= ~(tcflag_t)ECHO;
	q.c_lflag |= ECHONL;
	tty_quiet = 1;
	return tcsetattr(STDIN_FILENO, TCSAFLUSH, &q);
}

static void echo_on(const struct sigaction old[NSIG_PROMPT])
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	tty_quiet = 0;
	for (size_t i = 0; i < NSIG_PROMPT; i++)
		sigaction(prompt_signals[i], &old[i], NULL);
}

/* One byte at a time, so no stdio buffer keeps a copy of the secret and
 * the next prompt reads the next line. */
static int read_line(char *out, size_t cap, size_t *len, int *eof)
{
	int too_long = 0;
	char ch;
	*len = 0;
	*eof = 0;
	for (;;) {
		ssize_t k = read(STDIN_FILENO, &ch, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			*eof = 1;
			break;
		}
		if (ch == '\n')
			break;
		if (*len + 1 >= cap)
			too_long = 1;
		else
			out[(*len)++] = ch;
	}
	ch = 0;
	if (*len && out[*len - 1] == '\r')
		(*len)--;
	out[*len] = 0;
	return too_long ? XY_ELIMIT : 0;
}

int xy_client_prompt(const char *prompt, int secret, int required, char *out, size_t cap)
{
	struct sigaction old[NSIG_PROMPT];
	int tty = isatty(STDIN_FILENO), quiet = 0, eof, rc;
	size_t len;

	if (tty) {
		/* Echo off before the prompt: what is typed after it is never shown
		 * (TCSAFLUSH drops only what came before). */
		quiet = secret && echo_off(old) == 0;
		fprintf(stderr, "%s: ", prompt);
		fflush(stderr);
	}
	rc = read_line(out, cap, &len, &eof);
	if (quiet)
		echo_on(old);
	if (rc) {
		explicit_bzero(out, cap);
		xy_cmd_fail("%s: longer than %zu bytes", prompt, cap - 1);
		return rc;
	}
	if ((eof && !len) || (required && !len)) {
		xy_cmd_fail("%s: no answer%s", prompt, tty ? "" : " on standard input");
		return XY_EINVAL;
	}
	return 0;
}

/* ---- what the business commands share ---- */

int xy_client_api(struct xy_client *c, const char *method, const char *path, json_t *body,
		  struct xy_client_resp *r)
{
	if (xy_client_call(c, method, path, body, r))
		return XY_EXIT_FAIL;
	if (r->status < 200 || r->status > 299)
		return xy_client_report(r);
	return 0;
}

int xy_client_signed_in(struct xy_client *c)
{
	return xy_client_init(c, NULL) || xy_client_load(c) ? XY_EXIT_FAIL : 0;
}

void xy_client_put_raw(const struct xy_client_resp *r)
{
	fwrite(r->body, 1, r->len, stdout);
	if (r->len && r->body[r->len - 1] != '\n')
		fputc('\n', stdout);
}
