"""The cell body is data, not a program: aliases, duplicates, NaN, non-JSON types,
nesting, interpolated values; and every bad cell fails with one UsageError line."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import sandbox
from bytenite_nb.magic._body import read_body
from bytenite_nb.magic._data import (
    MAX_ALIAS_VALUES,
    BodyError,
    read_json,
    read_yaml,
    uses_libyaml,
)
from bytenite_nb.models import MAX_NESTING

#: The hypothesis suites scale with the loaded profile (BYTENITE_HYPOTHESIS_PROFILE).
EXAMPLES = max(10, settings.default.max_examples // 4)


def bomb(levels: int, width: int = 10) -> str:
    """A YAML "billion laughs": ``width ** levels`` strings from a few hundred bytes."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines)


def indent(text: str, by: str) -> str:
    return "".join(f"{by}{line}\n" for line in text.splitlines())


@pytest.fixture(params=[True, False], ids=["libyaml", "pure-python"])
def libyaml(request: pytest.FixtureRequest) -> bool:
    flag: bool = request.param
    return flag


def refused(text: str, libyaml: bool = True) -> str:
    with pytest.raises(BodyError) as info:
        read_yaml(text, libyaml=libyaml)
    return str(info.value)


# -- YAML rules, with libyaml and with the pure-Python parser ---------------------------


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    import yaml

    assert uses_libyaml() == bool(getattr(yaml, "__with_libyaml__", False))


def test_an_alias_bomb_is_refused_naming_the_line(libyaml: bool) -> None:
    # 10**6 strings once expanded: the old loader built them (and the card walked them)
    message = refused(f"templateId: t\nparams:\n  app:\n{indent(bomb(6), '    ')}", libyaml)
    assert f"YAML aliases repeat more than {MAX_ALIAS_VALUES:,} values" in message
    assert message.startswith("line ")


@pytest.mark.parametrize(
    ("text", "where"),
    [("templateId: t\nname: a\x01b", "line 2, column 8"), ("é: 1\nb: \ud800", "line 2, column 4")],
)
def test_a_character_yaml_refuses_is_a_body_error_naming_the_place(
    text: str, where: str, libyaml: bool
) -> None:
    # PyYAML's readers refuse control characters and lone surrogates (libyaml as a
    # UnicodeEncodeError), some while the loader is built: each a BodyError, line and column.
    assert refused(text, libyaml).startswith(f"malformed YAML at {where}: the character")


def test_a_billion_laughs_is_refused_in_any_field(libyaml: bool) -> None:
    message = refused(f"templateId: t\nname:\n{indent(bomb(9), '  ')}", libyaml)
    assert "aliases repeat more than" in message


def test_a_recursive_alias_is_refused(libyaml: bool) -> None:
    assert "recursive alias" in refused("templateId: t\nparams: &p {app: *p}\n", libyaml)


def test_modest_aliases_and_merge_keys_still_work(libyaml: bool) -> None:
    text = (
        "base: &base {jobTimeout: 60, isTestJob: true}\n"
        "config:\n  <<: *base\n  jobTimeout: 90\n"
        "params: {app: {a: &v [1, 2], b: *v}}\n"
    )
    data = read_yaml(text, libyaml=libyaml)
    assert data["config"] == {"jobTimeout": 90, "isTestJob": True}
    assert data["params"]["app"] == {"a": [1, 2], "b": [1, 2]}
    assert data["params"]["app"]["a"] is not data["params"]["app"]["b"]  # a tree, not a graph


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("templateId: t\nname: a\nname: b\n", "line 3, column 1"),
        ("params:\n  app: {x: 1, y: 2, x: 3}\n", "line 2, column 21"),
        ("params:\n  app:\n    1: a\n    '1': b\n", "line 4, column 5"),  # the same JSON key
    ],
)
def test_duplicate_keys_are_refused_with_line_and_column(
    text: str, where: str, libyaml: bool
) -> None:
    message = refused(text, libyaml)
    assert message.startswith(where) and "duplicate key" in message


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.Inf", "+.inf", "1.0e+400"])
def test_nan_and_infinities_are_refused(value: str, libyaml: bool) -> None:
    message = refused(f"templateId: t\nparams:\n  app: {{x: {value}}}\n", libyaml)
    assert message.startswith("line 3, column 12") and "NaN and infinities" in message


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!set {a, b}", "!!set"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!omap [a: 1]", "!!omap"),
        ("!!pairs [a: 1]", "!!pairs"),
        ("!!timestamp 2026-11-28", "!!timestamp"),
        ("!!python/object:os.system ls", "!!python/object:os.system"),
        ("!!python/name:builtins.eval ''", "!!python/name:builtins.eval"),
        ("!custom x", "!custom"),
    ],
)
def test_types_json_does_not_have_are_refused(value: str, tag: str, libyaml: bool) -> None:
    message = refused(f"templateId: t\nname: {value}\n", libyaml)
    assert message.startswith("line 2, column 7") and f"{tag} is not a JSON type" in message
    assert "dates and times are read as strings" in message


