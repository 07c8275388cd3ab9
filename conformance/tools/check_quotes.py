#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""check_quotes.py: every quote of the editions table is found where its source says.

A maintainer tool, run by hand: it needs a git copy of the curl sources with its release
tags, which CI does not have. For each row of MS_CLAUSE_EDITIONS in
conformance/include/conformance/editions_table.hpp whose source is "PAGE(3), libcurl X.Y.Z",
the quote must appear in that page (docs/libcurl/[opts/]PAGE.3 or .md) at tag curl-X_Y_Z,
after man or markdown markup is stripped and whitespace collapsed. Rows of edition e7_16
citing curl_multi_socket_action(3) must also appear in its seed file. A source naming a
project file ("conformance/README.md") must hold the quote in that file.

usage: check_quotes.py [--git DIR] [--seeds DIR] [--table FILE] [--verbose]
Prints one line per failing row and exits 1 if any row fails.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_GIT = "/work/.mirror/curl+curl/repo"
DEFAULT_SEEDS = "/work/shared/seeds"
DEFAULT_TABLE = os.path.join(ROOT, "conformance", "include", "conformance", "editions_table.hpp")

# The seed the e7_16 edition is built from: curl_multi_socket_action(3) as shipped with a
# "libcurl 7.16.0" stamp (its text is that of releases 7.20.0 to 7.65.1). e7_16 rows that
# cite this page must read the same in the seed. The other seeds are a binding, a renamed
# fork and the deprecated curl_multi_socket(3) page of a later release.
SEED_PAGES = {
    "curl_multi_socket_action": "002_cdb8062b33739ee6.txt",
}

SOURCE_RE = re.compile(r"^([A-Za-z0-9_-]+)\(3\), libcurl (\d+)\.(\d+)\.(\d+)$")


def parse_c_string(text, i):
    """Reads one C string literal starting at text[i] == '"'; returns (value, next index)."""
    assert text[i] == '"'
    out = []
    i += 1
    while True:
        c = text[i]
        if c == "\\":
            n = text[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(n, n))
            i += 2
        elif c == '"':
            return "".join(out), i + 1
        elif c == "\n":
            raise ValueError("newline inside a string literal")
        else:
            out.append(c)
            i += 1


def parse_table(path):
    """Rows of X(...) in the MS_CLAUSE_EDITIONS macro: lists of 6 fields."""
    text = open(path, encoding="utf-8").read()
    start = text.find("#define MS_CLAUSE_EDITIONS(X)")
    if start < 0:
        raise ValueError("no MS_CLAUSE_EDITIONS macro in " + path)
    body = text[start:]
    # The macro ends at the first line that does not end with a backslash.
    lines = body.split("\n")
    kept = []
    for ln in lines:
        kept.append(ln.rstrip())
        if not ln.rstrip().endswith("\\"):
            break
    body = "\n".join(l[:-1] if l.endswith("\\") else l for l in kept)
    body = body[len("#define MS_CLAUSE_EDITIONS(X)"):]
    rows = []
    i = 0
    while True:
        j = body.find("X(", i)
        if j < 0:
            break
        i = j + 2
        fields, cur = [], None
        while True:
            while body[i] in " \t\n":
                i += 1
            c = body[i]
            if c == '"':
                s, i = parse_c_string(body, i)
                cur = (cur or "") + s
            elif c == ",":
                fields.append(cur)
                cur = None
                i += 1
            elif c == ")":
                fields.append(cur)
                i += 1
                break
            else:
                m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", body[i:])
                if not m:
                    raise ValueError("unexpected text near: " + body[i:i + 40])
                cur = m.group(0)
                i += len(m.group(0))
        if len(fields) != 6:
            raise ValueError("row with %d fields: %r" % (len(fields), fields))
        rows.append(fields)
    return rows


def strip_man(text):
    """Man page source to plain text: requests dropped or unwrapped, font escapes removed."""
    out = []
    for ln in text.split("\n"):
        if ln.startswith(".\\\"") or ln.startswith("'\\\""):
            continue
        if ln.startswith("."):
            m = re.match(r"^\.([A-Za-z]+)\s*(.*)$", ln)
            if not m:
                continue
            req, rest = m.group(1), m.group(2)
            if req in ("B", "I", "BR", "BI", "IR", "RB", "IB", "RI", "IP", "TP", "SH", "SS"):
                # Arguments alternate fonts; quoted arguments lose their quotes.
                args = re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', rest)
                parts = [a or b for a, b in args]
                sep = "" if req in ("BR", "BI", "IR", "RB", "IB", "RI") else " "
                out.append(sep.join(parts))
            continue
        out.append(ln)
    s = "\n".join(out)
    s = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", s)
    s = s.replace("\\-", "-").replace("\\&", "").replace("\\(aq", "'").replace("\\(dq", '"')
    s = s.replace("\\(co", "(C)").replace("\\e", "\\").replace("\\\\", "\\").replace("\\ ", " ")
    s = s.replace("\\%", "").replace("\\|", "").replace("\\c", "")
    return s


