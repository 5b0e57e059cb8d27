/* Time-based one-time passwords for the second factor at sign-in (ACC-5): HOTP (RFC 4226)
 * and TOTP (RFC 6238) with HMAC-SHA1, 6 digits and 30-second steps, which is what every
 * authenticator app accepts; base32 (RFC 4648) and the otpauth:// URI that enrols a
 * secret in such an app (usually shown as a QR code: util/qr.h).
 *
 * The TOTP secret is key material: callers wipe their copies (xy_wipe) and store it sealed.
 * The base32 text and the URI carry the same secret and are treated the same way.
 * See docs/internals/totp-qr.md. */
#ifndef XY_CRYPTO_TOTP_H
#define XY_CRYPTO_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define XY_TOTP_SECRET_LEN 20  /* bytes of a new secret: 160 bits, RFC 4226 R6 */
#define XY_TOTP_STEP	   30  /* seconds per time step (RFC 6238 X) */
#define XY_TOTP_DIGITS	   6   /* digits in a code */
#define XY_TOTP_KEY_MIN	   16  /* shortest key accepted: 128 bits (RFC 4226 R6) */
#define XY_TOTP_KEY_MAX	   64  /* longest key accepted (one SHA-1 block) */
#define XY_TOTP_WINDOW_MAX 10  /* hard cap on the steps tried either side of now */
#define XY_TOTP_LABEL_MAX  128 /* bytes of an issuer or account name in a URI */

/* Base32 text length for n bytes, without padding and without the NUL. */
#define XY_BASE32_LEN(n) (((n)*8 + 4) / 5)

/* The 6-digit HOTP value (RFC 4226 5.3) of counter under key, 0..999999, in *code_out.
 * XY_EINVAL unless XY_TOTP_KEY_MIN <= keylen <= XY_TOTP_KEY_MAX; XY_ECRYPTO when OpenSSL
 * fails. */
__attribute__((warn_unused_result)) int xy_hotp(const uint8_t *key, size_t keylen, uint64_t counter,
						uint32_t *code_out);

/* Checks a TOTP code typed by the user at unix_time (seconds, >= 0).
 *
 * code must be exactly XY_TOTP_DIGITS ASCII digits and a NUL; anything else is XY_EINVAL
 * before any MAC is computed.  The steps floor(unix_time / XY_TOTP_STEP) - window ..
 * + window are tried (0 <= window <= XY_TOTP_WINDOW_MAX, else XY_EINVAL; RFC 6238 5.2
 * suggests 1), each compared in constant time; all of them are computed whatever matches.
 *
 * ACC-5: a code is good once.  Only a step strictly greater than last_step (the step
 * stored at the account's previous successful check; 0 for none) may match.  On a match
 * the function returns 0 and sets *step_out to the matching step (the greatest, should
 * two match); the caller must store it as the new last_step before it lets the user in.
 * XY_EDENIED when nothing matches.  *step_out is untouched on any error. */
__attribute__((warn_unused_result)) int xy_totp_check(const uint8_t *key, size_t keylen,
						      int64_t unix_time, const char *code,
						      int window, uint64_t last_step,
						      uint64_t *step_out);

/* RFC 4648 base32 (alphabet A-Z 2-7) of in[0..n), without '=' padding, as authenticator
 * apps expect, NUL-terminated in out.  XY_ELIMIT when cap < XY_BASE32_LEN(n) + 1. */
__attribute__((warn_unused_result)) int xy_base32_encode(const uint8_t *in, size_t n, char *out,
							 size_t cap);

/* The enrolment URI ("Key Uri Format" of authenticator apps), NUL-terminated in out:
 *   otpauth://totp/ISSUER:ACCOUNT?secret=S&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * issuer and account are UTF-8 (1..XY_TOTP_LABEL_MAX bytes, no ':' because it separates
 * them in the label, no control characters), percent-encoded per RFC 3986 (everything but
 * the unreserved A-Z a-z 0-9 - . _ ~, so a Chinese name becomes %E5%BC%A0...).  secret_b32
 * is unpadded upper-case base32 (xy_base32_encode), at least XY_TOTP_KEY_MIN bytes' worth.
 * XY_EINVAL for a bad argument, XY_EENCODING for invalid UTF-8, XY_ELIMIT when the URI and
 * its NUL do not fit in cap. */
__attribute__((warn_unused_result)) int xy_totp_uri(const char *issuer, const char *account,
						    const char *secret_b32, char *out, size_t cap);

#endif
