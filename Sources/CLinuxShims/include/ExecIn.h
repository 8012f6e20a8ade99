#ifndef PLUMB_EXEC_IN_H
#define PLUMB_EXEC_IN_H
#include <sys/types.h>

/// Starts a command inside other namespaces, the way `nsenter` does, from a multithreaded process.
///
/// setns() into a mount or user namespace refuses a multithreaded caller, and entering a PID namespace only
/// affects children, so the work happens in a forked child (single-threaded, async-signal-safe calls only):
/// it enters every namespace fd in `ns_fds` (user namespace `user_fd` after the others, as nsenter does, and
/// then retries those that needed its privileges), becomes root inside a new user namespace, forks once more
/// when a PID namespace was entered so the command really lives in it, resets signal dispositions and the
/// signal mask, and execs `argv[0]` (searched in envp's PATH when it has no slash). If that file does not
/// exist and `fallback` is set, it execs `fallback` alone (a missing $SHELL inside a container falls back
/// to /bin/sh).
///
/// Returns 0 with the child's pid, or an errno: from fork, or reported back over a close-on-exec pipe by the
/// child (`*failed_stage` then says which step: 1 setns, 2 user credentials, 3 fork for PID namespace,
/// 4 exec). The caller waits for the pid; its exit status is the command's.
int plumb_exec_in(const int *ns_fds, int ns_count, int user_fd, int enters_pid_ns, char *const argv[],
                  char *const envp[], const char *fallback, pid_t *pid_out, int *failed_stage);

#endif
