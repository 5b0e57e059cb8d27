#include "svc/instance.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "core/codes.h"
#include "crypto/keyring.h"
#include "crypto/password.h"
#include "crypto/seal.h"
#include "crypto/sm.h"
#include "util/csv.h"
#include "util/err.h"
#include "util/ini.h"
#include "util/log.h"
#include "util/textin.h"
#include "util/utf8.h"
#include "util/workdays.h"

#define ALLOW_CODES_MAX 10000

/* 九江市 and its counties: the demo region set when init names none. */
static const char *const demo_city = "360400:九江市";
static const char *const demo_counties =
	"360402:濂溪区,360403:浔阳区,360404:柴桑区,360423:武宁县,360424:修水县,"
	"360425:永修县,360426:德安县,360428:都昌县,360429:湖口县,360430:彭泽县,"
	"360481:瑞昌市,360482:共青城市,360483:庐山市";

static const struct {
	const char *name;
	const char *role;
} first_admins[XY_ADMIN_ACCOUNTS] = {
	{"secadmin", "security_admin"},
	{"sysadmin", "system_admin"},
	{"auditor", "auditor"},
};

__attribute__((format(printf, 3, 4))) static int say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 0;
}

static int valid_region_code(const char *s)
{
	if (strlen(s) != 6)
		return 0;
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "CODE:NAME" into a region. */
static int parse_region(const char *s, size_t n, int level, const char *parent, struct xy_region *r,
			char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', n);
	size_t cl, nl;

	memset(r, 0, sizeof *r);
	if (!colon) {
		say(err, errlen, "region \"%.*s\": expected CODE:NAME", (int)(n > 60 ? 60 : n), s);
		return XY_EINVAL;
	}
	cl = (size_t)(colon - s);
	nl = n - cl - 1;
	/* Names go into config.ini and messages: no line breaks or controls. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			say(err, errlen, "region: control characters are not allowed");
			return XY_EINVAL;
		}
	if (cl >= sizeof r->code || nl == 0 || nl >= sizeof r->name ||
	    !xy_utf8_valid(colon + 1, nl)) {
		say(err, errlen, "region \"%.*s\": bad code or name", (int)(n > 60 ? 60 : n), s);
		return XY_EINVAL;
	}
	memcpy(r->code, s, cl);
	memcpy(r->name, colon + 1, nl);
	if (!valid_region_code(r->code)) {
		say(err, errlen, "region code %s: expected 6 digits (GB/T 2260)", r->code);
		return XY_EINVAL;
	}
	r->level = level;
	if (parent)
		snprintf(r->parent, sizeof r->parent, "%s", parent);
	return 0;
}

struct regions {
	struct xy_region city;
	struct xy_region county[XY_REGIONS_MAX];
	int n;
};

static int parse_regions(const struct xy_init_opts *o, struct regions *rg, char *err, size_t errlen)
{
	const char *city = o->city ? o->city : demo_city;
	const char *list = o->counties ? o->counties : (o->city ? "" : demo_counties);
	int rc = parse_region(city, strlen(city), XY_LEVEL_CITY, NULL, &rg->city, err, errlen);

	rg->n = 0;
	while (!rc && *list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		if (rg->n >= XY_REGIONS_MAX) {
			say(err, errlen, "more than %d counties", XY_REGIONS_MAX);
			return XY_ELIMIT;
		}
		rc = parse_region(list, len, XY_LEVEL_COUNTY, rg->city.code, &rg->county[rg->n],
				  err, errlen);
		for (int i = 0; !rc && i < rg->n; i++)
			if (!strcmp(rg->county[i].code, rg->county[rg->n].code) ||
			    !strcmp(rg->city.code, rg->county[rg->n].code)) {
				say(err, errlen, "region code %s appears twice",
				    rg->county[i].code);
				rc = XY_EINVAL;
			}
		rg->n++;
		list += len + (comma ? 1 : 0);
	}
	return rc;
}

/* A valid USCC for the credit office, derived from the city code: 12 (a
 * public institution) + region + an organisation code with its check. */
static void office_code(const char *city, char out[19])
{
	for (unsigned k = 1;; k++) {
		char c;
		snprintf(out, 19, "12%.6sMB%06u", city, k % 1000000);
		c = xy_orgcode_check_char(out + 8);
		if (!c)
			continue;
		out[16] = c;
		out[17] = '\0';
		c = xy_uscc_check_char(out);
		out[17] = c;
		out[18] = '\0';
		if (c && xy_uscc_check(out, 18) == XY_CODE_OK)
			return;
	}
}

/* ---- units file ---- */

struct unit_row {
	struct xy_unit u;
	char provides[16][XY_CODE_MAX + 1];
	int nprovides;
};

static int region_level(const struct regions *rg, const char *code)
{
	if (!strcmp(rg->city.code, code))
		return XY_LEVEL_CITY;
	for (int i = 0; i < rg->n; i++)
		if (!strcmp(rg->county[i].code, code))
			return XY_LEVEL_COUNTY;
	return 0;
}

static int units_row(const struct xy_csv_row *row, const struct regions *rg,
		     const struct xy_catalog *cat, struct unit_row *out, char *err, size_t errlen)
{
	const char *p;

	memset(out, 0, sizeof *out);
	if (row->err) {
		say(err, errlen, "row %ld: %s", row->row_no, xy_row_error_en(row->err));
		return XY_EINVAL;
	}
	if (row->nfields != 4) {
		say(err, errlen, "row %ld: expected 4 columns, found %d", row->row_no,
		    row->nfields);
		return XY_EINVAL;
	}
	if (xy_uscc_check(row->field[0], row->len[0]) != XY_CODE_OK) {
		say(err, errlen, "row %ld: code: %s", row->row_no,
		    xy_code_status_en(xy_uscc_check(row->field[0], row->len[0])));
		return XY_EINVAL;
	}
	if (row->len[1] == 0 || row->len[1] >= sizeof out->u.name ||
	    row->len[2] >= sizeof out->u.region) {
		say(err, errlen, "row %ld: name or region missing or too long", row->row_no);
		return XY_EINVAL;
	}
	snprintf(out->u.code, sizeof out->u.code, "%s", row->field[0]);
	snprintf(out->u.name, sizeof out->u.name, "%s", row->field[1]);
	snprintf(out->u.region, sizeof out->u.region, "%s", row->field[2]);
	snprintf(out->u.kind, sizeof out->u.kind, "member");
	out->u.level = region_level(rg, out->u.region);
	if (!out->u.level) {
		say(err, errlen, "row %ld: region %s is not a region of this instance", row->row_no,
		    out->u.region);
		return XY_EINVAL;
	}
	for (p = row->field[3]; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		char code[XY_CODE_MAX + 1];
		const struct xy_dataset *ds;
		if (len == 0 || len > XY_CODE_MAX || out->nprovides >= 16) {
			say(err, errlen, "row %ld: provides: bad dataset list", row->row_no);
			return XY_EINVAL;
		}
		memcpy(code, p, len);
		code[len] = '\0';
		ds = xy_catalog_dataset(cat, code);
		if (!ds) {
			say(err, errlen, "row %ld: provides: unknown dataset %s", row->row_no,
			    code);
			return XY_EINVAL;
		}
		if (!(ds->levels & out->u.level)) {
			say(err, errlen, "row %ld: dataset %s is not provided at %s level",
			    row->row_no, code, out->u.level == XY_LEVEL_CITY ? "city" : "county");
			return XY_EINVAL;
		}
		snprintf(out->provides[out->nprovides++], XY_CODE_MAX + 1, "%s", code);
		p += len + (bar ? 1 : 0);
	}
	return 0;
}

/* Reads and checks the whole units file before anything is created. */
static int read_units(const char *path, const struct regions *rg, const struct xy_catalog *cat,
		      struct unit_row **out, int *n, char *err, size_t errlen)
{
	struct xy_textin *in = NULL;
	struct xy_csv *csv = NULL;
	struct xy_csv_row row;
	struct unit_row *units = NULL;
	int fd, rc, got, cap = 0;
	static const char *const header[] = {"code", "name", "region", "provides"};

	*out = NULL;
	*n = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		return XY_EIO;
	}
	if ((rc = xy_textin_open_fd(&in, fd, XY_ENC_AUTO)) || (rc = xy_csv_new(&csv, in, ','))) {
		say(err, errlen, "%s: %s", path, xy_strerror(rc));
		goto out;
	}
	got = xy_csv_next(csv, &row);
	if (got < 0) {
		say(err, errlen, "%s: %s", path, xy_strerror(got));
		rc = got;
		goto out;
	}
	if (got == 0 || row.err || row.nfields != 4) {
		say(err, errlen, "%s: the first line must be: code,name,region,provides", path);
		rc = XY_EINVAL;
		goto out;
	}
	for (int i = 0; i < 4; i++)
		if (strcmp(row.field[i], header[i]) != 0) {
			say(err, errlen, "%s: the first line must be: code,name,region,provides",
			    path);
			rc = XY_EINVAL;
			goto out;
		}
	while ((got = xy_csv_next(csv, &row)) > 0) {
		if (*n >= XY_UNITS_FILE_ROWS_MAX) {
			say(err, errlen, "%s: more than %d units", path, XY_UNITS_FILE_ROWS_MAX);
			rc = XY_ELIMIT;
			goto out;
		}
		if (*n == cap) {
			struct unit_row *nu;
			cap = cap ? cap * 2 : 16;
			nu = realloc(units, sizeof *units * (size_t)cap);
			if (!nu) {
				rc = XY_ENOMEM;
				goto out;
			}
			units = nu;
		}
		if ((rc = units_row(&row, rg, cat, &units[*n], err, errlen)))
			goto out;
		for (int i = 0; i < *n; i++)
			if (!strcmp(units[i].u.code, units[*n].u.code)) {
				say(err, errlen, "row %ld: unit %s appears twice", row.row_no,
				    units[i].u.code);
				rc = XY_EINVAL;
				goto out;
			}
		(*n)++;
	}
	rc = got < 0 ? got : 0;
out:
	xy_csv_free(csv);
	xy_textin_free(in);
	close(fd);
	if (rc) {
		free(units);
		*n = 0;
	} else {
		*out = units;
	}
	return rc;
}

/* ---- files ---- */

static int write_bytes(const char *dir, const char *name, const char *text, size_t n, mode_t mode)
{
	char path[PATH_MAX];
	int fd, rc = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return XY_EIO;
	if (write(fd, text, n) != (ssize_t)n || fsync(fd))
		rc = XY_EIO;
	close(fd);
	return rc;
}

static int write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	return write_bytes(dir, name, text, strlen(text), mode);
}

