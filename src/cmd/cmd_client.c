/* xinyong login | logout | whoami | passwd | account …: the command line as
 * a client of the API, signed in as a real account (DESIGN.md §6, CHG-1).
 * The transport and the saved session are in client.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/client.h"
#include "cmd/cmd.h"
#include "core/passpol.h"
#include "util/err.h"

#define PW_CAP	  (XY_PASSWORD_MAX + 2) /* room to see a line is too long */
#define OTP_CAP	  16
#define PATH_CAP  1024
#define PAGES_MAX 10000 /* pages of `account list` (XY_PAGE_MAX each) */

/* Calls the API; 0 for a 2xx answer, else prints why and returns
 * XY_EXIT_FAIL.  r is always cleaned up by the caller. */
/* A member as text: strings as they are, true/false as yes/no, else "-". */
static const char *text_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_string(v) && json_string_length(v))
		return json_string_value(v);
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "-";
}

static void put_line(const char *label, const char *value)
{
	printf("%-22s ", label);
	xy_client_put(stdout, value);
	fputc('\n', stdout);
}

static void roles_text(json_t *roles, char *out, size_t cap)
{
	size_t i, n = 0;
	json_t *r;
	out[0] = 0;
	json_array_foreach (roles, i, r)
		if (json_is_string(r) && n < cap)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "",
					      json_string_value(r));
	if (!out[0])
		snprintf(out, cap, "-");
}

static void unit_text(json_t *u, char *out, size_t cap)
{
	snprintf(out, cap, "%s %s (region %s)", text_of(u, "code"), text_of(u, "name"),
		 text_of(u, "region"));
}

/* ---- login ---- */

static const char login_help[] =
	"usage: xinyong login --server URL [--account NAME] [--otp CODE]\n"
	"Signs in to the xinyong server at URL as a real, named account (the command\n"
	"line has no other way in: CHG-1) and keeps the session token in\n"
	"$XDG_CONFIG_HOME/xinyong/session.json (default ~/.config/xinyong/), a file only\n"
	"you may read (0600) in a folder only you may enter (0700).\n"
	"The account (unless given), the password and, for an account with an\n"
	"authenticator, its code are asked on the terminal without echo; when standard\n"
	"input is not a terminal they are read from it, one line each.\n\n"
	"  --server URL     the server, e.g. https://xinyong.example.gov.cn:8443\n"
	"  --account NAME   the account (default: asked)\n"
	"  --otp CODE       the authenticator's 6-digit code (default: asked if needed)\n\n"
	"Then it says what the account must do before anything else: change a one-time\n"
	"password (ACC-3, `xinyong passwd`), enrol a second factor (ACC-5), record its\n"
	"real name and identity number (ACC-1).\n"
	"Exit status: 0 signed in, 1 refused or unreachable, 2 usage.\n";

static int is_refusal(const struct xy_client_resp *r, const char *code)
{
	json_t *e = json_object_get(r->json, "error");
	const char *c = json_string_value(json_object_get(e, "code"));
	return c && !strcmp(c, code);
}

static void login_report(const struct xy_client *c, json_t *doc)
{
	printf("signed in: account=%s server=%s expires_at=", c->account, c->server);
	xy_client_put(stdout, text_of(doc, "expires_at"));
	fputc('\n', stdout);
	/* ACC-3, then ACC-5, then ACC-1: the server opens nothing else until each is done. */
	if (json_is_true(json_object_get(doc, "must_change_password")))
		puts("password: must change (ACC-3) - the one-time or expired password must be "
		     "replaced first: xinyong passwd");
	if (json_is_true(json_object_get(doc, "must_enroll_second_factor")))
		puts("second factor: must enrol (ACC-5) - a TOTP authenticator "
		     "(POST /api/v1/session/totp, then /totp/confirm) or an SM2 key");
	if (json_is_true(json_object_get(doc, "must_record_identity")))
		puts("identity: not recorded (ACC-1) - real name and identity number "
		     "(POST /api/v1/session/identity)");
}

