/* Password policy (ACC-4): pure rules, no I/O.  The history rule ("not one
 * of the last 5") needs the stored hashes and is checked by svc/account. */
#ifndef XY_CORE_PASSPOL_H
#define XY_CORE_PASSPOL_H

#include <stddef.h>

#define XY_PASSWORD_MAX 128 /* bytes; longer input is refused before hashing */

struct xy_pwpolicy {
	int min_length;	  /* characters; 12..64 */
	int min_classes;  /* of upper, lower, digit, other; 3..4 */
	int history;	  /* previous passwords refused; 5..24 */
	int max_age_days; /* 1..90 */
};

/* The REQUIREMENTS defaults: 12, 3, 5, 90. */
void xy_pwpolicy_default(struct xy_pwpolicy *p);

/* 0 when pw[0..n) satisfies the policy for the account name; otherwise
 * XY_EINVAL with *rule set to the rule broken: "min_length", "max_length",
 * "character_classes", "contains_account_name", "common_password",
 * "control_characters", "invalid_utf8". */
int xy_pwpolicy_check(const struct xy_pwpolicy *p, const char *pw, size_t n, const char *account,
		      const char **rule);

/* A sentence (Chinese and English) for a rule name. */
const char *xy_pwpolicy_explain(const char *rule);

#endif
