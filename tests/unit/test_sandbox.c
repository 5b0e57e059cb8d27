/* NET-1: the portal's sandbox rules (src/portal/sandbox.h) as data: the Landlock rights
 * per ABI, the seccomp allow-list and what it must never hold, and the refusals that
 * come before anything is applied.  Entering for real is tests/cli/test_sandbox.py (it
 * cannot be undone, so never in this process). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <linux/landlock.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "portal/sandbox.h"
#include "util/err.h"

#define FS_EXECUTE   LANDLOCK_ACCESS_FS_EXECUTE
#define FS_WRITE     LANDLOCK_ACCESS_FS_WRITE_FILE
#define FS_READ	     LANDLOCK_ACCESS_FS_READ_FILE
#define FS_READ_DIR  LANDLOCK_ACCESS_FS_READ_DIR
#define FS_REFER     LANDLOCK_ACCESS_FS_REFER
#define FS_TRUNCATE  (1ULL << 14)
#define FS_IOCTL_DEV (1ULL << 15)
#define FS_NEVER_DIR                                                                 \
	(FS_EXECUTE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SOCK |               \
	 LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_DIR |                 \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | FS_IOCTL_DEV)

static void test_net1_landlock_handles_every_right_of_each_abi(void **state)
{
	(void)state;
	assert_int_equal(xy_sandbox_ll_handled_fs(0), 0);
	assert_int_equal(xy_sandbox_ll_handled_fs(-1), 0);
	assert_int_equal(xy_sandbox_ll_handled_fs(1), 0x1fff); /* EXECUTE .. MAKE_SYM */
	assert_int_equal(xy_sandbox_ll_handled_fs(2), 0x1fff | FS_REFER);
	assert_int_equal(xy_sandbox_ll_handled_fs(3), 0x1fff | FS_REFER | FS_TRUNCATE);
	assert_int_equal(xy_sandbox_ll_handled_fs(4), xy_sandbox_ll_handled_fs(3)); /* net */
	assert_int_equal(xy_sandbox_ll_handled_fs(5), xy_sandbox_ll_handled_fs(3) | FS_IOCTL_DEV);
	assert_int_equal(xy_sandbox_ll_handled_fs(7), xy_sandbox_ll_handled_fs(5));
}

static void test_net1_landlock_dir_reads_and_writes_files_but_never_executes(void **state)
{
	(void)state;
	for (int abi = 1; abi <= XY_SANDBOX_LANDLOCK_ABI_KNOWN; abi++) {
		uint64_t h = xy_sandbox_ll_handled_fs(abi), d = xy_sandbox_ll_dir_rights(abi);
		assert_int_equal(d & ~h, 0); /* only rights the kernel knows at that ABI */
		assert_int_equal(d & FS_NEVER_DIR, 0);
		assert_int_equal(d & (FS_READ | FS_WRITE | FS_READ_DIR),
				 FS_READ | FS_WRITE | FS_READ_DIR);
		assert_true(d & LANDLOCK_ACCESS_FS_MAKE_REG);
		assert_true(d & LANDLOCK_ACCESS_FS_REMOVE_FILE);
		assert_int_equal(!!(d & FS_TRUNCATE), abi >= 3);
	}
}

static void test_net1_landlock_ro_paths_are_read_only(void **state)
{
	(void)state;
	for (int abi = 1; abi <= XY_SANDBOX_LANDLOCK_ABI_KNOWN; abi++) {
		assert_int_equal(xy_sandbox_ll_ro_rights(abi, 1), FS_READ | FS_READ_DIR);
		assert_int_equal(xy_sandbox_ll_ro_rights(abi, 0), FS_READ);
	}
	assert_int_equal(xy_sandbox_ll_ro_rights(0, 1), 0);
}

