#!/usr/bin/env bash
# Compiles the ERC-20 test token core/chain/ethereum/testdata/token/Token.sol
# with solc-js (pinned, installed once through npm into the user's cache dir)
# and writes Token.abi and Token.bin beside it. Both are committed, so tests
# never need node; run this only after changing Token.sol.
# Usage: scripts/token.sh           regenerate Token.abi and Token.bin
#        scripts/token.sh --check   fail if the committed files are stale
set -euo pipefail
solc_version=0.8.37
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/core/chain/ethereum/testdata/token"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/depositdesk/npm"
solcjs="$cache/node_modules/.bin/solcjs"

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v npm >/dev/null || { echo "scripts/token.sh needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
stamp="$cache/.solc-$solc_version"
if [ ! -x "$solcjs" ] || [ ! -e "$stamp" ]; then
  echo "Installing solc-js $solc_version into $cache (once) ..." >&2
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --silent "solc@$solc_version" >&2
  touch "$stamp"
fi

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
# Compile from inside the directory with a bare file name: the source path
# is part of the metadata hash at the end of the bytecode, so this keeps the
# output identical on every machine.
(cd "$dir" && "$solcjs" --bin --abi -o "$out" Token.sol >&2)
# solcjs names its outputs <file>_<contract>; the harness loads Token.*.
for ext in abi bin; do
  f="$out/Token_sol_Token.$ext"
  [ -s "$f" ] || { echo "solcjs wrote no $f" >&2; exit 1; }
  if $check; then
    cmp -s "$f" "$dir/Token.$ext" || { echo "$dir/Token.$ext is stale: run scripts/token.sh" >&2; exit 1; }
  else
    cp "$f" "$dir/Token.$ext"
  fi
done
$check && echo "Token.abi and Token.bin match Token.sol" >&2 || echo "wrote $dir/Token.abi and Token.bin" >&2
