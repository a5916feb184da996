"""User errors found from the composed config alone, before Hydra starts and before any model or corpus loads.

A read-only output folder, an output that would be silently replaced, a missing input or a broken model folder
each cost the user one line and well under a second, and nothing is written: not the output, not a run
folder, not Hydra's log folder. Only cheap checks belong here (paths, permissions, a model folder's files);
nothing that imports torch or reads a corpus.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from pipeline.config import TrainAppConfig, setting_key
from pipeline.errors import InputError
from pipeline.io import unwritable_reason


def check_predict(cfg: DictConfig) -> None:
    """``stance-predict``: the output can be written, the input exists, the model folder is complete."""
    from pipeline.predict.loading import check_model_dir
    from pipeline.predict.output import check_output
    from pipeline.runs import resolve_model_dir

    check_output(cfg.output, resume=cfg.resume, overwrite=cfg.overwrite)
    if cfg.input != "-" and not Path(cfg.input).exists():
        raise InputError("input does not exist", file=cfg.input, fix="check input=")
    check_model_dir(resolve_model_dir(cfg.model))


def check_train(cfg: DictConfig, *, multirun: bool) -> None:
    """``stance-train``: the runs folder can be written (a sweep writes into Hydra's sweep folder instead)."""
    if multirun:
        return
    reason = unwritable_reason(Path(cfg.runs_dir))
    if reason is not None:
        raise InputError(
            f"cannot write the run: {reason}",
            file=cfg.runs_dir,
            fix=f"choose a {setting_key(TrainAppConfig, 'runs_dir')}= in a folder you can write to",
        )


def check_paths(app: str, cfg: DictConfig, *, multirun: bool = False) -> None:
    """The path checks of ``app`` (train, predict; compare has none beyond its own)."""
    if app == "predict":
        check_predict(cfg)
    elif app == "train":
        check_train(cfg, multirun=multirun)
