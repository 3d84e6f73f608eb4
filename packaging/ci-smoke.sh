#!/usr/bin/env bash
# Build the wheel, sdist and frozen program (packaging/build.sh), then use both the installed
# wheel and the frozen program, unpacked outside the checkout, as a preparer would:
# --version, a demo database, a Client Authorization PDF with its fonts, the login window
# on a real X server (Xvfb; offscreen when there is none) and the menu entry.
#
#     packaging/ci-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash packaging/build.sh
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' mtc_desktop/__init__.py)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf dist/mtc-desktop-"$version"-"$(uname -s | tr '[:upper:]' '[:lower:]')"-"$(uname -m)".tar.gz

fail() {
  echo "ci-smoke: $*" >&2
  exit 1
}

check() { # check LABEL COMMAND
  local label=$1 cmd=$2 out=$work/$1
  mkdir -p "$out"
  printf '\n== %s: %s\n' "$label" "$cmd"
  [ "$("$cmd" --version)" = "mtc-desktop $version" ] || fail "$label: --version is not $version"

  (cd "$out" && "$cmd" demo-data --database demo.db >/dev/null) || fail "$label: demo-data failed"
  "$cmd" authorization-pdf --all-pending --database "$out/demo.db" -o "$out/pdfs"
  local first number
  first=$(find "$out/pdfs" -name '*.pdf' | sort | head -1)
  [ -n "$first" ] || fail "$label: no pending printed-form request in the demo database"
  number=$(basename "$first" .pdf)
  "$cmd" authorization-pdf "$number" --database "$out/demo.db" -o "$out/form.pdf"
  [ "$(head -c 5 "$out/form.pdf")" = "%PDF-" ] || fail "$label: form.pdf is not a PDF"
  # The fonts come from resources/fonts: embedded subsets prove the program found them.
  # The form's objects are in compressed object streams, so pikepdf reads them.
  local py="$root/build/venv/bin/python"
  "$py" -c 'import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
fonts = {str(o.BaseFont) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/BaseFont" in o}
sys.exit(not any(font.endswith("+DejaVuSans") for font in fonts))' "$out/form.pdf" ||
    fail "$label: the PDF does not embed DejaVu Sans"
  "$py" -c 'import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
sys.exit(sys.argv[2] not in str(pdf.docinfo.get("/Title", "")))' \
    "$out/form.pdf" "$number" || fail "$label: the PDF does not name request $number"
  echo "PDF: $number, $(wc -c <"$out/form.pdf") bytes, fonts embedded"

  # The login window: shown, painted, window icon loaded, then quit (MTC_DESKTOP_SMOKE).
  local said
  if command -v xvfb-run >/dev/null; then
    said=$(cd "$out" && MTC_DESKTOP_SMOKE=1 timeout 120 \
      env -u QT_QPA_PLATFORM xvfb-run -a "$cmd" --demo 2>"$out/gui.log") || true
  else
    said=$(cd "$out" && MTC_DESKTOP_SMOKE=1 QT_QPA_PLATFORM=offscreen timeout 120 \
      "$cmd" --demo 2>"$out/gui.log") || true
  fi
  [ "$said" = "ok" ] || { cat "$out/gui.log" >&2; fail "$label: the login window did not start"; }
  echo "GUI: login window shown with its icon ($(command -v xvfb-run >/dev/null && echo Xvfb || echo offscreen))"
}

# The FAQ the help window shows (and the tours' data) ship in both.
# (The listing is read whole first: grep -q stopping early would kill unzip with SIGPIPE,
# which pipefail counts as a failure.)
listing=$(unzip -l dist/mtc_desktop-"$version"-py3-none-any.whl)
for file in faq.json third-party-access-faq.txt tours.json; do
  grep -q "mtc_desktop/resources/help/$file\$" <<<"$listing" ||
    fail "the wheel lacks resources/help/$file"
  [ -n "$(find "$work/mtc-desktop" -path "*/resources/help/$file")" ] ||
    fail "the frozen program lacks resources/help/$file"
done
echo "help: the FAQ and its tours are in the wheel and the frozen program"

check wheel "$root/build/venv/bin/mtc-desktop"
check frozen "$work/mtc-desktop/mtc-desktop"

printf '\n== menu entry from the frozen program\n'
XDG_DATA_HOME=$work/share sh "$work/mtc-desktop/install-desktop-entry.sh"
entry=$work/share/applications/org.mtcdesktop.MtcDesktop.desktop
grep -q "^Exec=\"$work/mtc-desktop/mtc-desktop\"$" "$entry" || fail "the menu entry does not run the bundle"
[ -f "$work/share/icons/hicolor/48x48/apps/mtc-desktop.png" ] || fail "no 48 px icon installed"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$entry" || fail "the installed menu entry is not valid"
fi
echo "menu entry: $entry"

printf '\nci-smoke: wheel %s KB, frozen program %s MB unpacked, archive %s MB: all checks passed\n' \
  "$(($(wc -c <dist/mtc_desktop-"$version"-py3-none-any.whl) / 1024))" \
  "$(du -sm dist/mtc-desktop | cut -f1)" \
  "$(du -sm dist/mtc-desktop-"$version"-*.tar.gz | cut -f1)"
