#!/usr/bin/env bash
# Builds the Windows installer dist/DepositDesk-<version>.msi with wixl from
# the signed desktop .exe and depositctl .exe, then signs the MSI itself.
# Its WiX source is written by internal/msi from FyneApp.toml (per machine
# under Program Files, a Start-menu shortcut, upgrade in place).
# Usage: GO=go scripts/package-msi.sh APP.exe CTL.exe VERSION NAME
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
app=$1 ctl=$2 version=$3 name=$4
out="dist/DepositDesk-$version.msi"
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
cp "$app" "$stage/app.exe"
cp "$ctl" "$stage/depositctl.exe"
# The shortcut's and Apps & features' icon, at the sizes Windows shows.
/usr/bin/convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$stage/icon.ico"
"$GO" run ./internal/msi/wxs -app app.exe -ctl depositctl.exe -icon icon.ico > "$stage/product.wxs"
# wixl takes sources relative to the folder it runs in.
(cd "$stage" && wixl --arch x64 -o product.msi product.wxs)
scripts/package-sign.sh "$name $version installer" "$stage/product.msi"
mv "$stage/product.msi" "$out"
