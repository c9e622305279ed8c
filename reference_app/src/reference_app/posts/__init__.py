"""Posts: authored content with drafts, publishing and pagination."""
