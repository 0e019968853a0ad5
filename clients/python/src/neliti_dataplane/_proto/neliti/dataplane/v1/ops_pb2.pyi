from neliti_dataplane._proto.buf.validate import validate_pb2 as _validate_pb2
from neliti_dataplane._proto.neliti.dataplane.v1 import tick_pb2 as _tick_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Backend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BACKEND_UNSPECIFIED: _ClassVar[Backend]
    BACKEND_TICKS: _ClassVar[Backend]
    BACKEND_USERS: _ClassVar[Backend]
    BACKEND_GRAPH: _ClassVar[Backend]
    BACKEND_VECTORS: _ClassVar[Backend]
    BACKEND_CACHE: _ClassVar[Backend]
    BACKEND_STREAM: _ClassVar[Backend]

class BackendStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BACKEND_STATUS_UNSPECIFIED: _ClassVar[BackendStatus]
    BACKEND_STATUS_UP: _ClassVar[BackendStatus]
    BACKEND_STATUS_DEGRADED: _ClassVar[BackendStatus]
    BACKEND_STATUS_DOWN: _ClassVar[BackendStatus]

class CircuitState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CIRCUIT_STATE_UNSPECIFIED: _ClassVar[CircuitState]
    CIRCUIT_STATE_CLOSED: _ClassVar[CircuitState]
    CIRCUIT_STATE_OPEN: _ClassVar[CircuitState]
    CIRCUIT_STATE_HALF_OPEN: _ClassVar[CircuitState]
BACKEND_UNSPECIFIED: Backend
BACKEND_TICKS: Backend
BACKEND_USERS: Backend
BACKEND_GRAPH: Backend
BACKEND_VECTORS: Backend
BACKEND_CACHE: Backend
BACKEND_STREAM: Backend
BACKEND_STATUS_UNSPECIFIED: BackendStatus
BACKEND_STATUS_UP: BackendStatus
BACKEND_STATUS_DEGRADED: BackendStatus
BACKEND_STATUS_DOWN: BackendStatus
CIRCUIT_STATE_UNSPECIFIED: CircuitState
CIRCUIT_STATE_CLOSED: CircuitState
CIRCUIT_STATE_OPEN: CircuitState
CIRCUIT_STATE_HALF_OPEN: CircuitState

class Migration(_message.Message):
    __slots__ = ("version", "name", "applied", "applied_at_ms")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    APPLIED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    version: int
    name: str
    applied: bool
    applied_at_ms: int
    def __init__(self, version: _Optional[int] = ..., name: _Optional[str] = ..., applied: _Optional[bool] = ..., applied_at_ms: _Optional[int] = ...) -> None: ...

class BackendMigrations(_message.Message):
    __slots__ = ("backend", "adapter", "current_version", "migrations")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    MIGRATIONS_FIELD_NUMBER: _ClassVar[int]
    backend: Backend
    adapter: str
    current_version: int
    migrations: _containers.RepeatedCompositeFieldContainer[Migration]
    def __init__(self, backend: _Optional[_Union[Backend, str]] = ..., adapter: _Optional[str] = ..., current_version: _Optional[int] = ..., migrations: _Optional[_Iterable[_Union[Migration, _Mapping]]] = ...) -> None: ...

class GetMigrationStatusRequest(_message.Message):
    __slots__ = ("backend",)
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    backend: Backend
    def __init__(self, backend: _Optional[_Union[Backend, str]] = ...) -> None: ...

class GetMigrationStatusResponse(_message.Message):
    __slots__ = ("backends",)
    BACKENDS_FIELD_NUMBER: _ClassVar[int]
    backends: _containers.RepeatedCompositeFieldContainer[BackendMigrations]
    def __init__(self, backends: _Optional[_Iterable[_Union[BackendMigrations, _Mapping]]] = ...) -> None: ...

class MigrateRequest(_message.Message):
    __slots__ = ("backend", "target_version")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_FIELD_NUMBER: _ClassVar[int]
    backend: Backend
    target_version: int
    def __init__(self, backend: _Optional[_Union[Backend, str]] = ..., target_version: _Optional[int] = ...) -> None: ...