static const struct xy_sandbox_syscall *find(const char *name)
{
	size_t n;
	const struct xy_sandbox_syscall *s = xy_sandbox_syscalls(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return &s[i];
	return NULL;
}

/* What a portal never needs and an intruder would want first. */
static const char never[] =
	"execve execveat fork vfork ptrace connect socketpair mount umount2 pivot_root "
	"chroot unshare setns setuid setgid setresuid setresgid setgroups capset kill "
	"tkill process_vm_readv process_vm_writev bpf perf_event_open init_module "
	"finit_module delete_module kexec_load keyctl add_key request_key userfaultfd "
	"io_uring_setup io_uring_enter memfd_create name_to_handle_at open_by_handle_at "
	"mknod mknodat symlink symlinkat link linkat chmod fchmodat chown fchown "
	"fchownat mkdir mkdirat rmdir open creat seccomp landlock_create_ruleset "
	"landlock_add_rule landlock_restrict_self reboot swapon sethostname "
	"settimeofday clock_settime acct quotactl syslog personality modify_ldt iopl "
	"ioperm fanotify_init inotify_init1 pidfd_open pidfd_getfd sendmmsg recvmmsg "
	"mount_setattr fsopen";

static void test_net1_allow_list_never_holds_exec_process_connect_or_mount(void **state)
{
	(void)state;
	for (const char *p = never; *p;) {
		char name[32];
		size_t len = strcspn(p, " ");
		snprintf(name, sizeof name, "%.*s", (int)len, p);
		if (find(name))
			fail_msg("%s is in the portal's allow-list", name);
		p += len + strspn(p + len, " ");
	}
}

static void test_net1_allow_list_entries_are_real_unique_and_explained(void **state)
{
	size_t n;
	const struct xy_sandbox_syscall *s = xy_sandbox_syscalls(&n);
	(void)state;
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		if (seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, s[i].name) < 0)
			fail_msg("%s is not an x86_64 system call", s[i].name);
		if (!s[i].why || strlen(s[i].why) < 10)
			fail_msg("%s: say why it is allowed", s[i].name);
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(s[i].name, s[j].name))
				fail_msg("%s listed twice", s[i].name);
	}
}

static void test_net1_allow_list_narrows_the_dangerous_ones_by_argument(void **state)
{
	(void)state;
	/* a thread, never a process; clone3 falls back to clone */
	assert_int_equal(find("clone")->rule, XY_SC_THREAD);
	assert_int_equal(find("clone3")->rule, XY_SC_ENOSYS);
	/* no new executable memory */
	assert_int_equal(find("mmap")->rule, XY_SC_NO_EXEC);
	assert_int_equal(find("mprotect")->rule, XY_SC_NO_EXEC);
	/* a signed file put in place without replacing one; never exchanged */
	assert_int_equal(find("renameat2")->rule, XY_SC_NOREPLACE);
	/* TCP only; answers only on the connection; signals only to itself */
	assert_int_equal(find("socket")->rule, XY_SC_TCP_SOCKET);
	assert_int_equal(find("sendto")->rule, XY_SC_SEND_NO_ADDR);
	assert_int_equal(find("sendmsg")->rule, XY_SC_NO_FASTOPEN);
	assert_int_equal(find("tgkill")->rule, XY_SC_SELF);
	assert_int_equal(find("prctl")->rule, XY_SC_PRCTL_SAFE);
	assert_int_equal(find("ioctl")->rule, XY_SC_IOCTL_TCGETS);
	/* what the portal does need */
	assert_non_null(find("accept4"));
	assert_non_null(find("openat"));
	assert_non_null(find("fdatasync"));
	assert_non_null(find("epoll_wait"));
	assert_non_null(find("getrandom"));
}

