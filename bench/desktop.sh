#!/usr/bin/env bash
# The desktop's figures that only the real program shows, under Xvfb (GL
# through Mesa's llvmpipe, as on a machine without a GPU): cold start to a
# visible window (the desk's own, titled "Deposit Desk" once its database is
# open, not the one that says it is opening it), resident memory at the login and after it, and an
# operator's session driven by xdotool — searches typed in the records
# page, Next, a record's Details opened by double click and closed with
# Escape — with the memory before and after. Beside it, measured the same
# way under the same Xvfb, the smallest Fyne program (bench/hellofyne): the
# floor any Fyne window costs here, the baseline of the desk's figures; its
# entry is typed into for a quarter of the desk's session (at least 20 s),
# the baseline of the desk's growth.
# In-process figures (Enter to rows) are BenchmarkRecordsPage in ui/.
#
# Usage: bench/desktop.sh DB PASSWORD [SESSION_SECONDS]   (DB: a seeded SQLite file whose admin has PASSWORD)
#
# Prints two lines in the Go benchmark format (bench/benchline), medians of
# the 5 timed starts; memory in MB (2^20 bytes) from /proc/PID/status,
# resident = VmRSS, private = RssAnon; growth from the warm point (20
# rounds, or a third of the session if that comes first) to the end:
#   BenchmarkDesktop/side=desk  5 ms-start MB-rss-login MB-rss-after-login MB-private-after-login %-rss-growth %-private-growth
#   BenchmarkDesktop/side=hello 5 ms-start MB-rss MB-private %-rss-growth %-private-growth
# Detail goes to stderr, with the file-backed part of the resident set and
# how much of it is the mapped database file.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
db=$(realpath "$1") pw=$2 session=${3:-600}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
$GO build -o "$dir/depositdesk" ./cmd/depositdesk
$GO build -o "$dir/hellofyne" ./bench/hellofyne
cat > "$dir/drive.sh" <<EOS
#!/bin/bash
set -u
export HOME=$dir/home; mkdir -p \$HOME
# mem PID: "rss private" in KiB; the detail (file-backed, the database's
# pages) goes to stderr.
mem() {
  local r a f d
  read r a f < <(awk '/^VmRSS:/ {r=\$2} /^RssAnon:/ {a=\$2} /^RssFile:/ {f=\$2} END {print r, a, f}' /proc/\$1/status)
  d=\$(awk -v db="$db" 'NF >= 6 && /^[0-9a-f]+-/ {on = (\$6 == db)} on && /^Rss:/ {s += \$2} END {print s+0}' /proc/\$1/smaps)
  echo "  resident \$((r/1024)) MB, private \$((a/1024)) MB, file-backed \$((f/1024)) MB (database file \$((d/1024)) MB)" >&2
  echo "\$r \$a"
}
# shown PID TITLE: returns once a window so named is on screen, looking every
# 10 ms (xdotool search --sync looks every 500 ms, which made a start of
# 540 ms read 1,040). If the program exits first, or no window shows within
# 60 s, the run ends with the program's output, head and tail: a desk that cannot
# open its database must fail the run, not hang it.
shown() {
  local pid=\$1 title=\$2 why= limit=\$((SECONDS + 60))
  until xdotool search --onlyvisible --name "\$title" >/dev/null 2>&1; do
    if ! kill -0 \$pid 2>/dev/null; then why="exited before its window \"\$title\" was shown"
    elif [ \$SECONDS -ge \$limit ]; then why="showed no window \"\$title\" within 60 s"; stop \$pid
    fi
    if [ -n "\$why" ]; then
      echo "desktop.sh: the program \$why; its output (a panic's message comes first):" >&2
      head -n 12 $dir/program.log >&2; echo "  ..." >&2; tail -n 12 $dir/program.log >&2; exit 1
    fi
    sleep 0.01
  done
}
# starts PROGRAM TITLE ARGS...: a first start builds the font cache of a new
# home and is not timed; then 5 timed starts to the window on screen. The
# last keeps running (its pid in P); the median start is in MS.
starts() {
  local prog=\$1 title=\$2 i s e t=(); shift 2
  "\$prog" "\$@" >$dir/program.log 2>&1 & P=\$!
  shown \$P "\$title"; sleep 2; stop \$P
  for i in 1 2 3 4 5; do
    s=\$(date +%s%N)
    "\$prog" "\$@" >$dir/program.log 2>&1 & P=\$!
    shown \$P "\$title"
    e=\$(date +%s%N)
    t+=(\$(( (e-s)/1000000 )))
    echo "\$prog: start \$i: window visible after \${t[-1]} ms" >&2
    [ \$i -lt 5 ] && { stop \$P; }
  done
  MS=\$(printf '%s\n' "\${t[@]}" | sort -n | sed -n 3p)
}
# stop PID: a Fyne program quits on SIGTERM, but now and then (under load)
# it never finishes quitting; after 5 s it is killed.
stop() {
  kill \$1 2>/dev/null
  for _ in \$(seq 50); do kill -0 \$1 2>/dev/null || break; sleep 0.1; done
  kill -9 \$1 2>/dev/null; wait \$1 2>/dev/null
}
mb() { awk -v k=\$1 'BEGIN {printf "%.1f", k/1024}'; }
pct() { awk -v a=\$1 -v b=\$2 'BEGIN {printf "%.2f", (b-a)*100/a}'; }
# session WHO SECONDS ROUND: calls the function ROUND with the round's
# number until SECONDS have passed. The memory of P (resident, private KiB)
# at the warm point (20 rounds, or a third of the session if that comes
# first) goes in WR WA, which keep what the caller set if the session ends
# before; at the end in ER EA.
session() {
  local who=\$1 secs=\$2 round=\$3 begin end n=0 warm=
  begin=\$(date +%s); end=\$(( begin + secs ))
  while [ \$(date +%s) -lt \$end ]; do
    \$round \$n; n=\$((n+1))
    if [ -z "\$warm" ] && { [ \$n -eq 20 ] || [ \$(( \$(date +%s) - begin )) -ge \$(( secs / 3 )) ]; }; then
      echo "\$who, warm after \$n rounds:" >&2; read WR WA < <(mem \$P); warm=1
    fi
  done
  echo "\$who, after \$n rounds (\$secs s):" >&2; read ER EA < <(mem \$P)
}
# hello_round N: a search typed into hello's one entry, as the desk's.
hello_round() { xdotool mousemove 640 60 click 1; xdotool key ctrl+a BackSpace; xdotool type --delay 10 "C00000\$(( \$1 % 10 ))"; xdotool key Return; sleep 0.5; }
# desk_round N: a search typed, Next, a record's Details opened and closed.
desk_round() {
  xdotool mousemove 480 105 click 1; xdotool key ctrl+a BackSpace; xdotool type --delay 10 "C00000\$(( \$1 % 10 ))"; xdotool key Return; sleep 0.5
  xdotool mousemove 993 602 click 1; sleep 0.5
  xdotool mousemove 200 318 click --repeat 2 --delay 80 1; sleep 1
  xdotool key Escape; sleep 0.3
}

