#!/bin/sh
# The shipped unit and journal catalog are valid for systemd: the unit passes `systemd-analyze verify` silently
# and the catalog parses with one entry per MESSAGE_ID of daemon/format.h.
set -eu
src=$1 unit=$2 daemon=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed "s|[^ =]*/sbin/execauditd|$daemon|g" "$unit" > "$tmp/execauditd.service"
# verify exits 0 on an unknown key or a value it cannot parse ("..., ignoring"), which would leave a
# hardening line silently out of force: any output is a failure.
out=$(systemd-analyze verify --man=no "$tmp/execauditd.service" 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "$out"; exit 1; }

mkdir -p "$tmp/root/usr/lib/systemd/catalog" "$tmp/root/var/lib/systemd/catalog"
cp "$src/systemd/execauditd.catalog" "$tmp/root/usr/lib/systemd/catalog/"
journalctl --root="$tmp/root" --update-catalog
journalctl --root="$tmp/root" --list-catalog > "$tmp/list"
ids=$(sed -n 's/^#define MID_[A-Z_]* *"\([0-9a-f]\{32\}\)"$/\1/p' "$src/daemon/format.h")
for id in $ids; do
        grep -q "^$id execauditd: " "$tmp/list" || { echo "catalog lacks $id"; exit 1; }
done
test "$(wc -l < "$tmp/list")" -eq "$(echo "$ids" | wc -w)"
echo "unit and catalog OK"
