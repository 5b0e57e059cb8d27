/* The portal's sandbox (NET-1): see sandbox.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "portal/sandbox.h"
#include "util/err.h"
#include "util/log.h"

/* ---- Landlock: rights per ABI ----
 * Debian 12's <linux/landlock.h> stops at ABI 2; the later rights are the kernel's
 * fixed UAPI values, named here when the header does not. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP	(1ULL << 0) /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL		    (1ULL << 1)
#endif
#define LL_RULE_NET_PORT 2 /* enum landlock_rule_type, ABI 4 */

/* The kernel's struct landlock_ruleset_attr as of ABI 6; the size passed says how much
 * of it an older kernel reads. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define LL_FS_ABI1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1) /* EXECUTE .. MAKE_SYM */

uint64_t xy_sandbox_ll_handled_fs(int abi)
{
	uint64_t m;
	if (abi <= 0)
		return 0;
	m = LL_FS_ABI1;
	if (abi >= 2)
		m |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		m |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		m |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return m;
}

uint64_t xy_sandbox_ll_dir_rights(int abi)
{
	/* REFER lets a file move between folders of dir (a submission from a spool
	 * folder to the inbox); TRUNCATE is SQLite's journal and WAL reset. */
	return xy_sandbox_ll_handled_fs(abi) &
	       (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER |
		LANDLOCK_ACCESS_FS_TRUNCATE);
}

uint64_t xy_sandbox_ll_ro_rights(int abi, int is_dir)
{
	uint64_t m = LANDLOCK_ACCESS_FS_READ_FILE;
	if (is_dir)
		m |= LANDLOCK_ACCESS_FS_READ_DIR; /* only meaningful (and only valid) on a folder */
	return xy_sandbox_ll_handled_fs(abi) & m;
}

/* ---- seccomp: the allow-list ----
 * What a libmicrohttpd thread pool (epoll, eventfd), SQLite (WAL, locks, mmap), OpenSSL
 * (SM2 verify: getrandom only, once initialised), glibc threads and the log need, and
 * nothing that starts a program, a process, an outward connection or a mount. */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define XY_SANDBOX_SAN 1
#else
#define XY_SANDBOX_SAN 0
#endif

/* Seen in strace of tests/tools/sandbox_probe.c in both builds, or named with the path
 * that needs it when the probe does not reach it. */
