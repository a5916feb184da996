"""Dev check of the weak-labelling stage: LFs on the UN corpus + seed, label models, scores on the gold sets.

Fits the label models on UNLABELLED sentences only (the UN corpus split into sentences, plus the seed's
sentences); the gold sets are only scored. By default only the tuning part of the UN gold set and the seed are
scored; pass --reporting to also score the reporting part (do that only to check the bar, never while tuning).
``--fresh benchmarks/data/ungd_fresh_dev.jsonl`` also scores the fresh development sample (400 keyword sentences
from speeches outside the reporting part, labelled by the developers; see benchmarks/data/README.md) and, with
``--errors``, prints its errors too.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/weak_dev.py [--reporting] [--fresh FILE] [--errors]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score

from pipeline.corpus import Corpus
from pipeline.labels import ABSTAIN, LABEL2ID, LABELS, NONE
from pipeline.split import PysbdSplitter, split_documents
from pipeline.text import normalize
from pipeline.weak.analysis import lf_summary, uncovered
from pipeline.weak.label_model import MajorityVoteModel, SnorkelLabelModel
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.lfs.embeddings import SentenceEmbedder

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
CACHE = ROOT / "artifacts" / "weak_dev_embeddings.npz"


def load_corpus_sentences() -> list[str]:
    """The UN corpus split by the project's splitter, normalised as the LFs see it."""
    corpus = Corpus(SHARED / "corpora" / "ungd-dev", suffixes=(".txt",))
    splitter = PysbdSplitter()
    return [s.norm for s in split_documents(corpus, splitter, progress=False)]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run_weak_labels(run: Path) -> dict[tuple[str, int, int], str]:
    """A run's weak label per sentence, keyed by (doc, start, end) offsets (all-abstain counted as `none`)."""
    return {(w["doc"], w["start"], w["end"]): (w["label"] or "none") for w in read_jsonl(run / "weak_labels.jsonl")}


def macro_line(y_true: list[str], y_pred: list[str], ci: bool = False) -> str:
    """'macro-F1 0.812  against ...' for string labels; with ``ci`` a bootstrap 95% interval after the macro-F1."""
    from pipeline.evaluate import classification_metrics

    per = f1_score(y_true, y_pred, labels=list(LABELS), average=None, zero_division=0)
    interval = ""
    if ci:
        low, high = classification_metrics(y_true, y_pred)["ci"]["macro_f1"]
        interval = f" [{low:.2f}, {high:.2f}]"
    per_label = "  ".join(f"{lab} {f:.3f}" for lab, f in zip(LABELS, per, strict=True))
    return f"macro-F1 {per.mean():.3f}{interval}  {per_label}"


def cached_embedder(texts: list[str]) -> SentenceEmbedder:
    """An embedder preloaded with the vectors cached on disk (artifacts/, ignored by git); new texts are
    embedded in one batched pass and added to the cache."""
    embedder = SentenceEmbedder()
    if CACHE.exists():
        data = np.load(CACHE, allow_pickle=False)
        embedder.add_to_cache(data["texts"].tolist(), data["vectors"])
    missing = sorted(set(texts) - set(embedder.cached()[0]))
    if missing:
        start = time.perf_counter()
        embedder.embed(missing, progress=True)
        print(f"embedded {len(missing)} new texts in {time.perf_counter() - start:.1f}s")
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        cached_texts, vectors = embedder.cached()
        np.savez(CACHE, texts=np.array(cached_texts), vectors=vectors)
    return embedder


def load_fresh(path: Path) -> list[dict]:
    """Developer-labelled sentences given by ``doc``/``start``/``end`` offsets into the UN corpus files; the text
    is read back from the corpus (the file stores no UN text)."""
    rows = read_jsonl(path)
    sources: dict[str, str] = {}
    corpora = [SHARED / "corpora" / "ungd-dev", SHARED / "corpora" / "ungd-train"]  # a speech is in one of them
    for row in rows:
        if row["doc"] not in sources:
            found = next(d / f"{row['doc']}.txt" for d in corpora if (d / f"{row['doc']}.txt").is_file())
            sources[row["doc"]] = found.read_text(encoding="utf-8")
        row["text"] = normalize(sources[row["doc"]][row["start"] : row["end"]])
    return rows


