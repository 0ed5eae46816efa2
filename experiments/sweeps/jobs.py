"""Run lists: runs given as (parameters, seed), stored in Parquet by a digest of both.

A ``Job`` is one run of the model; its ``key`` is a SHA-256 digest of the
parameters' JSON and the seed. ``experiments.sweeps.executors.run_jobs`` runs
the jobs a ``JobStore`` does not hold yet and commits each finished run there:
the focal firm's scalar outcomes (``RunResult.focal``) and its weekly series
(``SERIES``). The store is the cache of repeated runs: a second invocation on
the same folder (``offshoring reproduce --cache DIR``) runs nothing it finds.
The key is the parameters and the seed, not the code: a store reused with
another code version warns, and should be deleted when the model changes.

Layout of a job store (plain Parquet, read with ``pandas.read_parquet``)::

    DIR/manifest.json                    format, series columns, code version, sessions
    DIR/runs/part-000001.parquet         one row per finished run (the commit record)
    DIR/timeseries/part-000001.parquet   the focal firm's weekly series of the same runs

Chunks are written as in a sweep directory (``experiments.sweeps.store``):
the series part first, the runs part last, each atomically.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from experiments.sweeps.store import (
    LOCK,
    MANIFEST,
    RUNS,
    ChunkFolder,
    _chunks,
    _lock,
    _now,
    _read_manifest_file,
    code_version,
    deferred_sigint,
    write_json,
)
from experiments.sweeps.store import (
    SERIES as SERIES_DIR,
)
from model.metrics import SUMMARY_COLUMNS
from model.params import ParameterError, Params

FORMAT = 1
KIND = "jobs"
#: Focal-firm weekly KPIs kept from each run (the rest is dropped to save memory).
SERIES = ("week", "customers", "contacts", "churn_monthly", "image_all", "csat", "fcr",
          "csat_home", "csat_vendor", "quality_home", "quality_vendor", "vendor_proficiency",
          "vendor_attrition", "offshore_share", "alpha", "complaints_per_1000", "revenue",
          "service_cost", "total_cost", "cum_profit", "npv", "outage", "breach", "cutover",
          "reshore")
#: The focal firm's scalar outcomes kept from each run.
OUTCOMES = tuple(c for c in SUMMARY_COLUMNS if c != "firm")


@dataclass(frozen=True)
class Job:
    """One run: parameters, seed, and labels for the caller (not part of the key)."""

    params: Params
    seed: int
    replicate: int = 0
    label: str = ""

    @functools.cached_property
    def key(self) -> str:
        """Digest of the parameters' JSON and the seed: the run's identity in a store."""
        text = f"{self.params.model_dump_json()}|{self.seed}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Run:
    """What is kept of a run: the focal firm's summary and weekly series."""

    summary: dict[str, float]
    series: pd.DataFrame
    seconds: float
    replicate: int = 0
    label: str = ""
    seed: int = 0
    key: str = ""


def runs_schema() -> pa.Schema:
    """Schema of the ``runs`` table of a job store."""
    return pa.schema([("key", pa.string()), ("seed", pa.int64()), ("status", pa.string()),
                      ("error", pa.string()), ("seconds", pa.float64()),
                      ("finished", pa.timestamp("ms", tz="UTC")), ("worker", pa.string()),
                      *[(name, pa.float64()) for name in OUTCOMES]])


