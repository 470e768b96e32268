#!/usr/bin/env bash
# Fetches the sample photos from Debian packages (apt-get download + dpkg -x; nothing is installed) into
# samples/. Idempotent and silent when they are already there. Never commit samples/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/samples"
stamp="$dest/.complete-v1"
[ -f "$stamp" ] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
chmod 755 "$work"

packages=(darknet python3-skimage opencv-doc)
if ! apt-get download "${packages[@]}" >"$work/apt.log" 2>&1; then
  # A fresh machine has no package lists yet.
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null 2>&1 || { echo "fetch-samples: apt-get update failed" >&2; exit 1; }
  apt-get download "${packages[@]}" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
fi
for deb in ./*.deb; do dpkg -x "$deb" "$work/x"; done

rm -rf "$dest" && mkdir -p "$dest"/{darknet,skimage,opencv,bad}
darknet="$work/x/usr/share/darknet/data"
skimage="$(dirname "$(find "$work/x" -path '*skimage/data/astronaut.png' | head -n1)")"
opencv="$(dirname "$(find "$work/x" -path '*examples/data/messi5.jpg' | head -n1)")"
cp "$darknet"/{dog,horses,person,kite,giraffe,eagle}.jpg "$dest/darknet/"
cp "$skimage"/{astronaut,chelsea,coffee,motorcycle_left,camera}.png "$skimage"/rocket.jpg "$dest/skimage/"
cp "$opencv"/{messi5.jpg,basketball1.png,basketball2.png,imageTextN.png,fruits.jpg,building.jpg,home.jpg} "$dest/opencv/"
# A real truncated JPEG that scikit-image ships for its own error tests.
cp "$skimage/truncated.jpg" "$dest/bad/"
touch "$stamp"
