"""Synthetic depth-log data of the real file's shape, for tests, benchmarks and pictures."""
