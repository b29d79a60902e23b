"""Benchmarks and the synthetic data they run against."""