/* POST /api/v1/session; asks for the authenticator's code when the server
 * says a second factor is needed and none was given. */
static int sign_in(struct xy_client *c, const char *pw, char *otp, struct xy_client_resp *r)
{
	json_t *body = json_pack("{s:s,s:s}", "account", c->account, "password", pw);
	int rc;
	if (!body)
		return xy_cmd_fail("out of memory");
	if (otp[0])
		json_object_set_new(body, "otp", json_string(otp));
	if (xy_client_call(c, "POST", "/api/v1/session", body, r)) {
		json_decref(body);
		return XY_EXIT_FAIL;
	}
	if (r->status == 401 && !otp[0] && is_refusal(r, "second_factor_required")) {
		xy_client_resp_cleanup(r);
		if (xy_client_prompt("authenticator code", 1, 1, otp, OTP_CAP)) {
			json_decref(body);
			return XY_EXIT_FAIL;
		}
		json_object_set_new(body, "otp", json_string(otp));
		rc = xy_client_call(c, "POST", "/api/v1/session", body, r);
		json_decref(body);
		if (rc)
			return XY_EXIT_FAIL;
	} else {
		json_decref(body);
	}
	return r->status == 201 ? 0 : xy_client_report(r);
}

int xy_cmd_login(int argc, char **argv)
{
	static const struct option opts[] = {
		{"server", required_argument, NULL, 's'},
		{"account", required_argument, NULL, 'a'},
		{"otp", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *server = NULL, *account = NULL, *otp_opt = NULL, *token;
	struct xy_client c;
	struct xy_client_resp r = {0};
	char pw[PW_CAP] = "", otp[OTP_CAP] = "";
	int ch, rc = XY_EXIT_FAIL;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			server = optarg;
			break;
		case 'a':
			account = optarg;
			break;
		case 'o':
			otp_opt = optarg;
			break;
		case 'h':
			fputs(login_help, stdout);
			return XY_EXIT_OK;
		default:
			fputs(login_help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (optind != argc || !server ||
	    (account && (!*account || strlen(account) >= XY_CLIENT_ACCOUNT_MAX)) ||
	    (otp_opt && strlen(otp_opt) >= sizeof otp)) {
		fputs(login_help, stderr);
		return XY_EXIT_USAGE;
	}
	if ((rc = xy_client_init(&c, server))) {
		xy_client_cleanup(&c);
		return rc == XY_EINVAL ? XY_EXIT_USAGE : XY_EXIT_FAIL;
	}
	rc = XY_EXIT_FAIL;
	if (otp_opt)
		snprintf(otp, sizeof otp, "%s", otp_opt);
	if (account)
		snprintf(c.account, sizeof c.account, "%s", account);
	else if (xy_client_prompt("account", 0, 1, c.account, sizeof c.account))
		goto out;
	if (xy_client_prompt("password", 1, 1, pw, sizeof pw) || sign_in(&c, pw, otp, &r))
		goto out;
	token = json_string_value(json_object_get(r.json, "token"));
	if (!token || strlen(token) >= sizeof c.token) {
		xy_cmd_fail("the server's answer holds no session token");
		goto out;
	}
	memcpy(c.token, token, strlen(token) + 1);
	if (xy_client_save(&c))
		goto out;
	login_report(&c, r.json);
	rc = XY_EXIT_OK;
out:
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(otp, sizeof otp);
	xy_client_resp_cleanup(&r);
	xy_client_cleanup(&c);
	return rc;
}

/* ---- logout ---- */

static const char logout_help[] =
	"usage: xinyong logout\n"
	"Ends the saved session on the server (DELETE /api/v1/session) and removes the\n"
	"session file.  The file is removed even when the server cannot be reached; the\n"
	"session then ends at its idle timeout.\n"
	"Exit status: 0 signed out, 1 not signed in or the server did not confirm, 2 usage.\n";

static int simple_args(int argc, char **argv, const char *help, int *json)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(help, stdout);
			return 1;
		}
		if (json && !strcmp(argv[i], "--json")) {
			*json = 1;
			continue;
		}
		fputs(help, stderr);
		return 2;
	}
	return 0;
}

