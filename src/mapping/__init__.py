"""peta-kesos: geospatial helpers that map social welfare in Kabupaten Tapanuli Utara."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
