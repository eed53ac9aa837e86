#!/usr/bin/env bash
# Renders the desk's pages under Xvfb into assets/screenshots/ for the README
# and the operator guide: an empty database for the wizard, then a seeded one
# driven with xdotool (log in, look at Cryptocurrency Configuration, see a
# refund waiting for approval, verify the Audit Log, see the Operators).
# Coordinates assume the 1280x800 window, whose menu is one line: Home,
# Deposit Application, Deposit Records, Cryptocurrency Configuration,
# Customer Wallet Address, Refunds, Audit Log, Operators.
# What needs a node, a signing key or data the seed does not make (Execute
# Refund, the customer's notice; Customer Wallet Address with a document
# awaiting approval, Prove ownership, Cancel's second confirmation, a
# record's detail past its confirmations) is rendered by ui.TestScreenshots
# through Fyne's software painter at the same size, and so is the signing
# station's window (depositdesk --station) at its 900x650.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=assets/screenshots
# home.png, refund-execute.png, refund-notice.png, addresses.png, proof.png, cancel.png, detail.png, station.png,
# applications.png; records-1024.png and home-1024.png at 1024x768
DEPOSITDESK_SCREENSHOTS="$PWD/$out" $GO test ./ui -run '^(TestScreenshots|TestStationScreenshot|TestTheDeskFitsA1024By768Screen)$' -count=1 >/dev/null
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
$GO build -o "$dir/depositdesk" ./cmd/depositdesk
$GO build -o "$dir/depositctl" ./cmd/depositctl
export DEPOSITDESK_PASSWORD=admin-password-1 LANG=en_US.UTF-8
echo "$DEPOSITDESK_PASSWORD" | "$dir/depositctl" --db "$dir/seeded.db" operator create --name admin --password-stdin --perm all >/dev/null
"$dir/depositctl" --db "$dir/seeded.db" --operator admin seed --records 5000 --seed 11 >/dev/null 2>&1
y=318
# A refund waiting for its second operator, on the Refunds page.
ref=$("$dir/depositctl" --db "$dir/seeded.db" --operator admin --json search --status credited --limit 1 2>/dev/null |
  sed -n 's/.*"record_no":"\([^"]*\)".*"source_address":"\([^"]*\)".*/\1 \2/p')
"$dir/depositctl" --db "$dir/seeded.db" --operator admin refund request ${ref% *} --address ${ref#* } \
  --identity "video call, ticket 4471" >/dev/null
"$dir/depositctl" --db "$dir/seeded.db" --operator admin firm set "Example Securities Co., Ltd." >/dev/null

cat > "$dir/drive.sh" <<EOS
#!/bin/sh
shot() { import -window root "$out/\$1.png"; }
"$dir/depositdesk" --db "$dir/empty.db" & P=\$!; sleep 5; shot wizard; kill \$P; wait \$P 2>/dev/null
"$dir/depositdesk" --db "$dir/seeded.db" & P=\$!; sleep 5; shot login
xdotool type --delay 30 admin; xdotool key Tab; xdotool type --delay 30 "\$DEPOSITDESK_PASSWORD"; xdotool key Return; sleep 4
xdotool mousemove 286 22 click 1; sleep 1; xdotool mousemove 200 $y click 1; sleep 1; shot records
xdotool mousemove 466 22 click 1; sleep 1; shot assets
xdotool mousemove 815 22 click 1; sleep 1; xdotool mousemove 100 279 click 1; sleep 1; shot refunds
xdotool mousemove 897 22 click 1; sleep 1; xdotool mousemove 120 145 click 1; xdotool mousemove 400 318 click 1; sleep 1; shot audit
xdotool mousemove 987 22 click 1; sleep 1; shot operators
kill \$P
EOS
chmod +x "$dir/drive.sh"
xvfb-run -a -s '-screen 0 1280x800x24' "$dir/drive.sh" 2>&1 | grep -v '^XIO\|after [0-9]* requests' || true
ls -l "$out"