int xy_cmd_logout(int argc, char **argv)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	int rc = simple_args(argc, argv, logout_help, NULL), called;

	if (rc)
		return rc == 1 ? XY_EXIT_OK : XY_EXIT_USAGE;
	if (xy_client_signed_in(&c)) {
		xy_client_cleanup(&c);
		return XY_EXIT_FAIL;
	}
	called = xy_client_call(&c, "DELETE", "/api/v1/session", NULL, &r) == 0;
	if (xy_client_forget()) {
		rc = XY_EXIT_FAIL;
	} else if (called && (r.status == 204 || r.status == 401)) {
		printf("signed out: account=%s server=%s%s\n", c.account, c.server,
		       r.status == 401 ? " (the session had already ended)" : "");
		rc = XY_EXIT_OK;
	} else {
		if (called)
			xy_client_report(&r);
		fprintf(stderr,
			"xinyong: the session file is removed, but %s did not confirm "
			"the sign-out; the session ends at its idle timeout\n",
			c.server);
		rc = XY_EXIT_FAIL;
	}
	xy_client_resp_cleanup(&r);
	xy_client_cleanup(&c);
	return rc;
}

/* ---- whoami ---- */

static const char whoami_help[] =
	"usage: xinyong whoami [--json]\n"
	"Shows the signed-in account (GET /api/v1/session): name, real name, unit,\n"
	"roles, status, what must still be done, and when the session ends.\n"
	"  --json   print the server's answer as it is\n"
	"Exit status: 0, 1 not signed in or the session has ended, 2 usage.\n";

static void whoami_print(const struct xy_client *c, json_t *d)
{
	json_t *u = json_object_get(d, "unit");
	char buf[512];
	put_line("account", text_of(d, "account"));
	put_line("real_name", text_of(d, "real_name"));
	snprintf(buf, sizeof buf, "%s %s (region %s, %s)", text_of(u, "code"), text_of(u, "name"),
		 text_of(u, "region"), text_of(u, "level"));
	put_line("unit", buf);
	roles_text(json_object_get(d, "roles"), buf, sizeof buf);
	put_line("roles", buf);
	put_line("status", text_of(d, "status"));
	put_line("server", c->server);
	put_line("expires_at", text_of(d, "expires_at"));
	put_line("idle_expires_at", text_of(d, "idle_expires_at"));
	if (json_is_true(json_object_get(d, "must_change_password")))
		put_line("pending", "password change (ACC-3): xinyong passwd");
	if (json_is_true(json_object_get(d, "must_enroll_second_factor")))
		put_line("pending", "second factor enrolment (ACC-5)");
	if (json_is_true(json_object_get(d, "must_record_identity")))
		put_line("pending", "real name and identity number (ACC-1)");
}

int xy_cmd_whoami(int argc, char **argv)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	int json = 0, rc = simple_args(argc, argv, whoami_help, &json);

	if (rc)
		return rc == 1 ? XY_EXIT_OK : XY_EXIT_USAGE;
	if (!(rc = xy_client_signed_in(&c)) &&
	    !(rc = xy_client_api(&c, "GET", "/api/v1/session", NULL, &r))) {
		if (json)
			xy_client_put_raw(&r);
		else
			whoami_print(&c, r.json);
	}
	xy_client_resp_cleanup(&r);
	xy_client_cleanup(&c);
	return rc;
}

/* ---- passwd ---- */

static const char passwd_help[] =
	"usage: xinyong passwd\n"
	"Changes the signed-in account's password (POST /api/v1/session/password).\n"
	"Asks for the current password and the new one twice, without echo (one line\n"
	"each from standard input when it is not a terminal).  The new password must\n"
	"follow the password rules (ACC-4: length, character classes, not the account\n"
	"name, not common, not one of the last ones); the server says which rule a\n"
	"refused password breaks.\n"
	"Exit status: 0 changed, 1 refused, 2 usage.\n";