starts "$dir/hellofyne" "^Hello Fyne"
sleep 2; echo "hello, window shown:" >&2; read hr ha < <(mem \$P)
WR=\$hr WA=\$ha
session hello \$(( $session / 4 > 20 ? $session / 4 : 20 )) hello_round
stop \$P
printf 'BenchmarkDesktop/side=hello\t5\t%s ms-start\t%s MB-rss\t%s MB-private\t%s %%-rss-growth\t%s %%-private-growth\n' \
  \$MS \$(mb \$hr) \$(mb \$ha) \$(pct \$WR \$ER) \$(pct \$WA \$EA)

starts "$dir/depositdesk" "^Deposit Desk\$" --db "$db"
sleep 2; echo "desk, at the login:" >&2; read lr la < <(mem \$P)
xdotool type --delay 20 admin; xdotool key Tab; xdotool type --delay 20 "$pw"; xdotool key Return; sleep 5
echo "desk, after login (Home on the database):" >&2; read ar aa < <(mem \$P)
xdotool mousemove 286 22 click 1; sleep 2
# A session too short to warm up is measured from the records page.
echo "desk, records page shown:" >&2; read WR WA < <(mem \$P)
session desk $session desk_round
echo "detail windows open at the end: \$(xdotool search --onlyvisible --name 'Deposit record' 2>/dev/null | wc -l)" >&2
stop \$P
printf 'BenchmarkDesktop/side=desk\t5\t%s ms-start\t%s MB-rss-login\t%s MB-rss-after-login\t%s MB-private-after-login\t%s %%-rss-growth\t%s %%-private-growth\n' \
  \$MS \$(mb \$lr) \$(mb \$ar) \$(mb \$aa) \$(pct \$WR \$ER) \$(pct \$WA \$EA)
EOS
chmod +x "$dir/drive.sh"
xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- "$dir/drive.sh" 2> >(grep --line-buffered -v 'fd limit\|^XIO\|after [0-9]* requests' >&2)
