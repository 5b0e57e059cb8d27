/* Every bound that input can drive, in one place (curl's DYN_* habit).
 * Where an operator may tune one, the configuration names it too and may only
 * lower it (or raise it up to the hard cap given here). */
#ifndef XY_UTIL_LIMITS_H
#define XY_UTIL_LIMITS_H

/* Text files that come from outside (CSV, JSON Lines, INI, catalogs). */
#define XY_LINE_MAX	     (64 * 1024)  /* one CSV record / JSONL line, bytes */
#define XY_CSV_FIELDS_MAX    256	  /* columns in one CSV record */
#define XY_FIELD_VALUE_MAX   4000	  /* bytes in one field value */
#define XY_JSON_DEPTH_MAX    32		  /* nesting of any JSON document */
#define XY_IMPORT_FILE_MAX   (8ULL << 30) /* 8 GiB per import file */
#define XY_IMPORT_ROWS_MAX   20000000L	  /* data rows per import file */
#define XY_IMPORT_TXN_ROWS   4096	  /* rows per stored transaction */
#define XY_IMPORT_QUEUE_ROWS 1024	  /* rows in flight between the import threads */

/* Catalog. */
#define XY_CATALOG_FILE_MAX	(4 * 1024 * 1024)
#define XY_CATALOG_DATASETS_MAX 256
#define XY_CATALOG_FIELDS_MAX	96  /* fields per dataset */
#define XY_CATALOG_CODES_MAX	256 /* values in one code list */
#define XY_CATALOG_RULES_MAX	32  /* conditional rules per field */
#define XY_CODE_MAX		32  /* a dataset / field / unit code */
#define XY_NAME_MAX		256 /* a Chinese name, bytes */

/* Instance set-up. */
#define XY_CONFIG_FILE_MAX     (64 * 1024)
#define XY_REGIONS_MAX	       512
#define XY_UNITS_FILE_ROWS_MAX 10000
#define XY_SUBJECTS_DEMO_MAX   2000000

#endif
