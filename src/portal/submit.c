/* Objections and repair applications from the public (POR-3, POR-4), and the ticket
 * lookup.  A form carries a token HMAC'd with a secret the portal draws at start (no
 * cookie): "EXPIRY.MAC" over the form's kind and record.  A good submission becomes a
 * file signed with the portal's key in PDIR/outbox (docs/FORMATS.md "Submissions"),
 * numbered per portal key; the submitter sees the ticket number and a 12-character
 * check code once.  The portal keeps only the ticket and SM3(ticket:check). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ferry/sfile.h"
#include "portal/form.h"
#include "portal/portal_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"
#include "util/utf8.h"

#define TOKEN_MAX 96
#define CHECK_LEN 12

/* No 0/O, 1/I/L: read aloud or copied by hand. */
static const char check_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

int xy_portal_submit_init(struct xy_portal *p)
{
	uint8_t key[32];
	int rc = xy_random(key, sizeof key);
	if (!rc)
		rc = xy_hmac_new(&p->form_mac, key, sizeof key);
	xy_wipe(key, sizeof key);
	return rc;
}

static void mac_hex(struct xy_portal *p, int repair, long long record, long long exp, char out[65])
{
	char msg[96];
	uint8_t m[XY_SM3_LEN];
	int n = snprintf(msg, sizeof msg, "%s:%lld:%lld", repair ? "repair" : "objection", record,
			 exp);
	pthread_mutex_lock(&p->submit_mu);
	xy_hmac_oneshot(p->form_mac, msg, (size_t)n, m);
	pthread_mutex_unlock(&p->submit_mu);
	for (int i = 0; i < XY_SM3_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", m[i]);
}

static void make_token(struct xy_portal *p, int repair, long long record, char *out, size_t n)
{
	char mac[65];
	long long exp = (long long)time(NULL) + XY_PORTAL_FORM_TTL_S;
	mac_hex(p, repair, record, exp, mac);
	snprintf(out, n, "%lld.%s", exp, mac);
}

/* 0 good, 1 expired, -1 not ours. */
static int check_token(struct xy_portal *p, int repair, long long record, const char *tok)
{
	char mac[65];
	char *dot;
	long long exp;
	if (!tok || strlen(tok) > TOKEN_MAX)
		return -1;
	exp = strtoll(tok, &dot, 10);
	if (*dot != '.' || strlen(dot + 1) != 64)
		return -1;
	mac_hex(p, repair, record, exp, mac);
	if (!xy_ct_equal(mac, dot + 1, 64))
		return -1;
	if (exp < (long long)time(NULL) || exp > (long long)time(NULL) + XY_PORTAL_FORM_TTL_S)
		return 1;
	return 0;
}

/* ---- validation (POR-4: only what is needed) ---- */

struct input {
	const char *name, *contact, *reason, *token;
	int commitment;
	const char *err_name, *err_contact, *err_reason, *err_commitment;
	int nerr;
};

static int phone_ok(const char *s)
{
	size_t n = strlen(s), digits = 0;
	if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9') {
		for (size_t i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return 0;
		return 1;
	}
	/* a fixed line: 0 + area code, optional '-', 7 or 8 digits */
	if (s[0] != '0' || n < 10 || n > 13)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-' && i >= 3 && i <= 4 && s[i + 1])
			continue;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		digits++;
	}
	return digits >= 10 && digits <= 12;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > XY_PORTAL_CONTACT_MAX)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') || strchr("._%+-@", *c)))
			return 0;
	dot = strrchr(at, '.');
	return dot && dot > at + 1 && strlen(dot + 1) >= 2 && !strstr(at, "..");
}

static size_t chars(const char *s)
{
	return s ? xy_utf8_len(s, strlen(s)) : 0;
}

static int blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return 0;
	return 1;
}

