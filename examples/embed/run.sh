#!/usr/bin/env bash
# Builds and runs the embedding example: installs polyproc into the local Maven repository when
# it is missing or older than its sources, builds this project, then runs it twice, as
# `java -cp <jars> example.Main` and as `java -jar` on its shaded jar.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
JAVA_HOME="$("$top/bin/polyproc" --print-java-home)"
export JAVA_HOME
java="$JAVA_HOME/bin/java"

installed="${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}/dev/polyproc/polyproc/0.1.0-SNAPSHOT/polyproc-0.1.0-SNAPSHOT.jar"
if [ ! -f "$installed" ] || [ -n "$(find "$top/src/main" "$top/python" "$top/pom.xml" -newer "$installed" -print -quit)" ]; then
    echo "== mvn install (polyproc)"
    (cd "$top" && mvn -q -B install -DskipTests -Dpolyproc.runtime.skip=true)
fi
echo "== mvn package (example)"
(cd "$here" && mvn -q -B package)

# Native access for GraalPy's posix backend and polyproc's process control.
opts=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
echo "== java -cp target/classes:<dependencies> example.Main"
"$java" "${opts[@]}" -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" example.Main "$here/python"
echo "== java -jar target/embed-shaded.jar"
"$java" "${opts[@]}" -jar "$here/target/embed-shaded.jar" "$here/python"
