"""Counterclaim's benchmarks: `python -m tests.benchmarks --claims 10000 100000 1000000`.

Not part of the test run (pytest collects `test_*.py`; these files are `bench_*.py`).

The contract a measurement module keeps (tests/benchmarks/README.md says the same):

- It is a file `tests/benchmarks/bench_<name>.py`; the runner finds every such file.
- It defines `run(ctx: harness.Context) -> Iterable[harness.Measurement]`, called once
  per data set (one engine, one number of claims), on a database of `ctx.claims`
  synthetic claims (seed 1) migrated to head.
- If the feature it measures is missing, importing the module raises ImportError (import
  the feature at the top of the module) or `run` raises `harness.Unavailable("why")`:
  the runner prints "<name>: not available (why)" and goes on.
- It may set `ENGINES = {"sqlite"}` (default: both) and `LARGEST_ONLY = True` (run only
  on the largest data set of each engine, e.g. a long load test).
"""
