"""Acknowledging a cdk-nag finding, with the pack-qualified id cdk-nag 3 reports (``Pack::Rule``)."""

from __future__ import annotations

from typing import Final

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

NAG_PACKS: Final = ("AwsSolutions", "Serverless")


class UnknownRuleError(ValueError):
    """A rule id that belongs to no rule pack this app runs."""


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge ``rule`` (e.g. ``AwsSolutions-L1``) on the construct's CloudFormation resource only.

    Acknowledgements apply to a construct's whole subtree, so they go on the L1 resource (the default
    child) rather than the L2 construct, whose other children must still be checked.
    """
    pack = rule.split("-", 1)[0]
    if pack not in NAG_PACKS:
        raise UnknownRuleError(f"{rule!r} is not a rule of {', '.join(NAG_PACKS)}")
    target = construct.node.default_child or construct
    Validations.of(target).acknowledge(Acknowledgment(id=f"{pack}::{rule}", reason=reason))