int xy_cmd_passwd(int argc, char **argv)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	char old[PW_CAP] = "", nw[PW_CAP] = "", again[PW_CAP] = "";
	json_t *body = NULL;
	int rc = simple_args(argc, argv, passwd_help, NULL);

	if (rc)
		return rc == 1 ? XY_EXIT_OK : XY_EXIT_USAGE;
	if ((rc = xy_client_signed_in(&c)))
		goto out;
	rc = XY_EXIT_FAIL;
	if (xy_client_prompt("current password", 1, 1, old, sizeof old) ||
	    xy_client_prompt("new password", 1, 1, nw, sizeof nw) ||
	    xy_client_prompt("new password again", 1, 1, again, sizeof again))
		goto out;
	if (strcmp(nw, again) != 0) {
		xy_cmd_fail("the two new passwords differ; nothing changed");
		goto out;
	}
	if (!(body = json_pack("{s:s,s:s}", "old_password", old, "new_password", nw))) {
		xy_cmd_fail("out of memory");
		goto out;
	}
	if (!(rc = xy_client_api(&c, "POST", "/api/v1/session/password", body, &r)))
		printf("password changed: account=%s\n", c.account);
out:
	explicit_bzero(old, sizeof old);
	explicit_bzero(nw, sizeof nw);
	explicit_bzero(again, sizeof again);
	json_decref(body);
	xy_client_resp_cleanup(&r);
	xy_client_cleanup(&c);
	return rc;
}

/* ---- account … ---- */

enum shape { SHOW_DONE, SHOW_LIST, SHOW_ONE, SHOW_CREATED, SHOW_OTP, SHOW_INCIDENT };
enum role_at { ROLE_NONE, ROLE_BODY, ROLE_PATH };

struct acct_opt {
	const char *opt; /* --opt */
	const char *key; /* JSON member */
	int required;
};

struct acct_cmd {
	const char *name;
	const char *method;
	const char *suffix; /* after /api/v1/accounts/NAME; NULL: the collection */
	int npos;	    /* NAME, NAME ROLE */
	enum role_at role;
	int body; /* sends a JSON object */
	enum shape shape;
	const char *done;
	struct acct_opt o[5];
	const char *usage;
};

