"""The raw layer: every submission exactly as received, what it replaced, and the sources' cursors."""
