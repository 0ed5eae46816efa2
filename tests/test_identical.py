"""``offshoring bench --same-as REV`` (experiments.tools.identical): the exact comparison of
outputs with another git revision, and its plumbing (a worktree running REV's model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.tools import identical
from offshoring.cli import main

REPO = Path(identical.__file__).resolve().parents[2]


def test_compare_finds_equal_runs_equal_and_one_ulp_apart(tmp_path: Path) -> None:
    """Two runs of the same case and seed compare equal; one KPI moved by one unit in the
    last place makes the case differ, named by its part and column."""
    stems = identical.capture(tmp_path / "a", ["offshore-morocco"], [3], weeks=30)
    assert identical.capture(tmp_path / "b", ["offshore-morocco"], [3], weeks=30) == stems
    same = identical.compare(tmp_path / "a", tmp_path / "b", stems)
    assert same["same"].tolist() == [True] and same["difference"].tolist() == [""]

    path = tmp_path / "b" / f"{stems[0]}.kpis.parquet"
    kpis = pd.read_parquet(path)
    kpis.loc[20, "csat"] = np.nextafter(kpis.loc[20, "csat"], np.inf)
    kpis.to_parquet(path)
    moved = identical.compare(tmp_path / "a", tmp_path / "b", stems)
    assert moved["same"].tolist() == [False]
    assert moved["difference"][0].startswith("kpis:") and "csat" in moved["difference"][0]

    for part in ("kpis", "summary"):  # a case the other revision does not have
        (tmp_path / "b" / f"{stems[0]}.{part}.parquet").unlink()
    missing = identical.compare(tmp_path / "a", tmp_path / "b", stems)
    assert missing["same"].tolist() == [False]
    assert "not run there" in missing["difference"][0]
    # and one only the other revision has (a preset removed since)
    only_there = identical.compare(tmp_path / "b", tmp_path / "a", [], stems)
    assert only_there["case"].tolist() == ["offshore-morocco"]
    assert only_there["same"].tolist() == [False]
    assert "not run here" in only_there["difference"][0]


def test_cases_cover_every_preset_shocks_and_a_reshoring_firm() -> None:
    from model.presets import SCENARIOS

    every = identical.cases()
    assert set(SCENARIOS) < set(every)
    assert {"shocks", "adaptive-strict"} <= set(every)
    assert {p.n_customers for p in every.values()} == {identical.CUSTOMERS}
    with pytest.raises(KeyError, match="no-such-case"):
        identical.capture(Path("unused"), ["no-such-case"])


def test_capture_at_runs_the_model_of_the_revision(tmp_path: Path) -> None:
    """The cases run in a temporary worktree of HEAD, by HEAD's ``model`` (the child checks
    where ``model`` came from), and the worktree is gone afterwards."""
    stems = identical.capture_at("HEAD", tmp_path / "there", REPO, ["stay-home"], [1], weeks=3)
    assert stems == ["stay-home-1"]
    kpis = pd.read_parquet(tmp_path / "there" / "stay-home-1.kpis.parquet")
    n_firms = kpis["firm"].nunique()
    assert len(kpis) == (identical.BURN_IN + 3) * n_firms  # weeks -13 .. 2, every firm
    assert kpis["week"].min() == -identical.BURN_IN and kpis["week"].max() == 2
    import subprocess

    trees = subprocess.run(["git", "-C", str(REPO), "worktree", "list"], capture_output=True,
                           text=True).stdout
    assert "same-as-" not in trees


def test_outside_a_git_checkout_the_check_says_so(tmp_path: Path) -> None:
    from experiments.errors import UsageError

    with pytest.raises(UsageError, match="needs the code in a git checkout"):
        identical.commit_of("HEAD", tmp_path)


def test_child_refuses_a_model_from_elsewhere(tmp_path: Path, capsys) -> None:
    assert identical.main(["capture", str(tmp_path), "--root", str(tmp_path)]) == 2
    assert "model imported from" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["bench", "--same-as", "no-such-revision"],
                                  ["bench", "--same-as", "HEAD", "--ensemble"]])
def test_same_as_bad_input_is_one_line_with_status_2(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ("--same-as" in err or "--ensemble" in err)


def test_model_changed_follows_model_only(tmp_path: Path) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    for path in ("model/rules.py", "docs/notes.md"):
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text("one\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    (tmp_path / "docs/notes.md").write_text("two\n")
    assert not identical.model_changed(tmp_path)
    (tmp_path / "model/rules.py").write_text("two\n")
    assert identical.model_changed(tmp_path)
