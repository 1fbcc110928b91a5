"""Synthetic, labelled documents for tests and accuracy benchmarks: no real person's data, ever."""
