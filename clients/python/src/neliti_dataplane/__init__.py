"""Python client for the Neliti data plane: sync and asyncio, numpy and pandas in and out.

    from neliti_dataplane import Client, tick_pb2
    with Client("127.0.0.1:50051", api_key="...") as client:
        client.write_ticks({"time_msc": t, "bid": bid, "ask": ask}, symbol="EURUSD", broker="ICMarkets")
        frame = client.query_ticks("EURUSD", start, end)
"""
from neliti_dataplane._proto.neliti.dataplane.v1 import cache_pb2, graph_pb2, ops_pb2, stream_pb2, tick_pb2, user_pb2, vector_pb2
from neliti_dataplane.client import AsyncClient, Client, batch_id_of, to_ms
from neliti_dataplane.columns import to_arrays, to_columns, to_frame

__all__ = [
    "AsyncClient",
    "Client",
    "batch_id_of",
    "to_ms",
    "to_arrays",
    "to_columns",
    "to_frame",
    "cache_pb2",
    "graph_pb2",
    "ops_pb2",
    "stream_pb2",
    "tick_pb2",
    "user_pb2",
    "vector_pb2",
]