static const struct xy_sandbox_syscall syscalls[] = {
	/* descriptors: the rules decide what can be opened, these use what is open */
	{"read", XY_SC_ALLOW, "read an open file or socket"},
	{"write", XY_SC_ALLOW, "write an open file or socket, the log on stderr"},
	{"pread64", XY_SC_ALLOW, "SQLite pages"},
	{"pwrite64", XY_SC_ALLOW, "SQLite pages"},
	{"lseek", XY_SC_ALLOW, "stdio on files"},
	{"close", XY_SC_ALLOW, "files, sockets"},
	{"fstat", XY_SC_ALLOW, "file size (glibc 2.36 uses newfstatat; other libcs fstat)"},
	{"newfstatat", XY_SC_ALLOW, "stat, lstat, fstat: SQLite's journal and WAL checks"},
	{"fcntl", XY_SC_ALLOW, "SQLite's POSIX locks, O_NONBLOCK on sockets"},
	{"flock", XY_SC_ALLOW, "whole-file locks on the portal's own files"},
	{"fsync", XY_SC_ALLOW, "a received submission made durable"},
	{"fdatasync", XY_SC_ALLOW, "SQLite commit"},
	{"ftruncate", XY_SC_ALLOW, "SQLite journal and WAL reset"},
	{"fchmod", XY_SC_ALLOW, "SQLite gives a new WAL or journal its database's mode"},
	{"getdents64", XY_SC_ALLOW, "listing the inbox"},
	/* paths: Landlock confines them to dir (read-write) and the ro paths (read) */
	{"openat", XY_SC_ALLOW, "open and create files"},
	{"rename", XY_SC_ALLOW, "a file written under a temporary name, then renamed"},
	{"renameat2", XY_SC_NOREPLACE,
	 "a signed file put in place without replacing one (src/ferry/sfile.c): "
	 "RENAME_NOREPLACE only"},
	{"unlink", XY_SC_ALLOW, "SQLite removes its journal"},
	{"unlinkat", XY_SC_ALLOW, "the same through a folder descriptor"},
	{"access", XY_SC_ALLOW, "SQLite asks whether its database is writable"},
	{"readlink", XY_SC_ALLOW, "SQLite resolves a symbolic link in the database's path"},
	{"getcwd", XY_SC_ALLOW, "SQLite makes a relative database path absolute"},
	/* memory: never new executable memory */
	{"mmap", XY_SC_NO_EXEC, "malloc, thread stacks, SQLite mmap and WAL index; not PROT_EXEC"},
	{"mprotect", XY_SC_NO_EXEC, "thread stacks, malloc arenas; not PROT_EXEC"},
	{"munmap", XY_SC_ALLOW, "free, thread stacks given back"},
	{"mremap", XY_SC_ALLOW, "realloc of a large block"},
	{"madvise", XY_SC_ALLOW, "malloc and thread exit give memory back"},
	{"brk", XY_SC_ALLOW, "malloc grows the heap"},
	/* threads, time, signals within the process */
	{"clone", XY_SC_THREAD, "pthread_create; a thread only, never a process"},
	{"clone3", XY_SC_ENOSYS, "flags in memory seccomp cannot read: glibc falls back to clone"},
	{"futex", XY_SC_ALLOW, "mutexes, condition variables, thread join"},
	{"set_robust_list", XY_SC_ALLOW, "each new glibc thread"},
	{"rseq", XY_SC_ALLOW, "each new glibc thread registers its restartable sequence"},
	{"exit", XY_SC_ALLOW, "a thread ends"},
	{"exit_group", XY_SC_ALLOW, "the process ends"},
	{"getpid", XY_SC_ALLOW, "SQLite and OpenSSL notice a fork"},
	{"getuid", XY_SC_ALLOW, "its own ids"},
	{"geteuid", XY_SC_ALLOW, "SQLite: as root it would chown a new journal (never here)"},
	{"getgid", XY_SC_ALLOW, "its own ids"},
	{"getegid", XY_SC_ALLOW, "its own ids"},
	{"tgkill", XY_SC_SELF, "abort and pthread_kill: to this process only"},
	{"rt_sigaction", XY_SC_ALLOW, "glibc's set-id signal handler at the first thread; abort"},
	{"rt_sigprocmask", XY_SC_ALLOW, "pthread_create blocks signals around clone"},
	{"rt_sigreturn", XY_SC_ALLOW, "return from a signal handler"},
	{"restart_syscall", XY_SC_ALLOW, "a timed wait stopped and continued (SIGSTOP) resumes"},
	{"clock_gettime", XY_SC_ALLOW, "time, when the clock source has no vDSO"},
	{"gettimeofday", XY_SC_ALLOW, "time, when the clock source has no vDSO"},
	{"clock_nanosleep", XY_SC_ALLOW, "SQLite's busy wait (usleep)"},
	{"getrandom", XY_SC_ALLOW, "OpenSSL reseeds its random generator"},
	{"prctl", XY_SC_PRCTL_SAFE, "read the sandbox's state; libmicrohttpd names its threads"},
	/* the HTTP server: accept on its one port, never connect out */
	{"socket", XY_SC_TCP_SOCKET, "libmicrohttpd's listening socket: TCP over IPv4/IPv6 only"},
	{"bind", XY_SC_ALLOW, "the listening socket; Landlock (ABI 4+) allows only listen_port"},
	{"listen", XY_SC_ALLOW, "the listening socket"},
	{"accept4", XY_SC_ALLOW, "incoming connections"},
	{"getsockname", XY_SC_ALLOW, "the port actually bound"},
	{"setsockopt", XY_SC_ALLOW, "SO_REUSEADDR, TCP_NODELAY, TCP_CORK"},
	{"recvfrom", XY_SC_ALLOW, "reading a request"},
	{"sendto", XY_SC_SEND_NO_ADDR, "an answer, on the connection it came on"},
	{"sendmsg", XY_SC_NO_FASTOPEN, "headers and body in one call"},
	{"sendfile", XY_SC_ALLOW, "a file answer (static page) from an open descriptor"},
	{"shutdown", XY_SC_ALLOW, "closing a connection"},
	{"epoll_create1", XY_SC_ALLOW, "each libmicrohttpd worker thread"},
	{"epoll_ctl", XY_SC_ALLOW, "libmicrohttpd"},
	{"epoll_wait", XY_SC_ALLOW, "libmicrohttpd"},
	{"eventfd2", XY_SC_ALLOW, "libmicrohttpd's inter-thread wake-up (MHD_USE_ITC)"},
	{"ioctl", XY_SC_IOCTL_TCGETS, "isatty: stdio asks whether stdout is a terminal"},
#if XY_SANDBOX_SAN
	/* AddressSanitizer's run-time (sanitizer builds only).  LeakSanitizer cannot run
	 * inside: its exit check needs PR_SET_DUMPABLE and ptrace, which stay refused. */
	{"sigaltstack", XY_SC_ALLOW, "ASan: each new thread gets an alternate signal stack"},
	{"gettid", XY_SC_ALLOW, "ASan: its thread registry"},
	{"sched_getaffinity", XY_SC_ALLOW, "ASan: pthread_getattr_np for a new thread's stack"},
	{"sched_yield", XY_SC_ALLOW, "ASan: its allocator's spin locks yield when contended"},
#endif
};