def strip_md(text):
    """Markdown page to plain text: front matter, emphasis, code spans and links removed."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end > 0:
            text = text[end + 5:]
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    s = re.sub(r"^#+\s*", "", s, flags=re.M)
    s = s.replace("**", "").replace("__", "").replace("`", "")
    s = re.sub(r"(?<![A-Za-z0-9])\*([^*\n]+)\*", r"\1", s)
    s = re.sub(r"(?<![A-Za-z0-9])_([^_\n]+)_(?![A-Za-z0-9])", r"\1", s)
    return s


def collapse(s):
    return re.sub(r"\s+", " ", s).strip()


def dehyphenate(s):
    """Formatted man output breaks words at line ends ("com-\\n   bination")."""
    return re.sub(r"(\w)-\n\s+(\w)", r"\1\2", s)


def normalise_quote(q):
    return collapse(q)


def page_text(git, tag, page):
    """Plain text of a libcurl page at a tag, or None when the page is not there."""
    for path in ("docs/libcurl/%s.3" % page, "docs/libcurl/opts/%s.3" % page,
                 "docs/libcurl/%s.md" % page, "docs/libcurl/opts/%s.md" % page):
        r = subprocess.run(["git", "-C", git, "show", "%s:%s" % (tag, path)],
                           capture_output=True)
        if r.returncode == 0:
            raw = r.stdout.decode("utf-8", "replace")
            return collapse(strip_md(raw) if path.endswith(".md") else strip_man(raw))
    return None


def seed_texts(seeds, name):
    raw = open(os.path.join(seeds, name), encoding="utf-8", errors="replace").read()
    return [collapse(raw), collapse(dehyphenate(raw))]


def check_row(row, git, seeds):
    """Returns None when the row passes, else the reason it fails."""
    clause, edition, severity, statement, source, quote = row
    if not quote:
        return "empty quote"
    q = normalise_quote(quote)
    m = SOURCE_RE.match(source or "")
    if not m:
        # A project document, named by its path from the project root.
        path = os.path.join(ROOT, source or "")
        if not source or not os.path.isfile(path):
            return "source is neither 'PAGE(3), libcurl X.Y.Z' nor a project file: %r" % source
        text = collapse(strip_md(open(path, encoding="utf-8").read()))
        return None if q in text else "quote not found in %s" % source
    page, tag = m.group(1), "curl-%s_%s_%s" % (m.group(2), m.group(3), m.group(4))
    text = page_text(git, tag, page)
    if text is None:
        return "no page %s at tag %s" % (page, tag)
    if q not in text:
        return "quote not found in %s at %s" % (page, tag)
    if edition == "e7_16" and page in SEED_PAGES:
        if not any(q in t for t in seed_texts(seeds, SEED_PAGES[page])):
            return "quote not found in seed %s" % SEED_PAGES[page]
    return None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git", default=DEFAULT_GIT, help="curl git directory (bare is fine)")
    ap.add_argument("--seeds", default=DEFAULT_SEEDS, help="folder of the seed pages")
    ap.add_argument("--table", default=DEFAULT_TABLE, help="editions_table.hpp")
    ap.add_argument("--verbose", action="store_true", help="print passing rows too")
    a = ap.parse_args(argv)
    for p, what in ((a.git, "--git"), (a.seeds, "--seeds")):
        if not os.path.isdir(p):
            print("check_quotes: %s %s is not a directory" % (what, p), file=sys.stderr)
            return 2
    try:
        rows = parse_table(a.table)
    except (OSError, ValueError) as e:
        print("check_quotes: cannot read the table: %s" % e, file=sys.stderr)
        return 2
    failed = 0
    for row in rows:
        why = check_row(row, a.git, a.seeds)
        if why:
            failed += 1
            print("FAIL %s %s [%s]: %s" % (row[0], row[1], row[4], why))
        elif a.verbose:
            print("ok   %s %s [%s]" % (row[0], row[1], row[4]))
    print("%d rows, %d failing" % (len(rows), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
