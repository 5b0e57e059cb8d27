#include "core/row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codes.h"
#include "util/date.h"
#include "util/err.h"

struct chk {
	const struct xy_dataset *ds;
	struct xy_row *row;
	const struct xy_row_opts *o;
	struct xy_row_result *res;
};

/* Bytes of s[0..n) that fit in max bytes without cutting a UTF-8
 * character in half (reasons quote the clerk's values and must stay valid
 * text for reports and JSON). */
static int utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

static void copy_reason(char *dst, size_t cap, const char *src)
{
	int n = utf8_cut(src, strlen(src), cap - 1);
	memcpy(dst, src, (size_t)n);
	dst[n] = '\0';
}

static void add_problem(struct chk *c, int field, const char *zh, const char *en)
{
	struct xy_row_problem *p;

	c->res->nproblems_all++;
	if (c->res->nproblems >= XY_ROW_ERRORS_MAX)
		return;
	p = &c->res->problem[c->res->nproblems++];
	p->field = field;
	copy_reason(p->zh, sizeof p->zh, zh);
	copy_reason(p->en, sizeof p->en, en);
}

static int has_problem(const struct chk *c, int field)
{
	for (int i = 0; i < c->res->nproblems; i++)
		if (c->res->problem[i].field == field)
			return 1;
	return 0;
}

/* Both formats are literals naming the same arguments in the same order, so
 * the compiler checks each. */
#define problem(c, field, zhfmt, enfmt, ...)                                 \
	do {                                                                 \
		char zh_[XY_ROW_REASON_MAX * 2], en_[XY_ROW_REASON_MAX * 2]; \
		snprintf(zh_, sizeof zh_, zhfmt, __VA_ARGS__);               \
		snprintf(en_, sizeof en_, enfmt, __VA_ARGS__);               \
		add_problem(c, field, zh_, en_);                             \
	} while (0)

/* Each language with its own single string argument. */
#define problem2(c, field, zhfmt, zharg, enfmt, enarg)                       \
	do {                                                                 \
		char zh_[XY_ROW_REASON_MAX * 2], en_[XY_ROW_REASON_MAX * 2]; \
		snprintf(zh_, sizeof zh_, zhfmt, zharg);                     \
		snprintf(en_, sizeof en_, enfmt, enarg);                     \
		add_problem(c, field, zh_, en_);                             \
	} while (0)

static int present(const struct xy_row *r, int i)
{
	return i >= 0 && r->val[i] && r->len[i] > 0;
}

static int eq(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(v, s, n) == 0;
}

static void trim(struct xy_row *r, int i)
{
	const char *s = r->val[i];
	size_t n = r->len[i];

	if (!s) {
		r->len[i] = 0;
		return;
	}
	for (;;) {
		if (n && (s[0] == ' ' || s[0] == '\t')) {
			s++;
			n--;
		} else if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0) {
			s += 3;
			n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
			n -= 3;
		else
			break;
	}
	r->val[i] = s;
	r->len[i] = n;
}

/* Length of the separator at v[i] (; ； , ， 、), or 0. */
static size_t sep_at(const char *v, size_t n, size_t i)
{
	unsigned char c = (unsigned char)v[i];
	if (c == ';' || c == ',')
		return 1;
	if ((c == 0xEF || c == 0xE3) && n - i >= 3 &&
	    (!memcmp(v + i, "；", 3) || !memcmp(v + i, "，", 3) || !memcmp(v + i, "、", 3)))
		return 3;
	return 0;
}

/* Calls fn on each item of a multi-valued code field, trimmed of spaces. */
static int each_item(const char *v, size_t n, int (*fn)(void *, const char *, size_t), void *arg)
{
	size_t start = 0;

	for (size_t i = 0; i <= n;) {
		size_t sl = i < n ? sep_at(v, n, i) : 0;
		if (i < n && !sl) {
			i++;
			continue;
		}
		const char *s = v + start;
		size_t len = i - start;
		while (len && *s == ' ') {
			s++;
			len--;
		}
		while (len && s[len - 1] == ' ')
			len--;
		int rc = fn(arg, s, len);
		if (rc)
			return rc;
		i += sl ? sl : 1;
		start = i;
	}
	return 0;
}

static int in_list(const char *v, size_t n, const char *const *values, int nvalues)
{
	for (int i = 0; i < nvalues; i++)
		if (eq(v, n, values[i]))
			return 1;
	return 0;
}

struct contains_arg {
	const struct xy_cond *cond;
	int hit;
};

