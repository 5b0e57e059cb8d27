/* Signed checkpoints of the audit chain: see checkpoint.h. */
#include "audit/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "util/date.h"
#include "util/err.h"
#include "util/fault.h"
#include "util/log.h"

struct xy_auditcp {
	char path[4096];
	const struct xy_sm2key *key;
	struct xy_auditcp_conf conf;
	pthread_mutex_t mu;
	int64_t last_seq;   /* of the last line this process knows of */
	int64_t last_ts_us; /* when it was written (0: none known) */
};

static int parse_i64(const char *p, size_t n, int64_t *out)
{
	int64_t v = 0;
	if (n == 0 || n > 18)
		return XY_EPARSE;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return XY_EPARSE;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int xy_cp_parse(const char *line, size_t n, struct xy_cp *out)
{
	const char *f[6];
	size_t len[6];
	size_t i = 0;
	int k = 0;

	memset(out, 0, sizeof *out);
	if (n > XY_CP_LINE_MAX)
		return XY_EPARSE;
	while (k < 6) {
		size_t s = i;
		while (i < n && line[i] != ' ')
			i++;
		f[k] = line + s;
		len[k] = i - s;
		k++;
		if (i == n)
			break;
		i++;
	}
	if (k != 6 || i != n || len[0] != 5 || memcmp(f[0], "XYCP1", 5) != 0)
		return XY_EPARSE;
	if (len[1] == 4 && !memcmp(f[1], "head", 4))
		out->retain = 0;
	else if (len[1] == 6 && !memcmp(f[1], "retain", 6))
		out->retain = 1;
	else
		return XY_EPARSE;
	if (parse_i64(f[2], len[2], &out->seq) || parse_i64(f[3], len[3], &out->ts_us) ||
	    xy_unhex(f[4], len[4], out->head, 32) || len[5] % 2 || len[5] / 2 > XY_SM2_SIG_MAX ||
	    len[5] == 0 || xy_unhex(f[5], len[5], out->sig, len[5] / 2))
		return XY_EPARSE;
	out->siglen = len[5] / 2;
	out->signed_len = (size_t)(f[5] - line) - 1;
	return 0;
}

/* The last head line of fd among its last few lines (seq 0 when there is
 * none).  XY_ETAMPER when the last line is torn or does not parse. */
static int read_tail(int fd, struct xy_cp *last)
{
	char buf[4 * XY_CP_LINE_MAX];
	struct stat sb;
	off_t from;
	ssize_t got;
	char *end;
	int first = 1;

	memset(last, 0, sizeof *last);
	if (fstat(fd, &sb))
		return XY_EIO;
	if (sb.st_size == 0)
		return 0;
	from = sb.st_size > (off_t)sizeof buf ? sb.st_size - (off_t)sizeof buf : 0;
	got = pread(fd, buf, sizeof buf, from);
	if (got <= 0)
		return XY_EIO;
	end = buf + got;
	if (end[-1] != '\n')
		return XY_ETAMPER; /* a torn last line */
	end--;
	while (end > buf) {
		struct xy_cp c;
		char *start = end;
		while (start > buf && start[-1] != '\n')
			start--;
		if (start == buf && from > 0)
			break; /* a partial line: stop */
		if (xy_cp_parse(start, (size_t)(end - start), &c)) {
			if (first)
				return XY_ETAMPER;
		} else if (!c.retain) {
			*last = c;
			return 0;
		}
		first = 0;
		end = start > buf ? start - 1 : buf;
	}
	return 0;
}

/* Opens the file and takes its lock, reopening when another process
 * replaced it (compaction) between open and lock. */
static int open_locked(const char *path)
{
	for (int tries = 0; tries < 8; tries++) {
		struct stat a, b;
		int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX)) {
			close(fd);
			return -1;
		}
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

static int format_line(const struct xy_sm2key *key, const char *kind, int64_t seq, int64_t ts,
		       const uint8_t head[32], char *line, size_t cap, size_t *len)
{
	char hex[65];
	struct xy_buf sig;
	int n, rc;

	xy_hex(head, 32, hex);
	n = snprintf(line, cap, "XYCP1 %s %lld %lld %s", kind, (long long)seq, (long long)ts, hex);
	if (n < 0 || (size_t)n >= cap)
		return XY_ELIMIT;
	xy_buf_init(&sig, XY_SM2_SIG_MAX);
	rc = xy_sm2_sign(key, line, (size_t)n, &sig);
	if (!rc && (size_t)n + 2 + sig.len * 2 + 1 >= cap)
		rc = XY_ELIMIT;
	if (!rc) {
		line[n++] = ' ';
		xy_hex((const uint8_t *)sig.p, sig.len, line + n);
		n += (int)(sig.len * 2);
		line[n++] = '\n';
		line[n] = 0;
		*len = (size_t)n;
	}
	xy_buf_cleanup(&sig);
	return rc;
}

/* Under the lock: writes the line unless the file already reaches seq
 * (another process checkpointed further). */
static int append(struct xy_auditcp *cp, const char *kind, int64_t seq, const uint8_t head[32])
{
	char line[XY_CP_LINE_MAX + 2];
	struct xy_cp last;
	size_t len = 0;
	int64_t now = xy_now_us();
	int fd = open_locked(cp->path), rc;

	if (fd < 0) {
		xy_log_error("audit checkpoint: %s: %s", cp->path, strerror(errno));
		return XY_EIO;
	}
	rc = read_tail(fd, &last);
	if (rc == XY_ETAMPER) {
		/* Never append after a line that does not parse: the verifier
		 * must see the damage, not a clean line after it. */
		xy_log_error("audit checkpoint: %s: the last line is damaged; not appending",
			     cp->path);
		goto out;
	}
	if (rc)
		goto out;
	/* Head lines go in sequence order; a retain line speaks of the
	 * past and may follow a head line further on. */
	if (!strcmp(kind, "head") && last.seq >= seq) {
		cp->last_seq = last.seq;
		cp->last_ts_us = last.ts_us;
		goto out;
	}
	if ((rc = format_line(cp->key, kind, seq, now, head, line, sizeof line, &len)))
		goto out;
	if (xy_fault("audit_checkpoint") || write(fd, line, len) != (ssize_t)len || fsync(fd)) {
		/* A short write leaves a torn line, which the next writer refuses to
		 * follow and the verifier reports: honest about the failure. */
		rc = XY_EIO;
		goto out;
	}
	cp->last_seq = seq;
	cp->last_ts_us = now;
	if (cp->conf.use_syslog) {
		line[len - 1] = 0;
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "audit checkpoint %s", line);
	}
out:
	close(fd);
	if (rc)
		xy_log_error("audit checkpoint: %s: %s", cp->path, xy_strerror(rc));
	return rc;
}