def test_dates_and_times_stay_strings_and_json_tags_work(libyaml: bool) -> None:
    text = "a: 2026-11-28\nb: 2026-11-28 12:30:00\nc: 12:30:00\nd: !!str 12\ne: !!int '7'\n"
    assert read_yaml(text, libyaml=libyaml) == {
        "a": "2026-11-28",
        "b": "2026-11-28 12:30:00",
        "c": "12:30:00",
        "d": "12",
        "e": 7,
    }


def test_nesting_is_limited(libyaml: bool) -> None:
    deep = "a: " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n"
    assert f"nested more than {MAX_NESTING} levels deep" in refused(deep, libyaml)
    ok = "a: " + "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1) + "\n"
    assert isinstance(read_yaml(ok, libyaml=libyaml)["a"], list)


def test_non_scalar_keys_and_bad_explicit_scalars_are_refused(libyaml: bool) -> None:
    assert "a key must be a string" in refused("? [a, b]\n: 1\n", libyaml)
    assert "'abc' is not a valid !!int" in refused("a: !!int abc\n", libyaml)


# -- JSON rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "what"),
    [
        ('{"templateId": "t",\n "name": "a", "name": "b"}', "line 2, column 15", "duplicate key"),
        ('{"a": {"x": 1,\n  "y": {"x": 2}, "x": 3}}', "line 2, column 18", "duplicate key"),
        ('{"params": {"app": {"x": NaN}}}', "line 1, column 26", "NaN and infinities"),
        ('{"a":\n [1, -Infinity]}', "line 2, column 6", "NaN and infinities"),
        ('{"a": Infinity}', "line 1, column 7", "NaN and infinities"),
        ('{"a": 1e400}', "line 1, column 7", "NaN and infinities"),
        ('{"a": "x NaN, \\"y\\"", "b": 1, "b": 2}', "line 1, column 31", "duplicate key"),
        ("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), "line 1, column 101", "nested"),
        ("[" * 100_000 + "]" * 100_000, "line 1, column 101", "nested"),
    ],
)
def test_json_bodies_follow_the_same_rules(text: str, start: str, what: str) -> None:
    with pytest.raises(BodyError) as info:
        read_json(text)
    assert str(info.value).startswith(start) and what in str(info.value)


def test_big_json_numbers_and_strings_that_look_like_constants_are_fine() -> None:
    data = read_json('{"a": 12345678901234567890123, "b": "NaN", "c": [1.5e300, -0.0]}')
    assert data == {"a": 12345678901234567890123, "b": "NaN", "c": [1.5e300, -0.0]}


# -- interpolation ----------------------------------------------------------------------


def test_interpolated_text_keeps_every_character() -> None:
    # json.dumps escaped 😀 as a surrogate pair that YAML read as two lone surrogates
    # (pure Python) or refused (libyaml); DEL and U+FEFF are not allowed raw in YAML.
    value = "😀 caf\u00e9 \x7f \ufeff \u2028 \"quoted\" 'single' {{ }} \\"
    namespace = {"v": value}
    assert read_body("templateId: t\nname: {{ v }}\n", namespace)["name"] == value
    assert read_body("templateId: t\nname: '{{ v }}'\n", {"v": "😀"})["name"] == '"😀"'
    assert read_body("templateId: t\nname: x-{{ v }}\n", namespace)["name"].startswith('x-"😀 ')
    assert read_body('{"templateId": "t", "name": {{ v }}}', namespace)["name"] == value


