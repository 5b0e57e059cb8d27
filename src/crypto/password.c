#include "crypto/password.h"

#include <argon2.h>
#include <string.h>

#include "crypto/sm.h"
#include "util/err.h"
#include "util/log.h"

#define SALT_LEN 16
#define HASH_LEN 32

int xy_password_hash(const char *pw, size_t n, char out[XY_PASSWORD_HASH_MAX])
{
	uint8_t salt[SALT_LEN];
	int rc = xy_random(salt, sizeof salt);

	if (rc)
		return rc;
	rc = argon2id_hash_encoded(XY_ARGON2_T, XY_ARGON2_M_KIB, XY_ARGON2_P, pw, n, salt,
				   sizeof salt, HASH_LEN, out, XY_PASSWORD_HASH_MAX);
	if (rc != ARGON2_OK) {
		xy_log_error("argon2id: %s", argon2_error_message(rc));
		return XY_ECRYPTO;
	}
	return 0;
}

int xy_password_verify(const char *encoded, const char *pw, size_t n)
{
	int rc = argon2id_verify(encoded, pw, n);
	if (rc == ARGON2_OK)
		return 0;
	if (rc == ARGON2_VERIFY_MISMATCH)
		return XY_EDENIED;
	xy_log_error("argon2id: %s", argon2_error_message(rc));
	return XY_ECRYPTO;
}

int xy_password_generate(char out[XY_OTP_LEN + 1])
{
	static const char *const classes[] = {
		"ABCDEFGHJKLMNPQRSTUVWXYZ",
		"abcdefghijkmnpqrstuvwxyz",
		"23456789",
		"!#%+=?@-",
	};
	static const char all[] =
		"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!#%+=?@-";
	uint8_t r[XY_OTP_LEN * 2];
	int rc = xy_random(r, sizeof r);

	if (rc)
		return rc;
	/* Rejection sampling keeps every character equally likely. */
	for (int i = 0, k = 0; i < XY_OTP_LEN; k++) {
		const char *set = i < 4 ? classes[i] : all;
		size_t m = strlen(set);
		if (k == (int)sizeof r) {
			if ((rc = xy_random(r, sizeof r)))
				return rc;
			k = 0;
		}
		if (r[k] >= 256 - 256 % m)
			continue;
		out[i++] = set[r[k] % m];
	}
	/* Shuffle so the guaranteed classes are not always in front. */
	for (int i = XY_OTP_LEN - 1; i > 0; i--) {
		uint8_t b;
		char t;
		if ((rc = xy_random(&b, 1)))
			return rc;
		int j = b % (i + 1);
		t = out[i];
		out[i] = out[j];
		out[j] = t;
	}
	out[XY_OTP_LEN] = '\0';
	xy_wipe(r, sizeof r);
	return 0;
}
