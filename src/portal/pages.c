/* The portal's pages (POR-1, POR-4): server-rendered HTML in Chinese, no script, one
 * style sheet.  Every value goes through the HTML writer (html.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/portal_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/log.h"

const char xy_portal_css[] =
	":root{--ink:#1f2329;--muted:#55606e;--line:#d9dee5;--brand:#9e1b1b;--link:#0b4f9c;"
	"--bg:#f5f6f8;--warn:#8a4b00}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:16px/1.7 -apple-system,\"PingFang SC\",\"Microsoft YaHei\","
	"\"Noto Sans CJK SC\",sans-serif;color:var(--ink);background:var(--bg)}\n"
	"a{color:var(--link)}a:focus,button:focus,input:focus,textarea:focus{outline:3px solid "
	"#f0b400;outline-offset:2px}\n"
	".skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;"
	"padding:8px;z-index:9}\n"
	".wrap{max-width:1080px;margin:0 auto;padding:0 16px}\n"
	".top{background:var(--brand);color:#fff}.top .wrap{display:flex;flex-wrap:wrap;"
	"align-items:center;justify-content:space-between;padding-top:12px;padding-bottom:12px}\n"
	".brand{color:#fff;font-size:1.35rem;font-weight:700;text-decoration:none;"
	"letter-spacing:.05em}\n"
	".top nav a{color:#fff;margin-left:18px;text-decoration:none}.top nav a:hover{"
	"text-decoration:underline}\n"
	"main.wrap{background:#fff;margin:20px auto;padding:20px 24px;border:1px solid var(--line);"
	"border-radius:4px}\n"
	"h1{font-size:1.6rem;margin:.2em 0 .6em}h2{font-size:1.2rem;border-left:4px solid "
	"var(--brand);padding-left:10px;margin-top:1.6em}\n"
	".search{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.search label{width:100%;"
	"font-weight:600}\n"
	"input[type=text],input[type=search],textarea{font:inherit;padding:8px 10px;border:1px "
	"solid #8a94a3;border-radius:3px;width:100%;max-width:640px}\n"
	".search input{flex:1;min-width:200px}\n"
	"button{font:inherit;background:var(--brand);color:#fff;border:0;border-radius:3px;"
	"padding:8px 22px;cursor:pointer}\n"
	".results{list-style:none;padding:0}.results li{border-bottom:1px solid var(--line);"
	"padding:10px 0}\n"
	".code{font-family:ui-monospace,Consolas,monospace;color:var(--muted)}\n"
	"dd.code{color:var(--ink);font-size:1.3rem;font-weight:700;letter-spacing:.08em}\n"
	"dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}\n"
	"dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;word-break:break-all}\n"
	".card{border:1px solid var(--line);border-radius:4px;padding:12px 16px;margin:12px 0}\n"
	".card h3{font-size:1.05rem;margin:0 0 8px}.card h2{margin-top:.4em}\n"
	".mark{display:inline-block;background:#fff3e0;color:var(--warn);border:1px solid "
	"#e0a060;border-radius:3px;padding:0 6px;font-size:.85rem;margin-left:8px}\n"
	".masked{color:var(--muted);font-size:.85rem}\n"
	".actions a{margin-right:16px}\n"
	"table.fields{border-collapse:collapse;width:100%}table.fields th,table.fields td{border:"
	"1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}\n"
	"table.fields th{background:#f0f2f5;width:30%;font-weight:600}\n"
	".form p{margin:0 0 14px}.form label{display:block;font-weight:600}\n"
	".error{color:#a40000;font-weight:600}.form .error{display:block;margin-top:4px}\n"
	".errors{border:2px solid #a40000;padding:8px 16px;margin:12px 0}.errors p{margin:0}\n"
	".form [aria-invalid=true]{border:2px solid #a40000}\n"
	".notice{background:#eef5fc;border:1px solid #b6d0ee;padding:10px 16px}\n"
	".pager a{margin-right:16px}\n"
	"footer{color:var(--muted);font-size:.9rem;padding:8px 0 24px}\n"
	"@media (max-width:600px){main.wrap{margin:12px auto;padding:14px}.top nav a{margin:0 "
	"12px 0 0}dl.kv{gap:2px 12px}table.fields th{width:40%}}\n";

/* POR-1: the four groups of a subject page, in this order; their title fields. */
static const struct group {
	const char *dataset, *name, *title[3];
	int repairable;
} groups[] = {
	{"XZXK", "行政许可", {"XK_XKWS", "XK_WSH", NULL}, 0},
	{"XZCF", "行政处罚", {"CF_WSH", "CF_CFLB", NULL}, 1},
	{"YZSX", "严重失信主体名单", {"YZSX_LRYY", "YZSX_LRWH", NULL}, 1},
	{"SXJL", "守信激励名单", {"SXJL_RYMC", "SXJL_RDWH", NULL}, 0},
};

