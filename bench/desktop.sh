#!/usr/bin/env bash
# The desktop's figures that only the real program shows, under Xvfb (GL
# through Mesa's llvmpipe, as on a machine without a GPU): cold start to a
# visible window, resident memory at the login and after it, and an
# operator's session driven by xdotool — searches typed in the records
# page, Next, a record's Details opened by double click and closed with
# Escape — with the memory before and after. In-process figures (Enter to
# rows) are BenchmarkRecordsPage in ui/.
# Usage: bench/desktop.sh DB PASSWORD [SESSION_SECONDS]   (DB: a seeded SQLite file whose admin has PASSWORD)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
db=$(realpath "$1") pw=$2 session=${3:-600}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
$GO build -o "$dir/depositdesk" ./cmd/depositdesk
cat > "$dir/drive.sh" <<EOS
#!/bin/bash
set -u
export HOME=$dir/home; mkdir -p \$HOME
rss() { awk '/^(VmRSS|RssAnon):/ {printf "%s %d MB  ", \$1, \$2/1024}' /proc/\$1/status; echo; }
# A first start builds the font cache of a new home; it is not timed.
"$dir/depositdesk" --db "$db" >/dev/null 2>&1 & P=\$!
xdotool search --sync --onlyvisible --name "^Deposit Desk" >/dev/null; sleep 2; kill \$P; wait \$P 2>/dev/null
for i in 1 2 3 4 5; do
  s=\$(date +%s%N)
  "$dir/depositdesk" --db "$db" >/dev/null 2>&1 & P=\$!
  xdotool search --sync --onlyvisible --name "^Deposit Desk" >/dev/null
  e=\$(date +%s%N)
  echo "cold start \$i: window visible after \$(( (e-s)/1000000 )) ms"
  [ \$i -lt 5 ] && { kill \$P; wait \$P 2>/dev/null; }
done
sleep 2; echo -n "at the login: "; rss \$P
xdotool type --delay 20 admin; xdotool key Tab; xdotool type --delay 20 "$pw"; xdotool key Return; sleep 5
echo -n "after login (Home on 1M records): "; rss \$P
xdotool mousemove 286 22 click 1; sleep 2
echo -n "records page shown: "; rss \$P
end=\$(( \$(date +%s) + $session )); n=0; warm=0
while [ \$(date +%s) -lt \$end ]; do
  xdotool mousemove 480 105 click 1; xdotool key ctrl+a BackSpace; xdotool type --delay 10 "C00000\$(( n % 10 ))"; xdotool key Return; sleep 0.5
  xdotool mousemove 993 602 click 1; sleep 0.5
  xdotool mousemove 200 318 click --repeat 2 --delay 80 1; sleep 1
  xdotool key Escape; sleep 0.3
  n=\$((n+1))
  if [ \$n -eq 20 ]; then echo -n "after 20 rounds (warm): "; rss \$P; fi
done
echo -n "after \$n rounds ($session s): "; rss \$P
echo "windows open at the end: \$(xdotool search --onlyvisible --name 'Deposit record' 2>/dev/null | wc -l)"
kill \$P; wait \$P 2>/dev/null
EOS
chmod +x "$dir/drive.sh"
xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- "$dir/drive.sh" 2>&1 | grep -v 'fd limit\|^XIO\|after [0-9]* requests' || true
