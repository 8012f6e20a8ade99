// The nsfs fd iterator (see NsfsFdIter.h): a minimal reader of the kernel's BTF for five struct offsets and one
// function id, and a BPF task_file iterator program written as raw instructions.
#include "NsfsFdIter.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NSFS_MAGIC 0x6e736673

// ---- BTF (the kernel's type information, Documentation/bpf/btf.rst) ----

struct btf_hdr { uint16_t magic; uint8_t version, flags; uint32_t hdr_len, type_off, type_len, str_off, str_len; };
struct btf_t { uint32_t name_off, info, size_or_type; };
struct btf_m { uint32_t name_off, type, offset; };

enum { K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF, K_VOLATILE, K_CONST, K_RESTRICT,
       K_FUNC, K_FUNC_PROTO, K_VAR, K_DATASEC, K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64 };

typedef struct {
    const char *strings;
    uint32_t str_len;
    const struct btf_t **types;   // by id (0 is void)
    uint32_t count;
} btf_index;

static const char *btf_name(const btf_index *b, uint32_t off) { return off < b->str_len ? b->strings + off : ""; }
static int kind_of(const struct btf_t *t) { return (t->info >> 24) & 0x1f; }
static int vlen_of(const struct btf_t *t) { return t->info & 0xffff; }

// The size of a type record beyond its common part.
static long extra_size(const struct btf_t *t) {
    int v = vlen_of(t);
    switch (kind_of(t)) {
    case K_INT: case K_VAR: case K_DECL_TAG: return 4;
    case K_ARRAY: return 12;
    case K_STRUCT: case K_UNION: case K_DATASEC: case K_ENUM64: return 12L * v;
    case K_ENUM: case K_FUNC_PROTO: return 8L * v;
    case K_PTR: case K_FWD: case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT: case K_FUNC:
    case K_FLOAT: case K_TYPE_TAG: return 0;
    default: return -1;
    }
}

// The byte offset of member `name` in struct/union `id`, looking into anonymous members; -1 if absent.
static long member_offset(const btf_index *b, uint32_t id, const char *name, int depth) {
    if (id == 0 || id >= b->count || depth > 8) return -1;
    const struct btf_t *t = b->types[id];
    if (kind_of(t) != K_STRUCT && kind_of(t) != K_UNION) return -1;
    const struct btf_m *m = (const struct btf_m *)(t + 1);
    int bitfields = t->info >> 31;
    for (int i = 0; i < vlen_of(t); i++) {
        uint32_t bits = bitfields ? (m[i].offset & 0xffffff) : m[i].offset;
        if (m[i].name_off == 0) {
            long inner = member_offset(b, m[i].type, name, depth + 1);
            if (inner >= 0) return (long)(bits / 8) + inner;
        } else if (strcmp(btf_name(b, m[i].name_off), name) == 0) {
            return bits % 8 ? -1 : (long)(bits / 8);
        }
    }
    return -1;
}

// The id of the struct (with members: not a forward declaration) or function named `name`; 0 if absent.
static uint32_t find_named(const btf_index *b, int kind, const char *name) {
    for (uint32_t id = 1; id < b->count; id++) {
        const struct btf_t *t = b->types[id];
        if (kind_of(t) == kind && (kind != K_STRUCT || vlen_of(t) > 0) && strcmp(btf_name(b, t->name_off), name) == 0)
            return id;
    }
    return 0;
}

static unsigned char *read_all(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    size_t cap = 8 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            unsigned char *grown = realloc(buf, cap * 2);
            if (!grown) { free(buf); buf = NULL; break; }
            buf = grown; cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { free(buf); buf = NULL; break; }
        if (r == 0) break;
        n += (size_t)r;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    *len = n;
    return buf;
}