/* DIR/calendar.txt: the built-in working-day calendar, checked first so
 * that init never installs one that its readers would refuse. */
static int write_calendar(const char *dir, char *err, size_t errlen)
{
	struct xy_workdays *cal = NULL;
	size_t n;
	const char *text = xy_default_calendar(&n);
	char why[256];
	int rc = xy_workdays_parse(text, n, &cal, why, sizeof why);

	xy_workdays_free(cal);
	if (rc) {
		say(err, errlen, "the built-in calendar: %s", why);
		return rc;
	}
	if ((rc = write_bytes(dir, "calendar.txt", text, n, 0600)))
		say(err, errlen, "writing calendar.txt: %s", xy_strerror(rc));
	return rc;
}

static int write_config(const char *dir, const struct regions *rg)
{
	char text[4096];
	snprintf(text, sizeof text,
		 "# xinyong instance configuration (docs/OPERATIONS.md).\n"
		 "# Limits here may only be lowered below the built-in caps.\n\n"
		 "[instance]\n"
		 "city_code = %s\n"
		 "city_name = %s\n"
		 "zone = government\n\n"
		 "[import]\n"
		 "# rows per stored transaction (1 to %d)\n"
		 "txn_rows = %d\n"
		 "# genuine pre-2016 codes that fail their check characters, one per line\n"
		 "allow_codes = allow-codes.txt\n\n"
		 "[http]\n"
		 "listen = 127.0.0.1:8443\n"
		 "# NET-2: only these address ranges may connect (comma-separated CIDR)\n"
		 "allow = 127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
		 "fc00::/7\n"
		 "threads = 16\n"
		 "conn_per_addr = 64\n"
		 "# requests a second per client address and per account (burst = 2x)\n"
		 "rate_per_addr = 200\n"
		 "rate_per_account = 100\n"
		 "# sign-in attempts a minute per client address, checked before any hashing\n"
		 "signin_per_minute = 20\n"
		 "# set to 1 when a TLS terminator is in front: cookies get Secure\n"
		 "secure_cookies = 0\n"
		 "access_log = 1\n\n"
		 "[session]\n"
		 "# ACC-6 (minutes): idle timeout, absolute lifetime, lock-out\n"
		 "idle_minutes = 30\n"
		 "absolute_minutes = 480\n"
		 "lock_failures = 5\n"
		 "lock_window_minutes = 15\n"
		 "lock_minutes = 30\n"
		 "# ACC-10: accounts unused this many days are disabled\n"
		 "dormant_days = 90\n\n"
		 "[password]\n"
		 "# ACC-4, may only be made stricter\n"
		 "min_length = 12\n"
		 "min_classes = 3\n"
		 "history = 5\n"
		 "max_age_days = 90\n\n"
		 "[audit]\n"
		 "# AUD-3: a signed checkpoint after this many events or seconds, whichever\n"
		 "# comes first (an undetected cut of the tail reaches back at most this far)\n"
		 "checkpoint_events = %d\n"
		 "checkpoint_seconds = %d\n"
		 "# 1: also send every checkpoint line to syslog (authpriv), off the host\n"
		 "syslog = 0\n"
		 "# AUD-4: calendar months events are kept (at least 6)\n"
		 "retention_months = 6\n"
		 "# AUD-5 anomaly reports: distinct subjects an account may look at in an\n"
		 "# hour, failed sign-ins in an hour, and the working hours and days (1 = Monday;\n"
		 "# public holidays and adjusted working days are in calendar.txt)\n"
		 "bulk_subjects_per_hour = 100\n"
		 "signin_failures_per_hour = 5\n"
		 "work_hours = 08:00-18:00\n"
		 "work_days = 1-5\n\n"
		 "[publish]\n"
		 "# NET-1: the server writes the next change set for the portal into outbox/\n"
		 "# every this many seconds (0: off; xinyong publish DIR forces one) and after\n"
		 "# midnight, so that ended display periods leave the portal on time\n"
		 "interval_s = 300\n",
		 rg->city.code, rg->city.name, XY_IMPORT_TXN_ROWS * 4, XY_IMPORT_TXN_ROWS,
		 XY_CP_EVENTS_DEF, XY_CP_SECONDS_DEF);
	return write_file(dir, "config.ini", text, 0600);
}

