"""The built wheel installs into a fresh venv and its native module matches the package version."""

import os
import pathlib
import shutil
import subprocess
import sys
import venv

import pytest
import scrm
from conftest import REPO


def test_native_module_version_is_checked_at_import(monkeypatch):
    from importlib import metadata

    assert scrm.__version__ == scrm._native.__version__
    assert scrm._pep440(scrm.__version__) == metadata.version("scrm")
    assert scrm._pep440("0.2.0-beta.1") == "0.2.0b1"
    assert scrm._pep440("1.0.0-rc.2") == "1.0.0rc2"
    monkeypatch.setattr(scrm._native, "__version__", "9.9.9")
    with pytest.raises(ImportError, match="9.9.9"):
        scrm._check_native_version()


def maturin():
    found = shutil.which("maturin") or shutil.which("maturin", path=os.path.dirname(sys.executable))
    if found is None:
        pytest.skip("maturin is not installed in this environment; it builds the wheel under test")
    return found


def test_abi3_wheel_installs_into_a_fresh_venv(tmp_path: pathlib.Path):
    # A debug build: a release build takes minutes and proves nothing more about packaging.
    build = subprocess.run(
        [maturin(), "build", "--out", str(tmp_path / "dist"), "--manifest-path", str(REPO / "bindings-python/Cargo.toml")],
        capture_output=True,
        check=False,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheels = list((tmp_path / "dist").glob("scrm-*.whl"))
    assert len(wheels) == 1 and "-abi3-" in wheels[0].name, wheels

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(wheels[0])],
        capture_output=True,
        check=False,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    code = (
        "import scrm; "
        f"assert scrm.__version__ == {scrm.__version__!r}; "
        "print(scrm.Condition.parse('score >= 60 and has_tag(\"x\")').to_text())"
    )
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == 'score >= 60 and has_tag("x")'
