#!/usr/bin/env bash
# Build MTC Desktop from this checkout: the wheel and sdist, then the frozen one-folder
# program and its archive.
#
#     packaging/build.sh
#
# Writes dist/mtc_desktop-VERSION-py3-none-any.whl, dist/mtc_desktop-VERSION.tar.gz,
# dist/mtc-desktop/ (the program: run dist/mtc-desktop/mtc-desktop) and
# dist/mtc-desktop-VERSION-OS-ARCH.tar.gz. Needs Python 3.11+ with venv ($PYTHON, default
# python3) and, on Linux, binutils (objdump, strip). Everything else is installed into a
# venv of its own, build/venv. Fails when the unpacked program is over
# $MTC_BUNDLE_LIMIT_MB (200) MB. --no-archive skips the .tar.gz.
set -euo pipefail
cd "$(dirname "$0")/.."

archive=1
for arg in "$@"; do
  case "$arg" in
    --no-archive) archive=0 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
limit_mb=${MTC_BUNDLE_LIMIT_MB:-200}
venv=build/venv
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' mtc_desktop/__init__.py)
step() { printf '\n== %s\n' "$*"; }
seconds() { echo $(($(date +%s) - $1)); }

started=$(date +%s)
step "venv $venv"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check 'build>=1.2'

step "wheel and sdist"
t=$(date +%s)
rm -f dist/mtc_desktop-*.whl dist/mtc_desktop-*.tar.gz
# From the sdist, as build does by default: proves the sdist holds all the wheel needs.
"$venv/bin/python" -m build --outdir dist . >build/build.log 2>&1 || {
  tail -30 build/build.log >&2
  exit 1
}
wheel=dist/mtc_desktop-$version-py3-none-any.whl
ls -l "$wheel" dist/mtc_desktop-"$version".tar.gz
echo "wheel and sdist in $(seconds "$t") s"

step "install the wheel with the packaging tools"
t=$(date +%s)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel[packaging]"
"$venv/bin/mtc-desktop" --version
echo "installed in $(seconds "$t") s"

step "frozen program (PyInstaller)"
t=$(date +%s)
rm -rf dist/mtc-desktop
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/mtc-desktop.spec
bundle=dist/mtc-desktop
cp packaging/linux/install.sh "$bundle/install-desktop-entry.sh"
echo "PyInstaller in $(seconds "$t") s"

size_mb=$(du -sm "$bundle" | cut -f1)
echo "bundle: $bundle, $size_mb MB unpacked ($(find "$bundle" -type f | wc -l) files)"
if [ "$size_mb" -gt "$limit_mb" ]; then
  echo "build.sh: the bundle is $size_mb MB, over the limit of $limit_mb MB" >&2
  exit 1
fi

if [ "$archive" = 1 ]; then
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  name="mtc-desktop-$version-$os-$(uname -m).tar.gz"
  tar -C dist -czf "dist/$name" mtc-desktop
  echo "archive: dist/$name, $(du -m "dist/$name" | cut -f1) MB"
fi
echo "build.sh: done in $(seconds "$started") s"
