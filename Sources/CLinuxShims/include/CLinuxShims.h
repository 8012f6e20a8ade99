#ifndef PLUMB_LINUX_SHIMS_H
#define PLUMB_LINUX_SHIMS_H
// setns/unshare and CLONE_* need _GNU_SOURCE before the first include; Swift's Glibc module does not see them.
#include <sys/types.h>
#include <stdint.h>
#include "ExecIn.h"
#include "Epoll.h"
#include "Mounts.h"
#include "ProcConnector.h"
#include "NsfsFdIter.h"

extern const int plumb_CLONE_NEWNET;
extern const int plumb_CLONE_NEWNS;
extern const int plumb_CLONE_NEWUTS;
extern const int plumb_CLONE_NEWIPC;
extern const int plumb_CLONE_NEWPID;
extern const int plumb_CLONE_NEWUSER;

int plumb_setns(int fd, int nstype);
int plumb_unshare(int flags);
pid_t plumb_gettid(void);

/// posix_spawn from the calling thread (which may be inside another network namespace), stdin/stdout/stderr
/// from the given fds (stdin_fd < 0: /dev/null). argv and envp are NULL-terminated. Returns 0 and the pid, or
/// an errno.
int plumb_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                int stderr_fd, pid_t *pid_out);

/// posix_spawn in a new session (setsid), all stdio on /dev/null: a long-lived process that outlives plumb,
/// started from the calling thread so it lives in that thread's network namespace.
int plumb_spawn_detached(const char *path, char *const argv[], char *const envp[], pid_t *pid_out);

/// mount(2) / umount2(2), for bind-mounting namespace files the way `ip netns add` does.
int plumb_mount(const char *source, const char *target, const char *fstype, unsigned long flags);
int plumb_umount(const char *target, int flags);
extern const unsigned long plumb_MS_BIND, plumb_MS_REC, plumb_MS_SHARED, plumb_MS_SLAVE;
extern const int plumb_MNT_DETACH;

/// readlink(2) relative to a directory fd, NUL-terminated; returns length or -1.
long plumb_readlinkat(int dirfd, const char *path, char *buf, unsigned long len);

/// pipe2(O_CLOEXEC): both ends close on exec, so spawned tools inherit only what they are given.
int plumb_pipe_cloexec(int fds[2]);

/// ioctl(NS_GET_NSTYPE): the CLONE_NEW* type of an nsfs fd, or -1.
int plumb_ns_type(int fd);

/// ioctl(NS_GET_USERNS): a new fd (O_CLOEXEC) for the user namespace that owns this nsfs fd's namespace, or -1.
int plumb_ns_get_userns(int fd);

/// ioctl(NS_GET_OWNER_UID) on a user-namespace fd: the uid (in the caller's user namespace) of whoever created
/// it. Returns 0, or -1 with errno set.
int plumb_ns_owner_uid(int fd, unsigned int *uid);

/// Lists a directory (relative to dirfd) with raw getdents64: names separated by NUL, "." and ".." skipped.
/// Returns the bytes used, or -1. Cheaper than opendir/readdir on /proc, where it runs 10,000 times.
long plumb_list_dir(int dirfd, const char *path, char *buf, unsigned long len);

/// Reads a small file relative to dirfd with one open/read/close (a short read on /proc means end of file).
/// Returns bytes read, or -1 with errno set.
long plumb_read_small(int dirfd, const char *path, char *buf, unsigned long len);

#endif
