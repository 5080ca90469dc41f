#!/usr/bin/env bash
# Build step (mvn package, after the jars): makes DIST/runtime, a jlinked JDK, and DIST/polyproc.aot,
# a JDK 25 AOT cache trained by one run of DIST/bin/polyproc. bin/polyproc uses each if present.
#
#   src/build/make-runtime.sh DIST_DIR
#
# The training is `DIST/bin/polyproc --make-aot-cache`, which runs DIST/share/aot-training.py.
#
# Measured (docs/performance.md; 2 cores under load, medians of 5, `polyproc -c pass`): stock JDK 25
# + Graal JIT 8.6 s; jlinked runtime alone 7.9 s; + AOT cache 3.5 s; + C1 for host code 2.7 s.
# Costs 2-5 s (jlink) + 30-50 s (training and cache assembly) of build.
#
# A failure here never fails the build: without runtime/ or the cache the launcher runs the way it
# did before (stock JDK + --upgrade-module-path), only slower; the reason is printed as a WARNING.
# POLYPROC_SKIP_RUNTIME=1 skips it all, POLYPROC_SKIP_AOT=1 skips the training.
set -uo pipefail

dist="$(cd "${1:?usage: make-runtime.sh DIST_DIR}" && pwd)"
warn() { echo "[WARNING] make-runtime: $*" >&2; }

rm -rf "$dist/runtime" "$dist/polyproc.aot" "$dist/polyproc.aot.config"
if [ -n "${POLYPROC_SKIP_RUNTIME:-}" ]; then echo "make-runtime: skipped (POLYPROC_SKIP_RUNTIME)"; exit 0; fi

jdk="${JAVA_HOME:-}"
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/jlink" ]; then
    warn "no jlink under JAVA_HOME='$jdk'; no runtime/ (the launcher uses a JDK 25 it finds)"; exit 0
fi

# Everything that GraalPy, polyproc and the compiler jars require, *without* jdk.graal.compiler:
# the JDK's own copy of it is a stub that keeps Truffle interpreted and refuses the jars on the
# module path. jdk.jcmd: jcmd/jstack for looking into children.
modules=java.se,jdk.unsupported,jdk.management,jdk.internal.vm.ci,jdk.zipfs,jdk.jfr,jdk.crypto.ec
modules+=,jdk.localedata,jdk.charsets,jdk.net,jdk.security.auth,jdk.jcmd
t0=$SECONDS
if ! "$jdk/bin/jlink" --add-modules "$modules" --output "$dist/runtime" \
        --strip-debug --no-header-files --no-man-pages; then
    warn "jlink failed; no runtime/"; rm -rf "$dist/runtime"; exit 0
fi
echo "make-runtime: jlinked $dist/runtime in $((SECONDS - t0)) s"

if [ -n "${POLYPROC_SKIP_AOT:-}" ]; then echo "make-runtime: no AOT cache (POLYPROC_SKIP_AOT)"; exit 0; fi
t0=$SECONDS
log="$(mktemp)"
if "$dist/bin/polyproc" --make-aot-cache >"$log" 2>&1; then
    echo "make-runtime: trained $dist/polyproc.aot ($(( $(stat -c %s "$dist/polyproc.aot") / 1048576 )) MB) in $((SECONDS - t0)) s"
else
    warn "AOT training failed; no cache (the launcher runs without it). Its output:"
    sed 's/^/    /' "$log" >&2
    rm -f "$dist/polyproc.aot" "$dist/polyproc.aot.config"
fi
rm -f "$log"
exit 0
