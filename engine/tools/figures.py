#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""figures.py: the shape of engine/ in three figures: its largest files (lines), its longest
functions (lines from the signature to the closing brace, found by brace counting), and
the include cycles between its rooms (x.hpp and x.cpp together are one room).
Tests and compat/ are left out. Usage: python3 engine/tools/figures.py [ENGINE_DIR]"""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
root = os.path.normpath(root)
files = []
for d, _, names in os.walk(root):
    if "/tests" in d or d.endswith("tests") or "/compat" in d or "/tools" in d: continue
    for n in names:
        if n.endswith((".cpp", ".hpp", ".h", ".c")): files.append(os.path.join(d, n))
sizes = sorted(((sum(1 for _ in open(f)), f) for f in files), reverse=True)
print("largest files:"); [print(f"  {n:5d} {os.path.relpath(f, root)}") for n, f in sizes[:6]]
# functions: a line at column 0 (or a class member at column 2) that opens a body after ')'
funcs = []
ctrl = re.compile(r"^\s*(if|for|while|switch|else|do|namespace|struct|class|enum|union|extern|return|case|#)\b")
for f in files:
    lines = open(f).read().split("\n")
    i = 0
    while i < len(lines):
        l = lines[i]
        if re.match(r"^( {0,2})[A-Za-z~]", l) and "(" in l and not ctrl.match(l) and not l.rstrip().endswith(";"):
            k = i
            while k < len(lines) and "{" not in lines[k] and not lines[k].rstrip().endswith(("{", ";")) and k - i < 6: k += 1
            if k < len(lines) and "{" in lines[k] and not re.search(r"=\s*\{$", lines[k]):
                depth, j = 0, k
                while j < len(lines):
                    t = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|//.*', "", lines[j])
                    depth += t.count("{") - t.count("}")
                    if depth <= 0: break
                    j += 1
                funcs.append((j - i + 1, f, i + 1, l.strip()[:60]))
                i = j + 1; continue
        i += 1
funcs.sort(reverse=True)
print("longest functions (lines from signature to closing brace):")
for n, f, ln, s in funcs[:8]: print(f"  {n:4d} {os.path.relpath(f, root)}:{ln} {s}")
print(f"  functions over 80 lines: {sum(1 for x in funcs if x[0] > 80)}")
# include graph between engine files
by_base = {}
for f in files: by_base.setdefault(os.path.basename(f), []).append(f)
graph = {f: set() for f in files}
for f in files:
    for inc in re.findall(r'#include\s+"([^"]+)"', open(f).read()):
        cand = os.path.normpath(os.path.join(os.path.dirname(f), inc))
        if cand in graph: graph[f].add(cand)
        else:
            for g in files:
                if g.endswith("/" + inc): graph[f].add(g)
# a "file" is a unit: x.hpp + x.cpp together (a back arrow = unit A -> unit B -> unit A)
unit = lambda f: os.path.splitext(f)[0]
ug = {}
for f, ts in graph.items():
    for t in ts:
        if unit(t) != unit(f): ug.setdefault(unit(f), set()).add(unit(t))
cycles = set()
def dfs(start, node, path):
    for n in ug.get(node, ()):
        if n == start: cycles.add(tuple(sorted(path)))
        elif n not in path and n > start: dfs(start, n, path + [n])
for u in ug: dfs(u, u, [u])
print(f"include cycles between units (x.hpp+x.cpp): {len(cycles)}")
for c in sorted(cycles): print("  " + " <-> ".join(os.path.relpath(x, root) for x in c))