static int dir_empty_or_absent(const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char probe[PATH_MAX];

	if (!d) {
		if (errno == ENOENT)
			return 0;
		say(err, errlen, "%s: %s", dir, strerror(errno));
		return XY_EIO;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			closedir(d);
			snprintf(probe, sizeof probe, "%s/core.db", dir);
			if (access(probe, F_OK) == 0)
				say(err, errlen,
				    "%s already holds an instance; refusing to touch it", dir);
			else
				say(err, errlen, "%s is not empty; refusing to touch it", dir);
			return XY_EEXISTS;
		}
	closedir(d);
	return 0;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* ---- init ---- */

static int audit_local(struct xy_store *st, const char *action, const char *object,
		       const char *unit)
{
	struct xy_audit_event ev = {0};
	xy_audit_local(&ev);
	ev.action = action;
	ev.object = object;
	ev.unit = unit;
	ev.result = "ok";
	return xy_audit_append(st, &ev);
}

static int add_unit_tx(struct xy_store *st, struct xy_unit *u, const char *const *provides,
		       int nprovides)
{
	char obj[1024];
	size_t used;
	int rc = xy_store_unit_add(st, u);

	for (int i = 0; !rc && i < nprovides; i++)
		rc = xy_store_unit_provides_add(st, u->id, provides[i]);
	if (rc)
		return rc;
	used = (size_t)snprintf(obj, sizeof obj,
				"{\"unit\":\"%s\",\"region\":\"%s\",\"provides\":[", u->code,
				u->region);
	for (int i = 0; i < nprovides && used < sizeof obj - 40; i++)
		used += (size_t)snprintf(obj + used, sizeof obj - used, "%s\"%s\"", i ? "," : "",
					 provides[i]);
	snprintf(obj + used, sizeof obj - used, "]}");
	return audit_local(st, "unit.create", obj, u->code);
}

static int init_accounts(struct xy_store *st, int64_t office_id, const char *office_code,
			 struct xy_init_account acc[XY_ADMIN_ACCOUNTS])
{
	char hash[XY_PASSWORD_HASH_MAX], obj[256];
	int64_t id;
	int rc = 0;

	for (int i = 0; i < XY_ADMIN_ACCOUNTS && !rc; i++) {
		struct xy_account_new a = {
			.name = first_admins[i].name,
			.real_name = "", /* registered at first sign-in (ACC-1) */
			.unit_id = office_id,
			.pw_hash = hash,
			.status = "active",
			.must_change = 1, /* ACC-3 */
		};
		snprintf(acc[i].name, sizeof acc[i].name, "%s", first_admins[i].name);
		snprintf(acc[i].role, sizeof acc[i].role, "%s", first_admins[i].role);
		if ((rc = xy_password_generate(acc[i].password)) ||
		    (rc = xy_password_hash(acc[i].password, strlen(acc[i].password), hash)) ||
		    (rc = xy_store_account_add(st, &a, &id)) ||
		    (rc = xy_store_role_add(st, id, first_admins[i].role, NULL, 0)))
			break;
		snprintf(obj, sizeof obj,
			 "{\"account\":\"%s\",\"role\":\"%s\",\"one_time_password\":true}",
			 first_admins[i].name, first_admins[i].role);
		rc = audit_local(st, "account.create", obj, office_code);
	}
	xy_wipe(hash, sizeof hash);
	return rc;
}

static int fill_store(struct xy_store *st, const struct regions *rg,
		      const struct xy_unit *office_in, const struct unit_row *units, int nunits,
		      const char *cat_doc, size_t cat_n, int ndatasets,
		      struct xy_init_account acc[XY_ADMIN_ACCOUNTS])
{
	struct xy_unit office = *office_in;
	uint8_t sm3[32], id[16];
	char hex[65], obj[512];
	int64_t version;
	int rc;

	if ((rc = xy_random(id, sizeof id)))
		return rc;
	xy_hex(id, sizeof id, hex);
	xy_sm3(cat_doc, cat_n, sm3);
	if ((rc = xy_store_begin(st)) || (rc = xy_store_meta_set(st, "instance_id", hex)) ||
	    (rc = xy_store_meta_set(st, "city_code", rg->city.code)) ||
	    (rc = xy_store_meta_set(st, "city_name", rg->city.name)) ||
	    (rc = xy_store_region_add(st, &rg->city)))
		goto fail;
	for (int i = 0; i < rg->n; i++)
		if ((rc = xy_store_region_add(st, &rg->county[i])))
			goto fail;
	snprintf(obj, sizeof obj, "{\"instance\":\"%s\",\"city\":\"%s\",\"counties\":%d}", hex,
		 rg->city.code, rg->n);
	if ((rc = audit_local(st, "instance.init", obj, NULL)) ||
	    (rc = xy_store_catalog_add(st, cat_doc, cat_n, sm3, &version)))
		goto fail;
	xy_hex(sm3, 32, hex);
	snprintf(obj, sizeof obj, "{\"version\":%lld,\"sm3\":\"%s\",\"datasets\":%d}",
		 (long long)version, hex, ndatasets);
	if ((rc = audit_local(st, "catalog.load", obj, NULL)) ||
	    (rc = add_unit_tx(st, &office, NULL, 0)))
		goto fail;
	for (int i = 0; i < nunits; i++) {
		struct xy_unit u = units[i].u;
		const char *prov[16];
		for (int k = 0; k < units[i].nprovides; k++)
			prov[k] = units[i].provides[k];
		if ((rc = add_unit_tx(st, &u, prov, units[i].nprovides)))
			goto fail;
	}
	if ((rc = init_accounts(st, office.id, office.code, acc)) || (rc = xy_store_commit(st)))
		goto fail;
	return 0;
fail:
	xy_store_rollback(st);
	return rc;
}

static int make_office(const struct xy_init_opts *o, const struct regions *rg, struct xy_unit *u,
		       char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	snprintf(u->region, sizeof u->region, "%s", rg->city.code);
	snprintf(u->kind, sizeof u->kind, "credit_office");
	u->level = XY_LEVEL_CITY;
	if (!o->office) {
		office_code(rg->city.code, u->code);
		snprintf(u->name, sizeof u->name, "%s信用中心", rg->city.name);
		return 0;
	}
	const char *colon = strchr(o->office, ':');
	size_t cl = colon ? (size_t)(colon - o->office) : 0;
	if (!colon || cl >= sizeof u->code || xy_uscc_check(o->office, cl) != XY_CODE_OK ||
	    !colon[1] || strlen(colon + 1) >= sizeof u->name) {
		say(err, errlen,
		    "--office: expected a valid unified social credit code, ':' and a name");
		return XY_EINVAL;
	}
	memcpy(u->code, o->office, cl);
	snprintf(u->name, sizeof u->name, "%s", colon + 1);
	return 0;
}

static int load_catalog_file(const struct xy_init_opts *o, char **doc, size_t *n, char *err,
			     size_t errlen)
{
	FILE *f;
	const char *builtin;

	if (!o->catalog_file) {
		builtin = xy_default_catalog(n);
		*doc = malloc(*n + 1);
		if (!*doc)
			return XY_ENOMEM;
		memcpy(*doc, builtin, *n);
		(*doc)[*n] = '\0';
		return 0;
	}
	f = fopen(o->catalog_file, "rb");
	if (!f) {
		say(err, errlen, "%s: %s", o->catalog_file, strerror(errno));
		return XY_EIO;
	}
	*doc = malloc(XY_CATALOG_FILE_MAX + 1);
	if (!*doc) {
		fclose(f);
		return XY_ENOMEM;
	}
	*n = fread(*doc, 1, XY_CATALOG_FILE_MAX + 1, f);
	fclose(f);
	if (*n > XY_CATALOG_FILE_MAX) {
		say(err, errlen, "%s: larger than %d bytes", o->catalog_file, XY_CATALOG_FILE_MAX);
		free(*doc);
		*doc = NULL;
		return XY_ELIMIT;
	}
	(*doc)[*n] = '\0';
	return 0;
}

/* AUD-3: the chain of a new instance starts under a signed checkpoint. */
static int first_checkpoint(const char *tmp, struct xy_store *st)
{
	struct xy_auditcp_conf c = {XY_CP_EVENTS_DEF, XY_CP_SECONDS_DEF, 0};
	struct xy_keyring *kr = NULL;
	struct xy_auditcp *cp = NULL;
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof path, "%s/keys", tmp);
	if ((rc = xy_keyring_load(path, &kr)))
		return rc;
	snprintf(path, sizeof path, "%s/%s", tmp, XY_CP_FILE);
	rc = xy_auditcp_open(path, xy_keyring_sm2(kr), &c, &cp);
	if (!rc)
		rc = xy_auditcp_sync(cp, st, 1);
	xy_auditcp_close(cp);
	xy_keyring_free(kr);
	return rc;
}

