"""depthframe service: CSV depth logs -> resized, colour-mapped frames by depth."""
