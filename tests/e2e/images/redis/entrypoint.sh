#!/bin/sh
# Like the official image: runs as the redis user, protected mode off (the official build
# compiles it off; Debian's binary defaults it on), data in /data.
set -e
if [ "$1" = redis-server ]; then
    shift
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups redis-server --protected-mode no --dir /data "$@"
fi
exec "$@"