const struct xy_sandbox_syscall *xy_sandbox_syscalls(size_t *n)
{
	*n = sizeof syscalls / sizeof syscalls[0];
	return syscalls;
}

/* prctl options the filter lets through: reading the sandbox's own state and thread
 * names (glibc names a thread with PR_SET_NAME). */
static const int prctl_safe[] = {PR_GET_SECCOMP, PR_GET_NO_NEW_PRIVS, PR_SET_NAME, PR_GET_NAME};

/* One entry of the table as libseccomp rules.  EQ comparisons pass their unused second
 * datum too: clang -Wextra wants every field of struct scmp_arg_cmp. */
static int rule_add(scmp_filter_ctx ctx, const struct xy_sandbox_syscall *s, pid_t self)
{
	/* A thread shares memory and signal handlers with its parent; a process (fork,
	 * vfork, or a clone into new namespaces) does not. */
	const scmp_datum_t thread = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD,
			   clone_mask = thread | CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
					CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
					CLONE_NEWCGROUP;
	const scmp_datum_t sock_type =
		0xffffffffULL & ~(scmp_datum_t)(SOCK_NONBLOCK | SOCK_CLOEXEC);
	const int fam[] = {AF_INET, AF_INET6}, proto[] = {0, IPPROTO_TCP};
	int nr = seccomp_syscall_resolve_name(s->name), rc = 0;

	if (nr < 0)
		return 0; /* not a system call of this architecture */
	switch (s->rule) {
	case XY_SC_ALLOW:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case XY_SC_NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case XY_SC_THREAD:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, clone_mask, thread));
	case XY_SC_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case XY_SC_SELF:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0));
	case XY_SC_TCP_SOCKET:
		for (int f = 0; f < 2 && !rc; f++)
			for (int p = 0; p < 2 && !rc; p++)
				rc = seccomp_rule_add(
					ctx, SCMP_ACT_ALLOW, nr, 3,
					SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam[f], 0),
					SCMP_A1(SCMP_CMP_MASKED_EQ, sock_type, SOCK_STREAM),
					SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)proto[p], 0));
		return rc;
	case XY_SC_SEND_NO_ADDR:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2,
					SCMP_A3(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, 0),
					SCMP_A4(SCMP_CMP_EQ, 0, 0));
	case XY_SC_NO_FASTOPEN:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, 0));
	case XY_SC_PRCTL_SAFE:
		for (size_t i = 0; i < sizeof prctl_safe / sizeof prctl_safe[0] && !rc; i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)prctl_safe[i], 0));
		return rc;
	case XY_SC_IOCTL_TCGETS:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TCGETS, 0));
	case XY_SC_NOREPLACE:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A4(SCMP_CMP_EQ, (scmp_datum_t)RENAME_NOREPLACE, 0));
	}
	return -EINVAL;
}

/* The default kills the whole process (SECCOMP_RET_KILL_PROCESS), not EPERM: a portal
 * that makes a call outside the list is either broken or taken over, and in both cases
 * should stop, loudly (the kernel logs the kill), rather than let an intruder learn
 * the filter by trying calls one after another.  The tests run every path the portal
 * uses, in both builds, so a missing entry shows there and not in production. */
static int seccomp_apply(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	pid_t self = getpid();
	int rc;

	if (!ctx) {
		xy_log_error("seccomp_init failed");
		return XY_ENOMEM;
	}
	/* a 32-bit call (int 0x80) is another architecture: killed too; an x32 call's
	 * number (bit 30 set) matches no rule and meets the default */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; i < sizeof syscalls / sizeof syscalls[0] && !rc; i++)
		if ((rc = rule_add(ctx, &syscalls[i], self)))
			xy_log_error("seccomp rule for %s: %s", syscalls[i].name, strerror(-rc));
	if (!rc && (rc = seccomp_load(ctx)))
		xy_log_error("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
	return rc ? XY_EIO : 0;
}

/* ---- Landlock ---- */

