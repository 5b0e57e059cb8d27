/* Passwords: Argon2id hashes (libargon2) with a per-account random salt, and
 * random one-time passwords for new and reset accounts (ACC-2, ACC-4). */
#ifndef XY_CRYPTO_PASSWORD_H
#define XY_CRYPTO_PASSWORD_H

#include <stddef.h>

/* OWASP's Argon2id recommendation: 19 MiB, 2 passes, 1 lane. */
#define XY_ARGON2_M_KIB	     19456
#define XY_ARGON2_T	     2
#define XY_ARGON2_P	     1
#define XY_PASSWORD_HASH_MAX 160 /* encoded hash, with NUL */
#define XY_OTP_LEN	     20	 /* characters in a generated one-time password */

/* Encodes an Argon2id hash of pw into out. */
__attribute__((warn_unused_result)) int xy_password_hash(const char *pw, size_t n,
							 char out[XY_PASSWORD_HASH_MAX]);
/* 0 when pw matches, XY_EDENIED when not, another error when the hash is
 * malformed. */
__attribute__((warn_unused_result)) int xy_password_verify(const char *encoded, const char *pw,
							   size_t n);
/* A random password of XY_OTP_LEN characters with upper and lower case
 * letters, digits and a symbol, without look-alike characters. */
__attribute__((warn_unused_result)) int xy_password_generate(char out[XY_OTP_LEN + 1]);

#endif
