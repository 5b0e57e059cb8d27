#include "util/ini.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

#define INI_ENTRIES_MAX 512

struct entry {
	char *section;
	char *key;
	char *value;
};

struct xy_ini {
	struct entry e[INI_ENTRIES_MAX];
	int n;
	char *text; /* owns every string above */
};

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

static int parse_line(struct xy_ini *ini, char *line, char *end, char **section, int lineno,
		      char *err, size_t errlen)
{
	char *s = trim(line, end), *eq;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || close[1] != '\0') {
			snprintf(err, errlen, "line %d: malformed section header", lineno);
			return XY_EPARSE;
		}
		*section = trim(s + 1, close);
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq) {
		snprintf(err, errlen, "line %d: expected key = value", lineno);
		return XY_EPARSE;
	}
	if (ini->n >= INI_ENTRIES_MAX) {
		snprintf(err, errlen, "line %d: more than %d settings", lineno, INI_ENTRIES_MAX);
		return XY_ELIMIT;
	}
	ini->e[ini->n].section = *section;
	ini->e[ini->n].key = trim(s, eq);
	ini->e[ini->n].value = trim(eq + 1, eq + 1 + strlen(eq + 1));
	if (ini->e[ini->n].key[0] == '\0') {
		snprintf(err, errlen, "line %d: empty key", lineno);
		return XY_EPARSE;
	}
	ini->n++;
	return 0;
}

int xy_ini_parse(const char *text, size_t n, struct xy_ini **out, char *err, size_t errlen)
{
	struct xy_ini *ini;
	char *p, *section = NULL;
	int lineno = 0, rc = 0;
	static char empty[] = "";

	*out = NULL;
	if (n > XY_CONFIG_FILE_MAX) {
		snprintf(err, errlen, "configuration larger than %d bytes", XY_CONFIG_FILE_MAX);
		return XY_ELIMIT;
	}
	if (memchr(text, '\0', n)) {
		snprintf(err, errlen, "configuration holds a NUL byte");
		return XY_EPARSE;
	}
	ini = calloc(1, sizeof *ini);
	if (!ini)
		return XY_ENOMEM;
	ini->text = malloc(n + 1);
	if (!ini->text) {
		free(ini);
		return XY_ENOMEM;
	}
	memcpy(ini->text, text, n);
	ini->text[n] = '\0';
	section = empty;
	for (p = ini->text; *p && rc == 0;) {
		char *nl = strchr(p, '\n');
		char *end = nl ? nl : p + strlen(p);
		lineno++;
		rc = parse_line(ini, p, end, &section, lineno, err, errlen);
		p = nl ? nl + 1 : end;
	}
	if (rc) {
		xy_ini_free(ini);
		return rc;
	}
	*out = ini;
	return 0;
}

int xy_ini_load(const char *path, struct xy_ini **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int rc;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return XY_EIO;
	}
	buf = malloc(XY_CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return XY_ENOMEM;
	}
	n = fread(buf, 1, XY_CONFIG_FILE_MAX + 1, f);
	fclose(f);
	rc = xy_ini_parse(buf, n, out, err, errlen);
	free(buf);
	return rc;
}

const char *xy_ini_get(const struct xy_ini *ini, const char *section, const char *key)
{
	/* The last setting wins, as operators expect when they append. */
	for (int i = ini ? ini->n - 1 : -1; i >= 0; i--)
		if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0)
			return ini->e[i].value;
	return NULL;
}

int xy_ini_get_long(const struct xy_ini *ini, const char *section, const char *key, long def,
		    long min, long max, long *out)
{
	const char *v = xy_ini_get(ini, section, key);
	char *end;
	long x;

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || *end != '\0' || x < min || x > max) {
		xy_log_error("[%s] %s = %s: expected a whole number from %ld to %ld", section, key,
			     v, min, max);
		return XY_ECONFIG;
	}
	*out = x;
	return 0;
}

void xy_ini_free(struct xy_ini *ini)
{
	if (!ini)
		return;
	free(ini->text);
	free(ini);
}
