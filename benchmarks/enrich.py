"""Enrichment end to end: language detection, and the score/intents/priority pipeline.

Usage: python benchmarks/enrich.py [--mentions N] [--runs R]

1. Language detection (py3langid, the shipped model): accuracy on the labelled
   posts below (written for this benchmark, 8 per language) and posts/s.
2. The pipeline on a demo workspace built without enrichment: mentions/s for
   ``enrich()`` (VADER via the pool, intents, priority, author profiles, stored per
   chunk), once with the demo's known languages and once with every language
   cleared so detection runs too. Medians of ``--runs`` runs on fresh copies.

The last line is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engage_desktop.demo.build import build_demo
from engage_desktop.enrich.language import detect_language
from engage_desktop.enrich.pipeline import enrich
from engage_desktop.workspace.database import Workspace

LABELLED = {
    "en": [
        "My router keeps dropping the connection every evening, really annoying.",
        "Support fixed my problem in ten minutes, great service!",
        "Does anyone know how to set up the guest network on this thing?",
        "Worst purchase of the year, the app crashes all the time.",
        "Honestly the best mesh system I have used so far.",
        "Waiting on hold for an hour just to be told to restart it.",
        "Thinking about switching providers next month.",
        "The firmware update finally fixed the range upstairs.",
    ],
    "de": [
        "Mein Router verliert jeden Abend die Verbindung, sehr ärgerlich.",
        "Der Kundendienst hat mein Problem in zehn Minuten gelöst, super!",
        "Weiß jemand, wie man das Gästenetz einrichtet?",
        "Der schlechteste Kauf des Jahres, die App stürzt ständig ab.",
        "Ehrlich gesagt das beste Mesh-System, das ich je hatte.",
        "Eine Stunde in der Warteschleife, nur um neu zu starten.",
        "Ich überlege, nächsten Monat den Anbieter zu wechseln.",
        "Das Update hat endlich die Reichweite im Obergeschoss verbessert.",
    ],
    "fr": [
        "Mon routeur perd la connexion tous les soirs, c'est vraiment pénible.",
        "Le support a réglé mon problème en dix minutes, excellent service !",
        "Quelqu'un sait comment configurer le réseau invité ?",
        "Le pire achat de l'année, l'application plante sans arrêt.",
        "Honnêtement le meilleur système maillé que j'ai utilisé.",
        "Une heure d'attente au téléphone pour qu'on me dise de redémarrer.",
        "Je pense changer de fournisseur le mois prochain.",
        "La mise à jour a enfin amélioré la portée à l'étage.",
    ],
    "es": [
        "Mi router pierde la conexión todas las noches, muy molesto.",
        "El soporte resolvió mi problema en diez minutos, ¡gran servicio!",
        "¿Alguien sabe cómo configurar la red de invitados?",
        "La peor compra del año, la aplicación se cuelga todo el tiempo.",
        "Sinceramente el mejor sistema mesh que he usado.",
        "Una hora en espera solo para que me digan que lo reinicie.",
        "Estoy pensando en cambiar de proveedor el mes que viene.",
        "La actualización por fin mejoró la cobertura en el piso de arriba.",
    ],
    "it": [
        "Il mio router perde la connessione ogni sera, davvero fastidioso.",
        "L'assistenza ha risolto il problema in dieci minuti, ottimo servizio!",
        "Qualcuno sa come configurare la rete ospiti?",
        "Il peggior acquisto dell'anno, l'app si blocca di continuo.",
        "Sinceramente il miglior sistema mesh che abbia mai usato.",
        "Un'ora in attesa solo per sentirmi dire di riavviarlo.",
        "Sto pensando di cambiare gestore il mese prossimo.",
        "L'aggiornamento ha finalmente migliorato la copertura al piano di sopra.",
    ],
    "nl": [
        "Mijn router verliest elke avond de verbinding, heel vervelend.",
        "De klantenservice loste mijn probleem in tien minuten op, top!",
        "Weet iemand hoe je het gastnetwerk instelt?",
        "De slechtste aankoop van het jaar, de app crasht steeds.",
        "Eerlijk gezegd het beste mesh-systeem dat ik ooit heb gehad.",
        "Een uur in de wacht om te horen dat ik hem moet herstarten.",
        "Ik denk erover om volgende maand van provider te wisselen.",
        "De update heeft eindelijk het bereik boven verbeterd.",
    ],
    "pt": [
        "O meu router perde a ligação todas as noites, muito irritante.",
        "O suporte resolveu o meu problema em dez minutos, ótimo serviço!",
        "Alguém sabe como configurar a rede de convidados?",
        "A pior compra do ano, a aplicação bloqueia a toda a hora.",
        "Sinceramente o melhor sistema mesh que já usei.",
        "Uma hora em espera só para me dizerem para reiniciar.",
        "Estou a pensar mudar de operador no próximo mês.",
        "A atualização finalmente melhorou o alcance no andar de cima.",
    ],
}


def language_figures() -> dict[str, float]:
    pairs = [(lang, text) for lang, texts in LABELLED.items() for text in texts]
    detect_language("warm up the model")  # loading the model is not detection
    right = sum(detect_language(text) == lang for lang, text in pairs)
    texts = [t for _, t in pairs] * 250
    started = time.perf_counter()
    for text in texts:
        detect_language(text)
    elapsed = time.perf_counter() - started
    return {
        "lang_accuracy": round(right / len(pairs), 4),
        "lang_labelled_posts": len(pairs),
        "lang_posts_per_s": round(len(texts) / elapsed),
    }


def pipeline_run(template: Path, folder: Path, clear_language: bool) -> tuple[float, int]:
    path = folder / "run.engage"
    shutil.copy2(template, path)
    with Workspace.open(path) as ws:
        if clear_language:
            with ws.write() as cur:
                cur.execute("UPDATE mentions SET language = NULL")
        started = time.perf_counter()
        summary = enrich(ws)
        elapsed = time.perf_counter() - started
    path.unlink()
    return elapsed, summary.done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, float] = dict(language_figures())
    print(
        f"language: {figures['lang_accuracy']:.1%} right on {figures['lang_labelled_posts']} "
        f"labelled posts, {figures['lang_posts_per_s']:,} posts/s",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.engage"
        build_demo(template, args.mentions, seed=7, enrich=False)
        for clear, key in ((False, "known_lang"), (True, "detect_lang")):
            times = []
            for _ in range(args.runs):
                seconds, done = pipeline_run(template, folder, clear)
                times.append(seconds)
            median = statistics.median(times)
            figures[f"enrich_{key}_s"] = round(median, 2)
            figures[f"enrich_{key}_per_s"] = round(done / median)
            print(
                f"enrich {done:,} mentions ({key.replace('_', ' ')}): median {median:.2f} s "
                f"{[round(t, 2) for t in times]} = {done / median:,.0f}/s",
                flush=True,
            )
    figures["mentions"] = args.mentions
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
