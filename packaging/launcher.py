"""Entry script of the frozen program (PyInstaller runs a script, not a console_scripts
entry point): the same ``mtc-desktop`` command as the installed package."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A process that multiprocessing spawns (forms.reader parses returned forms in one)
    # starts this executable again; freeze_support() makes it run its task, not the program.
    multiprocessing.freeze_support()

    from mtc_desktop.cli import main

    sys.exit(main())
