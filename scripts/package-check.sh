#!/usr/bin/env bash
# Checks what scripts/package.sh put in dist/, as an IT department would
# receive it:
#   1. the Authenticode signatures of the .exe files and the MSI (against
#      dist/test-signing-cert.pem when the build made one, else against
#      DEPOSITDESK_SIGN_CAFILE or the system's CA bundle);
#   2. the MSI's tables: both programs, the Start-menu shortcut with its icon,
#      per-machine scope, the version and the UpgradeCode; the programs
#      extracted from it are signed and are the files in dist/;
#   3. the .deb's control fields, its files and desktop entry, and that its
#      Depends names the package of every library the programs link;
#   4. the app installed from the .deb (into a throwaway root) started under
#      Xvfb with a throwaway HOME until its window shows (xwininfo): the first-run wizard,
#      shot to dist/package-check-wizard.png.
# Usage: GO=go scripts/package-check.sh   (after scripts/package.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
meta() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -1; }
name=$(meta Name) id=$(meta ID) version=$(meta Version)
msi="dist/DepositDesk-$version.msi" deb="dist/deposit-desk_${version}_amd64.deb"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
for f in "$msi" "$deb" "dist/$name.exe" dist/depositctl-windows-amd64.exe; do [ -f "$f" ] || fail "$f is missing: run make package"; done

echo "== signatures"
ca=dist/test-signing-cert.pem
[ -f "$ca" ] || ca=${DEPOSITDESK_SIGN_CAFILE:-/etc/ssl/certs/ca-certificates.crt}
verify() { # file
  local out
  out=$(osslsigncode verify -CAfile "$ca" -in "$1" 2>&1) || { echo "$out" >&2; fail "$1: signature does not verify"; }
  grep -q '^Signature verification: ok' <<<"$out" || { echo "$out" >&2; fail "$1: signature does not verify"; }
  ok "$1: $(grep -m1 'Subject:' <<<"$out" | sed 's/^[[:space:]]*//'); $(grep -m1 '^Signature verification' <<<"$out")"
}
verify "dist/$name.exe"
verify dist/depositctl-windows-amd64.exe
verify "$msi"

echo "== MSI $msi"
echo "tables: $(msiinfo tables "$msi" | sort | tr '\n' ' ')"
table() { msiinfo export "$msi" "$1" | tail -n +4 | tr -d '\r'; } # rows only, tab-separated
row() { # table awk-condition: prints matching rows or fails
  local rows; rows=$(table "$1" | awk -F'\t' "$2")
  [ -n "$rows" ] || fail "MSI table $1 has no row where $2"
  echo "$rows"
}
prop() { table Property | awk -F'\t' -v p="$1" '$1 == p { print $2 }'; }
files=$(table File)
echo "$files" | awk -F'\t' '{ printf "file %s (%s bytes)\n", $3, $4 }'
for f in "$name.exe" depositctl.exe; do
  echo "$files" | awk -F'\t' -v f="$f" '$3 == f || $3 ~ ("\\|" f "$") { found = 1 } END { exit !found }' || fail "MSI installs no $f"
done
ok "both programs, in $(row Directory '$1 == "INSTALLDIR"' | cut -f2,3 | tr '\t' '/')"
sc=$(row Shortcut '$1 == "AppShortcut"')
[ "$(cut -f2 <<<"$sc")" = ProgramMenuFolder ] && [ "$(cut -f3 <<<"$sc")" = "$name" ] &&
  [ "$(cut -f5 <<<"$sc")" = "[#AppExe]" ] && [ -n "$(cut -f9 <<<"$sc")" ] || fail "shortcut: $sc"
row Icon "\$1 == \"$(cut -f9 <<<"$sc")\"" >/dev/null
ok "Start-menu shortcut \"$name\" to [#AppExe] with icon $(cut -f9 <<<"$sc")"
[ "$(prop ProductVersion)" = "$version" ] || fail "ProductVersion $(prop ProductVersion), FyneApp.toml $version"
[ "$(prop ProductName)" = "$name" ] || fail "ProductName $(prop ProductName)"
[ "$(prop ALLUSERS)" = 1 ] || fail "not per machine (ALLUSERS=$(prop ALLUSERS))"
upgrade="{$("$GO" run ./internal/msi/wxs -upgrade-code)}"
[ "$(prop UpgradeCode)" = "$upgrade" ] || fail "UpgradeCode $(prop UpgradeCode), want $upgrade"
row Upgrade "\$1 == \"$upgrade\" && \$7 == \"WIX_UPGRADE_DETECTED\"" >/dev/null
ok "ProductVersion $version, per machine (ALLUSERS=1), UpgradeCode $upgrade, ProductCode $(prop ProductCode), older versions removed on install"
msiextract -C "$work/msi" "$msi" >/dev/null
for f in "$name.exe" depositctl.exe; do
  got=$(find "$work/msi" -name "$f" -type f)
  [ -n "$got" ] || fail "msiextract gave no $f"
  verify "$got" | sed "s|$work/msi/|(in the MSI) |"