int xy_auditcp_open(const char *path, const struct xy_sm2key *key,
		    const struct xy_auditcp_conf *conf, struct xy_auditcp **out)
{
	struct xy_auditcp *cp;

	*out = NULL;
	if (strlen(path) >= sizeof cp->path)
		return XY_ELIMIT;
	if (!key || !xy_sm2_has_private(key))
		return XY_EKEY;
	cp = calloc(1, sizeof *cp);
	if (!cp)
		return XY_ENOMEM;
	snprintf(cp->path, sizeof cp->path, "%s", path);
	cp->key = key;
	cp->conf = *conf;
	if (cp->conf.every_events < 1)
		cp->conf.every_events = XY_CP_EVENTS_DEF;
	if (cp->conf.every_seconds < 1)
		cp->conf.every_seconds = XY_CP_SECONDS_DEF;
	pthread_mutex_init(&cp->mu, NULL);
	if (cp->conf.use_syslog)
		openlog("xinyong", LOG_PID, LOG_AUTHPRIV);
	*out = cp;
	return 0;
}

int xy_auditcp_note(struct xy_auditcp *cp, int64_t seq, const uint8_t head[32], int force)
{
	int rc = 0;
	int64_t now;

	if (!cp || seq <= 0)
		return 0;
	now = xy_now_us();
	pthread_mutex_lock(&cp->mu);
	if (seq > cp->last_seq && (force || seq - cp->last_seq >= cp->conf.every_events ||
				   now - cp->last_ts_us >= cp->conf.every_seconds * 1000000LL))
		rc = append(cp, "head", seq, head);
	pthread_mutex_unlock(&cp->mu);
	return rc;
}

