"""The stand-in terminal against the MetaTrader5 package's published type stubs
(metatrader5-stubs): the same constants, the same tick fields in the same order, and the same
signatures for what the bridge calls."""
import ast
import importlib.util
import pathlib

import pytest

import mt5_standin


def stubs() -> ast.Module:
    spec = importlib.util.find_spec("MetaTrader5-stubs")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "__init__.pyi" if spec else None
    if not path or not path.exists():
        pytest.skip("metatrader5-stubs is not installed")
    return ast.parse(path.read_text())


def test_constants_match_the_stubs():
    tree = stubs()
    values = {n.target.id: n.value for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.value is not None}
    for name in ("COPY_TICKS_ALL", "COPY_TICKS_INFO", "COPY_TICKS_TRADE", "TICK_FLAG_BID", "TICK_FLAG_ASK", "TICK_FLAG_LAST", "TICK_FLAG_VOLUME", "TICK_FLAG_BUY", "TICK_FLAG_SELL"):
        assert getattr(mt5_standin, name) == ast.literal_eval(values[name]), name


def test_tick_fields_match_the_stubs():
    tick = next(n for n in stubs().body if isinstance(n, ast.ClassDef) and n.name == "Tick")
    fields = [n.target.id for n in tick.body if isinstance(n, ast.AnnAssign)]
    assert list(mt5_standin.TICK_DTYPE.names) == fields


def test_signatures_match_the_stubs():
    functions = {n.name: n for n in stubs().body if isinstance(n, ast.FunctionDef)}
    for name in ("initialize", "shutdown", "last_error", "symbol_select"):
        stub = functions[name].args
        ours = ast.parse(pathlib.Path(mt5_standin.__file__).read_text())
        mine = next(n for n in ours.body if isinstance(n, ast.FunctionDef) and n.name == name).args
        assert [a.arg for a in mine.args] == [a.arg for a in stub.args], name
        assert [a.arg for a in mine.kwonlyargs] == [a.arg for a in stub.kwonlyargs], name
