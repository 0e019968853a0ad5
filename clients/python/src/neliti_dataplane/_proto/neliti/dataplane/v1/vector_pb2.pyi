from neliti_dataplane._proto.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PropertyType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROPERTY_TYPE_UNSPECIFIED: _ClassVar[PropertyType]
    PROPERTY_TYPE_TEXT: _ClassVar[PropertyType]
    PROPERTY_TYPE_NUMBER: _ClassVar[PropertyType]
    PROPERTY_TYPE_INT: _ClassVar[PropertyType]
    PROPERTY_TYPE_BOOLEAN: _ClassVar[PropertyType]
    PROPERTY_TYPE_DATE: _ClassVar[PropertyType]

class DistanceMetric(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISTANCE_METRIC_UNSPECIFIED: _ClassVar[DistanceMetric]
    DISTANCE_METRIC_COSINE: _ClassVar[DistanceMetric]
    DISTANCE_METRIC_DOT: _ClassVar[DistanceMetric]
    DISTANCE_METRIC_L2_SQUARED: _ClassVar[DistanceMetric]

class FilterOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILTER_OPERATOR_UNSPECIFIED: _ClassVar[FilterOperator]
    FILTER_OPERATOR_EQUAL: _ClassVar[FilterOperator]
    FILTER_OPERATOR_NOT_EQUAL: _ClassVar[FilterOperator]
    FILTER_OPERATOR_GREATER_THAN: _ClassVar[FilterOperator]
    FILTER_OPERATOR_GREATER_THAN_EQUAL: _ClassVar[FilterOperator]
    FILTER_OPERATOR_LESS_THAN: _ClassVar[FilterOperator]
    FILTER_OPERATOR_LESS_THAN_EQUAL: _ClassVar[FilterOperator]
PROPERTY_TYPE_UNSPECIFIED: PropertyType
PROPERTY_TYPE_TEXT: PropertyType
PROPERTY_TYPE_NUMBER: PropertyType
PROPERTY_TYPE_INT: PropertyType
PROPERTY_TYPE_BOOLEAN: PropertyType
PROPERTY_TYPE_DATE: PropertyType
DISTANCE_METRIC_UNSPECIFIED: DistanceMetric
DISTANCE_METRIC_COSINE: DistanceMetric
DISTANCE_METRIC_DOT: DistanceMetric
DISTANCE_METRIC_L2_SQUARED: DistanceMetric
FILTER_OPERATOR_UNSPECIFIED: FilterOperator
FILTER_OPERATOR_EQUAL: FilterOperator
FILTER_OPERATOR_NOT_EQUAL: FilterOperator
FILTER_OPERATOR_GREATER_THAN: FilterOperator
FILTER_OPERATOR_GREATER_THAN_EQUAL: FilterOperator
FILTER_OPERATOR_LESS_THAN: FilterOperator
FILTER_OPERATOR_LESS_THAN_EQUAL: FilterOperator

class PropertySpec(_message.Message):
    __slots__ = ("name", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: PropertyType
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[PropertyType, str]] = ...) -> None: ...

class EnsureCollectionRequest(_message.Message):
    __slots__ = ("name", "dimension", "properties", "metric")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    name: str
    dimension: int
    properties: _containers.RepeatedCompositeFieldContainer[PropertySpec]
    metric: DistanceMetric
    def __init__(self, name: _Optional[str] = ..., dimension: _Optional[int] = ..., properties: _Optional[_Iterable[_Union[PropertySpec, _Mapping]]] = ..., metric: _Optional[_Union[DistanceMetric, str]] = ...) -> None: ...

class EnsureCollectionResponse(_message.Message):
    __slots__ = ("created",)
    CREATED_FIELD_NUMBER: _ClassVar[int]
    created: bool
    def __init__(self, created: _Optional[bool] = ...) -> None: ...

class VectorObject(_message.Message):
    __slots__ = ("id", "vector", "properties")
    ID_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    id: str
    vector: _containers.RepeatedScalarFieldContainer[float]
    properties: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., vector: _Optional[_Iterable[float]] = ..., properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UpsertObjectsRequest(_message.Message):
    __slots__ = ("collection", "objects", "per_object_results")
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    OBJECTS_FIELD_NUMBER: _ClassVar[int]
    PER_OBJECT_RESULTS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    objects: _containers.RepeatedCompositeFieldContainer[VectorObject]
    per_object_results: bool
    def __init__(self, collection: _Optional[str] = ..., objects: _Optional[_Iterable[_Union[VectorObject, _Mapping]]] = ..., per_object_results: _Optional[bool] = ...) -> None: ...

class ObjectResult(_message.Message):
    __slots__ = ("id", "error")
    ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    id: str
    error: str
    def __init__(self, id: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class UpsertObjectsResponse(_message.Message):
    __slots__ = ("upserted", "results")
    UPSERTED_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    upserted: int
    results: _containers.RepeatedCompositeFieldContainer[ObjectResult]
    def __init__(self, upserted: _Optional[int] = ..., results: _Optional[_Iterable[_Union[ObjectResult, _Mapping]]] = ...) -> None: ...

class PropertyFilter(_message.Message):
    __slots__ = ("property", "operator", "text", "number", "boolean")
    PROPERTY_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    BOOLEAN_FIELD_NUMBER: _ClassVar[int]
    property: str
    operator: FilterOperator
    text: str
    number: float
    boolean: bool
    def __init__(self, property: _Optional[str] = ..., operator: _Optional[_Union[FilterOperator, str]] = ..., text: _Optional[str] = ..., number: _Optional[float] = ..., boolean: _Optional[bool] = ...) -> None: ...

class SearchNearVectorRequest(_message.Message):
    __slots__ = ("collection", "vector", "limit", "max_distance", "filters")
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    MAX_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    vector: _containers.RepeatedScalarFieldContainer[float]
    limit: int
    max_distance: float
    filters: _containers.RepeatedCompositeFieldContainer[PropertyFilter]
    def __init__(self, collection: _Optional[str] = ..., vector: _Optional[_Iterable[float]] = ..., limit: _Optional[int] = ..., max_distance: _Optional[float] = ..., filters: _Optional[_Iterable[_Union[PropertyFilter, _Mapping]]] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("object", "distance")
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    object: VectorObject
    distance: float
    def __init__(self, object: _Optional[_Union[VectorObject, _Mapping]] = ..., distance: _Optional[float] = ...) -> None: ...

class SearchNearVectorResponse(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ...) -> None: ...

class GetObjectRequest(_message.Message):
    __slots__ = ("collection", "id")
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    collection: str
    id: str
    def __init__(self, collection: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class GetObjectResponse(_message.Message):
    __slots__ = ("object",)
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    object: VectorObject
    def __init__(self, object: _Optional[_Union[VectorObject, _Mapping]] = ...) -> None: ...

class DeleteObjectsRequest(_message.Message):
    __slots__ = ("collection", "ids")
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, collection: _Optional[str] = ..., ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteObjectsResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...
