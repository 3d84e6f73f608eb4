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
        if not (source / "styles").is_dir():
            raise SystemExit(f"{source} is missing or incomplete: build from a full checkout.")
        target = Path(self.build_lib) / "mtc_desktop" / "resources"
        shutil.copytree(
            source,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"),
        )


setup(cmdclass={"build_py": BuildPyWithResources})
