from neliti_dataplane._proto.buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VertexKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERTEX_KIND_UNSPECIFIED: _ClassVar[VertexKind]
    VERTEX_KIND_STRATEGY: _ClassVar[VertexKind]
    VERTEX_KIND_INDICATOR: _ClassVar[VertexKind]
    VERTEX_KIND_INSTRUMENT: _ClassVar[VertexKind]
    VERTEX_KIND_USER: _ClassVar[VertexKind]
    VERTEX_KIND_ROLE: _ClassVar[VertexKind]
    VERTEX_KIND_PERMISSION: _ClassVar[VertexKind]

class EdgeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EDGE_TYPE_UNSPECIFIED: _ClassVar[EdgeType]
    EDGE_TYPE_USES_INDICATOR: _ClassVar[EdgeType]
    EDGE_TYPE_TRADES: _ClassVar[EdgeType]
    EDGE_TYPE_DEPENDS_ON: _ClassVar[EdgeType]
    EDGE_TYPE_CORRELATES_WITH: _ClassVar[EdgeType]
    EDGE_TYPE_HAS_ROLE: _ClassVar[EdgeType]
    EDGE_TYPE_INHERITS: _ClassVar[EdgeType]
    EDGE_TYPE_GRANTS: _ClassVar[EdgeType]
    EDGE_TYPE_COMPUTED_ON: _ClassVar[EdgeType]

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_OUTBOUND: _ClassVar[Direction]
    DIRECTION_INBOUND: _ClassVar[Direction]
    DIRECTION_ANY: _ClassVar[Direction]
VERTEX_KIND_UNSPECIFIED: VertexKind
VERTEX_KIND_STRATEGY: VertexKind
VERTEX_KIND_INDICATOR: VertexKind
VERTEX_KIND_INSTRUMENT: VertexKind
VERTEX_KIND_USER: VertexKind
VERTEX_KIND_ROLE: VertexKind
VERTEX_KIND_PERMISSION: VertexKind
EDGE_TYPE_UNSPECIFIED: EdgeType
EDGE_TYPE_USES_INDICATOR: EdgeType
EDGE_TYPE_TRADES: EdgeType
EDGE_TYPE_DEPENDS_ON: EdgeType
EDGE_TYPE_CORRELATES_WITH: EdgeType
EDGE_TYPE_HAS_ROLE: EdgeType
EDGE_TYPE_INHERITS: EdgeType
EDGE_TYPE_GRANTS: EdgeType
EDGE_TYPE_COMPUTED_ON: EdgeType
DIRECTION_UNSPECIFIED: Direction
DIRECTION_OUTBOUND: Direction
DIRECTION_INBOUND: Direction
DIRECTION_ANY: Direction

class VertexRef(_message.Message):
    __slots__ = ("kind", "key")
    KIND_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    kind: VertexKind
    key: str
    def __init__(self, kind: _Optional[_Union[VertexKind, str]] = ..., key: _Optional[str] = ...) -> None: ...

