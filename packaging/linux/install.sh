#!/bin/sh
# Add MTC Desktop to the desktop's application menu: the .desktop entry, the AppStream
# metainfo and the icons (hicolor theme), for one user or for all.
#
#     install.sh [--system] [--exec COMMAND] [--uninstall]
#
# In the frozen program's folder (as install-desktop-entry.sh) the entry starts that
# program; in a source checkout it starts `mtc-desktop` from PATH (pip install).
#   --system     install into /usr/local/share (as root) instead of ~/.local/share
#   --exec CMD   the command the menu entry runs
#   --uninstall  remove what install.sh added
set -eu

APP_ID=org.mtcdesktop.MtcDesktop
here=$(cd "$(dirname "$0")" && pwd)
if [ -d "$here/_internal/resources/icons" ]; then # the frozen program's folder
  icons=$here/_internal/resources/icons
  entries=$here/_internal/linux
  exec_cmd=$here/mtc-desktop
else # packaging/linux/ in a checkout
  icons=$here/../../resources/icons
  entries=$here
  exec_cmd=mtc-desktop
fi
share=${XDG_DATA_HOME:-$HOME/.local/share}
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --system) share=/usr/local/share ;;
    --exec) exec_cmd=$2; shift ;;
    --uninstall) uninstall=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

desktop=$share/applications/$APP_ID.desktop
metainfo=$share/metainfo/$APP_ID.metainfo.xml
sizes="16 32 48 64 128 256"

if [ "$uninstall" = 1 ]; then
  rm -f "$desktop" "$metainfo" "$share/icons/hicolor/scalable/apps/mtc-desktop.svg"
  for size in $sizes; do
    rm -f "$share/icons/hicolor/${size}x${size}/apps/mtc-desktop.png"
  done
  echo "Removed MTC Desktop's menu entry from $share."
else
  mkdir -p "$share/applications" "$share/metainfo" "$share/icons/hicolor/scalable/apps"
  case "$exec_cmd" in
    *[\"\`\$\\%\|\&]*)
      echo "install.sh: put MTC Desktop in a folder whose path has none of \" \` \$ \\ % | &" >&2
      exit 2
      ;;
  esac
  # Quoted, as the desktop entry spec asks of a path that may hold spaces.
  sed -e "s|^Exec=mtc-desktop|Exec=\"$exec_cmd\"|" -e "s|^TryExec=.*|TryExec=$exec_cmd|" \
    "$entries/$APP_ID.desktop" >"$desktop"
  cp "$entries/$APP_ID.metainfo.xml" "$metainfo"
  cp "$icons/mtc-desktop.svg" "$share/icons/hicolor/scalable/apps/mtc-desktop.svg"
  for size in $sizes; do
    mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
    cp "$icons/mtc-desktop-$size.png" "$share/icons/hicolor/${size}x${size}/apps/mtc-desktop.png"
  done
  echo "Installed MTC Desktop's menu entry in $share (it runs: $exec_cmd)."
fi

# Menus and icon caches pick the change up at once where these tools exist.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$share/applications" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$share/icons/hicolor/index.theme" ]; then
  gtk-update-icon-cache -q "$share/icons/hicolor" 2>/dev/null || true
fi
