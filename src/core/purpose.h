/* Query purposes (SHR-5): the code list every query names one of, and that
 * use agreements are written in.  Pure data. */
#ifndef XY_CORE_PURPOSE_H
#define XY_CORE_PURPOSE_H

struct xy_purpose {
	const char *code; /* snake_case, stable: what agreements and the trail hold */
	const char *zh;
	const char *en;
};

extern const struct xy_purpose xy_purposes[];
extern const int xy_npurposes;

/* The purpose with this code, or NULL. */
const struct xy_purpose *xy_purpose_find(const char *code);

#endif