/* The routes of api.c, one line each. */
static const struct acct_cmd acct_cmds[] = {
	{"list", "GET", NULL, 0, ROLE_NONE, 0, SHOW_LIST, NULL, {{0}}, "list"},
	{"show", "GET", "", 1, ROLE_NONE, 0, SHOW_ONE, NULL, {{0}}, "show NAME"},
	{"create",
	 "POST",
	 NULL,
	 0,
	 ROLE_NONE,
	 1,
	 SHOW_CREATED,
	 NULL,
	 {{"name", "name", 1},
	  {"real-name", "real_name", 1},
	  {"id-number", "id_number", 1},
	  {"unit", "unit", 1},
	  {"end-date", "end_date", 0}},
	 "create --name N --real-name R --id-number X --unit CODE [--end-date YYYY-MM-DD]"},
	{"training",
	 "POST",
	 "/training",
	 1,
	 ROLE_NONE,
	 1,
	 SHOW_DONE,
	 "training recorded",
	 {{"date", "completed_on", 1}, {"course", "course", 0}},
	 "training NAME --date YYYY-MM-DD [--course TEXT]"},
	{"agreement",
	 "POST",
	 "/agreement",
	 1,
	 ROLE_NONE,
	 1,
	 SHOW_DONE,
	 "agreement recorded",
	 {{"date", "signed_on", 1}, {"document", "document", 1}},
	 "agreement NAME --date YYYY-MM-DD --document REF"},
	{"activate",
	 "POST",
	 "/activate",
	 1,
	 ROLE_NONE,
	 0,
	 SHOW_DONE,
	 "activated",
	 {{0}},
	 "activate NAME"},
	{"disable",
	 "POST",
	 "/disable",
	 1,
	 ROLE_NONE,
	 1,
	 SHOW_DONE,
	 "disabled",
	 {{"reason", "reason", 1}},
	 "disable NAME --reason TEXT"},
	{"enable", "POST", "/enable", 1, ROLE_NONE, 0, SHOW_DONE, "enabled", {{0}}, "enable NAME"},
	{"reset-password",
	 "POST",
	 "/password-reset",
	 1,
	 ROLE_NONE,
	 0,
	 SHOW_OTP,
	 NULL,
	 {{0}},
	 "reset-password NAME"},
	{"reset-second-factor",
	 "POST",
	 "/second-factor-reset",
	 1,
	 ROLE_NONE,
	 0,
	 SHOW_DONE,
	 "second factor removed: the account enrols a new one at its next sign-in",
	 {{0}},
	 "reset-second-factor NAME"},
	{"transfer",
	 "POST",
	 "/transfer",
	 1,
	 ROLE_NONE,
	 1,
	 SHOW_DONE,
	 "transferred",
	 {{"unit", "unit", 1}, {"handover", "handover", 1}},
	 "transfer NAME --unit CODE --handover TEXT"},
	{"leave",
	 "POST",
	 "/leave",
	 1,
	 ROLE_NONE,
	 1,
	 SHOW_DONE,
	 "left (access ended)",
	 {{"handover", "handover", 1}},
	 "leave NAME --handover TEXT"},
	{"report-leak",
	 "POST",
	 "/leak-report",
	 1,
	 ROLE_NONE,
	 1,
	 SHOW_INCIDENT,
	 NULL,
	 {{"note", "note", 1}},
	 "report-leak NAME --note TEXT"},
	{"grant",
	 "POST",
	 "/roles",
	 2,
	 ROLE_BODY,
	 1,
	 SHOW_DONE,
	 "role granted",
	 {{0}},
	 "grant NAME ROLE"},
	{"revoke",
	 "DELETE",
	 "/roles/",
	 2,
	 ROLE_PATH,
	 0,
	 SHOW_DONE,
	 "role revoked",
	 {{0}},
	 "revoke NAME ROLE"},
};

#define NACCT (sizeof acct_cmds / sizeof *acct_cmds)

static void account_help(FILE *f)
{
	fputs("usage: xinyong account SUBCOMMAND [ARGS] [--json]\n"
	      "The life of an account through the API (ACC-1, ACC-7..11, SOD-1..3), as the\n"
	      "signed-in account (`xinyong login`); the server decides what it may do.\n\n",
	      f);
	for (size_t i = 0; i < NACCT; i++)
		fprintf(f, "  xinyong account %s\n", acct_cmds[i].usage);
	fputs("\n  --json   print the server's JSON answer as it is\n"
	      "create and reset-password print the account's one-time password once, as\n"
	      "one_time_password=…; give it to the person, who must change it at first\n"
	      "sign-in (ACC-3).  Errors print as `xinyong: error: CODE: MESSAGE`.\n"
	      "Exit status: 0 done, 1 refused or unreachable, 2 usage.\n",
	      f);
}

static int sub_usage(const struct acct_cmd *ac)
{
	fprintf(stderr, "usage: xinyong account %s [--json]\n", ac->usage);
	return 2;
}

/* Splits argv into positional arguments and --opt VALUE (or --opt=VALUE);
 * 0, 1 for --help (printed), 2 for a usage error (printed). */
static int acct_args(const struct acct_cmd *ac, int argc, char **argv, const char *pos[2],
		     const char *val[5], int *json)
{
	int np = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v;
		size_t n;
		int k;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			printf("usage: xinyong account %s [--json]\n", ac->usage);
			return 1;
		}
		if (!strcmp(a, "--json")) {
			*json = 1;
			continue;
		}
		if (a[0] != '-') {
			if (np >= ac->npos)
				return sub_usage(ac);
			pos[np++] = a;
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			return sub_usage(ac);
		a += 2;
		eq = strchr(a, '=');
		n = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < 5 && ac->o[k].opt; k++)
			if (strlen(ac->o[k].opt) == n && !strncmp(ac->o[k].opt, a, n))
				break;
		if (k == 5 || !ac->o[k].opt || val[k])
			return sub_usage(ac);
		if (eq)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return sub_usage(ac);
		val[k] = v;
	}
	if (np != ac->npos)
		return sub_usage(ac);
	for (int k = 0; k < 5 && ac->o[k].opt; k++)
		if (ac->o[k].required && !val[k])
			return sub_usage(ac);
	return 0;
}

