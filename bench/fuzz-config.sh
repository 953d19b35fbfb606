#!/usr/bin/env bash
# Bounded fuzzing of the jail.conf engine (not run in CI).
#   bench/fuzz-config.sh [SECONDS]      default 60
# With afl-fuzz on the PATH (Debian: apt-get install afl++), JailsModule.dll is instrumented with SharpFuzz
# and afl-fuzz runs the target for SECONDS. Without it, the same target runs in-process on random mutations
# of the jail.conf samples for SECONDS (no coverage feedback). A failing input is saved and the exit status is 1.
set -euo pipefail
secs="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
proj="$root/bench/JailsModule.Fuzz"
out="$proj/bin/Release/net10.0"
corpus="$root/tests/Unit/Fixtures/jail-conf-samples"

# sharpfuzz instruments JailsModule.dll in place: start from a fresh copy each time.
rm -f "$out/JailsModule.dll"
dotnet build "$proj" -c Release --nologo -v quiet

if command -v afl-fuzz >/dev/null 2>&1; then
    tools="$root/bench/.tools"
    [ -x "$tools/sharpfuzz" ] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine >/dev/null
    "$tools/sharpfuzz" "$out/JailsModule.dll"
    work="$(mktemp -d)"
    mkdir -p "$work/in"
    find "$corpus" -type f -name '*.conf' -size -64k -exec cp {} "$work/in/" \;
    export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
    set +e
    timeout --preserve-status "$secs" afl-fuzz -i "$work/in" -o "$work/out" -t 5000 -m none -- dotnet "$out/JailsModule.Fuzz.dll" --afl
    set -e
    crashes=$(find "$work/out" -path '*crashes*' -type f ! -name README.txt | wc -l)
    echo "afl-fuzz: $crashes crash(es); findings in $work/out"
    [ "$crashes" -eq 0 ]
else
    echo "afl-fuzz not found: in-process mutation fuzzing for ${secs}s"
    dotnet "$out/JailsModule.Fuzz.dll" --smoke "$secs" "$corpus"
fi
