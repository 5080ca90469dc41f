#!/usr/bin/env bash
# Build step (mvn package, before make-runtime.sh): compiles DIST/bin/polyproc-client, the
# command's client of the polyproc server (src/main/c/polyproc-client.c), and writes
# DIST/build-id, which keys the server: a rebuilt polyproc never talks to an older build's server.
#
#   src/build/make-client.sh SOURCE_DIR DIST_DIR
#
# Never fails the build: without a C compiler there is no client, and bin/polyproc runs every
# command directly, as it does with POLYPROC_SERVER=0 (the reason is printed as a WARNING).
set -uo pipefail
src="${1:?usage: make-client.sh SOURCE_DIR DIST_DIR}"
dist="${2:?usage: make-client.sh SOURCE_DIR DIST_DIR}"
mkdir -p "$dist/bin"
rm -f "$dist/bin/polyproc-client"
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dist/build-id"
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "[WARNING] make-client: no C compiler ($cc); no server client, every command runs directly" >&2; exit 0
fi
if ! "$cc" -O2 -Wall -Werror -o "$dist/bin/polyproc-client" "$src/src/main/c/polyproc-client.c"; then
    echo "[WARNING] make-client: $cc failed; no server client, every command runs directly" >&2
    rm -f "$dist/bin/polyproc-client"
fi
exit 0
