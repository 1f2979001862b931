"""Tools around the notebooks: ``make figures`` (runner, manifest, gallery) and ``make bench``."""
