/* Fault injection for tests of fail-closed paths (AUD-2).  A point fires
 * when the environment variable XY_FAULT lists its name (comma-separated).
 * A fired point only ever makes an operation fail, never succeed, so the
 * hook cannot weaken a check. */
#ifndef XY_UTIL_FAULT_H
#define XY_UTIL_FAULT_H

/* 1 when the named fault point is switched on. */
int xy_fault(const char *point);

#endif
