"""Development loop for the fine-tuning stage on the UN corpus, reusing a finished run's weak labels.

Re-running ``stance-train experiment=ungd`` costs the weak-labelling stage again (minutes of embedding). This
script reads a run's ``sentences.jsonl`` and ``weak_labels.jsonl``, selects training sentences with the chosen
strategy, fine-tunes the default model, calibrates the `none` logit on the tuning part (as the pipeline does) and
scores the model on the tuning part and on the B halves of the developer-labelled samples (``--samples``, pooled:
the data that decides between designs). It never reads the reporting part.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/train_dev.py artifacts/runs/<name> --out /tmp/m1 \
        [--max-train 3000] [--epochs 2] [--voted-only] [--none-share 0.75] [--near-miss 1000]
        [--targets soft] [--loss gce] [--exemplars configs/exemplars/ungd_train_labelled.jsonl --exemplar-repeat 2]
        [--self-train 1 --pool 20000 --threshold 0.9 --on-topic-share 0.75] [--from-model DIR]

It also prints how often the model calls a stance on 3,000 untrained corpus sentences with no military
vocabulary at all (no target, so `none` by the guideline): a false-alarm rate that needs no gold label.
``--near-miss N`` adds N such sentences that share a word with the stance sentences to training
(``pipeline.sampling.lexical_near_misses``). ``--targets soft`` trains on the label model's probabilities
stored in ``weak_labels.jsonl``; ``--self-train N`` adds N COSINE-style rounds (pipeline.self_train) and prints
the scores before and after each.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from pipeline.config import SelfTrainConfig
from pipeline.exemplars import corpus_texts, load_exemplars, with_exemplars
from pipeline.labels import LABELS
from pipeline.models import PackagedMiniLM
from pipeline.predict import Predictor
from pipeline.sampling import lexical_near_misses, select_training_rows
from pipeline.self_train import one_round
from pipeline.stages import Trained
from pipeline.text import normalize
from pipeline.train import TrainSettings, choose_none_offset, shift_none_logit, train_classifier
from pipeline.weak.labeler import WeakLabeler

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
sys.path.insert(0, str(ROOT / "benchmarks"))
from weak_dev import load_fresh, read_jsonl, sample_halves  # noqa: E402
from weak_dev import macro_line as macro  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-train", type=int, default=3000)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--none-share", type=float, default=0.75)
    parser.add_argument("--near-miss", type=int, default=0, help="extra off-topic `none` sentences with a stance word")
    parser.add_argument("--exemplars", type=Path, help="hand-labelled training sentences (pipeline.exemplars)")
    parser.add_argument("--exemplar-corpus", type=Path, default=SHARED / "corpora" / "ungd-train")
    parser.add_argument("--exemplar-repeat", type=int, default=1)
    parser.add_argument("--voted-only", action="store_true", help="leave sentences no LF voted on out of training")
    parser.add_argument("--balance", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--targets", choices=["hard", "soft"], default="hard")
    parser.add_argument("--loss", choices=["ce", "gce"], default="ce")
    parser.add_argument("--self-train", type=int, default=0, help="self-training rounds after fine-tuning")
    parser.add_argument("--pool", type=int, default=20000)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--st-max-targets", type=int, default=3000)
    parser.add_argument("--on-topic-share", type=float, default=0.0, help="self-training pool share on the topic")
    parser.add_argument("--from-model", type=Path, help="start from this fine-tuned model instead of training one")
    parser.add_argument(
        "--samples",
        type=Path,
        nargs="*",
        default=[
            ROOT / "benchmarks" / "data" / "ungd_fresh_dev.jsonl",
            ROOT / "benchmarks" / "data" / "ungd_dev2.jsonl",
        ],
        help="developer-labelled samples to score (offsets into the corpus)",
    )
    args = parser.parse_args()

    sentences = read_jsonl(args.run / "sentences.jsonl")
    weak = read_jsonl(args.run / "weak_labels.jsonl")
    texts = [normalize(s["text"]) for s in sentences]
    labels: list[str | None] = [w["label"] for w in weak]
    if args.voted_only:
        labels = [
            label if any(v is not None for v in w["votes"].values()) else None
            for label, w in zip(labels, weak, strict=True)
        ]
    on_topic = WeakLabeler.on_topic(texts)
    near_miss = lexical_near_misses(texts, labels, on_topic) if args.near_miss else None
    rows = select_training_rows(
        labels,
        max_train=args.max_train,
        balance=args.balance,
        seed=args.seed,
        on_topic=on_topic,
        on_topic_none_share=args.none_share,
        near_miss=near_miss,
        near_miss_none=args.near_miss,
    )
    targets = np.array([[w["probs"][k] for k in LABELS] for w in (weak[i] for i in rows)])
    exemplars = []
    if args.exemplars:
        exemplars = load_exemplars(args.exemplars, corpus_texts(args.exemplar_corpus), str(args.exemplar_corpus))
    train_texts, train_labels, targets = with_exemplars(
        [texts[i] for i in rows], [str(labels[i]) for i in rows], exemplars, args.exemplar_repeat, targets
    )
    untrained = sorted(set(np.flatnonzero(~on_topic).tolist()) - set(rows))
    off_topic = [texts[i] for i in np.random.default_rng(1).choice(untrained, size=3000, replace=False)]
    print("training sentences:", {label: train_labels.count(label) for label in LABELS}, flush=True)
    settings = TrainSettings(
        epochs=args.epochs, max_train=args.max_train, balance=args.balance, seed=args.seed, loss=args.loss
    )
    tick = time.perf_counter()
    if args.from_model:  # compare self-training designs from one fine-tuned model
        shutil.copytree(args.from_model, args.out, ignore=shutil.ignore_patterns("optimizer.pt", "*.pth", "*.bin"))
    else:
        train_classifier(
            train_texts,
            train_labels,
            PackagedMiniLM(),
            settings,
            args.out,
            checkpoint_dir=args.out.with_name(args.out.name + ".ckpt"),
            progress=False,
            targets=targets if args.targets == "soft" else None,
        )
    print(f"trained in {time.perf_counter() - tick:.0f}s", flush=True)
    if args.self_train:
        print("  before self-training:")
        score(args, weak, settings, off_topic, calibrate=False)
    for r in range(1, args.self_train + 1):
        cfg = SelfTrainConfig(
            rounds=args.self_train,
            threshold=args.threshold,
            pool=args.pool,
            max_targets=args.st_max_targets,
            on_topic_share=args.on_topic_share,
        )
        trained = Trained(args.out, train_texts, [str(x) for x in train_labels], {})
        info = one_round(trained, SimpleNamespace(texts=texts), cfg, settings, 64, r)  # type: ignore[arg-type]
        print(f"  self-training round {r}: {info}", flush=True)
        if r < args.self_train:
            score(args, weak, settings, off_topic, calibrate=False)
    score(args, weak, settings, off_topic, calibrate=True)


def score(
    args: argparse.Namespace, weak: list[dict], settings: TrainSettings, off_topic: list[str], calibrate: bool
) -> None:
    """Scores on the tuning part (calibrating the `none` logit there when asked) and the development samples."""
    gold = read_jsonl(SHARED / "gold" / "ungd_dev.jsonl")
    tuning_ids = set((ROOT / "configs" / "gold" / "ungd_dev_split" / "tuning_ids.txt").read_text().split())
    tuning = [g for g in gold if g["id"] in tuning_ids]
    tuning_texts = [normalize(g["text"]) for g in tuning]
    scorer = Predictor(args.out, fast_path="fp32", threads=1)
    offset = choose_none_offset(scorer.predict_proba(tuning_texts), [g["label"] for g in tuning]) if calibrate else 0
    shift_none_logit(args.out, offset)
    predictor = Predictor(args.out, fast_path="fp32", threads=1)
    print(f"none logit offset {offset:+.2f} (chosen on the tuning part)")
    print(f"  tuning part     model {macro([g['label'] for g in tuning], predictor.predict(tuning_texts).labels)}")
    by_offsets = {(w["doc"], w["start"], w["end"]): (w["label"] or "none") for w in weak}
    b_halves: list[dict] = []  # the decision data: scored only, errors never read (README, Evaluation protocol)
    for path in args.samples:
        b_halves += sample_halves(load_fresh(path))[1]
    truth = [r["label"] for r in b_halves]
    model_b = predictor.predict([r["text"] for r in b_halves]).labels
    print(f"  B halves ({len(b_halves)})   model {macro(truth, model_b)}")
    weak_b = [by_offsets.get((r["doc"], r["start"], r["end"]), "none") for r in b_halves]
    print(f"  B halves ({len(b_halves)})   weak  {macro(truth, weak_b)}")
    stances = sum(label != "none" for label in predictor.predict(off_topic).labels)
    print(f"  off-topic corpus sentences called a stance: {stances} of {len(off_topic)}")


if __name__ == "__main__":
    main()