static int contains_item(void *arg, const char *s, size_t n)
{
	struct contains_arg *a = arg;
	if (in_list(s, n, a->cond->values, a->cond->nvalues))
		a->hit = 1;
	return 0;
}

static int cond_holds(const struct xy_row *r, const struct xy_cond *cond)
{
	const char *v = r->val[cond->field];
	size_t n = r->len[cond->field];

	switch (cond->op) {
	case XY_COND_PRESENT:
		return present(r, cond->field);
	case XY_COND_IN:
		return present(r, cond->field) && in_list(v, n, cond->values, cond->nvalues);
	case XY_COND_CONTAINS: {
		struct contains_arg a = {cond, 0};
		if (present(r, cond->field))
			each_item(v, n, contains_item, &a);
		return a.hit;
	}
	}
	return 0;
}

/* "行政相对人类别为自然人" / "CF_XDR_LB is 自然人" for messages. */
static void describe_cond(const struct chk *c, const struct xy_cond *cond, char *zh, size_t zl,
			  char *en, size_t el)
{
	const struct xy_field *f = &c->ds->fields[cond->field];
	const char *v = c->row->val[cond->field];
	int n = v ? utf8_cut(v, c->row->len[cond->field], 60) : 0;

	if (cond->op == XY_COND_PRESENT) {
		snprintf(zh, zl, "已填写%s", f->name);
		snprintf(en, el, "%s is filled", f->code);
	} else {
		snprintf(zh, zl, "%s为“%.*s”", f->name, n, v ? v : "");
		snprintf(en, el, "%s is \"%.*s\"", f->code, n, v ? v : "");
	}
}

/* ---- types ---- */

static int is_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void check_code_status(struct chk *c, int i, enum xy_code_status st)
{
	const struct xy_row *r = c->row;
	if (st == XY_CODE_OK)
		return;
	if ((st == XY_CODE_CHECK || st == XY_CODE_ORG_CHECK) && c->o->code_allowed &&
	    c->o->code_allowed(c->o->arg, r->val[i], r->len[i]))
		return; /* a genuine pre-2016 code on the operator's allow-list */
	add_problem(c, i, xy_code_status_zh(st), xy_code_status_en(st));
}

struct code_arg {
	struct chk *c;
	int field;
};

static int code_item(void *arg, const char *s, size_t n)
{
	struct code_arg *a = arg;
	const struct xy_field *f = &a->c->ds->fields[a->field];
	int shown = utf8_cut(s, n, 60);
	if (n == 0)
		add_problem(a->c, a->field, "含空的代码值", "holds an empty code value");
	else if (!in_list(s, n, f->list->values, f->list->n))
		problem(a->c, a->field, "“%.*s”不在代码表 %s 中", "\"%.*s\" is not in code list %s",
			shown, s, f->list->code);
	return 0;
}

static int is_id_card_type(const struct xy_row *r, int type_field)
{
	if (!present(r, type_field))
		return 1;
	return eq(r->val[type_field], r->len[type_field], "身份证") ||
	       eq(r->val[type_field], r->len[type_field], "居民身份证");
}

static void check_idnumber(struct chk *c, int i)
{
	struct xy_row *r = c->row;
	const struct xy_field *f = &c->ds->fields[i];

	if (is_id_card_type(r, f->id_type_field)) {
		/* A lower-case x check digit is common in the field; store upper. */
		if (r->len[i] == 18 && r->val[i][17] == 'x') {
			memcpy(r->norm[i], r->val[i], 17);
			r->norm[i][17] = 'X';
			r->norm[i][18] = '\0';
			r->val[i] = r->norm[i];
		}
		check_code_status(
			c, i, xy_idnum_check(r->val[i], r->len[i], xy_date_yyyymmdd(c->o->today)));
		return;
	}
	if (r->len[i] < 4 || r->len[i] > 32) {
		add_problem(c, i, "证件号码长度应为 4 至 32 个字符",
			    "document number must have 4 to 32 characters");
		return;
	}
	for (size_t k = 0; k < r->len[i]; k++) {
		char ch = r->val[i][k];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= 'a' && ch <= 'z') || ch == '(' || ch == ')' || ch == '-')) {
			add_problem(c, i, "证件号码只能含字母、数字、括号和连字符",
				    "document number may hold only letters, digits, brackets and "
				    "hyphens");
			return;
		}
	}
}

