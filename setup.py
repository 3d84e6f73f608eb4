"""Build hook: ship resources/ (fonts, icons, styles, help) inside the package, as
mtc_desktop/resources/, where ``mtc_desktop.resources`` looks in an installed wheel."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "resources"
        target = Path(self.build_lib) / "mtc_desktop" / "resources"
        shutil.copytree(source, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithResources})
