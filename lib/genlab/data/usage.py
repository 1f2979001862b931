"""What data a notebook used: real or embedded, where, how many images kept and dropped, and why.

The session records one :class:`DataUse` per dataset part it loads and prints it; ``make figures``
reads the records back (a JSON file per notebook) for its console and the gallery.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

REAL, EMBEDDED = "real", "embedded"


@dataclass
class DataUse:
    """One dataset part a notebook loaded."""

    kind: str  # mlds, dlcv, celeba
    part: str  # extra_data, faces, train, test, img_align_celeba
    source: str  # real or embedded
    root: str
    fingerprint: str = ""  # content fingerprint (real data) or renderer fingerprint (embedded)
    kept: int = 0
    dropped: int = 0
    reasons: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    why_embedded: str = ""  # set when DATA was given but the embedded data was used (FALLBACK=embedded)

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.part}"

    def line(self) -> str:
        """One line for the console and the gallery."""
        where = f"real data at {self.root}" if self.source == REAL else f"embedded synthetic data ({self.root})"
        if self.why_embedded:
            where += f"; {self.why_embedded}"
        count = f"{self.kept:,} images kept, " + (
            f"{self.dropped:,} dropped ({', '.join(f'{r}: {n:,}' for r, n in self.reasons.items())})"
            if self.dropped else "none dropped")
        return f"{self.kind} {self.part}: {where}: {count}"


def write_uses(path: Path, uses: list[DataUse]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(use) for use in uses], indent=2))


def from_records(items) -> list[DataUse]:
    return [DataUse(**item) for item in items]


def read_uses(path: Path) -> list[DataUse]:
    """The records written by :func:`write_uses`; none if the file is missing or unreadable."""
    try:
        return from_records(json.loads(Path(path).read_text()))
    except (OSError, ValueError, TypeError):
        return []


def describe(uses: list[DataUse], indent: str = "") -> list[str]:
    """The lines of every use, each followed by its readers' warnings."""
    lines = []
    for use in uses:
        lines.append(indent + use.line())
        lines += [f"{indent}  warning: {message}" for message in use.warnings]
    return lines