static void validate(struct input *in, int repair)
{
	if (blank(in->name))
		in->err_name = "请填写姓名或单位名称。";
	else if (chars(in->name) > XY_PORTAL_PNAME_MAX || strchr(in->name, '\n'))
		in->err_name = "姓名或单位名称不超过 50 个字，且只占一行。";
	if (blank(in->contact))
		in->err_contact = "请填写联系电话或电子邮箱。";
	else if (strlen(in->contact) > XY_PORTAL_CONTACT_MAX ||
		 !(phone_ok(in->contact) || email_ok(in->contact)))
		in->err_contact = "请填写有效的手机号码（11 位）、固定电话（如 0792-8123456）"
				  "或电子邮箱。";
	if (blank(in->reason))
		in->err_reason = repair ? "请填写修复说明。" : "请填写异议理由。";
	else if (chars(in->reason) < 5)
		in->err_reason = "理由不少于 5 个字。";
	else if (chars(in->reason) > XY_PORTAL_REASON_MAX)
		in->err_reason = "理由不超过 1000 个字。";
	if (repair && !in->commitment)
		in->err_commitment = "申请信用修复须勾选信用承诺。";
	in->nerr = !!in->err_name + !!in->err_contact + !!in->err_reason + !!in->err_commitment;
}

/* ---- the form ---- */

struct rec_info {
	char dataset[XY_CS_CODE_MAX + 1];
	char subject[XY_CS_CODE_MAX + 1];
	char unit[XY_CS_TEXT_MAX + 1];
	char date[11];
};

static int rec_info_cb(void *arg, const struct xy_precord *r)
{
	struct rec_info *ri = arg;
	json_t *root = json_loadb(r->line, r->len, 0, NULL);
	snprintf(ri->dataset, sizeof ri->dataset, "%s", r->dataset);
	snprintf(ri->subject, sizeof ri->subject, "%s", r->subject);
	snprintf(ri->date, sizeof ri->date, "%s", r->date);
	snprintf(ri->unit, sizeof ri->unit, "%s",
		 root ? json_string_value(json_object_get(root, "unit")) : "");
	json_decref(root);
	return 0;
}

static int repairable(const char *dataset)
{
	return !strcmp(dataset, "XZCF") || !strcmp(dataset, "YZSX");
}

static void field_error(struct xy_html *h, const char *id, const char *msg)
{
	if (!msg)
		return;
	xy_html_raw(h, "<span class=\"error\" id=\"");
	xy_html_raw(h, id);
	xy_html_raw(h, "\">");
	xy_html_v(h, msg);
	xy_html_raw(h, "</span>");
}

static void described(struct xy_html *h, const char *id, const char *msg)
{
	if (!msg)
		return;
	xy_html_raw(h, " aria-invalid=\"true\" aria-describedby=\"");
	xy_html_raw(h, id);
	xy_html_raw(h, "\"");
}

