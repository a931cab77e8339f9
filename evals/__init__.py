"""Evaluations and benchmarks, each runnable with one command (`python -m evals.NAME`)."""
