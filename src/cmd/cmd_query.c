/* `xinyong query`, `xinyong search`, `xinyong authorise`, `xinyong
 * clients`: the sharing commands, clients of the API as the signed-in account (DESIGN.md §6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/client.h"
#include "cmd/cmd.h"
#include "util/err.h"

#define PATH_MAX_LEN 2048

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

/* Appends "&key=value" (value percent-encoded) to path. */
static int add_param(struct xy_client *c, char *path, size_t cap, const char *key,
		     const char *value)
{
	char esc[1024];
	size_t n = strlen(path);
	if (!value)
		return 0;
	if (xy_client_escape(c, value, esc, sizeof esc))
		return XY_EXIT_FAIL;
	if ((size_t)snprintf(path + n, cap - n, "%c%s=%s", strchr(path, '?') ? '&' : '?', key,
			     esc) >= cap - n)
		return xy_cmd_fail("the request is too long");
	return 0;
}

/* Runs one GET and prints the answer raw (--json) or with print. */
static int get_and_print(struct xy_client *c, const char *path, int json,
			 void (*print)(json_t *answer))
{
	struct xy_client_resp r = {0};
	int rc = xy_client_api(c, "GET", path, NULL, &r);
	if (!rc) {
		if (json)
			xy_client_put_raw(&r);
		else
			print(r.json);
	}
	xy_client_resp_cleanup(&r);
	return rc;
}

/* ---- query ---- */

static const char query_help[] =
	"usage: xinyong query CODE --purpose PURPOSE [--id-type TYPE] [--json]\n"
	"Shows a subject and every credit record you may see of it\n"
	"(GET /api/v1/subjects/CODE): a legal person by any of its codes, a natural\n"
	"person by identity number (--id-type for other documents, as submitted).\n"
	"Records you may not see are not shown; values you may not see in clear are\n"
	"masked and marked [masked].  PURPOSE is a code of `GET /api/v1/purposes`\n"
	"within your unit's use agreement (SHR-5).  Every query is audited.\n"
	"Exit status: 0 found, 1 not found or refused, 2 usage.\n";

static void print_record(json_t *rec)
{
	json_t *fields = json_object_get(rec, "fields"), *masked = json_object_get(rec, "masked");
	json_t *v, *m;
	const char *k;
	size_t i;
	printf("  record %lld  provider %s ",
	       (long long)json_integer_value(json_object_get(rec, "id")),
	       str(json_object_get(rec, "provider"), "code"));
	xy_client_put(stdout, str(json_object_get(rec, "provider"), "name"));
	printf("  basis %s\n", str(rec, "basis"));
	json_object_foreach (fields, k, v) {
		int is_masked = 0;
		json_array_foreach (masked, i, m) {
			if (json_is_string(m) && !strcmp(json_string_value(m), k))
				is_masked = 1;
		}
		printf("    %-16s ", k);
		xy_client_put(stdout, json_is_string(v) ? json_string_value(v) : "(hidden)");
		fputs(is_masked ? "  [masked]\n" : "\n", stdout);
	}
}

static void print_subject_answer(json_t *a)
{
	json_t *s = json_object_get(a, "subject"), *ds, *rec;
	size_t i, j;
	printf("subject %s  ", str(s, "code"));
	xy_client_put(stdout, str(s, "name"));
	printf("  (%s)  purpose %s\n", str(s, "kind"), str(a, "purpose"));
	json_array_foreach (json_object_get(a, "datasets"), i, ds) {
		printf("[%s ", str(ds, "code"));
		xy_client_put(stdout, str(ds, "name"));
		printf("] %zu record(s)\n", json_array_size(json_object_get(ds, "records")));
		json_array_foreach (json_object_get(ds, "records"), j, rec) {
			print_record(rec);
		}
	}
	if (json_is_true(json_object_get(a, "more")))
		puts("(more records: see GET /api/v1/datasets/{code}/records)");
}