static void render_form(struct xy_portal *p, struct xy_http_req *rq, int repair, long long id,
			const struct rec_info *ri, const struct input *in, int status)
{
	struct xy_html h;
	char tok[TOKEN_MAX + 1];
	const char *what = repair ? "信用修复申请" : "异议申诉";
	xy_buf_reset(&rq->out);
	rq->etag[0] = 0;
	rq->cache = NULL; /* no-store: the token is fresh each time */
	make_token(p, repair, id, tok, sizeof tok);
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, what);
	xy_html_raw(&h, "<h1>");
	xy_html_raw(&h, what);
	xy_html_raw(&h, "</h1>\n<dl class=\"kv\">");
	xy_html_raw(&h, "<dt>信息类别</dt><dd>");
	xy_html_v(&h, xy_page_dataset_name(p, ri->dataset));
	xy_html_raw(&h, "</dd><dt>信息编号</dt><dd><a href=\"/records/");
	xy_html_int(&h, id);
	xy_html_raw(&h, "\">");
	xy_html_int(&h, id);
	xy_html_raw(&h, "</a></dd><dt>来源单位</dt><dd>");
	xy_html_v(&h, ri->unit);
	xy_html_raw(&h, "</dd><dt>决定日期</dt><dd>");
	xy_html_v(&h, ri->date);
	xy_html_raw(&h, "</dd></dl>\n");
	if (in && in->nerr) {
		xy_html_raw(&h, "<div class=\"errors\" role=\"alert\"><p>提交未成功，请修改以下 ");
		xy_html_int(&h, in->nerr);
		xy_html_raw(&h, " 处后重新提交。</p></div>\n");
	}
	xy_html_raw(&h, "<p class=\"notice\">我们只收集办理所必需的信息，详见<a href=\"/privacy\">"
			"隐私说明</a>。带 * 的为必填项。</p>\n<form class=\"form\" method=\"post\" "
			"action=\"/");
	xy_html_raw(&h, repair ? "repairs" : "objections");
	xy_html_raw(&h, "/new?record=");
	xy_html_int(&h, id);
	xy_html_raw(&h, "\">\n<input type=\"hidden\" name=\"token\" value=\"");
	xy_html_v(&h, tok);
	xy_html_raw(&h, "\">\n<p><label for=\"name\">姓名或单位名称 *</label>"
			"<input type=\"text\" id=\"name\" name=\"name\" maxlength=\"50\" required "
			"autocomplete=\"name\"");
	described(&h, "name-err", in ? in->err_name : NULL);
	xy_html_raw(&h, " value=\"");
	xy_html_v(&h, in ? in->name : NULL);
	xy_html_raw(&h, "\">");
	field_error(&h, "name-err", in ? in->err_name : NULL);
	xy_html_raw(&h, "</p>\n<p><label for=\"contact\">联系电话或电子邮箱 *</label>"
			"<input type=\"text\" id=\"contact\" name=\"contact\" maxlength=\"100\" "
			"required");
	described(&h, "contact-err", in ? in->err_contact : NULL);
	xy_html_raw(&h, " value=\"");
	xy_html_v(&h, in ? in->contact : NULL);
	xy_html_raw(&h, "\">");
	field_error(&h, "contact-err", in ? in->err_contact : NULL);
	xy_html_raw(&h, "</p>\n<p><label for=\"reason\">");
	xy_html_raw(&h, repair ? "修复说明（已履行的义务、整改情况）*" : "异议理由 *");
	xy_html_raw(&h, "</label><textarea id=\"reason\" name=\"reason\" rows=\"6\" "
			"maxlength=\"1000\" required");
	described(&h, "reason-err", in ? in->err_reason : NULL);
	xy_html_raw(&h, ">");
	xy_html_v(&h, in ? in->reason : NULL);
	xy_html_raw(&h, "</textarea>");
	field_error(&h, "reason-err", in ? in->err_reason : NULL);
	xy_html_raw(&h, "</p>\n");
	if (repair) {
		xy_html_raw(&h, "<p><label><input type=\"checkbox\" name=\"commitment\" "
				"value=\"1\" required");
		described(&h, "commitment-err", in ? in->err_commitment : NULL);
		if (in && in->commitment)
			xy_html_raw(&h, " checked");
		xy_html_raw(&h,
			    "> 本人（本单位）承诺所提交的材料真实有效，已履行相关义务并完成整改，"
			    "如有虚假愿承担相应责任。*</label>");
		field_error(&h, "commitment-err", in ? in->err_commitment : NULL);
		xy_html_raw(&h, "</p>\n");
	}
	xy_html_raw(&h, "<p><button type=\"submit\">提交</button></p>\n</form>\n");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, status);
}

