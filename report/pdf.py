"""The report as PDF for the Kreistag: the Kreis report (`#/druck`: the planners' pages and every KPI of the
Kreis against Land and Bund) and one profile per Gemeinde, printed by headless Chromium from the offline page
with its print stylesheet (Stichtag, Datenstand, sources and attribution in the footer of every page).

    lake/report/stichtag=D/datenstand=K/pdf/sozialbericht.pdf
    lake/report/stichtag=D/datenstand=K/pdf/gemeindeprofil_<AGS>.pdf

Chromium is the system's (Debian's package, as the browser tests use): nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kernel.reference import gemeinden
from report.data import ReportError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 120


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ReportError("Chromium nicht gefunden (für --pdf nötig): Debian-Paket `chromium` installieren")


def _print(browser: str, page: Path, view: str, target: Path) -> Path:
    tmp = target.with_name(f".{target.name}.tmp")
    with tempfile.TemporaryDirectory(prefix="stichtag-chromium-") as profile:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
             "--virtual-time-budget=5000", f"--print-to-pdf={tmp}", f"{page.as_uri()}{view}"],
            capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise ReportError(f"Chromium konnte {target.name} nicht drucken (Exit-Code {done.returncode})")
    os.replace(tmp, target)
    return target


def build_pdfs(index_html: Path, ags: list[str] | None = None, workers: int = 2) -> list[Path]:
    """The Kreis report and the profiles of the given Gemeinden (default: all) beside the report page."""
    browser = chromium()
    out = index_html.parent / "pdf"
    out.mkdir(exist_ok=True)
    jobs = [("#/druck", out / "sozialbericht.pdf")] + [
        (f"#/profil/{a}", out / f"gemeindeprofil_{a}.pdf") for a in (ags or [g.ags for g in gemeinden()])]
    with ThreadPoolExecutor(max_workers=workers) as pool:  # one Chromium per PDF, two at a time on 2 cores
        return list(pool.map(lambda job: _print(browser, index_html, *job), jobs))