static int build_instance(const char *tmp, const struct regions *rg, const struct xy_unit *office,
			  const struct unit_row *units, int nunits, const char *doc, size_t n,
			  int ndatasets, struct xy_init_account acc[XY_ADMIN_ACCOUNTS], char *err,
			  size_t errlen)
{
	char path[PATH_MAX];
	struct xy_store *st = NULL;
	struct xy_keyring *kr = NULL;
	struct xy_sealer *tagger = NULL;
	int rc;

	snprintf(path, sizeof path, "%s/keys", tmp);
	if ((rc = xy_keyring_create(path))) {
		say(err, errlen, "creating keys: %s", xy_strerror(rc));
		return rc;
	}
	/* CRY-2: the first accounts are tagged as they are written. */
	if ((rc = xy_keyring_load(path, &kr)) || (rc = xy_sealer_new(&tagger, kr))) {
		say(err, errlen, "loading the new keys: %s", xy_strerror(rc));
		goto out;
	}
	if ((rc = write_config(tmp, rg)) ||
	    (rc = write_file(tmp, "allow-codes.txt",
			     "# Genuine pre-2016 codes that fail their check characters (COL-2),\n"
			     "# one per line.  Changes are approved configuration changes.\n",
			     0600))) {
		say(err, errlen, "writing configuration: %s", xy_strerror(rc));
		goto out;
	}
	if ((rc = write_calendar(tmp, err, errlen)))
		goto out;
	snprintf(path, sizeof path, "%s/reports", tmp);
	if (mkdir(path, 0700)) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		rc = XY_EIO;
		goto out;
	}
	snprintf(path, sizeof path, "%s/core.db", tmp);
	if ((rc = xy_store_open(path, XY_STORE_CREATE, &st))) {
		say(err, errlen, "creating the store: %s", xy_strerror(rc));
		goto out;
	}
	xy_store_set_tagger(st, tagger);
	rc = fill_store(st, rg, office, units, nunits, doc, n, ndatasets, acc);
	if (!rc)
		rc = first_checkpoint(tmp, st);
	if (rc)
		say(err, errlen, "%s",
		    rc == XY_EAUDIT ? "the audit trail could not be written; nothing was created"
				    : xy_strerror(rc));