static int load_record(struct xy_portal *p, struct xy_http_req *rq, int repair, long long *id,
		       struct rec_info *ri)
{
	struct xy_pstore *s = xy_portal_store(p);
	char today[11];
	int rc;
	*id = xy_page_record_id(xy_http_query(&rq->target, "record"));
	if (!s) {
		xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
		return -1;
	}
	if (!*id) {
		xy_page_error(p, rq, 400, "请从公示信息的详情页进入（缺少信息编号）。");
		return -1;
	}
	xy_page_today(today);
	memset(ri, 0, sizeof *ri);
	rc = xy_pstore_record(s, *id, today, rec_info_cb, ri);
	if (rc) {
		xy_page_error(p, rq, rc == XY_ENOTFOUND ? 404 : 500,
			      rc == XY_ENOTFOUND
				      ? "未找到该条公示信息（可能已超过公示期或已撤下）。"
				      : "服务暂时不可用，请稍后再试。");
		return -1;
	}
	if (repair && !repairable(ri->dataset)) {
		xy_page_error(p, rq, 400,
			      "该类信息不适用信用修复；如认为信息有误，请提出异议申诉。");
		return -1;
	}
	return 0;
}

void xy_page_form(struct xy_portal *p, struct xy_http_req *rq, int repair)
{
	struct rec_info ri;
	long long id;
	if (load_record(p, rq, repair, &id, &ri))
		return;
	render_form(p, rq, repair, id, &ri, NULL, 200);
}

/* ---- the submission ---- */

static int random_ticket(char ticket[24], char check[CHECK_LEN + 1])
{
	uint8_t r[CHECK_LEN + 4];
	char day[11];
	uint32_t n;
	int rc = xy_random(r, sizeof r);
	if (rc)
		return rc;
	xy_page_today(day);
	memcpy(&n, r + CHECK_LEN, 4);
	snprintf(ticket, 24, "YY%.4s%.2s%.2s%06u", day, day + 5, day + 8, n % 1000000u);
	for (int i = 0; i < CHECK_LEN; i++)
		check[i] = check_alphabet[r[i] % (sizeof check_alphabet - 1)];
	check[CHECK_LEN] = 0;
	xy_wipe(r, sizeof r);
	return 0;
}

static void check_hash(const char *ticket, const char *check, char out[65])
{
	char msg[64];
	uint8_t h[XY_SM3_LEN];
	int n = snprintf(msg, sizeof msg, "%s:%s", ticket, check);
	xy_sm3(msg, (size_t)n, h);
	for (int i = 0; i < XY_SM3_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
	xy_wipe(msg, sizeof msg);
}

static void now_rfc3339(char out[24])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_submission(struct xy_portal *p, int repair, long long id,
			    const struct rec_info *ri, const struct input *in, const char *ticket,
			    const char *hash, const char *submitted, long long *seq)
{
	struct xy_pstore *s = xy_portal_store(p);
	struct xy_sfile_writer w;
	char dir[PORTAL_DIR_MAX + 16], name[XY_SFILE_NAME_MAX], idtext[24];
	json_t *hdr = NULL, *line = NULL;
	int rc;
	if (!s)
		return XY_ESTORE;
	idtext[xy_i64_str(id, idtext)] = 0;
	rc = xy_pstore_own_begin(s, ticket, hash, repair ? "repair" : "objection", id, submitted,
				 seq);
	if (rc)
		return rc;
	snprintf(dir, sizeof dir, "%s/outbox", p->dir);
	snprintf(name, sizeof name, XY_SFILE_SUB_FMT, *seq);
	hdr = json_object();
	line = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind",
			 repair ? "repair" : "objection", "ticket", ticket, "check", hash, "record",
			 idtext, "subject", ri->subject, "name", in->name, "contact", in->contact,
			 "reason", in->reason, "submitted", submitted);
	if (!hdr || !line || (repair && json_object_set_new(line, "commitment", json_true()))) {
		rc = XY_ENOMEM;
		goto out;
	}
	if ((rc = xy_sfile_begin(&w, dir, name, XY_SFILE_SUBMISSIONS, *seq, hdr, p->own)))
		goto out;
	if ((rc = xy_sfile_put(&w, line))) {
		xy_sfile_abort(&w);
		goto out;
	}
	rc = xy_sfile_commit(&w, p->own, NULL);
out:
	json_decref(hdr);
	json_decref(line);
	if (!rc)
		rc = xy_pstore_own_commit(s);
	else
		xy_pstore_rollback(s);
	return rc;
}

