/* The HTTP server: see server.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/server.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

struct xy_http_server {
	struct MHD_Daemon *d;
	struct xy_http_app app;
	struct xy_http_opts o;
	struct xy_cidr allow[XY_HTTP_ALLOW_MAX];
	int nallow;
	int port;
	pthread_mutex_t mu;
	pthread_cond_t idle;
	pthread_mutex_t hold_mu; /* held requests: released / suspended */
	long inflight;
	unsigned long long refused;
};

static int sockaddr_parts(const struct sockaddr *sa, int *family, const uint8_t **bytes, char *addr,
			  size_t acap, int *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		*family = 4;
		*bytes = (const uint8_t *)&in->sin_addr;
		*port = ntohs(in->sin_port);
		inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)acap);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		*family = 6;
		*bytes = (const uint8_t *)&in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
		inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)acap);
		return 0;
	}
	return -1;
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct xy_http_server *s = cls;
	const uint8_t *bytes;
	char addr[INET6_ADDRSTRLEN];
	int family, port;
	(void)len;
	if (sockaddr_parts(sa, &family, &bytes, addr, sizeof addr, &port))
		return MHD_NO;
	if (xy_cidr_match(s->allow, s->nallow, family, bytes))
		return MHD_YES;
	/* NET-2: not an admitted range.  Logged (never more than once a
	 * second per burst would be nicer; the count is kept). */
	pthread_mutex_lock(&s->mu);
	s->refused++;
	pthread_mutex_unlock(&s->mu);
	xy_log_warn("NET-2: connection from %s refused (not in an admitted address range)", addr);
	return MHD_NO;
}

/* ---- requests ---- */