/* Nothing was applied: the process is as free as before. */
static void assert_not_confined(void)
{
	assert_int_equal(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	assert_int_equal(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
}

static void test_net1_bad_arguments_refused_before_anything_applies(void **state)
{
	struct xy_sandbox_report rep;
	const char *many[XY_SANDBOX_RO_MAX + 1];
	struct xy_sandbox sb = {.dir = NULL, .user = "nobody"};
	(void)state;
	assert_int_equal(xy_sandbox_enter(NULL, &rep), XY_EINVAL);
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_EINVAL);
	sb.dir = "/tmp";
	sb.ro = many;
	sb.nro = XY_SANDBOX_RO_MAX + 1;
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_EINVAL);
	sb.nro = 0;
	sb.dir = "/nonexistent/xy-sandbox";
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_ECONFIG);
	sb.dir = "/dev/null"; /* not a folder */
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_ECONFIG);
	sb.dir = "/tmp";
	many[0] = "/nonexistent/xy-sandbox-ro";
	sb.nro = 1;
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_ECONFIG);
	assert_int_equal(rep.seccomp_mode, 0);
	assert_not_confined();
}

static void test_net1_root_must_name_a_user(void **state)
{
	struct xy_sandbox_report rep;
	struct xy_sandbox sb = {.dir = "/tmp"};
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_ECONFIG);
	sb.user = "root";
	sb.dir = "/nonexistent/xy-sandbox"; /* refused at the folder, before the user */
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_ECONFIG);
	assert_int_equal(getuid(), 0);
	assert_not_confined();
}

static int pipefd[2];

static void *idle_thread(void *arg)
{
	char c;
	(void)arg;
	return read(pipefd[0], &c, 1) < 0 ? NULL : arg;
}

/* Landlock binds the calling thread only: a second thread would stay unconfined. */
static void test_net1_refused_once_a_second_thread_runs(void **state)
{
	struct xy_sandbox_report rep;
	/* a folder that does not exist: should the thread check ever fail, the call still
	 * stops (XY_ECONFIG) before confining this test process */
	struct xy_sandbox sb = {.dir = "/nonexistent/xy-sandbox", .user = "nobody"};
	pthread_t t;
	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(pthread_create(&t, NULL, idle_thread, NULL), 0);
	assert_int_equal(xy_sandbox_enter(&sb, &rep), XY_EINVAL);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	pthread_join(t, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_not_confined();
}

static void test_net1_report_line_says_when_landlock_is_missing(void **state)
{
	struct xy_sandbox_report rep = {.no_new_privs = 1,
					.seccomp_mode = 2,
					.landlock_abi = 7,
					.landlock_kernel = 7,
					.landlock_net = 1,
					.uid = 65534,
					.gid = 65534};
	char line[256];
	(void)state;
	xy_sandbox_report_str(&rep, line, sizeof line);
	assert_string_equal(line, "no_new_privs=1 seccomp=2 landlock=7 net=1 uid=65534 gid=65534");
	rep.landlock_abi = rep.landlock_kernel = rep.landlock_net = 0;
	snprintf(rep.landlock_note, sizeof rep.landlock_note, "unsupported: no Landlock (ENOSYS)");
	xy_sandbox_report_str(&rep, line, sizeof line);
	assert_string_equal(line, "no_new_privs=1 seccomp=2 landlock=0 (unsupported: no Landlock "
				  "(ENOSYS)) uid=65534 gid=65534");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net1_landlock_handles_every_right_of_each_abi),
		cmocka_unit_test(test_net1_landlock_dir_reads_and_writes_files_but_never_executes),
		cmocka_unit_test(test_net1_landlock_ro_paths_are_read_only),
		cmocka_unit_test(test_net1_allow_list_never_holds_exec_process_connect_or_mount),
		cmocka_unit_test(test_net1_allow_list_entries_are_real_unique_and_explained),
		cmocka_unit_test(test_net1_allow_list_narrows_the_dangerous_ones_by_argument),
		cmocka_unit_test(test_net1_bad_arguments_refused_before_anything_applies),
		cmocka_unit_test(test_net1_root_must_name_a_user),
		cmocka_unit_test(test_net1_refused_once_a_second_thread_runs),
		cmocka_unit_test(test_net1_report_line_says_when_landlock_is_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
