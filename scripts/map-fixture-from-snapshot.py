#!/usr/bin/env python3
"""Cuts a `plumb snapshot --json` of this machine down to one test host, for a map fixture.

Usage: map-fixture-from-snapshot.py HOST_NETNS UPLINK < snapshot.json > fixture.json

HOST_NETNS (an `ip netns` name) played the host: a runtime (dockerd, podman) ran in it. It becomes the
snapshot's host (isHost, no names or paths, held by pid 1, as the machine's host is); the machine's own host
and every namespace not wired to HOST_NETNS by a veth are left out, with their processes and published ports.
UPLINK, the veth that gave the test host its default route, becomes a device named eth0 (its peer, the
namespace playing the outside, is left out), as a real host's uplink is. Notes about the machine are dropped.
"""
import json
import sys


def main():
    host_name, uplink = sys.argv[1], sys.argv[2]
    snap = json.load(sys.stdin)
    spaces = snap["namespaces"]
    host = next(n for n in spaces if host_name in n.get("names", []))
    hid = host["id"]
    outside = {(l.get("peer") or {}).get("namespace") for l in host["links"] if l["name"] == uplink}
    keep = {hid}
    for n in spaces:
        if n["id"] in outside:
            continue
        peers = {(l.get("peer") or {}).get("namespace") for l in n.get("links", [])}
        if hid in peers and not n.get("isHost"):
            keep.add(n["id"])
    for l in host["links"]:
        if l["name"] == uplink:
            l["kind"] = "device"
            l["peer"] = None
    host.update(isHost=True, names=[], paths=[], heldBy=[{"kind": "process", "pid": 1}], notes=[])
    snap["namespaces"] = [n for n in spaces if n["id"] in keep and (n is host or not n.get("isHost"))]
    snap["processes"] = [p for p in snap.get("processes", []) if p.get("namespace") in keep]
    if "publishedPorts" in snap:
        snap["publishedPorts"] = [p for p in snap["publishedPorts"] if p.get("namespace") in keep]
    snap["notes"] = []
    text = json.dumps(snap, indent=1, sort_keys=True, ensure_ascii=False)
    # The uplink's name appears in routes, sysctls, neighbours and firewall rules too.
    sys.stdout.write(text.replace(uplink, "eth0") + "\n")


if __name__ == "__main__":
    main()
