"""One source of truth for every setting: presets, MethodConfig and the phase configs agree."""

from __future__ import annotations

import dataclasses

import pytest

from swdkit import train
from swdkit.methods import PHASE_FIELDS, PRESETS, MethodConfig, phase_config, resolve_config
from swdkit.models import GPU_SIZE, LESSON_SIZE, Encoder, YNet

PER_RUN = {"seed": 0, "device": "cpu"}


def phase_defaults(cls):
    return {f.name: f.default for f in dataclasses.fields(cls)}


def mismatches(method_config, cls):
    """Fields where the phase config built from ``method_config`` and the phase config's own
    default disagree, as ``{phase field: (method config value, phase default)}``."""
    built = phase_config(cls, method_config, **PER_RUN)
    defaults = phase_defaults(cls)
    return {phase: (getattr(built, phase), defaults[phase])
            for phase in PHASE_FIELDS[cls] if getattr(built, phase) != defaults[phase]}


@pytest.mark.parametrize("cls", list(PHASE_FIELDS), ids=lambda c: c.__name__)
def test_the_lesson_preset_is_every_phase_configs_default(cls):
    assert mismatches(MethodConfig.preset("lesson"), cls) == {}


def test_the_check_fails_when_a_preset_and_a_phase_default_disagree():
    drifted = dataclasses.replace(MethodConfig(), alpha=3.0, contrastive_temperature=0.5)
    assert mismatches(drifted, train.AlignConfig) == {"alpha": (3.0, 10.0)}
    assert mismatches(drifted, train.SemisupConfig) == {"alpha": (3.0, 10.0),
                                                        "temperature": (0.5, 0.1)}


def test_every_method_config_field_reaches_a_phase_or_the_network():
    reached = {own for table in PHASE_FIELDS.values() for own in table.values()}
    per_run_only = {"steps_per_epoch"}  # set per run from the pool size when None
    network = set(LESSON_SIZE)
    unused = {f.name for f in dataclasses.fields(MethodConfig)} - reached - per_run_only - network
    assert unused == set()


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_presets_values_arrive_in_every_phase_config(preset):
    cfg = MethodConfig.preset(preset)
    for cls, table in PHASE_FIELDS.items():
        built = phase_config(cls, cfg, **PER_RUN)
        for phase, own in table.items():
            expected = getattr(cfg, own)
            if own == "phase" and expected is None:  # decided per run from the SAR input
                expected = getattr(cls(), phase)
            assert getattr(built, phase) == expected, (preset, cls.__name__, phase)


def test_model_sizes_come_from_one_table():
    assert MethodConfig().model_size() == LESSON_SIZE
    assert MethodConfig.preset("paper").model_size() == GPU_SIZE
    enc = Encoder(3)
    assert {k: getattr(enc, k) for k in LESSON_SIZE} == LESSON_SIZE
    assert YNet(n_classes=4).config | LESSON_SIZE == YNet(n_classes=4).config


def test_none_overrides_keep_the_presets_value():
    cfg = resolve_config("ci", alpha=None, epochs=4)
    assert cfg.alpha == MethodConfig.preset("ci").alpha and cfg.epochs == 4
    with pytest.raises(ValueError, match="unknown MethodConfig settings \\['alpah'\\]"):
        resolve_config("lesson", alpah=1.0)
    with pytest.raises(TypeError, match="config must be None, a preset name"):
        resolve_config(3)


def test_phase_config_refuses_an_unknown_phase():
    with pytest.raises(ValueError, match="cls must be one of"):
        phase_config(train.TrainConfig, MethodConfig(), **PER_RUN)



@pytest.mark.parametrize("sar_input, phase, expected", [
    ("re_im", None, True), ("db_smooth", None, False), ("db_smooth", True, True),
    ("re_im", False, False), ("db_lee", None, False)])
def test_phase_rotation_follows_the_sar_input_unless_set(sar_input, phase, expected, tmp_path):
    from dataclasses import replace

    from test_semisup import _lesson_data

    from swdkit.methods import run_method

    data = replace(_lesson_data(), sar_input=sar_input)
    result = run_method(data, method="sar_only", n_labeled=6, seed=0, device="cpu",
                        checkpoint_dir=tmp_path, config={"preset": "ci", "phase": phase})
    assert result.config["phase"] is expected
