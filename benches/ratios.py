#!/usr/bin/env python3
"""Ratio table: for each row, the ceiling's cost divided by bodyseal's (1.0 = as fast as
the raw primitive pipeline; higher is faster) and each peer's cost divided by bodyseal's
(above 1 = bodyseal ahead).
Usage: python3 benches/ratios.py [target/criterion] [group-prefix]   (criterion medians)
       ... | python3 benches/ratios.py --stdin   (lines "group/impl/label count")"""
import json, os, sys

rows = {}
stdin = len(sys.argv) > 1 and sys.argv[1] == "--stdin"
root = "target/criterion" if stdin or len(sys.argv) < 2 else sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else "jw"
if stdin:
    for line in sys.stdin:
        name, n = line.split()
        group, impl, label = name.split("/", 2)
        rows.setdefault(f"{group.replace('_', ' ')} {label}", {})[impl] = float(n)
for group in [] if stdin else sorted(os.listdir(root)):
    if not group.startswith(prefix):
        continue
    gdir = os.path.join(root, group)
    for impl in os.listdir(gdir):
        for label in os.listdir(os.path.join(gdir, impl)) if os.path.isdir(os.path.join(gdir, impl)) else []:
            est = os.path.join(gdir, impl, label, "new", "estimates.json")
            if os.path.exists(est):
                ns = json.load(open(est))["median"]["point_estimate"]
                rows.setdefault(group.replace("_", " ", 1), {})[impl] = ns
print("| row | ceiling | bodyseal | josekit | jsonwebtoken | bodyseal/ceiling | bodyseal vs josekit | bodyseal vs jsonwebtoken |")
print("|---|---|---|---|---|---|---|---|")
def fmt(ns):
    if stdin:
        return f"{ns/1000:.1f} k instr" if ns < 1e6 else f"{ns/1e6:.2f} M instr"
    return f"{ns/1000:.1f} µs" if ns < 1e6 else f"{ns/1e6:.2f} ms"
for row, t in rows.items():
    c, b = t.get("ceiling"), t.get("bodyseal")
    cells = [fmt(t[i]) if i in t else "-" for i in ["ceiling", "bodyseal", "josekit", "jsonwebtoken"]]
    r = f"{c/b:.2f}" if c and b else "-"
    vj = f"{t['josekit']/b:.2f}x" if b and "josekit" in t else "-"
    vw = f"{t['jsonwebtoken']/b:.2f}x" if b and "jsonwebtoken" in t else "-"
    print(f"| {row} | " + " | ".join(cells) + f" | {r} | {vj} | {vw} |")
