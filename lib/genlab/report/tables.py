"""Tables: rows of measured numbers, how each run ended, and the CSV every closing table is saved as."""
from __future__ import annotations

import pandas as pd

from genlab import paths

SIGNIFICANT_DIGITS = 6  # tables are written at this precision, so reruns compare byte for byte


def comparison_table(rows: list[dict]) -> pd.DataFrame:
    """Rows of measured numbers as a DataFrame (the first key becomes the index)."""
    frame = pd.DataFrame(rows)
    return frame.set_index(frame.columns[0]) if len(frame.columns) else frame


def write_table(table: pd.DataFrame, path) -> None:
    """Write ``table`` as CSV with floats at ``SIGNIFICANT_DIGITS`` significant digits, atomically.

    The last digits of a Frechet distance depend on the order of floating-point sums inside
    scipy's matrix square root; at six digits a rerun gives the same file.
    """
    text = table.to_csv(index=True, float_format=f"%.{SIGNIFICANT_DIGITS}g")
    paths.write_atomically(path, lambda f: f.write(text.encode()))


def final_losses(history: pd.DataFrame) -> dict[str, float]:
    """The last logged D and G losses (the interval average), or NaN when nothing was logged."""
    last = history.dropna(subset=["d_loss", "g_loss"]).tail(1) if {"d_loss", "g_loss"} <= set(history) else None
    if last is None or last.empty:
        return {"final d_loss": float("nan"), "final g_loss": float("nan")}
    return {"final d_loss": float(last["d_loss"].iloc[0]), "final g_loss": float(last["g_loss"].iloc[0])}
