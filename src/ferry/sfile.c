/* Signed files between the zones: writer and reader (sfile.h, docs/FORMATS.md). */
#include "ferry/sfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sm.h"
#include "util/err.h"
#include "util/log.h"

#define SIG_PREFIX     "SM2 "
#define SIG_PREFIX_LEN 4

__attribute__((format(printf, 3, 4))) static void say(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int key_id_hex(const struct xy_sm2key *key, char out[2 * XY_SM3_LEN + 1])
{
	uint8_t id[XY_SM3_LEN];
	int rc = xy_sm2_key_id(key, id);
	if (rc)
		return rc;
	xy_hex(id, sizeof id, out);
	return 0;
}

static void now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A name that stays inside its folder: no separator, not hidden, bounded. */
static int plain_name(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n <= XY_SFILE_NAME_MAX && name[0] != '.' && !strchr(name, '/');
}

/* Appends one line (a JSON object's text) and its newline. */
static int add_line(struct xy_sfile_writer *w, const char *line, size_t n)
{
	int rc;
	if (w->err)
		return w->err;
	if (n < 2 || line[0] != '{' || line[n - 1] != '}' || memchr(line, '\n', n))
		rc = XY_EINVAL;
	else if (n > XY_SFILE_LINE_MAX)
		rc = XY_ELIMIT;
	else if (!(rc = xy_buf_add(&w->body, line, n)))
		rc = xy_buf_addc(&w->body, '\n');
	if (!rc)
		w->lines++;
	return w->err = rc;
}

int xy_sfile_begin(struct xy_sfile_writer *w, const char *dir, const char *name, const char *format,
		   long long seq, const json_t *hdr, const struct xy_sm2key *key)
{
	char kid[2 * XY_SM3_LEN + 1], created[32];
	json_t *h;
	const char *k;
	json_t *v;
	char *text;
	int rc;

	memset(w, 0, sizeof *w);
	xy_buf_init(&w->body, XY_SFILE_MAX);
	if (!dir || !name || !format || seq < 1 || !plain_name(name) ||
	    (hdr && !json_is_object(hdr)))
		return w->err = XY_EINVAL;
	if ((rc = key_id_hex(key, kid)))
		return w->err = rc;
	w->dir = strdup(dir);
	w->name = strdup(name);
	h = json_object();
	if (!w->dir || !w->name || !h) {
		json_decref(h);
		return w->err = XY_ENOMEM;
	}
	now_rfc3339(created);
	rc = json_object_set_new(h, "format", json_string(format)) ||
	     json_object_set_new(h, "seq", json_integer(seq)) ||
	     json_object_set_new(h, "created", json_string(created)) ||
	     json_object_set_new(h, "key_id", json_string(kid));
	if (!rc && hdr) {
		json_object_foreach ((json_t *)(uintptr_t)hdr, k, v) {
			if (json_object_get(h, k))
				continue; /* the writer's own four keys cannot be overridden */
			if ((rc = json_object_set(h, k, v)))
				break;
		}
	}
	text = rc ? NULL : json_dumps(h, JSON_COMPACT);
	json_decref(h);
	if (!text)
		return w->err = XY_ENOMEM;
	rc = add_line(w, text, strlen(text));
	free(text);
	w->lines = 0; /* the header is not a body line */
	return rc;
}

int xy_sfile_put_raw(struct xy_sfile_writer *w, const char *line, size_t n)
{
	return add_line(w, line, n);
}

int xy_sfile_put(struct xy_sfile_writer *w, const json_t *obj)
{
	char *text;
	int rc;
	if (w->err)
		return w->err;
	if (!json_is_object(obj))
		return w->err = XY_EINVAL;
	text = json_dumps(obj, JSON_COMPACT);
	if (!text)
		return w->err = XY_ENOMEM;
	rc = add_line(w, text, strlen(text));
	free(text);
	return rc;
}

static void writer_free(struct xy_sfile_writer *w)
{
	xy_buf_cleanup(&w->body);
	free(w->dir);
	free(w->name);
	w->dir = w->name = NULL;
}

void xy_sfile_abort(struct xy_sfile_writer *w)
{
	writer_free(w);
}

/* Writes data to DIR/.NAME.tmp, fsyncs it and renames it to DIR/NAME unless that
 * exists; then fsyncs the folder. */
static int put_in_place(const char *dir, const char *name, const char *data, size_t n)
{
	char tmp[XY_SFILE_NAME_MAX + 32];
	int dfd, fd, rc = 0;
	size_t off = 0;

	snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", name, (long)getpid());
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		xy_log_error("signed file: folder %s: %s", dir, strerror(errno));
		return errno == ENOENT ? XY_ENOTFOUND : XY_EIO;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		xy_log_error("signed file: %s/%s: %s", dir, tmp, strerror(errno));
		close(dfd);
		return XY_EIO;
	}
	while (off < n) {
		ssize_t k = write(fd, data + off, n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = XY_EIO;
			break;
		}
		off += (size_t)k;
	}
	if (!rc && fsync(fd))
		rc = XY_EIO;
	if (close(fd) && !rc)
		rc = XY_EIO;
	if (!rc && renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE)) {
		rc = errno == EEXIST ? XY_EEXISTS : XY_EIO;
		if (rc == XY_EIO)
			xy_log_error("signed file: rename to %s/%s: %s", dir, name,
				     strerror(errno));
	}
	if (rc)
		(void)unlinkat(dfd, tmp, 0);
	else if (fsync(dfd))
		rc = XY_EIO;
	if (rc == XY_EIO)
		xy_log_error("signed file: %s/%s could not be written", dir, name);
	close(dfd);
	return rc;
}

