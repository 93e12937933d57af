#!/bin/sh
# Starts Alertmanager with the Slack receivers when their webhook URL file exists, else with the
# same routing and the webhook alone (alertmanager.webhook-only.yml), so a setup without Slack
# logs no failed notifications. Arguments go on to Alertmanager. ALERTMANAGER names the binary.
set -eu
dir=$(dirname "$0")
config="$dir/alertmanager.yml"
if [ ! -s "$dir/secrets/slack-webhook-url" ]; then
  config="$dir/alertmanager.webhook-only.yml"
  echo "genai-cost: $dir/secrets/slack-webhook-url not found: Slack receivers off, alerts go to the webhook only" >&2
fi
exec "${ALERTMANAGER:-alertmanager}" --config.file="$config" "$@"
