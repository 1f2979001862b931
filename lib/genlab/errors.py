"""Errors raised on bad input, and warnings about data left out. Messages name the file (and line) at fault."""
from __future__ import annotations


class DatasetError(ValueError):
    """A dataset folder, image, CSV or tag line that cannot be used as given."""

    def __init__(self, message: str, path=None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line



class DataWarning(UserWarning):
    """A reader kept going but left something out or found something odd (rows dropped, a photo skipped).

    ``make figures`` shows these on its console, not only in the executed notebook.
    """