const char *xy_page_dataset_name(const struct xy_portal *p, const char *code)
{
	const struct xy_dataset *ds = p->cat ? xy_catalog_dataset(p->cat, code) : NULL;
	for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
		if (!strcmp(code, groups[i].dataset))
			return groups[i].name;
	return ds ? ds->name : code;
}

void xy_page_today(char out[11])
{
	xy_date_format(xy_today(), out);
}

long long xy_page_record_id(const char *s)
{
	long long v = 0;
	if (!s || !*s || strlen(s) > 18 || *s == '0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* "2026-11-22T08:00:00Z" -> "2026-11-22 16:00" (China time). */
static void time_cn(const char *utc, char *out, size_t n)
{
	int32_t day;
	int h, y, m, d;
	if (!xy_cs_is_time(utc) || xy_date_parse(utc, 10, &day)) {
		snprintf(out, n, "—");
		return;
	}
	h = xy_two_digits(utc + 11) + 8;
	if (h >= 24) {
		h -= 24;
		day++;
	}
	xy_date_to_ymd(day, &y, &m, &d);
	snprintf(out, n, "%04d-%02d-%02d %02d:%.2s", y, m, d, h, utc + 14);
}

void xy_page_open(struct xy_portal *p, struct xy_html *h, const char *title)
{
	xy_html_raw(h, "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<title>");
	xy_html_v(h, title);
	xy_html_raw(h, " - ");
	xy_html_v(h, p->name);
	xy_html_raw(h, "</title>\n<link rel=\"stylesheet\" href=\"/static/site.css?v=");
	xy_html_raw(h, p->css_ver);
	xy_html_raw(h, "\">\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">跳到主要内容</a>\n"
		       "<header class=\"top\"><div class=\"wrap\"><a class=\"brand\" href=\"/\">");
	xy_html_v(h, p->name);
	xy_html_raw(h, "</a>\n<nav aria-label=\"主导航\"><a href=\"/\">首页</a>"
		       "<a href=\"/tickets\">办理进度查询</a><a href=\"/privacy\">隐私说明</a>"
		       "</nav></div></header>\n<main id=\"main\" class=\"wrap\">\n");
}

void xy_page_close(struct xy_portal *p, struct xy_html *h)
{
	struct xy_pstate st;
	char when[32];
	xy_portal_state(p, &st);
	xy_html_raw(h, "</main>\n<footer><div class=\"wrap\">\n<p>数据更新：");
	if (st.seq) {
		time_cn(st.created, when, sizeof when);
		xy_html_raw(h, "第 ");
		xy_html_int(h, st.seq);
		xy_html_raw(h, " 期变更（");
		xy_html_v(h, when);
		xy_html_raw(h, "，北京时间），来源：");
		xy_html_v(h, st.platform);
	} else {
		xy_html_raw(h, "尚未收到公共信用信息共享平台发布的数据");
	}
	xy_html_raw(h, "</p>\n<p>本网站公示的信用信息由各数据提供单位报送，经公共信用信息共享平台"
		       "脱敏后发布。如对信息有异议，可在信息详情页提出异议申诉。</p>\n"
		       "</div></footer>\n</body>\n</html>\n");
}

void xy_page_done(struct xy_http_req *rq, const struct xy_html *h, int status)
{
	rq->ctype = "text/html; charset=utf-8";
	if (xy_html_end(h)) {
		xy_buf_reset(&rq->out);
		rq->etag[0] = 0;
		rq->status = 500;
		if (xy_buf_adds(&rq->out,
				"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
				"<title>错误</title><h1>页面生成失败</h1></html>"))
			return;
		return;
	}
	rq->status = status;
}

void xy_page_error(struct xy_portal *p, struct xy_http_req *rq, int status, const char *msg)
{
	struct xy_html h;
	const char *title = status == 404   ? "页面不存在"
			    : status == 429 ? "请求过于频繁"
			    : status == 405 ? "请求方式不支持"
			    : status >= 500 ? "服务暂时不可用"
					    : "请求有误";
	xy_buf_reset(&rq->out);
	rq->etag[0] = 0;
	rq->cache = NULL;
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, title);
	xy_html_raw(&h, "<h1>");
	xy_html_v(&h, title);
	xy_html_raw(&h, "</h1>\n<p>");
	xy_html_v(&h, msg);
	xy_html_raw(&h, "</p>\n<p><a href=\"/\">返回首页</a></p>\n");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, status);
}

