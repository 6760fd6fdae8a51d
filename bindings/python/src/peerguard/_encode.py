"""Turn Python input (dicts from json or boto3, strings, bytes) into the bytes the library reads."""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Dict, List, Mapping, Union


def _aws_time(value: Union[_dt.datetime, _dt.date]) -> str:
    """Format a datetime the way the EC2 API writes timestamps (2026-01-20T09:00:00.000Z).

    Aware datetimes are converted to UTC.  A naive datetime is taken as UTC,
    because botocore, the source of these values, parses every timestamp
    into an aware one and a naive value has no other zone to go by.
    """
    if not isinstance(value, _dt.datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _default(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return _aws_time(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable; pass dicts, lists, strings, "
                    "numbers, booleans, None or datetimes")


def to_bytes(document: Any, argument_name: str) -> bytes:
    """Encode a dict or list as JSON, a str as UTF-8, and pass bytes through unchanged."""
    if isinstance(document, (bytes, bytearray, memoryview)):
        return bytes(document)
    if isinstance(document, str):
        return document.encode("utf-8")
    if isinstance(document, (Mapping, list, tuple)):
        return json.dumps(document, default=_default, separators=(",", ":")).encode("utf-8")
    raise TypeError(f"{argument_name} must be a dict, a list, a JSON string or bytes, not {type(document).__name__}")


def describe_output(document: Any) -> Any:
    """Reduce boto3's describe_vpc_peering_connections() output to what the library reads.

    A response dict loses ResponseMetadata and NextToken (request bookkeeping,
    not resources).  A list of such responses, as a paginator yields them,
    becomes one response with all their records.  Anything else, such as a
    single record, a list of records or JSON text, is returned unchanged.
    """
    if isinstance(document, Mapping) and "VpcPeeringConnections" in document:
        return {k: v for k, v in document.items() if k not in ("ResponseMetadata", "NextToken")}
    if isinstance(document, (list, tuple)) and document and all(
            isinstance(page, Mapping) and "VpcPeeringConnections" in page for page in document):
        records: List[Any] = []
        for page in document:
            records.extend(page["VpcPeeringConnections"] or [])
        merged: Dict[str, Any] = {"VpcPeeringConnections": records}
        return merged
    return document
