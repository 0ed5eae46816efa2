"""Offline front-end assets for the Solara dashboard.

Solara serves its whole browser front end through ``/_solara/cdn/<pkg>@<ver>/<file>``,
a proxy to jsDelivr with an on-disk cache (``SOLARA_ASSETS_PROXY_CACHE_DIR``). Offline,
every cache miss fails after ~7 s of retries and the page stays blank. This module fills
that cache from the npm registry (``npm pack``), so the dashboard never needs the CDN.

A jsDelivr URL ``/npm/<spec>/<file>`` serves ``package/<file>`` of the npm tarball, so a
tarball unpacked without its top folder into ``<cache>/<spec>/`` is exactly what Solara
looks up. The folder carries the spec as Solara writes it (``vega@5``, not
``vega@5.33.1``); the version packed into it is pinned (``NPM_PINS``). The one file
jsDelivr makes up (``require.min.js``, minified on the fly) is copied from its source.

Usage::

    python -m viz.assets install [--force] [--dir PATH]   # fetch and unpack (idempotent)
    python -m viz.assets check [--dir PATH]               # exit 1 if anything is missing
    python -m viz.assets env                              # print the server's env vars
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import MutableMapping, Sequence
from pathlib import Path

# Specs Solara 1.64.1 (with ipyvuetify<3) requests through /_solara/cdn; re-derive with
# `grep -rn "@[0-9]" site-packages/solara --include=*.vue --include=*.j2 --include=*.py`.
PACKAGES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1",  # the app shell (solara.html.j2)
    "requirejs@2.3.6",  # module loader (solara.html.j2, every .vue widget)
    "font-awesome@4.5.0",  # icon font (server/settings.py fontawesome_path)
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",  # GridDraggable, SolaraViz's grid
    "vega@5",  # FigureAltair (widgets/vue/vegalite.vue)
    "vega-lite@5",
    "vega-embed@6",
    "katex@0.16.9",  # solara.Markdown loads katex and mermaid on every mount
    "mermaid@10.8.0",
)

# Solara asks for semver ranges; the cache folder keeps the range as its name, but what
# is packed into it is pinned, so every install is the same. Bump deliberately.
NPM_PINS: dict[str, str] = {
    "vega@5": "vega@5.33.1",
    "vega-lite@5": "vega-lite@5.23.0",
    "vega-embed@6": "vega-embed@6.29.0",
}

# Files the browser asks for, relative to the cache; `check` and `install` verify them.
REQUIRED_FILES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "requirejs@2.3.6/require.js",
    "requirejs@2.3.6/require.min.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js",
    "vega@5/build/vega.min.js",
    "vega-lite@5/build/vega-lite.min.js",
    "vega-embed@6/build/vega-embed.min.js",
    "katex@0.16.9/dist/katex.min.js",
    "katex@0.16.9/dist/katex.min.css",
    "katex@0.16.9/dist/contrib/auto-render.min.js",
    "mermaid@10.8.0/dist/mermaid.min.js",
)

# Files jsDelivr minifies on the fly, absent from the tarball: target -> source.
SYNTHESISED: dict[str, str] = {"requirejs@2.3.6/require.min.js": "requirejs@2.3.6/require.js"}

MARKER = ".offshoring-assets.json"  # written last into each complete package folder
STAGING = ".staging-"  # prefix of half-unpacked folders, removed by the next install
EXIT_NO_NPM = 2


class AssetsError(RuntimeError):
    """Installing the offline assets failed; the message is one line for the user."""


class NpmMissingError(AssetsError):
    """No ``npm`` executable on PATH."""


def cache_dir() -> Path:
    """Solara's default proxy cache of this interpreter (``<venv>/share/solara/cdn``).

    Using Solara's own default means a plain ``solara run`` is offline too, even
    without :func:`configure_env`.
    """
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def configure_env(
    environ: MutableMapping[str, str] | None = None,
    cache: Path | None = None,
    block_cdn: bool = False,
) -> dict[str, str]:
    """Set the variables a Solara server needs to run offline; return them.

    Updates ``environ`` (default ``os.environ``). Solara reads its settings when
    ``solara.server.settings`` is first imported, so call this before that import, or
    pass the result to a ``solara run`` subprocess. ``SOLARA_ASSETS_PROXY=True`` keeps
    the proxy on where Solara would switch it off (a VS Code terminal, Colab, Voila) and
    let the browser fetch from jsDelivr. ``block_cdn`` points Solara's upstream at a
    closed local port, so a cache miss fails instead of reaching the internet.
    """
    values = {
        "SOLARA_ASSETS_PROXY": "True",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache or cache_dir()),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    if block_cdn:
        values["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/npm/"
    target = os.environ if environ is None else environ
    target.update(values)
    return values


def missing_files(cache: Path) -> list[str]:
    """Return the required files that are not in ``cache``."""
    return [rel for rel in REQUIRED_FILES if not (cache / rel).is_file()]


def npm_spec(spec: str) -> str:
    """What ``npm pack`` fetches for the cache folder ``spec`` (exact version)."""
    return NPM_PINS.get(spec, spec)


def _installed(cache: Path, spec: str) -> bool:
    """Whether the folder of ``spec`` is complete and holds the pinned version."""
    try:
        meta = json.loads((cache / spec / MARKER).read_text())
    except (OSError, ValueError):
        return False
    mine = [rel for rel in missing_files(cache) if rel.startswith(spec + "/")]
    return meta.get("resolved") == npm_spec(spec) and not mine


def _pending(cache: Path, force: bool) -> list[str]:
    """Packages not installed at their pinned version (all of them when ``force``)."""
    return [spec for spec in PACKAGES if force or not _installed(cache, spec)]


def _npm() -> str:
    """Path of the npm executable, or an :class:`AssetsError`."""
    npm = shutil.which("npm")
    if npm is None:
        raise NpmMissingError("npm not found on PATH; install Node.js/npm (apt-get install -y npm)")
    return npm


def _name(spec: str) -> str:
    """Package name of a spec: ``@scope/pkg@1.2`` -> ``@scope/pkg``."""
    return spec.rpartition("@")[0]


def _npm_error(proc: subprocess.CompletedProcess[str]) -> str:
    """One line describing a failed npm call (its JSON summary, else its stderr)."""
    try:
        return json.loads(proc.stdout)["error"]["summary"].splitlines()[0]
    except (ValueError, KeyError, TypeError, IndexError):
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()] or ["(no output)"]
        return lines[-1].strip()


def _npm_pack(specs: Sequence[str], dest: Path) -> dict[str, dict]:
    """Download the tarballs of ``specs`` into ``dest``; return npm's records by spec."""
    cmd = [_npm(), "pack", *map(npm_spec, specs), "--json", "--pack-destination", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssetsError(f"npm pack failed (exit {proc.returncode}): {_npm_error(proc)}")
    by_name = {record["name"]: record for record in json.loads(proc.stdout)}
    return {spec: by_name[_name(spec)] for spec in specs}


def _unpack(tarball: Path, target: Path) -> None:
    """Extract ``tarball`` into ``target`` without its top folder (``package/``)."""
    with tarfile.open(tarball) as tar:
        members = []
        for member in tar.getmembers():
            _, _, rest = member.name.partition("/")
            if rest:
                member.name = rest
                members.append(member)
        tar.extractall(target, members=members, filter="data")


def _synthesise(spec: str, folder: Path) -> None:
    """Copy the files jsDelivr would minify on the fly for ``spec`` into ``folder``."""
    prefix = spec + "/"
    for target, source in SYNTHESISED.items():
        dst = folder / target.removeprefix(prefix)
        if target.startswith(prefix) and not dst.exists():
            shutil.copyfile(folder / source.removeprefix(prefix), dst)


def _install_one(spec: str, record: dict, tmp: Path, cache: Path) -> None:
    """Unpack one package into a staging folder of the cache, then swap it in."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=cache))
    staging.chmod(0o755)  # mkdtemp makes it 0700: a server run by another user could not read
    _unpack(tmp / record["filename"], staging)
    _synthesise(spec, staging)
    meta = {"spec": spec, "resolved": record["id"], "integrity": record.get("integrity")}
    (staging / MARKER).write_text(json.dumps(meta, indent=1) + "\n")
    final = cache / spec
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)


def install(cache: Path | None = None, force: bool = False) -> list[str]:
    """Fetch and unpack every missing package into ``cache``; return the installed specs."""
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(STAGING + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    specs = _pending(cache, force)
    if specs:
        with tempfile.TemporaryDirectory(prefix="offshoring-npm-") as tmp:
            for spec, record in _npm_pack(specs, Path(tmp)).items():
                _install_one(spec, record, Path(tmp), cache)
    missing = missing_files(cache)
    if missing:
        raise AssetsError(f"{len(missing)} asset file(s) missing after install, e.g. {missing[0]}")
    return specs


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m viz.assets", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["install", "check", "env"])
    parser.add_argument(
        "--dir", type=Path, default=None, help=f"cache folder (default: {cache_dir()})"
    )
    parser.add_argument("--force", action="store_true", help="re-download every package")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m viz.assets``; return the exit status."""
    args = _parse(argv)
    cache = args.dir or cache_dir()
    if args.command == "env":
        for key, value in configure_env({}, cache).items():
            print(f"export {key}={value}")
        return 0
    if args.command == "check":
        missing = missing_files(cache)
        print(f"{len(missing)} missing: {' '.join(missing)}" if missing else f"complete: {cache}")
        return 1 if missing else 0
    try:
        done = install(cache, force=args.force)
    except AssetsError as exc:
        print(f"viz.assets: error: {exc}", file=sys.stderr)
        return EXIT_NO_NPM if isinstance(exc, NpmMissingError) else 1
    present = len(PACKAGES) - len(done)
    print(f"viz.assets: {len(done)} package(s) installed, {present} already present in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
