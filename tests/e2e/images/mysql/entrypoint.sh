#!/bin/bash
# The official mysql image's entrypoint contract (MYSQL_ROOT_PASSWORD, socket-only init phase),
# on MariaDB.
set -euo pipefail
if [ "${1:-}" = mysqld ]; then
    shift
    args=()
    for a in "$@"; do
        # MySQL 8's default collation; MariaDB 10.11 knows it under no name.
        args+=("${a/utf8mb4_0900_ai_ci/utf8mb4_unicode_ci}")
    done
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld /var/lib/mysql
    if [ ! -d /var/lib/mysql/mysql ]; then
        : "${MYSQL_ROOT_PASSWORD:?the mysql stand-in needs MYSQL_ROOT_PASSWORD, like the official image}"
        mariadb-install-db --user=mysql --datadir=/var/lib/mysql --auth-root-authentication-method=normal --skip-test-db >/dev/null
        mariadbd --user=mysql --skip-networking --socket=/run/mysqld/mysqld.sock &
        pid=$!
        for _ in $(seq 1 60); do mariadb-admin --socket=/run/mysqld/mysqld.sock ping --silent 2>/dev/null && break; sleep 1; done
        # The password goes on stdin, never on a command line.
        {
            printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n" "${MYSQL_ROOT_PASSWORD//\'/\'\'}"
            printf "CREATE USER 'root'@'%%' IDENTIFIED BY '%s';\n" "${MYSQL_ROOT_PASSWORD//\'/\'\'}"
            printf "GRANT ALL ON *.* TO 'root'@'%%' WITH GRANT OPTION;\nFLUSH PRIVILEGES;\n"
        } | mariadb --socket=/run/mysqld/mysqld.sock -uroot
        kill "$pid"
        wait "$pid" || true
    fi
    exec mariadbd --user=mysql --bind-address=0.0.0.0 "${args[@]}"
fi
exec "$@"
