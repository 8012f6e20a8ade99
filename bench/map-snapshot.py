#!/usr/bin/env python3
"""Writes a snapshot JSON of a host with N endpoints on B bridges (default 1,000 on 20), for bench/map.sh.
Namespaces and links are copied from the recorded demo lab (Tests/PlumbMapTests/Fixtures/demo-lab.json), so the
file has exactly the schema `plumb snapshot --json` writes."""
import copy, json, os, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
b = int(sys.argv[2]) if len(sys.argv) > 2 else 20
here = os.path.dirname(os.path.abspath(__file__))
lab = json.load(open(os.path.join(here, "../Tests/PlumbMapTests/Fixtures/demo-lab.json")))
host = copy.deepcopy(next(ns for ns in lab["namespaces"] if ns["isHost"]))
web = next(ns for ns in lab["namespaces"] if "lab-client" in ns["names"])
lo = next(l for l in host["links"] if l["kind"] == "loopback")
up = next(l for l in host["links"] if l["name"] == "eth0")
bridge = next(l for l in host["links"] if l["kind"] == "bridge")
port = next(l for l in host["links"] if l["kind"] == "veth" and l["master"])
host["links"] = [lo, up]
rules = []
for i in range(b):
    br = copy.deepcopy(bridge)
    br.update(index=10 + i, name="br-%02d" % i, addresses=["10.%d.%d.1/16" % (100 + i // 100, i % 100)])
    host["links"].append(br)
    rules.append({"rule": "-s 10.%d.%d.0/16 ! -o br-%02d -j MASQUERADE" % (100 + i // 100, i % 100, i), "packets": 0,
                  "bytes": 0, "target": "MASQUERADE"})
host["firewall"] = {"tables": [{"family": "ipv4", "name": "nat", "source": "iptables", "chains": [
    {"name": "POSTROUTING", "policy": "ACCEPT", "packets": 0, "bytes": 0, "rules": rules}]}], "notes": []}
namespaces = [host]
for k in range(n):
    nsid = 5_000_000_000 + k
    v = copy.deepcopy(port)
    v.update(index=1000 + k, name="veth%d" % k, master={"index": 10 + k % b}, peer={"namespace": nsid, "index": 2})
    host["links"].append(v)
    ns = copy.deepcopy(web)
    ns.update(id=nsid, names=["c-%04d" % k], paths=["/run/netns/c-%04d" % k], cookie=None)
    eth0 = next(l for l in ns["links"] if l["name"] == "eth0")
    eth0.update(peer={"namespace": host["id"], "index": 1000 + k},
                addresses=["10.%d.%d.%d/16" % (100 + (k % b) // 100, (k % b) % 100, k // b + 2)])
    namespaces.append(ns)
lab.update(namespaces=namespaces, processes=[], publishedPorts=[], notes=[])
json.dump(lab, sys.stdout)
