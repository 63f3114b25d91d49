"""The epoch loop every training phase shares: optimiser, history, probes, model selection.

A phase (``_pretrain``, ``_sar``, ``_align``) supplies the parameters to train, the index
batches of an epoch and a ``step`` function that returns its loss terms; :func:`run_epochs`
does the rest: Adam, per-epoch averages of every term, validation and labeled accuracy, the
probe's SW and snapshots, progress, and model selection.

Model selection (``select``), stated plainly:

- ``"last"``: keep the weights of the last epoch. The lessons use this: in few-shot transfer a
  large labeled SAR validation set does not exist, and choosing the epoch on the test or on a
  big validation set would report an optimistic number.
- ``"labeled"``: keep the epoch with the best accuracy on the labeled training set of the
  phase's target domain (for SAR phases the few labeled SAR samples, the only labels a
  few-shot user has; they are also trained on, so this mostly stops at memorisation).
- ``"val"``: keep the epoch with the best accuracy on the ``val`` set passed to the phase
  (realistic for EO pretraining, where labels are plentiful; for SAR phases it shows what a
  generous validation set would buy, and is not what the lessons report).

Ties go to the later epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from tqdm.auto import tqdm

from swdkit._checks import check_choice, check_fields, check_value
from swdkit._progress import show_progress
from swdkit.device import pick_device
from swdkit.train._batches import labeled_tensors
from swdkit.train._evaluate import predict
from swdkit.train._probe import Probe, ProbeMeter, Snapshot, make_probe

SELECT = ("last", "labeled", "val")


@dataclass
class TrainConfig:
    """Settings every phase shares.

    Attributes:
        epochs: passes of the loop; what one epoch is depends on the phase (its docstring).
        batch_size: samples per step (for the alignment phase: labeled SAR per step, capped at
            the number labeled).
        lr: Adam learning rate.
        weight_decay: Adam's L2 weight decay.
        steps_per_epoch: None = one pass over the data that defines the phase's epoch.
        seed: seeds every random choice of the phase (batches, views, projections).
        device: ``"auto"`` (CUDA, MPS, CPU), ``"cpu"``, ``"cuda"``...
        select: model selection, ``"last"``, ``"labeled"`` or ``"val"`` (module docstring).
        snapshot_every: keep a :class:`~swdkit.train.Snapshot` every this many epochs (and
            before training, as epoch 0); 0 keeps none.
        probe_size: samples per domain in the probe set (for ``sw_probe`` and snapshots).
        probe_projections: L of the probe's SW measurement.
        compile: wrap the encoders in ``torch.compile`` (worth it on a GPU for long runs).
        progress: show a tqdm progress bar over epochs.
    """

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    steps_per_epoch: int | None = None
    seed: int = 0
    device: str = "auto"
    select: str = "last"
    snapshot_every: int = 0
    probe_size: int = 256
    probe_projections: int = 128
    compile: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        check_fields(self, "positive integer", "epochs", "batch_size", "probe_size",
                     "probe_projections")
        check_fields(self, "number >= 0", "lr", "weight_decay")
        check_value("steps_per_epoch", self.steps_per_epoch, "positive integer",
                    allow_none=True)
        check_choice("select", self.select, SELECT)
        check_fields(self, "integer >= 0", "snapshot_every")

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for checkpoints, cache keys and JSON)."""
        return asdict(self)


@dataclass
class TrainResult:
    """What a phase returns.

    Attributes:
        history: one dict per epoch: ``epoch``, ``loss`` and each loss term (means over the
            epoch's steps), ``seconds`` (cumulative), and where measured ``labeled_accuracy``,
            ``val_accuracy``, ``sw_probe`` and ``sar_accuracy`` (on the probe SAR).
        snapshots: :class:`~swdkit.train.Snapshot` s (empty unless asked for).
        selected_epoch: the epoch whose weights the network holds now.
        seconds: wall time of the phase.
        initial: the probe's measurements before the first epoch (``sw_probe``,
            ``sar_accuracy`` and the embedding scale; empty without a probe), so that what an
            epoch did to the embeddings can be read off (:func:`collapse_factor`).
    """

    history: list[dict[str, float]] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    selected_epoch: int = 0
    seconds: float = 0.0
    initial: dict[str, float] = field(default_factory=dict)

    def curve(self, key: str) -> list[float]:
        """The values of one history key, epoch by epoch (missing epochs skipped)."""
        return [h[key] for h in self.history if key in h]


def maybe_compile(module: torch.nn.Module, enabled: bool) -> Callable[..., torch.Tensor]:
    """``torch.compile(module)`` when enabled, else the module (state dict keys unchanged)."""
    return torch.compile(module) if enabled else module