static void search_form(struct xy_html *h, const char *q)
{
	xy_html_raw(
		h, "<form class=\"search\" action=\"/search\" method=\"get\" role=\"search\">\n"
		   "<label for=\"q\">企业名称或统一社会信用代码</label>\n"
		   "<input type=\"search\" id=\"q\" name=\"q\" maxlength=\"50\" required value=\"");
	xy_html_v(h, q);
	xy_html_raw(h, "\">\n<button type=\"submit\">查询</button>\n</form>\n");
}

struct sec_ctx {
	struct xy_html *h;
	int n;
	int32_t today;
};

static int section_row(void *arg, const struct xy_psection *sec)
{
	struct sec_ctx *c = arg;
	int32_t upd;
	if (c->n++ == 0)
		xy_html_raw(c->h, "<h2>通知公告与政策文件</h2>\n");
	xy_html_raw(c->h, "<section class=\"card\" aria-labelledby=\"sec-");
	xy_html_v(c->h, sec->id);
	xy_html_raw(c->h, "\"><h3 id=\"sec-");
	xy_html_v(c->h, sec->id);
	xy_html_raw(c->h, "\">");
	xy_html_raw(c->h, !strcmp(sec->kind, "policy") ? "【政策文件】" : "【通知公告】");
	xy_html_v(c->h, sec->title);
	xy_html_raw(c->h, "</h3>\n");
	xy_html_paras(c->h, sec->body);
	xy_html_raw(c->h, "<p class=\"masked\">责任单位：");
	xy_html_v(c->h, sec->unit);
	xy_html_raw(c->h, "；更新日期：");
	xy_html_v(c->h, sec->updated);
	/* POR-5: a section past its update period says so */
	if (!xy_date_parse(sec->updated, strlen(sec->updated), &upd) &&
	    upd + sec->period_days < c->today)
		xy_html_raw(c->h, "<span class=\"mark\">已超过更新周期</span>");
	xy_html_raw(c->h, "</p>\n</section>\n");
	return 0;
}

void xy_page_home(struct xy_portal *p, struct xy_http_req *rq)
{
	struct xy_html h;
	struct xy_pstore *s = xy_portal_store(p);
	struct sec_ctx c;
	if (!s)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, "首页");
	xy_html_raw(&h, "<h1>信用信息查询</h1>\n<p>输入企业名称（可输入部分名称）或 18 位统一社会"
			"信用代码，查询其公示的行政许可、行政处罚、严重失信主体名单和守信激励名单"
			"信息。</p>\n");
	search_form(&h, "");
	c.h = &h;
	c.n = 0;
	c.today = xy_today();
	if (xy_pstore_sections(s, section_row, &c))
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, 200);
}

