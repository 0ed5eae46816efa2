"""Same outputs as another revision: the check behind "outputs bit-identical" (issue 12).

``offshoring bench --same-as REV`` runs a fixed set of small cases (every
scenario preset, ``offshore-morocco`` with an outage, a breach and a media
story, and an adaptive firm strict enough to reshore; 600 customers, 13
burn-in weeks + 156 weeks, seeds 1 and 7) in this working tree and in git
revision REV, and compares each case's weekly KPIs (burn-in included) and
run summary exactly (``pandas.testing.assert_frame_equal(check_exact=True)``).
Speed work that must not change results runs it before each commit that
touches ``model/``.

REV runs in a temporary ``git worktree`` (with its own Numba cache, so its
kernels compile once, about 10-20 s) in a child process that imports REV's
``model`` package. This file is also the capture script run there, so it
imports nothing from ``experiments`` (which may differ in REV), only the model
API every revision since the Mesa-native redesign has: ``model.presets``'s
``SCENARIOS`` and ``scenario``, ``OffshoringModel(params, rng=seed)``,
``step``, ``kpis(include_burn_in=True)`` and ``summary``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

#: Seeds of every case, weeks after the burn-in, customers and burn-in weeks of the cases.
SEEDS = (1, 7)
WEEKS = 156
CUSTOMERS, BURN_IN = 600, 13


def cases() -> dict:
    """Case name -> ``Params``: every scenario preset, plus shocks and a strict adaptive firm
    (each of those two only where its preset and its parameters exist: a revision from
    before them still runs every case it has)."""
    from model.presets import SCENARIOS, scenario

    small = {"n_customers": CUSTOMERS, "burn_in_weeks": BURN_IN}
    out = {name: scenario(name, **small) for name in SCENARIOS}
    extra = {"shocks": ("offshore-morocco", {"shocks": [
                 {"kind": "outage", "week": 40, "weeks": 3}, {"kind": "breach", "week": 60},
                 {"kind": "media", "week": 80}]}),
             "adaptive-strict": ("adaptive-morocco", {
                 "policy.ramp_allowance_weeks": 13, "policy.min_saving_ratio": 0.99})}
    for name, (preset, changes) in extra.items():
        if preset in SCENARIOS:
            try:
                out[name] = scenario(preset, **small, **changes)
            except (KeyError, ValueError):  # a parameter this revision does not have
                continue
    return out


def capture(out: Path, names: Sequence[str] | None = None, seeds: Sequence[int] = SEEDS,
            weeks: int = WEEKS) -> list[str]:
    """Run the cases (all, or ``names``) with the ``model`` package importable here and write
    ``CASE-SEED.kpis.parquet`` and ``CASE-SEED.summary.parquet`` into ``out``; return the
    file stems written."""
    from model.model import OffshoringModel

    out.mkdir(parents=True, exist_ok=True)
    every = cases()
    unknown = sorted(set(names or ()) - set(every))
    if unknown:
        raise KeyError(f"unknown case(s) {', '.join(unknown)}")
    stems = []
    for name in names or list(every):
        for seed in seeds:
            m = OffshoringModel(every[name], rng=seed)
            for _ in range(weeks):
                m.step()
            stem = f"{name}-{seed}"
            m.kpis(include_burn_in=True).to_parquet(out / f"{stem}.kpis.parquet")
            m.summary().to_parquet(out / f"{stem}.summary.parquet")
            stems.append(stem)
    return stems


def compare(mine: Path, theirs: Path, stems: Sequence[str],
            their_stems: Sequence[str] = ()) -> pd.DataFrame:
    """One row per case and seed (``stems``, then those of ``their_stems`` not among them):
    ``same`` (True when the KPIs and the summary are equal exactly, NaN where NaN) and,
    when not, the first difference pandas reports, or that one side has no such case (a
    preset added or removed since): that counts as a difference too."""
    from pandas.testing import assert_frame_equal

    rows = []
    for stem in [*stems, *(s for s in their_stems if s not in set(stems))]:
        difference = ""
        if not (mine / f"{stem}.kpis.parquet").exists():
            difference = "not run here (no such case)"
        elif not (theirs / f"{stem}.kpis.parquet").exists():
            difference = "not run there (no such case)"
        for part in ("kpis", "summary") if not difference else ():
            a, b = (pd.read_parquet(d / f"{stem}.{part}.parquet") for d in (mine, theirs))
            try:
                assert_frame_equal(a, b, check_exact=True)
            except AssertionError as e:
                lines = [line.strip() for line in str(e).splitlines() if line.strip()]
                difference = f"{part}: {' '.join(lines[:3])}"
                break
        case, seed = stem.rsplit("-", 1)
        rows.append({"case": case, "seed": int(seed), "same": not difference,
                     "difference": difference})
    return pd.DataFrame(rows, columns=["case", "seed", "same", "difference"])


def commit_of(rev: str, repo: Path) -> str:
    """The full hash of commit ``rev`` in the git repository ``repo`` (a UsageError if none)."""
    from experiments.errors import UsageError
    from experiments.provenance import git

    if not git("rev-parse", "--show-toplevel", root=repo):
        raise UsageError(f"--same-as needs the code in a git checkout; {repo} is not one "
                         "(clone the repository to compare revisions)")
    commit = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", root=repo)
    if not commit:
        raise UsageError(f"--same-as: '{rev}' is not a commit of the git repository "
                         f"at {repo}")
    return commit


def model_changed(repo: Path) -> bool:
    """Whether ``repo``'s ``model/`` has uncommitted changes (the outputs may differ)."""
    from experiments.provenance import git

    return bool(git("status", "--porcelain", "--untracked-files=no", "--", "model",
                    root=repo))