out:
	xy_store_close(st);
	xy_sealer_free(tagger);
	xy_keyring_free(kr);
	return rc;
}

int xy_instance_init(const struct xy_init_opts *o, struct xy_init_account acc[XY_ADMIN_ACCOUNTS],
		     char *err, size_t errlen)
{
	struct regions *rg = calloc(1, sizeof *rg);
	struct xy_catalog *cat = NULL;
	struct unit_row *units = NULL;
	struct xy_unit office;
	char *doc = NULL, tmp[PATH_MAX];
	size_t n;
	int nunits = 0, rc;

	tmp[0] = '\0';
	if (strlen(o->dir) > XY_INSTANCE_DIR_MAX) {
		say(err, errlen, "the instance path is longer than %d bytes", XY_INSTANCE_DIR_MAX);
		free(rg);
		return XY_ELIMIT;
	}
	if (!rg)
		return XY_ENOMEM;
	if ((rc = dir_empty_or_absent(o->dir, err, errlen)) ||
	    (rc = parse_regions(o, rg, err, errlen)) ||
	    (rc = make_office(o, rg, &office, err, errlen)) ||
	    (rc = load_catalog_file(o, &doc, &n, err, errlen)))
		goto out;
	if ((rc = xy_catalog_parse(doc, n, &cat, err, errlen)))
		goto out;
	if (o->units_file &&
	    (rc = read_units(o->units_file, rg, cat, &units, &nunits, err, errlen)))
		goto out;
	for (int i = 0; i < nunits; i++)
		if (!strcmp(units[i].u.code, office.code)) {
			say(err, errlen, "unit %s is the credit office itself", office.code);
			rc = XY_EINVAL;
			goto out;
		}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.init-XXXXXX", o->dir) >= sizeof tmp ||
	    !mkdtemp(tmp)) {
		say(err, errlen, "%s: cannot create a directory beside it: %s", o->dir,
		    strerror(errno));
		tmp[0] = '\0';
		rc = XY_EIO;
		goto out;
	}
	if ((rc = build_instance(tmp, rg, &office, units, nunits, doc, n, cat->ndatasets, acc, err,
				 errlen)))
		goto out;
	/* rename() replaces an empty directory, so DIR may exist empty. */
	if (rename(tmp, o->dir)) {
		say(err, errlen, "%s: %s", o->dir, strerror(errno));
		rc = XY_EIO;
		goto out;
	}
	tmp[0] = '\0';