done
cmp -s "$(find "$work/msi" -name "$name.exe")" "dist/$name.exe" || fail "the MSI's $name.exe is not dist's"
cmp -s "$(find "$work/msi" -name depositctl.exe)" dist/depositctl-windows-amd64.exe || fail "the MSI's depositctl.exe is not dist's"
ok "the programs in the MSI are the signed ones in dist/"

echo "== Debian package $deb"
field() { dpkg-deb -f "$deb" "$1"; }
for f in Package Version Architecture Depends Recommends; do echo "$f: $(field $f)"; done
[ "$(field Package)" = deposit-desk ] || fail "Package $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version $(field Version), FyneApp.toml $version"
[ "$(field Architecture)" = amd64 ] || fail "Architecture $(field Architecture)"
grep -qw gnome-keyring <<<"$(field Recommends)" || fail "no Secret Service keyring recommended"
root="$work/root"
dpkg -x "$deb" "$root"
for b in depositdesk depositctl; do [ -x "$root/usr/bin/$b" ] || fail "no /usr/bin/$b"; done
"$root/usr/bin/depositctl" --help >/dev/null || fail "depositctl --help"
depends=$(field Depends)
for b in depositdesk depositctl; do
  for lib in $(objdump -p "$root/usr/bin/$b" | awk '$1 == "NEEDED" { print $2 }'); do
    p=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$p" ] || fail "$b links $lib, which no installed package provides"
    grep -Eq "(^|, )$p( |,|$)" <<<"$depends" || fail "$b links $lib (package $p), not in Depends"
  done
done
ok "Depends names the package of every library both programs link"
# The Makefile's build tags reached fyne package: no_emoji leaves Fyne's
# colour emoji font (its file name is in no other build) out of both desks.
for b in "$root/usr/bin/depositdesk" "dist/$name.exe"; do
  ! grep -q EmojiOneColor "$b" || fail "$b carries Fyne's emoji font: built without the Makefile's tags (GOTAGS)"
done
ok "both desks built with the Makefile's tags (${GOTAGS:-})"
desktop="$root/usr/share/applications/$id.desktop"
[ -f "$desktop" ] || fail "no desktop entry $id.desktop"
entry() { sed -n "s/^$1=//p" "$desktop"; }
echo "desktop entry: Name=$(entry Name) Exec=$(entry Exec) Icon=$(entry Icon)"
[ "$(entry Name)" = "$name" ] || fail "desktop Name"
[ -x "$root/usr/bin/$(entry Exec | cut -d' ' -f1)" ] || fail "desktop Exec names no installed program"
ls "$root"/usr/share/icons/hicolor/*/apps/"$(entry Icon)".png >/dev/null 2>&1 || fail "desktop Icon $(entry Icon) is not installed"
ok "desktop entry's program and icon are in the package"

echo "== the installed app under Xvfb"
shot=dist/package-check-wizard.png
home="$work/home"
mkdir -p "$home" && mkdir -m 700 "$work/run"
cat > "$work/run.sh" <<EOS
#!/bin/sh
"$root/usr/bin/depositdesk" > "$work/app.log" 2>&1 & P=\$!
i=0
# Polled with xwininfo: import waits forever for a window that is not there yet.
until xwininfo -name "$name" >/dev/null 2>&1; do
  i=\$((i + 1))
  if [ \$i -ge 60 ] || ! kill -0 \$P 2>/dev/null; then kill \$P 2>/dev/null; exit 1; fi
  sleep 1
done
sleep 2 # the window is mapped; let it draw
timeout 30 import -window root "$shot"
kill \$P; wait \$P 2>/dev/null
exit 0
EOS
chmod +x "$work/run.sh"
start=$(date +%s)
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_CACHE_HOME="$home/.cache" \
  XDG_RUNTIME_DIR="$work/run" LANG=en_US.UTF-8 \
  xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- "$work/run.sh" \
  2> >(grep -v 'Failed to set fd limit' >&2) || # dbus-daemon warns where it may not raise its file limit: harmless
  { cat "$work/app.log" >&2; fail "the installed app showed no window \"$name\""; }
[ -f "$home/.config/depositdesk/depositdesk.db" ] || fail "the app made no database in its config folder"
spread=$(/usr/bin/convert "$shot" -format '%[fx:standard_deviation]' info:)
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || fail "$shot is blank (standard deviation $spread)"
ok "window \"$name\" shown after $(( $(date +%s) - start )) s, new database in \$XDG_CONFIG_HOME/depositdesk/, screenshot $shot"
echo "All package checks passed."
