/* The producer of portal sections (POR-5): every section in place, as its
 * `section` line (svc/section.c); a removed section is no longer produced,
 * and the engine's diff sends its `section_remove`. */
#include "ferry/sfile.h"
#include "svc/publish.h"
#include "svc/section.h"
#include "util/buf.h"

struct sections_run {
	struct xy_pub_run *run;
	struct xy_buf line;
};

static int emit_section(void *arg, const struct xy_section *s)
{
	struct sections_run *p = arg;
	int rc = xy_section_line(s, &p->line);
	return rc ? rc : xy_pub_emit(p->run, XY_PUB_SECTION, s->id, p->line.p, p->line.len, NULL);
}

int xy_pub_produce_sections(struct xy_pub_run *run)
{
	struct sections_run p = {run, {0}};
	int rc;
	xy_buf_init(&p.line, XY_SFILE_LINE_MAX - 1);
	rc = xy_store_section_each(xy_pub_env(run)->st, "", 0, 1, emit_section, &p);
	xy_buf_cleanup(&p.line);
	return rc;
}
