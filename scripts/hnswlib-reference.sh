#!/usr/bin/env bash
# Builds the C++ hnswlib reference that `bench index --hnswlib` runs beside Tsunami's index: hnswlib's headers from
# Debian's libhnswlib-dev (apt-get download + dpkg -x: nothing installed), compiled with hnswlib's own flags
# (-O3 -march=native). Installs g++ with apt-get when missing. Idempotent and silent; prints the program's path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.cache/hnswlib"
source="$root/bench/hnswlib/reference.cpp"
program="$dest/reference"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ ! -f "$dest/include/hnswlib/hnswlib.h" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  chmod 755 "$work"
  if ! (cd "$work" && apt-get download libhnswlib-dev) >"$work/apt.log" 2>&1; then
    $sudo apt-get update -qq >/dev/null 2>&1 || { echo "hnswlib-reference: apt-get update failed" >&2; exit 1; }
    (cd "$work" && apt-get download libhnswlib-dev) >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
  fi
  dpkg -x "$work"/libhnswlib-dev_*.deb "$work/x"
  mkdir -p "$dest/include"
  cp -r "$work/x/usr/include/hnswlib" "$dest/include/"
fi
if ! command -v g++ >/dev/null; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends g++ >/dev/null 2>&1 \
    || { echo "hnswlib-reference: could not install g++ with apt-get" >&2; exit 1; }
fi
if [ ! -x "$program" ] || [ "$source" -nt "$program" ]; then
  g++ -O3 -march=native -std=c++17 -I "$dest/include" "$source" -o "$program" -lpthread >&2
fi
echo "$program"