static int ll_kernel_abi(char *note, size_t n)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi > 0)
		return (int)abi;
	if (errno == ENOSYS)
		snprintf(note, n, "unsupported: this kernel has no Landlock (ENOSYS)");
	else if (errno == EOPNOTSUPP)
		snprintf(note, n, "unsupported: Landlock is disabled at boot (lsm=)");
	else
		snprintf(note, n, "unsupported: landlock_create_ruleset: %s", strerror(errno));
	return 0;
}

struct ll_path {
	int fd; /* O_PATH */
	int is_dir;
};

/* Opens path for a rule (O_PATH: neither read nor written by this). */
static int ll_path_open(const char *path, struct ll_path *p)
{
	struct stat st;
	p->fd = open(path, O_PATH | O_CLOEXEC);
	if (p->fd < 0 || fstat(p->fd, &st)) {
		xy_log_error("sandbox path %s: %s", path, strerror(errno));
		return XY_ECONFIG;
	}
	p->is_dir = S_ISDIR(st.st_mode);
	return 0;
}

static int ll_add_path(int rfd, const struct ll_path *p, uint64_t rights, const char *what)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights, .parent_fd = p->fd};
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0)) {
		xy_log_error("landlock rule for %s: %s", what, strerror(errno));
		return XY_EIO;
	}
	return 0;
}

static int ll_apply(int abi, const struct xy_sandbox *sb, const struct ll_path *dir,
		    const struct ll_path *ro, struct xy_sandbox_report *rep)
{
	struct ll_ruleset_attr ra = {.handled_access_fs = xy_sandbox_ll_handled_fs(abi)};
	size_t size = sizeof ra.handled_access_fs;
	int rfd, rc = 0;

	if (abi >= 4) { /* no TCP connect at all; bind only to the portal's port */
		ra.handled_access_net =
			LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) { /* no signal to, no abstract socket of, anything outside */
		ra.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
		size = sizeof ra;
	}
	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, size, 0);
	if (rfd < 0) {
		xy_log_error("landlock_create_ruleset (ABI %d): %s", abi, strerror(errno));
		return XY_EIO;
	}
	rc = ll_add_path(rfd, dir, xy_sandbox_ll_dir_rights(abi), sb->dir);
	for (int i = 0; i < sb->nro && !rc; i++)
		rc = ll_add_path(rfd, &ro[i], xy_sandbox_ll_ro_rights(abi, ro[i].is_dir),
				 sb->ro[i]);
	if (!rc && abi >= 4) {
		struct ll_net_port_attr np = {.allowed_access = LANDLOCK_ACCESS_NET_BIND_TCP,
					      .port = sb->listen_port};
		if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np, 0)) {
			xy_log_error("landlock rule for port %u: %s", sb->listen_port,
				     strerror(errno));
			rc = XY_EIO;
		}
	}
	if (!rc && syscall(SYS_landlock_restrict_self, rfd, 0)) {
		xy_log_error("landlock_restrict_self: %s", strerror(errno));
		rc = XY_EIO;
	}
	close(rfd);
	if (!rc) {
		rep->landlock_abi = abi;
		rep->landlock_net = abi >= 4;
	}
	return rc;
}

/* ---- the process ---- */

/* A number from /proc/self/status ("Threads:"), -1 when it cannot be read. */
static long status_number(const char *field)
{
	char buf[8192], *line, *next, *end;
	size_t flen = strlen(field);
	ssize_t n;
	long v;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (strncmp(line, field, flen) != 0 || line[flen] != ':')
			continue;
		errno = 0;
		v = strtol(line + flen + 1, &end, 10);
		return errno || end == line + flen + 1 ? -1 : v;
	}
	return -1;
}

/* No capability left in the effective or permitted set. */
static int caps_empty(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d))
		return 0;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective || d[i].permitted)
			return 0;
	return 1;
}

/* Becomes user for good: supplementary groups, then the group, then the user (each
 * real, effective and saved), then checks that nothing of root is left. */
static int become(const char *user, struct xy_sandbox_report *rep)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	uid_t r, e, s;
	gid_t rg, eg, sg, gid;

	if (getpwnam_r(user, &pw, buf, sizeof buf, &found) || !found) {
		xy_log_error("sandbox user %s: no such user", user);
		return XY_ECONFIG;
	}
	if (pw.pw_uid == 0 || pw.pw_gid == 0) {
		xy_log_error("sandbox user %s: is root or in group 0", user);
		return XY_ECONFIG;
	}
	gid = pw.pw_gid;
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)) {
		xy_log_error("sandbox: becoming %s: %s", user, strerror(errno));
		return XY_EIO;
	}
	if (setuid(0) != -1 || setgid(0) != -1 || getresuid(&r, &e, &s) ||
	    getresgid(&rg, &eg, &sg) || r != pw.pw_uid || e != r || s != r || rg != gid ||
	    eg != gid || sg != gid || !caps_empty()) {
		xy_log_error("sandbox: root could be regained after becoming %s", user);
		return XY_EIO;
	}
	rep->dropped = 1;
	return 0;
}

