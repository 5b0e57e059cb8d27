/* xinyong portal-register: the government side registers a portal's public key, so
 * that `xinyong serve` takes the submissions it signs from DIR/inbox/NAME/ (POR-3). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "svc/instance.h"
#include "svc/intake.h"
#include "util/err.h"

int xy_cmd_portal_register(int argc, char **argv)
{
	static const char usage[] =
		"usage: xinyong portal-register DIR NAME PUBLIC-KEY-FILE\n"
		"Registers the portal NAME (lower-case letters, digits, '-'; at most 64) and\n"
		"its SM2 public key (the portal's PDIR/portal-sm2.pub, PEM) with the instance in\n"
		"DIR.  `xinyong serve` then takes the submissions it signs from\n"
		"DIR/inbox/NAME/, in sequence order.  Audited as portal.register.\n";
	struct xy_instance *inst = NULL;
	char pem[XY_PORTAL_PEM_MAX + 2], err[512];
	const char *why = NULL;
	size_t n;
	FILE *f;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return XY_EXIT_OK;
	}
	if (argc != 4) {
		fputs(usage, stderr);
		return XY_EXIT_USAGE;
	}
	f = fopen(argv[3], "rb");
	if (!f)
		return xy_cmd_fail("%s cannot be read", argv[3]);
	n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	if (n > XY_PORTAL_PEM_MAX)
		return xy_cmd_fail("%s is larger than a public key (%d bytes)", argv[3],
				   XY_PORTAL_PEM_MAX);
	if (xy_instance_open(argv[1], &inst, err, sizeof err))
		return xy_cmd_fail("%s", err);
	rc = xy_intake_register(inst, argv[2], pem, n, &why);
	xy_instance_close(inst);
	if (rc == XY_EINVAL && why && !strcmp(why, "name"))
		return xy_cmd_fail("NAME: lower-case letters, digits and '-', 1 to 64 of them");
	if (rc == XY_EINVAL)
		return xy_cmd_fail("%s is not an SM2 public key (PEM)", argv[3]);
	if (rc == XY_EEXISTS)
		return xy_cmd_fail("a portal with this name or this key is registered already");
	if (rc)
		return xy_cmd_fail("%s", xy_strerror(rc));
	printf("portal=%s inbox=%s/inbox/%s/\n", argv[2], argv[1], argv[2]);
	return XY_EXIT_OK;
}