out:
	if (rc) {
		if (tmp[0])
			remove_tree(tmp);
		for (int i = 0; i < XY_ADMIN_ACCOUNTS; i++)
			xy_wipe(acc[i].password, sizeof acc[i].password);
	}
	xy_catalog_free(cat);
	free(units);
	free(doc);
	free(rg);
	return rc;
}

/* ---- open ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_allow(struct xy_instance *inst, char *err, size_t errlen)
{
	const char *name = xy_ini_get(inst->config, "import", "allow_codes");
	char path[PATH_MAX], line[128];
	FILE *f;

	if (!name || !*name)
		return 0;
	if (strchr(name, '/'))
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%s/%s", inst->dir, name);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT
			       ? 0
			       : (say(err, errlen, "%s: %s", path, strerror(errno)), XY_EIO);
	inst->allow_codes = calloc(ALLOW_CODES_MAX, sizeof(char *));
	if (!inst->allow_codes) {
		fclose(f);
		return XY_ENOMEM;
	}
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\r\n# \t");
		if (n == 0)
			continue;
		if (inst->nallow >= ALLOW_CODES_MAX) {
			fclose(f);
			say(err, errlen, "%s: more than %d codes", path, ALLOW_CODES_MAX);
			return XY_ELIMIT;
		}
		inst->allow_codes[inst->nallow] = strndup(line, n);
		if (!inst->allow_codes[inst->nallow]) {
			fclose(f);
			return XY_ENOMEM;
		}
		inst->nallow++;
	}
	fclose(f);
	qsort(inst->allow_codes, inst->nallow, sizeof(char *), cmp_str);
	return 0;
}

int xy_instance_code_allowed(void *arg, const char *code, size_t n)
{
	const struct xy_instance *inst = arg;
	char key[64];
	const char *k = key;

	if (!inst->nallow || n >= sizeof key)
		return 0;
	memcpy(key, code, n);
	key[n] = '\0';
	return bsearch(&k, inst->allow_codes, inst->nallow, sizeof(char *), cmp_str) != NULL;
}

/* [audit] of config.ini: checkpoint intervals (AUD-3) and retention
 * (AUD-4, configurable upward only). */
