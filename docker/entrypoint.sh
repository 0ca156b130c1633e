#!/usr/bin/env bash
# Starts Chorus. A configuration error (exit code 2: nothing was started) is reported once and the container then
# waits instead of exiting, so a restart policy does not turn it into a restart loop that buries the message; fix
# the configuration and `docker compose up -d` (or restart) the container. Every other exit is passed through.
set -uo pipefail
java $JAVA_OPTS -jar /opt/chorus/chorus.jar "$@"
code=$?
if [ "$code" -eq 2 ]; then
  echo "chorus: configuration error (exit code 2, see above); not restarting. Fix the configuration, then restart." >&2
  trap 'exit 2' TERM INT
  sleep infinity &
  wait $!
fi
exit "$code"
