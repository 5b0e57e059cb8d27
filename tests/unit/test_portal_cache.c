/* The portal's page cache (src/portal/cache.h, POR-1 performance): an answer is served
 * again only for the same target, change set and day, and the cache stays within its
 * byte budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "portal/cache.h"

static const char html[] = "text/html; charset=utf-8";

static int get(struct xy_pcache *c, const char *key, long long seq, int32_t day, char *out)
{
	struct xy_buf b;
	const char *ct = NULL;
	int hit;
	xy_buf_init(&b, 1 << 20);
	hit = xy_pcache_get(c, key, seq, day, &b, &ct);
	if (hit) {
		assert_ptr_equal(ct, html);
		snprintf(out, 64, "%s", b.p);
	}
	xy_buf_cleanup(&b);
	return hit;
}

static void test_por1_cache_answers_only_for_the_same_change_set_and_day(void **state)
{
	struct xy_pcache *c = xy_pcache_new(1 << 20);
	char out[64];
	(void)state;
	assert_non_null(c);
	assert_false(get(c, "/subjects/A", 1, 100, out));
	xy_pcache_put(c, "/subjects/A", 1, 100, html, "page A1", 7);
	assert_true(get(c, "/subjects/A", 1, 100, out));
	assert_string_equal(out, "page A1");
	assert_false(get(c, "/subjects/A", 2, 100, out)); /* a new change set */
	assert_false(get(c, "/subjects/A", 1, 101, out)); /* the next day */
	assert_false(get(c, "/subjects/B", 1, 100, out));
	xy_pcache_put(c, "/subjects/A", 2, 100, html, "page A2", 7);
	assert_true(get(c, "/subjects/A", 2, 100, out));
	assert_string_equal(out, "page A2");
	xy_pcache_free(c);
}

static void test_por1_cache_stays_within_its_budget(void **state)
{
	static char big[40000];
	struct xy_pcache *c = xy_pcache_new(100000);
	char key[32], out[64];
	int kept = 0;
	(void)state;
	memset(big, 'x', sizeof big - 1);
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof key, "/subjects/%d", i);
		xy_pcache_put(c, key, 1, 1, html, big, sizeof big);
	}
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof key, "/subjects/%d", i);
		kept += get(c, key, 1, 1, out);
	}
	assert_true(kept >= 1 && kept <= 2); /* 100,000 bytes hold two pages of 40,000 */
	xy_pcache_free(c);
	xy_pcache_free(NULL);
}

static void test_por1_cache_keeps_many_pages(void **state)
{
	struct xy_pcache *c = xy_pcache_new(64 << 20);
	char key[32], out[64];
	int kept = 0;
	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "/subjects/%d", i);
		xy_pcache_put(c, key, 7, 1, html, key, strlen(key));
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "/subjects/%d", i);
		if (get(c, key, 7, 1, out)) {
			assert_string_equal(out, key);
			kept++;
		}
	}
	assert_true(kept >= 4950); /* four ways: collisions are rare */
	xy_pcache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_por1_cache_answers_only_for_the_same_change_set_and_day),
		cmocka_unit_test(test_por1_cache_stays_within_its_budget),
		cmocka_unit_test(test_por1_cache_keeps_many_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