int xy_sfile_commit(struct xy_sfile_writer *w, const struct xy_sm2key *key, size_t *bytes)
{
	struct xy_buf sig;
	int rc = w->err;
	char hex[2 * XY_SM2_SIG_MAX + 1];

	if (bytes)
		*bytes = 0;
	xy_buf_init(&sig, XY_SM2_SIG_MAX);
	if (!rc && !w->body.len)
		rc = XY_EINVAL; /* begin failed or was not called */
	if (!rc)
		rc = xy_sm2_sign(key, w->body.p, w->body.len, &sig);
	if (!rc) {
		xy_hex((const uint8_t *)sig.p, sig.len, hex);
		rc = xy_buf_adds(&w->body, SIG_PREFIX);
		if (!rc)
			rc = xy_buf_add(&w->body, hex, 2 * sig.len);
		if (!rc)
			rc = xy_buf_addc(&w->body, '\n');
	}
	if (!rc)
		rc = put_in_place(w->dir, w->name, w->body.p, w->body.len);
	if (!rc && bytes)
		*bytes = w->body.len;
	xy_buf_cleanup(&sig);
	writer_free(w);
	return rc;
}

/* ---- reading ---- */

static int read_whole(const char *path, size_t max, char **data, size_t *len, char *err,
		      size_t errlen)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t off = 0;
	char *p;

	if (fd < 0) {
		int e = errno;
		say(err, errlen, "cannot open the file: %s", strerror(e));
		return e == ENOENT ? XY_ENOTFOUND : XY_EIO;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		say(err, errlen, "not a regular file");
		return XY_EIO;
	}
	if ((unsigned long long)sb.st_size > max) {
		close(fd);
		say(err, errlen, "the file is larger than %ld bytes", (long)max);
		return XY_ELIMIT;
	}
	p = malloc((size_t)sb.st_size + 1);
	if (!p) {
		close(fd);
		return XY_ENOMEM;
	}
	while (off < (size_t)sb.st_size) {
		ssize_t k = read(fd, p + off, (size_t)sb.st_size - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(fd);
	if (off != (size_t)sb.st_size) {
		free(p);
		say(err, errlen, "the file changed while it was read");
		return XY_EIO;
	}
	p[off] = '\0';
	*data = p;
	*len = off;
	return 0;
}

/* Checks the signature line at the end of f->data; sets f->end. */
static int check_signature(struct xy_sfile *f, const struct xy_sm2key *key, char *err,
			   size_t errlen)
{
	uint8_t sig[XY_SM2_SIG_MAX];
	size_t start, hexlen;
	const char *hex;
	int rc;

	if (!f->len || f->data[f->len - 1] != '\n') {
		say(err, errlen, "the file does not end with a signature line");
		return XY_ETAMPER;
	}
	start = f->len - 1;
	while (start > 0 && f->data[start - 1] != '\n')
		start--;
	hex = f->data + start + SIG_PREFIX_LEN;
	hexlen = f->len - 1 - start;
	if (hexlen < SIG_PREFIX_LEN || memcmp(f->data + start, SIG_PREFIX, SIG_PREFIX_LEN) != 0 ||
	    (hexlen -= SIG_PREFIX_LEN) == 0 || hexlen % 2 || hexlen > 2 * sizeof sig ||
	    xy_unhex(hex, hexlen, sig, hexlen / 2)) {
		say(err, errlen, "the last line is not a signature (\"SM2 \" and hex)");
		return XY_ETAMPER;
	}
	if (start == 0) {
		say(err, errlen, "the file has no header");
		return XY_ETAMPER;
	}
	rc = xy_sm2_verify(key, f->data, start, sig, hexlen / 2);
	if (rc == XY_ETAMPER)
		say(err, errlen, "the signature does not verify under the expected key");
	f->end = start;
	return rc;
}

static int check_header(struct xy_sfile *f, const struct xy_sm2key *key, const char *format,
			char *err, size_t errlen)
{
	char kid[2 * XY_SM3_LEN + 1];
	const char *nl = memchr(f->data, '\n', f->end);
	size_t n = (size_t)(nl - f->data); /* the signature check found a newline before end */
	json_error_t jerr;
	json_t *h, *v;
	int rc;

	if (n > XY_SFILE_LINE_MAX) {
		say(err, errlen, "line 1 (the header) is longer than %d bytes", XY_SFILE_LINE_MAX);
		return XY_ELIMIT;
	}
	h = json_loadb(f->data, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(h)) {
		json_decref(h);
		say(err, errlen, "line 1 (the header) is not a JSON object");
		return XY_EPARSE;
	}
	f->header = h;
	v = json_object_get(h, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), format) != 0) {
		say(err, errlen, "header: format is not \"%s\"", format);
		return XY_EPARSE;
	}
	v = json_object_get(h, "seq");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		say(err, errlen, "header: seq is not an integer of 1 or more");
		return XY_EPARSE;
	}
	f->seq = json_integer_value(v);
	v = json_object_get(h, "created");
	if (!json_is_string(v) || json_string_length(v) > 40) {
		say(err, errlen, "header: created is missing");
		return XY_EPARSE;
	}
	if ((rc = key_id_hex(key, kid)))
		return rc;
	v = json_object_get(h, "key_id");
	if (!json_is_string(v) || strcmp(json_string_value(v), kid) != 0) {
		say(err, errlen, "header: key_id does not name the expected key");
		return XY_EPARSE;
	}
	f->pos = n + 1;
	return 0;
}