def capture_at(rev: str, out: Path, repo: Path, names: Sequence[str] | None = None,
               seeds: Sequence[int] = SEEDS, weeks: int = WEEKS) -> list[str]:
    """``capture`` run by git revision ``rev``'s ``model`` package (a temporary worktree of
    ``repo``, removed afterwards); return the file stems written. A UsageError (one line)
    when REV cannot be checked out or its cases fail."""
    from experiments.errors import UsageError

    commit = commit_of(rev, repo)
    with tempfile.TemporaryDirectory(prefix="same-as-") as tmp:
        tree = Path(tmp) / "tree"
        # run from a copy beside the tree: nothing of this tree's experiments/ on sys.path
        script = Path(tmp) / "capture_same_as.py"
        shutil.copy(__file__, script)
        add = subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "--quiet",
                              str(tree), commit], capture_output=True, text=True)
        if add.returncode != 0:
            raise UsageError(f"--same-as: cannot check out {rev}: "
                                f"{_last_line(add.stderr)}")
        try:
            argv = [sys.executable, str(script), "capture", str(out), "--root", str(tree),
                    "--weeks", str(weeks), "--seeds", ",".join(map(str, seeds))]
            if names:
                argv += ["--cases", ",".join(names)]
            env = {**os.environ, "PYTHONPATH": str(tree)}
            run = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True)
            if run.returncode != 0:
                raise UsageError(f"--same-as: the cases failed at {rev}: "
                                    f"{_last_line(run.stderr)}")
            return run.stdout.split()
        finally:
            removed = subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force",
                                      str(tree)], capture_output=True)
            if removed.returncode != 0:  # e.g. the folder is gone: forget the worktree
                subprocess.run(["git", "-C", str(repo), "worktree", "prune"],
                               capture_output=True)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no message"


def main(argv: Sequence[str] | None = None) -> int:
    """``python identical.py capture OUT --root TREE``: the child process of ``capture_at``
    (checks that ``model`` comes from TREE, then prints the stems written)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["capture"])
    ap.add_argument("out", type=Path)
    ap.add_argument("--root", type=Path, required=True, help="tree whose model must be used")
    ap.add_argument("--weeks", type=int, default=WEEKS)
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    ap.add_argument("--cases", default="")
    args = ap.parse_args(argv)
    import model

    where = Path(model.__file__).resolve()
    if not where.is_relative_to(args.root.resolve()):
        print(f"model imported from {where}, not from {args.root}", file=sys.stderr)
        return 2
    stems = capture(args.out, [c for c in args.cases.split(",") if c] or None,
                    [int(s) for s in args.seeds.split(",")], args.weeks)
    print(" ".join(stems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