static int acct_path(struct xy_client *c, const struct acct_cmd *ac, const char *pos[2], char *out,
		     size_t cap)
{
	char name[400], role[200];
	int n;
	if (!ac->npos)
		return (size_t)snprintf(out, cap, "/api/v1/accounts") < cap ? 0 : XY_ELIMIT;
	if (xy_client_escape(c, pos[0], name, sizeof name))
		return XY_ELIMIT;
	if (ac->role == ROLE_PATH && xy_client_escape(c, pos[1], role, sizeof role))
		return XY_ELIMIT;
	n = snprintf(out, cap, "/api/v1/accounts/%s%s%s", name, ac->suffix,
		     ac->role == ROLE_PATH ? role : "");
	return n > 0 && (size_t)n < cap ? 0 : XY_ELIMIT;
}

static json_t *acct_body(const struct acct_cmd *ac, const char *pos[2], const char *val[5])
{
	json_t *b = json_object();
	if (!b)
		return NULL;
	for (int k = 0; k < 5 && ac->o[k].opt; k++)
		if (val[k] && json_object_set_new(b, ac->o[k].key, json_string(val[k]))) {
			json_decref(b);
			return NULL; /* not UTF-8 */
		}
	if (ac->role == ROLE_BODY && json_object_set_new(b, "role", json_string(pos[1]))) {
		json_decref(b);
		return NULL;
	}
	return b;
}

static void show_account(json_t *a)
{
	static const char *const plain[] = {
		"status",	 "status_reason",      "end_date",
		"created_at",	 "last_login_at",      "training_on",
		"agreement_on",	 "agreement_document", "must_change_password",
		"totp_enrolled", "sm2_enrolled",       NULL,
	};
	char buf[512];
	put_line("account", text_of(a, "account"));
	put_line("real_name", text_of(a, "real_name"));
	put_line("identity_recorded", text_of(a, "identity_recorded"));
	unit_text(json_object_get(a, "unit"), buf, sizeof buf);
	put_line("unit", buf);
	roles_text(json_object_get(a, "roles"), buf, sizeof buf);
	put_line("roles", buf);
	for (int i = 0; plain[i]; i++)
		put_line(plain[i], text_of(a, plain[i]));
}

static void list_row(json_t *a)
{
	char roles[256];
	roles_text(json_object_get(a, "roles"), roles, sizeof roles);
	printf("%-20s %-9s %-20s %-32s ", text_of(a, "account"), text_of(a, "status"),
	       text_of(json_object_get(a, "unit"), "code"), roles);
	xy_client_put(stdout, text_of(a, "real_name"));
	fputc('\n', stdout);
}

/* Every page (the cursor is `next`); a table, or one {"items":[…]} with
 * --json. */
