/* Running log.  Human text on stderr for commands; JSON lines when a server
 * switches it on.  Never pass secrets (passwords, keys, tokens, clear
 * sensitive field values) to these functions. */
#ifndef XY_UTIL_LOG_H
#define XY_UTIL_LOG_H

enum xy_log_level { XY_LOG_DEBUG, XY_LOG_INFO, XY_LOG_WARN, XY_LOG_ERROR };

void xy_log_set_level(enum xy_log_level min);
void xy_log_set_json(int on);
__attribute__((format(printf, 3, 4))) void xy_log(enum xy_log_level lvl, const char *where,
						  const char *fmt, ...);

#define xy_log_error(...) xy_log(XY_LOG_ERROR, __func__, __VA_ARGS__)
#define xy_log_warn(...)  xy_log(XY_LOG_WARN, __func__, __VA_ARGS__)
#define xy_log_info(...)  xy_log(XY_LOG_INFO, __func__, __VA_ARGS__)
#define xy_log_debug(...) xy_log(XY_LOG_DEBUG, __func__, __VA_ARGS__)

#endif
