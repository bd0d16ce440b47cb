"""The Rasa benchmark's table: one row per measure (ours, baseline, ratio,
target, met), in Markdown, and its verdict in plain French."""

from __future__ import annotations

# Targets set for the comparison with Rasa's starter bot (ours, measured by
# this table on the 2-core machine).
TARGET_P95_RATIO = 1.5  # p95 turn latency at 20 concurrent conversations, ours / baseline
TARGET_TRAINING_S = 180.0
TARGET_STARTUP_S = 60.0
TARGET_RSS_MB = 2500.0  # Rasa server (process tree)


def _ratio(ours, baseline) -> float | None:
    if ours is None or baseline in (None, 0):
        return None
    return round(ours / baseline, 2)


LEVEL_METRICS = (
    ("p50_ms", "latence p50", "ms"),
    ("p95_ms", "latence p95", "ms"),
    ("turns_per_s", "tours par seconde", "tour/s"),
)


def _simultaneous(concurrency: int) -> str:
    return "1 conversation" if concurrency == 1 else f"{concurrency} simultanées"


def rows(report: dict) -> list[dict]:
    """One row per metric: `id` (stable, English), `metric` (French label), ours, baseline, ratio, target, met."""
    ours, base = report["ours"], report.get("baseline")

    def level(bot, concurrency, key):
        if not bot:
            return None
        for entry in bot["levels"]:
            if entry["concurrency"] == concurrency:
                return entry[key]
        return None

    table = []

    def add(key, metric, unit, ours_value, base_value, target=None, met=None):
        table.append(
            {
                "id": key,
                "metric": metric,
                "unit": unit,
                "ours": ours_value,
                "baseline": base_value,
                "ratio": _ratio(ours_value, base_value),
                "target": target,
                "met": met,
            }
        )

    concurrencies = [entry["concurrency"] for entry in ours["levels"]]
    for concurrency in concurrencies:
        for key, label, unit in LEVEL_METRICS:
            o, b = level(ours, concurrency, key), level(base, concurrency, key)
            target = met = None
            if key == "p95_ms" and concurrency == 20:
                target = f"rapport ≤ {_cell(TARGET_P95_RATIO)}"
                met = None if b is None else (_ratio(o, b) or 0) <= TARGET_P95_RATIO
            add(f"{key}@{concurrency}", f"{label}, {_simultaneous(concurrency)}", unit, o, b, target, met)
    for concurrency in concurrencies:
        add(
            f"failures@{concurrency}",
            f"erreurs et conversations inachevées, {_simultaneous(concurrency)}",
            "nombre",
            level(ours, concurrency, "errors") + level(ours, concurrency, "conversations_without_final_answer"),
            None
            if not base
            else level(base, concurrency, "errors") + level(base, concurrency, "conversations_without_final_answer"),
        )
    rss_o = ours["rss_mb_peak"]["rasa"]
    add(
        "rasa_rss_mb",
        "mémoire (RSS) du serveur Rasa, pic",
        "Mo",
        rss_o,
        base and base["rss_mb_peak"]["rasa"],
        f"< {TARGET_RSS_MB:.0f} Mo",
        rss_o < TARGET_RSS_MB,
    )
    if "actions" in ours["rss_mb_peak"]:
        add(
            "actions_rss_mb",
            "mémoire (RSS) du serveur d'actions, pic (la référence n'en a pas)",
            "Mo",
            ours["rss_mb_peak"]["actions"],
            None,
        )
    training = report.get("training_s", {})
    if training.get("ours") is not None:
        add(
            "training_s",
            "entraînement",
            "s",
            training["ours"],
            training.get("baseline"),
            f"< {TARGET_TRAINING_S:.0f} s",
            training["ours"] < TARGET_TRAINING_S,
        )
    sizes = report.get("model_mb", {})
    add("model_mb", "taille du modèle", "Mo", sizes.get("ours"), sizes.get("baseline"))
    start_o = ours["startup_to_first_answer_s"]
    add(
        "startup_s",
        "démarrage jusqu'à la première réponse",
        "s",
        start_o,
        base and base["startup_to_first_answer_s"],
        f"< {TARGET_STARTUP_S:.0f} s",
        start_o < TARGET_STARTUP_S,
    )
    decision = report.get("decision")
    if decision:
        cases = f"{decision['cases']:,}".replace(",", "\u202f")  # French thousands separator
        add("recommend_mean_us", f"`recommend()` par appel, moyenne ({cases} cas)", "µs", decision["mean_us"], None)
        add("recommend_p95_us", "`recommend()` par appel, p95", "µs", decision["p95_us"], None)
    return table


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "**NON**"
    if isinstance(value, float):
        text = f"{value:g}" if abs(value) < 10 else f"{value:.0f}" if abs(value) >= 1000 else f"{value:.1f}"
        return text.replace(".", ",")
    return str(value)


def markdown(table: list[dict]) -> str:
    lines = [
        "| mesure | unité | nous | référence | nous / référence | objectif | atteint |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in table:
        lines.append(
            "| "
            + " | ".join(_cell(row[key]) for key in ("metric", "unit", "ours", "baseline", "ratio", "target", "met"))
            + " |"
        )
    return "\n".join(lines)


def _why(row: dict, table: list[dict]) -> str:
    if row["id"] != "p95_ms@20":
        return ""
    throughput = next((r for r in table if r["id"] == "turns_per_s@20"), None)
    if not throughput or throughput["ratio"] is None:
        return ""
    return (
        f" Pourquoi : à 20 conversations simultanées, le serveur Rasa (un seul processus) est saturé et sert "
        f"{_cell(throughput['ratio'])} × les tours par seconde de la référence ; chacun de nos tours coûte "
        f"plus de calcul (actions sur HTTP, magasin SQL : voir docs/performance.md)."
    )


def verdict(table: list[dict], report: dict) -> list[str]:
    """Plain French sentences: each target met or not, and why not."""
    lines = []
    for row in table:
        if row["target"] is None:
            continue
        value = row["ratio"] if row["target"].startswith("rapport") else row["ours"]
        if row["met"] is None:
            lines.append(f"- {row['metric']} : non mesuré dans cette exécution (pas de référence).")
        elif row["met"]:
            lines.append(f"- {row['metric']} : objectif atteint ({_cell(value)}, objectif {row['target']}).")
        else:
            lines.append(
                f"- {row['metric']} : objectif NON ATTEINT ({_cell(value)}, objectif {row['target']})."
                f"{_why(row, table)}"
            )
    if report.get("smoke"):
        lines.append("- mode rapide : référence non mesurée, modèle non réentraîné ; ces chiffres ne sont pas le banc.")
    return lines