static void *uri_start(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct xy_http_server *s = cls;
	struct xy_http_req *rq = malloc(sizeof *rq);
	if (!rq)
		return NULL;
	memset(rq, 0, offsetof(struct xy_http_req, target));
	rq->upload_fd = -1;
	rq->srv = s;
	rq->conn = c;
	rq->started_us = xy_now_us();
	rq->target_err = xy_http_parse_target(uri, strlen(uri), &rq->target);
	xy_buf_init(&rq->body, s->o.body_max);
	xy_buf_init(&rq->out, 16 * 1024 * 1024);
	pthread_mutex_lock(&s->mu);
	s->inflight++;
	pthread_mutex_unlock(&s->mu);
	return rq;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct xy_http_server *s = cls;
	struct xy_http_req *rq = *con_cls;
	(void)c;
	if (!rq)
		return;
	if (s->o.access_log)
		xy_log_info("%s %s %d %lldus client=%s account=%s%s", rq->method, rq->target.path,
			    rq->status, (long long)(xy_now_us() - rq->started_us), rq->client,
			    rq->log_account[0] ? rq->log_account : "-",
			    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
	if (s->app.end)
		s->app.end(s->app.arg, rq);
	if (rq->upload_fd >= 0)
		close(rq->upload_fd);
	xy_buf_wipe(&rq->body); /* a body may hold a password */
	xy_buf_cleanup(&rq->body);
	xy_buf_cleanup(&rq->out);
	free(rq);
	*con_cls = NULL;
	pthread_mutex_lock(&s->mu);
	if (--s->inflight == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

void xy_http_json_error(struct xy_http_req *rq, int status, const char *code, const char *msg)
{
	xy_buf_reset(&rq->out);
	rq->status = status;
	rq->ctype = NULL; /* an error is JSON whatever the answer would have been */
	rq->disposition[0] = 0;
	/* code is one of ours (snake_case); msg is escaped for JSON. */
	if (xy_buf_printf(&rq->out, "{\"error\":{\"code\":\"%s\",\"message\":\"", code))
		return;
	for (const char *p = msg; p && *p; p++) {
		unsigned char ch = (unsigned char)*p;
		int rc;
		if (ch == '"' || ch == '\\')
			rc = xy_buf_printf(&rq->out, "\\%c", ch);
		else if (ch < 0x20)
			rc = xy_buf_printf(&rq->out, "\\u%04x", ch);
		else
			rc = xy_buf_addc(&rq->out, (char)ch);
		if (rc)
			return;
	}
	if (xy_buf_adds(&rq->out, "\"}}"))
		return;
}

static void client_identity(struct MHD_Connection *c, struct xy_http_req *rq)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const uint8_t *bytes;
	int family, port;
	if (!ci || !ci->client_addr ||
	    sockaddr_parts(ci->client_addr, &family, &bytes, rq->addr, sizeof rq->addr, &port)) {
		snprintf(rq->addr, sizeof rq->addr, "unknown");
		snprintf(rq->client, sizeof rq->client, "unknown");
		return;
	}
	if (family == 6)
		snprintf(rq->client, sizeof rq->client, "[%s]:%d", rq->addr, port);
	else
		snprintf(rq->client, sizeof rq->client, "%s:%d", rq->addr, port);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct xy_http_req *rq)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!rq->status)
		xy_http_json_error(rq, 500, "internal_error", "no response");
	if (rq->out.len) { /* the buffer goes to MHD, which frees it */
		r = MHD_create_response_from_buffer(rq->out.len, rq->out.p, MHD_RESPMEM_MUST_FREE);
		if (r)
			memset(&rq->out, 0, sizeof rq->out);
	} else
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				rq->ctype ? rq->ctype : "application/json; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				rq->cache ? rq->cache : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				rq->csp ? rq->csp : "default-src 'none'");
	if (rq->etag[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rq->etag);
	for (int i = 0; i < 2; i++)
		if (rq->set_cookie[i][0])
			MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rq->set_cookie[i]);
	if (rq->retry_after[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, rq->retry_after);
	if (rq->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", rq->disposition);
	ret = MHD_queue_response(c, (unsigned)rq->status, r);
	MHD_destroy_response(r);
	return ret;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct xy_http_server *s = cls;
	struct xy_http_req *rq = *con_cls;
	(void)url;
	(void)version;

	if (!rq)
		return MHD_NO; /* out of memory at the start: drop the connection */
	if (!rq->method[0]) {  /* first call: headers only */
		snprintf(rq->method, sizeof rq->method, "%s", method);
		client_identity(c, rq);
		rq->agent =
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
		rq->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_CONTENT_TYPE);
		rq->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								MHD_HTTP_HEADER_AUTHORIZATION);
		rq->cookie =
			MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
		rq->csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
		rq->if_none_match = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								MHD_HTTP_HEADER_IF_NONE_MATCH);
		if (strlen(method) >= sizeof rq->method) {
			rq->reject = 1;
			xy_http_json_error(rq, 405, "method_not_allowed", "unknown method");
		} else {
			s->app.begin(s->app.arg, rq);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (rq->reject || rq->too_large)
			return MHD_YES; /* read and dropped */
		if (rq->stream) {
			unsigned long long max = rq->body_max ? rq->body_max : XY_HTTP_UPLOAD_MAX;
			if (rq->upload_len + n > max) {
				rq->too_large = 1;
				return MHD_YES;
			}
			if (rq->upload_fd < 0 || write_all(rq->upload_fd, upload_data, n)) {
				rq->reject = 1;
				xy_http_json_error(rq, 500, "io_error",
						   "the upload could not be stored");
				return MHD_YES;
			}
			rq->upload_len += n;
			return MHD_YES;
		}
		if (xy_buf_add(&rq->body, upload_data, n))
			rq->too_large = 1;
		return MHD_YES;
	}
	if (rq->handled) { /* a held request, resumed */
		if (s->app.resume)
			s->app.resume(s->app.arg, rq);
		return respond(c, rq);
	}
	rq->handled = 1;
	if (!(rq->reject && rq->status))
		s->app.handle(s->app.arg, rq);
	if (rq->hold) {
		int park;
		pthread_mutex_lock(&s->hold_mu);
		park = !rq->released;
		if (park) {
			rq->suspended = 1;
			MHD_suspend_connection(c);
		}
		pthread_mutex_unlock(&s->hold_mu);
		if (park)
			return MHD_YES;
		if (s->app.resume)
			s->app.resume(s->app.arg, rq);
	}
	return respond(c, rq);
}

