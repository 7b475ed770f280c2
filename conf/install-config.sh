#!/bin/sh
# Installs the default config only where none exists: an administrator's edits survive reinstalls.
set -eu
src=$1
dst=${DESTDIR:-}$2
if [ -e "$dst" ]; then
        echo "Keeping existing $dst"
        exit 0
fi
install -D -m 0644 "$src" "$dst"
echo "Installed $dst"