int plumb_nsfs_layout_from_btf(const char *btf_path, plumb_nsfs_layout *out, char *err, size_t errlen) {
    size_t len = 0;
    unsigned char *data = read_all(btf_path, &len);
    if (!data) { int e = errno ? errno : EIO; snprintf(err, errlen, "reading %s: %s", btf_path, strerror(e)); return -e; }
    const struct btf_hdr *h = (const struct btf_hdr *)data;
    int rc = -EINVAL;
    btf_index b = {0};
    if (len < sizeof *h || h->magic != 0xeB9F || (size_t)h->hdr_len + h->type_off + h->type_len > len
        || (size_t)h->hdr_len + h->str_off + h->str_len > len) {
        snprintf(err, errlen, "%s is not BTF", btf_path);
        goto done;
    }
    b.strings = (const char *)data + h->hdr_len + h->str_off;
    b.str_len = h->str_len;
    const unsigned char *p = data + h->hdr_len + h->type_off, *end = p + h->type_len;
    size_t cap = 1 << 18;
    b.types = malloc(cap * sizeof *b.types);
    b.count = 1;
    while (b.types && p + sizeof(struct btf_t) <= end) {
        const struct btf_t *t = (const struct btf_t *)p;
        long extra = extra_size(t);
        if (extra < 0 || p + sizeof *t + extra > end) { snprintf(err, errlen, "%s: unknown BTF kind", btf_path); goto done; }
        if (b.count == cap) {
            const struct btf_t **grown = realloc(b.types, cap * 2 * sizeof *b.types);
            if (!grown) break;
            b.types = grown; cap *= 2;
        }
        b.types[b.count++] = t;
        p += sizeof *t + extra;
    }
    if (!b.types) { snprintf(err, errlen, "out of memory"); rc = -ENOMEM; goto done; }
    struct { const char *type, *member; uint32_t *to; } wanted[] = {
        {"task_struct", "pid", &out->task_pid}, {"task_struct", "tgid", &out->task_tgid},
        {"file", "f_inode", &out->file_inode}, {"inode", "i_sb", &out->inode_sb},
        {"super_block", "s_magic", &out->sb_magic},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        long off = member_offset(&b, find_named(&b, K_STRUCT, wanted[i].type), wanted[i].member, 0);
        if (off < 0 || off > 32767) {
            snprintf(err, errlen, "the kernel's BTF has no %s.%s", wanted[i].type, wanted[i].member);
            rc = -ENOENT;
            goto done;
        }
        *wanted[i].to = (uint32_t)off;
    }
    out->iter_btf_id = find_named(&b, K_FUNC, "bpf_iter_task_file");
    if (!out->iter_btf_id) { snprintf(err, errlen, "the kernel has no task_file BPF iterator"); rc = -ENOENT; goto done; }
    rc = 0;
done:
    free(b.types);
    free(data);
    return rc;
}

// ---- the iterator program ----

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX(size, d, s, o) INSN(BPF_LDX | BPF_MEM | (size), d, s, o, 0)
#define STX(size, d, s, o) INSN(BPF_STX | BPF_MEM | (size), d, s, o, 0)
#define ST(size, d, o, i) INSN(BPF_ST | BPF_MEM | (size), d, 0, o, i)
#define JEQ0(d, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, 0)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JNE_REG(d, s, o) INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, o, 0)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define MOV_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static long sys_bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof *attr); }

