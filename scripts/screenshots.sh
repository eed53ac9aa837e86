#!/usr/bin/env bash
# Renders the desk's pages under Xvfb into assets/screenshots/ for the README
# and the operator guide: an empty database for the wizard, then a seeded one
# driven with xdotool (log in — the Home page comes first, rendered with a
# month of deposits by ui.TestScreenshots — open Deposit Records, look at Cryptocurrency Configuration, issue an
# ownership challenge on Customer Wallet Address, see a refund waiting for
# approval, verify the Audit Log, see the Operators, search for a record under verification, cancel it with remarks and the second
# confirmation, open its detail). Coordinates assume the 1280x800 window.
# The refund steps that need a node and a signing key (Execute Refund, the
# customer's notice) are rendered by ui.TestScreenshots through Fyne's
# software painter at the same size, against a stand-in node and key, and so
# is the signing station's window (depositdesk --station) at its 900x650.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=assets/screenshots
# home.png, refund-execute.png, refund-notice.png, station.png
DEPOSITDESK_SCREENSHOTS="$PWD/$out" $GO test ./ui -run '^(TestScreenshots|TestStationScreenshot)$' -count=1 >/dev/null
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
$GO build -o "$dir/depositdesk" ./cmd/depositdesk
$GO build -o "$dir/depositctl" ./cmd/depositctl
export DEPOSITDESK_PASSWORD=admin-password-1 LANG=en_US.UTF-8
echo "$DEPOSITDESK_PASSWORD" | "$dir/depositctl" --db "$dir/seeded.db" operator create --name admin --password-stdin --perm all >/dev/null
"$dir/depositctl" --db "$dir/seeded.db" --operator admin seed --records 5000 --seed 11 >/dev/null 2>&1
# The record to cancel: the newest one still under verification that has no
# TXID yet (one with a TXID needs a node to prove the chain has not seen it).
# The GUI is driven to it through its own Record number filter, so it is
# always row one.
rec=$("$dir/depositctl" --db "$dir/seeded.db" --operator admin --json search --status "Wallet Address Under Verification" --limit 200 2>/dev/null |
  tr '{' '\n' | grep '"txid":""' | sed -n '1s/.*"record_no":"\([^"]*\)".*/\1/p')
y=318
# A refund waiting for its second operator, on the Refunds page.
ref=$("$dir/depositctl" --db "$dir/seeded.db" --operator admin --json search --status credited --limit 1 2>/dev/null |
  sed -n 's/.*"record_no":"\([^"]*\)".*"source_address":"\([^"]*\)".*/\1 \2/p')
"$dir/depositctl" --db "$dir/seeded.db" --operator admin refund request ${ref% *} --address ${ref#* } \
  --identity "video call, ticket 4471" >/dev/null
# A new wallet address waiting for its proof, on the Customer Wallet Address page.
"$dir/depositctl" --db "$dir/seeded.db" --operator admin firm set "Example Securities Co., Ltd." >/dev/null
"$dir/depositctl" --db "$dir/seeded.db" --operator admin address add --customer-no C0000001 --chain ethereum --network mainnet \
  --address 0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb --label "hot wallet" >/dev/null

cat > "$dir/drive.sh" <<EOS
#!/bin/sh
shot() { import -window root "$out/\$1.png"; }
"$dir/depositdesk" --db "$dir/empty.db" & P=\$!; sleep 5; shot wizard; kill \$P; wait \$P 2>/dev/null
"$dir/depositdesk" --db "$dir/seeded.db" & P=\$!; sleep 5; shot login
xdotool type --delay 30 admin; xdotool key Tab; xdotool type --delay 30 "\$DEPOSITDESK_PASSWORD"; xdotool key Return; sleep 4
xdotool mousemove 130 21 click 1; sleep 1; xdotool mousemove 200 $y click 1; sleep 1; shot records
xdotool mousemove 310 21 click 1; sleep 1; shot assets
xdotool mousemove 523 21 click 1; sleep 1; xdotool mousemove 60 279 click 1; sleep 1; shot addresses
xdotool mousemove 430 700 click 1; sleep 1; xdotool mousemove 341 271 click 1; sleep 1; shot proof
xdotool mousemove 640 657 click 1; sleep 1
xdotool mousemove 660 21 click 1; sleep 1; xdotool mousemove 100 279 click 1; sleep 1; shot refunds
xdotool mousemove 742 21 click 1; sleep 1; xdotool mousemove 120 145 click 1; xdotool mousemove 400 318 click 1; sleep 1; shot audit
xdotool mousemove 831 21 click 1; sleep 1; shot operators
xdotool mousemove 130 21 click 1; sleep 1
xdotool mousemove 160 105 click 1; xdotool type --delay 20 "$rec"; xdotool key Return; sleep 2
xdotool mousemove 200 $y click 1; sleep 1
xdotool mousemove 313 700 click 1; sleep 1; xdotool type --delay 20 "Duplicate user request"; sleep 1
xdotool mousemove 494 562 click 1; sleep 1; shot cancel
xdotool mousemove 500 431 click 1; sleep 2
xdotool mousemove 200 $y click 1; sleep 1; xdotool mousemove 246 700 click 1; sleep 3; shot detail
kill \$P
EOS
chmod +x "$dir/drive.sh"
xvfb-run -a -s '-screen 0 1280x800x24' "$dir/drive.sh" 2>&1 | grep -v '^XIO\|after [0-9]* requests' || true
ls -l "$out"
