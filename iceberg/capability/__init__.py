"""Capability layers: each maps its own codes onto O*NET 29.3 tasks (or SOC 2018 occupations).

Layers never read files: they take the frames of :mod:`iceberg.io` and return a
:class:`~iceberg.capability.base.CapabilityLayer`.
"""

from iceberg.capability.aioe import aioe_layer
from iceberg.capability.anthropic import anthropic_layer
from iceberg.capability.base import CapabilityLayer, TaskUniverse, fill_tasks
from iceberg.capability.custom import custom_layer, occupation_layer
from iceberg.capability.eloundou import eloundou_layer
from iceberg.capability.microsoft import microsoft_layer, microsoft_soc_layer

__all__ = [
    "CapabilityLayer",
    "TaskUniverse",
    "aioe_layer",
    "anthropic_layer",
    "custom_layer",
    "eloundou_layer",
    "fill_tasks",
    "microsoft_layer",
    "microsoft_soc_layer",
    "occupation_layer",
]
