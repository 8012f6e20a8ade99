#include "ExecIn.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(int fd, int stage, int err) {
    int msg[2] = {stage, err};
    ssize_t unused = write(fd, msg, sizeof msg);
    (void)unused;
    _exit(127);
}

static const char *env_path(char *const envp[]) {
    for (int i = 0; envp[i]; i++)
        if (strncmp(envp[i], "PATH=", 5) == 0) return envp[i] + 5;
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/// execve, with a PATH search for names without a slash (execvpe would read the parent's environ, and
/// building strings with malloc after fork in a threaded process is unsafe). Returns the errno to report.
static int exec_searching(const char *file, char *const argv[], char *const envp[]) {
    if (strchr(file, '/')) { execve(file, argv, envp); return errno; }
    const char *p = env_path(envp);
    int err = ENOENT;
    char buf[4096];
    size_t flen = strlen(file);
    while (*p) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        if (dlen + 1 + flen + 1 <= sizeof buf) {
            memcpy(buf, p, dlen);
            buf[dlen] = '/';
            memcpy(buf + dlen + 1, file, flen + 1);
            execve(buf, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR) err = errno;
        }
        if (!end) break;
        p = end + 1;
    }
    return err;
}

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// Marks every descriptor above stderr close-on-exec, so the command inherits stdin, stdout and stderr only
/// (not a state database, a netlink socket or whatever plumb's own caller leaked to it). Marked rather than
/// closed: the namespace fds and the error pipe are still needed until the exec. close_range(2) needs Linux
/// 5.11; older kernels get the same, one fcntl per possible descriptor.
static void cloexec_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    struct rlimit rl;
    long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : 65536;
    if (max > (1L << 20)) max = 1L << 20;
    for (long fd = first; fd < max; fd++) {
        int flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

static void child(const int *fds, int n, int user_fd, int enters_pid, char *const argv[], char *const envp[],
                  const char *fallback, int errfd) {
    cloexec_from(3);
    int pending[64];
    int npending = 0;
    for (int i = 0; i < n && i < 64; i++)
        if (setns(fds[i], 0) != 0) pending[npending++] = fds[i];
    if (user_fd >= 0) {
        if (setns(user_fd, CLONE_NEWUSER) != 0) report(errfd, 1, errno);
        if (setgroups(0, NULL) != 0 && errno != EPERM) report(errfd, 2, errno);
        if (setgid(0) != 0 || setuid(0) != 0) report(errfd, 2, errno);
    }
    for (int i = 0; i < npending; i++)
        if (setns(pending[i], 0) != 0) report(errfd, 1, errno);
    for (int i = 0; i < n; i++) close(fds[i]);
    if (user_fd >= 0) close(user_fd);
    if (enters_pid) {
        pid_t inner = fork();
        if (inner < 0) report(errfd, 3, errno);
        if (inner > 0) {
            // The middle process only relays the command's status; the terminal's signals are for the command.
            close(errfd);
            signal(SIGINT, SIG_IGN);
            signal(SIGQUIT, SIG_IGN);
            int status;
            while (waitpid(inner, &status, 0) < 0 && errno == EINTR) {}
            if (WIFSIGNALED(status)) _exit(128 + WTERMSIG(status));
            _exit(WEXITSTATUS(status));
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < 32; s++) if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    int err = exec_searching(argv[0], argv, envp);
    if (err == ENOENT && fallback) {
        char *const alone[] = {(char *)fallback, NULL};
        execve(fallback, alone, envp);
        err = errno;
    }
    report(errfd, 4, err);
}

int plumb_exec_in(const int *ns_fds, int ns_count, int user_fd, int enters_pid_ns, char *const argv[],
                  char *const envp[], const char *fallback, pid_t *pid_out, int *failed_stage) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return errno;
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(pipefd[0]); close(pipefd[1]); return e; }
    if (pid == 0) {
        close(pipefd[0]);
        child(ns_fds, ns_count, user_fd, enters_pid_ns, argv, envp, fallback, pipefd[1]);
    }
    close(pipefd[1]);
    int msg[2] = {0, 0};
    ssize_t got;
    do { got = read(pipefd[0], msg, sizeof msg); } while (got < 0 && errno == EINTR);
    close(pipefd[0]);
    *pid_out = pid;
    if (got == (ssize_t)sizeof msg) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_stage = msg[0];
        return msg[1];
    }
    *failed_stage = 0;
    return 0;
}
