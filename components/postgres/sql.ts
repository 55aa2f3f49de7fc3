/**
 * Renders the psql script that gives every PostgreSQL consumer (GitLab, Outline, Grafana…) its
 * own login role and database. Plain data in, text out: the PostgreSQL component runs the result
 * as the superuser (`psql -v ON_ERROR_STOP=1 -U postgres -d postgres`, script on stdin) and
 * re-runs it whenever the script's hash changes, so the script must be safe to run any number
 * of times: it creates what is missing and re-asserts everything else.
 */

/** One service that owns a role and a database of the same lifetime. */
export interface PostgresConsumer {
    /** Login role the service connects as, e.g. "gitlab". Lowercase SQL identifier. */
    readonly role: string;
    /** Database created for and owned by `role`, e.g. "gitlabhq_production". Lowercase SQL identifier. */
    readonly database: string;
    /** The role's password; set on every run, so a changed secret rotates it. */
    readonly password: string;
    /**
     * Extensions created in `database` by the superuser (some, like amcheck, are not trusted and
     * cannot be created by the owner).
     * @default [] — no extension is created
     */
    readonly extensions?: readonly string[];
}

/**
 * Extensions GitLab requires in an external database. GitLab cannot create amcheck itself
 * without being a superuser, so the provisioning script creates all four.
 */
export const gitlabPostgresExtensions: readonly string[] = Object.freeze(["amcheck", "btree_gist", "pg_trgm", "plpgsql"]);

/** Role and database names: safe unquoted in psql meta-commands and connection URLs; 63 bytes is NAMEDATALEN - 1. */
export const postgresIdentifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

// Extension names are catalog names, not user data: a hyphen is allowed for the few contrib ones like uuid-ossp.
const extensionNamePattern = /^[a-z_][a-z0-9_-]{0,62}$/;

// Names the cluster owns or that pg_hba.conf / role specifications treat as keywords.
const reservedNames: ReadonlySet<string> = new Set([
    "postgres",
    "template0",
    "template1",
    "public",
    "all",
    "none",
    "user",
    "current_user",
    "current_role",
    "session_user",
    "replication",
    "samerole",
    "samegroup",
]);

// Databases every cluster has; nobody but the superuser should connect to them.
const maintenanceDatabases: readonly string[] = ["postgres", "template1"];

/**
 * Render an idempotent psql script that provisions `consumers`. Consumers and extensions are
 * sorted, so the same set gives the same text (and hash) whatever order the caller used.
 * @throws Error naming the consumer and field when a name or password is unusable.
 */
export function renderPostgresProvisioning(consumers: readonly PostgresConsumer[]): string {
    const sorted = validateConsumers(consumers);
    const lines: string[] = [
        "-- Nexora PostgreSQL provisioning. Generated: do not edit. Safe to re-run.",
        "-- Run as a superuser: psql -v ON_ERROR_STOP=1 -U postgres -d postgres < this-file",
        "\\set ON_ERROR_STOP on",
        // Password literals below rely on these two: no backslash escapes, UTF-8 bytes.
        "SET standard_conforming_strings = on;",
        "SET client_encoding = 'UTF8';",
        "SET client_min_messages = warning;",
        "",
        "-- Maintenance databases: superusers only.",
        ...maintenanceDatabases.map((db) => `REVOKE CONNECT, TEMPORARY ON DATABASE ${quoteIdentifier(db)} FROM PUBLIC;`),
    ];

    for (const consumer of sorted) {
        const role = quoteIdentifier(consumer.role);
        const database = quoteIdentifier(consumer.database);
        lines.push(
            "",
            `-- ${consumer.role}: role and database ${consumer.database}`,
            `SELECT 'CREATE ROLE ${role}' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${consumer.role}')`,
            "\\gexec",
            // Re-asserted on every run: attributes drifted by hand are put back, a new secret rotates the password.
            `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${postgresStringLiteral(consumer.password)};`,
            // CREATE DATABASE cannot run inside a transaction or DO block: \gexec runs the generated statement on its own.
            `SELECT 'CREATE DATABASE ${database} OWNER ${role} ENCODING ''UTF8'' TEMPLATE template0' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = '${consumer.database}')`,
            "\\gexec",
            `ALTER DATABASE ${database} OWNER TO ${role};`,
            `REVOKE CONNECT, TEMPORARY ON DATABASE ${database} FROM PUBLIC;`,
            `GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role};`,
        );
    }

    // Extensions last: \connect starts a new session, and no password literal may follow it.
    for (const consumer of sorted) {
        if (consumer.extensions.length === 0) continue;
        // psql takes a meta-command argument as is: a validated name needs no quoting there.
        lines.push("", `\\connect ${consumer.database}`, "SET client_min_messages = warning;");
        for (const extension of consumer.extensions) {
            lines.push(`CREATE EXTENSION IF NOT EXISTS "${extension}";`);
        }
    }
    if (sorted.some((consumer) => consumer.extensions.length > 0)) {
        lines.push("", "\\connect postgres");
    }
    return `${lines.join("\n")}\n`;
}

