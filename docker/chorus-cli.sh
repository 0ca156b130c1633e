#!/bin/sh
# `chorus` inside the container: the CLI (projects, keys, status, stop, audit verify, ...) on this container's data
# dir, e.g. `podman exec chorus chorus projects list`. While the server runs it goes through its control channel.
exec java $JAVA_OPTS -jar /opt/chorus/chorus.jar "$@"
