"""Runnable lecture examples: `python -m examples [--quick]` runs them all; each one alone
with `python -m examples.NAME`."""
