#!/usr/bin/env bash
# The whole test suite, as root on Debian 12: installs the dependencies, builds with -Werror, runs every
# suite (unit and the root-only integration tests) and the unit tests again under ASan/UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh

setup() {
        local dir=$1
        shift
        if [ -f "$dir/build.ninja" ]; then
                meson setup --reconfigure "$dir" "$@" >/dev/null
        else
                meson setup "$dir" "$@" >/dev/null
        fi
        meson compile -C "$dir"
}

setup build -Dwerror=true
setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false

rc=0
echo "== meson test -C build (all suites)"
meson test -C build --print-errorlogs --num-processes 2 || rc=1
echo "== meson test -C build-asan --suite unit (ASan/UBSan)"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 meson test -C build-asan --suite unit --print-errorlogs || rc=1
exit $rc
