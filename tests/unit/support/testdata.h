/* Test data for the unit tests: files under the repository root, read into
 * memory.  The root is $XY_ROOT when set, else the current directory or the
 * nearest parent that holds catalog/default.json, so a test binary finds its
 * data whether it runs from the repository, from build/tests or elsewhere
 * with XY_ROOT set. */
#ifndef XY_TESTS_SUPPORT_TESTDATA_H
#define XY_TESTS_SUPPORT_TESTDATA_H

#include <stddef.h>

/* Test files are small; a bigger one is a mistake, not data to read. */
#define XY_TESTDATA_FILE_MAX (16 * 1024 * 1024)

/* The repository root without a trailing slash, or NULL (the reason is
 * printed on stderr).  Static storage: valid until the program ends. */
const char *xy_testdata_root(void);

/* Reads the file at rel, a path relative to the repository root, into a new
 * NUL-terminated buffer; *len (may be NULL) gets its size without the NUL.
 * NULL when the root or the file cannot be read or the file is larger than
 * XY_TESTDATA_FILE_MAX (the reason is printed on stderr).  The caller frees
 * the buffer with free(). */
char *xy_testdata_read(const char *rel, size_t *len);

#endif
