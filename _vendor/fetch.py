#!/usr/bin/env python3
"""Fetch the JavaScript the rendered book needs, so the site works with no network.

Three npm packages, pinned to an exact version and checked against the registry's sha512
integrity: the Jupyter widget manager for static pages (``@jupyter-widgets/html-manager``, the
version ipywidgets 8.1.9 / myst-nb 1.4.0 ask for), RequireJS (which that manager needs) and
MathJax 3. Only the files the pages load are kept (about 14 MB: no source maps, no SVG output),
under ``_vendor/site/vendor/<name>/``; ``_config.yml`` copies ``_vendor/site`` into the HTML
root (``html_extra_path``), so the built site serves them as ``vendor/<name>/...``.

Run by ``make vendor`` (and so before ``make book``). Uses ``npm pack`` when npm is on PATH,
otherwise downloads the same tarball from the registry with urllib; either way the tarball must
match the pinned integrity. Re-running with the same pins does nothing.

    python3 _vendor/fetch.py            # fetch (or confirm) the pinned versions
    python3 _vendor/fetch.py --force    # fetch again
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "site" / "vendor"
STAMP = HERE / "site" / ".stamp"
REGISTRY = os.environ.get("MND_NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")

# name -> (npm package, exact version, sha512 integrity, {tarball path glob: destination dir})
# Tarball paths start with "package/". Globs match whole paths ("*" crosses "/").
PACKAGES: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "html-manager": (
        "@jupyter-widgets/html-manager", "1.0.6",
        "sha512-+Mn+Ra8wyIHrYaUpfmf9A3dsLkt/NuwzPQN8sthdxBD35VV5cOJbpmgMhNR27n/rmP3mKyEe0PWCJrtZrXTXDQ==",
        {
            "package/dist/embed-amd.js": "",
            "package/dist/*.woff2": "",          # Font Awesome, for widget icons
            "package/dist/*.woff": "",
            "package/dist/*.ttf": "",
            "package/dist/*.eot": "",
            "package/dist/*.svg": "",
            "package/dist/embed.js.LICENSE.txt": "",
            "package/LICENSE": "",
        },
    ),
    "requirejs": (
        "requirejs", "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        {"package/require.js": "", "package/package.json": ""},   # MIT, stated in package.json
    ),
    "mathjax": (
        "mathjax", "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        {
            "package/es5/tex-mml-chtml.js": "",
            "package/es5/input/tex/extensions/*": "input/tex/extensions",  # autoloaded TeX packages
            "package/es5/output/chtml/fonts/woff-v2/*": "output/chtml/fonts/woff-v2",
            "package/es5/a11y/*": "a11y",        # loaded from MathJax's context menu
            "package/es5/ui/*": "ui",
            "package/es5/sre/*": "sre",          # speech rule engine, for the a11y explorer
            "package/LICENSE": "",
        },
    ),
}


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def tarball_name(package: str, version: str) -> str:
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def download(package: str, version: str, workdir: Path) -> bytes:
    """The package tarball: ``npm pack`` if npm exists, else the registry's tarball URL."""
    npm = shutil.which("npm")
    if npm and "MND_NPM_REGISTRY" not in os.environ:
        subprocess.run([npm, "pack", "--silent", f"{package}@{version}"], cwd=workdir, check=True,
                       stdout=subprocess.DEVNULL)
        return (workdir / tarball_name(package, version)).read_bytes()
    url = f"{REGISTRY}/{package}/-/{package.split('/')[-1]}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=120) as r:
        return r.read()


def extract(data: bytes, files: dict[str, str], dest: Path) -> int:
    """Copy the tarball members matching ``files`` into ``dest``; return how many."""
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        tgz = Path(tmp) / "p.tgz"
        tgz.write_bytes(data)
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                if not member.isfile():
                    continue
                for pattern, subdir in files.items():
                    if fnmatch.fnmatch(member.name, pattern):
                        prefix = pattern.rsplit("/", 1)[0] + "/"
                        rel = member.name[len(prefix):]
                        target = dest / subdir / rel
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with tar.extractfile(member) as src, open(target, "wb") as out:
                            shutil.copyfileobj(src, out)
                        n += 1
                        break
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="fetch even if the stamp matches")
    args = ap.parse_args()
    pins = {k: {"package": v[0], "version": v[1], "integrity": v[2], "files": v[3]}
            for k, v in PACKAGES.items()}
    if not args.force and STAMP.exists() and json.loads(STAMP.read_text()) == pins:
        STAMP.touch()   # newer than this script again, for make
        print(f"vendored JavaScript up to date in {OUT}")
        return 0
    staging = OUT.with_name("vendor.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as work:
        for name, (package, version, want, files) in PACKAGES.items():
            data = download(package, version, Path(work))
            got = integrity(data)
            if got != want:
                print(f"ERROR: {package}@{version}: integrity {got} != pinned {want}", file=sys.stderr)
                return 1
            n = extract(data, files, staging / name)
            print(f"{package}@{version}: {n} files -> vendor/{name}/")
    (staging / "VERSIONS.json").write_text(json.dumps(pins, indent=2) + "\n")
    shutil.rmtree(OUT, ignore_errors=True)
    staging.rename(OUT)
    STAMP.write_text(json.dumps(pins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
