"""The Rasa benchmark's table: one row per measure (ours,
baseline, ratio, target, met), in Markdown, and its verdict in plain French.
Pure: computed from the report that bench/rasa_measure.py fills."""

from __future__ import annotations

# Targets of the speed work, measured by this table in one run on the 2-core machine.
TARGET_FIRST_TURN_RATIO = 1.5  # first turn after a start / our warm p95 at 1 conversation
TARGET_P95_RATIO = 1.0  # warm p95 at 20 simultaneous conversations, ours / baseline (at most)
TARGET_THROUGHPUT_RATIO = 1.0  # warm turns per second at 20 simultaneous conversations, ours / baseline (at least)
TARGET_TRAINING_S = 180.0
TARGET_STARTUP_S = 60.0
TARGET_RSS_MB = 2500.0  # Rasa server (process tree)


def _ratio(ours, baseline) -> float | None:
    if ours is None or baseline in (None, 0):
        return None
    return round(ours / baseline, 2)


def at_most(value, reference, ratio: float) -> bool | None:
    """value ≤ ratio × reference (None when either is missing)."""
    if value is None or reference is None:
        return None
    return value <= ratio * reference


def at_least(value, reference, ratio: float) -> bool | None:
    """value ≥ ratio × reference (None when either is missing)."""
    if value is None or reference is None:
        return None
    return value >= ratio * reference


LEVEL_METRICS = (
    ("p50_ms", "latence p50", "ms"),
    ("p95_ms", "latence p95", "ms"),
    ("turns_per_s", "tours par seconde", "tour/s"),
)


def _simultaneous(concurrency: int) -> str:
    return "1 conversation" if concurrency == 1 else f"{concurrency} simultanées"


def level_value(bot: dict | None, concurrency: int, key: str):
    """`key` of a bot's warm level at `concurrency` (None when not measured)."""
    if not bot:
        return None
    for entry in bot.get("levels", []):
        if entry["concurrency"] == concurrency:
            return entry.get(key)
    return None


def rows(report: dict) -> list[dict]:
    """One row per metric: `id` (stable, English), `metric` (French label), ours, baseline, ratio, target, met."""
    ours, base = report["ours"], report.get("baseline")
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
    top = max(concurrencies)
    starts = len(ours.get("first_turn_ms", [])) or 1
    warm_p95_1 = level_value(ours, 1, "p95_ms")
    first = ours.get("first_turn_median_ms")
    add(
        "first_turn_ms",
        f"premier tour après démarrage (message seul, médiane de {starts})",
        "ms",
        first,
        base and base.get("first_turn_median_ms"),
        f"≤ {_cell(TARGET_FIRST_TURN_RATIO)} × notre p95 à chaud, 1 conversation ({_cell(warm_p95_1)} ms)",
        at_most(first, warm_p95_1, TARGET_FIRST_TURN_RATIO),
    )
    if "cold" in ours:
        cold_concurrency = ours["cold"]["concurrency"]
        for key in ("p95_ms", "p50_ms"):
            add(
                f"cold_{key}@{cold_concurrency}",
                f"latence {key[:3]}, charge dès le démarrage, {_simultaneous(cold_concurrency)}",
                "ms",
                ours["cold"][key],
                base and base.get("cold", {}).get(key),
            )
    for concurrency in concurrencies:
        for key, label, unit in LEVEL_METRICS:
            o, b = level_value(ours, concurrency, key), level_value(base, concurrency, key)
            target = met = None
            if key == "p95_ms" and concurrency == top and top > 1:
                target, met = f"rapport ≤ {_cell(TARGET_P95_RATIO)}", at_most(o, b, TARGET_P95_RATIO)
            if key == "turns_per_s" and concurrency == top and top > 1:
                target, met = f"rapport ≥ {_cell(TARGET_THROUGHPUT_RATIO)}", at_least(o, b, TARGET_THROUGHPUT_RATIO)
            add(f"{key}@{concurrency}", f"{label} à chaud, {_simultaneous(concurrency)}", unit, o, b, target, met)

    def failures(bot, concurrency):
        if not bot:
            return None
        return level_value(bot, concurrency, "errors") + level_value(
            bot, concurrency, "conversations_without_final_answer"
        )

    for concurrency in concurrencies:
        add(
            f"failures@{concurrency}",
            f"erreurs et conversations hors script, {_simultaneous(concurrency)}",
            "nombre",
            failures(ours, concurrency),
            failures(base, concurrency),
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
    if row["id"] == "first_turn_ms":
        return (
            " Pourquoi : ce qu'un tour utilise et que le démarrage n'a pas chargé l'est pendant le premier message "
            "(voir docs/performance.md, « Où passe le temps »)."
        )
    if not row["id"].startswith("p95_ms@"):
        return ""
    throughput = next((r for r in table if r["id"] == row["id"].replace("p95_ms", "turns_per_s")), None)
    if not throughput or throughput["ratio"] is None:
        return ""
    return (
        f" Pourquoi : le serveur Rasa (un seul processus) est saturé et sert "
        f"{_cell(throughput['ratio'])} × les tours par seconde de la référence ; chacun de nos tours coûte "
        f"plus de calcul (voir docs/performance.md, « Où passe le temps »)."
    )


def verdict(table: list[dict], report: dict) -> list[str]:
    """Plain French sentences: each target met or not, and why not."""
    lines = []
    for row in table:
        if row["target"] is None:
            continue
        value = row["ratio"] if row["target"].startswith("rapport") else row["ours"]
        if row["id"] == "first_turn_ms" and row["ours"] is not None:
            value = f"{_cell(row['ours'])} ms"
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
