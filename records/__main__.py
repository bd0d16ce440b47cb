"""Command line for consultation records.

    python -m records report CONVERSATION_ID [--out DIR]   # rapport RCP : .md et .pdf
    python -m records purge [--older-than-days N]          # efface les consultations anciennes

Both read the tracker store configured in endpoints.yml (`--endpoints`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paths import ROOT

from .database import engine_for, last_recommendation, purge, store_config
from .report import report_markdown, report_pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m records", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="rapport RCP d'une consultation (Markdown et PDF)")
    report.add_argument("conversation_id")
    report.add_argument("--out", type=Path, default=Path("."))
    cleanup = commands.add_parser("purge", help="efface les consultations plus anciennes que N jours")
    cleanup.add_argument("--older-than-days", type=float, default=None)
    args = parser.parse_args(argv)

    store = store_config(args.endpoints)
    engine = engine_for(store, ROOT)
    if args.command == "report":
        recommendation = last_recommendation(engine, args.conversation_id)
        if recommendation is None:
            print(
                f"Aucune recommandation enregistrée pour la consultation « {args.conversation_id} ».", file=sys.stderr
            )
            return 1
        markdown = report_markdown(recommendation, args.conversation_id)
        args.out.mkdir(parents=True, exist_ok=True)
        stem = args.out / f"rapport-rcp-{args.conversation_id}"
        stem.with_suffix(".md").write_text(markdown, encoding="utf-8")
        stem.with_suffix(".pdf").write_bytes(report_pdf(markdown))
        print(f"{stem}.md\n{stem}.pdf")
        return 0
    days = args.older_than_days if args.older_than_days is not None else store.get("retention_days")
    if days is None:
        print("Indiquez --older-than-days N ou retention_days dans endpoints.yml.", file=sys.stderr)
        return 2
    print(f"{purge(engine, float(days))} consultation(s) de plus de {days:g} jours effacée(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
