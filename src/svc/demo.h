/* Synthetic demo data (`xinyong demo`, benchmarks): invented enterprises, self-employed
 * businesses and natural persons of one city, and CSV files of the six default datasets
 * (XZXK, XZCF, YZSX, SXJL, QYSB, GRQF) that pass the import checks (COL-2).
 *
 * Deterministic: the output is a pure function of the spec (no clock, no rand()).  Subject i is
 * a pure function of (seed, i, the list of counties; a legal representative also of the number
 * of natural persons), so the same enterprise carries the same code and name in every file;
 * nothing holds all subjects in memory.
 *
 * Every text the generator invents is free of ASCII commas, quotes and line breaks; values from
 * the spec (unit names) are quoted per RFC 4180 when they need it.  Headers are field codes. */
#ifndef XY_SVC_DEMO_H
#define XY_SVC_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Records in all for one xy_demo_write_files call (the spec's `records`). */
#define XY_DEMO_RECORDS_MAX 100000000L
/* Earliest `today` accepted: every invented person is born 1950-2005. */
#define XY_DEMO_TODAY_MIN 20060101

struct xy_demo_region {
	const char *code; /* 6-digit region code, e.g. "360402" */
	const char *name; /* e.g. "濂溪区" */
};

struct xy_demo_unit {
	const char *code;   /* the unit's 统一社会信用代码 (18 characters, [0-9A-Z]) */
	const char *name;   /* e.g. 九江市濂溪区市场监督管理局 */
	const char *region; /* region code (the city's own code for city-level units) */
	const char *const *provides; /* dataset codes it supplies */
	int nprovides;
};

/* All pointers are borrowed for the duration of each call. */
struct xy_demo_spec {
	uint64_t seed;
	long legal;   /* legal persons to invent (0..XY_SUBJECTS_DEMO_MAX) */
	long natural; /* natural persons to invent (0..XY_SUBJECTS_DEMO_MAX) */
	long records; /* records in all, spread over the datasets the units provide */
	int today;    /* YYYYMMDD, XY_DEMO_TODAY_MIN or later; no date after it */
	const char *city_code, *city_name; /* e.g. "360400", "九江市" */
	const struct xy_demo_region *counties;
	int ncounties; /* 0: every subject belongs to the city itself */
	const struct xy_demo_unit *units;
	int nunits;
};

/* Writes one UTF-8 CSV per (dataset, providing unit) into outdir (must exist), named
 * DATASET-UNITCODE.csv (an existing file is replaced), and calls each() after every file (a
 * nonzero return stops and is returned; each may be NULL).  Records are shared out roughly:
 * XZCF 40%, XZXK 40%, QYSB 8%, GRQF 6%, YZSX 3%, SXJL 3% of spec->records, in proportion over the
 * datasets some unit provides, then evenly among the units providing each.  Dataset codes other
 * than these six are skipped.  A dataset whose subjects do not exist (GRQF without natural
 * persons; QYSB or SXJL without legal persons) gets a file with the header only; QYSB rows are
 * capped at 120 months per enterprise so that (QYSB_SHXYM, QYSB_JFNY) stays unique.
 * 0, XY_EINVAL (bad spec), XY_ELIMIT (path too long), XY_ENOMEM, XY_EIO. */
__attribute__((warn_unused_result)) int
xy_demo_write_files(const struct xy_demo_spec *spec, const char *outdir,
		    int (*each)(void *arg, const char *dataset, const char *unit_code,
				const char *path, long rows),
		    void *arg);

/* For benchmarks: n rows of one dataset from one unit to f (header first); natural_share (0..1)
 * of the rows are natural persons where the dataset allows both (XZCF, XZXK, YZSX).  The unit
 * need not be listed in the spec nor provide the dataset.  Keys differ from those of
 * xy_demo_write_files for the same unit (document numbers carry 字, QYSB months lie 121-240
 * months back, GRQF 户号 carry another series), so both may go into one instance.  f is
 * borrowed and left open (flushed).  0, XY_EINVAL (unknown dataset, bad spec or unit, n out of
 * 0..XY_IMPORT_ROWS_MAX, no subjects of the kind the dataset needs), XY_ELIMIT (QYSB asked for
 * more than 120 months per enterprise), XY_ENOMEM, XY_EIO. */
__attribute__((warn_unused_result)) int xy_demo_write_rows(const struct xy_demo_spec *spec,
							   const char *dataset,
							   const struct xy_demo_unit *unit, long n,
							   double natural_share, FILE *f);

/* A plausible company (or 个体工商户) name and a valid USCC for legal person i (0-based; any i
 * in 0..XY_SUBJECTS_DEMO_MAX-1 gives a subject, whatever spec->legal; another i or a spec
 * without city code gives empty strings).  name is truncated to namecap (at a character
 * boundary) and always NUL-terminated when namecap > 0.  The subject functions do not check
 * the whole spec: pass one the write functions accept. */
void xy_demo_legal(const struct xy_demo_spec *spec, long i, char code[19], char *name,
		   size_t namecap);
/* A person name and a valid 18-character identity number for natural person i. */
void xy_demo_person(const struct xy_demo_spec *spec, long i, char idnum[19], char *name,
		    size_t namecap);

#endif