static void receipt(struct xy_portal *p, struct xy_http_req *rq, int repair, const char *ticket,
		    const char *check)
{
	struct xy_html h;
	xy_buf_reset(&rq->out);
	rq->etag[0] = 0;
	rq->cache = NULL;
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, "提交成功");
	xy_html_raw(&h, "<h1>");
	xy_html_raw(&h, repair ? "信用修复申请已提交" : "异议申诉已提交");
	xy_html_raw(&h, "</h1>\n<p class=\"notice\" role=\"status\">请记下受理编号和查询码。查询码"
			"只在本页显示一次，本网站不保存查询码，遗失后无法查询办理进度。</p>\n"
			"<dl class=\"kv\"><dt>受理编号</dt><dd class=\"code\" id=\"ticket\">");
	xy_html_v(&h, ticket);
	xy_html_raw(&h, "</dd><dt>查询码</dt><dd class=\"code\" id=\"check\">");
	xy_html_v(&h, check);
	xy_html_raw(&h, "</dd></dl>\n<p>您的申请将送交信用办办理；可在<a href=\"/tickets\">办理进度"
			"查询</a>页面凭受理编号和查询码查看进度。</p>\n");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, 200);
}

void xy_page_form_post(struct xy_portal *p, struct xy_http_req *rq, int repair)
{
	struct rec_info ri;
	struct xy_form *f;
	struct input in;
	char ticket[24], check[CHECK_LEN + 1], hash[65], submitted[24];
	long long id, seq = 0;
	int rc, tries;

	if (load_record(p, rq, repair, &id, &ri))
		return;
	if (!rq->content_type ||
	    strncmp(rq->content_type, "application/x-www-form-urlencoded", 33) != 0)
		return xy_page_error(p, rq, 415, "提交的内容格式不正确。");
	f = malloc(sizeof *f);
	if (!f)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	rc = xy_form_parse(rq->body.p ? rq->body.p : "", rq->body.len, f);
	if (rc) {
		free(f);
		return xy_page_error(p, rq, rc == XY_ELIMIT ? 413 : 400,
				     "提交的内容无法识别（含有不允许的字符或字段重复）。");
	}
	memset(&in, 0, sizeof in);
	in.name = xy_form_get(f, "name");
	in.contact = xy_form_get(f, "contact");
	in.reason = xy_form_get(f, "reason");
	in.token = xy_form_get(f, "token");
	in.commitment = repair && xy_form_get(f, "commitment") &&
			!strcmp(xy_form_get(f, "commitment"), "1");
	rc = check_token(p, repair, id, in.token);
	if (rc) {
		/* POR-3: a form not made by this portal (or too old) is not taken */
		in.nerr = 1;
		in.err_name = NULL;
		free(f);
		return xy_page_error(p, rq, 400,
				     rc > 0 ? "表单已过期，请返回重新打开表单后提交。"
					    : "表单校验失败，请从本网站的表单页面提交。");
	}
	validate(&in, repair);
	if (in.nerr) {
		render_form(p, rq, repair, id, &ri, &in, 400);
		free(f);
		return;
	}
	now_rfc3339(submitted);
	pthread_mutex_lock(&p->submit_mu);
	for (tries = 0; tries < 5; tries++) {
		if ((rc = random_ticket(ticket, check)))
			break;
		check_hash(ticket, check, hash);
		rc = write_submission(p, repair, id, &ri, &in, ticket, hash, submitted, &seq);
		if (rc != XY_EEXISTS)
			break;
	}
	pthread_mutex_unlock(&p->submit_mu);
	free(f);
	if (rc) {
		xy_log_error("submission could not be written: %s", xy_strerror(rc));
		return xy_page_error(p, rq, 500, "提交未能保存，请稍后再试。");
	}
	xy_log_info("POR-3: %s %s for record %lld written as submissions file %lld",
		    repair ? "repair" : "objection", ticket, id, seq);
	receipt(p, rq, repair, ticket, check);
	xy_wipe(check, sizeof check);
}

