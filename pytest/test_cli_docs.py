# SPDX-License-Identifier: MIT
"""The CLI's help, bash completion and man pages agree with its parser.

Each command's options come from `multisock COMMAND --help`, which is printed from the
same CLI11 App the command parses with (conformance/cli/apps.hpp; the App-level test is
cli_apps_tests). Here: the completion script offers every command and each command's
options, and the man pages render without a warning and name every command and option."""

import re
import shutil
import subprocess

import pytest

from conftest import REPO_ROOT, describe

MAN = REPO_ROOT / "docs" / "man"
MAN_PAGES = ["multisock.1", "multisock.3", "ms_multi_socket_action.3"]


def _commands(cli):
    text = cli.run("--help", check_code=0).stdout
    section = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  ([a-z]+) ", section, flags=re.M)


def _options(cli, command):
    text = cli.run(command, "--help", check_code=0).stdout
    section = text.split("\noptions:\n", 1)[1]
    return sorted(set(re.findall(r"^  (-[a-z]|--[a-z][a-z0-9-]*)", section, flags=re.M) +
                      re.findall(r"^  -[a-z], (--[a-z][a-z0-9-]*)", section, flags=re.M)))


def _complete(script, words):
    """What the completion function offers for the command line `words` (last: the word
    being completed)."""
    line = " ".join(f"'{w}'" for w in words)
    program = (f"source '{script}'\nCOMP_WORDS=({line})\nCOMP_CWORD={len(words) - 1}\n"
               "_multisock\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    proc = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_help_ListsNineCommandsEachWithOptions(cli):
    commands = _commands(cli)
    assert {"conform", "replay", "shrink", "clauses", "explain", "report", "fetch", "diff",
            "completion"} <= set(commands)
    for command in commands:
        assert "--help" in _options(cli, command), command


def test_completion_OffersTheCommandsAndEachCommandsOptions(cli, tmp_path):
    script = tmp_path / "multisock.bash"
    script.write_text(cli.run("completion", "bash", check_code=0).stdout)
    commands = _commands(cli)
    assert _complete(script, ["multisock", ""]) >= set(commands)
    assert _complete(script, ["multisock", "con"]) == {"conform"}
    for command in commands:
        options = _options(cli, command)
        offered = _complete(script, ["multisock", command, "-"])
        assert set(options) <= offered, (command, set(options) - offered)
        assert offered <= set(options), (command, offered - set(options))
    assert _complete(script, ["multisock", "conform", "--no-s"]) == {"--no-shrink"}
    # a file name where the value is a file
    (tmp_path / "only.scn").write_text("")
    assert _complete(script, ["multisock", "conform", "--suite", str(tmp_path / "onl")]) == \
        {str(tmp_path / "only.scn")}


def test_completion_BadShellIsAUsageError(cli):
    proc = cli.run("completion", "zsh")
    assert proc.returncode == 2 and proc.stderr == "multisock: completion takes one shell: bash, not 'zsh'\n", \
        describe(proc)


@pytest.mark.parametrize("page", MAN_PAGES)
def test_man_RendersWithoutWarnings(page):
    groff = shutil.which("groff")
    if groff is None:
        pytest.fail("groff is missing (Debian groff-base)")
    proc = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", MAN / page], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    man = shutil.which("man")
    if man is not None:  # man-db's own checks too
        proc = subprocess.run([man, "--warnings", "-l", "-E", "UTF-8", MAN / page], capture_output=True,
                              text=True, timeout=30, env={"MANPAGER": "cat", "MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert len(proc.stdout.splitlines()) > 30


def test_man_NamesEveryCommandAndOption(cli):
    # The source, with roff's escapes undone: \- is -, \fB..\fP are fonts.
    text = re.sub(r"\\f[BIRP]", "", (MAN / "multisock.1").read_text()).replace("\\-", "-")
    for command in _commands(cli):
        assert re.search(rf"^\.SS {command}\b", text, flags=re.M), f"multisock.1 has no section for {command}"
        for option in _options(cli, command):
            assert re.search(rf"(^|[\s(]){re.escape(option)}\b", text, flags=re.M), f"{command} {option}"
    for code in range(5):
        assert re.search(rf"^\.B {code}$", text, flags=re.M), f"exit code {code}"
    for var in ("MULTISOCK_SCENARIOS", "MULTISOCK_KNOWN"):
        assert var in text
