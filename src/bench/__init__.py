"""Benchmarks reported as ratios against side-by-side baselines."""
