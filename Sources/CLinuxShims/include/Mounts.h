#ifndef PLUMB_MOUNTS_H
#define PLUMB_MOUNTS_H
#include <stdint.h>

// Mount namespaces and their mounts without formatting whole mount tables as text: the NS_MNT_GET_* ioctls on
// a mount namespace fd (Linux 6.12) and listmount(2)/statmount(2) (6.8; by namespace id since 6.11). Debian 12's
// kernel headers predate them, so the numbers and layouts are declared in mounts.c.

/// A mount namespace's unique 64-bit id and its number of mounts (NS_MNT_GET_INFO). 0, or -1 with errno.
int plumb_mntns_info(int nsfd, uint64_t *ns_id, uint32_t *nr_mounts);

/// Steps from one mount namespace to the next (forward != 0) or previous one in id order (NS_MNT_GET_NEXT/PREV):
/// a new fd (close it) and its id and mount count, or -1 with errno (ENOENT: no more).
int plumb_mntns_step(int nsfd, int forward, uint64_t *ns_id, uint32_t *nr_mounts);

/// listmount(2) of the whole mount namespace `ns_id`: up to `n` unique mount ids, ascending, or descending with
/// `newest_first` (ids only grow, so the first one is then the newest mount). Count, or -1 with errno.
long plumb_listmount(uint64_t ns_id, uint64_t *ids, unsigned long n, int newest_first);

/// statmount(2) of one mount: 1 and its root ("net:[4026532561]") and mount point if it is an nsfs mount,
/// 0 if it is not, -1 with errno (ENOENT: it is gone). Strings are NUL-terminated and cut to their buffers.
int plumb_statmount_nsfs(uint64_t ns_id, uint64_t mnt_id, char *root, unsigned long root_len,
                         char *point, unsigned long point_len);

#endif
