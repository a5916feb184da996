"""A fitted weak labeller saved in a run folder and loaded back, without pickle: JSON plus an ``.npz`` of arrays.

``weak/labeller.json`` names the labelling functions (in vote-column order; the code of each comes from the
registry), the label model and its policies; ``weak/state.npz`` holds the fitted numbers: Snorkel's ``mu`` and
class prior, the learned LF's logistic-regression coefficients. ``stance-predict system=weak`` rebuilds the
labeller from these, so a run can weak-label new text exactly as it labelled its corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pipeline.capability import resolve_threads
from pipeline.errors import InputError
from pipeline.io import write_json
from pipeline.weak.embedder import SentenceEmbedder
from pipeline.weak.label_model import MajorityVoteModel, SnorkelLabelModel
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.lfs.learned import StanceClassifier

STATE_DIR = "weak"
FORMAT = 1


def _label_model_state(model: Any) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    info = {"tie_policy": model.tie_policy, "abstain_policy": model.abstain_policy, "seed": model.seed}
    if isinstance(model, MajorityVoteModel):
        return info | {"kind": "majority"}, {}
    fitted = model._fitted()
    arrays = {"snorkel_mu": fitted.mu.detach().numpy(), "snorkel_p": np.asarray(fitted.p, dtype=float)}
    return info | {"kind": "snorkel", "m": int(fitted.m)}, arrays


def _learned_state(learned: StanceClassifier) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    info = {"threshold": learned.threshold, "seed": learned.seed, "fitted": learned.fitted}
    if not learned.fitted:
        return info, {}
    model: Any = learned._model
    return info, {"learned_coef": model.coef_, "learned_intercept": model.intercept_, "learned_classes": model.classes_}


def save_labeller(folder: Path, labeler: WeakLabeler) -> None:
    """Write ``weak/labeller.json`` and ``weak/state.npz`` into the run folder ``folder``."""
    model_info, arrays = _label_model_state(labeler.label_model)
    learned_info, learned_arrays = _learned_state(labeler.learned)
    embedder = labeler.embedder
    target = folder / STATE_DIR
    target.mkdir(parents=True, exist_ok=True)
    partial = target / "state.partial.npz"
    np.savez(partial, **arrays, **learned_arrays)
    partial.replace(target / "state.npz")
    write_json(
        target / "labeller.json",
        {
            "format": FORMAT,
            "lf_names": labeler.lf_names,
            "label_model": model_info,
            "learned": learned_info,
            "embed_precision": embedder.precision if embedder is not None else "fp32",
        },
    )


def _restore_label_model(info: dict[str, Any], arrays: Any) -> Any:
    policies = {"tie_policy": info["tie_policy"], "abstain_policy": info["abstain_policy"], "seed": info["seed"]}
    if info["kind"] == "majority":
        return MajorityVoteModel(**policies)
    import torch
    from snorkel.labeling.model import LabelModel

    model = SnorkelLabelModel(**policies)
    inner = LabelModel(cardinality=3, verbose=False, device="cpu")
    inner._set_constants(np.zeros((1, info["m"]), dtype=int))
    inner._create_tree()
    inner._set_class_balance(list(arrays["snorkel_p"]), None)
    inner.mu = torch.nn.Parameter(torch.from_numpy(np.asarray(arrays["snorkel_mu"], dtype=np.float32)))
    model._model = inner
    return model


def _restore_learned(info: dict[str, Any], arrays: Any) -> StanceClassifier:
    learned = StanceClassifier(threshold=info["threshold"], seed=info["seed"])
    if info["fitted"]:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression()
        model.coef_, model.intercept_ = arrays["learned_coef"], arrays["learned_intercept"]
        model.classes_ = arrays["learned_classes"]
        learned._model = model
    return learned


def load_labeller(run_dir: str | Path, threads: int | str = 1) -> WeakLabeler:
    """The fitted weak labeller of the finished run ``run_dir``; a run without one is a one-line error."""
    target = Path(run_dir) / STATE_DIR
    if not (target / "labeller.json").is_file():
        raise InputError(
            "this run folder holds no saved weak labeller (runs trained before it was saved have none)",
            file=target / "labeller.json",
            fix="use system=model, or train the run again",
        )
    import json

    info = json.loads((target / "labeller.json").read_text(encoding="utf-8"))
    arrays = np.load(target / "state.npz", allow_pickle=False)
    registry = {lf.name: lf for lf in select_lfs(None)}
    unknown = [name for name in info["lf_names"] if name not in registry]
    if unknown:
        raise InputError(
            f"labelling function(s) {', '.join(unknown)} of this run no longer exist in the code",
            file=target / "labeller.json",
            fix="predict with the code version that trained the run, or use system=model",
        )
    return WeakLabeler(
        [registry[name] for name in info["lf_names"]],
        _restore_label_model(info["label_model"], arrays),
        embedder=SentenceEmbedder(threads=threads, precision=info["embed_precision"], cache=True),
        learned=_restore_learned(info["learned"], arrays),
        workers=resolve_threads(threads),
    )
