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

/* Working-day calendar (DIR/calendar.txt, util/workdays.h). */
#define XY_CALENDAR_FILE_MAX	(256 * 1024) /* bytes of the whole file */
#define XY_CALENDAR_LINE_MAX	512	     /* bytes of one line */
#define XY_CALENDAR_ENTRIES_MAX 4096	     /* dated lines (about 100 years of notices) */
#define XY_WORKDAYS_SPAN_MAX	36600	     /* days one count may walk (about 100 years) */

/* Store. */
#define XY_TAG_ROW_MAX (1024 * 1024) /* canonical bytes of one tagged row (CRY-2) */

/* Publishing to the portal (svc/publish.c; the file limits are ferry/sfile.h's). */
#define XY_PUBLISH_OBJECTS_MAX 8000000L /* records and subjects one publish compares */

/* Instance set-up. */
#define XY_CONFIG_FILE_MAX     (64 * 1024)
#define XY_REGIONS_MAX	       512
#define XY_UNITS_FILE_ROWS_MAX 10000
#define XY_SUBJECTS_DEMO_MAX   2000000

/* HTTP server (government zone).  The configuration may lower these. */
#define XY_HTTP_BODY_MAX      (1024 * 1024) /* a JSON request body, bytes */
#define XY_HTTP_UPLOAD_MAX    (2ULL << 30)  /* an uploaded import file, bytes */
#define XY_HTTP_HEADER_MEM    (32 * 1024)   /* per-connection header memory */
#define XY_HTTP_PATH_MAX      1024	    /* bytes of a request path */
#define XY_HTTP_QUERY_MAX     16	    /* query parameters */
#define XY_HTTP_PARAM_MAX     256	    /* bytes of one query value */
#define XY_HTTP_CONN_MAX      1024	    /* connections in all */
#define XY_HTTP_CONN_PER_ADDR 64	    /* connections from one address */
#define XY_HTTP_TIMEOUT_S     30	    /* an idle connection is closed */
#define XY_HTTP_THREADS_MAX   64
#define XY_HTTP_ALLOW_MAX     64    /* admitted address ranges (NET-2) */
#define XY_RATE_TABLE	      8192  /* clients tracked by the rate limiter */
#define XY_SESSIONS_MAX	      16384 /* open sessions */
#define XY_CHALLENGES_MAX     4096  /* outstanding SM2 sign-in challenges */
#define XY_TOKEN_MAX	      128   /* bytes of a session or CSRF token as sent */
#define XY_PAGE_MAX	      500   /* items in one page of a list */

/* Portal sections (POR-5): notices and policy pages, svc/section.c. */
#define XY_SECTION_ID_MAX      64	   /* bytes of an id: a-z 0-9 - */
#define XY_SECTION_TITLE_CHARS 200	   /* characters of a title */
#define XY_SECTION_TITLE_MAX   800	   /* bytes of a title (200 characters of 4 bytes) */
#define XY_SECTION_BODY_MAX    65536	   /* bytes of a body (plain text) */
#define XY_SECTION_PERIOD_MAX  3650	   /* days of an update period */
#define XY_SECTION_OVERDUE_MAX XY_PAGE_MAX /* sections in one overdue report */

/* Internet-zone portal. */
#define XY_SANDBOX_RO_MAX 16 /* read-only paths the portal's sandbox may name (NET-1) */
/* Change-set lines (docs/FORMATS.md "Change sets"), checked by src/portal/csline.c. */
#define XY_CS_LINE_MAX	    (1024 * 1024) /* one line, bytes (as XY_SFILE_LINE_MAX) */
#define XY_CS_CODE_MAX	    32		  /* a subject, unit, region or dataset code, bytes */
#define XY_CS_TEXT_MAX	    512		  /* a name, title or unit name, bytes */
#define XY_CS_VALUE_MAX	    4000	  /* one published field value, bytes */
#define XY_CS_BODY_MAX	    65536	  /* a section's body, bytes */
#define XY_CS_REPLY_MAX	    4000	  /* a ticket's reply, bytes */
#define XY_CS_FIELDS_MAX    96		  /* fields of one record */
#define XY_CS_LIST_MAX	    64		  /* values of one multi-valued field */
#define XY_CS_PERIOD_MAX    3660	  /* a section's update period, days */
#define XY_PORTAL_INBOX_MAX 4096	  /* change-set files looked at in one pass */
#define XY_PORTAL_APPLY_CACHE_KB \
	131072			   /* the apply connection's page cache while it applies (KiB) */
#define XY_PORTAL_CACHE_MB    64   /* rendered pages kept for the change set in force (MiB) */
#define XY_PORTAL_PAGE	      20   /* search results per page */
#define XY_PORTAL_PAGES_MAX   50   /* pages one search may walk */
#define XY_PORTAL_RECORDS_MAX 2000 /* records shown on one subject page */
#define XY_PORTAL_QUERY_MAX   100  /* bytes of a search query */
#define XY_PORTAL_FORM_MAX    (16 * 1024) /* bytes of a form body */
#define XY_PORTAL_REASON_MAX  1000	  /* characters of an objection's or repair's reason */
#define XY_PORTAL_PNAME_MAX   50	  /* characters of a submitter's name */
#define XY_PORTAL_CONTACT_MAX 100	  /* bytes of a contact (phone or e-mail) */
#define XY_PORTAL_FORM_TTL_S  3600	  /* a form token's lifetime */

#endif
