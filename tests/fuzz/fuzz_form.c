/* libFuzzer target: form bodies from the public (src/portal/form.h) and the HTML
 * writer every value passes through (src/portal/html.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "portal/form.h"
#include "portal/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xy_form f;
	struct xy_buf b;
	struct xy_html h;
	xy_buf_init(&b, 1 << 20);
	xy_html_init(&h, &b);
	if (xy_form_parse((const char *)data, size, &f) == 0)
		for (int i = 0; i < f.n; i++) {
			xy_html_v(&h, f.val[i]);
			xy_html_u(&h, f.key[i]);
		}
	xy_html_vn(&h, (const char *)data, size);
	if (!xy_html_end(&h) && b.p)
		for (size_t i = 0; i < b.len; i++)
			if (b.p[i] == '<' || b.p[i] == '>' || b.p[i] == '"' || b.p[i] == '\'')
				abort(); /* escaped output never holds markup characters */
	xy_buf_reset(&b);
	xy_html_init(&h, &b);
	for (int i = 0; i < f.n; i++)
		xy_html_paras(&h, f.val[i]);
	xy_buf_cleanup(&b);
	return 0;
}