static int open_audit(struct xy_instance *inst, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		long def, min, max;
	} num[] = {
		{"checkpoint_events", XY_CP_EVENTS_DEF, 1, 1000000},
		{"checkpoint_seconds", XY_CP_SECONDS_DEF, 1, 3600},
		{"syslog", 0, 0, 1},
		{"retention_months", 6, 6, 1200},
	};
	long v[4];
	struct xy_auditcp_conf c;
	int rc;

	for (int i = 0; i < 4; i++)
		if (xy_ini_get_long(inst->config, "audit", num[i].key, num[i].def, num[i].min,
				    num[i].max, &v[i])) {
			say(err, errlen, "config.ini [audit] %s: a whole number from %ld to %ld",
			    num[i].key, num[i].min, num[i].max);
			return XY_ECONFIG;
		}
	c.every_events = v[0];
	c.every_seconds = v[1];
	c.use_syslog = (int)v[2];
	inst->retention_months = (int)v[3];
	snprintf(inst->auditcp_path, sizeof inst->auditcp_path, "%s/%s", inst->dir, XY_CP_FILE);
	rc = xy_auditcp_open(inst->auditcp_path, xy_keyring_sm2(inst->keys), &c, &inst->auditcp);
	if (rc)
		say(err, errlen, "audit checkpoints: %s", xy_strerror(rc));
	return rc;
}

/* CRY-2: a store that had rows before migration 9 added row tags has them
 * tagged once, here, with an audit event saying how many; from then on (and
 * in every store created after it) a row without a tag is a tampered one. */
static int tag_backfill(struct xy_instance *inst)
{
	struct xy_store *st = inst->store;
	char obj[64];
	long n = 0;
	int rc = xy_store_tag_backfill_pending(st);

	if (rc <= 0)
		return rc;
	if ((rc = xy_store_begin(st)))
		return rc;
	if ((rc = xy_store_tag_backfill(st, &n)) == 0) {
		snprintf(obj, sizeof obj, "{\"rows\":%ld}", n);
		rc = audit_local(st, "integrity.backfill", obj, NULL);
	}
	if (rc || (rc = xy_store_commit(st))) {
		xy_store_rollback(st);
		return rc;
	}
	xy_log_info("CRY-2: %ld rows written before row tags were tagged", n);
	return 0;
}

