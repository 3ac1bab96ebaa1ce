"""Storage domain: pure image-upload logic (type sniffing, header dimensions, limits, thumbnails)."""
