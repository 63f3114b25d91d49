"""The training phases of few-shot EO-to-SAR transfer, each a function with a config.

- :func:`pretrain_eo`: phi and h on labeled EO (cross-entropy, optionally plus SupCon);
- :func:`align_domains`: the Y-net transfer phase of Rostami et al. (2019) with a chosen
  discrepancy (SW by default), and :func:`align_embeddings`, its loop open to one extra SAR term;
- :func:`align_semisup`: the same with a semi-supervised contrastive term on the SAR encoder;
- :func:`finetune` and :func:`train_sar_only`: the two baselines (:class:`SarPhaseConfig`: what
  every SAR phase shares: CE reduction, labeled batch sampling, SAR augmentation);
- :func:`evaluate`, probes and snapshots, k-NN accuracy and silhouette of embeddings.

Inputs: labeled sets are pairs ``(x, y)`` of numpy arrays or tensors (``x`` float
``(N, C, 32, 32)``, ``y`` int ``(N,)``), unlabeled sets are ``x`` alone; each phase moves them to
the device once and draws batches by index. ``val`` (optional) is a labeled set of the phase's
target domain; ``probe`` (optional) a :class:`Probe` or a :class:`swdkit.data.Split` of paired
samples, embedded after every epoch. Every phase returns a :class:`TrainResult`; model selection
is described in ``swdkit.train._loop`` (the lessons use ``select="last"``). The same seed gives the
same result on the CPU; on CUDA the phases use channels-last and bfloat16 autocast.
"""

from __future__ import annotations

from swdkit.train._align import (
    DISCREPANCIES,
    EO_SIDES,
    SCALES,
    AlignConfig,
    align_domains,
    align_embeddings,
    class_conditional,
    discrepancy,
)
from swdkit.train._augment import (
    augment,
    random_dihedral,
    random_phase,
    random_shift,
    sar_view,
    two_views,
)
from swdkit.train._batches import (
    SAR_BATCHES,
    ClassSampler,
    LabeledBatches,
    epoch_batches,
    image_tensor,
    labeled_tensors,
    make_generator,
    prepare_batch,
)
from swdkit.train._cluster_metrics import knn_accuracy, pairwise_distances, silhouette
from swdkit.train._evaluate import (
    Evaluation,
    accuracy_by_group,
    cohen_kappa,
    confusion_matrix,
    embed_all,
    evaluate,
    f1_per_class,
    macro_f1,
    net_device,
    predict,
)
from swdkit.train._loop import SELECT, TrainConfig, TrainResult, collapse_factor
from swdkit.train._pretrain import SUPCON_TARGETS, PretrainConfig, pretrain_eo
from swdkit.train._probe import Probe, ProbeMeter, Snapshot, embedding_scale, make_probe
from swdkit.train._sar import (
    CE_REDUCTIONS,
    SAR_INITS,
    FinetuneConfig,
    SarOnlyConfig,
    SarPhaseConfig,
    finetune,
    init_sar_encoder,
    train_sar_only,
)
from swdkit.train._semisup import SemisupConfig, align_semisup

__all__ = [
    "AlignConfig", "CE_REDUCTIONS", "ClassSampler", "DISCREPANCIES", "EO_SIDES", "Evaluation",
    "FinetuneConfig", "LabeledBatches", "PretrainConfig", "Probe", "ProbeMeter", "SAR_BATCHES",
    "SAR_INITS", "SCALES", "SELECT", "SUPCON_TARGETS", "SarOnlyConfig", "SarPhaseConfig",
    "SemisupConfig", "Snapshot", "TrainConfig", "TrainResult", "accuracy_by_group", "align_domains",
    "align_embeddings", "align_semisup", "augment", "class_conditional", "cohen_kappa",
    "collapse_factor", "confusion_matrix", "discrepancy", "embed_all", "embedding_scale",
    "epoch_batches", "evaluate", "f1_per_class", "finetune", "image_tensor", "init_sar_encoder",
    "knn_accuracy", "labeled_tensors", "macro_f1", "make_generator", "make_probe", "net_device",
    "pairwise_distances", "predict", "prepare_batch", "pretrain_eo", "random_dihedral",
    "random_phase", "random_shift", "sar_view", "silhouette", "train_sar_only", "two_views",
]
