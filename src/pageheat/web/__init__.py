"""The HTTP face of pageheat: the collector, the JSON query API and the dashboard."""
