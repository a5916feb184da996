"""What this CPU and this process offer, and the precision and thread count chosen from it.

``auto`` settings resolve here, once, into a concrete choice and a one-line reason that runs record (metrics.json,
report.md, stance-predict's summary line). The choice follows the kernels that will actually run:

- bf16 matmuls are fast only where oneDNN has native bf16 (AVX512_BF16 or AMX): on an AVX2-only CPU a bf16
  matmul ran about 54x slower than fp32 (torch 2.13). ``ATEN_CPU_CAPABILITY`` and ``ONEDNN_MAX_CPU_ISA`` cap what
  torch and oneDNN use, so they cap the choice of a torch path too (``ATEN_CPU_CAPABILITY=avx2
  ONEDNN_MAX_CPU_ISA=AVX2`` makes a newer CPU choose between torch paths as an AVX2 one does).
- ONNX Runtime's int8 matmuls are fast only with VNNI (one instruction per 4 u8*s8 products): on a 2-core Zen 4
  (AVX-512 with VNNI) its int8 graph predicted 2.1x as fast as fp32 ONNX Runtime with 99.7% of labels agreeing,
  on an AVX2 CPU without VNNI only 1.12x. Its graph is quantised with 7-bit weights, so its integer products are
  exact on the AVX2 kernels as on VNNI ones, but its activation scale is the batch's: a sentence's label can
  move with its batch mates. onnxruntime has no switch like the two variables above (its kernels follow the
  CPU), so neither has the choice between its paths: it reads the CPU's flags.
- fp32 ONNX Runtime gives each sentence the same bits whatever shares its batch, so prediction batches across
  documents, and the embedding cache holds one vector per text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.errors import ConfigError

_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
_VNNI_FLAGS = ("avx512_vnni", "avx_vnni")
_ONEDNN_BF16_ISAS = ("AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX512_CORE_AMX", "AVX10", "ALL")


@dataclass(frozen=True)
class Capability:
    """The CPU as the kernels see it: torch's capability, the oneDNN cap, the relevant cpuinfo flags."""

    aten: str  # torch.backends.cpu.get_cpu_capability(): DEFAULT, AVX2, AVX512, ...
    onednn_max_isa: str | None  # ONEDNN_MAX_CPU_ISA when set
    flags: frozenset[str]

    @property
    def bf16_native(self) -> bool:
        """bf16 matmuls run on native instructions (AVX512_BF16 or AMX), not emulated."""
        if not any(flag in self.flags for flag in _BF16_FLAGS) or not self.aten.startswith("AVX512"):
            return False
        cap = (self.onednn_max_isa or "ALL").upper()
        return any(cap.startswith(isa) for isa in _ONEDNN_BF16_ISAS)

    @property
    def vnni(self) -> bool:
        """int8 dot products in one instruction (AVX512_VNNI or AVX_VNNI), as onnxruntime's kernels see the CPU."""
        return _has_vnni(self.flags)

    def describe(self) -> str:
        """``AVX2, no VNNI, no native bf16`` (with the oneDNN cap when one is set)."""
        parts = [self.aten, "VNNI" if self.vnni else "no VNNI", "native bf16" if self.bf16_native else "no native bf16"]
        if self.onednn_max_isa:
            parts.append(f"ONEDNN_MAX_CPU_ISA={self.onednn_max_isa}")
        return ", ".join(parts)


def _has_vnni(flags: frozenset[str]) -> bool:
    return any(flag in flags for flag in _VNNI_FLAGS)


def _cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


@cache
def capability() -> Capability:
    """This process's CPU capability (read once; the environment variables are read at torch's import)."""
    import torch

    return Capability(
        aten=str(torch.backends.cpu.get_cpu_capability()).upper(),
        onednn_max_isa=os.environ.get("ONEDNN_MAX_CPU_ISA") or None,
        flags=_cpu_flags(),
    )