static void check_decimal(struct chk *c, int i)
{
	const struct xy_field *f = &c->ds->fields[i];
	const char *s = c->row->val[i];
	size_t n = c->row->len[i], k = 0, intd = 0, frac = 0;
	int shown = utf8_cut(s, n, 40);
	char num[40];

	if (memchr(s, ',', n) || memmem(s, n, "，", 3)) {
		problem(c, i, "“%.*s”含千位分隔符，请填写不带分隔符的数字",
			"\"%.*s\" has thousands separators; write the plain number", shown, s);
		return;
	}
	if (k < n && (s[k] == '-' || s[k] == '+'))
		k++;
	while (k < n && s[k] >= '0' && s[k] <= '9') {
		k++;
		intd++;
	}
	if (k < n && s[k] == '.') {
		k++;
		while (k < n && s[k] >= '0' && s[k] <= '9') {
			k++;
			frac++;
		}
		if (!frac)
			intd = 0;
	}
	if (k != n || !intd || intd > 15) {
		problem(c, i, "“%.*s”不是有效数字", "\"%.*s\" is not a valid number", shown, s);
		return;
	}
	if ((int)frac > f->scale) {
		problem(c, i, "小数位数超过 %d 位", "more than %d decimal places", f->scale);
		return;
	}
	/* A bounded copy: values are a pointer and a length. */
	memcpy(num, s, n);
	num[n] = '\0';
	if (f->has_min && strtod(num, NULL) < (double)f->min)
		problem(c, i, "不得小于 %lld", "must not be below %lld", f->min);
}

static void check_integer(struct chk *c, int i)
{
	const struct xy_field *f = &c->ds->fields[i];
	const char *s = c->row->val[i];
	size_t n = c->row->len[i];
	int neg = n && s[0] == '-';
	char num[20];
	long long v;

	if (!is_digits(s + neg, n - (size_t)neg) || n - (size_t)neg > 15) {
		problem(c, i, "“%.*s”不是整数", "\"%.*s\" is not a whole number",
			utf8_cut(s, n, 40), s);
		return;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	v = strtoll(num, NULL, 10);
	if ((f->has_min && v < f->min) || (f->has_max && v > f->max_value))
		problem(c, i, "%lld 超出允许范围", "%lld is out of range", v);
}

static void check_date(struct chk *c, int i, int month)
{
	struct xy_row *r = c->row;
	const struct xy_field *f = &c->ds->fields[i];
	int shown = utf8_cut(r->val[i], r->len[i], 40);
	int32_t d;
	int rc = month ? xy_month_parse(r->val[i], r->len[i], &d)
		       : xy_date_parse(r->val[i], r->len[i], &d);

	if (rc == XY_EPARSE) {
		problem(c, i,
			month ? "“%.*s”不是年月格式（应为 YYYY-MM）"
			      : "“%.*s”不是日期格式（应为 YYYY-MM-DD）",
			month ? "\"%.*s\" is not a month (YYYY-MM)"
			      : "\"%.*s\" is not a date (YYYY-MM-DD)",
			shown, r->val[i]);
		return;
	}
	if (rc) {
		problem(c, i, "%.*s 不是有效日期", "%.*s is not a real calendar date", shown,
			r->val[i]);
		return;
	}
	if (!month) {
		xy_date_format(d, r->norm[i]);
		r->val[i] = r->norm[i];
		r->len[i] = 10;
	}
	if (f->not_future && d > c->o->today)
		problem(c, i, "%.*s 晚于今天", "%.*s is after today", shown, r->val[i]);
}

static void check_type(struct chk *c, int i)
{
	struct xy_row *r = c->row;
	const struct xy_field *f = &c->ds->fields[i];
	const char *s = r->val[i];
	size_t n = r->len[i];

	switch (f->type) {
	case XY_FT_TEXT:
	case XY_FT_ADDRESS: {
		size_t chars = 0;
		for (size_t k = 0; k < n; k++)
			chars += ((unsigned char)s[k] & 0xC0) != 0x80;
		if (chars > (size_t)f->max)
			problem(c, i, "超过 %d 个字符", "longer than %d characters", f->max);
		break;
	}
	case XY_FT_CODE:
		if (f->multi) {
			struct code_arg a = {c, i};
			each_item(s, n, code_item, &a);
		} else {
			struct code_arg a = {c, i};
			code_item(&a, s, n);
		}
		break;
	case XY_FT_DATE:
		check_date(c, i, 0);
		break;
	case XY_FT_MONTH:
		check_date(c, i, 1);
		break;
	case XY_FT_DECIMAL:
		check_decimal(c, i);
		break;
	case XY_FT_INTEGER:
		check_integer(c, i);
		break;
	case XY_FT_USCC:
		check_code_status(c, i, xy_uscc_check(s, n));
		break;
	case XY_FT_ORGCODE:
		check_code_status(c, i, xy_orgcode_check(s, n));
		break;
	case XY_FT_REGNO:
		check_code_status(c, i, xy_regno_check(s, n));
		break;
	case XY_FT_IDNUMBER:
		check_idnumber(c, i);
		break;
	case XY_FT_PHONE: {
		int mobile =
			n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && is_digits(s, n);
		int fixed = n >= 7 && n <= 20 && s[0] >= '0' && s[0] <= '9';
		for (size_t k = 0; fixed && k < n; k++)
			fixed = (s[k] >= '0' && s[k] <= '9') || s[k] == '-';
		if (!mobile && !fixed)
			add_problem(c, i, "不是有效的电话号码", "not a valid phone number");
		break;
	}
	case XY_FT_ACCOUNT:
		if (n < 6 || n > 34 || !is_digits(s, n))
			add_problem(c, i, "账号应为 6 至 34 位数字",
				    "account number must be 6 to 34 digits");
		break;
	}
}

/* ---- requirements and rules ---- */

static void check_required(struct chk *c, int i)
{
	const struct xy_field *f = &c->ds->fields[i];
	char zh[160], en[160];
	int filled = present(c->row, i);

	if (f->required == 'Y' && !filled) {
		add_problem(c, i, "必填项为空", "required field is empty");
		return;
	}
	for (int k = 0; k < f->nreq_if && !filled; k++)
		if (cond_holds(c->row, &f->req_if[k])) {
			describe_cond(c, &f->req_if[k], zh, sizeof zh, en, sizeof en);
			problem2(c, i, "%s时必填", zh, "required when %s", en);
			return;
		}
	for (int k = 0; k < f->nforb_if && filled; k++)
		if (cond_holds(c->row, &f->forb_if[k])) {
			describe_cond(c, &f->forb_if[k], zh, sizeof zh, en, sizeof en);
			problem2(c, i, "%s时应为空", zh, "must be empty when %s", en);
			return;
		}
}

static void check_rules(struct chk *c)
{
	for (int r = 0; r < c->ds->nrules; r++) {
		const struct xy_rule *rule = &c->ds->rules[r];
		int any = 0;
		char names[160] = "", en[XY_ROW_REASON_MAX];
		size_t used = 0;

		if (rule->has_when && !cond_holds(c->row, &rule->when))
			continue;
		for (int k = 0; k < rule->nfields; k++)
			any |= present(c->row, rule->fields[k]);
		if (any)
			continue;
		for (int k = 0; k < rule->nfields; k++) {
			const char *code = c->ds->fields[rule->fields[k]].code;
			if (used + strlen(code) + 2 >= sizeof names)
				break;
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
						 k ? ", " : "", code);
		}
		snprintf(en, sizeof en, "at least one of %.160s must be filled", names);
		add_problem(c, rule->fields[0], rule->message ? rule->message : "至少应填写一项",
			    en);
	}
}