/* The search text: trimmed; a code typed in small letters is taken in capitals. */
static int normalise_query(const char *in, char *out, size_t n)
{
	size_t len;
	int ascii_alnum = 1;
	while (*in == ' ' || *in == '\t')
		in++;
	len = strlen(in);
	while (len && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (!len || len >= n || len > XY_PORTAL_QUERY_MAX)
		return -1;
	memcpy(out, in, len);
	out[len] = 0;
	for (size_t i = 0; i < len; i++)
		if (!((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'z') ||
		      (out[i] >= 'A' && out[i] <= 'Z')))
			ascii_alnum = 0;
	if (ascii_alnum && len >= 6)
		for (size_t i = 0; i < len; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 'a' + 'A');
	return 0;
}

static int page_number(const char *s)
{
	long long v = xy_page_record_id(s);
	if (!s)
		return 1;
	return v >= 1 && v <= XY_PORTAL_PAGES_MAX ? (int)v : -1;
}

struct res_ctx {
	struct xy_html *h;
	int n;
};

static int result_row(void *arg, const struct xy_psubject *sj)
{
	struct res_ctx *c = arg;
	if (c->n++ == 0)
		xy_html_raw(c->h, "<ol class=\"results\">\n");
	xy_html_raw(c->h, "<li><a href=\"/subjects/");
	xy_html_u(c->h, sj->code);
	xy_html_raw(c->h, "\">");
	xy_html_v(c->h, sj->name);
	xy_html_raw(c->h, "</a><br><span class=\"code\">");
	xy_html_v(c->h, sj->code);
	xy_html_raw(c->h, "</span> · ");
	xy_html_v(c->h, sj->region_name);
	xy_html_raw(c->h, "</li>\n");
	return 0;
}

void xy_page_search(struct xy_portal *p, struct xy_http_req *rq)
{
	struct xy_html h;
	struct xy_pstore *s = xy_portal_store(p);
	struct res_ctx c;
	char q[XY_PORTAL_QUERY_MAX + 1];
	const char *raw = xy_http_query(&rq->target, "q");
	int page = page_number(xy_http_query(&rq->target, "page")), more = 0, rc;
	if (!s)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	if (!raw || normalise_query(raw, q, sizeof q))
		return xy_page_error(p, rq, 400,
				     "请输入要查询的企业名称或统一社会信用代码（不超过 "
				     "100 字节）。");
	if (page < 0)
		return xy_page_error(p, rq, 400, "页码无效。");
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, "查询结果");
	xy_html_raw(&h, "<h1>查询结果</h1>\n");
	search_form(&h, q);
	c.h = &h;
	c.n = 0;
	rc = xy_pstore_search(s, q, page - 1, result_row, &c, &more);
	if (rc)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	if (c.n)
		xy_html_raw(&h, "</ol>\n");
	else
		xy_html_raw(&h, "<p>未找到符合条件的企业。请检查名称或代码是否正确。</p>\n");
	if (page > 1 || more) {
		xy_html_raw(&h, "<nav class=\"pager\" aria-label=\"分页\">");
		if (page > 1) {
			xy_html_raw(&h, "<a href=\"/search?q=");
			xy_html_u(&h, q);
			xy_html_raw(&h, "&amp;page=");
			xy_html_int(&h, page - 1);
			xy_html_raw(&h, "\" rel=\"prev\">上一页</a>");
		}
		xy_html_raw(&h, "第 ");
		xy_html_int(&h, page);
		xy_html_raw(&h, " 页");
		if (more && page < XY_PORTAL_PAGES_MAX) {
			xy_html_raw(&h, " <a href=\"/search?q=");
			xy_html_u(&h, q);
			xy_html_raw(&h, "&amp;page=");
			xy_html_int(&h, page + 1);
			xy_html_raw(&h, "\" rel=\"next\">下一页</a>");
		}
		xy_html_raw(&h, "</nav>\n");
	}
	xy_page_close(p, &h);
	xy_page_done(rq, &h, 200);
}

/* ---- records ---- */