/* Every body line: not empty, not too long. */
static int check_lines(const struct xy_sfile *f, char *err, size_t errlen)
{
	size_t at = f->pos;
	long no = 1;
	while (at < f->end) {
		const char *nl = memchr(f->data + at, '\n', f->end - at);
		size_t n = (size_t)(nl - (f->data + at));
		no++;
		if (!n) {
			say(err, errlen, "line %ld is empty", no);
			return XY_EPARSE;
		}
		if (n > XY_SFILE_LINE_MAX) {
			say(err, errlen, "line %ld is too long", no);
			return XY_ELIMIT;
		}
		at += n + 1;
	}
	return 0;
}

int xy_sfile_load(const char *path, size_t max, const struct xy_sm2key *key, const char *format,
		  struct xy_sfile *out, char *err, size_t errlen)
{
	int rc;
	memset(out, 0, sizeof *out);
	if (err && errlen)
		err[0] = '\0';
	if (max > XY_SFILE_MAX)
		max = XY_SFILE_MAX;
	rc = read_whole(path, max, &out->data, &out->len, err, errlen);
	if (!rc)
		rc = check_signature(out, key, err, errlen);
	if (!rc)
		rc = check_header(out, key, format, err, errlen);
	if (!rc)
		rc = check_lines(out, err, errlen);
	if (rc) {
		xy_sfile_free(out);
		return rc;
	}
	out->line_no = 1;
	return 0;
}

int xy_sfile_next(struct xy_sfile *f, const char **line, size_t *n)
{
	const char *nl;
	if (!f->data || f->pos >= f->end)
		return 0;
	nl = memchr(f->data + f->pos, '\n', f->end - f->pos);
	*line = f->data + f->pos;
	*n = (size_t)(nl - *line);
	f->pos += *n + 1;
	f->line_no++;
	return 1;
}

void xy_sfile_free(struct xy_sfile *f)
{
	free(f->data);
	json_decref(f->header);
	memset(f, 0, sizeof *f);
}

long long xy_sfile_name_seq(const char *name, const char *prefix, const char *suffix)
{
	size_t np = strlen(prefix), ns = strlen(suffix), n = strlen(name), digits;
	long long seq = 0;
	if (n <= np + ns || strncmp(name, prefix, np) != 0 || strcmp(name + n - ns, suffix) != 0)
		return -1;
	digits = n - np - ns;
	if (digits > 18)
		return -1;
	for (size_t i = np; i < n - ns; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		seq = seq * 10 + (name[i] - '0');
	}
	return seq;
}
