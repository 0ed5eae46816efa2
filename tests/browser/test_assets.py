"""``viz.assets``: the offline cache matches what Solara asks for, without a browser."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from viz import assets

# `{{cdn}}/<spec>/` in templates, `${this.getCdn()}/<spec>/` in .vue and .py widgets
CDN_SPEC = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/"
)

FONTAWESOME = re.compile(r'fontawesome_path: str = "/([^/"]+)/')


def solara_cdn_specs() -> set[str]:
    """Every package spec the installed Solara requests through its CDN proxy."""
    import ipyvuetify
    import solara

    root = Path(solara.__file__).parent
    # read, not imported: importing solara.server.settings would freeze its env settings
    specs = set(FONTAWESOME.findall((root / "server/settings.py").read_text()))
    for path in root.rglob("*"):
        if path.suffix in {".py", ".vue", ".j2"} and "website" not in path.parts:
            specs.update(CDN_SPEC.findall(path.read_text(errors="replace")))
    if int(ipyvuetify.__version__.split(".")[0]) < 3:  # the Vuetify-3 shell is not loaded
        specs = {s for s in specs if not s.startswith("@widgetti/solara-vuetify3-app@")}
    return specs


def test_packages_match_what_solara_requests() -> None:
    """A Solara upgrade that adds, drops or bumps an asset fails here first."""
    assert solara_cdn_specs() == set(assets.PACKAGES)


def test_required_files_belong_to_listed_packages() -> None:
    """Each checked file lives in a package folder that install fills."""
    for rel in assets.REQUIRED_FILES:
        assert any(rel.startswith(spec + "/") for spec in assets.PACKAGES), rel


def test_ranges_are_pinned_to_exact_versions() -> None:
    """Every range Solara asks for is packed at one exact version, so installs repeat."""
    exact = re.compile(r"^(?:@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+(?:-[\w.]+)?$")
    assert set(assets.NPM_PINS) <= set(assets.PACKAGES)
    for spec in assets.PACKAGES:
        assert exact.match(assets.npm_spec(spec)), spec
        assert assets.npm_spec(spec).rpartition("@")[0] == spec.rpartition("@")[0]


def test_configure_env_names_are_the_ones_solara_reads(tmp_path: Path) -> None:
    """Solara's own settings pick up every variable configure_env sets."""
    env = dict(os.environ)
    assets.configure_env(env, cache=tmp_path / "cdn", block_cdn=True)
    code = (
        "import json, solara.settings as s, solara.server.settings as ss;"
        "print(json.dumps([str(ss.assets.proxy_cache_dir), ss.telemetry.mixpanel_enable,"
        " s.assets.proxy, s.assets.cdn]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [str(tmp_path / "cdn"), False, True, "http://127.0.0.1:9/npm/"]


def test_configure_env_defaults_to_solaras_own_cache_and_keeps_cdn() -> None:
    """Without arguments: Solara's default cache folder, the real CDN setting untouched."""
    env: dict[str, str] = {}
    values = assets.configure_env(env)
    assert env == values
    assert values["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(Path(sys.prefix) / "share/solara/cdn")
    assert "SOLARA_ASSETS_CDN" not in values


def test_install_without_npm_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No npm on PATH: one clear line on stderr, exit status 2, nothing half-written."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert assets.main(["install", "--dir", str(tmp_path / "cdn")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "npm not found" in err
    assert list((tmp_path / "cdn").iterdir()) == []


def test_install_is_idempotent(offline_assets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A complete cache installs nothing and never calls npm."""
    monkeypatch.setattr(assets.shutil, "which", lambda _name: None)
    assert assets.install(offline_assets) == []
    assert all(assets._installed(offline_assets, spec) for spec in assets.PACKAGES)


def test_check_reports_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``check`` on an empty folder fails and names what is missing."""
    assert assets.main(["check", "--dir", str(tmp_path)]) == 1
    assert "requirejs@2.3.6/require.js" in capsys.readouterr().out


def test_unpack_strips_the_tarball_top_folder(tmp_path: Path) -> None:
    """``package/dist/x.js`` of a tarball lands at ``<spec>/dist/x.js``, as jsDelivr serves."""
    tarball = tmp_path / "pkg.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        data = b"console.log(1)"
        info = tarfile.TarInfo("package/dist/x.js")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    assets._unpack(tarball, tmp_path / "pkg@1")
    assert (tmp_path / "pkg@1/dist/x.js").read_bytes() == b"console.log(1)"