static void check_order(struct chk *c, int i)
{
	const struct xy_field *f = &c->ds->fields[i];
	const struct xy_row *r = c->row;
	int32_t a, b;

	if (f->not_before < 0 || !present(r, i) || !present(r, f->not_before))
		return;
	if (xy_date_parse(r->val[i], r->len[i], &a) ||
	    xy_date_parse(r->val[f->not_before], r->len[f->not_before], &b))
		return;
	if (a < b)
		problem2(c, i, "早于%s", c->ds->fields[f->not_before].name, "is before %s",
			 c->ds->fields[f->not_before].code);
}

/* ---- meaning ---- */

static int32_t date_of(const struct xy_row *r, int i, int32_t def)
{
	int32_t d;
	if (!present(r, i))
		return def;
	if (xy_date_parse(r->val[i], r->len[i], &d) == 0 ||
	    xy_month_parse(r->val[i], r->len[i], &d) == 0)
		return d;
	return def;
}

/* A code field without a check algorithm (tax, public-institution or
 * social-organisation numbers) identifies a subject only when it looks like
 * a code: a placeholder such as "无" would merge unrelated enterprises, and
 * a citizen's identity number would sit in clear where codes are kept. */
static void check_free_text_code(struct chk *c, int f)
{
	const char *v = c->row->val[f];
	size_t n = c->row->len[f], alnum = 0;

	for (size_t i = 0; i < n; i++)
		alnum += (v[i] >= '0' && v[i] <= '9') || (v[i] >= 'A' && v[i] <= 'Z') ||
			 (v[i] >= 'a' && v[i] <= 'z');
	if (alnum < 4)
		add_problem(c, f, "不是有效的主体代码（占位符或过短）",
			    "not a usable code for the subject (a placeholder or too short)");
	else if (n == 18 && xy_idnum_check(v, n, xy_date_yyyymmdd(c->o->today)) == XY_CODE_OK)
		add_problem(c, f,
			    "不得以居民身份证号码作为单位代码；个体工商户请填写统一社会信用代码",
			    "a citizen's identity number cannot serve as an organisation's code; "
			    "give the unified social credit code");
}

