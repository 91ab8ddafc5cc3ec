"""Builds carry what the platform reads at run time besides its code.

A checkout runs `make translations` and reads templates/ and migrations/ beside the package; an
installed wheel has no checkout. So building (`pip wheel .`, `pip install .`) compiles the message
catalogues into the package and copies templates/ and migrations/ into it (config.py looks there
when no checkout is beside the package). Everything else is in setup.cfg.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BESIDE = ("templates", "migrations")


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        package = Path(self.build_lib) / "governance_app"
        self._compile_catalogues(package / "translations")
        for name in BESIDE:
            target = package / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    @staticmethod
    def _compile_catalogues(translations: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in (ROOT / "governance_app" / "translations").glob("*/LC_MESSAGES/messages.po"):
            with po.open("rb") as handle:
                catalogue = read_po(handle, locale=po.parent.parent.name)
            target = translations / po.relative_to(po.parents[2]).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                write_mo(handle, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogues})
