#ifndef PLUMB_PROC_CONNECTOR_H
#define PLUMB_PROC_CONNECTOR_H
#include <stdint.h>

// The kernel's process events connector (NETLINK_CONNECTOR, CN_IDX_PROC): fork, exec and exit of every process,
// as they happen. The live view uses it to look only at processes that changed instead of walking /proc.

enum { PLUMB_PROC_FORK = 1, PLUMB_PROC_EXEC = 2, PLUMB_PROC_EXIT = 3 };

typedef struct {
    int32_t kind;   // PLUMB_PROC_*
    int32_t pid;    // the thread (fork: the child)
    int32_t tgid;   // its process (fork: the child's)
} plumb_proc_event;

/// Opens a non-blocking connector socket and subscribes to process events (root only). fd, or -1 with errno.
int plumb_proc_connector_open(void);

/// Reads what is queued: up to `max` fork/exec/exit events (others are skipped). Count (0: nothing queued),
/// or -1 with errno (ENOBUFS: events were lost, the caller must walk /proc again).
int plumb_proc_connector_read(int fd, plumb_proc_event *events, int max);

#endif
