# SPDX-License-Identifier: MIT
"""Builds the extension of the multisock package with the project's own CMake: configures the
repository (tests off) in the build folder setuptools gives, builds the target ms_python and
copies the module where setuptools expects it. Metadata is in pyproject.toml."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parents[2]


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = Path(self.build_temp).resolve() / "cmake"
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                        "-DCMAKE_BUILD_TYPE=Release", "-DMS_BUILD_TESTS=OFF", "-DMS_BINDINGS=ON",
                        f"-DPython3_EXECUTABLE={sys.executable}"], check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "ms_python",
                        "-j", str(os.cpu_count() or 2)], check=True)
        built = sorted((build_dir / "bindings" / "python" / "multisock").glob("_multisock*.so"))
        if not built:
            raise RuntimeError(f"the CMake build made no _multisock module in {build_dir}")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], target)


setup(ext_modules=[Extension("multisock._multisock", sources=[])], cmdclass={"build_ext": CMakeBuild})