class MigrateResponse(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: BackendMigrations
    def __init__(self, state: _Optional[_Union[BackendMigrations, _Mapping]] = ...) -> None: ...

class RollbackRequest(_message.Message):
    __slots__ = ("backend", "target_version")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_FIELD_NUMBER: _ClassVar[int]
    backend: Backend
    target_version: int
    def __init__(self, backend: _Optional[_Union[Backend, str]] = ..., target_version: _Optional[int] = ...) -> None: ...

class RollbackResponse(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: BackendMigrations
    def __init__(self, state: _Optional[_Union[BackendMigrations, _Mapping]] = ...) -> None: ...

class BackendHealth(_message.Message):
    __slots__ = ("backend", "adapter", "status", "latency_ms", "pool_in_use", "pool_idle", "pool_max", "circuit", "message")
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    POOL_IN_USE_FIELD_NUMBER: _ClassVar[int]
    POOL_IDLE_FIELD_NUMBER: _ClassVar[int]
    POOL_MAX_FIELD_NUMBER: _ClassVar[int]
    CIRCUIT_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    backend: Backend
    adapter: str
    status: BackendStatus
    latency_ms: float
    pool_in_use: int
    pool_idle: int
    pool_max: int
    circuit: CircuitState
    message: str
    def __init__(self, backend: _Optional[_Union[Backend, str]] = ..., adapter: _Optional[str] = ..., status: _Optional[_Union[BackendStatus, str]] = ..., latency_ms: _Optional[float] = ..., pool_in_use: _Optional[int] = ..., pool_idle: _Optional[int] = ..., pool_max: _Optional[int] = ..., circuit: _Optional[_Union[CircuitState, str]] = ..., message: _Optional[str] = ...) -> None: ...

class GetHealthReportRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetHealthReportResponse(_message.Message):
    __slots__ = ("overall", "backends", "embedded_mode")
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    BACKENDS_FIELD_NUMBER: _ClassVar[int]
    EMBEDDED_MODE_FIELD_NUMBER: _ClassVar[int]
    overall: BackendStatus
    backends: _containers.RepeatedCompositeFieldContainer[BackendHealth]
    embedded_mode: bool
    def __init__(self, overall: _Optional[_Union[BackendStatus, str]] = ..., backends: _Optional[_Iterable[_Union[BackendHealth, _Mapping]]] = ..., embedded_mode: _Optional[bool] = ...) -> None: ...

class BackfillPatternsRequest(_message.Message):
    __slots__ = ("symbol", "broker", "timeframe", "price_source", "start_time_msc", "end_time_msc", "restart")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    RESTART_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    timeframe: _tick_pb2.Timeframe
    price_source: _tick_pb2.PriceSource
    start_time_msc: int
    end_time_msc: int
    restart: bool
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., timeframe: _Optional[_Union[_tick_pb2.Timeframe, str]] = ..., price_source: _Optional[_Union[_tick_pb2.PriceSource, str]] = ..., start_time_msc: _Optional[int] = ..., end_time_msc: _Optional[int] = ..., restart: _Optional[bool] = ...) -> None: ...

class BackfillPatternsResponse(_message.Message):
    __slots__ = ("chunks_done", "chunks", "resumed_at_time_msc", "done_up_to_time_msc", "bars_read", "patterns_written")
    CHUNKS_DONE_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    RESUMED_AT_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    DONE_UP_TO_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    BARS_READ_FIELD_NUMBER: _ClassVar[int]
    PATTERNS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    chunks_done: int
    chunks: int
    resumed_at_time_msc: int
    done_up_to_time_msc: int
    bars_read: int
    patterns_written: int
    def __init__(self, chunks_done: _Optional[int] = ..., chunks: _Optional[int] = ..., resumed_at_time_msc: _Optional[int] = ..., done_up_to_time_msc: _Optional[int] = ..., bars_read: _Optional[int] = ..., patterns_written: _Optional[int] = ...) -> None: ...
