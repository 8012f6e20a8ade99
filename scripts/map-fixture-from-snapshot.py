#!/usr/bin/env python3
"""Cuts a `plumb snapshot --json` of this machine down to one test host, for a map fixture.

Usage: map-fixture-from-snapshot.py HOST_NETNS UPLINK < snapshot.json > fixture.json

HOST_NETNS (an `ip netns` name) played the host: a runtime (dockerd, podman) ran in it. It becomes the
snapshot's host (isHost, no names or paths, held by pid 1, as the machine's host is); the machine's own host
and every namespace not wired to HOST_NETNS by a veth are left out, with their processes and published ports.
UPLINK, the veth that gave the test host its default route, becomes a device named eth0 (its peer, the
namespace playing the outside, is left out), as a real host's uplink is. Notes about the machine are dropped,
and so are runtime networks (Docker's, Podman's, CNI configs) that are not the test host's: kept are those whose
bridge is one of its links (by name, or Docker's br-ID) or whose subnet one of its links has an address in.
"""
import ipaddress
import json
import sys


def host_networks(networks, host):
    names = {l["name"] for l in host["links"]}
    subnets = set()
    for l in host["links"]:
        for a in l.get("addresses", []):
            text = a["address"] if isinstance(a, dict) else a
            if "/" in str(text):
                subnets.add(str(ipaddress.ip_interface(text).network))
    def ours(n):
        if n.get("bridge") in names:
            return True
        if n.get("runtime") == "docker" and n.get("id") and "br-" + n["id"][:12] in names:
            return True
        return any(s in subnets for s in n.get("subnets", []))
    return [n for n in networks if ours(n)]


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
    if "runtimeNetworks" in snap:
        snap["runtimeNetworks"] = host_networks(snap["runtimeNetworks"], host)
    text = json.dumps(snap, indent=1, sort_keys=True, ensure_ascii=False)
    # The uplink's name appears in routes, sysctls, neighbours and firewall rules too.
    sys.stdout.write(text.replace(uplink, "eth0") + "\n")


if __name__ == "__main__":
    main()