class JobStore(ChunkFolder):
    """An open job store (one writer at a time): the keys done, chunk commits, reads."""

    def __init__(self, root: Path, lock_fd: int) -> None:
        self.root = root
        self._lock_fd = lock_fd
        self.schema = runs_schema()
        self._cleanup()
        status = self._table(RUNS, ["key", "status"])
        self.done: set[str] = set(status.loc[status["status"] == "ok", "key"])
        self.failed_keys: set[str] = set(status["key"]) - self.done
        self._next = max(_chunks(root / RUNS), default=0) + 1

    @classmethod
    def open(cls, root: str | Path) -> JobStore:
        """Create or reopen the store in ``root``; refuse a folder that holds something else."""
        root = Path(root)
        lock_fd = _lock(root)
        try:
            manifest = _read_manifest_file(root)
            now = {"started": _now(), "code_version": code_version(), "host": platform.node()}
            if manifest is None:
                other = sorted(p.name for p in root.iterdir()
                               if p.name not in {LOCK, RUNS, SERIES_DIR})
                if other or _chunks(root / RUNS):
                    raise ParameterError(f"'{root}' is not empty and holds no run store "
                                         f"(found '{other[0] if other else RUNS}')")
                manifest = {"format": FORMAT, "kind": KIND, "series": list(SERIES),
                            "outcomes": list(OUTCOMES), "created": now["started"],
                            "code_version": now["code_version"], "sessions": []}
            elif (manifest.get("kind"), manifest.get("format"), manifest.get("series")) != (
                    KIND, FORMAT, list(SERIES)):
                raise ParameterError(f"'{root}' holds runs of another kind or version: "
                                     "choose another folder or delete it")
            elif manifest["code_version"] != now["code_version"]:
                print(f"warning: reusing runs of '{root}' stored with code "
                      f"{manifest['code_version']} using {now['code_version']}",
                      file=sys.stderr)
            manifest["sessions"].append(now)
            for folder in (RUNS, SERIES_DIR):
                (root / folder).mkdir(exist_ok=True)
            write_json(manifest, root / MANIFEST)
            return cls(root, lock_fd)
        except BaseException:
            os.close(lock_fd)
            raise

    def commit(self, rows: list[dict[str, Any]], series: list[pd.DataFrame]) -> None:
        """Write one chunk of finished runs: series first, then the runs part (the commit).

        Runs already stored as done are dropped, so no key is ever done twice.
        """
        rows = [r for r in rows if r["key"] not in self.done]
        keys = {r["key"] for r in rows}
        series = [s for s in series if s["key"].iloc[0] in keys]
        if not rows:
            return
        with deferred_sigint():
            self._write_chunk(rows, series)
            for r in rows:
                if r["status"] == "ok":
                    self.done.add(r["key"])
                    self.failed_keys.discard(r["key"])
                else:
                    self.failed_keys.add(r["key"])

    def _table(self, folder: str, columns: list[str] | None = None,
               keys: Iterable[str] | None = None) -> pd.DataFrame:
        """The rows of ``folder`` (all, or of ``keys``) as a DataFrame."""
        if not _chunks(self.root / folder):
            return pd.DataFrame({c: pd.Series(dtype="object") for c in columns or ["key"]})
        data = pads.dataset(self.root / folder, format="parquet")
        where = None if keys is None else pc.field("key").isin(sorted(set(keys)))
        return data.to_table(columns=columns, filter=where).to_pandas()

    def errors(self, keys: Iterable[str]) -> dict[str, str]:
        """The error message of each of ``keys`` stored as failed and not done since."""
        failed = [k for k in keys if k in self.failed_keys]
        if not failed:
            return {}
        t = self._table(RUNS, ["key", "status", "error"], failed)
        t = t[t["status"] != "ok"]
        return dict(zip(t["key"], t["error"], strict=True))

    def summaries(self, keys: Iterable[str]) -> pd.DataFrame:
        """The ``runs`` rows (key, seed, seconds, the outcomes...) of each of ``keys`` that is
        done, without the weekly series."""
        wanted = [k for k in dict.fromkeys(keys) if k in self.done]
        if not wanted:
            return pd.DataFrame(columns=self.schema.names)
        runs = self._table(RUNS, None, wanted)
        return runs[runs["status"] == "ok"].drop_duplicates("key").reset_index(drop=True)

    def load(self, keys: Iterable[str]) -> dict[str, tuple[dict[str, float], pd.DataFrame,
                                                             float]]:
        """Summary, weekly series and run seconds of each of ``keys`` that is done."""
        runs = self.summaries(keys)
        if not len(runs):
            return {}
        series = self._table(SERIES_DIR, None, runs["key"])
        by_key = {k: g.drop(columns="key").reset_index(drop=True)
                  for k, g in series.groupby("key", sort=False)}
        out = {}
        for row in runs.to_dict("records"):
            summary = {name: float(row[name]) for name in OUTCOMES}
            out[row["key"]] = (summary, by_key[row["key"]], float(row["seconds"]))
        return out
