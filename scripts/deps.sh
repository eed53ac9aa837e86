#!/usr/bin/env bash
# Installs the Debian packages a target needs, only those that are missing.
# Usage: scripts/deps.sh gui|test|screens|package|go
# gui:     what `go build` of the Fyne app needs (cgo, GL, X11 headers).
# test:    gui + a Postgres server, the sqlite3 CLI, Xvfb and xdotool (the desktop benchmark), a Secret Service keyring,
#          node and npm, and the node modules of the interop tests (interop/*:
#          bitcoinjs-lib, ethers; each pinned by its package-lock.json), installed once into
#          the user's cache dir, where the test finds them.
# screens: test + ImageMagick for screenshots.
# package: gui + the Windows cross-compiler, wixl and msitools (build an MSI, read it back),
#          osslsigncode and openssl (Authenticode), and for `make package-check`
#          Xvfb, a D-Bus session, xwininfo and ImageMagick to start the installed app.
set -euo pipefail

gui=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
     libxinerama-dev libxi-dev libxxf86vm-dev libxext-dev)
test=("${gui[@]}" postgresql sqlite3 xvfb xauth xdotool gnome-keyring dbus-x11 libsecret-tools)
screens=("${test[@]}" imagemagick x11-apps xdotool)
package=("${gui[@]}" gcc-mingw-w64-x86-64 xz-utils msitools wixl osslsigncode openssl
         xvfb xauth dbus-daemon x11-utils imagemagick)
go=(golang-go ca-certificates)

case "${1:-}" in
  gui) want=("${gui[@]}") ;;
  test) want=("${test[@]}") ;;
  screens) want=("${screens[@]}") ;;
  package) want=("${package[@]}") ;;
  go) want=("${go[@]}") ;;
  *) echo "usage: $0 gui|test|screens|package|go" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Asked for by command, not package: a node from elsewhere (NodeSource's
# nodejs carries its own npm) must not be replaced by Debian's.
if [ "$1" = test ] && ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Missing packages: ${missing[*]}. Install them with your system's package manager." >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Run as root or install sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$1" = test ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/depositdesk"
  for src in "$(cd "$(dirname "$0")/.." && pwd)"/interop/*/; do
    src="${src%/}"
    dir="$cache/$(basename "$src")"
    # The stamp is the lock file the modules were installed from, written
    # only once npm ci succeeded; a changed lock installs again.
    if ! cmp -s "$src/package-lock.json" "$dir/.installed-lock"; then
      echo "Installing the $(basename "$src") interop test's node modules into $dir ..." >&2
      rm -rf "$dir" && mkdir -p "$dir"
      cp "$src/package.json" "$src/package-lock.json" "$dir/"
      npm ci --prefix "$dir" --cache "$cache/npm-cache" --no-audit --no-fund --silent >&2
      cp "$src/package-lock.json" "$dir/.installed-lock"
    fi
  done
fi
