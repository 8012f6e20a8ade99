#ifndef PLUMB_NSFS_FD_ITER_H
#define PLUMB_NSFS_FD_ITER_H
#include <stddef.h>
#include <stdint.h>

// Which open fds on the machine are namespace files, asked of the kernel in one pass: a BPF task_file iterator
// visits every process's fd table and reports only the fds whose file lives on nsfs. The /proc walk otherwise
// needs one readlink per open fd (17,000 on a host with 3,300 processes) to find the few that hold a namespace.
//
// The program is a few hand-written instructions loaded with bpf(2) directly: no libbpf, whose CO-RE step parses
// the whole kernel BTF (5.5 MB) on every load. The struct offsets it needs come from the kernel's BTF once
// (plumb_nsfs_layout_from_btf) and can be kept by the caller between runs, keyed on the kernel build.

/// Where the iterator reads: byte offsets of task_struct.pid/.tgid, file.f_inode, inode.i_sb,
/// super_block.s_magic, and the BTF id of the bpf_iter_task_file function (the attach point).
typedef struct {
    uint32_t task_pid;
    uint32_t task_tgid;
    uint32_t file_inode;
    uint32_t inode_sb;
    uint32_t sb_magic;
    uint32_t iter_btf_id;
} plumb_nsfs_layout;

/// One namespace fd: its process (thread-group leader) and descriptor number.
typedef struct {
    uint32_t pid;
    uint32_t fd;
} plumb_nsfs_fd;

/// Finds the layout in /sys/kernel/btf/vmlinux. 0, or a negative errno with a one-line reason in `err`.
int plumb_nsfs_layout_from_btf(const char *btf_path, plumb_nsfs_layout *out, char *err, size_t errlen);

/// Runs the iterator. On success returns the number of nsfs fds (written to *out, malloc'd: free it) and the
/// number of fds the kernel visited in *visited; on failure a negative errno with a one-line reason in `err`
/// (no CAP_BPF/CAP_PERFMON, a kernel without BPF iterators, a layout that does not fit this kernel).
long plumb_nsfs_fds(const plumb_nsfs_layout *layout, plumb_nsfs_fd **out, uint64_t *visited, char *err,
                    size_t errlen);

#endif
