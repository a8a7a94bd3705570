"""Load a playbook (the sample by default) and print its tag taxonomy, or every problem it has.

    .venv/bin/python examples/python/playbook_summary.py [path/to/playbook.json|.toml]
"""

import pathlib
import sys

import scrm

path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[1] / "playbooks/brand.toml")
text = path.read_text(encoding="utf-8")
load = scrm.Playbook.from_toml if path.suffix == ".toml" else scrm.Playbook.from_json

try:
    playbook = load(text)
except scrm.ScrmError as err:
    print(f"{path} does not load ({err.kind}):", file=sys.stderr)
    for problem in err.problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)

print(f"{playbook.tenant_id} ({playbook.timezone}), scrm {scrm.__version__}")
for group in sorted(playbook.tag_groups, key=lambda g: -g.order):
    mode = "exclusive" if group.exclusive else "multi"
    print(f"  {group.name} [{mode}]: {', '.join(t.name for t in group.tags)}")
