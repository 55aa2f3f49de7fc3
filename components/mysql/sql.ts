/**
 * Renders the SQL that gives every business app on the consolidated MySQL 8 server its own
 * database and user. Plain data in, text out: the MySQL component pipes the result into the
 * `mysql` client as root and re-runs it whenever the text's hash changes, so every statement is
 * idempotent and the password is re-set on each run (rotation is a re-run).
 */

/** One app that owns a database and a user of the same lifetime. */
export interface MysqlConsumer {
    /** Account name; the account is `'<user>'@'%'` (apps connect over the Docker network). */
    readonly user: string;
    /** Database created for the app; the user gets every privilege on it and nothing else. */
    readonly database: string;
    /** The user's password; set on every run, so a changed secret rotates it. */
    readonly password: string;
}

// MySQL 8 caps account names at 32 characters and database names at 64.
const userPattern = /^[a-z_][a-z0-9_]{0,31}$/;
const databasePattern = /^[a-z_][a-z0-9_]{0,63}$/;
const reservedDatabases: ReadonlySet<string> = new Set(["mysql", "information_schema", "performance_schema", "sys"]);
const reservedUsers: ReadonlySet<string> = new Set(["root"]);

/**
 * Render idempotent MySQL statements that provision `consumers`, sorted by user so the same set
 * gives the same text (and hash) whatever order the caller used.
 * @throws Error naming the consumer and field when a name or password is unusable.
 */
export function renderMysqlProvisioning(consumers: readonly MysqlConsumer[]): string {
    const sorted = validateConsumers(consumers);
    const lines: string[] = [
        "-- Nexora MySQL provisioning. Generated: do not edit. Safe to re-run.",
        "-- Run as root through the mysql client (it stops at the first error).",
        "SET NAMES utf8mb4;",
        // Password literals below escape backslashes; a server-wide NO_BACKSLASH_ESCAPES would change their meaning.
        "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','));",
    ];
    for (const consumer of sorted) {
        const account = `${mysqlStringLiteral(consumer.user)}@'%'`;
        const password = mysqlStringLiteral(consumer.password);
        lines.push(
            "",
            `-- ${consumer.user}: database ${consumer.database}`,
            // No COLLATE: MySQL 8 picks utf8mb4's default (utf8mb4_0900_ai_ci); naming it would break MariaDB-based tests.
            `CREATE DATABASE IF NOT EXISTS \`${consumer.database}\` CHARACTER SET utf8mb4;`,
            `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${password};`,
            `ALTER USER ${account} IDENTIFIED BY ${password};`,
            // In GRANT, _ in a database name is a wildcard: escape it or pyerp_dev would also match pyerpXdev.
            `GRANT ALL PRIVILEGES ON \`${consumer.database.replace(/_/g, "\\_")}\`.* TO ${account};`,
        );
    }
    return `${lines.join("\n")}\n`;
}

/**
 * A MySQL string literal: backslashes doubled (they escape unless NO_BACKSLASH_ESCAPES, which
 * the script switches off), quotes doubled (which means a quote in every SQL mode). Neither the
 * mysql client nor the server can see the literal or the statement end early.
 */
export function mysqlStringLiteral(value: string): string {
    if (value.includes("\0")) throw new Error("a MySQL string literal cannot contain NUL");
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

function validateConsumers(consumers: readonly MysqlConsumer[]): MysqlConsumer[] {
    const users = new Map<string, number>();
    const databases = new Map<string, number>();
    consumers.forEach((consumer, index) => {
        const where = `MySQL consumer #${index} (user ${JSON.stringify(consumer.user)})`;
        if (!userPattern.test(consumer.user)) {
            throw new Error(
                `${where}: user: ${JSON.stringify(consumer.user)} must match ${userPattern.source} (lowercase letter or _, then up to 31 lowercase letters, digits or _)`,
            );
        }
        if (reservedUsers.has(consumer.user)) throw new Error(`${where}: user: "${consumer.user}" is reserved for the server's administrator`);
        if (!databasePattern.test(consumer.database)) {
            throw new Error(
                `${where}: database: ${JSON.stringify(consumer.database)} must match ${databasePattern.source} (lowercase letter or _, then up to 63 lowercase letters, digits or _)`,
            );
        }
        if (reservedDatabases.has(consumer.database)) throw new Error(`${where}: database: "${consumer.database}" is a system schema`);
        if (consumer.password.length === 0) throw new Error(`${where}: password: must not be empty`);
        // A control character is almost always a pasted trailing newline; NUL cannot be stored at all.
        if (/[\u0000-\u001f\u007f]/.test(consumer.password)) {
            throw new Error(`${where}: password: must not contain control characters (NUL, newline, tab…); check for a trailing newline in the secret`);
        }
        const userOwner = users.get(consumer.user);
        if (userOwner !== undefined) throw new Error(`${where}: user: already used by consumer #${userOwner}; each app needs its own user`);
        users.set(consumer.user, index);
        const databaseOwner = databases.get(consumer.database);
        if (databaseOwner !== undefined) throw new Error(`${where}: database: already used by consumer #${databaseOwner}; each app needs its own database`);
        databases.set(consumer.database, index);
    });
    return [...consumers].sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
}
