"""pageheat: self-hosted, private web heatmaps."""

__version__ = "0.1.0"
