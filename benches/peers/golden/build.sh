#!/usr/bin/env bash
# Build the authors' C++ simulator of Golden, Delanois, Sanda & Bazhenov 2022
# (PLoS Comput Biol 18(11): e1010628; repo bazhlab-ucsd/spirit3PublicRepo)
# as a peer for somnia.
#
#   SPIRIT_SRC=/tmp/spirit benches/peers/golden/build.sh      # offline, from a copy
#   benches/peers/golden/build.sh                             # git clone from GitHub
#
# SPIRIT_SRC may be an extracted source tree (has makefile + spirit.cpp) or a
# git repository (bare or not). The source is copied/cloned to
# target/peers/spirit3/src (relative to the repo root) and patched and built
# there; the SPIRIT_SRC tree itself is never modified.
#
# Build = the makefile's own targets, exactly as its README says for the paper sims:
#   make build          -> spirit143   (g++ -Wall <sources> -O3 -g -D__no_sdl__)
#   make networkSweep   -> networkConnectivity/{1,2,3,4,6,9}.conn
# The paper targets (train1, ..., interleavedSleepTrain2) all use
# networkConnectivity/1.conn.
#
# Not part of any test suite: it needs g++ and ~1 minute.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
OUT="$ROOT/target/peers/spirit3"
SRC="$OUT/src"
URL="https://github.com/bazhlab-ucsd/spirit3PublicRepo"

mkdir -p "$OUT"
rm -rf "$SRC"

if [[ -n "${SPIRIT_SRC:-}" ]]; then
  if [[ -f "$SPIRIT_SRC/makefile" && -f "$SPIRIT_SRC/spirit.cpp" ]]; then
    mkdir -p "$SRC"
    # copy everything but VCS metadata
    (cd "$SPIRIT_SRC" && tar --exclude=.git -cf - .) | (cd "$SRC" && tar -xf -)
    echo "source: copied from $SPIRIT_SRC" > "$OUT/SOURCE"
  elif git --git-dir="$SPIRIT_SRC" rev-parse --git-dir >/dev/null 2>&1 \
       || git -C "$SPIRIT_SRC" rev-parse --git-dir >/dev/null 2>&1; then
    git clone --quiet "$SPIRIT_SRC" "$SRC"
    echo "source: git clone $SPIRIT_SRC @ $(git -C "$SRC" rev-parse HEAD)" > "$OUT/SOURCE"
  else
    echo "SPIRIT_SRC=$SPIRIT_SRC is neither a source tree nor a git repository" >&2
    exit 1
  fi
else
  git clone --quiet "$URL" "$SRC"
  echo "source: git clone $URL @ $(git -C "$SRC" rev-parse HEAD)" > "$OUT/SOURCE"
fi

cd "$SRC"
# the one-line to_str fix (GCC >= 11, see the patch header)
patch -p1 --forward < "$HERE/to_str.patch"

# simulator (makefile target `build`)
make build
# networks (makefile target `networkSweep`); the paper uses networkConnectivity/1.conn
make networkSweep

test -x "$SRC/spirit143"
test -s "$SRC/networkConnectivity/1.conn"
{
  echo "g++: $(g++ --version | head -1)"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "sha256 networkConnectivity/1.conn: $(sha256sum networkConnectivity/1.conn | cut -d' ' -f1)"
} >> "$OUT/SOURCE"
cat "$OUT/SOURCE"
echo "simulator: $SRC/spirit143"
echo "network:   $SRC/networkConnectivity/1.conn ($(wc -l < networkConnectivity/1.conn) connections)"