static int acct_list(struct xy_client *c, int json)
{
	json_t *all = json_array(), *items, *a;
	long long after = 0;
	char path[128];
	size_t i;
	int rc = 0;

	if (!all)
		return xy_cmd_fail("out of memory");
	for (int page = 0; page < PAGES_MAX; page++) {
		struct xy_client_resp r = {0};
		snprintf(path, sizeof path, "/api/v1/accounts?limit=%d&after=%lld", XY_PAGE_MAX,
			 after);
		if ((rc = xy_client_api(c, "GET", path, NULL, &r))) {
			xy_client_resp_cleanup(&r);
			break;
		}
		items = json_object_get(r.json, "items");
		if (!json && !page)
			printf("%-20s %-9s %-20s %-32s %s\n", "ACCOUNT", "STATUS", "UNIT", "ROLES",
			       "REAL_NAME");
		json_array_foreach (items, i, a) {
			if (json)
				json_array_append(all, a);
			else
				list_row(a);
		}
		after = json_integer_value(json_object_get(r.json, "next"));
		xy_client_resp_cleanup(&r);
		if (!json_array_size(items) || after <= 0)
			break;
	}
	if (!rc && json) {
		json_t *doc = json_pack("{s:O}", "items", all);
		json_dumpf(doc, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(doc);
	}
	json_decref(all);
	return rc;
}

static void acct_print(const struct acct_cmd *ac, const char *pos[2], json_t *d)
{
	switch (ac->shape) {
	case SHOW_ONE:
		show_account(d);
		break;
	case SHOW_CREATED: {
		json_t *a = json_object_get(d, "account");
		fputs("account created: account=", stdout);
		xy_client_put(stdout, text_of(a, "account"));
		fputs(" status=", stdout);
		xy_client_put(stdout, text_of(a, "status"));
		fputs(" unit=", stdout);
		xy_client_put(stdout, text_of(json_object_get(a, "unit"), "code"));
		fputc('\n', stdout);
	}
		/* fall through */
	case SHOW_OTP:
		fputs("one_time_password=", stdout);
		xy_client_put(stdout, text_of(d, "one_time_password"));
		fputc('\n', stdout);
		fflush(stdout);
		fputs("xinyong: the one-time password above is shown once; it must be changed "
		      "at first sign-in (ACC-3)\n",
		      stderr);
		break;
	case SHOW_INCIDENT:
		printf("incident=%lld kind=",
		       (long long)json_integer_value(json_object_get(d, "incident")));
		xy_client_put(stdout, text_of(d, "kind"));
		fputs(" report_due=", stdout);
		xy_client_put(stdout, text_of(d, "report_due"));
		fputc('\n', stdout);
		break;
	default:
		printf("account %s: %s%s%s\n", pos[0], ac->done, ac->role ? ": " : "",
		       ac->role ? pos[1] : "");
	}
}

static int acct_run(const struct acct_cmd *ac, const char *pos[2], const char *val[5], int json)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	char path[PATH_CAP];
	json_t *body = NULL;
	int rc;

	if ((rc = xy_client_signed_in(&c)))
		goto out;
	if (ac->shape == SHOW_LIST) {
		rc = acct_list(&c, json);
		goto out;
	}
	rc = XY_EXIT_FAIL;
	if (acct_path(&c, ac, pos, path, sizeof path)) {
		xy_cmd_fail("the name is too long");
		goto out;
	}
	if (ac->body && !(body = acct_body(ac, pos, val))) {
		xy_cmd_fail("the arguments must be UTF-8 text");
		goto out;
	}
	if ((rc = xy_client_api(&c, ac->method, path, body, &r)))
		goto out;
	if (json)
		xy_client_put_raw(&r);
	else
		acct_print(ac, pos, r.json);
out:
	json_decref(body);
	xy_client_resp_cleanup(&r);
	xy_client_cleanup(&c);
	return rc;
}

int xy_cmd_account(int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *val[5] = {NULL};
	int json = 0, rc;

	if (argc < 2) {
		account_help(stderr);
		return XY_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		account_help(stdout);
		return XY_EXIT_OK;
	}
	for (size_t i = 0; i < NACCT; i++) {
		if (strcmp(argv[1], acct_cmds[i].name) != 0)
			continue;
		rc = acct_args(&acct_cmds[i], argc - 1, argv + 1, pos, val, &json);
		if (rc)
			return rc == 1 ? XY_EXIT_OK : XY_EXIT_USAGE;
		return acct_run(&acct_cmds[i], pos, val, json);
	}
	fprintf(stderr, "xinyong: account: unknown subcommand \"%s\"\n", argv[1]);
	account_help(stderr);
	return XY_EXIT_USAGE;
}
