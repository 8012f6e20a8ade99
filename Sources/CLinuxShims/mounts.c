#include "Mounts.h"
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define PLUMB_NR_STATMOUNT 457
#define PLUMB_NR_LISTMOUNT 458
#define PLUMB_LSMT_ROOT 0xffffffffffffffffULL
#define PLUMB_LISTMOUNT_REVERSE (1 << 0)
#define PLUMB_STATMOUNT_SB_BASIC 0x1u
#define PLUMB_STATMOUNT_MNT_ROOT 0x8u
#define PLUMB_STATMOUNT_MNT_POINT 0x10u
#define PLUMB_NSFS_MAGIC 0x6e736673ULL

struct plumb_mnt_id_req { uint32_t size, spare; uint64_t mnt_id, param, mnt_ns_id; };
struct plumb_statmount {
    uint32_t size, mnt_opts;
    uint64_t mask;
    uint32_t sb_dev_major, sb_dev_minor;
    uint64_t sb_magic;
    uint32_t sb_flags, fs_type;
    uint64_t mnt_id, mnt_parent_id;
    uint32_t mnt_id_old, mnt_parent_id_old;
    uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
    uint32_t mnt_root, mnt_point;
    uint64_t mnt_ns_id;
    uint64_t spare2[49];
    char str[];
};
struct plumb_mnt_ns_info { uint32_t size, nr_mounts; uint64_t mnt_ns_id; };
#define PLUMB_NSIO 0xb7
#define PLUMB_NS_MNT_GET_INFO _IOR(PLUMB_NSIO, 10, struct plumb_mnt_ns_info)
#define PLUMB_NS_MNT_GET_NEXT _IOR(PLUMB_NSIO, 11, struct plumb_mnt_ns_info)
#define PLUMB_NS_MNT_GET_PREV _IOR(PLUMB_NSIO, 12, struct plumb_mnt_ns_info)

int plumb_mntns_info(int nsfd, uint64_t *ns_id, uint32_t *nr_mounts) {
    struct plumb_mnt_ns_info info = { .size = sizeof info };
    if (ioctl(nsfd, PLUMB_NS_MNT_GET_INFO, &info) < 0) return -1;
    *ns_id = info.mnt_ns_id;
    *nr_mounts = info.nr_mounts;
    return 0;
}

int plumb_mntns_step(int nsfd, int forward, uint64_t *ns_id, uint32_t *nr_mounts) {
    struct plumb_mnt_ns_info info = { .size = sizeof info };
    int fd = ioctl(nsfd, forward ? PLUMB_NS_MNT_GET_NEXT : PLUMB_NS_MNT_GET_PREV, &info);
    if (fd < 0) return -1;
    *ns_id = info.mnt_ns_id;
    *nr_mounts = info.nr_mounts;
    return fd;
}

long plumb_listmount(uint64_t ns_id, uint64_t *ids, unsigned long n, int newest_first) {
    struct plumb_mnt_id_req req = { .size = sizeof req, .mnt_id = PLUMB_LSMT_ROOT, .param = 0, .mnt_ns_id = ns_id };
    return syscall(PLUMB_NR_LISTMOUNT, &req, ids, n, newest_first ? PLUMB_LISTMOUNT_REVERSE : 0);
}

static void copy_cut(char *dst, unsigned long len, const char *src) {
    if (len == 0) return;
    size_t n = strlen(src);
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

int plumb_statmount_nsfs(uint64_t ns_id, uint64_t mnt_id, char *root, unsigned long root_len,
                         char *point, unsigned long point_len) {
    union { struct plumb_statmount sm; char raw[8192]; } buf;
    struct plumb_mnt_id_req req = { .size = sizeof req, .mnt_id = mnt_id, .param = PLUMB_STATMOUNT_SB_BASIC,
                                    .mnt_ns_id = ns_id };
    // Two steps: the superblock magic alone is cheap; paths are only formatted for the few nsfs mounts.
    if (syscall(PLUMB_NR_STATMOUNT, &req, &buf, sizeof buf, 0) < 0) return -1;
    if (buf.sm.sb_magic != PLUMB_NSFS_MAGIC) return 0;
    req.param = PLUMB_STATMOUNT_MNT_ROOT | PLUMB_STATMOUNT_MNT_POINT;
    if (syscall(PLUMB_NR_STATMOUNT, &req, &buf, sizeof buf, 0) < 0) return -1;
    if (!(buf.sm.mask & PLUMB_STATMOUNT_MNT_ROOT) || !(buf.sm.mask & PLUMB_STATMOUNT_MNT_POINT)) {
        errno = EOPNOTSUPP;
        return -1;
    }
    copy_cut(root, root_len, buf.sm.str + buf.sm.mnt_root);
    copy_cut(point, point_len, buf.sm.str + buf.sm.mnt_point);
    return 1;
}
