"""Benchmarks: each prints a markdown table, writes JSON, and compares ratios within one run."""
