"""`pip install ./python` into a fresh virtual environment, with only Debian's Python tools."""

import os
import shutil
import subprocess
import sys

import pytest


def test_pip_install_into_a_venv(root, tmp_path):
    build = os.environ["RFT_BUILD_DIR"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    # From a copy, so that the build leaves nothing in the source tree.
    source = tmp_path / "python"
    shutil.copytree(os.path.join(root, "python"), source,
                    ignore=shutil.ignore_patterns("build", "*.egg-info"))
    env = dict(os.environ, RFT_BUILD_DIR=build, RFT_SOURCE_ROOT=root, PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    env.pop("RFT_STDLIB", None)
    subprocess.run(pip + ["install", "--no-build-isolation", "--quiet", str(source)],
                   check=True, env=env, cwd=str(tmp_path), capture_output=True)
    script = (
        "import rft, os\n"
        "assert os.path.dirname(rft.__file__).startswith(%r)\n"
        "g = rft.load(%r, reward='gsm8k', cache=False)\n"
        "print(g.grade(['#### 7'], answer=['7']).components['correct'])\n"
        % (str(venv), os.path.join(root, "examples", "gsm8k.reward")))
    out = subprocess.run([str(venv / "bin" / "python"), "-c", script], env=env, cwd=str(tmp_path),
                         check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[1.0]"
