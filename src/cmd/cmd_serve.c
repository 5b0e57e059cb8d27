/* xinyong serve DIR [--listen ADDR:PORT]: the government-zone server. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "audit/audit.h"
#include "audit/retain.h"
#include "cmd/cmd.h"
#include "http/server.h"
#include "svc/intake.h"
#include "svc/account.h"
#include "svc/client.h"
#include "svc/publish.h"
#include "svc/query.h"
#include "svc/instance.h"
#include "svc/service.h"
#include "util/date.h"
#include "util/err.h"
#include "util/ini.h"
#include "util/log.h"

#define SWEEP_SECONDS  60
#define REVIEW_SECONDS (24 * 3600)

static void usage(FILE *f)
{
	fprintf(f, "usage: xinyong serve DIR [--listen ADDR:PORT]\n\n"
		   "Runs the government-zone server (JSON API under /api/v1) for the instance\n"
		   "in DIR.  The listen address, admitted address ranges (NET-2), limits and\n"
		   "session rules come from DIR/config.ini ([http], [session], [password]);\n"
		   "--listen overrides the address (port 0: any free port, printed).\n"
		   "Every [publish] interval_s seconds (default 300; 0: off) and after\n"
		   "midnight it writes the next change set for the portal into DIR/outbox/\n"
		   "(as `xinyong publish DIR` does).\n"
		   "SIGTERM or SIGINT stops it after the requests in flight finish.\n");
}

struct maint {
	struct xy_service *svc;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	long publish_s;	       /* [publish] interval_s; 0: off */
	int64_t published_us;  /* when the schedule last ran */
	int32_t published_day; /* the China day it ran on */
	long intake_s;	       /* POR-3: seconds between passes over the portals' inboxes; 0 off */
};

/* NET-1: the next change set for the portal when the interval has passed,
 * and after midnight, so that display periods that ended leave on time. */
static void publish(struct maint *m)
{
	struct xy_publish_opts o = {0};
	struct xy_publish_result r;
	int64_t now = xy_now_us();
	int32_t today = xy_today();
	char err[512];
	int rc;

	if (!xy_pub_due(m->published_us, m->published_day, now, today, m->publish_s))
		return;
	m->published_us = now;
	m->published_day = today;
	rc = xy_publish_service(m->svc, &o, &r, err, sizeof err);
	if (rc)
		xy_log_error("publish: %s", err[0] ? err : xy_strerror(rc));
	else if (r.seq)
		xy_log_info("publish: change set %lld (%s): %ld records, %ld removals, %lld bytes",
			    (long long)r.seq, r.snapshot ? "snapshot" : "delta", r.records,
			    r.removals, r.bytes);
}

static void intake(struct xy_service *svc)
{
	struct xy_intake_result r;
	int rc = xy_intake_run(svc, &r);
	if (rc)
		xy_log_error("intake: %s (the files stay for the next pass)", xy_strerror(rc));
}

static void sweep(struct xy_service *svc)
{
	long n = 0;
	int rc;
	xy_sessions_sweep(svc, xy_now_us());
	if (xy_clients_flush(svc))
		xy_log_error("machine clients: the day's counts could not be written");
	rc = xy_query_index_names(svc, &n);
	if (rc)
		xy_log_error("name index: %s", xy_strerror(rc));
	else if (n)
		xy_log_info("name index: %ld new subjects", n);
}

static void daily(struct xy_service *svc)
{
	struct xy_retain_result r;
	long n = 0;
	int rc = xy_acct_review_job(svc, &n);
	if (rc)
		xy_log_error("account review: %s", xy_strerror(rc));
	else if (n)
		xy_log_info("account review: %ld accounts disabled (ACC-10)", n);
	if ((rc = xy_svc_audit_retain(svc, &r)))
		xy_log_error("audit retention: %s", xy_strerror(rc));
}

/* Every second: an audit checkpoint when one is due (AUD-3).  Every
 * minute: sessions past their time go, the machine clients' day counts are
 * written, and new subjects' names join the search index (at start, then
 * every minute).  Daily (and at start): the ACC-10 review and the audit
 * retention job (AUD-4).  Every [publish] interval_s and after midnight:
 * a change set for the portal (NET-1). */
