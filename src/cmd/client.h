/* The API client behind the business commands (DESIGN.md §6, CHG-1): they
 * act through the JSON API as a signed-in account, never on the instance
 * directory.  This header gives them the saved session, one HTTP + JSON
 * call over libcurl, the error answer, and prompts for secrets.
 *
 * Every function prints its own failure ("xinyong: error: …") where it
 * happens and returns 0 or a negative XY_E… code; commands only map that to
 * an exit status.  The token and every password pass through buffers that
 * are wiped before release (the JSON library's included: see
 * xy_client_init). */
#ifndef XY_CMD_CLIENT_H
#define XY_CMD_CLIENT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "util/limits.h"

#define XY_CLIENT_RESPONSE_MAX	 (16 * 1024 * 1024) /* bytes of one answer accepted */
#define XY_CLIENT_SESSION_MAX	 (16 * 1024)	    /* bytes of the session file */
#define XY_CLIENT_URL_MAX	 512		    /* bytes of the server's base URL */
#define XY_CLIENT_ACCOUNT_MAX	 64		    /* bytes of an account name and NUL */
#define XY_CLIENT_LINE_MAX	 512		    /* bytes of one prompted line */
#define XY_CLIENT_CONNECT_S	 10		    /* seconds to connect */
#define XY_CLIENT_TIMEOUT_S	 120		    /* seconds for a whole request */
#define XY_CLIENT_UPLOAD_STALL_S 300 /* an upload ends after this long without progress */

struct xy_client {
	char server[XY_CLIENT_URL_MAX];	     /* "https://host:port", no trailing / */
	char account[XY_CLIENT_ACCOUNT_MAX]; /* who the session belongs to */
	char token[XY_TOKEN_MAX + 1];	     /* bearer token; "" before sign-in */
	void *curl;			     /* CURL * */
};

struct xy_client_resp {
	long status; /* the HTTP status */
	char *body;  /* the raw answer, NUL-terminated ("" when empty) */
	size_t len;
	size_t cap;
	json_t *json; /* the answer parsed, or NULL when it is not JSON */
};

/* Readies c for server (validated: http:// or https://, trailing / dropped),
 * or for the saved session's server when server is NULL (xy_client_load
 * fills it).  Installs wiping allocators in jansson, so it must come before
 * any other JSON use in the process.  xy_client_cleanup always follows. */
__attribute__((warn_unused_result)) int xy_client_init(struct xy_client *c, const char *server);
/* Wipes the token and frees the handle. */
void xy_client_cleanup(struct xy_client *c);

/* Reads the saved session ($XDG_CONFIG_HOME/xinyong/session.json, else
 * ~/.config/xinyong/) into c.  XY_ENOTFOUND (after telling the user to run
 * `xinyong login`) when there is none; a file that other users may read or
 * that is not the user's own is refused. */
__attribute__((warn_unused_result)) int xy_client_load(struct xy_client *c);
/* Saves c's server, account and token: folder 0700, file 0600, written to a
 * temporary file and renamed over the old one. */
__attribute__((warn_unused_result)) int xy_client_save(const struct xy_client *c);
/* Removes the saved session; 0 when there was none. */
__attribute__((warn_unused_result)) int xy_client_forget(void);

/* One request: method ("GET", "POST", "DELETE"…), path under the server
 * ("/api/v1/…", already escaped), body (borrowed; NULL: none).  Sends the
 * bearer token when c holds one.  0 when an answer came, whatever its status
 * (r filled; xy_client_resp_cleanup follows); an error when the server could
 * not be reached, took too long or answered more than
 * XY_CLIENT_RESPONSE_MAX bytes. */
__attribute__((warn_unused_result)) int xy_client_call(struct xy_client *c, const char *method,
						       const char *path, json_t *body,
						       struct xy_client_resp *r);
/* POSTs the file at `file` as the body (streamed from disk, any size the
 * server accepts) with that content type; otherwise as xy_client_call. */
__attribute__((warn_unused_result)) int xy_client_upload(struct xy_client *c, const char *path,
							 const char *file, const char *content_type,
							 struct xy_client_resp *r);
/* Wipes and frees the answer. */
void xy_client_resp_cleanup(struct xy_client_resp *r);
/* Prints the answer's error as "xinyong: error: CODE: MESSAGE" (or the bare
 * status when it holds none) and returns XY_EXIT_FAIL. */
int xy_client_report(const struct xy_client_resp *r);

/* A path segment percent-encoded into out; XY_ELIMIT when it does not fit. */
__attribute__((warn_unused_result)) int xy_client_escape(struct xy_client *c, const char *s,
							 char *out, size_t cap);

/* Prompts on the terminal (stderr) and reads one line from stdin into out,
 * without echo when secret; reads a line from stdin without a prompt when
 * stdin is not a terminal (so scripts and tests can pipe).  The caller wipes
 * out after use.  XY_EINVAL (printed) at end of input or for an empty line
 * when required, XY_ELIMIT for a line of cap bytes or more. */
__attribute__((warn_unused_result)) int xy_client_prompt(const char *prompt, int secret,
							 int required, char *out, size_t cap);

/* Writes s to f with control characters replaced by '?', so that a server's
 * text cannot move the cursor or retitle the terminal. */
void xy_client_put(FILE *f, const char *s);

/* For the business commands: xy_client_call that returns XY_EXIT_FAIL
 * (reported) unless the status is 2xx; the saved session (XY_EXIT_FAIL when
 * none); the raw answer on stdout (--json). */
int xy_client_api(struct xy_client *c, const char *method, const char *path, json_t *body,
		  struct xy_client_resp *r);
int xy_client_signed_in(struct xy_client *c);
void xy_client_put_raw(const struct xy_client_resp *r);

#endif
