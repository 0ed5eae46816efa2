"""``offshoring viz``: refuses to start without the offline assets; serves on 127.0.0.1.

Serving itself is tested end to end in tests/browser/test_app_e2e.py (the module's
server is this command).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offshoring.cli import build_parser, main
from viz import cli


def test_missing_assets_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No asset cache: one line naming the install command, status 2, no server started."""
    monkeypatch.setattr(cli, "cache_dir", lambda: tmp_path / "empty-cache")
    monkeypatch.setattr(cli.os, "execv", lambda *a: pytest.fail("server started"))
    assert main(["viz"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: ") and "python -m viz.assets install" in err


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_bad_port_is_refused(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["viz", "--port", port]) == 2
    assert "--port" in capsys.readouterr().err


def test_defaults_serve_localhost_in_production_mode() -> None:
    args = build_parser().parse_args(["viz"])
    assert (args.host, args.port, args.dev, args.open) == ("127.0.0.1", 8765, False, False)
    argv = cli.solara_argv()
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert "--production" in argv and "--no-open" in argv
    assert Path(argv[argv.index("run") + 1]) == Path(cli.__file__).with_name("app.py")
    assert Path(argv[argv.index("run") + 1]).is_file()


def test_options_reach_the_server_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With assets present, the command configures the offline env and execs solara."""
    calls: list[list[str]] = []
    env: dict[str, str] = {}
    monkeypatch.setattr(cli, "check_assets", lambda: None)
    monkeypatch.setattr(cli, "configure_env", lambda: env.update(configured="yes"))
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: calls.append(argv))
    assert main(["viz", "--host", "0.0.0.0", "--port", "9001", "--dev", "--open"]) == 0
    (argv,) = calls
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert argv[argv.index("--port") + 1] == "9001"
    assert "--production" not in argv and "--no-open" not in argv
    assert env == {"configured": "yes"}


def test_all_interfaces_warn_about_no_authentication(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--host 0.0.0.0 starts (the server command is run) but warns first on stderr."""
    monkeypatch.setattr(cli, "check_assets", lambda: None)
    monkeypatch.setattr(cli, "configure_env", lambda: None)
    calls: list[list[str]] = []
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: calls.append(argv))
    assert main(["viz", "--host", "0.0.0.0", "--port", "9002"]) == 0
    err = capsys.readouterr().err
    assert "every network interface" in err and "no authentication" in err
    assert len(calls) == 1
    assert main(["viz"]) == 0  # the default, 127.0.0.1: no warning
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("host,warns", [("0.0.0.0", True), ("::", True), ("192.0.2.7", True),
                                        ("example.org", True), ("127.0.0.1", False),
                                        ("127.1.2.3", False), ("::1", False),
                                        ("[::1]", False), ("localhost", False)])
def test_exposure_warning_only_off_loopback(host: str, warns: bool) -> None:
    from viz.serve import exposure_warning

    message = exposure_warning(host, 8765)
    assert (message is not None) == warns
    if warns:
        assert "no authentication" in message
