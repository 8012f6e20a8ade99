// Recorded netlink dumps: the bytes a kernel sent for one dump (a sequence of netlink messages, as recvmsg
// returned them), parsed by the same code as a live dump. Tests feed fixtures recorded on a real kernel here.

/// Walks the messages of a recorded dump in buf (len bytes), binding each header to `h`.
#define PLUMB_FOREACH_RECORDED(buf, len, h) \
    for (int _rem = (int)(len), _ok = 1; _ok; _ok = 0) \
        for (struct nlmsghdr *h = (struct nlmsghdr *)(buf); nlmsg_ok(h, _rem); h = nlmsg_next(h, &_rem))

/// The RTM_NEWLINK messages of a recorded dump as flat records; *out is malloc'd. Returns the count or an error.
static inline int plumb_replay_links(const void *buf, size_t len, struct plumb_link **out) {
    struct plumb_link_ctx ctx = { 0 };
    *out = NULL;
    PLUMB_FOREACH_RECORDED(buf, len, h) {
        if (h->nlmsg_type == RTM_NEWLINK && plumb_link_parse(h, &ctx) == NL_STOP) break;
    }
    if (ctx.oom) { free(ctx.links); return -NLE_NOMEM; }
    *out = ctx.links;
    return ctx.n;
}

/// The RTM_NEWROUTE messages of a recorded dump as flat records; *out is malloc'd.
static inline int plumb_replay_routes(const void *buf, size_t len, struct plumb_route **out) {
    struct plumb_route_ctx ctx = { 0 };
    *out = NULL;
    PLUMB_FOREACH_RECORDED(buf, len, h) {
        if (h->nlmsg_type == RTM_NEWROUTE && plumb_route_parse(h, &ctx) == NL_STOP) break;
    }
    if (ctx.oom) { free(ctx.routes); return -NLE_NOMEM; }
    *out = ctx.routes;
    return ctx.n;
}

/// A libnl cache of `kind` ("route/addr", "route/neigh", "route/netconf") filled from a recorded dump, as the
/// live cache would be filled from the socket. Returns 0 or a negative libnl error.
static inline int plumb_replay_cache(const char *kind, const void *buf, size_t len, struct nl_cache **out) {
    int err = nl_cache_alloc_name(kind, out);
    if (err < 0) return err;
    PLUMB_FOREACH_RECORDED(buf, len, h) {
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP) continue;
        struct nl_msg *m = nlmsg_convert(h);
        if (!m) { err = -NLE_NOMEM; break; }
        err = nl_cache_parse_and_add(*out, m);
        nlmsg_free(m);
        if (err < 0) break;
    }
    if (err < 0) { nl_cache_free(*out); *out = NULL; return err; }
    return 0;
}