def test_a_whole_value_keeps_its_json_types() -> None:
    # Inserted as JSON text and read by the YAML reader: nothing may change type
    # (YAML 1.1 reads 1e-05 as text, "yes" as true, 12:30 as a number, U+2028 as a break).
    tricky = [1e-05, -2e-07, 1e16, 1.5e300, 0.1, -0.0, 2**70, "yes", "12:30", "1e5", "null"]
    tricky += ["~", "", "a\u2028b\x85c", "- x", "#", "&a *a", {"": None, "on": [True, False]}]
    big = {"rows": [{"id": i, "name": f"row {i}", "w": i / 3, "t": tricky} for i in range(2000)]}
    body = "templateId: t\nparams:\n  app: {{ big }}\n  partitioner: {x: [{{ n }}, 2]}\n"
    data = read_body(body, {"big": big, "n": 1e-05})
    assert data["params"]["app"] == big and data["params"]["partitioner"] == {"x": [1e-05, 2]}
    assert read_body('{"templateId": "t", "params": {"app": {{ big }}}}', {"big": big}) == {
        "templateId": "t",
        "params": {"app": big},
    }


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("float('nan')", "is not a JSON value"),
        ("{'a': float('inf')}", "is not a JSON value"),
        ("'\\ud800'", "lone surrogate"),
        ("deep", "nested"),
    ],
)
def test_bad_interpolated_values_are_refused(expr: str, fragment: str) -> None:
    deep: list[object] = []
    for _ in range(MAX_NESTING + 5):
        deep = [deep]
    namespace = {"deep": deep}
    with pytest.raises(UsageError) as info:
        read_body(f"templateId: t\nparams:\n  app: {{x: {{{{ {expr} }}}}}}\n", namespace)
    assert fragment in str(info.value)


# -- through the magic: one UsageError line, nothing sent -------------------------------


def fails_with_one_line(ip: InteractiveShell, line: str, cell: str) -> str:
    with capture_output() as captured:
        result = ip.run_cell(f"%%bytenite {line}\n{cell}")
    assert not result.success
    error = result.error_in_exec
    assert isinstance(error, UsageError), repr(error)
    assert "Traceback" not in captured.stdout + captured.stderr
    message = str(error)
    assert "\n" not in message and len(message) <= 400
    return message


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        (f"templateId: t\nparams:\n  app:\n{indent(bomb(9), '    ')}", "aliases repeat"),
        (f"templateId: t\ndescription:\n{indent(bomb(9), '  ')}", "aliases repeat"),
        ("templateId: t\nname: a\nname: b\n", "line 3, column 1: duplicate key 'name'"),
        ("templateId: t\nparams: {app: {x: .nan}}\n", "NaN and infinities"),
        ("templateId: t\nname: !!binary aGVsbG8=\n", "!!binary is not a JSON type"),
        ('{"templateId": "t", "templateId": "u"}', "duplicate key 'templateId'"),
        ("templateId: t\nparams: {app: {{ deep }}}\n", "nested"),
        ("", "the cell body is empty"),
    ],
)
def test_bad_bodies_fail_dry_runs_with_one_line(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, cell: str, fragment: str
) -> None:
    deep: list[object] = []
    for _ in range(2000):
        deep = [deep]
    shell.user_ns["deep"] = deep
    assert fragment in fails_with_one_line(shell, "draft --dry-run", cell)
    assert fresh_server.sandbox.requests == []


FRAGMENTS = [
    "templateId: t",
    "name: x",
    "name: y",
    "a: &a [1, 2]",
    "b: *a",
    "c: *nope",
    "d: &d {x: *d}",
    "params: {app: {x: .inf}}",
    "params:\n  app: {{ n }}",
    "params:\n  app: {{ s }}",
    "name: {{ 1/0 }}",
    "name: {{ undefined_name }}",
    "name: {{ }}",
    "name: {{ float('nan') }}",
    "name: {{ object() }}",
    "name: {{ deep }}",
    "x: !!set {a}",
    "x: !!python/object:os.system ls",
    "x: 2026-11-28",
    "config: {taskTimeout: -1}",
    "config: {jobTimeout: 99999999999999999999999999}",
    "config: [1, 2]",
    "params: " + "[" * 150 + "]" * 150,
    "templateId: [unclosed",
    "  bad indent: x",
    "- a",
    '{"templateId": "t", "templateId": "t"}',
    '{"a": NaN}',
    "\ud800",
    "\x00",
    "apiKey: nope",
    "? [a]\n: 1",
    "<<: 3",
]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(string.printable, max_size=30)),
        max_size=6,
    ),
    st.sampled_from(["draft", "", "draft --name z", "draft --task-timeout soon"]),
)
def test_any_body_gives_a_result_or_one_usage_error_line(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, parts: list[str], line: str
) -> None:
    deep: list[object] = []
    for _ in range(3000):
        deep = [deep]
    shell.user_ns.update(n=3, s="😀 \x7f", deep=deep)
    with capture_output() as captured:
        result = shell.run_cell(f"%%bytenite {line} --dry-run\n" + "\n".join(parts))
    if not result.success:
        error = result.error_in_exec
        assert isinstance(error, UsageError), repr(error)
        assert "\n" not in str(error) and len(str(error)) <= 400
    assert "Traceback" not in captured.stdout + captured.stderr
    assert fresh_server.sandbox.requests == []
