from neliti_dataplane._proto.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from neliti_dataplane._proto.neliti.dataplane.v1 import tick_pb2 as _tick_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SetCondition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SET_CONDITION_UNSPECIFIED: _ClassVar[SetCondition]
    SET_CONDITION_IF_ABSENT: _ClassVar[SetCondition]
    SET_CONDITION_IF_PRESENT: _ClassVar[SetCondition]
SET_CONDITION_UNSPECIFIED: SetCondition
SET_CONDITION_IF_ABSENT: SetCondition
SET_CONDITION_IF_PRESENT: SetCondition

class CacheEntry(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: bytes
    def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...

class GetRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: str
    def __init__(self, key: _Optional[str] = ...) -> None: ...

class GetResponse(_message.Message):
    __slots__ = ("found", "value")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    found: bool
    value: bytes
    def __init__(self, found: _Optional[bool] = ..., value: _Optional[bytes] = ...) -> None: ...

class SetRequest(_message.Message):
    __slots__ = ("key", "value", "ttl_ms", "condition")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TTL_MS_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: bytes
    ttl_ms: int
    condition: SetCondition
    def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ..., ttl_ms: _Optional[int] = ..., condition: _Optional[_Union[SetCondition, str]] = ...) -> None: ...

class SetResponse(_message.Message):
    __slots__ = ("written",)
    WRITTEN_FIELD_NUMBER: _ClassVar[int]
    written: bool
    def __init__(self, written: _Optional[bool] = ...) -> None: ...

class MGetRequest(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, keys: _Optional[_Iterable[str]] = ...) -> None: ...

class MGetResult(_message.Message):
    __slots__ = ("key", "found", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    FOUND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    found: bool
    value: bytes
    def __init__(self, key: _Optional[str] = ..., found: _Optional[bool] = ..., value: _Optional[bytes] = ...) -> None: ...

class MGetResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[MGetResult]
    def __init__(self, results: _Optional[_Iterable[_Union[MGetResult, _Mapping]]] = ...) -> None: ...

class MSetRequest(_message.Message):
    __slots__ = ("entries", "ttl_ms")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    TTL_MS_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[CacheEntry]
    ttl_ms: int
    def __init__(self, entries: _Optional[_Iterable[_Union[CacheEntry, _Mapping]]] = ..., ttl_ms: _Optional[int] = ...) -> None: ...

class MSetResponse(_message.Message):
    __slots__ = ("written",)
    WRITTEN_FIELD_NUMBER: _ClassVar[int]
    written: int
    def __init__(self, written: _Optional[int] = ...) -> None: ...

class DeleteRequest(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, keys: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class GetTtlRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: str
    def __init__(self, key: _Optional[str] = ...) -> None: ...

class GetTtlResponse(_message.Message):
    __slots__ = ("found", "ttl_ms")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    TTL_MS_FIELD_NUMBER: _ClassVar[int]
    found: bool
    ttl_ms: int
    def __init__(self, found: _Optional[bool] = ..., ttl_ms: _Optional[int] = ...) -> None: ...

class ExpireRequest(_message.Message):
    __slots__ = ("key", "ttl_ms")
    KEY_FIELD_NUMBER: _ClassVar[int]
    TTL_MS_FIELD_NUMBER: _ClassVar[int]
    key: str
    ttl_ms: int
    def __init__(self, key: _Optional[str] = ..., ttl_ms: _Optional[int] = ...) -> None: ...

class ExpireResponse(_message.Message):
    __slots__ = ("applied",)
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    applied: bool
    def __init__(self, applied: _Optional[bool] = ...) -> None: ...

class IncrRequest(_message.Message):
    __slots__ = ("key", "delta")
    KEY_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    key: str
    delta: int
    def __init__(self, key: _Optional[str] = ..., delta: _Optional[int] = ...) -> None: ...

class IncrResponse(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: int
    def __init__(self, value: _Optional[int] = ...) -> None: ...

class GetLatestTickRequest(_message.Message):
    __slots__ = ("symbol", "broker")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ...) -> None: ...

class GetLatestTickResponse(_message.Message):
    __slots__ = ("found", "tick")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    TICK_FIELD_NUMBER: _ClassVar[int]
    found: bool
    tick: _tick_pb2.Tick
    def __init__(self, found: _Optional[bool] = ..., tick: _Optional[_Union[_tick_pb2.Tick, _Mapping]] = ...) -> None: ...

class SetIndicatorValueRequest(_message.Message):
    __slots__ = ("symbol", "timeframe", "indicator", "value", "time_msc", "ttl_ms")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    INDICATOR_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    TTL_MS_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    timeframe: _tick_pb2.Timeframe
    indicator: str
    value: float
    time_msc: int
    ttl_ms: int
    def __init__(self, symbol: _Optional[str] = ..., timeframe: _Optional[_Union[_tick_pb2.Timeframe, str]] = ..., indicator: _Optional[str] = ..., value: _Optional[float] = ..., time_msc: _Optional[int] = ..., ttl_ms: _Optional[int] = ...) -> None: ...

class SetIndicatorValueResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetIndicatorValueRequest(_message.Message):
    __slots__ = ("symbol", "timeframe", "indicator")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    INDICATOR_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    timeframe: _tick_pb2.Timeframe
    indicator: str
    def __init__(self, symbol: _Optional[str] = ..., timeframe: _Optional[_Union[_tick_pb2.Timeframe, str]] = ..., indicator: _Optional[str] = ...) -> None: ...

class GetIndicatorValueResponse(_message.Message):
    __slots__ = ("found", "value", "time_msc")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    found: bool
    value: float
    time_msc: int
    def __init__(self, found: _Optional[bool] = ..., value: _Optional[float] = ..., time_msc: _Optional[int] = ...) -> None: ...

class SetPredictionRequest(_message.Message):
    __slots__ = ("model", "symbol", "prediction", "ttl_ms")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_FIELD_NUMBER: _ClassVar[int]
    TTL_MS_FIELD_NUMBER: _ClassVar[int]
    model: str
    symbol: str
    prediction: _struct_pb2.Struct
    ttl_ms: int
    def __init__(self, model: _Optional[str] = ..., symbol: _Optional[str] = ..., prediction: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., ttl_ms: _Optional[int] = ...) -> None: ...

class SetPredictionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetPredictionRequest(_message.Message):
    __slots__ = ("model", "symbol")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    model: str
    symbol: str
    def __init__(self, model: _Optional[str] = ..., symbol: _Optional[str] = ...) -> None: ...

class GetPredictionResponse(_message.Message):
    __slots__ = ("found", "prediction")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_FIELD_NUMBER: _ClassVar[int]
    found: bool
    prediction: _struct_pb2.Struct
    def __init__(self, found: _Optional[bool] = ..., prediction: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