static void value(struct xy_html *h, const json_t *v)
{
	if (json_is_string(v))
		xy_html_vn(h, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		xy_html_int(h, (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		char t[40];
		snprintf(t, sizeof t, "%.10g", json_real_value(v));
		xy_html_v(h, t);
	} else if (json_is_boolean(v))
		xy_html_raw(h, json_is_true(v) ? "是" : "否");
	else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach (v, i, e) {
			if (i)
				xy_html_raw(h, "、");
			value(h, e);
		}
	} else
		xy_html_raw(h, "—");
}

static int is_masked(const json_t *masked, const char *code)
{
	size_t i;
	json_t *e;
	json_array_foreach (masked, i, e) {
		if (json_is_string(e) && !strcmp(json_string_value(e), code))
			return 1;
	}
	return 0;
}

static void kv_date(struct xy_html *h, const char *label, const char *v)
{
	xy_html_raw(h, "<dt>");
	xy_html_raw(h, label);
	xy_html_raw(h, "</dt><dd>");
	if (v && *v)
		xy_html_v(h, v);
	else
		xy_html_raw(h, "—");
	xy_html_raw(h, "</dd>");
}

static const struct group *group_of(const char *dataset)
{
	for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
		if (!strcmp(dataset, groups[i].dataset))
			return &groups[i];
	return NULL;
}

static void record_title(struct xy_html *h, const struct group *g, const json_t *fields,
			 const char *dsname)
{
	for (int i = 0; g && i < 3 && g->title[i]; i++) {
		const json_t *v = json_object_get(fields, g->title[i]);
		if (json_is_string(v) && json_string_length(v)) {
			value(h, v);
			return;
		}
	}
	xy_html_v(h, dsname);
}

static void record_links(struct xy_html *h, long long id, const struct group *g)
{
	xy_html_raw(h, "<p class=\"actions\"><a href=\"/records/");
	xy_html_int(h, id);
	xy_html_raw(h, "\">查看详情</a><a href=\"/objections/new?record=");
	xy_html_int(h, id);
	xy_html_raw(h, "\">提出异议</a>");
	if (g && g->repairable) {
		xy_html_raw(h, "<a href=\"/repairs/new?record=");
		xy_html_int(h, id);
		xy_html_raw(h, "\">申请信用修复</a>");
	}
	xy_html_raw(h, "</p>\n");
}

struct rec_ctx {
	struct xy_portal *p;
	struct xy_html *h;
	const char *dataset; /* the group being written */
	int n, other;
	long long found;
};

static void record_card(struct rec_ctx *c, const struct xy_precord *r, json_t *root)
{
	const struct group *g = group_of(r->dataset);
	const json_t *fields = json_object_get(root, "fields");
	xy_html_raw(c->h, "<article class=\"card\">\n<h3>");
	record_title(c->h, g, fields, xy_page_dataset_name(c->p, r->dataset));
	if (r->objection)
		xy_html_raw(c->h, "<span class=\"mark\">异议处理中</span>");
	xy_html_raw(c->h, "</h3>\n<dl class=\"kv\">");
	if (!g)
		kv_date(c->h, "信息类别", xy_page_dataset_name(c->p, r->dataset));
	kv_date(c->h, "决定日期", r->date);
	kv_date(c->h, "有效期至", json_string_value(json_object_get(root, "valid_until")));
	kv_date(c->h, "公示截止", r->display_until);
	kv_date(c->h, "来源单位", json_string_value(json_object_get(root, "unit")));
	xy_html_raw(c->h, "</dl>\n");
	record_links(c->h, r->id, g);
	xy_html_raw(c->h, "</article>\n");
}

static int record_row(void *arg, const struct xy_precord *r)
{
	struct rec_ctx *c = arg;
	json_t *root;
	if (c->dataset ? strcmp(r->dataset, c->dataset) != 0 : group_of(r->dataset) != NULL)
		return 0;
	root = json_loadb(r->line, r->len, 0, NULL);
	if (!root)
		return 0; /* checked when applied; never happens */
	if (!c->dataset && c->other++ == 0)
		xy_html_raw(c->h, "<h2>其他公示信息</h2>\n");
	c->n++;
	record_card(c, r, root);
	json_decref(root);
	return 0;
}

void xy_page_subject(struct xy_portal *p, struct xy_http_req *rq, const char *code)
{
	struct xy_html h;
	struct xy_pstore *s = xy_portal_store(p);
	struct xy_psubject sj;
	struct rec_ctx c;
	char today[11];
	int rc;
	if (!s)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	if (strlen(code) > XY_CS_CODE_MAX)
		return xy_page_error(p, rq, 404, "未找到该主体的公示信息。");
	rc = xy_pstore_subject(s, code, &sj);
	if (rc == XY_ENOTFOUND)
		return xy_page_error(p, rq, 404, "未找到该主体的公示信息。");
	if (rc)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	xy_page_today(today);
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, sj.name);
	xy_html_raw(&h, "<h1>");
	xy_html_v(&h, sj.name);
	xy_html_raw(&h, "</h1>\n<h2>基本信息</h2>\n<dl class=\"kv\">");
	kv_date(&h, !strcmp(sj.kind, "legal") ? "统一社会信用代码" : "主体标识", sj.code);
	kv_date(&h, "主体类别", !strcmp(sj.kind, "legal") ? "法人及非法人组织" : "自然人");
	kv_date(&h, "所属地区", sj.region_name);
	xy_html_raw(&h, "</dl>\n");
	memset(&c, 0, sizeof c);
	c.p = p;
	c.h = &h;
	for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
		xy_html_raw(&h, "<h2>");
		xy_html_raw(&h, groups[i].name);
		xy_html_raw(&h, "</h2>\n");
		c.dataset = groups[i].dataset;
		c.n = 0;
		if ((rc = xy_pstore_records(s, sj.code, today, record_row, &c)))
			break;
		if (!c.n)
			xy_html_raw(&h, "<p>暂无公示信息。</p>\n");
	}
	c.dataset = NULL;
	if (!rc)
		rc = xy_pstore_records(s, sj.code, today, record_row, &c);
	if (rc)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	xy_html_raw(&h,
		    "<p class=\"masked\">说明：行政处罚信息仅在公示期内公示；涉及个人隐私的信息已"
		    "按规定脱敏。</p>\n");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, 200);
}

