#!/usr/bin/env bash
# Prints the path of a Go toolchain new enough for go.mod, installing one if
# needed: an existing go >= 1.26 is used as is; an older one (Debian ships
# 1.19) is used only to download the official toolchain module
# golang.org/toolchain through the module proxy into the user's cache dir.
set -euo pipefail
want=1.26.8
cache="${XDG_CACHE_HOME:-$HOME/.cache}/depositdesk"
local_go="$cache/go$want/bin/go"

new_enough() { # go binary
  local v
  v=$("$1" env GOVERSION 2>/dev/null || true); v=${v#go}
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "1.26" "$v" | sort -V | head -1)" = "1.26" ]
}

for g in "$(command -v go || true)" /usr/local/go/bin/go "$local_go"; do
  if [ -n "$g" ] && [ -x "$g" ] && GOTOOLCHAIN=local new_enough "$g"; then echo "$g"; exit 0; fi
done

boot=$(command -v go || true)
if [ -z "$boot" ]; then
  "$(dirname "$0")/deps.sh" go >&2
  boot=$(command -v go)
fi
echo "Fetching Go $want (the golang.org/toolchain module) into $cache ..." >&2
arch=$(uname -m); case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
mod="golang.org/toolchain@v0.0.1-go$want.linux-$arch"
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
dir=$(cd "$tmp" && GOFLAGS=-mod=mod GOMODCACHE="$tmp/mod" GO111MODULE=on "$boot" mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -f "$dir/bin/go" ] || { echo "could not download $mod" >&2; exit 1; }
mkdir -p "$cache"; rm -rf "$cache/go$want"; cp -a "$dir" "$cache/go$want"; chmod -R u+w "$cache/go$want"
# Module zips carry no file modes; mark the binaries executable as go's own
# toolchain switch does.
chmod +x "$cache/go$want"/bin/* "$cache/go$want"/pkg/tool/*/*
echo "$local_go"
