"""What ``make figures`` prints: what DATA holds, each notebook's outcome with its data, the closing summary."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from genlab import paths
from genlab.data.usage import describe, read_uses
from genlab.tools import schedule, stamps

BRIEF_ERRORS = ("DatasetError", "MissingLayoutError")  # their message says it all; others show the traceback
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DATA_WARNING = re.compile(r": DataWarning: (.+)$")  # a data reader's warning in a cell's output


def describe_error(error: Exception) -> str:
    ename, evalue = getattr(error, "ename", None), getattr(error, "evalue", None)
    if ename in BRIEF_ERRORS:
        return f"{ename}: {evalue}"
    if type(error).__name__ == "DeadKernelError":
        return f"the kernel died ({error}); out of memory? see dmesg and the kernel log"
    return ANSI.sub("", str(error)).strip()


def data_line(data_root: Path | None, fallback: str) -> str:
    """What DATA holds, layout by layout, before anything runs."""
    if data_root is None:
        return "  data: embedded synthetic faces"
    from genlab.data.layouts import LAYOUTS, NAMES, find_layout

    found = {kind: find_layout(data_root, kind) for kind in LAYOUTS}
    held = [f"{NAMES[k]} at {where}" for k, where in found.items() if where]
    missing = [NAMES[k] for k, where in found.items() if not where]
    then = "embedded data instead (FALLBACK=embedded)" if fallback else "a notebook that needs one stops"
    return (f"  data: {data_root}: " + ("; ".join(held) or "no layout found")
            + (f"; no {' or '.join(missing)} layout ({then})" if missing else ""))


def reader_warnings(name: str, known) -> list[str]:
    """The data readers' warnings a notebook's cells showed (a photo skipped...), minus those already ``known``."""
    try:
        notebook = json.loads((paths.executed_dir() / f"{name}.ipynb").read_text())
    except (OSError, ValueError):
        return []
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            for line in (text if isinstance(text, str) else "".join(text)).splitlines():
                match = DATA_WARNING.search(line) if output.get("name") == "stderr" else None
                if match and match.group(1) not in known and match.group(1) not in found:
                    found.append(match.group(1))
    return found


def report(name: str, seconds, error, peak_mib: float | None = None) -> None:
    """The console lines for a finished or failed notebook: time, data used, readers' warnings, what went wrong."""
    uses = read_uses(stamps.uses_path(name))
    lines = describe(uses, indent="      ")
    lines += [f"      warning: {w}" for w in reader_warnings(name, {w for use in uses for w in use.warnings})]
    if error is None:
        extra = f" (largest kernel so far: {peak_mib:.0f} MiB resident)" if peak_mib else ""
        print("\n".join([f"  {name}: {seconds:.0f} s{extra}", *lines]), flush=True)
        return
    text = "\n".join("      " + line for line in str(error).splitlines())
    print("\n".join([f"  {name}: FAILED", text, *lines,
                     f"      the partly executed notebook is {paths.executed_dir() / (name + '.ipynb')}"]),
          file=sys.stderr, flush=True)


def summary(outcome: schedule.Outcome, names) -> None:
    failed, blocked = sorted(outcome.failed), sorted(outcome.blocked)
    lines = [f"make figures: {len(failed)} of {len(names)} notebook(s) FAILED: {', '.join(failed)}"]
    if blocked:
        lines.append("  not run, because they reuse a run of a failed notebook: "
                     + ", ".join(f"{n} (needs {', '.join(outcome.blocked[n])})" for n in blocked))
    ok = [n for n in names if n not in outcome.failed and n not in outcome.blocked]
    lines.append(f"  finished or up to date: {', '.join(ok) or 'none'}")
    print("\n".join(lines), file=sys.stderr)
