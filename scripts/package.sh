#!/usr/bin/env bash
# Builds the installers into dist/, named and versioned by FyneApp.toml
# (docs/packaging.md says what each is and how to check it):
#   DepositDesk-<version>.msi          Windows: per-machine installer of both programs, signed
#   deposit-desk_<version>_amd64.deb   Debian/Ubuntu: both programs, desktop entry, dependencies
#   Deposit Desk.tar.xz                other Linux: unpack, then `sudo make install`
#   Deposit Desk.exe, depositctl-windows-amd64.exe, depositctl-linux-amd64: the bare
#                                      programs (the .exe files signed, as inside the MSI)
#   SHA256SUMS                         of all of the above
#   test-signing-cert.pem              only when no certificate is configured (below)
# Windows files are signed with the certificate named by DEPOSITDESK_SIGN_CERT
# and DEPOSITDESK_SIGN_KEY (scripts/package-sign.sh); without them, with a
# throwaway self-signed test certificate made here, whose key is deleted at exit.
# macOS is not built here: it needs a Mac (docs/packaging.md).
# The fyne packaging tool is pinned and installed once into the user's cache.
# Usage: GO=/path/to/go scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
# The build tags are the Makefile's (GOTAGS); fyne package needs them given.
GOTAGS=${GOTAGS?run through make package: the Makefile sets GOTAGS}
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
    --app-version "$version" --app-build "$build" --release --tags "$GOTAGS")
}
rm -rf dist && mkdir -p dist
keys=$(mktemp -d); trap 'rm -rf "$keys"' EXIT
if [ -z "${DEPOSITDESK_SIGN_CERT:-}" ]; then
  echo "No DEPOSITDESK_SIGN_CERT: signing with a throwaway test certificate (dist/test-signing-cert.pem), which Windows does not trust." >&2
  openssl req -x509 -newkey rsa:3072 -nodes -days 30 -subj "/CN=$name test signing (not trusted)" \
    -addext extendedKeyUsage=codeSigning -keyout "$keys/key.pem" -out dist/test-signing-cert.pem 2>/dev/null
  export DEPOSITDESK_SIGN_CERT=dist/test-signing-cert.pem DEPOSITDESK_SIGN_KEY="$keys/key.pem"
fi

echo "== Linux" >&2
fyne_package linux
mv "cmd/depositdesk/$name.tar.xz" dist/
CGO_ENABLED=1 GOOS=linux GOARCH=amd64 "$GO" build -trimpath -ldflags "-s -w" -o dist/depositctl-linux-amd64 ./cmd/depositctl
scripts/package-deb.sh "dist/$name.tar.xz" dist/depositctl-linux-amd64 "$version" "$name" "$id"

echo "== Windows" >&2
(
  export CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1
  GOOS=windows GOARCH=amd64 fyne_package windows
  GOOS=windows GOARCH=amd64 "$GO" build -trimpath -ldflags "-s -w" -o dist/depositctl-windows-amd64.exe ./cmd/depositctl
)
mv "cmd/depositdesk/$name.exe" dist/
# The programs are signed before they go into the MSI, so Windows shows the
# publisher when they run as well as when they are installed.
scripts/package-sign.sh "$name $version" "dist/$name.exe" dist/depositctl-windows-amd64.exe
GO=$GO scripts/package-msi.sh "dist/$name.exe" dist/depositctl-windows-amd64.exe "$version" "$name"

echo "== macOS: not built here (it needs a Mac with Xcode, a Developer ID and notarization); see docs/packaging.md" >&2
(cd dist && sha256sum -- * > SHA256SUMS)
ls -l dist/