/**
 * A standard-conforming SQL string literal: quotes doubled, backslashes literal. psql neither
 * interpolates `:variables` nor sees meta-commands inside a quoted literal, and the script turns
 * standard_conforming_strings on before the first one, so any printable text is safe here.
 */
export function postgresStringLiteral(value: string): string {
    if (value.includes("\0")) throw new Error("a PostgreSQL string literal cannot contain NUL");
    return `'${value.replace(/'/g, "''")}'`;
}

// Quoted so that a name which is also an SQL keyword (order, user…) still parses as a name.
function quoteIdentifier(name: string): string {
    return `"${name}"`;
}

interface ValidConsumer {
    readonly role: string;
    readonly database: string;
    readonly password: string;
    readonly extensions: readonly string[];
}

function validateConsumers(consumers: readonly PostgresConsumer[]): ValidConsumer[] {
    const roles = new Map<string, number>();
    const databases = new Map<string, number>();
    const valid = consumers.map((consumer, index): ValidConsumer => {
        const where = `PostgreSQL consumer #${index} (role ${JSON.stringify(consumer.role)})`;
        assertIdentifier(consumer.role, `${where}: role`);
        assertIdentifier(consumer.database, `${where}: database`);
        assertPassword(consumer.password, `${where}: password`);
        const extensions = [...new Set(consumer.extensions ?? [])].sort();
        for (const extension of extensions) {
            if (!extensionNamePattern.test(extension)) {
                throw new Error(`${where}: extensions: ${JSON.stringify(extension)} is not an extension name (lowercase letters, digits, _ or -)`);
            }
        }
        const roleOwner = roles.get(consumer.role);
        if (roleOwner !== undefined) throw new Error(`${where}: role: already used by consumer #${roleOwner}; each consumer needs its own role`);
        roles.set(consumer.role, index);
        const databaseOwner = databases.get(consumer.database);
        if (databaseOwner !== undefined)
            throw new Error(`${where}: database: already used by consumer #${databaseOwner}; each consumer needs its own database`);
        databases.set(consumer.database, index);
        return { role: consumer.role, database: consumer.database, password: consumer.password, extensions };
    });
    return valid.sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

function assertIdentifier(name: string, field: string): void {
    if (!postgresIdentifierPattern.test(name)) {
        throw new Error(
            `${field}: ${JSON.stringify(name)} must match ${postgresIdentifierPattern.source} (lowercase letter or _, then up to 62 lowercase letters, digits or _)`,
        );
    }
    if (reservedNames.has(name) || name.startsWith("pg_")) {
        throw new Error(
            `${field}: ${JSON.stringify(name)} is reserved by PostgreSQL (postgres, template0/1, public, pg_* and role keywords); pick another name`,
        );
    }
}

function assertPassword(password: string, field: string): void {
    if (password.length === 0) throw new Error(`${field}: must not be empty`);
    // A control character is almost always a pasted trailing newline; NUL cannot be stored at all.
    if (/[\u0000-\u001f\u007f]/.test(password)) {
        throw new Error(`${field}: must not contain control characters (NUL, newline, tab…); check for a trailing newline in the secret`);
    }
}
