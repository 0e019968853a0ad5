from neliti_dataplane._proto.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AccountType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCOUNT_TYPE_UNSPECIFIED: _ClassVar[AccountType]
    ACCOUNT_TYPE_DEMO: _ClassVar[AccountType]
    ACCOUNT_TYPE_REAL: _ClassVar[AccountType]
    ACCOUNT_TYPE_CONTEST: _ClassVar[AccountType]

class AckState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACK_STATE_UNSPECIFIED: _ClassVar[AckState]
    ACK_STATE_DURABLE: _ClassVar[AckState]
    ACK_STATE_SPOOLED: _ClassVar[AckState]
    ACK_STATE_DUPLICATE: _ClassVar[AckState]
    ACK_STATE_REJECTED: _ClassVar[AckState]

class Timeframe(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIMEFRAME_UNSPECIFIED: _ClassVar[Timeframe]
    TIMEFRAME_M1: _ClassVar[Timeframe]
    TIMEFRAME_M5: _ClassVar[Timeframe]
    TIMEFRAME_M15: _ClassVar[Timeframe]
    TIMEFRAME_H1: _ClassVar[Timeframe]
    TIMEFRAME_H4: _ClassVar[Timeframe]
    TIMEFRAME_D1: _ClassVar[Timeframe]

class PriceSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRICE_SOURCE_UNSPECIFIED: _ClassVar[PriceSource]
    PRICE_SOURCE_BID: _ClassVar[PriceSource]
    PRICE_SOURCE_ASK: _ClassVar[PriceSource]
    PRICE_SOURCE_MID: _ClassVar[PriceSource]
    PRICE_SOURCE_LAST: _ClassVar[PriceSource]

class IndicatorType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INDICATOR_TYPE_UNSPECIFIED: _ClassVar[IndicatorType]
    INDICATOR_TYPE_SMA: _ClassVar[IndicatorType]
    INDICATOR_TYPE_EMA: _ClassVar[IndicatorType]
    INDICATOR_TYPE_RSI: _ClassVar[IndicatorType]
    INDICATOR_TYPE_VWAP: _ClassVar[IndicatorType]
ACCOUNT_TYPE_UNSPECIFIED: AccountType
ACCOUNT_TYPE_DEMO: AccountType
ACCOUNT_TYPE_REAL: AccountType
ACCOUNT_TYPE_CONTEST: AccountType
ACK_STATE_UNSPECIFIED: AckState
ACK_STATE_DURABLE: AckState
ACK_STATE_SPOOLED: AckState
ACK_STATE_DUPLICATE: AckState
ACK_STATE_REJECTED: AckState
TIMEFRAME_UNSPECIFIED: Timeframe
TIMEFRAME_M1: Timeframe
TIMEFRAME_M5: Timeframe
TIMEFRAME_M15: Timeframe
TIMEFRAME_H1: Timeframe
TIMEFRAME_H4: Timeframe
TIMEFRAME_D1: Timeframe
PRICE_SOURCE_UNSPECIFIED: PriceSource
PRICE_SOURCE_BID: PriceSource
PRICE_SOURCE_ASK: PriceSource
PRICE_SOURCE_MID: PriceSource
PRICE_SOURCE_LAST: PriceSource
INDICATOR_TYPE_UNSPECIFIED: IndicatorType
INDICATOR_TYPE_SMA: IndicatorType
INDICATOR_TYPE_EMA: IndicatorType
INDICATOR_TYPE_RSI: IndicatorType
INDICATOR_TYPE_VWAP: IndicatorType

class Tick(_message.Message):
    __slots__ = ("symbol", "broker", "account_type", "time_msc", "bid", "ask", "last", "volume", "flags")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    BID_FIELD_NUMBER: _ClassVar[int]
    ASK_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    account_type: AccountType
    time_msc: int
    bid: float
    ask: float
    last: float
    volume: float
    flags: int
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., account_type: _Optional[_Union[AccountType, str]] = ..., time_msc: _Optional[int] = ..., bid: _Optional[float] = ..., ask: _Optional[float] = ..., last: _Optional[float] = ..., volume: _Optional[float] = ..., flags: _Optional[int] = ...) -> None: ...

