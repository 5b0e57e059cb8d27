#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum xy_log_level min_level = XY_LOG_WARN;
static int json_mode;

void xy_log_set_level(enum xy_log_level min)
{
	min_level = min;
}

void xy_log_set_json(int on)
{
	json_mode = on;
}

static const char *level_name(enum xy_log_level l)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	return names[l];
}

/* Escapes a message for a JSON string (control characters, quotes). */
static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void xy_log(enum xy_log_level lvl, const char *where, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lvl < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (json_mode) {
		char ts[32];
		struct timespec now;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		flockfile(stderr);
		fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"where\":", ts, level_name(lvl));
		put_json_string(stderr, where);
		fputs(",\"msg\":", stderr);
		put_json_string(stderr, msg);
		fputs("}\n", stderr);
		funlockfile(stderr);
	} else {
		fprintf(stderr, "xinyong: %s: %s\n", level_name(lvl), msg);
	}
}