static void field_row(struct xy_html *h, const char *name, const json_t *v, int masked)
{
	xy_html_raw(h, "<tr><th scope=\"row\">");
	xy_html_v(h, name);
	xy_html_raw(h, "</th><td>");
	value(h, v);
	if (masked)
		xy_html_raw(h, " <span class=\"masked\">（已脱敏）</span>");
	xy_html_raw(h, "</td></tr>\n");
}

struct one_ctx {
	struct xy_portal *p;
	struct xy_html *h;
};

static int record_page_row(void *arg, const struct xy_precord *r)
{
	struct one_ctx *c = arg;
	json_t *root = json_loadb(r->line, r->len, 0, NULL);
	const json_t *fields = json_object_get(root, "fields");
	const json_t *masked = json_object_get(root, "masked");
	const struct xy_dataset *ds = c->p->cat ? xy_catalog_dataset(c->p->cat, r->dataset) : NULL;
	const struct group *g = group_of(r->dataset);
	const char *k;
	json_t *v;
	if (!root)
		return XY_EPARSE;
	xy_html_raw(c->h, "<h1>");
	xy_html_v(c->h, xy_page_dataset_name(c->p, r->dataset));
	xy_html_raw(c->h, "：");
	record_title(c->h, g, fields, "");
	if (r->objection)
		xy_html_raw(c->h, "<span class=\"mark\">异议处理中</span>");
	xy_html_raw(c->h, "</h1>\n<dl class=\"kv\">");
	kv_date(c->h, "主体", r->subject);
	kv_date(c->h, "来源单位", json_string_value(json_object_get(root, "unit")));
	kv_date(c->h, "来源单位代码", json_string_value(json_object_get(root, "unit_code")));
	kv_date(c->h, "决定日期", r->date);
	kv_date(c->h, "有效期至", json_string_value(json_object_get(root, "valid_until")));
	kv_date(c->h, "公示截止", r->display_until);
	xy_html_raw(c->h, "</dl>\n<h2>公示内容</h2>\n<table class=\"fields\">\n");
	/* catalog order first, with the catalog's Chinese names; then any code it lacks */
	for (int i = 0; ds && i < ds->nfields; i++) {
		const json_t *fv = json_object_get(fields, ds->fields[i].code);
		if (fv)
			field_row(c->h, ds->fields[i].name, fv,
				  is_masked(masked, ds->fields[i].code));
	}
	json_object_foreach ((json_t *)(uintptr_t)fields, k, v) {
		if (!ds || xy_dataset_field(ds, k) < 0)
			field_row(c->h, k, v, is_masked(masked, k));
	}
	xy_html_raw(c->h, "</table>\n<p><a href=\"/subjects/");
	xy_html_u(c->h, r->subject);
	xy_html_raw(c->h, "\">返回主体信息</a></p>\n");
	record_links(c->h, r->id, g);
	json_decref(root);
	return 0;
}