def tuning_halves(rows: list[dict], seed: int = 0) -> set[str]:
    """Docs of half A of the tuning part: its speeches shuffled with a fixed seed, first half (split by speech, so
    rules developed on A's errors can be checked on B's scores as a generalisation estimate)."""
    docs = sorted({r["doc"] for r in rows})
    order = np.random.default_rng(seed).permutation(len(docs))
    return {docs[i] for i in order[: len(docs) // 2]}


def sample_halves(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(half A, half B) of a development sample, split by speech (seed 1): A is read for errors, B only scored."""
    a_docs = tuning_halves(rows, seed=1)
    return [r for r in rows if r["doc"] in a_docs], [r for r in rows if r["doc"] not in a_docs]


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> str:
    y_pred = np.where(y_pred == ABSTAIN, NONE, y_pred)
    per = f1_score(y_true, y_pred, labels=[0, 1, 2], average=None, zero_division=0)
    macro = per.mean()
    return f"macro-F1 {macro:.3f}  " + "  ".join(f"{lab} {f:.3f}" for lab, f in zip(LABELS, per, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reporting", action="store_true", help="also score the reporting part (final check)")
    parser.add_argument("--groups", nargs="*", default=None)
    parser.add_argument("--threshold", type=float, default=0.9, help="learned LF confidence threshold")
    parser.add_argument("--errors", action="store_true", help="print tuning-part and seed errors")
    parser.add_argument(
        "--fresh",
        type=Path,
        nargs="*",
        default=[],
        help="developer-labelled development samples (scored as fresh, fresh2, ...; each split into halves A/B)",
    )
    parser.add_argument(
        "--ablate", action="store_true", help="print each dev set's majority macro-F1 with each LF's column dropped"
    )
    parser.add_argument(
        "--errors-half",
        choices=["A", "B"],
        default="A",
        help="which tuning half --errors prints (the other: scores only)",
    )
    args = parser.parse_args()

    corpus = load_corpus_sentences()
    seed_gold = read_jsonl(ROOT / "seeds" / "gold" / "seed_gold.jsonl")
    seed_texts = [normalize(r["text"]) for r in seed_gold]
    ungd = read_jsonl(SHARED / "gold" / "ungd_dev.jsonl")
    split_dir = ROOT / "configs" / "gold" / "ungd_dev_split"
    parts = {"tuning": set((split_dir / "tuning_ids.txt").read_text().split())}
    if args.reporting:
        parts["reporting"] = set((split_dir / "reporting_ids.txt").read_text().split())
    gold_parts = {name: [r for r in ungd if r["id"] in ids] for name, ids in parts.items()}
    half_a_docs = tuning_halves(gold_parts["tuning"])
    gold_parts["tuning-A"] = [r for r in gold_parts["tuning"] if r["doc"] in half_a_docs]
    gold_parts["tuning-B"] = [r for r in gold_parts["tuning"] if r["doc"] not in half_a_docs]
    fresh_names = []
    for k, path in enumerate(args.fresh, start=1):
        name = "fresh" if k == 1 else f"fresh{k}"
        fresh_names += [f"{name}-A", f"{name}-B"]
        gold_parts[name] = load_fresh(path)
        gold_parts[f"{name}-A"], gold_parts[f"{name}-B"] = sample_halves(gold_parts[name])
    if len(args.fresh) > 1:  # all B halves together: the largest sample never read for errors
        gold_parts["all-B"] = [r for name in fresh_names if name.endswith("-B") for r in gold_parts[name]]

    train_texts = corpus + seed_texts
    gold_texts = [normalize(r["text"]) for rows in gold_parts.values() for r in rows]
    lfs = select_lfs(args.groups)
    labeler = WeakLabeler(lfs, embedder=cached_embedder(train_texts + gold_texts))
    print(f"corpus: {len(corpus)} sentences (PysbdSplitter); seed: {len(seed_texts)}; LFs: {len(lfs)}")

    start = time.perf_counter()
    L_corpus = labeler.apply(corpus, progress=False)
    elapsed = time.perf_counter() - start
    print(f"applied {len(lfs)} LFs to {len(corpus)} corpus sentences in {elapsed:.1f}s (embeddings cached)")
    L_train = np.vstack([L_corpus, labeler.apply(seed_texts, progress=False)])
    labeler.learned.threshold = args.threshold
    start = time.perf_counter()
    labeler.fit(L_train, texts=train_texts)  # fits the learned LF on the rule votes and fills its column
    print(f"learned LF fitted in {time.perf_counter() - start:.1f}s on {labeler.learned.n_examples_}")
    print(f"coverage on corpus+seed: {1 - uncovered(L_train).mean():.3f}")

    # The label model chosen on the tuning part is majority vote (snorkel is shown for comparison: it is
    # sensitive to the class prior here because most stance LFs rarely overlap, see the report).
    models = {
        "snorkel": SnorkelLabelModel(seed=0, epochs=500, lr=0.01, class_balance="majority").fit(L_train),
        "snorkel-uniform": SnorkelLabelModel(seed=0, epochs=500, lr=0.01, class_balance=None).fit(L_train),
        "majority": MajorityVoteModel(tie_policy="none", abstain_policy="none").fit(L_train),
    }
    print("snorkel class balance (from corpus votes):", np.round(models["snorkel"].fitted_class_balance_, 3))
    evals = {"seed": (seed_texts, np.array([LABEL2ID[r["label"]] for r in seed_gold]))}
    for name, rows in gold_parts.items():
        evals[name] = ([normalize(r["text"]) for r in rows], np.array([LABEL2ID[r["label"]] for r in rows]))
    L_evals = {name: labeler.apply(texts, progress=False) for name, (texts, _) in evals.items()}

    tuning_texts, y_tuning = evals["tuning"]
    summary = lf_summary(
        L_train,
        labeler.lf_names,
        labeler.lf_groups,
        weights=models["snorkel"].weights(),
        L_gold=L_evals["tuning"],
        y_gold=y_tuning,
    )
    with_pd_opts = summary.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    print("\nLF summary (coverage etc. on corpus+seed; gold columns on the tuning part):")
    print(with_pd_opts)

    for name in fresh_names:
        if name in L_evals:
            L, y = L_evals[name], evals[name][1]
            print(f"\nper-LF votes on {name}: name, votes, correct, per label votes/correct")
            for j, lf_name in enumerate(labeler.lf_names):
                voted = L[:, j] != ABSTAIN
                if voted.any():
                    by_label = "  ".join(
                        f"{LABELS[k][:3]} {int((L[voted, j] == k).sum())}/{int(((L[:, j] == k) & (y == k)).sum())}"
                        for k in range(3)
                        if (L[voted, j] == k).any()
                    )
                    correct = int((L[voted, j] == y[voted]).sum())
                    print(f"  {lf_name:32s} {int(voted.sum()):4d} {correct:4d}   {by_label}")

    for name, (texts, y) in evals.items():
        print(f"\n== {name} ({len(y)} sentences; {' / '.join(str((y == k).sum()) for k in range(3))})")
        for kind, model in models.items():
            pred = model.predict(L_evals[name])
            print(f"  {kind:15s} {scores(y, pred)}  (uncovered {uncovered(L_evals[name]).mean():.2f})")
        pred = models["majority"].predict(L_evals[name])
        pred = np.where(pred == ABSTAIN, NONE, pred)
        matrix = confusion_matrix(y, pred, labels=[0, 1, 2])
        rows = "; ".join(f"{LABELS[k][:3]}->" + "/".join(str(v) for v in matrix[k]) for k in range(3))
        print(f"  majority confusion (gold -> pred against/favor/none): {rows}")
        if name == "seed":
            for kind, model in models.items():
                pred = np.where(model.predict(L_evals[name]) == ABSTAIN, NONE, model.predict(L_evals[name]))
                against_ok = int(((y == 0) & (pred == 0)).sum())
                favor_ok = int(((y == 1) & (pred == 1)).sum())
                false_stance = int(((y == NONE) & (pred != NONE)).sum())
                verdict = against_ok == 7 and favor_ok == 1 and false_stance <= 2
                print(
                    f"  seed check {kind}: against {against_ok}/7, favor {favor_ok}/1, "
                    f"false stance on none {false_stance} (<=2) -> {'PASS' if verdict else 'FAIL'}"
                )
        if args.errors and (
            name in (f"tuning-{args.errors_half}", "seed") or name in fresh_names[int(args.errors_half == "B") :: 2]
        ):
            pred = models["majority"].predict(L_evals[name])
            pred = np.where(pred == ABSTAIN, NONE, pred)
            for i in np.flatnonzero(pred != y):
                votes = {labeler.lf_names[j]: LABELS[v][:3] for j, v in enumerate(L_evals[name][i]) if v != ABSTAIN}
                print(f"  gold {LABELS[y[i]]:7s} pred {LABELS[pred[i]]:7s} | {texts[i][:500]}\n      {votes}")

    if args.ablate:
        print_ablation(labeler.lf_names, L_evals, evals, models["majority"])


def print_ablation(
    lf_names: list[str], L_evals: dict[str, np.ndarray], evals: dict[str, tuple[list[str], np.ndarray]], model
) -> None:
    """Majority-vote macro-F1 per dev set with each LF's column set to ABSTAIN (the LF's marginal effect)."""
    names = [n for n in L_evals if n != "seed"]

    def macro(L: np.ndarray, y: np.ndarray) -> float:
        pred = model.predict(L)
        pred = np.where(pred == ABSTAIN, NONE, pred)
        return float(f1_score(y, pred, labels=[0, 1, 2], average="macro", zero_division=0))

    base = {n: macro(L_evals[n], evals[n][1]) for n in names}
    print("\nablation: macro-F1 change when one LF is dropped (majority vote)")
    print(f"  {'(all LFs)':32s} " + " ".join(f"{n:>8s}" for n in names))
    print(f"  {'':32s} " + " ".join(f"{base[n]:8.3f}" for n in names))
    for j, lf_name in enumerate(lf_names):
        deltas = []
        for n in names:
            L = L_evals[n].copy()
            L[:, j] = ABSTAIN
            deltas.append(macro(L, evals[n][1]) - base[n])
        if any(abs(d) > 1e-9 for d in deltas):
            print(f"  {lf_name:32s} " + " ".join(f"{d:+8.3f}" for d in deltas))


if __name__ == "__main__":
    main()
