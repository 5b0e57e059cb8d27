#include "util/err.h"

#include <stddef.h>

struct errinfo {
	int http;
	const char *code;
	const char *msg;
};

static const struct errinfo table[] = {
#define XY__ROW(name, http, code, msg) {http, code, msg},
	XY_ERRORS(XY__ROW)
#undef XY__ROW
};

static const struct errinfo *lookup(int err)
{
	if (err <= XY__EBASE || err >= XY__ELAST)
		return NULL;
	return &table[err - XY__EBASE - 1];
}

const char *xy_strerror(int err)
{
	const struct errinfo *e = lookup(err);
	if (err == 0)
		return "success";
	return e ? e->msg : "unknown error";
}

const char *xy_err_code(int err)
{
	const struct errinfo *e = lookup(err);
	if (err == 0)
		return "ok";
	return e ? e->code : "internal_error";
}

int xy_err_http(int err)
{
	const struct errinfo *e = lookup(err);
	if (err == 0)
		return 200;
	return e ? e->http : 500;
}