class Vertex(_message.Message):
    __slots__ = ("ref", "properties")
    REF_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    ref: VertexRef
    properties: _struct_pb2.Struct
    def __init__(self, ref: _Optional[_Union[VertexRef, _Mapping]] = ..., properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Edge(_message.Message):
    __slots__ = ("to", "type", "weight", "properties")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    to: VertexRef
    type: EdgeType
    weight: float
    properties: _struct_pb2.Struct
    def __init__(self, to: _Optional[_Union[VertexRef, _Mapping]] = ..., type: _Optional[_Union[EdgeType, str]] = ..., weight: _Optional[float] = ..., properties: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., **kwargs) -> None: ...

class UpsertVerticesRequest(_message.Message):
    __slots__ = ("vertices",)
    VERTICES_FIELD_NUMBER: _ClassVar[int]
    vertices: _containers.RepeatedCompositeFieldContainer[Vertex]
    def __init__(self, vertices: _Optional[_Iterable[_Union[Vertex, _Mapping]]] = ...) -> None: ...

class UpsertVerticesResponse(_message.Message):
    __slots__ = ("upserted",)
    UPSERTED_FIELD_NUMBER: _ClassVar[int]
    upserted: int
    def __init__(self, upserted: _Optional[int] = ...) -> None: ...

class GetVertexRequest(_message.Message):
    __slots__ = ("ref",)
    REF_FIELD_NUMBER: _ClassVar[int]
    ref: VertexRef
    def __init__(self, ref: _Optional[_Union[VertexRef, _Mapping]] = ...) -> None: ...

class GetVertexResponse(_message.Message):
    __slots__ = ("vertex",)
    VERTEX_FIELD_NUMBER: _ClassVar[int]
    vertex: Vertex
    def __init__(self, vertex: _Optional[_Union[Vertex, _Mapping]] = ...) -> None: ...

class DeleteVertexRequest(_message.Message):
    __slots__ = ("ref",)
    REF_FIELD_NUMBER: _ClassVar[int]
    ref: VertexRef
    def __init__(self, ref: _Optional[_Union[VertexRef, _Mapping]] = ...) -> None: ...

class DeleteVertexResponse(_message.Message):
    __slots__ = ("edges_deleted",)
    EDGES_DELETED_FIELD_NUMBER: _ClassVar[int]
    edges_deleted: int
    def __init__(self, edges_deleted: _Optional[int] = ...) -> None: ...

class UpsertEdgesRequest(_message.Message):
    __slots__ = ("edges",)
    EDGES_FIELD_NUMBER: _ClassVar[int]
    edges: _containers.RepeatedCompositeFieldContainer[Edge]
    def __init__(self, edges: _Optional[_Iterable[_Union[Edge, _Mapping]]] = ...) -> None: ...

class UpsertEdgesResponse(_message.Message):
    __slots__ = ("upserted",)
    UPSERTED_FIELD_NUMBER: _ClassVar[int]
    upserted: int
    def __init__(self, upserted: _Optional[int] = ...) -> None: ...

class DeleteEdgeRequest(_message.Message):
    __slots__ = ("to", "type")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    to: VertexRef
    type: EdgeType
    def __init__(self, to: _Optional[_Union[VertexRef, _Mapping]] = ..., type: _Optional[_Union[EdgeType, str]] = ..., **kwargs) -> None: ...

class DeleteEdgeResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...

class TraverseRequest(_message.Message):
    __slots__ = ("start", "direction", "min_depth", "max_depth", "edge_types", "limit")
    START_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    MIN_DEPTH_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    EDGE_TYPES_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    start: VertexRef
    direction: Direction
    min_depth: int
    max_depth: int
    edge_types: _containers.RepeatedScalarFieldContainer[EdgeType]
    limit: int
    def __init__(self, start: _Optional[_Union[VertexRef, _Mapping]] = ..., direction: _Optional[_Union[Direction, str]] = ..., min_depth: _Optional[int] = ..., max_depth: _Optional[int] = ..., edge_types: _Optional[_Iterable[_Union[EdgeType, str]]] = ..., limit: _Optional[int] = ...) -> None: ...

class TraversalHit(_message.Message):
    __slots__ = ("vertex", "depth", "path", "path_weight")
    VERTEX_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    PATH_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    vertex: Vertex
    depth: int
    path: _containers.RepeatedCompositeFieldContainer[Edge]
    path_weight: float
    def __init__(self, vertex: _Optional[_Union[Vertex, _Mapping]] = ..., depth: _Optional[int] = ..., path: _Optional[_Iterable[_Union[Edge, _Mapping]]] = ..., path_weight: _Optional[float] = ...) -> None: ...

class TraverseResponse(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[TraversalHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[TraversalHit, _Mapping]]] = ...) -> None: ...

class GetStrategyDependenciesRequest(_message.Message):
    __slots__ = ("strategy_key",)
    STRATEGY_KEY_FIELD_NUMBER: _ClassVar[int]
    strategy_key: str
    def __init__(self, strategy_key: _Optional[str] = ...) -> None: ...

class GetStrategyDependenciesResponse(_message.Message):
    __slots__ = ("dependencies",)
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    dependencies: _containers.RepeatedCompositeFieldContainer[TraversalHit]
    def __init__(self, dependencies: _Optional[_Iterable[_Union[TraversalHit, _Mapping]]] = ...) -> None: ...

class ResolvePermissionsRequest(_message.Message):
    __slots__ = ("subject",)
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    subject: VertexRef
    def __init__(self, subject: _Optional[_Union[VertexRef, _Mapping]] = ...) -> None: ...

class ResolvePermissionsResponse(_message.Message):
    __slots__ = ("permissions", "roles")
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    permissions: _containers.RepeatedScalarFieldContainer[str]
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, permissions: _Optional[_Iterable[str]] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...
