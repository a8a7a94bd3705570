import pytest

import scrm


def test_version_matches_the_core():
    assert scrm.__version__ == "0.1.0"


def test_sample_loads_equal_from_json_and_toml(repo):
    a = scrm.Playbook.from_json((repo / "examples/playbooks/brand.json").read_text())
    b = scrm.Playbook.from_toml((repo / "examples/playbooks/brand.toml").read_text())
    assert a == b
    assert a.tenant_id == "chayuan-tea"
    assert a.timezone == "Asia/Shanghai"
    assert [c.platform for c in a.channels] == ["wecom", "douyin", "mini_program", "offline"]
    intent = next(g for g in a.tag_groups if g.id == "intent")
    assert intent.exclusive and intent.name == "意向"
    assert [t.name for t in intent.tags] == ["高意向", "中意向", "低意向"]


def test_to_json_round_trips(repo):
    a = scrm.Playbook.from_json((repo / "examples/playbooks/brand.json").read_text())
    assert scrm.Playbook.from_json(a.to_json()) == a


def test_validation_error_lists_every_problem_with_kind_and_paths():
    text = '{"schema_version": 1, "tenant_id": "t", "timezone": "Mars/Olympus", "channels": [{"id": "w", "name": "企业微信", "platform": "wexin"}]}'
    with pytest.raises(scrm.ValidationError) as info:
        scrm.Playbook.from_json(text)
    err = info.value
    assert isinstance(err, scrm.ScrmError)
    assert err.kind == "validation"
    assert [p.path for p in err.problems] == ["channels[0].platform", "timezone"]
    assert '"Mars/Olympus"' in err.problems[1].message
    assert "timezone" in str(err)


def test_validate_returns_problems_without_raising():
    assert scrm.Playbook.validate('{"schema_version": 1, "tenant_id": "t", "timezone": "UTC"}') == []
    problems = scrm.Playbook.validate("schema_version = 2\n", format="toml")
    assert [p.path for p in problems] == ["schema_version"]
    assert "this build reads: 1" in problems[0].message
    with pytest.raises(scrm.ValidationError) as info:
        scrm.Playbook.validate("{}", format="yaml")
    assert info.value.problems[0].path == "format"


@pytest.mark.parametrize(
    "text, loader, kind, cls",
    [
        ("{", scrm.Playbook.from_json, "parse", scrm.ParseError),
        ("a = ", scrm.Playbook.from_toml, "parse", scrm.ParseError),
        ('{"schema_version": 9, "tenant_id": "t", "timezone": "UTC"}', scrm.Playbook.from_json, "unsupported_version", scrm.UnsupportedVersionError),
    ],
)
def test_error_kinds_have_their_own_class(text, loader, kind, cls):
    with pytest.raises(cls) as info:
        loader(text)
    assert info.value.kind == kind


def test_json_schema_is_json():
    import json

    schema = json.loads(scrm.Playbook.json_schema())
    assert schema["additionalProperties"] is False
