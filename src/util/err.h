/* One error table for the whole product (libuv style).
 *
 * Every fallible function returns 0 or a negative XY_E... code.  The same
 * X-macro gives each code its HTTP status, its API error code (snake_case,
 * stable, documented in docs/openapi.yaml) and an English message. */
#ifndef XY_UTIL_ERR_H
#define XY_UTIL_ERR_H

/*      name        http  api code                message */
#define XY_ERRORS(X)                                                                    \
	X(NOMEM, 500, "internal_error", "out of memory")                                \
	X(INVAL, 400, "bad_request", "invalid argument")                                \
	X(IO, 500, "io_error", "input/output error")                                    \
	X(NOTFOUND, 404, "not_found", "not found")                                      \
	X(EXISTS, 409, "already_exists", "already exists")                              \
	X(LIMIT, 413, "too_large", "input exceeds a limit")                             \
	X(PARSE, 400, "malformed", "malformed input")                                   \
	X(ENCODING, 400, "bad_encoding", "input is not in a supported text encoding")   \
	X(CRYPTO, 500, "crypto_error", "cryptographic operation failed")                \
	X(TAMPER, 500, "integrity_violation", "stored data failed its integrity check") \
	X(STORE, 500, "store_error", "storage error")                                   \
	X(BUSY, 503, "busy", "resource busy, try again")                                \
	X(AUDIT, 503, "audit_unavailable", "the audit record could not be written")     \
	X(CATALOG, 422, "invalid_catalog", "the catalog is invalid")                    \
	X(PROHIBITED, 422, "prohibited_field", "the catalog holds a prohibited field")  \
	X(DENIED, 403, "forbidden", "not allowed")                                      \
	X(CONFLICT, 409, "conflict", "conflicting state")                               \
	X(DUPLICATE, 409, "duplicate_batch", "this file was already imported")          \
	X(UNUSABLE, 422, "unusable_file", "the file cannot be imported")                \
	X(CONFIG, 500, "config_error", "configuration error")                           \
	X(KEY, 500, "key_error", "key material missing or invalid")

enum {
	XY_OK = 0,
	XY__EBASE = -1000,
#define XY__ENUM(name, http, code, msg) XY_E##name,
	XY_ERRORS(XY__ENUM)
#undef XY__ENUM
		XY__ELAST
};

/* English message for an error code; never NULL. */
const char *xy_strerror(int err);
/* Stable API error code ("not_found"); never NULL. */
const char *xy_err_code(int err);
/* HTTP status for an error code (500 for unknown codes). */
int xy_err_http(int err);

#endif
