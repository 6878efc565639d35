#!/usr/bin/env bash
# The two outside tools the test suite uses, installed only when missing:
#   kcat     (librdkafka) — the independent Kafka client of the interop tests;
#   promtool (Debian's prometheus package) — validates every service's /metrics.
# promtool is unpacked into .vigil/tools rather than installed: the package would also
# install and start a Prometheus server. Needs root and Debian's package archive; without
# them it names what to install and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

PROMTOOL_DIR=.vigil/tools/prometheus
need_kcat=0; need_promtool=0
command -v kcat >/dev/null 2>&1 || need_kcat=1
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$PROMTOOL_DIR/usr/bin/promtool" ]; then need_promtool=1; fi
[ $need_kcat = 0 ] && [ $need_promtool = 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test tools: missing$([ $need_kcat = 1 ] && echo ' kcat')$([ $need_promtool = 1 ] && echo ' promtool');" \
       "install the Debian packages kcat and prometheus (or put promtool in $PROMTOOL_DIR/usr/bin)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ $need_kcat = 1 ]; then
  echo "test tools: installing kcat"
  apt-get install -y -qq kcat >/dev/null
fi
if [ $need_promtool = 1 ]; then
  echo "test tools: unpacking promtool from the prometheus package into $PROMTOOL_DIR"
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -qq prometheus)
  mkdir -p "$PROMTOOL_DIR"
  dpkg-deb --fsys-tarfile "$debs"/prometheus_*.deb | tar -x -C "$PROMTOOL_DIR" ./usr/bin/promtool
  rm -rf "$debs"
fi