class TickColumns(_message.Message):
    __slots__ = ("symbols", "brokers", "symbol_index", "broker_index", "account_type", "time_msc", "bid", "ask", "last", "volume", "flags")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    BROKERS_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_INDEX_FIELD_NUMBER: _ClassVar[int]
    BROKER_INDEX_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    BID_FIELD_NUMBER: _ClassVar[int]
    ASK_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    brokers: _containers.RepeatedScalarFieldContainer[str]
    symbol_index: bytes
    broker_index: bytes
    account_type: bytes
    time_msc: bytes
    bid: bytes
    ask: bytes
    last: bytes
    volume: bytes
    flags: bytes
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., brokers: _Optional[_Iterable[str]] = ..., symbol_index: _Optional[bytes] = ..., broker_index: _Optional[bytes] = ..., account_type: _Optional[bytes] = ..., time_msc: _Optional[bytes] = ..., bid: _Optional[bytes] = ..., ask: _Optional[bytes] = ..., last: _Optional[bytes] = ..., volume: _Optional[bytes] = ..., flags: _Optional[bytes] = ...) -> None: ...

class TickBatch(_message.Message):
    __slots__ = ("batch_id", "rows", "columns")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    rows: TickRows
    columns: TickColumns
    def __init__(self, batch_id: _Optional[str] = ..., rows: _Optional[_Union[TickRows, _Mapping]] = ..., columns: _Optional[_Union[TickColumns, _Mapping]] = ...) -> None: ...

class TickRows(_message.Message):
    __slots__ = ("ticks",)
    TICKS_FIELD_NUMBER: _ClassVar[int]
    ticks: _containers.RepeatedCompositeFieldContainer[Tick]
    def __init__(self, ticks: _Optional[_Iterable[_Union[Tick, _Mapping]]] = ...) -> None: ...