def run_epochs(net: Any, cfg: TrainConfig, *, params: Iterable[torch.nn.Parameter],
               epoch_batches: Callable[[], list[Any]],
               step: Callable[[Any], dict[str, torch.Tensor]],
               accuracy: dict[str, Callable[[], float]], probe: ProbeMeter | None,
               desc: str) -> TrainResult:
    """Train ``params`` with Adam for ``cfg.epochs`` epochs and return the history.

    Args:
        net: the network (put in train mode for steps, eval mode for measurements).
        cfg: the phase's settings.
        params: the parameters the optimiser updates.
        epoch_batches: returns the batches (anything ``step`` accepts) of one epoch.
        step: computes one batch's loss terms as scalar tensors; key ``"loss"`` is minimised.
        accuracy: named measurements taken after each epoch (e.g. ``"val_accuracy"``).
        probe: measures ``sw_probe``/``sar_accuracy`` and takes snapshots, if given.
        desc: the progress bar's label.
    """
    start = time.perf_counter()
    optimizer = torch.optim.Adam(list(params), lr=cfg.lr, weight_decay=cfg.weight_decay)
    result = TrainResult()
    if probe is not None:
        net.eval()
        result.initial, snap = probe.measure(net, 0, keep=bool(cfg.snapshot_every))
        if snap is not None:
            result.snapshots.append(snap)
    select_key = {"labeled": "labeled_accuracy", "val": "val_accuracy"}.get(cfg.select)
    best_score, best_state = -math.inf, None
    bar = tqdm(range(1, cfg.epochs + 1), desc=desc, disable=not show_progress(cfg.progress),
               leave=False)
    for epoch in bar:
        net.train()
        sums: dict[str, torch.Tensor] = {}
        batches = epoch_batches()
        for batch in batches:
            terms = step(batch)
            optimizer.zero_grad(set_to_none=True)
            terms["loss"].backward()
            optimizer.step()
            for key, value in terms.items():
                value = value.detach().float()
                sums[key] = sums[key] + value if key in sums else value
        record: dict[str, float] = {"epoch": epoch}
        record.update({k: float(v) / len(batches) for k, v in sums.items()})
        if not math.isfinite(record["loss"]):
            raise FloatingPointError(
                f"{desc}: the loss became {record['loss']} in epoch {epoch} (terms: "
                f"{record}); lower lr (now {cfg.lr}) or the loss weights")
        for name, measure in accuracy.items():
            record[name] = float(measure())
        if probe is not None:
            keep = bool(cfg.snapshot_every) and epoch % cfg.snapshot_every == 0
            values, snap = probe.measure(net, epoch, keep=keep)
            record.update(values)
            if snap is not None:
                result.snapshots.append(snap)
        record["seconds"] = time.perf_counter() - start
        result.history.append(record)
        bar.set_postfix(loss=f"{record['loss']:.3f}")
        if select_key is not None and record[select_key] >= best_score:
            best_score, result.selected_epoch = record[select_key], epoch
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    if best_state is None:
        result.selected_epoch = cfg.epochs
    else:
        net.load_state_dict(best_state)
    net.eval()
    result.seconds = time.perf_counter() - start
    return result


def setup_phase(net: Any, cfg: TrainConfig, cls: type) -> torch.device:
    """Check ``cfg``, move ``net`` to the chosen device (channels-last on CUDA), return it."""
    if not isinstance(cfg, cls):
        raise TypeError(f"cfg must be a {cls.__name__}, got {type(cfg).__name__}")
    device = pick_device(cfg.device)
    net.to(device)
    if device.type == "cuda":
        net.to(memory_format=torch.channels_last)
    return device


def phase_measures(net: Any, cfg: TrainConfig, device: torch.device, *, domain: str,
                   labeled: tuple[torch.Tensor, torch.Tensor], val: Any, probe: Any,
                   fallback_probe: tuple[Any, Any] | None) -> tuple[dict, ProbeMeter | None]:
    """The per-epoch accuracies (``labeled_accuracy``, ``val_accuracy``) and the probe meter.

    ``probe`` may be a :class:`~swdkit.train.Probe`, a Split of paired samples or a tuple
    ``((x_eo, y_eo), (x_sar, y_sar))``; ``fallback_probe`` is used when snapshots are asked for
    and no probe is given.
    """
    k = net.config["n_classes"]
    accuracy = {"labeled_accuracy": lambda: labeled_accuracy(net, labeled, domain)}
    if val is not None:
        val_t = labeled_tensors(val, name="val", device=device, n_classes=k, domain=domain,
                                channels=net.config[f"{domain}_channels"])
        accuracy["val_accuracy"] = lambda: labeled_accuracy(net, val_t, domain)
    elif cfg.select == "val":
        raise ValueError("select='val' needs a validation set: pass val=(x, y)")
    if probe is None and fallback_probe is not None and cfg.snapshot_every:
        probe = fallback_probe
    if probe is None:
        return accuracy, None
    if not isinstance(probe, Probe):
        # A Split holds paired EO and SAR; a tuple is ((x_eo, y_eo), (x_sar, y_sar)).
        eo_part, sar_part = probe if isinstance(probe, tuple) else (probe, probe)
        probe = make_probe(eo_part, sar_part, size=cfg.probe_size, seed=cfg.seed,
                           device=device, n_classes=k)
    return accuracy, ProbeMeter(probe, n_projections=cfg.probe_projections, seed=cfg.seed + 7,
                                embed_dim=net.config["embed_dim"])


def labeled_accuracy(net: Any, data: tuple[torch.Tensor, torch.Tensor], domain: str) -> float:
    """Accuracy of ``argmax h(embed(x))`` against ``y`` for ``data = (x, y)`` tensors."""
    x, y = data
    return float((predict(net, x, domain) == y).float().mean())


def collapse_factor(initial: dict[str, float], history: list[dict[str, float]], *,
                    epoch: int = 1, key: str = "eo_spread") -> float:
    """How much the EO embeddings shrank by ``epoch``: ``history[epoch][key] / initial[key]``.

    The alignment collapse (the pretrained EO cloud shrinking to a fraction of its size in the
    first alignment epoch, so that SW falls without alignment) shows as a factor well below 1:
    0.15 was measured with the paper's formulation (mean per-dimension spread 1.46 -> 0.22).

    Raises:
        ValueError: no probe measurements (pass a probe to the phase) or no such epoch.
    """
    rows = [h for h in history if h.get("epoch") == epoch and key in h]
    if key not in initial or not rows:
        raise ValueError(f"no {key!r} measured before training and after epoch {epoch}; run "
                         "the phase with a probe (probe= or val=) and at least that many epochs")
    return rows[0][key] / max(initial[key], 1e-12)

