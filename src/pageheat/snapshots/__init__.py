"""Pictures of pages: backgrounds for heatmaps and the boxes of their elements."""