/* ---- tickets ---- */

static const char *status_text(const char *s)
{
	static const struct {
		const char *code, *text;
	} t[] = {
		{"pending", "已提交，尚待送达信用办"},
		{"received", "信用办已收到"},
		{"accepted", "已受理"},
		{"refused", "不予受理"},
		{"verifying", "数据提供单位核实中"},
		{"corrected", "已更正"},
		{"upheld", "经核实，原信息无误，予以维持"},
		{"revoked", "已撤销该信息"},
		{"approved", "同意修复"},
		{"rejected", "不同意修复"},
		{"closed", "已办结"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(s, t[i].code))
			return t[i].text;
	return s;
}

void xy_page_tickets(struct xy_portal *p, struct xy_http_req *rq)
{
	const char *ticket = xy_http_query(&rq->target, "ticket");
	const char *check = xy_http_query(&rq->target, "check");
	struct xy_pstore *s = xy_portal_store(p);
	struct xy_pticket t;
	struct xy_html h;
	char hash[65];
	int status = 200, rc = XY_ENOTFOUND;
	rq->etag[0] = 0;
	rq->cache = NULL;
	if (!s)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, "办理进度查询");
	xy_html_raw(&h, "<h1>办理进度查询</h1>\n");
	if (ticket || check) {
		/* POR-3: a wrong check code is answered exactly as an unknown ticket */
		if (ticket && check && strlen(ticket) <= XY_CS_CODE_MAX &&
		    strlen(check) == CHECK_LEN) {
			rc = xy_pstore_ticket(s, ticket, &t);
			check_hash(ticket, check, hash);
			if (!rc && !xy_ct_equal(hash, t.check, 64))
				rc = XY_ENOTFOUND;
		}
		if (rc == 0) {
			xy_html_raw(&h, "<section class=\"card\" role=\"status\"><h2>受理编号 ");
			xy_html_v(&h, ticket);
			xy_html_raw(&h, "</h2><dl class=\"kv\"><dt>事项</dt><dd>");
			xy_html_raw(&h, !strcmp(t.kind, "repair") ? "信用修复申请" : "异议申诉");
			xy_html_raw(&h, "</dd><dt>状态</dt><dd id=\"status\">");
			xy_html_v(&h, status_text(t.status));
			xy_html_raw(&h, "</dd><dt>更新时间</dt><dd>");
			xy_html_v(&h, t.updated);
			xy_html_raw(&h, "</dd>");
			if (t.reply[0]) {
				xy_html_raw(&h, "<dt>答复</dt><dd>");
				xy_html_v(&h, t.reply);
				xy_html_raw(&h, "</dd>");
			}
			xy_html_raw(&h, "</dl></section>\n");
		} else if (rc == XY_ENOTFOUND) {
			status = 404;
			xy_html_raw(&h,
				    "<div class=\"errors\" role=\"alert\"><p>未找到该受理编号，或"
				    "查询码不正确。</p></div>\n");
		} else {
			return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
		}
	}
	xy_html_raw(&h,
		    "<form class=\"form\" action=\"/tickets\" method=\"get\">\n"
		    "<p><label for=\"ticket\">受理编号</label><input type=\"text\" id=\"ticket\" "
		    "name=\"ticket\" maxlength=\"32\" required value=\"");
	xy_html_v(&h, ticket);
	xy_html_raw(&h, "\"></p>\n<p><label for=\"check\">查询码（12 位）</label><input "
			"type=\"text\" id=\"check\" name=\"check\" maxlength=\"12\" required "
			"autocomplete=\"off\"></p>\n<p><button type=\"submit\">查询</button></p>\n"
			"</form>\n");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, status);
}
