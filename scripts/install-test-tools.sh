#!/usr/bin/env bash
# The outside tools the test suite uses, installed only when missing:
#   kcat         (librdkafka) — the independent Kafka client of the interop tests;
#   promtool, prometheus (Debian's prometheus package) — promtool validates every service's
#                /metrics and the alert rules; the server is the real Prometheus of the
#                observability test (every dashboard and rule query) and of `npm start`;
#   alertmanager, amtool (Debian's prometheus-alertmanager package) — the real Alertmanager the
#                alerter's tests post to and receive webhooks from; amtool checks its config.
# promtool and alertmanager are unpacked into .vigil/tools rather than installed: the
# packages would also install and start a Prometheus server / an Alertmanager daemon. Needs root and Debian's package archive; without
# them it names what to install and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

PROMTOOL_DIR=.vigil/tools/prometheus
ALERTMANAGER_DIR=.vigil/tools/alertmanager
need_kcat=0; need_promtool=0; need_alertmanager=0
command -v kcat >/dev/null 2>&1 || need_kcat=1
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$PROMTOOL_DIR/usr/bin/promtool" ]; then need_promtool=1; fi
[ -x "$PROMTOOL_DIR/usr/bin/prometheus" ] || need_promtool=1
# Debian's build reads its notification templates from this fixed path, so they go there too.
AM_TEMPLATES=/usr/share/prometheus/alertmanager
if [ ! -x "$ALERTMANAGER_DIR/usr/bin/prometheus-alertmanager" ] || [ ! -x "$ALERTMANAGER_DIR/usr/bin/amtool" ] || [ ! -f "$AM_TEMPLATES/default.tmpl" ]; then need_alertmanager=1; fi
[ $need_kcat = 0 ] && [ $need_promtool = 0 ] && [ $need_alertmanager = 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test tools: missing$([ $need_kcat = 1 ] && echo ' kcat')$([ $need_promtool = 1 ] && echo ' promtool')$([ $need_alertmanager = 1 ] && echo ' alertmanager');" \
       "install the Debian packages kcat and prometheus (or put promtool and prometheus in $PROMTOOL_DIR/usr/bin)" \
       "and unpack prometheus-alertmanager's binaries (prometheus-alertmanager, amtool) into $ALERTMANAGER_DIR/usr/bin" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ $need_kcat = 1 ]; then
  echo "test tools: installing kcat"
  apt-get install -y -qq kcat >/dev/null
fi
if [ $need_promtool = 1 ]; then
  echo "test tools: unpacking promtool and prometheus from the prometheus package into $PROMTOOL_DIR"
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -qq prometheus)
  mkdir -p "$PROMTOOL_DIR"
  dpkg-deb --fsys-tarfile "$debs"/prometheus_*.deb | tar -x -C "$PROMTOOL_DIR" ./usr/bin/promtool ./usr/bin/prometheus
  rm -rf "$debs"
fi
if [ $need_alertmanager = 1 ]; then
  echo "test tools: unpacking alertmanager and amtool from the prometheus-alertmanager package into $ALERTMANAGER_DIR (templates into $AM_TEMPLATES)"
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -qq prometheus-alertmanager)
  mkdir -p "$ALERTMANAGER_DIR"
  dpkg-deb --fsys-tarfile "$debs"/prometheus-alertmanager_*.deb | tar -x -C "$ALERTMANAGER_DIR" ./usr/bin/prometheus-alertmanager ./usr/bin/amtool
  dpkg-deb --fsys-tarfile "$debs"/prometheus-alertmanager_*.deb | tar -x -C / ./usr/share/prometheus/alertmanager/default.tmpl ./usr/share/prometheus/alertmanager/email.tmpl
  rm -rf "$debs"
fi