int xy_auditcp_sync(struct xy_auditcp *cp, struct xy_store *st, int force)
{
	int64_t seq;
	uint8_t head[32];
	int rc;

	if (!cp)
		return 0;
	if ((rc = xy_store_audit_head(st, &seq, head))) {
		xy_log_error("audit checkpoint: the chain head cannot be read: %s",
			     xy_strerror(rc));
		return rc;
	}
	return xy_auditcp_note(cp, seq, head, force);
}

int xy_auditcp_retain(struct xy_auditcp *cp, int64_t seq, const uint8_t head[32])
{
	int rc;
	pthread_mutex_lock(&cp->mu);
	rc = append(cp, "retain", seq, head);
	pthread_mutex_unlock(&cp->mu);
	return rc;
}

int xy_auditcp_compact(struct xy_auditcp *cp, int64_t through_seq)
{
	char tmp[sizeof cp->path + 8], line[XY_CP_LINE_MAX + 2];
	FILE *in = NULL, *outf = NULL;
	long keep = -1, drop = 0, lineno = 0;
	int fd, rc = 0;

	pthread_mutex_lock(&cp->mu);
	fd = open_locked(cp->path);
	if (fd < 0) {
		pthread_mutex_unlock(&cp->mu);
		return XY_EIO;
	}
	in = fdopen(dup(fd), "r");
	if (!in) {
		rc = XY_EIO;
		goto out;
	}
	/* Pass 1: the last retain line at or below through_seq, and whether
	 * any line speaks only of removed events. */
	while (fgets(line, sizeof line, in)) {
		struct xy_cp c;
		size_t n = strcspn(line, "\n");
		if (!xy_cp_parse(line, n, &c) && c.seq <= through_seq) {
			if (c.retain)
				keep = lineno;
			drop++;
		}
		lineno++;
	}
	if (keep < 0 || drop <= 1)
		goto out; /* nothing to drop */
	snprintf(tmp, sizeof tmp, "%s.new", cp->path);
	outf = fopen(tmp, "w");
	if (!outf) {
		rc = XY_EIO;
		goto out;
	}
	rewind(in);
	lineno = 0;
	while (fgets(line, sizeof line, in)) {
		struct xy_cp c;
		size_t n = strcspn(line, "\n");
		/* Keep the retain line, every line about events still present,
		 * and anything that does not parse (for the verifier to see). */
		int removed = !xy_cp_parse(line, n, &c) && c.seq <= through_seq && lineno != keep;
		lineno++;
		if (!removed && fputs(line, outf) == EOF)
			rc = XY_EIO;
	}
	if (fflush(outf) || fsync(fileno(outf)))
		rc = XY_EIO;
	if (fclose(outf))
		rc = XY_EIO;
	if (!rc && rename(tmp, cp->path))
		rc = XY_EIO;
	if (rc)
		unlink(tmp);
out:
	if (in)
		fclose(in);
	close(fd);
	pthread_mutex_unlock(&cp->mu);
	if (rc)
		xy_log_error("audit checkpoint: %s could not be compacted", cp->path);
	return rc;
}

void xy_auditcp_close(struct xy_auditcp *cp)
{
	if (!cp)
		return;
	pthread_mutex_destroy(&cp->mu);
	free(cp);
}
