/* A platform instance: its directory (config.ini, keys/, core.db,
 * reports/, allow-codes.txt), created by xy_instance_init and opened by
 * every local command. */
#ifndef XY_SVC_INSTANCE_H
#define XY_SVC_INSTANCE_H

#include <limits.h>
#include <stdint.h>

#include "core/catalog.h"
#include "store/store.h"

struct xy_ini;
struct xy_keyring;
struct xy_auditcp;
struct xy_sealer;

#define XY_ADMIN_ACCOUNTS   3
#define XY_INSTANCE_DIR_MAX 1024 /* bytes in an instance directory path */

struct xy_init_opts {
	const char *dir;
	const char *city;	  /* "CODE:NAME"; NULL: the demo region set */
	const char *counties;	  /* "CODE:NAME,CODE:NAME…"; NULL with city NULL: demo */
	const char *office;	  /* "USCC:NAME" of the credit office; NULL: derived */
	const char *units_file;	  /* CSV code,name,region,provides; may be NULL */
	const char *catalog_file; /* NULL: the built-in default catalog */
};

struct xy_init_account {
	char name[32];
	char role[32];
	char password[32]; /* printed once, never stored (ACC-2) */
};

struct xy_instance {
	char dir[PATH_MAX];
	struct xy_ini *config;
	struct xy_keyring *keys;
	struct xy_store *store;
	struct xy_sealer *tagger; /* store's row keys (CRY-2); the opening thread's */
	struct xy_catalog *catalog;
	int64_t catalog_version;
	char city_code[16];
	char city_name[XY_NAME_MAX];
	char **allow_codes; /* sorted allow-list of codes that fail their check */
	size_t nallow;
	struct xy_auditcp *auditcp; /* signed checkpoints of the audit chain (AUD-3) */
	char auditcp_path[PATH_MAX];
	int retention_months; /* AUD-4: at least 6 */
};

/* Creates a new instance.  Refuses a directory that exists and is not
 * empty.  Everything is built in a temporary sibling and renamed into place
 * at the end, so a failure leaves nothing behind.  err says why. */
__attribute__((warn_unused_result)) int
xy_instance_init(const struct xy_init_opts *o, struct xy_init_account acc[XY_ADMIN_ACCOUNTS],
		 char *err, size_t errlen);
__attribute__((warn_unused_result)) int xy_instance_open(const char *dir, struct xy_instance **out,
							 char *err, size_t errlen);
/* Writes a last audit checkpoint over what this process added (forced,
 * when the chain moved since the last one), then frees everything. */
void xy_instance_close(struct xy_instance *inst);

/* The allow-list callback for xy_row_opts (inst is the instance). */
int xy_instance_code_allowed(void *inst, const char *code, size_t n);

/* Registers a member unit with the datasets it provides, audited, in its own
 * transaction (used by init --units and the demo). */
__attribute__((warn_unused_result)) int
xy_instance_add_unit(struct xy_instance *inst, struct xy_unit *u, const char *const *provides,
		     int nprovides, char *err, size_t errlen);

/* The built-in default catalog (catalog/default.json compiled in). */
const char *xy_default_catalog(size_t *n);
/* The built-in working-day calendar (data/calendar-cn.txt compiled in),
 * which init installs as DIR/calendar.txt. */
const char *xy_default_calendar(size_t *n);

#endif
