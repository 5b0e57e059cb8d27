/* Fault injection for tests of fail-closed paths (AUD-2).  A point fires
 * when the environment variable XY_FAULT lists its name (comma-separated),
 * or, when XY_FAULT is not set, the first line of the file named by
 * XY_FAULT_FILE does (read at each check, so a test can switch a fault on
 * and off in a running server).
 * A fired point only ever makes an operation fail, never succeed, so the
 * hook cannot weaken a check. */
#ifndef XY_UTIL_FAULT_H
#define XY_UTIL_FAULT_H

/* 1 when the named fault point is switched on. */
int xy_fault(const char *point);

#endif
