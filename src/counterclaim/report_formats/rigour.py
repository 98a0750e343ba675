"""A report's analytic additions as Markdown: corroboration of the contested claims,
circular reporting and claimants' records (services/reports/report_rigour.py finds them)."""

from __future__ import annotations

from counterclaim.services.reports.report_rigour import CLAIMANTS, LIMIT, ReportRigour

from .markdown import esc


def markdown(found: ReportRigour) -> str:
    """Return the additions as Markdown sections."""

    lines = ["## Corroboration of contested claims", ""]
    if not found.corroboration:
        lines += ["Nothing in scope is contested.", ""]
    else:
        lines += ["| Claim | Supporting sources | Independent origins | Circular |",
                  "|---|---|---|---|"]  # fmt: skip
        for row in found.corroboration.values():
            lines.append(
                f"| #{row['claim_id']} {esc(row['text'][:120])} | {row['supporting_sources']} | "
                f"{row['independent_origins']} | {'yes' if row['circular'] else ''} |"
            )
        lines.append("")
    lines += ["## Circular reporting", ""]
    lines += [f"- #{r['claim_id']} {esc(r['text'][:160])}: {r['supporting_sources']} supporting "
              f"sources, {r['independent_origins']} independent origin(s)"
              for r in found.circular] or ["None found."]  # fmt: skip
    lines += ["", "## Claimants' track records", ""]
    if found.claimants:
        lines += ["| Claimant | Claims | Settled | Confirmed | False | Contradicted |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        lines += [f"| {esc(r['name'])} | {r['claims']} | {r['settled']} | "
                  f"{r['confirmed_claims']} | {r['false_claims']} | {r['contradicted_claims']} |"
                  for r in found.claimants]  # fmt: skip
        if found.claimants_truncated:
            lines += ["", f"(The {CLAIMANTS} claimants who made the most of these claims.)"]
    else:
        lines.append("No claimant in scope.")
    if found.truncated:
        lines += ["", f"(The first {LIMIT} contested claims only.)"]
    return "\n".join(lines) + "\n"
