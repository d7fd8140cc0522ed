"""Files generated into the repository (catalogue docs, raw-table suites): each rewritten only when its text
changed, so a regeneration shows in `git diff` exactly what moved, and files no longer generated removed."""

from __future__ import annotations

from pathlib import Path


def write_generated(directory: Path, pages: dict[str, str], pattern: str) -> list[Path]:
    """Write `pages` (file name → text) into `directory`; delete the other files matching `pattern`."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(pattern):
        if old.name not in pages:
            old.unlink()
    written = []
    for name, text in pages.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
