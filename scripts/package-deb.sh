#!/usr/bin/env bash
# Builds dist/deposit-desk_<version>_amd64.deb with dpkg-deb from a staged
# tree: the desktop app (the binary of fyne's Linux tar.xz) as
# /usr/bin/depositdesk, depositctl as /usr/bin/depositctl, a desktop entry
# and icon named by the app ID. Depends is what dpkg-shlibdeps finds the two
# binaries link (GL, X11, libc) and the X libraries GLFW opens at run time
# (below); a Secret Service keyring is recommended, as the desk keeps signing
# and approval keys there.
# Usage: scripts/package-deb.sh TARBALL CTL VERSION NAME ID
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$1 ctl=$2 version=$3 name=$4 id=$5
pkg=deposit-desk
out="dist/${pkg}_${version}_amd64.deb"
maintainer=${DEPOSITDESK_DEB_MAINTAINER:-Deposit Desk <depositdesk@localhost>}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
root="$work/root"

mkdir -p "$work/tar"
tar -xJf "$tarball" -C "$work/tar"
app=$(find "$work/tar" -path '*/bin/*' -type f | head -1)
[ -n "$app" ] || { echo "no program in $tarball" >&2; exit 1; }
install -D -m 755 "$app" "$root/usr/bin/depositdesk"
install -D -m 755 "$ctl" "$root/usr/bin/depositctl"
install -D -m 644 assets/icon.png "$root/usr/share/icons/hicolor/512x512/apps/$id.png"
install -d "$root/usr/share/applications"
# StartupWMClass is the window's class as fyne's own entry names it, so a
# dock groups the running window with this entry.
cat > "$root/usr/share/applications/$id.desktop" <<EOD
[Desktop Entry]
Type=Application
Name=$name
Comment=Cryptocurrency deposit back office
Exec=depositdesk
Icon=$id
Terminal=false
Categories=Office;Finance;
StartupWMClass=$name
EOD

# dpkg-shlibdeps reads a source package's debian/control; a stub will do.
mkdir -p "$work/src/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: amd64\n' "$pkg" "$pkg" > "$work/src/debian/control"
# It warns that the binaries are not under debian/<package>/, which is only
# where a source package's build would put them. It is Perl, which warns about
# a LANG whose locale is not generated (the Makefile sets en_US.UTF-8).
depends=$(cd "$work/src" && LC_ALL=C dpkg-shlibdeps -O "$root/usr/bin/depositdesk" "$root/usr/bin/depositctl" \
  2> >(grep -v 'should already be installed in their package' >&2) | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# GLFW dlopens these (cursors, monitors and scaling, input, gamma), so
# dpkg-shlibdeps cannot see them; without them the window still opens but
# degrades. Debian's own libglfw3 leaves them out; we name them, as the app
# was only tried with them.
depends="$depends, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"

mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<EOC
Package: $pkg
Version: $version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Recommends: gnome-keyring
Section: misc
Priority: optional
Description: $name, the back office for cryptocurrency deposits
 Operators verify customers' wallets, follow deposits on Bitcoin and Ethereum
 nodes until credited, cancel and refund them, with a hash-chained audit log.
 Contains the desktop app (depositdesk) and the headless CLI (depositctl).
EOC
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "built $out" >&2
