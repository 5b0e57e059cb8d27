/* The internet-zone portal confines itself at start (NET-1, DESIGN.md §2), the way
 * OpenBSD daemons pledge and unveil: a compromised portal can read only what is
 * already public.  xy_sandbox_enter, called once while the process is still
 * single-threaded, in this order:
 *
 *   1. as root, becomes the named unprivileged user (supplementary groups, group,
 *      user, all three ids of each) and checks that root cannot be regained;
 *   2. sets no_new_privs (no set-id bit or file capability can raise it again);
 *   3. Landlock, with the best ABI the kernel offers: read and write beneath dir,
 *      read only beneath each ro path, nothing else on the file system; executing
 *      nothing anywhere; from ABI 4 TCP bind only to listen_port and no TCP connect;
 *      from ABI 6 no signals and no abstract Unix sockets outside the process;
 *   4. a seccomp allow-list (xy_sandbox_syscalls) whose default kills the process.
 *
 * Each layer stands without the others: seccomp refuses execve, connect, new
 * processes and sockets other than TCP whatever the kernel's Landlock; Landlock
 * confines the file system calls that seccomp must allow.
 *
 * What was open before stays usable (Landlock checks at open, seccomp does not
 * look at descriptors): close what the portal must not keep.  Whatever the process
 * loads at run time (an OpenSSL provider, iconv's GB18030 module, NSS for user
 * names) must be loaded before entering: afterwards the files are out of reach and
 * no new executable memory may be mapped. */
#ifndef XY_PORTAL_SANDBOX_H
#define XY_PORTAL_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* The highest Landlock ABI whose rights this file knows (kernel 6.12+ report 7; a
 * newer kernel is used at this level). */
#define XY_SANDBOX_LANDLOCK_ABI_KNOWN 7

struct xy_sandbox {
	const char *dir;       /* the one directory read and written (required) */
	const char *const *ro; /* paths still read, never written (may be NULL) */
	int nro;	       /* entries in ro, at most XY_SANDBOX_RO_MAX */
	const char *user;      /* becomes this user when started as root (then required) */
	unsigned listen_port;  /* the TCP port bind may name; 0: a kernel-chosen one */
	int landlock_required; /* fail instead of going on without Landlock */
};

struct xy_sandbox_report {
	int no_new_privs;	/* prctl(PR_GET_NO_NEW_PRIVS) once entered: 1 */
	int seccomp_mode;	/* prctl(PR_GET_SECCOMP) once entered: 2 (filter) */
	int landlock_abi;	/* the ABI whose rights were applied; 0: none */
	int landlock_kernel;	/* the ABI the kernel reported; 0: none */
	int landlock_net;	/* TCP bind/connect rules applied (ABI 4+) */
	char landlock_note[96]; /* when landlock_abi is 0: why ("unsupported: ...") */
	int dropped;		/* the process changed user */
	long uid, gid;		/* after the change */
};

/* Confines the calling process for the rest of its life.  0, or XY_EINVAL (no dir, too
 * many ro paths, more than one thread), XY_ECONFIG (dir or an ro path unusable, user
 * unknown or root, started as root without a user, Landlock required and missing),
 * XY_ENOMEM, XY_EIO (a system call of the set-up failed); the cause is logged.  After
 * a failure part of it may be in force already: the caller exits.  When the kernel has
 * no Landlock the call succeeds (unless required) and rep says so: the caller logs it.
 * rep is filled as far as the call went. */
__attribute__((warn_unused_result)) int xy_sandbox_enter(const struct xy_sandbox *sb,
							 struct xy_sandbox_report *rep);

/* One line for the running log: "no_new_privs=1 seccomp=2 landlock=7 net=1 uid=65534
 * gid=65534" ("landlock=0 (unsupported: ...)" without it). */
void xy_sandbox_report_str(const struct xy_sandbox_report *rep, char *out, size_t n);

/* ---- the rules, pure (used by xy_sandbox_enter, shown by the tests and docs) ---- */

/* Landlock file-system rights the ruleset handles for abi (everything the kernel can
 * refuse: what no rule grants is refused); 0 for abi <= 0. */
uint64_t xy_sandbox_ll_handled_fs(int abi);
/* Rights granted beneath dir: read, write, create and remove regular files, rename
 * within dir, truncate.  Never execute, devices, fifos, sockets, links, directories. */
uint64_t xy_sandbox_ll_dir_rights(int abi);
/* Rights granted beneath an ro path (is_dir) or on an ro file: read only. */
uint64_t xy_sandbox_ll_ro_rights(int abi, int is_dir);

enum xy_sandbox_rule {
	XY_SC_ALLOW,	    /* allowed whatever the arguments */
	XY_SC_NO_EXEC,	    /* mmap/mprotect: allowed without PROT_EXEC */
	XY_SC_THREAD,	    /* clone: only a thread (CLONE_VM|CLONE_SIGHAND|CLONE_THREAD) */
	XY_SC_ENOSYS,	    /* answered ENOSYS: the caller falls back (clone3 -> clone) */
	XY_SC_SELF,	    /* tgkill: only to the process itself */
	XY_SC_TCP_SOCKET,   /* socket: AF_INET / AF_INET6, SOCK_STREAM, TCP */
	XY_SC_SEND_NO_ADDR, /* sendto: no destination address, no MSG_FASTOPEN */
	XY_SC_NO_FASTOPEN,  /* sendmsg: no MSG_FASTOPEN (which would connect) */
	XY_SC_PRCTL_SAFE,   /* prctl: only reading state and naming a thread */
	XY_SC_IOCTL_TCGETS, /* ioctl: only TCGETS (isatty for stdio) */
	XY_SC_NOREPLACE,    /* renameat2: only RENAME_NOREPLACE (no exchange, no whiteout) */
};

struct xy_sandbox_syscall {
	const char *name;
	enum xy_sandbox_rule rule;
	const char *why;
};

/* The seccomp allow-list of this build (sanitizer builds carry a few more, each
 * saying so); *n its length.  Anything not in it kills the process. */
const struct xy_sandbox_syscall *xy_sandbox_syscalls(size_t *n);

#endif
