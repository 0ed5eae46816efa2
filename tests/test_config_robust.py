"""Config files and parameter messages under hostile input (issue 14, classes 1, 6, 7).

Whatever a config file holds, ``load_toml`` returns Params or raises
ParameterError with one printable line; ``offshoring run FILE`` then exits with
status 2, one line on stderr, no traceback, and leaves an existing ``--out``
file byte-identical.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.runs import params_from
from model.config import load_toml
from model.params import ParameterError, Params, build, field_names, printable

ROOT = Path(__file__).resolve().parents[1]


def assert_refused(call, *needles: str) -> str:
    """Run ``call``; it must raise ParameterError with one printable line holding needles."""
    with pytest.raises(ParameterError) as info:
        call()
    _check_message(str(info.value))
    for needle in needles:
        assert needle in str(info.value), (needle, str(info.value))
    return str(info.value)


def _check_message(msg: str) -> None:
    assert msg and msg.isprintable(), repr(msg)  # one line: no \n, \r, ESC, ...
    assert len(msg) < 2000, len(msg)


def assert_loads_or_refuses(path: Path) -> None:
    try:
        assert isinstance(load_toml(path), Params)
    except ParameterError as err:
        _check_message(str(err))


def _file(tmp: Path, content: bytes | str, name: str = "x.toml") -> Path:
    path = tmp / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# --------------------------------------------------------------------------- files
@pytest.mark.parametrize(("content", "needles"), [
    ("weeks = 10\n".encode("utf-16"), ("not UTF-8 text", "UTF-16 byte-order mark")),
    (b"weeks = 1\xff\n", ("not UTF-8 text", "0xff", "offset 9")),
    ("a = " + "[" * 10_000 + "]" * 10_000 + "\n", ("nested too deeply",)),
    ("a = " + "{x = " * 10_000 + "1" + "}" * 10_000 + "\n", ("nested too deeply",)),
    ('preset = ["offshore-morocco"]\n', ("'preset' = ['offshore-morocco']",
                                          "is not a scenario name", "stay-home")),
    ("[preset]\nname = 'x'\n", ("'preset' = {'name': 'x'}", "is not a scenario name")),
    ('preset = 3\n', ("'preset' = 3",)),
    ('"we\\u001b[31mks" = 1\n', ("unknown parameter 'we\\x1b[31mks'",)),
    ('"a\\nb" = 1\n', ("unknown parameter 'a\\nb'",)),
    ('[policy]\nkind = "x\\u001b[31m\\nred"\n', ("'policy.kind' = 'x\\x1b[31m\\nred'",
                                                  "not allowed")),
    ('[home]\nname = "' + "\u2028" * 500 + '"\nhourly_cost = -1\n',
     ("'home.hourly_cost' = -1", "[1, 200]")),
    ("weeks = 10\n[[shocks]]\nweek = 500\n", ("'shocks.0.week' = 500", "out of range",
                                                "[0, 9]", "weeks = 10")),
    ("[[shocks]]\nweek = 5000\n", ("'shocks.0.week' = 5000", "out of range", "[0, 2080]")),
    ("[[shocks]]\nweek = 'soon'\n", ("'shocks.0.week' = 'soon'", "expected a number")),
    ("weeks = 1\x00\n", ("not valid TOML",)),
])
def test_bad_config_files(tmp_path: Path, content: bytes | str,
                          needles: tuple[str, ...]) -> None:
    path = _file(tmp_path, content)
    assert_refused(lambda: load_toml(path), *needles)


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    assert load_toml(_file(tmp_path, "")) == Params()
    assert load_toml(_file(tmp_path, "# only a comment\n\n")) == Params()
    assert load_toml(_file(tmp_path, "\ufeffweeks = 10\n")) == Params(weeks=10)  # UTF-8 BOM


def test_not_a_regular_file(tmp_path: Path) -> None:
    assert_refused(lambda: load_toml(tmp_path), "is not a regular file", "folder")
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    assert_refused(lambda: load_toml(fifo), "is not a regular file", "named pipe")  # no block
    if Path("/dev/null").exists():
        assert_refused(lambda: load_toml("/dev/null"), "is not a regular file", "device")
    assert_refused(lambda: load_toml(tmp_path / "nope.toml"), "nope.toml", "not found")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path, "weeks = 1\n")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 000 does not stop root
    assert_refused(lambda: load_toml(path), "x.toml", "cannot be read: permission denied")


def test_toml_errors_stay_one_line(tmp_path: Path) -> None:
    path = _file(tmp_path, '[policy\nshare = "a\x1b[31m\n')
    assert_refused(lambda: load_toml(path), "not valid TOML")


# --------------------------------------------------------------------------- messages
def test_printable() -> None:
    assert printable("plain 'text' é") == "plain 'text' é"
    assert printable("a\nb\r\tc\x1b[31m\x7f\u2028\U000e0001\udcff") == \
        "a\\nb\\r\\tc\\x1b[31m\\x7f\\u2028\\U000e0001\\udcff"
    assert str(ParameterError("bad\nname")) == "bad\\nname"


@pytest.mark.parametrize(("overrides", "needles"), [
    (["policy.share=abc"], ("'policy.share' = 'abc'", "expected a number")),
    (["a\nb=1"], ("unknown parameter 'a\\nb'",)),
    (["policy.kind=\x1b[31mred"], ("'policy.kind' = '\\x1b[31mred'",)),
    (["shocks.0.week=5"], ("'shocks.0.week'", "no shock 0")),
    (["shocks=[{\"week\": 40}]", "weeks=10"], ("'shocks.0.week' = 40", "[0, 9]")),
    (["firms.99999999999.advertising=0.5"], ("firm 99999999999 is out of range", "[0, 9]")),
    (["firms.1.advertising=7"], ("'firms.1.advertising' = 7", "[0, 1]")),
    (["policy.share=" + "9" * 5000], ("--set value '999", "more than")),
])
def test_set_messages(overrides: list[str], needles: tuple[str, ...]) -> None:
    assert_refused(lambda: params_from("stay-home", overrides=overrides), *needles)


def test_shock_fields_by_dotted_name() -> None:
    base = build(None, {"weeks": 100, "shocks": [{"kind": "media", "week": 10}]})
    assert build(base, {"shocks.0.week": 20}).shocks[0].week == 20
    assert_refused(lambda: build(base, {"shocks.0.week": 100}), "'shocks.0.week' = 100", "[0, 99]")
    assert_refused(lambda: build(base, {"shocks.0.weeek": 1}), "unknown parameter 'shocks.0.weeek'")
    assert_refused(lambda: build(base, {"shocks.1.week": 1}), "no shock 1", "shocks 0 to 0")


# --------------------------------------------------------------------------- fuzz
NAMES = field_names()
CONTROL = st.sampled_from(["\x00", "\x1b", "\n", "\r", "\t", "\x7f", "\u2028", "\x85"])
TEXT = st.text(st.one_of(st.characters(codec="utf-8"), CONTROL), max_size=20)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)


def _toml_value(v: object) -> str:
    """A TOML rendering of a Python value (None: an empty inline table)."""
    if v is None:
        return "{}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(v), repr(v))
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_toml_string(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml_string(s: str) -> str:
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}"
                         for c in s if not 0xD800 <= ord(c) <= 0xDFFF) + '"'


FUZZ = settings(max_examples=150)


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    assert_loads_or_refuses(_file(tmp_path_factory.mktemp("b"), data))


TOKENS = [*'[]{}="\'.,#\n\t \\abw0123456789-+_eE:', "\x00", "\x1b", "\u2028", "weeks",
          "preset", "policy", "shocks", "[[firms]]", "true", "inf", "nan", "9" * 4400]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=120).map("".join))
def test_fuzz_tomlish_text(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    assert_loads_or_refuses(_file(tmp_path_factory.mktemp("t"), text))


@FUZZ
@given(st.integers(1, 20_000), st.sampled_from(["[", "{x = ", "[{x = "]))
def test_fuzz_deep_nesting(tmp_path_factory: pytest.TempPathFactory, depth: int,
                           opener: str) -> None:
    closer = "".join({"[": "]", "{": "}"}[c] for c in reversed(opener) if c in "[{")
    text = f"weeks = {opener * depth}1{closer * depth}\n"
    assert_loads_or_refuses(_file(tmp_path_factory.mktemp("d"), text))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(NAMES) | TEXT, VALUE), min_size=1, max_size=4),
       st.none() | st.sampled_from(["offshore-morocco", "nope"]) | VALUE)
def test_fuzz_known_and_unknown_keys(tmp_path_factory: pytest.TempPathFactory,
                                     pairs: list[tuple[str, object]], preset: object) -> None:
    lines = [] if preset is None else [f"preset = {_toml_value(preset)}"]
    lines += [f"{_toml_string(k)} = {_toml_value(v)}" for k, v in dict(pairs).items()
              if k != "preset"]
    assert_loads_or_refuses(_file(tmp_path_factory.mktemp("k"), "\n".join(lines) + "\n"))


# --------------------------------------------------------------------------- CLI
CLI_CASES = {
    "utf-16": "weeks = 10\n".encode("utf-16"),
    "deep": ("a = " + "[" * 10_000 + "]" * 10_000 + "\n").encode(),  # RecursionError before
    "escape in key": b'"\\u001b[31mred" = 1\n',
}


def test_cli_refuses_bad_config(tmp_path: Path) -> None:
    """Exit 2, one printable line, no traceback, the existing --out file untouched."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = {}
    for i, (case, content) in enumerate(CLI_CASES.items()):  # in parallel
        folder = tmp_path / str(i)
        folder.mkdir()
        config = _file(folder, content, "bad.toml")
        (folder / "OUT.parquet").write_bytes(b"precious, not parquet")
        procs[case] = (folder, subprocess.Popen(
            [sys.executable, "-m", "offshoring", "run", str(config), "--weeks", "1",
             "--customers", "50", "--out", str(folder / "OUT.parquet")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT))
    for case, (folder, proc) in procs.items():
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 2, (case, stderr)
        assert "Traceback" not in stderr, case
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (case, stderr)
        assert lines[0].isprintable(), (case, stderr)
        assert (folder / "OUT.parquet").read_bytes() == b"precious, not parquet", case
        assert sorted(p.name for p in folder.iterdir()) == ["OUT.parquet", "bad.toml"], case
