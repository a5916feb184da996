"""Precision and threads chosen from the CPU: the rules, under each capability forced by hand."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.capability import Capability, _cgroup_cpus, available_cpus, choose_path, resolve_threads
from pipeline.errors import ConfigError
from pipeline.weak.embed_cache import EmbeddingStore
from pipeline.weak.lfs import cues, lexicons, modality, patterns, targets
from pipeline.weak.lfs.gate import might_match, required_literals

AVX2 = Capability("AVX2", None, frozenset({"avx", "avx2"}))
SAPPHIRE = Capability("AVX512", None, frozenset({"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16"}))


def test_bf16_is_native_only_with_avx512_bf16_or_amx_and_uncapped_isas() -> None:
    assert SAPPHIRE.bf16_native and SAPPHIRE.vnni
    assert not AVX2.bf16_native and not AVX2.vnni
    capped = Capability("AVX512", "AVX2", SAPPHIRE.flags)  # ONEDNN_MAX_CPU_ISA=AVX2 on a newer CPU
    assert not capped.bf16_native
    assert not Capability("AVX2", None, SAPPHIRE.flags).bf16_native  # ATEN_CPU_CAPABILITY=avx2
    assert Capability("AVX512", "AVX512_CORE_AMX", SAPPHIRE.flags).bf16_native


ZEN4 = Capability("AVX512", None, frozenset({"avx2", "avx512f", "avx512_vnni", "avx512_bf16"}))
ALDER_LAKE = Capability("AVX2", None, frozenset({"avx2", "avx_vnni"}))


@pytest.mark.parametrize("cap", [SAPPHIRE, ZEN4, ALDER_LAKE])
def test_auto_predicts_in_int8_onnx_where_vnni_makes_it_fast(cap: Capability) -> None:
    choice = choose_path("auto", cap=cap, onnx_ok=True)
    assert choice.value == "onnx_int8" and "VNNI" in choice.reason and cap.describe() in choice.reason


def test_auto_predicts_in_fp32_onnx_without_vnni_and_caps_on_torch_leave_the_onnx_choice() -> None:
    choice = choose_path("auto", cap=AVX2, onnx_ok=True)
    assert choice.value == "onnx" and "without VNNI" in choice.reason and AVX2.describe() in choice.reason
    # ONEDNN_MAX_CPU_ISA / ATEN_CPU_CAPABILITY reach torch's kernels, not onnxruntime's: VNNI still runs there
    for capped in (Capability("AVX512", "AVX2", ZEN4.flags), Capability("AVX2", None, ZEN4.flags)):
        assert choose_path("auto", cap=capped, onnx_ok=True).value == "onnx_int8"
        assert choose_path("auto", cap=capped, onnx_ok=False).value == "fp32"  # torch's bf16 is capped


@pytest.mark.parametrize("cap", [AVX2, ZEN4, SAPPHIRE])
def test_auto_embeds_in_fp32_onnx_on_every_cpu_so_the_cache_holds_one_vector_per_text(cap: Capability) -> None:
    assert choose_path("auto", cap=cap, onnx_ok=True, batch_independent=True).value == "onnx"


def test_the_choice_without_torch_reads_the_flags_in_cpuinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.capability as capability_module

    monkeypatch.setattr(capability_module, "_cpu_flags", lambda: ZEN4.flags)
    choice = choose_path("auto", onnx_ok=True)
    assert choice.value == "onnx_int8" and "AVX-512, VNNI" in choice.reason
    monkeypatch.setattr(capability_module, "_cpu_flags", lambda: AVX2.flags)
    choice = choose_path("auto", onnx_ok=True)
    assert choice.value == "onnx" and "AVX2, no AVX-512, no VNNI" in choice.reason


def test_auto_without_onnxruntime_follows_bf16_support_and_explicit_wins() -> None:
    assert choose_path("auto", cap=SAPPHIRE, onnx_ok=False).value == "bf16"
    assert choose_path("auto", cap=AVX2, onnx_ok=False).value == "fp32"
    assert choose_path("auto", cap=Capability("AVX512", "AVX2", SAPPHIRE.flags), onnx_ok=False).value == "fp32"
    explicit = choose_path("bf16", cap=AVX2, onnx_ok=True)
    assert explicit.value == "bf16" and "explicitly" in explicit.reason


def test_threads_auto_reads_affinity_and_cgroup_quota(tmp_path: Path) -> None:
    assert resolve_threads("auto") == available_cpus() >= 1
    assert resolve_threads(3) == 3 and resolve_threads("2") == 2
    for bad in ("0", "-1", "many", 0):
        with pytest.raises(ConfigError, match="threads"):
            resolve_threads(bad)
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert _cgroup_cpus(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert _cgroup_cpus(tmp_path) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("200000")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000")
    assert _cgroup_cpus(tmp_path) == 2.0


def _lf_patterns() -> list[re.Pattern[str]]:
    found = {id(v): v for m in (cues, lexicons, modality, patterns, targets) for v in vars(m).values()}
    return [v for v in found.values() if isinstance(v, re.Pattern)]


def test_literal_gate_never_hides_a_match() -> None:
    pats = _lf_patterns()
    assert sum(required_literals(p) is not None for p in pats) > len(pats) * 3 // 4  # most are gated
    texts = [
        "Foreign troops must withdraw from the occupied territories at once.",
        "We thank the PEACEKEEPERS of UNIFIL and the United Nations Stabilization Mission.",
        "The Soviet forces' invasion of Afghanistan is condemned.",
        "Our national army and police keep order; the Taliban and ISIL are terrorists.",
        "Elections were held in 1990, years after the occupation ended.",
        "The balance of forces and the use of force in international relations.",
        "Nothing here about that topic at all.",
    ]
    for pattern in pats:
        for text in texts + [t.upper() for t in texts]:
            if pattern.search(text):
                assert might_match(pattern, text), (pattern.pattern[:60], text)
    assert not might_match(cues.FOREIGN_FORCES, "Nothing here about that topic at all.")


def test_embedding_store_round_trips_and_sees_other_writers(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights")
    store = EmbeddingStore(model, "onnx_int8", 128, root=tmp_path / "cache")
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    store.put(["a", "b", "c"], vectors)
    other = EmbeddingStore(model, "onnx_int8", 128, root=tmp_path / "cache")  # another process, same key
    found = other.get(["c", "a", "missing"])
    assert set(found) == {"a", "c"}
    np.testing.assert_array_equal(found["c"], vectors[2])
    assert not EmbeddingStore(model, "fp32", 128, root=tmp_path / "cache").get(["a"])  # keyed by path
    assert not list((tmp_path / "cache").rglob("*.part"))  # no half-written shard left behind