class WriteTicksRequest(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: TickBatch
    def __init__(self, batch: _Optional[_Union[TickBatch, _Mapping]] = ...) -> None: ...

class WriteTicksResponse(_message.Message):
    __slots__ = ("batches", "accepted_ticks", "durable_ticks", "spooled_ticks", "duplicate_batches")
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_TICKS_FIELD_NUMBER: _ClassVar[int]
    DURABLE_TICKS_FIELD_NUMBER: _ClassVar[int]
    SPOOLED_TICKS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_BATCHES_FIELD_NUMBER: _ClassVar[int]
    batches: int
    accepted_ticks: int
    durable_ticks: int
    spooled_ticks: int
    duplicate_batches: int
    def __init__(self, batches: _Optional[int] = ..., accepted_ticks: _Optional[int] = ..., durable_ticks: _Optional[int] = ..., spooled_ticks: _Optional[int] = ..., duplicate_batches: _Optional[int] = ...) -> None: ...

class IngestTicksRequest(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: TickBatch
    def __init__(self, batch: _Optional[_Union[TickBatch, _Mapping]] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "tick_index", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    TICK_INDEX_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    tick_index: int
    description: str
    def __init__(self, field: _Optional[str] = ..., tick_index: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...

class IngestTicksResponse(_message.Message):
    __slots__ = ("batch_id", "state", "accepted_ticks", "violations")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_TICKS_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    state: AckState
    accepted_ticks: int
    violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, batch_id: _Optional[str] = ..., state: _Optional[_Union[AckState, str]] = ..., accepted_ticks: _Optional[int] = ..., violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

class GetRecentTicksRequest(_message.Message):
    __slots__ = ("symbol", "broker", "limit")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    limit: int
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class GetRecentTicksResponse(_message.Message):
    __slots__ = ("ticks",)
    TICKS_FIELD_NUMBER: _ClassVar[int]
    ticks: _containers.RepeatedCompositeFieldContainer[Tick]
    def __init__(self, ticks: _Optional[_Iterable[_Union[Tick, _Mapping]]] = ...) -> None: ...

class QueryTicksRequest(_message.Message):
    __slots__ = ("symbol", "broker", "start_time_msc", "end_time_msc", "chunk_size", "columnar")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    COLUMNAR_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    start_time_msc: int
    end_time_msc: int
    chunk_size: int
    columnar: bool
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., start_time_msc: _Optional[int] = ..., end_time_msc: _Optional[int] = ..., chunk_size: _Optional[int] = ..., columnar: _Optional[bool] = ...) -> None: ...

class GetTicksAsOfRequest(_message.Message):
    __slots__ = ("symbols", "broker", "time_msc")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    broker: str
    time_msc: int
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., broker: _Optional[str] = ..., time_msc: _Optional[int] = ...) -> None: ...

class GetTicksAsOfResponse(_message.Message):
    __slots__ = ("ticks",)
    TICKS_FIELD_NUMBER: _ClassVar[int]
    ticks: _containers.RepeatedCompositeFieldContainer[Tick]
    def __init__(self, ticks: _Optional[_Iterable[_Union[Tick, _Mapping]]] = ...) -> None: ...

class ReplayTicksRequest(_message.Message):
    __slots__ = ("symbols", "brokers", "start_time_msc", "end_time_msc", "pace", "chunk_size", "resume_token")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    BROKERS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    PACE_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    brokers: _containers.RepeatedScalarFieldContainer[str]
    start_time_msc: int
    end_time_msc: int
    pace: float
    chunk_size: int
    resume_token: str
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., brokers: _Optional[_Iterable[str]] = ..., start_time_msc: _Optional[int] = ..., end_time_msc: _Optional[int] = ..., pace: _Optional[float] = ..., chunk_size: _Optional[int] = ..., resume_token: _Optional[str] = ...) -> None: ...

class ReplayTicksResponse(_message.Message):
    __slots__ = ("columns", "resume_token")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    columns: TickColumns
    resume_token: str
    def __init__(self, columns: _Optional[_Union[TickColumns, _Mapping]] = ..., resume_token: _Optional[str] = ...) -> None: ...

class QueryTicksResponse(_message.Message):
    __slots__ = ("ticks", "columns")
    TICKS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ticks: _containers.RepeatedCompositeFieldContainer[Tick]
    columns: TickColumns
    def __init__(self, ticks: _Optional[_Iterable[_Union[Tick, _Mapping]]] = ..., columns: _Optional[_Union[TickColumns, _Mapping]] = ...) -> None: ...

class Candle(_message.Message):
    __slots__ = ("open_time_msc", "open", "high", "low", "close", "volume", "tick_count")
    OPEN_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    TICK_COUNT_FIELD_NUMBER: _ClassVar[int]
    open_time_msc: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    tick_count: int
    def __init__(self, open_time_msc: _Optional[int] = ..., open: _Optional[float] = ..., high: _Optional[float] = ..., low: _Optional[float] = ..., close: _Optional[float] = ..., volume: _Optional[float] = ..., tick_count: _Optional[int] = ...) -> None: ...

class GetCandlesRequest(_message.Message):
    __slots__ = ("symbol", "broker", "timeframe", "start_time_msc", "end_time_msc", "price_source", "limit")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    timeframe: Timeframe
    start_time_msc: int
    end_time_msc: int
    price_source: PriceSource
    limit: int
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., timeframe: _Optional[_Union[Timeframe, str]] = ..., start_time_msc: _Optional[int] = ..., end_time_msc: _Optional[int] = ..., price_source: _Optional[_Union[PriceSource, str]] = ..., limit: _Optional[int] = ...) -> None: ...

class GetCandlesResponse(_message.Message):
    __slots__ = ("candles",)
    CANDLES_FIELD_NUMBER: _ClassVar[int]
    candles: _containers.RepeatedCompositeFieldContainer[Candle]
    def __init__(self, candles: _Optional[_Iterable[_Union[Candle, _Mapping]]] = ...) -> None: ...