void xy_http_release(struct xy_http_req *rq)
{
	struct xy_http_server *s = rq->srv;
	pthread_mutex_lock(&s->hold_mu);
	rq->released = 1;
	if (rq->suspended)
		MHD_resume_connection(rq->conn);
	pthread_mutex_unlock(&s->hold_mu);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = 0;
	xy_log_warn("libmicrohttpd: %s", msg);
}

static int parse_listen(const char *l, struct sockaddr_storage *ss, int *v6, char *err,
			size_t errlen)
{
	char host[64];
	const char *colon;
	long port;
	char *e;
	memset(ss, 0, sizeof *ss);
	if (l[0] == '[') {
		const char *rb = strchr(l, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - l - 1) >= sizeof host)
			goto bad;
		memcpy(host, l + 1, (size_t)(rb - l - 1));
		host[rb - l - 1] = 0;
		colon = rb + 1;
	} else {
		colon = strrchr(l, ':');
		if (!colon || (size_t)(colon - l) >= sizeof host)
			goto bad;
		memcpy(host, l, (size_t)(colon - l));
		host[colon - l] = 0;
	}
	port = strtol(colon + 1, &e, 10);
	if (!colon[1] || *e || port < 0 || port > 65535)
		goto bad;
	{
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;
		if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
			in->sin_family = AF_INET;
			in->sin_port = htons((uint16_t)port);
			*v6 = 0;
			return 0;
		}
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((uint16_t)port);
			*v6 = 1;
			return 0;
		}
	}
bad:
	snprintf(err, errlen, "listen address \"%s\": expected ADDR:PORT or [V6]:PORT", l);
	return XY_ECONFIG;
}

int xy_http_start(const struct xy_http_opts *o, const struct xy_http_app *app,
		  struct xy_http_server **out, char *err, size_t errlen)
{
	struct xy_http_server *s;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	int v6, rc;

	*out = NULL;
	if ((rc = parse_listen(o->listen, &ss, &v6, err, errlen)))
		return rc;
	s = calloc(1, sizeof *s);
	if (!s)
		return XY_ENOMEM;
	s->app = *app;
	s->o = *o;
	if ((rc = xy_cidr_parse_list(o->allow, s->allow, XY_HTTP_ALLOW_MAX, &s->nallow, err,
				     errlen))) {
		free(s);
		return rc;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	pthread_mutex_init(&s->hold_mu, NULL);
	if (v6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
		flags, 0, accept_policy, s, access_handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
		s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT, o->conn_max,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->conn_per_addr, MHD_OPTION_CONNECTION_TIMEOUT,
		o->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->header_mem,
		MHD_OPTION_URI_LOG_CALLBACK, uri_start, s, MHD_OPTION_NOTIFY_COMPLETED,
		request_done, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "cannot listen on %s (address in use, or not permitted)",
			 o->listen);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->idle);
		pthread_mutex_destroy(&s->hold_mu);
		free(s);
		return XY_EIO;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return 0;
}

int xy_http_port(struct xy_http_server *s)
{
	return s->port;
}

void xy_http_stop(struct xy_http_server *s, int grace_s)
{
	MHD_socket ls;
	struct timespec until;
	if (!s)
		return;
	ls = MHD_quiesce_daemon(s->d); /* no new connections */
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += grace_s;
	pthread_mutex_lock(&s->mu);
	while (s->inflight > 0)
		if (pthread_cond_timedwait(&s->idle, &s->mu, &until) == ETIMEDOUT)
			break;
	if (s->inflight > 0)
		xy_log_warn("stopping with %ld requests still in flight", s->inflight);
	pthread_mutex_unlock(&s->mu);
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->hold_mu);
	free(s);
}
