#include "CLinuxShims.h"
#include <sched.h>
#include <unistd.h>
#include <spawn.h>
#include <fcntl.h>
#include <errno.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>

const unsigned long plumb_MS_BIND = MS_BIND, plumb_MS_REC = MS_REC, plumb_MS_SHARED = MS_SHARED,
                    plumb_MS_SLAVE = MS_SLAVE;
const int plumb_MNT_DETACH = MNT_DETACH;
int plumb_mount(const char *source, const char *target, const char *fstype, unsigned long flags) {
    return mount(source, target, fstype, flags, NULL);
}
int plumb_umount(const char *target, int flags) { return umount2(target, flags); }

const int plumb_CLONE_NEWNET = CLONE_NEWNET;
const int plumb_CLONE_NEWNS = CLONE_NEWNS;
const int plumb_CLONE_NEWUTS = CLONE_NEWUTS;
const int plumb_CLONE_NEWIPC = CLONE_NEWIPC;
const int plumb_CLONE_NEWPID = CLONE_NEWPID;
const int plumb_CLONE_NEWUSER = CLONE_NEWUSER;

int plumb_setns(int fd, int nstype) { return setns(fd, nstype); }
int plumb_unshare(int flags) { return unshare(flags); }
pid_t plumb_gettid(void) { return (pid_t)syscall(SYS_gettid); }

int plumb_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd,
                int stderr_fd, pid_t *pid_out) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    else posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
    if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stderr_fd, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    int rc = posix_spawn(pid_out, path, &fa, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

int plumb_spawn_detached(const char *path, char *const argv[], char *const envp[], pid_t *pid_out) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    int rc = posix_spawn(pid_out, path, &fa, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

long plumb_readlinkat(int dirfd, const char *path, char *buf, unsigned long len) {
    if (len == 0) return -1;
    ssize_t n = readlinkat(dirfd, path, buf, len - 1);
    if (n < 0) return -1;
    buf[n] = 0;
    return (long)n;
}

int plumb_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int plumb_ns_type(int fd) { return ioctl(fd, NS_GET_NSTYPE); }
int plumb_ns_get_userns(int fd) { return ioctl(fd, NS_GET_USERNS); }
int plumb_ns_owner_uid(int fd, unsigned int *uid) {
    uid_t u;
    if (ioctl(fd, NS_GET_OWNER_UID, &u) < 0) return -1;
    *uid = (unsigned int)u;
    return 0;
}

struct plumb_dirent64 { unsigned long long d_ino; long long d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };

long plumb_list_dir(int dirfd, const char *path, char *buf, unsigned long len) {
    int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    char raw[16384];
    unsigned long used = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, raw, sizeof raw);
        if (n <= 0) break;
        // procfs fills the buffer until it runs out of room or entries: a buffer with room for another
        // maximal entry left over was the last one, so the usual trailing getdents64 (returning 0) is skipped.
        int last = n + 280 < (long)sizeof raw;
        for (long off = 0; off < n;) {
            struct plumb_dirent64 *d = (struct plumb_dirent64 *)(raw + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.' && (d->d_name[1] == 0 || (d->d_name[1] == '.' && d->d_name[2] == 0))) continue;
            size_t l = strlen(d->d_name) + 1;
            if (used + l > len) { close(fd); return (long)used; }
            memcpy(buf + used, d->d_name, l);
            used += l;
        }
        if (last) break;
    }
    close(fd);
    return (long)used;
}

long plumb_read_small(int dirfd, const char *path, char *buf, unsigned long len) {
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long n;
    do { n = read(fd, buf, len); } while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return n;
}
