#!/usr/bin/env bash
# Installs the blockchain nodes the chain tests run against, pinned, into
# the user's cache dir (once; later runs find them there):
#   btcd + btcctl v0.24.2 (Bitcoin regtest), geth v1.17.10 (Ethereum --dev).
# Prints the bin directory; tests find the binaries through DEPOSITDESK_NODE_BIN.
# Usage: GO=/path/to/go scripts/nodes.sh
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/depositdesk"
bin="$cache/nodes-bin"
go="${GO:-go}"
mkdir -p "$bin"

want() { # binary version-stamp package
  local stamp="$bin/.$1-$2"
  [ -x "$bin/$1" ] && [ -e "$stamp" ] && return 0
  echo "Installing $1 $2 into $bin (once) ..." >&2
  GOBIN="$bin" GOFLAGS=-mod=mod "$go" install "$3@$2" >&2
  touch "$stamp"
}

want btcd v0.24.2 github.com/btcsuite/btcd
want btcctl v0.24.2 github.com/btcsuite/btcd/cmd/btcctl
want geth v1.17.10 github.com/ethereum/go-ethereum/cmd/geth
echo "$bin"