class IndicatorSpec(_message.Message):
    __slots__ = ("type", "period")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    type: IndicatorType
    period: int
    def __init__(self, type: _Optional[_Union[IndicatorType, str]] = ..., period: _Optional[int] = ...) -> None: ...

class IndicatorPoint(_message.Message):
    __slots__ = ("time_msc", "value")
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    time_msc: int
    value: float
    def __init__(self, time_msc: _Optional[int] = ..., value: _Optional[float] = ...) -> None: ...

class IndicatorSeries(_message.Message):
    __slots__ = ("spec", "points", "time_msc_column", "value_column")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_COLUMN_FIELD_NUMBER: _ClassVar[int]
    VALUE_COLUMN_FIELD_NUMBER: _ClassVar[int]
    spec: IndicatorSpec
    points: _containers.RepeatedCompositeFieldContainer[IndicatorPoint]
    time_msc_column: bytes
    value_column: bytes
    def __init__(self, spec: _Optional[_Union[IndicatorSpec, _Mapping]] = ..., points: _Optional[_Iterable[_Union[IndicatorPoint, _Mapping]]] = ..., time_msc_column: _Optional[bytes] = ..., value_column: _Optional[bytes] = ...) -> None: ...

class GetIndicatorsRequest(_message.Message):
    __slots__ = ("symbol", "broker", "timeframe", "start_time_msc", "end_time_msc", "indicators", "price_source", "columnar")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    INDICATORS_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    COLUMNAR_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    timeframe: Timeframe
    start_time_msc: int
    end_time_msc: int
    indicators: _containers.RepeatedCompositeFieldContainer[IndicatorSpec]
    price_source: PriceSource
    columnar: bool
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., timeframe: _Optional[_Union[Timeframe, str]] = ..., start_time_msc: _Optional[int] = ..., end_time_msc: _Optional[int] = ..., indicators: _Optional[_Iterable[_Union[IndicatorSpec, _Mapping]]] = ..., price_source: _Optional[_Union[PriceSource, str]] = ..., columnar: _Optional[bool] = ...) -> None: ...

class GetIndicatorsResponse(_message.Message):
    __slots__ = ("series",)
    SERIES_FIELD_NUMBER: _ClassVar[int]
    series: _containers.RepeatedCompositeFieldContainer[IndicatorSeries]
    def __init__(self, series: _Optional[_Iterable[_Union[IndicatorSeries, _Mapping]]] = ...) -> None: ...

class SubscribeTicksRequest(_message.Message):
    __slots__ = ("symbols", "broker")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    broker: str
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., broker: _Optional[str] = ...) -> None: ...

class SubscribeTicksResponse(_message.Message):
    __slots__ = ("ticks",)
    TICKS_FIELD_NUMBER: _ClassVar[int]
    ticks: _containers.RepeatedCompositeFieldContainer[Tick]
    def __init__(self, ticks: _Optional[_Iterable[_Union[Tick, _Mapping]]] = ...) -> None: ...

class SubscribeCandlesRequest(_message.Message):
    __slots__ = ("symbols", "broker", "timeframe", "price_source", "update_interval_ms")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    broker: str
    timeframe: Timeframe
    price_source: PriceSource
    update_interval_ms: int
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., broker: _Optional[str] = ..., timeframe: _Optional[_Union[Timeframe, str]] = ..., price_source: _Optional[_Union[PriceSource, str]] = ..., update_interval_ms: _Optional[int] = ...) -> None: ...

class SubscribeCandlesResponse(_message.Message):
    __slots__ = ("symbol", "broker", "candle", "closed")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    CANDLE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    candle: Candle
    closed: bool
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., candle: _Optional[_Union[Candle, _Mapping]] = ..., closed: _Optional[bool] = ...) -> None: ...