// For each fd of each process (struct bpf_iter__task_file: meta at 0, task at 8, fd at 16, file at 24):
// if the file's superblock is nsfs and the task leads its thread group, write {tgid, fd}. The last call (task
// NULL) writes {0xffffffff, number of fds visited}.
static int load_program(const plumb_nsfs_layout *l, char *log, size_t loglen) {
    struct bpf_insn prog[] = {
        /*  0 */ LDX(BPF_DW, 6, 1, 0),                 // r6 = ctx->meta
        /*  1 */ LDX(BPF_DW, 7, 1, 8),                 // r7 = ctx->task
        /*  2 */ LDX(BPF_DW, 8, 1, 24),                // r8 = ctx->file
        /*  3 */ LDX(BPF_W, 9, 1, 16),                 // r9 = ctx->fd
        /*  4 */ JEQ0(7, 13),                          // no task: the end, goto 18
        /*  5 */ JEQ0(8, 20),                          // goto 26
        /*  6 */ LDX(BPF_W, 2, 7, (int16_t)l->task_pid),
        /*  7 */ LDX(BPF_W, 3, 7, (int16_t)l->task_tgid),
        /*  8 */ JNE_REG(2, 3, 17),                    // a thread with its own fd table: goto 26
        /*  9 */ LDX(BPF_DW, 4, 8, (int16_t)l->file_inode),
        /* 10 */ JEQ0(4, 15),
        /* 11 */ LDX(BPF_DW, 4, 4, (int16_t)l->inode_sb),
        /* 12 */ JEQ0(4, 13),
        /* 13 */ LDX(BPF_DW, 4, 4, (int16_t)l->sb_magic),
        /* 14 */ JNE_IMM(4, NSFS_MAGIC, 11),
        /* 15 */ STX(BPF_W, 10, 3, -8),
        /* 16 */ STX(BPF_W, 10, 9, -4),
        /* 17 */ JA(3),                                // goto 21
        /* 18 */ LDX(BPF_DW, 2, 6, 16),                // r2 = meta->seq_num
        /* 19 */ ST(BPF_W, 10, -8, -1),
        /* 20 */ STX(BPF_W, 10, 2, -4),
        /* 21 */ LDX(BPF_DW, 1, 6, 0),                 // r1 = meta->seq
        /* 22 */ MOV_REG(2, 10),
        /* 23 */ ADD_IMM(2, -8),
        /* 24 */ MOV_IMM(3, 8),
        /* 25 */ CALL(BPF_FUNC_seq_write),
        /* 26 */ MOV_IMM(0, 0),
        /* 27 */ EXIT(),
    };
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_TRACING;
    a.expected_attach_type = BPF_TRACE_ITER;
    a.attach_btf_id = l->iter_btf_id;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = sizeof prog / sizeof prog[0];
    a.license = (uint64_t)(uintptr_t)"GPL";
    memcpy(a.prog_name, "plumb_nsfs_fds", 15);
    int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0 || errno == EPERM || !log) return fd;
    // Load again with the verifier's log, for the reason.
    int saved = errno;
    a.log_level = 1;
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = (uint32_t)loglen;
    log[0] = 0;
    fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) return fd;
    errno = saved;
    return -1;
}

// The last non-empty line of the verifier's log.
static const char *last_line(char *log) {
    size_t n = strlen(log);
    while (n > 0 && log[n - 1] == '\n') log[--n] = 0;
    char *nl = strrchr(log, '\n');
    return nl ? nl + 1 : log;
}

long plumb_nsfs_fds(const plumb_nsfs_layout *layout, plumb_nsfs_fd **out, uint64_t *visited, char *err,
                    size_t errlen) {
    *out = NULL;
    *visited = 0;
    static char log[16384];
    int prog = load_program(layout, log, sizeof log);
    if (prog < 0) {
        int e = errno;
        snprintf(err, errlen, "loading the nsfs fd iterator: %s%s%s", strerror(e), log[0] ? ": " : "",
                 log[0] ? last_line(log) : "");
        return -e;
    }
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.link_create.prog_fd = (uint32_t)prog;
    a.link_create.attach_type = BPF_TRACE_ITER;
    int link = (int)sys_bpf(BPF_LINK_CREATE, &a);
    int e = errno;
    close(prog);
    if (link < 0) { snprintf(err, errlen, "attaching the nsfs fd iterator: %s", strerror(e)); return -e; }
    memset(&a, 0, sizeof a);
    a.iter_create.link_fd = (uint32_t)link;
    int it = (int)sys_bpf(BPF_ITER_CREATE, &a);
    e = errno;
    close(link);
    if (it < 0) { snprintf(err, errlen, "starting the nsfs fd iterator: %s", strerror(e)); return -e; }
    size_t cap = 256, n = 0, partial = 0;
    plumb_nsfs_fd *recs = malloc(cap * sizeof *recs);
    long rc = 0;
    while (recs) {
        if (n == cap) {
            plumb_nsfs_fd *grown = realloc(recs, cap * 2 * sizeof *recs);
            if (!grown) { free(recs); recs = NULL; break; }
            recs = grown; cap *= 2;
        }
        ssize_t r = read(it, (char *)(recs + n) + partial, (cap - n) * sizeof *recs - partial);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { rc = -errno; snprintf(err, errlen, "reading the nsfs fd iterator: %s", strerror(errno)); break; }
        if (r == 0) break;
        partial += (size_t)r;
        n += partial / sizeof *recs;
        partial %= sizeof *recs;
    }
    close(it);
    if (!recs) { snprintf(err, errlen, "out of memory"); return -ENOMEM; }
    if (rc < 0) { free(recs); return rc; }
    // The end record carries the count of fds visited.
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].pid == 0xffffffffu) *visited += recs[i].fd;
        else recs[kept++] = recs[i];
    }
    *out = recs;
    return (long)kept;
}