void xy_page_record(struct xy_portal *p, struct xy_http_req *rq, const char *idtext)
{
	struct xy_html h;
	struct xy_pstore *s = xy_portal_store(p);
	struct one_ctx c;
	char today[11];
	long long id = xy_page_record_id(idtext);
	int rc;
	if (!s)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	if (!id)
		return xy_page_error(p, rq, 404, "未找到该条公示信息。");
	xy_page_today(today);
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, "信息详情");
	c.p = p;
	c.h = &h;
	rc = xy_pstore_record(s, id, today, record_page_row, &c);
	if (rc == XY_ENOTFOUND)
		return xy_page_error(p, rq, 404,
				     "未找到该条公示信息（可能已超过公示期或已撤下）。");
	if (rc)
		return xy_page_error(p, rq, 500, "服务暂时不可用，请稍后再试。");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, 200);
}

void xy_page_privacy(struct xy_portal *p, struct xy_http_req *rq)
{
	struct xy_html h;
	xy_html_init(&h, &rq->out);
	xy_page_open(p, &h, "隐私说明");
	xy_html_raw(
		&h,
		"<h1>隐私说明</h1>\n"
		"<h2>浏览和查询</h2>\n<p>查询信用信息无需注册或登录。本网站不使用 Cookie，不使用"
		"任何脚本或第三方统计。为防止滥用，服务器在内存中按访问地址计数请求频率，不写入"
		"记录；运行日志记录请求的时间、路径、结果和访问地址，用于安全审计，按信用办的安全管"
		"理规定保存。</p>\n"
		"<h2>异议申诉和信用修复申请</"
		"h2>\n<p>提交异议或信用修复申请时，我们只收集办理所必需的"
		"信息：</p>\n<ul>\n<li>姓名或单位名称——用于确认申请人；</li>\n"
		"<li>联系电话或电子邮箱（只需其一）——用于办理过程中联系您；</li>\n"
		"<li>异议理由或修复说明——用于核查；信用修复申请另需您勾选信用承诺。</li>\n</ul>\n"
		"<p>这些信息经签名后由本网站的发件箱送交信用办（公共信用信息共享平台）办理，送出后"
		"本网站只保留受理编号和查询码的摘要，用于查询办理进度。查询码只在提交成功时显示一次"
		"，"
		"本网站不保存查询码本身。</p>\n"
		"<p>信用办依照《九江市公共信用信息管理办法》等规定保存和使用申请材料，办结后按档案"
		"管理规定保存，不用于其他目的，不向第三方提供。</p>\n"
		"<h2>公示的信息</h2>\n<p>本网站公示的信息由数据提供单位报送，经共享平台按规定脱敏"
		"（如身份证号码、手机号码部分隐藏）后发布；行政处罚信息在公示期满后自动撤下。</"
		"p>\n");
	xy_page_close(p, &h);
	xy_page_done(rq, &h, 200);
}
