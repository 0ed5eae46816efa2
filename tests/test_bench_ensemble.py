"""``offshoring bench --ensemble`` at a tiny size: the structure of its measurements."""

from __future__ import annotations

from experiments.tools.bench import ensemble_report, run_ensemble_bench


def test_ensemble_bench_structure_at_a_tiny_size() -> None:
    r = run_ensemble_bench("offshore-morocco", 100, 2, 4, runs=2, workers=[1, 2], repeats=1,
                           start=False)
    ip = r["in_process"]
    assert ip["ten_year_s"] > 0 and ip["week_ms"] > 0
    assert abs(ip["rules_ms"] + ip["firm_ms"] - ip["week_ms"]) < 1e-9
    assert [p["workers"] for p in r["pools"]] == [1, 2]
    for p in r["pools"]:
        assert p["ok"] == 2 and p["failed"] == 0 and p["runs_per_core_minute"] > 0
    assert r["pools"][0]["speedup"] == 1.0 and r["start"] is None
    assert len(ensemble_report(r, "offshore-morocco", 100, 2, 4)) == 2