class SubscribeIndicatorsRequest(_message.Message):
    __slots__ = ("symbols", "broker", "timeframe", "price_source", "indicators", "start_time_msc", "intrabar", "update_interval_ms")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    INDICATORS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    INTRABAR_FIELD_NUMBER: _ClassVar[int]
    UPDATE_INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    broker: str
    timeframe: Timeframe
    price_source: PriceSource
    indicators: _containers.RepeatedCompositeFieldContainer[IndicatorSpec]
    start_time_msc: int
    intrabar: bool
    update_interval_ms: int
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., broker: _Optional[str] = ..., timeframe: _Optional[_Union[Timeframe, str]] = ..., price_source: _Optional[_Union[PriceSource, str]] = ..., indicators: _Optional[_Iterable[_Union[IndicatorSpec, _Mapping]]] = ..., start_time_msc: _Optional[int] = ..., intrabar: _Optional[bool] = ..., update_interval_ms: _Optional[int] = ...) -> None: ...

class IndicatorValue(_message.Message):
    __slots__ = ("spec", "value")
    SPEC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    spec: IndicatorSpec
    value: float
    def __init__(self, spec: _Optional[_Union[IndicatorSpec, _Mapping]] = ..., value: _Optional[float] = ...) -> None: ...

class SubscribeIndicatorsResponse(_message.Message):
    __slots__ = ("symbol", "broker", "time_msc", "closed", "values", "start_time_msc")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    time_msc: int
    closed: bool
    values: _containers.RepeatedCompositeFieldContainer[IndicatorValue]
    start_time_msc: int
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., time_msc: _Optional[int] = ..., closed: _Optional[bool] = ..., values: _Optional[_Iterable[_Union[IndicatorValue, _Mapping]]] = ..., start_time_msc: _Optional[int] = ...) -> None: ...

class FindSimilarPatternsRequest(_message.Message):
    __slots__ = ("symbol", "broker", "timeframe", "price_source", "at_time_msc", "k", "symbols", "start_time_msc", "end_time_msc")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    TIMEFRAME_FIELD_NUMBER: _ClassVar[int]
    PRICE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    AT_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    timeframe: Timeframe
    price_source: PriceSource
    at_time_msc: int
    k: int
    symbols: _containers.RepeatedScalarFieldContainer[str]
    start_time_msc: int
    end_time_msc: int
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., timeframe: _Optional[_Union[Timeframe, str]] = ..., price_source: _Optional[_Union[PriceSource, str]] = ..., at_time_msc: _Optional[int] = ..., k: _Optional[int] = ..., symbols: _Optional[_Iterable[str]] = ..., start_time_msc: _Optional[int] = ..., end_time_msc: _Optional[int] = ...) -> None: ...

class SimilarPattern(_message.Message):
    __slots__ = ("symbol", "broker", "window_end_time_msc", "distance", "last_close", "outcome")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    BROKER_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    LAST_CLOSE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    broker: str
    window_end_time_msc: int
    distance: float
    last_close: float
    outcome: float
    def __init__(self, symbol: _Optional[str] = ..., broker: _Optional[str] = ..., window_end_time_msc: _Optional[int] = ..., distance: _Optional[float] = ..., last_close: _Optional[float] = ..., outcome: _Optional[float] = ...) -> None: ...

class FindSimilarPatternsResponse(_message.Message):
    __slots__ = ("window_end_time_msc", "recipe", "patterns")
    WINDOW_END_TIME_MSC_FIELD_NUMBER: _ClassVar[int]
    RECIPE_FIELD_NUMBER: _ClassVar[int]
    PATTERNS_FIELD_NUMBER: _ClassVar[int]
    window_end_time_msc: int
    recipe: str
    patterns: _containers.RepeatedCompositeFieldContainer[SimilarPattern]
    def __init__(self, window_end_time_msc: _Optional[int] = ..., recipe: _Optional[str] = ..., patterns: _Optional[_Iterable[_Union[SimilarPattern, _Mapping]]] = ...) -> None: ...
