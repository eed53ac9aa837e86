#!/usr/bin/env bash
# Builds the installers into dist/, with the metadata of FyneApp.toml:
#   Deposit Desk.tar.xz   Linux: the desktop app with its .desktop file and icon
#                         (unpack, then `sudo make install`)
#   Deposit Desk.exe      Windows: the desktop app, GUI subsystem, with its icon
#   depositctl-linux-amd64, depositctl-windows-amd64.exe: the headless CLI
# The fyne packaging tool is pinned and installed once into the user's cache.
# Usage: GO=/path/to/go scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/depositdesk"
tools="$cache/tools-bin"
fyne_version=v1.7.4
if [ ! -x "$tools/fyne" ] || [ ! -e "$tools/.fyne-$fyne_version" ]; then
  echo "Installing the fyne packaging tool $fyne_version into $tools (once) ..." >&2
  mkdir -p "$tools"
  GOBIN="$tools" GOFLAGS=-mod=mod "$GO" install "fyne.io/tools/cmd/fyne@$fyne_version"
  touch "$tools/.fyne-$fyne_version"
fi
# fyne package runs `go build`; it must find the same toolchain.
export PATH="$(dirname "$GO"):$tools:$PATH"
# FyneApp.toml (embedded into the app by appmeta.go) names, versions and
# identifies the packages too.
meta() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -1; }
name=$(meta Name) id=$(meta ID) version=$(meta Version) build=$(meta Build)
fyne_package() { # os
  (cd cmd/depositdesk && fyne package -os "$1" --src . --icon ../../assets/icon.png --name "$name" --app-id "$id" \
    --app-version "$version" --app-build "$build" --release)
}
mkdir -p dist
rm -f "dist/$name.tar.xz" "dist/$name.exe"

echo "== Linux" >&2
fyne_package linux
mv "cmd/depositdesk/$name.tar.xz" dist/
CGO_ENABLED=1 GOOS=linux GOARCH=amd64 "$GO" build -trimpath -ldflags "-s -w" -o dist/depositctl-linux-amd64 ./cmd/depositctl

echo "== Windows" >&2
export CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1
GOOS=windows GOARCH=amd64 fyne_package windows
mv "cmd/depositdesk/$name.exe" dist/
GOOS=windows GOARCH=amd64 "$GO" build -trimpath -ldflags "-s -w" -o dist/depositctl-windows-amd64.exe ./cmd/depositctl
ls -l dist/