int xy_instance_open(const char *dir, struct xy_instance **out, char *err, size_t errlen)
{
	struct xy_instance *inst = calloc(1, sizeof *inst);
	struct xy_buf doc;
	char path[PATH_MAX];
	int rc;

	*out = NULL;
	xy_buf_init(&doc, XY_CATALOG_FILE_MAX);
	if (!inst)
		return XY_ENOMEM;
	if (strlen(dir) > XY_INSTANCE_DIR_MAX) {
		say(err, errlen, "the instance path is longer than %d bytes", XY_INSTANCE_DIR_MAX);
		rc = XY_ELIMIT;
		goto fail;
	}
	snprintf(inst->dir, sizeof inst->dir, "%s", dir);
	snprintf(path, sizeof path, "%s/core.db", dir);
	if (access(path, F_OK)) {
		say(err, errlen, "%s is not a xinyong instance (no core.db)", dir);
		rc = XY_ENOTFOUND;
		goto fail;
	}
	snprintf(path, sizeof path, "%s/config.ini", dir);
	if ((rc = xy_ini_load(path, &inst->config, err, errlen)))
		goto fail;
	snprintf(path, sizeof path, "%s/keys", dir);
	if ((rc = xy_keyring_load(path, &inst->keys))) {
		say(err, errlen, "%s: the keys cannot be loaded: %s", path, xy_strerror(rc));
		goto fail;
	}
	snprintf(path, sizeof path, "%s/core.db", dir);
	if ((rc = xy_store_open(path, 0, &inst->store)) ||
	    (rc = xy_sealer_new(&inst->tagger, inst->keys))) {
		say(err, errlen, "%s: %s", path, xy_strerror(rc));
		goto fail;
	}
	xy_store_set_tagger(inst->store, inst->tagger);
	if ((rc = tag_backfill(inst))) {
		say(err, errlen, "%s: tagging the rows of an older store: %s", path,
		    xy_strerror(rc));
		goto fail;
	}
	if ((rc = xy_store_catalog_active(inst->store, &doc, &inst->catalog_version)) ||
	    (rc = xy_catalog_parse(doc.p, doc.len, &inst->catalog, err, errlen))) {
		if (rc == XY_ENOTFOUND)
			say(err, errlen, "the store has no active catalog");
		goto fail;
	}
	if ((rc = xy_store_meta_get(inst->store, "city_code", inst->city_code,
				    sizeof inst->city_code)) ||
	    (rc = xy_store_meta_get(inst->store, "city_name", inst->city_name,
				    sizeof inst->city_name)) ||
	    (rc = load_allow(inst, err, errlen)) || (rc = open_audit(inst, err, errlen)))
		goto fail;
	xy_buf_cleanup(&doc);
	*out = inst;
	return 0;
fail:
	xy_buf_cleanup(&doc);
	xy_instance_close(inst);
	return rc;
}

void xy_instance_close(struct xy_instance *inst)
{
	if (!inst)
		return;
	if (inst->auditcp && inst->store)
		(void)xy_auditcp_sync(inst->auditcp, inst->store, 1); /* logged when it fails */
	xy_auditcp_close(inst->auditcp);
	xy_store_close(inst->store);
	xy_sealer_free(inst->tagger);
	xy_keyring_free(inst->keys);
	xy_catalog_free(inst->catalog);
	xy_ini_free(inst->config);
	for (size_t i = 0; i < inst->nallow; i++)
		free(inst->allow_codes[i]);
	free(inst->allow_codes);
	free(inst);
}

int xy_instance_add_unit(struct xy_instance *inst, struct xy_unit *u, const char *const *provides,
			 int nprovides, char *err, size_t errlen)
{
	struct xy_region r;
	int rc;

	if (xy_uscc_check(u->code, strlen(u->code)) != XY_CODE_OK) {
		say(err, errlen, "unit code %s is not a valid unified social credit code", u->code);
		return XY_EINVAL;
	}
	if ((rc = xy_store_region_get(inst->store, u->region, &r))) {
		say(err, errlen, "region %s is not a region of this instance", u->region);
		return rc;
	}
	u->level = r.level;
	for (int i = 0; i < nprovides; i++) {
		const struct xy_dataset *ds = xy_catalog_dataset(inst->catalog, provides[i]);
		if (!ds || !(ds->levels & u->level)) {
			say(err, errlen, "dataset %s cannot be provided by %s", provides[i],
			    u->name);
			return XY_EINVAL;
		}
	}
	if ((rc = xy_store_begin(inst->store)))
		return rc;
	if ((rc = add_unit_tx(inst->store, u, provides, nprovides)) ||
	    (rc = xy_store_commit(inst->store))) {
		xy_store_rollback(inst->store);
		say(err, errlen, "unit %s: %s", u->code, xy_strerror(rc));
		return rc;
	}
	return 0;
}