static void derive_subject(struct chk *c)
{
	const struct xy_dataset *ds = c->ds;
	const struct xy_row *r = c->row;

	c->res->code_field = -1;
	c->res->natural = ds->subject_kind == XY_SUBJ_NATURAL;
	if (ds->subject_kind == XY_SUBJ_BOTH && present(r, ds->subject.kind_field))
		c->res->natural =
			in_list(r->val[ds->subject.kind_field], r->len[ds->subject.kind_field],
				ds->subject.natural_values, ds->subject.nnatural);
	if (c->res->natural) {
		c->res->code_field = ds->subject.id_number;
		if (!present(r, ds->subject.id_number) && !has_problem(c, ds->subject.id_number))
			add_problem(c, ds->subject.id_number, "自然人须填写证件号码",
				    "a natural person needs an identity document number");
		return;
	}
	for (int k = 0; k < ds->subject.nlegal; k++) {
		int f = ds->subject.legal_codes[k];
		if (!present(r, f))
			continue;
		c->res->code_field = f;
		if (ds->fields[f].type == XY_FT_TEXT)
			check_free_text_code(c, f);
		return;
	}
	if (ds->subject.nlegal && !has_problem(c, ds->subject.legal_codes[0]))
		add_problem(c, ds->subject.legal_codes[0], "缺少可识别主体的代码",
			    "no code identifies the subject");
}

static void derive_periods(struct chk *c)
{
	const struct xy_dataset *ds = c->ds;
	const struct xy_row *r = c->row;
	int32_t from;

	c->res->valid_until = XY_NO_END;
	if (ds->validity.field >= 0)
		c->res->valid_until = date_of(r, ds->validity.field, XY_NO_END);
	else if (ds->validity.from >= 0 && (from = date_of(r, ds->validity.from, -1)) >= 0)
		c->res->valid_until = xy_date_add_months(from, ds->validity.months);
	if (c->res->valid_until == XY_DATE_LONG_TERM)
		c->res->valid_until = XY_NO_END;

	c->res->display_until = XY_NOT_DISPLAYED;
	if (!ds->display.present)
		return;
	if (ds->display.field >= 0 && present(r, ds->display.field)) {
		c->res->display_until = date_of(r, ds->display.field, XY_NOT_DISPLAYED);
		return;
	}
	from = date_of(r, ds->display.from, -1);
	if (ds->display.table == XY_DISPLAY_PENALTY && from >= 0) {
		/* 2025-2026 national rules, maximum periods: 轻微 not published,
		 * 一般 one year, 较重 and 严重 three years; no severity: 一般. */
		int sf = ds->display.severity_field;
		int months = 12;
		if (present(r, sf) && eq(r->val[sf], r->len[sf], "轻微"))
			return;
		if (present(r, sf) &&
		    (eq(r->val[sf], r->len[sf], "严重") || eq(r->val[sf], r->len[sf], "较重")))
			months = 36;
		c->res->display_until = xy_date_add_months(from, months);
	} else if (ds->display.months && from >= 0) {
		c->res->display_until = xy_date_add_months(from, ds->display.months);
	} else if (ds->display.field >= 0) {
		c->res->display_until =
			c->res->valid_until == XY_NO_END ? XY_NOT_DISPLAYED : c->res->valid_until;
	}
}

void xy_row_check(const struct xy_dataset *ds, struct xy_row *row, const struct xy_row_opts *o,
		  struct xy_row_result *res)
{
	struct chk c = {ds, row, o, res};

	/* Not memset: problem[] is 4 KiB and only the used entries are read. */
	res->nproblems = res->nproblems_all = 0;
	res->natural = 0;
	res->code_field = -1;
	res->valid_until = XY_NO_END;
	res->display_until = XY_NOT_DISPLAYED;
	for (int i = 0; i < ds->nfields; i++)
		trim(row, i);
	for (int i = 0; i < ds->nfields; i++)
		if (present(row, i))
			check_type(&c, i);
	for (int i = 0; i < ds->nfields; i++) {
		check_required(&c, i);
		check_order(&c, i);
	}
	check_rules(&c);
	derive_subject(&c);
	derive_periods(&c);
}
