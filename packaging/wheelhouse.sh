#!/usr/bin/env bash
# Put MTC Desktop's wheel and every wheel it needs into one folder, to install on a machine
# with no network:
#
#     packaging/wheelhouse.sh [FOLDER]          # default dist/wheelhouse
#
# then copy FOLDER to the offline machine and there:
#
#     python3 -m venv ~/mtc-desktop
#     ~/mtc-desktop/bin/pip install --no-index --find-links FOLDER mtc-desktop
#
# Run it on a machine like the offline one: the same operating system, processor
# architecture and Python minor version (the Qt and argon2 wheels are built per platform).
# On Windows, run the two pip commands of this script by hand. Uses dist/'s wheel of this
# version, building it first when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-dist/wheelhouse}
python=${PYTHON:-python3}
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' mtc_desktop/__init__.py)
wheel=dist/mtc_desktop-$version-py3-none-any.whl

if [ ! -f "$wheel" ]; then
  "$python" -m pip wheel -q --disable-pip-version-check --no-deps --wheel-dir dist .
fi
mkdir -p "$out"
# pip wheel takes each dependency's wheel from the index, and builds one where the index
# has only a source archive, so that the offline install never needs to build anything.
"$python" -m pip wheel -q --disable-pip-version-check --wheel-dir "$out" "$wheel"
echo "wheelhouse: $out, $(find "$out" -name '*.whl' | wc -l) wheels, $(du -sm "$out" | cut -f1) MB"
echo "install with: pip install --no-index --find-links $out mtc-desktop"
