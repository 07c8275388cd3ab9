# SPDX-License-Identifier: MIT
"""Every source file of the project names its licence (LICENSE, MIT) in an SPDX line near its
top, and the licence file says MIT."""
import re
import subprocess

from conftest import REPO_ROOT

SOURCE = re.compile(r"(\.(cpp|hpp|h|c|py|sh|lua|cmake)|CMakeLists\.txt)$")
TAG = "SPDX-License-Identifier: MIT"


def tracked_sources():
    out = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files"], capture_output=True, text=True, check=True)
    return [f for f in out.stdout.split() if SOURCE.search(f) and not f.startswith(("fuzz/corpus/", "reports/published/"))]


def test_every_source_file_names_its_licence():
    files = tracked_sources()
    assert len(files) > 200, files[:5]
    missing = [f for f in files if TAG not in "".join((REPO_ROOT / f).read_text(errors="replace").splitlines(True)[:3])]
    assert not missing, missing


def test_the_licence_is_mit():
    text = (REPO_ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") or "Permission is hereby granted, free of charge" in text
