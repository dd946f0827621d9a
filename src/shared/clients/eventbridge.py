"""Outcome events on a custom EventBridge bus."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.clients.aws import LazyClient, events_client
from shared.errors import DependencyUnavailableError, ThrottledError

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

EVENT_SOURCE = "careervp.cv-tailor"


class EventBridgePublisher(LazyClient["EventBridgeClient"]):
    def __init__(
        self,
        bus_name: str,
        client: EventBridgeClient | None = None,
        client_factory: Callable[[], EventBridgeClient] = events_client,
    ) -> None:
        self._bus_name = bus_name
        super().__init__(client, client_factory)

    def publish(self, detail_type: str, detail: Mapping[str, Any]) -> None:
        try:
            response = self.client.put_events(
                Entries=[
                    {
                        "EventBusName": self._bus_name,
                        "Source": EVENT_SOURCE,
                        "DetailType": detail_type,
                        "Detail": json.dumps(detail, separators=(",", ":")),
                    }
                ]
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ThrottlingException":
                raise ThrottledError("eventbridge throttled the event") from error
            raise DependencyUnavailableError(f"eventbridge failed with {code}") from error
        except BotoCoreError as error:
            raise DependencyUnavailableError("eventbridge unreachable") from error
        if response.get("FailedEntryCount", 0):
            code = response["Entries"][0].get("ErrorCode", "Unknown")
            if code == "ThrottlingException":
                raise ThrottledError("eventbridge throttled the event")
            raise DependencyUnavailableError(f"eventbridge rejected the event with {code}")
