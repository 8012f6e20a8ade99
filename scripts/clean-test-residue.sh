#!/usr/bin/env bash
# Removes what a crashed test run may have left: namespaces pt-*, links pt*, iptables chains PT-*.
# Only objects with the test prefix are touched.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pt-'); do ip netns del "$ns" 2>/dev/null; done
for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^pt'); do
  ip link del "$l" 2>/dev/null
done
exit 0