static void *maintenance(void *arg)
{
	struct maint *m = arg;
	time_t next_review = time(NULL), next_sweep = time(NULL), next_intake = time(NULL);
	pthread_mutex_lock(&m->mu);
	while (!m->stop) {
		struct timespec until;
		pthread_mutex_unlock(&m->mu);
		if (xy_svc_audit_checkpoint(m->svc))
			xy_log_error("audit: the checkpoint could not be written");
		if (time(NULL) >= next_sweep) {
			sweep(m->svc);
			next_sweep = time(NULL) + SWEEP_SECONDS;
		}
		if (m->intake_s && time(NULL) >= next_intake) {
			intake(m->svc);
			next_intake = time(NULL) + m->intake_s;
		}
		if (time(NULL) >= next_review) {
			daily(m->svc);
			next_review = time(NULL) + REVIEW_SECONDS;
		}
		publish(m);
		pthread_mutex_lock(&m->mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		if (!m->stop)
			pthread_cond_timedwait(&m->cv, &m->mu, &until);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

static int lock_instance(const char *dir)
{
	char path[XY_INSTANCE_DIR_MAX + 64];
	int fd;
	snprintf(path, sizeof path, "%s/locks", dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof path, "%s/locks/serve.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -2;
	}
	return fd;
}

static int audit_local(struct xy_instance *inst, const char *action, const char *object)
{
	struct xy_audit_event ev;
	int rc;
	memset(&ev, 0, sizeof ev);
	xy_audit_local(&ev);
	ev.action = action;
	ev.object = object;
	ev.result = "ok";
	if ((rc = xy_store_begin(inst->store)))
		return rc;
	if (xy_audit_append(inst->store, &ev) || xy_store_commit(inst->store)) {
		xy_store_rollback(inst->store);
		return XY_EAUDIT;
	}
	return 0;
}

static int cfg_num(struct xy_instance *inst, const char *key, long def, long min, long max,
		   long *out)
{
	int rc = xy_ini_get_long(inst->config, "http", key, def, min, max, out);
	if (rc)
		xy_cmd_fail("config.ini [http] %s: a whole number from %ld to %ld", key, min, max);
	return rc;
}

int xy_cmd_serve(int argc, char **argv)
{
	const char *dir = NULL, *listen_opt = NULL;
	struct xy_instance *inst = NULL;
	struct xy_service svc;
	struct xy_api *api = NULL;
	struct xy_http_server *srv = NULL;
	struct xy_http_opts ho = {0};
	struct xy_api_opts ao = {0};
	struct xy_http_app app;
	struct maint m = {0};
	pthread_t mt;
	sigset_t set;
	char err[512], obj[160];
	long threads, per_addr_conn, rate_addr, rate_acct, signin, access;
	int lockfd, sig = 0, svc_open = 0, rc = XY_EXIT_FAIL;

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
	/* Signals are taken by sigwait below, in this thread only; blocked from
	 * the start so an early SIGTERM also stops the server cleanly. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (xy_instance_open(dir, &inst, err, sizeof err))
		return xy_cmd_fail("%s", err);
	lockfd = lock_instance(inst->dir);
	if (lockfd < 0) {
		xy_instance_close(inst);
		return xy_cmd_fail(lockfd == -2 ? "another server is running on %s"
						: "cannot create the lock in %s/locks",
				   dir);
	}
	if (xy_ini_get_long(inst->config, "intake", "interval_s", 2, 0, 3600, &m.intake_s)) {
		xy_cmd_fail("config.ini [intake] interval_s: a whole number from 0 to 3600");
		goto out;
	}
	if (cfg_num(inst, "threads", 16, 1, XY_HTTP_THREADS_MAX, &threads) ||
	    cfg_num(inst, "conn_per_addr", XY_HTTP_CONN_PER_ADDR, 1, XY_HTTP_CONN_MAX,
		    &per_addr_conn) ||
	    cfg_num(inst, "rate_per_addr", 200, 1, 1000000, &rate_addr) ||
	    cfg_num(inst, "rate_per_account", 100, 1, 1000000, &rate_acct) ||
	    cfg_num(inst, "signin_per_minute", 20, 1, 600, &signin) ||
	    cfg_num(inst, "access_log", 1, 0, 1, &access))
		goto out;
	if (xy_ini_get_long(inst->config, "publish", "interval_s", XY_PUBLISH_INTERVAL_DEF, 0,
			    XY_PUBLISH_INTERVAL_MAX, &m.publish_s)) {
		xy_cmd_fail("config.ini [publish] interval_s: a whole number of seconds from 0 "
			    "(off) to %d",
			    XY_PUBLISH_INTERVAL_MAX);
		goto out;
	}
	m.published_us = xy_now_us();
	m.published_day = xy_today();
	ho.listen = listen_opt ? listen_opt : xy_ini_get(inst->config, "http", "listen");
	if (!ho.listen)
		ho.listen = "127.0.0.1:8443";
	ho.allow = xy_ini_get(inst->config, "http", "allow");
	if (!ho.allow) /* NET-2 default: loopback and private ranges */
		ho.allow = "127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
			   "fc00::/7";
	ho.threads = (int)threads;
	ho.conn_max = XY_HTTP_CONN_MAX;
	ho.conn_per_addr = (unsigned)per_addr_conn;
	ho.timeout_s = XY_HTTP_TIMEOUT_S;
	ho.body_max = XY_HTTP_BODY_MAX;
	ho.header_mem = XY_HTTP_HEADER_MEM;
	ho.access_log = (int)access;
	ao.rate_per_addr = (double)rate_addr;
	ao.rate_per_account = (double)rate_acct;
	ao.signin_per_minute = (double)signin;
	ao.body_max = XY_HTTP_BODY_MAX;

	xy_log_set_json(1);
	xy_log_set_level(XY_LOG_INFO); /* the running log: one line per request */
	if (xy_service_open(&svc, inst, err, sizeof err)) {
		xy_cmd_fail("%s", err);
		goto out;
	}
	svc_open = 1;
	{
		/* Names imported while the server was down become searchable
		 * before the first request (the first run over a large instance
		 * takes a while, later ones only see what is new). */
		long n = 0;
		int irc = xy_query_index_names(&svc, &n);
		if (irc) {
			xy_cmd_fail("cannot update the name index: %s", xy_strerror(irc));
			goto out;
		}
		if (n)
			xy_log_info("name index: %ld new subjects", n);
	}
	if (xy_api_new(&svc, &ao, &api)) {
		xy_cmd_fail("out of memory");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	xy_api_app(api, &app);
	if (xy_http_start(&ho, &app, &srv, err, sizeof err)) {
		xy_cmd_fail("%s", err);
		goto out;
	}
	snprintf(obj, sizeof obj, "{\"listen\":\"%s\",\"port\":%d}", ho.listen, xy_http_port(srv));
	if (audit_local(inst, "server.start", obj)) {
		xy_cmd_fail("the audit record could not be written; not serving");
		goto out;
	}
	m.svc = &svc;
	pthread_mutex_init(&m.mu, NULL);
	pthread_cond_init(&m.cv, NULL);
	if (pthread_create(&mt, NULL, maintenance, &m)) {
		xy_cmd_fail("cannot start the maintenance thread");
		goto out;
	}
	printf("listening port=%d\n", xy_http_port(srv));
	fflush(stdout);
	xy_log_info("serving %s on %s (port %d)", inst->dir, ho.listen, xy_http_port(srv));
	sigwait(&set, &sig);
	xy_log_info("signal %d: finishing the requests in flight", sig);
	xy_http_stop(srv, 10);
	srv = NULL;
	pthread_mutex_lock(&m.mu);
	m.stop = 1;
	pthread_cond_signal(&m.cv);
	pthread_mutex_unlock(&m.mu);
	pthread_join(mt, NULL);
	if (xy_clients_flush(&svc))
		xy_log_error("machine clients: the day's counts could not be written");
	pthread_mutex_destroy(&m.mu);
	pthread_cond_destroy(&m.cv);
	rc = audit_local(inst, "server.stop", NULL) ? XY_EXIT_FAIL : XY_EXIT_OK;
out:
	xy_http_stop(srv, 0);
	xy_api_free(api);
	if (svc_open)
		xy_service_close(&svc);
	xy_instance_close(inst);
	close(lockfd);
	return rc;
}