int xy_cmd_query(int argc, char **argv)
{
	const char *code = NULL, *purpose = NULL, *id_type = NULL;
	char path[PATH_MAX_LEN], esc[256];
	struct xy_client c;
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(query_help, stdout);
			return XY_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--purpose") && i + 1 < argc) {
			purpose = argv[++i];
		} else if (!strcmp(argv[i], "--id-type") && i + 1 < argc) {
			id_type = argv[++i];
		} else if (argv[i][0] != '-' && !code) {
			code = argv[i];
		} else {
			fputs(query_help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (!code || !purpose) {
		fputs(query_help, stderr);
		return XY_EXIT_USAGE;
	}
	if ((rc = xy_client_signed_in(&c)))
		return rc;
	if (xy_client_escape(&c, code, esc, sizeof esc)) {
		xy_client_cleanup(&c);
		return XY_EXIT_FAIL;
	}
	snprintf(path, sizeof path, "/api/v1/subjects/%s", esc);
	rc = add_param(&c, path, sizeof path, "purpose", purpose);
	if (!rc)
		rc = add_param(&c, path, sizeof path, "id_type", id_type);
	if (!rc)
		rc = get_and_print(&c, path, json, print_subject_answer);
	xy_client_cleanup(&c);
	return rc;
}

/* ---- search ---- */

static const char search_help[] =
	"usage: xinyong search TEXT --purpose PURPOSE [--limit N] [--cursor C] [--json]\n"
	"Finds legal persons by part of their name or by code prefix\n"
	"(GET /api/v1/subjects?q=TEXT): only those with records you may see, with how\n"
	"many of each dataset.  Prints next=CURSOR when more may follow (--cursor).\n"
	"Exit status: 0 answered (even with no hits), 1 refused, 2 usage.\n";

static void print_hits(json_t *a)
{
	json_t *it, *cnt;
	const char *k;
	size_t i;
	json_array_foreach (json_object_get(a, "items"), i, it) {
		json_t *s = json_object_get(it, "subject");
		printf("%-20s ", str(s, "code"));
		xy_client_put(stdout, str(s, "name"));
		json_object_foreach (json_object_get(it, "records"), k, cnt) {
			printf("  %s=%lld", k, (long long)json_integer_value(cnt));
		}
		fputc('\n', stdout);
	}
	if (json_is_string(json_object_get(a, "next")))
		printf("next=%s\n", str(a, "next"));
}

int xy_cmd_search(int argc, char **argv)
{
	const char *text = NULL, *purpose = NULL, *limit = NULL, *cursor = NULL;
	char path[PATH_MAX_LEN] = "/api/v1/subjects";
	struct xy_client c;
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(search_help, stdout);
			return XY_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--purpose") && i + 1 < argc) {
			purpose = argv[++i];
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			limit = argv[++i];
		} else if (!strcmp(argv[i], "--cursor") && i + 1 < argc) {
			cursor = argv[++i];
		} else if (argv[i][0] != '-' && !text) {
			text = argv[i];
		} else {
			fputs(search_help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (!text || !purpose) {
		fputs(search_help, stderr);
		return XY_EXIT_USAGE;
	}
	if ((rc = xy_client_signed_in(&c)))
		return rc;
	if (!(rc = add_param(&c, path, sizeof path, "q", text)) &&
	    !(rc = add_param(&c, path, sizeof path, "purpose", purpose)) &&
	    !(rc = add_param(&c, path, sizeof path, "limit", limit)) &&
	    !(rc = add_param(&c, path, sizeof path, "cursor", cursor)))
		rc = get_and_print(&c, path, json, print_hits);
	xy_client_cleanup(&c);
	return rc;
}

/* ---- authorise ---- */

static const char authorise_help[] =
	"usage: xinyong authorise ask --dataset D --provider UNIT --purpose P\n"
	"                             (--subject CODE ... | --all) --from DATE --to DATE\n"
	"                             --reason TEXT [--clear REASON]\n"
	"       xinyong authorise list [--state submitted|approved|rejected|revoked]\n"
	"       xinyong authorise show ID\n"
	"       xinyong authorise approve ID [--note TEXT]\n"
	"       xinyong authorise reject ID --reason TEXT\n"
	"       xinyong authorise revoke ID --reason TEXT\n"
	"Authorisations for authorised-use data (SHR-3): a using unit asks the\n"
	"providing unit; an operator of the providing unit approves (never the\n"
	"person who asked, SOD-4), rejects or revokes.  Access ends by itself at the\n"
	"close of --to.  --clear asks for clear values of masked fields, with why.\n"
	"Add --json for the raw answer.  Exit status: 0 done, 1 refused, 2 usage.\n";

static void print_request(json_t *r)
{
	json_t *g;
	size_t i;
	printf("request %lld  %s  %s asks %s for %s (%s)  %s..%s\n",
	       (long long)json_integer_value(json_object_get(r, "id")), str(r, "state"),
	       str(r, "requester_unit"), str(r, "provider"), str(r, "dataset"), str(r, "purpose"),
	       str(r, "valid_from"), str(r, "valid_to"));
	printf("  by %s, %s, clear values %s\n", str(r, "requester"),
	       json_is_true(json_object_get(r, "all")) ? "every subject in scope"
						       : "listed subjects",
	       json_is_true(json_object_get(r, "clear")) ? "asked" : "not asked");
	printf("  reason: ");
	xy_client_put(stdout, str(r, "reason"));
	fputc('\n', stdout);
	json_array_foreach (json_object_get(r, "grants"), i, g) {
		printf("  grant %lld  %s .. %s  %s\n",
		       (long long)json_integer_value(json_object_get(g, "id")), str(g, "start"),
		       str(g, "end"),
		       json_is_true(json_object_get(g, "in_force")) ? "in force" : "not in force");
	}
}

static void print_requests(json_t *a)
{
	json_t *it;
	size_t i;
	json_array_foreach (json_object_get(a, "items"), i, it) {
		print_request(it);
	}
}

static int ask(struct xy_client *c, int argc, char **argv, int json)
{
	json_t *b = json_object(), *subjects = json_array();
	struct xy_client_resp r = {0};
	int all = 0, rc;
	static const char *const keys[][2] = {
		{"--dataset", "dataset"},   {"--provider", "provider"}, {"--purpose", "purpose"},
		{"--from", "valid_from"},   {"--to", "valid_to"},	{"--reason", "reason"},
		{"--clear", "clear_reason"}};
	for (int i = 2; i < argc; i++) {
		size_t k;
		if (!strcmp(argv[i], "--all")) {
			all = 1;
			continue;
		}
		if (!strcmp(argv[i], "--subject") && i + 1 < argc) {
			json_array_append_new(subjects, json_string(argv[++i]));
			continue;
		}
		for (k = 0; k < sizeof keys / sizeof *keys; k++)
			if (!strcmp(argv[i], keys[k][0]) && i + 1 < argc) {
				json_object_set_new(b, keys[k][1], json_string(argv[++i]));
				break;
			}
		if (k == sizeof keys / sizeof *keys) {
			json_decref(b);
			json_decref(subjects);
			fputs(authorise_help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	if (all)
		json_object_set_new(b, "all", json_true());
	if (json_array_size(subjects))
		json_object_set(b, "subjects", subjects);
	if (json_object_get(b, "clear_reason"))
		json_object_set_new(b, "clear", json_true());
	json_decref(subjects);
	rc = xy_client_api(c, "POST", "/api/v1/authorisations", b, &r);
	json_decref(b);
	if (!rc) {
		if (json)
			xy_client_put_raw(&r);
		else
			printf("request=%lld state=submitted\n",
			       (long long)json_integer_value(json_object_get(r.json, "id")));
	}
	xy_client_resp_cleanup(&r);
	return rc;
}

int xy_cmd_authorise(int argc, char **argv)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	char path[PATH_MAX_LEN];
	const char *sub = argc > 1 ? argv[1] : NULL, *text = NULL;
	int json = 0, rc;
	long long id = 0;

	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(authorise_help, sub ? stdout : stderr);
		return sub ? XY_EXIT_OK : XY_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			json = 1;
	if (strcmp(sub, "ask") != 0 && strcmp(sub, "list") != 0) {
		char *e;
		if (argc < 3 || (id = strtoll(argv[2], &e, 10)) <= 0 || *e) {
			fputs(authorise_help, stderr);
			return XY_EXIT_USAGE;
		}
		for (int i = 3; i + 1 < argc; i++)
			if (!strcmp(argv[i], "--reason") || !strcmp(argv[i], "--note"))
				text = argv[i + 1];
	}
	if ((rc = xy_client_signed_in(&c)))
		return rc;
	if (!strcmp(sub, "ask")) {
		rc = ask(&c, argc, argv, json);
	} else if (!strcmp(sub, "list")) {
		snprintf(path, sizeof path, "/api/v1/authorisations");
		for (int i = 2; !rc && i + 1 < argc; i++)
			if (!strcmp(argv[i], "--state"))
				rc = add_param(&c, path, sizeof path, "state", argv[i + 1]);
		if (!rc)
			rc = get_and_print(&c, path, json, print_requests);
	} else if (!strcmp(sub, "show")) {
		snprintf(path, sizeof path, "/api/v1/authorisations/%lld", id);
		rc = get_and_print(&c, path, json, print_request);
	} else if (!strcmp(sub, "approve") || !strcmp(sub, "reject") || !strcmp(sub, "revoke")) {
		json_t *b = json_object();
		if (text)
			json_object_set_new(b, strcmp(sub, "approve") ? "reason" : "note",
					    json_string(text));
		snprintf(path, sizeof path, "/api/v1/authorisations/%lld/%s", id, sub);
		rc = xy_client_api(&c, "POST", path, b, &r);
		json_decref(b);
		if (!rc)
			printf("request=%lld %s\n", id,
			       !strcmp(sub, "approve")	? "approved"
			       : !strcmp(sub, "reject") ? "rejected"
							: "revoked");
		xy_client_resp_cleanup(&r);
	} else {
		fputs(authorise_help, stderr);
		rc = XY_EXIT_USAGE;
	}
	xy_client_cleanup(&c);
	return rc;
}

/* ---- clients (SHR-6) ---- */

static const char clients_help[] =
	"usage: xinyong clients add --unit UNIT --name NAME --allow RANGES --agreement ID\n"
	"                           [--agreement ID...] [--rate N] [--quota N] [--to DATE]\n"
	"       xinyong clients list [--unit UNIT]\n"
	"       xinyong clients show ID\n"
	"       xinyong clients revoke ID --reason TEXT\n"
	"Machine clients of the data API (SHR-6), kept by the credit office: another\n"
	"government system of a using unit, bound to some of its agreements, allowed\n"
	"from RANGES (e.g. \"10.8.0.0/16,10.9.1.5\"), N requests a second (default 10)\n"
	"and N a day (default 10000), until DATE (default: its agreements' last day).\n"
	"`add` prints the client id and secret once; the system sends them as HTTP\n"
	"Basic credentials to the query endpoints.  Add --json for the raw answer.\n";

static void print_client(json_t *c)
{
	json_t *v;
	size_t i;
	printf("client %lld  %s  %s  unit %s  %s\n",
	       (long long)json_integer_value(json_object_get(c, "id")), str(c, "client_id"),
	       json_is_true(json_object_get(c, "in_force")) ? "in force" : "revoked",
	       str(c, "unit"), str(c, "valid_to"));
	printf("  name: ");
	xy_client_put(stdout, str(c, "name"));
	printf("\n  allow %s, %lld/s, %lld of %lld today, agreements", str(c, "allow"),
	       (long long)json_integer_value(json_object_get(c, "rate")),
	       (long long)json_integer_value(json_object_get(c, "used_today")),
	       (long long)json_integer_value(json_object_get(c, "daily_quota")));
	json_array_foreach (json_object_get(c, "agreements"), i, v) {
		printf(" %lld", (long long)json_integer_value(v));
	}
	fputc('\n', stdout);
}

static void print_clients(json_t *a)
{
	json_t *it;
	size_t i;
	json_array_foreach (json_object_get(a, "items"), i, it) {
		print_client(it);
	}
}

static int client_add(struct xy_client *c, int argc, char **argv, int json)
{
	json_t *b = json_object(), *ags = json_array();
	struct xy_client_resp r = {0};
	int rc;
	static const char *const keys[][2] = {
		{"--unit", "unit"}, {"--name", "name"}, {"--allow", "allow"}, {"--to", "valid_to"}};
	for (int i = 2; i < argc; i++) {
		size_t k;
		char *e;
		if (!strcmp(argv[i], "--json"))
			continue;
		if ((!strcmp(argv[i], "--agreement") || !strcmp(argv[i], "--rate") ||
		     !strcmp(argv[i], "--quota")) &&
		    i + 1 < argc) {
			long long v = strtoll(argv[i + 1], &e, 10);
			if (!*argv[i + 1] || *e)
				break;
			if (!strcmp(argv[i], "--agreement"))
				json_array_append_new(ags, json_integer(v));
			else
				json_object_set_new(
					b, strcmp(argv[i], "--rate") ? "daily_quota" : "rate",
					json_integer(v));
			i++;
			continue;
		}
		for (k = 0; k < sizeof keys / sizeof *keys; k++)
			if (!strcmp(argv[i], keys[k][0]) && i + 1 < argc) {
				json_object_set_new(b, keys[k][1], json_string(argv[++i]));
				break;
			}
		if (k == sizeof keys / sizeof *keys) {
			json_decref(b);
			json_decref(ags);
			fputs(clients_help, stderr);
			return XY_EXIT_USAGE;
		}
	}
	json_object_set_new(b, "agreements", ags);
	rc = xy_client_api(c, "POST", "/api/v1/clients", b, &r);
	json_decref(b);
	if (!rc) {
		if (json)
			xy_client_put_raw(&r);
		else
			printf("client=%lld client_id=%s secret=%s\n"
			       "(the secret is shown this once: give it to the system's "
			       "operator)\n",
			       (long long)json_integer_value(json_object_get(r.json, "id")),
			       str(r.json, "client_id"), str(r.json, "secret"));
	}
	xy_client_resp_cleanup(&r);
	return rc;
}

int xy_cmd_clients(int argc, char **argv)
{
	struct xy_client c;
	struct xy_client_resp r = {0};
	char path[PATH_MAX_LEN];
	const char *sub = argc > 1 ? argv[1] : NULL, *reason = NULL;
	int json = 0, rc = 0;
	long long id = 0;

	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(clients_help, sub ? stdout : stderr);
		return sub ? XY_EXIT_OK : XY_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			json = 1;
	if (!strcmp(sub, "show") || !strcmp(sub, "revoke")) {
		char *e;
		if (argc < 3 || (id = strtoll(argv[2], &e, 10)) <= 0 || *e) {
			fputs(clients_help, stderr);
			return XY_EXIT_USAGE;
		}
		for (int i = 3; i + 1 < argc; i++)
			if (!strcmp(argv[i], "--reason"))
				reason = argv[i + 1];
	} else if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0) {
		fputs(clients_help, stderr);
		return XY_EXIT_USAGE;
	}
	if ((rc = xy_client_signed_in(&c)))
		return rc;
	if (!strcmp(sub, "add")) {
		rc = client_add(&c, argc, argv, json);
	} else if (!strcmp(sub, "list")) {
		snprintf(path, sizeof path, "/api/v1/clients");
		for (int i = 2; !rc && i + 1 < argc; i++)
			if (!strcmp(argv[i], "--unit"))
				rc = add_param(&c, path, sizeof path, "unit", argv[i + 1]);
		if (!rc)
			rc = get_and_print(&c, path, json, print_clients);
	} else if (!strcmp(sub, "show")) {
		snprintf(path, sizeof path, "/api/v1/clients/%lld", id);
		rc = get_and_print(&c, path, json, print_client);
	} else {
		json_t *b = json_object();
		if (reason)
			json_object_set_new(b, "reason", json_string(reason));
		snprintf(path, sizeof path, "/api/v1/clients/%lld/revoke", id);
		rc = xy_client_api(&c, "POST", path, b, &r);
		json_decref(b);
		if (!rc)
			printf("client=%lld revoked\n", id);
		xy_client_resp_cleanup(&r);
	}
	xy_client_cleanup(&c);
	return rc;
}
