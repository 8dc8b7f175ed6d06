#!/usr/bin/env python3
"""Designs with one huge ordered rule set, as the hostile-input audit (issue 16 item 8) used:
`big-rules.py firewall N OUT` (an Azure-style hub firewall with N network rules, each with its
own source and destination address), `big-rules.py nacl N OUT` (an AWS network ACL with N
entries). Deterministic (seeded); every address distinct, as real exports of big rule sets are.
"""
import random
import sys


def firewall(n):
    random.seed(7)
    out = [
        "version: 1", "name: big firewall", "networks:",
        "  - id: hub", "    cidr: 10.0.0.0/16", "    egress: fw", "    subnets:",
        "      - { id: AzureFirewallSubnet, cidr: 10.0.1.0/24 }",
        "      - { id: snet-app, cidr: 10.0.2.0/24 }",
        "  - id: spoke", "    cidr: 10.1.0.0/16", "    hub: hub", "    subnets:",
        "      - { id: snet-s, cidr: 10.1.1.0/24 }",
        "endpoints:",
        "  - { id: fw, kind: firewall, subnet: AzureFirewallSubnet, ip: 10.0.1.4, rules: [fwp] }",
        "  - { id: app, kind: app, subnet: snet-app, ip: 10.0.2.4 }",
        "  - { id: s1, kind: app, subnet: snet-s, ip: 10.1.1.4 }",
        "rule_sets:", "  - id: fwp", "    kind: firewall", "    rules:",
    ]
    for i in range(n):
        a, b, c = random.randint(1, 250), random.randint(0, 255), random.randint(1, 254)
        src = f"10.{a}.{b}.{c}/32" if i % 3 else f"10.{a}.{b}.0/24"
        dst = f"172.16.{random.randint(0, 255)}.{random.randint(1, 254)}/32"
        act = "allow" if i % 5 else "deny"
        out.append(
            f"      - {{ id: r{i}, priority: {100 + i}, action: {act}, protocol: tcp, "
            f"source: {src}, destination: {dst}, ports: {random.randint(1, 65535)} }}"
        )
    return out


def nacl(n):
    random.seed(9)
    out = [
        "version: 1", "name: big nacl", "networks:",
        "  - id: vpc", "    provider: aws", "    cidr: 10.0.0.0/16", "    subnets:",
        "      - { id: sn-a, cidr: 10.0.1.0/24, rules: [nacl] }",
        "endpoints:",
        "  - { id: h, kind: app, subnet: sn-a, ip: 10.0.1.4, public_ip: 54.1.2.3 }",
        "rule_sets:", "  - id: nacl", "    kind: nacl", "    rules:",
    ]
    for i in range(n):
        inbound = i % 2 == 1
        far = f"{random.randint(11, 223)}.{random.randint(0, 255)}.{random.randint(0, 255)}.0/24"
        src, dst = (far, "10.0.1.0/24") if inbound else ("10.0.1.0/24", far)
        act = "allow" if i % 4 else "deny"
        out.append(
            f"      - {{ id: n{i}, priority: {i + 1}, direction: {'inbound' if inbound else 'outbound'}, "
            f"action: {act}, protocol: tcp, source: {src}, destination: {dst}, "
            f"ports: {random.randint(1, 65535)} }}"
        )
    return out


if __name__ == "__main__":
    kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    lines = firewall(n) if kind == "firewall" else nacl(n)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