@dataclass(frozen=True)
class Choice:
    """A resolved precision or path and why it was chosen (recorded by the run)."""

    value: str
    reason: str

    def record(self) -> dict[str, str]:
        return {"path": self.value, "reason": self.reason}


def _has_onnxruntime() -> bool:
    """Whether onnxruntime (and onnx, to export a graph) are installed; found without importing them (~1 s)."""
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None


def describe_flags(flags: frozenset[str] | None = None) -> str:
    """The CPU as /proc/cpuinfo gives it (``AVX2, no AVX-512, no VNNI``), read without importing torch."""
    flags = _cpu_flags() if flags is None else flags
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    parts = [widest, "VNNI" if _has_vnni(flags) else "no VNNI"]
    if widest == "AVX2":
        parts.insert(1, "no AVX-512")
    return ", ".join(parts)


def choose_path(
    setting: str, *, cap: Capability | None = None, onnx_ok: bool | None = None, batch_independent: bool = False
) -> Choice:
    """The inference path for a model (prediction or embeddings) from ``setting`` (``auto`` or an explicit path).

    ``auto`` where onnxruntime is installed: ``onnx_int8`` on a CPU with VNNI (README, Performance: 2.1x fp32 ONNX
    Runtime on a 2-core Zen 4, 99.7% of labels agreeing), else ``onnx`` (fp32 ONNX Runtime; int8 was only 1.12x it
    on AVX2). onnxruntime's kernels follow the CPU's flags whatever caps torch, and so does this choice.
    ``batch_independent`` (the embedding cache, which keeps one vector per text) always takes ``onnx``, whose rows
    never depend on their batch mates. Without onnxruntime: ``bf16`` where bf16 is native, else ``fp32``. An
    explicit setting always wins.
    """
    if setting == "auto" and (onnx_ok if onnx_ok is not None else _has_onnxruntime()):
        flags = cap.flags if cap is not None else _cpu_flags()  # read once; torch need not be imported for ONNX
        where = cap.describe() if cap is not None else describe_flags(flags)
        if batch_independent:
            return Choice("onnx", f"auto: fp32 ONNX Runtime, each text's result independent of its batch ({where})")
        if _has_vnni(flags):
            return Choice("onnx_int8", f"auto: int8 ONNX Runtime, fast with VNNI ({where})")
        return Choice("onnx", f"auto: fp32 ONNX Runtime, int8 gains little without VNNI ({where})")
    if setting in ("onnx", "onnx_int8") and cap is None:
        return Choice(setting, f"set explicitly ({describe_flags()})")
    cap = cap or capability()
    if setting != "auto":
        return Choice(setting, f"set explicitly ({cap.describe()})")
    if cap.bf16_native:
        return Choice("bf16", f"auto: native bf16 and no onnxruntime ({cap.describe()})")
    return Choice("fp32", f"auto: no native bf16 and no onnxruntime ({cap.describe()})")


# ---------------------------------------------------------------- threads


def _cgroup_cpus(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs allowed by the cgroup quota (v2 ``cpu.max``, v1 ``cfs_quota_us``/``cfs_period_us``), None if unlimited."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return None if quota_us <= 0 or period_us <= 0 else quota_us / period_us
    except (OSError, ValueError):
        return None


def available_cpus() -> int:
    """Cores this process may use: its CPU affinity, capped by the cgroup quota (rounded up), at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cgroup_cpus()
    if quota is not None:
        cores = min(cores, max(1, int(-(-quota // 1))))
    return max(1, cores)


def resolve_threads(value: str | int, key: str = "threads") -> int:
    """``auto`` -> :func:`available_cpus`; a positive integer (or its text) as is; anything else a ConfigError."""
    text = str(value).strip().lower()
    if text == "auto":
        return available_cpus()
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise ConfigError(f"must be auto or a whole number greater than 0, got {value}", key=key, fix=f"{key}=auto")
