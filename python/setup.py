"""Installs the rft Python package with its native module, from a build of this repository.

    scripts/build.sh                       # builds build/python/rft/_native*.so
    python3 -m venv --system-site-packages .venv
    .venv/bin/pip install --no-build-isolation ./python

RFT_BUILD_DIR names another build directory (default: ../build), RFT_SOURCE_ROOT the repository
(default: ..) whose stdlib/ is bundled. Only the standard library,
setuptools and pip (Debian's python3-setuptools, python3-pip, python3-venv) are needed.
"""

import glob
import os
import shutil

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.environ.get("RFT_SOURCE_ROOT", os.path.dirname(HERE)))


def build_dir():
    return os.path.abspath(os.environ.get("RFT_BUILD_DIR", os.path.join(ROOT, "build")))


class BuildWithNative(build_py):
    """Copies the native module, librft_grader.so (which it finds next to itself) and the
    standard library of .reward templates into the package."""

    def run(self):
        super().run()
        build = build_dir()
        natives = glob.glob(os.path.join(build, "python", "rft", "_native*.so"))
        grader = os.path.join(build, "runtime", "grader", "librft_grader.so")
        if not natives or not os.path.exists(grader):
            raise SystemExit("rft: no native module in %s; build first (scripts/build.sh) or set "
                             "RFT_BUILD_DIR to a build directory" % build)
        dest = os.path.join(self.build_lib, "rft")
        for path in natives + [grader]:
            shutil.copy2(path, dest)
        stdlib = os.path.join(dest, "stdlib")
        shutil.rmtree(stdlib, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, "stdlib"), stdlib)


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True  # a platform wheel: it holds native code


setup(
    name="rft",
    version="0.1.0",
    description="rft graders: .reward specs compiled to native code, for Python trainers",
    packages=["rft"],
    python_requires=">=3.9",
    cmdclass={"build_py": BuildWithNative},
    distclass=BinaryDistribution,
    zip_safe=False,
)
