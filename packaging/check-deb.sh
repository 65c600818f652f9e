#!/bin/sh
# check-deb.sh DEB ARCH VERSION: assert an lgw .deb's metadata and
# contents (dpkg-deb --info / --contents). Exits 1 naming what is wrong.
set -u
deb=$1 arch=$2 version=$3
fail=0
err() { echo "check-deb: $deb: $*" >&2; fail=1; }

[ -f "$deb" ] || { echo "check-deb: $deb: missing" >&2; exit 1; }
info=$(dpkg-deb --info "$deb") || { echo "check-deb: $deb: dpkg-deb --info failed" >&2; exit 1; }
contents=$(dpkg-deb --contents "$deb") || { echo "check-deb: $deb: dpkg-deb --contents failed" >&2; exit 1; }

field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = lgw ] || err "Package is '$(field Package)', want lgw"
[ "$(field Architecture)" = "$arch" ] || err "Architecture is '$(field Architecture)', want $arch"
[ "$(field Version)" = "$version" ] || err "Version is '$(field Version)', want $version"
field Depends | grep -q adduser || err "Depends lacks adduser"

# Maintainer scripts and the conffile.
for s in postinst prerm postrm conffiles; do
	echo "$info" | grep -q " $s" || err "control member $s missing"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null)
[ "$conffiles" = "/etc/lgw/lgw.toml" ] || err "conffiles is '$conffiles', want /etc/lgw/lgw.toml"
post=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./postinst)
for want in "adduser --system" "spi gpio i2c dialout" "chown lgw:lgw /var/lib/lgw" "systemctl enable lgw.service"; do
	echo "$post" | grep -q -- "$want" || err "postinst lacks '$want'"
done

# Files: "mode owner/group ... path" lines of dpkg-deb --contents.
has() { # mode path
	echo "$contents" | awk -v m="$1" -v p="$2" '$1 == m && $NF == p { found = 1 } END { exit !found }' ||
		err "no '$1 $2' in contents"
}
has -rwxr-xr-x ./usr/bin/lgw
has -rw-r--r-- ./usr/lib/systemd/system/lgw.service
has -rw-r----- ./etc/lgw/lgw.toml
has drwxr-x--- ./etc/lgw/
has drwxr-x--- ./var/lib/lgw/
has drwxr-xr-x ./usr/share/lgw/firmware/
has -rw-r--r-- ./usr/share/doc/lgw/cli.md
has -rw-r--r-- ./usr/share/doc/lgw/systemd.md
echo "$contents" | awk '{ print $2 }' | grep -qv '^root/root$' && err "files not owned by root/root"

# The binary is for the package's architecture.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$tmp" ./usr/bin/lgw ./usr/lib/systemd/system/lgw.service
case $arch in
armhf) want="ARM, EABI5" ;;
arm64) want="ARM aarch64" ;;
amd64) want="x86-64" ;;
*) want="?" ;;
esac
if command -v file >/dev/null 2>&1; then
	file "$tmp/usr/bin/lgw" | grep -q "$want" || err "binary is not $want: $(file -b "$tmp/usr/bin/lgw")"
	file "$tmp/usr/bin/lgw" | grep -q "statically linked" || err "binary is not statically linked"
fi
# Go keeps its build settings in the binary (also with -s -w).
if command -v go >/dev/null 2>&1; then
	settings=$(go version -m "$tmp/usr/bin/lgw")
	echo "$settings" | grep -q "CGO_ENABLED=0" || err "binary not built with CGO_ENABLED=0"
	if [ "$arch" = armhf ]; then
		echo "$settings" | grep -q "GOARM=6" || err "armhf binary is not built with GOARM=6 (Pi Zero/1 need ARMv6)"
	fi
fi
cmp -s "$tmp/usr/lib/systemd/system/lgw.service" systemd/lgw.service || err "packaged unit differs from systemd/lgw.service"

[ $fail -eq 0 ] && echo "check-deb: $deb OK ($arch $version)"
exit $fail
