"""Import throughput of `counterclaim generate`: claims and rows per second, peak memory.

Measured when the runner made the data set (in a child process, so its peak resident
memory is its own); with a data set reused from an earlier run, its figures are those of
that run (`generated_at` says when). `--regenerate` measures afresh.
"""

from .harness import Context, Measurement, Unavailable


def run(ctx: Context):
    info = ctx.dataset
    if not info.get("seconds"):
        raise Unavailable("the data set carries no generation figures; run with --regenerate")
    rows = sum(info["rows"].values())
    m = Measurement(name=f"generate {info['claims']:,} claims")
    m.extra = {
        "seconds": info["seconds"],
        "claims/s": round(info["claims"] / info["seconds"]),
        "rows": rows,
        "rows/s": round(rows / info["seconds"]),
        "peak RSS MiB": info["peak_rss_mib"],
        "generated_at": info["generated_at"],
    }
    if info["claims"] >= 1_000_000:
        m.checks["1M claims in minutes (≤ 10)"] = info["seconds"] <= 600
    yield m
