"""Read the synthesised template: find resources, render intrinsics as text, collect role statements."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # aws_cdk starts a node process: import it only where a synthesis is used
    from aws_cdk import Stack
    from aws_cdk.assertions import Template

Resource = dict[str, Any]


def render(value: Any) -> Any:
    """Intrinsics as readable text: ``{"Ref": "X"}`` -> ``${X}``, GetAtt -> ``${X.Attr}``, Join -> text."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            return "${" + str(value["Ref"]) + "}"
        if set(value) == {"Fn::GetAtt"}:
            return "${" + ".".join(value["Fn::GetAtt"]) + "}"
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return str(separator).join(str(render(part)) for part in parts)
        return {key: render(item) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item) for item in value]
    return value


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class SynthesizedStack:
    stack: Stack
    template_json: dict[str, Any]
    validation_error: str | None
    validation_report: dict[str, Any]

    @cached_property
    def template(self) -> Template:
        from aws_cdk.assertions import Template

        return Template.from_json(self.template_json)

    @property
    def resources(self) -> dict[str, Resource]:
        resources: dict[str, Resource] = self.template_json["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, Resource]:
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def one(self, resource_type: str, **properties: Any) -> tuple[str, Resource]:
        """The single resource of ``resource_type`` whose properties include ``properties``."""
        matches = [
            (logical_id, resource)
            for logical_id, resource in self.of_type(resource_type).items()
            if all(resource.get("Properties", {}).get(key) == value for key, value in properties.items())
        ]
        assert len(matches) == 1, f"expected one {resource_type} with {properties}, found {len(matches)}"
        return matches[0]

    def role_of_function(self, function_name: str) -> str:
        _, function = self.one("AWS::Lambda::Function", FunctionName=function_name)
        role_id, attribute = function["Properties"]["Role"]["Fn::GetAtt"]
        assert attribute == "Arn"
        return str(role_id)

    def role_statements(self, role_id: str) -> list[dict[str, Any]]:
        """Every statement granted to the role (inline policies and attached AWS::IAM::Policy), rendered."""
        role = self.resources[role_id]
        documents = [policy["PolicyDocument"] for policy in role["Properties"].get("Policies", [])]
        documents += [
            policy["Properties"]["PolicyDocument"]
            for policy in self.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"].get("Roles", [])
        ]
        return [render(statement) for document in documents for statement in document["Statement"]]

    def statement(self, role_id: str, sid: str) -> dict[str, Any]:
        matches = [item for item in self.role_statements(role_id) if item.get("Sid") == sid]
        assert len(matches) == 1, f"expected one statement {sid} on {role_id}, found {len(matches)}"
        return matches[0]
