#!/usr/bin/env python3
# Holds sockets in many namespaces from one process (bench/sockets.sh): for each /run/netns/NAME given, enters
# it (setns through libc: Python 3.11 has no os.setns), opens a TCP listener on :80 and a UDP socket on :53, and
# in every CONNECT_EVERY-th namespace (default 10) also a TCP connection to the listener (client and accepted
# ends), then returns to its own namespace. Sockets stay in the
# namespace they were made in. Writes "ready" to stdout, then sleeps until killed (by pid).
import ctypes, os, socket, sys, time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)
every = int(os.environ.get("CONNECT_EVERY", "10"))
held = []
for i, name in enumerate(sys.argv[1:]):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit(f"setns {name}: {os.strerror(ctypes.get_errno())}")
    os.close(fd)
    l = socket.socket(); l.bind(("0.0.0.0", 80)); l.listen(16)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 53))
    held += [l, u]
    if i % every == 0:
        c = socket.create_connection(("127.0.0.1", 80)); a, _ = l.accept()
        held += [c, a]
    libc.setns(home, CLONE_NEWNET)
print("ready", flush=True)
while True:
    time.sleep(3600)
