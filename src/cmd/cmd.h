/* Command-line commands: each parses its options, calls a service and
 * prints.  Exit codes: 0 success, 1 failure, 2 usage, 3 import with
 * rejected rows. */
#ifndef XY_CMD_CMD_H
#define XY_CMD_CMD_H

enum { XY_EXIT_OK = 0, XY_EXIT_FAIL = 1, XY_EXIT_USAGE = 2, XY_EXIT_PARTIAL = 3 };

int xy_cmd_init(int argc, char **argv);
int xy_cmd_import(int argc, char **argv);
int xy_cmd_demo(int argc, char **argv);
int xy_cmd_verify(int argc, char **argv);
int xy_cmd_audit(int argc, char **argv);
int xy_cmd_calendar(int argc, char **argv);
int xy_cmd_portal_register(int argc, char **argv);
int xy_cmd_serve(int argc, char **argv);
int xy_cmd_publish(int argc, char **argv);
int xy_cmd_portal_init(int argc, char **argv);
int xy_cmd_portal(int argc, char **argv);
int xy_cmd_login(int argc, char **argv);
int xy_cmd_logout(int argc, char **argv);
int xy_cmd_whoami(int argc, char **argv);
int xy_cmd_passwd(int argc, char **argv);
int xy_cmd_account(int argc, char **argv);
int xy_cmd_query(int argc, char **argv);
int xy_cmd_search(int argc, char **argv);
int xy_cmd_authorise(int argc, char **argv);
int xy_cmd_clients(int argc, char **argv);

/* Prints "xinyong: error: MSG" and returns XY_EXIT_FAIL. */
__attribute__((format(printf, 1, 2))) int xy_cmd_fail(const char *fmt, ...);

#endif
