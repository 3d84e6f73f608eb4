"""Entry script of the frozen program (PyInstaller runs a script, not a console_scripts
entry point): the same ``mtc-desktop`` command as the installed package."""

import sys

from mtc_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