/* Everything checked before anything is applied. */
static int check_args(const struct xy_sandbox *sb)
{
	long threads;
	if (!sb || !sb->dir || !sb->dir[0] || sb->nro < 0 || sb->nro > XY_SANDBOX_RO_MAX ||
	    (sb->nro && !sb->ro) || sb->listen_port > 65535) {
		xy_log_error("sandbox: no folder, or too many read-only paths (at most %d)",
			     XY_SANDBOX_RO_MAX);
		return XY_EINVAL;
	}
	/* Landlock binds the calling thread only: another thread would stay free. */
	if ((threads = status_number("Threads")) != 1) {
		xy_log_error("sandbox: must be entered while single-threaded (%ld threads)",
			     threads);
		return XY_EINVAL;
	}
	if ((getuid() == 0 || geteuid() == 0) && (!sb->user || !sb->user[0])) {
		xy_log_error("sandbox: started as root: name an unprivileged user to become");
		return XY_ECONFIG;
	}
	return 0;
}

static int open_paths(const struct xy_sandbox *sb, struct ll_path *dir, struct ll_path *ro)
{
	int rc = ll_path_open(sb->dir, dir);
	if (!rc && !dir->is_dir) {
		xy_log_error("sandbox: %s is not a folder", sb->dir);
		rc = XY_ECONFIG;
	}
	for (int i = 0; i < sb->nro && !rc; i++)
		rc = ll_path_open(sb->ro[i], &ro[i]);
	return rc;
}

int xy_sandbox_enter(const struct xy_sandbox *sb, struct xy_sandbox_report *rep)
{
	struct ll_path dir = {-1, 0}, ro[XY_SANDBOX_RO_MAX];
	int abi, rc;

	memset(rep, 0, sizeof *rep);
	for (int i = 0; i < XY_SANDBOX_RO_MAX; i++)
		ro[i].fd = -1;
	if ((rc = check_args(sb)) || (rc = open_paths(sb, &dir, ro)))
		goto out;
	if ((getuid() == 0 || geteuid() == 0) && (rc = become(sb->user, rep)))
		goto out;
	rep->uid = (long)getuid();
	rep->gid = (long)getgid();
	if (access(sb->dir, R_OK | W_OK | X_OK)) {
		xy_log_error("sandbox: %s is not writable by uid %ld: %s", sb->dir, rep->uid,
			     strerror(errno));
		rc = XY_ECONFIG;
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		xy_log_error("sandbox: no_new_privs: %s", strerror(errno));
		rc = XY_EIO;
		goto out;
	}
	rep->landlock_kernel = ll_kernel_abi(rep->landlock_note, sizeof rep->landlock_note);
	abi = rep->landlock_kernel < XY_SANDBOX_LANDLOCK_ABI_KNOWN ? rep->landlock_kernel
								   : XY_SANDBOX_LANDLOCK_ABI_KNOWN;
	if (abi > 0)
		rc = ll_apply(abi, sb, &dir, ro, rep);
	else if (sb->landlock_required) {
		xy_log_error("sandbox: Landlock required: %s", rep->landlock_note);
		rc = XY_ECONFIG;
	}
	if (rc || (rc = seccomp_apply()))
		goto out;
	/* what the kernel now says, not what was asked */
	rep->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	rep->seccomp_mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
out:
	if (dir.fd >= 0)
		close(dir.fd);
	for (int i = 0; i < XY_SANDBOX_RO_MAX; i++)
		if (ro[i].fd >= 0)
			close(ro[i].fd);
	return rc;
}

void xy_sandbox_report_str(const struct xy_sandbox_report *rep, char *out, size_t n)
{
	if (rep->landlock_abi)
		snprintf(out, n, "no_new_privs=%d seccomp=%d landlock=%d net=%d uid=%ld gid=%ld",
			 rep->no_new_privs, rep->seccomp_mode, rep->landlock_abi, rep->landlock_net,
			 rep->uid, rep->gid);
	else
		snprintf(out, n, "no_new_privs=%d seccomp=%d landlock=0 (%s) uid=%ld gid=%ld",
			 rep->no_new_privs, rep->seccomp_mode,
			 rep->landlock_note[0] ? rep->landlock_note : "not applied", rep->uid,
			 rep->gid);
}
