/**
 * What the cutover records and compares: row counts and checksums per table, file counts and
 * checksums per volume. The scripts run inside the stores' own containers (their own clients,
 * local socket, credentials from the container's env), the comparison is pure.
 */

/** `<store>/<database>.<schema>.<table>` or `volume/<name>` → what it held. */
export type Fingerprint = Readonly<Record<string, { readonly count: number; readonly checksum: string }>>;

/**
 * psql script: one line per user table of every non-template database, `db.schema.table count md5`.
 * The md5 is over the rows' text sorted, so a row changed in place shows too. Run with `-U <superuser>`.
 */
export const POSTGRES_FINGERPRINT_SCRIPT = [
    "set -e",
    'for db in $(psql -U "$1" -d postgres -At -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY 1"); do',
    '  psql -U "$1" -d "$db" -At -F " " -v ON_ERROR_STOP=1 <<\'SQL\' | sed "s/^/$db./"',
    "SELECT format('SELECT %L, count(*), coalesce(md5(string_agg(h, '''' ORDER BY h)), '''') FROM (SELECT md5(t::text) h FROM %I.%I t) s', schemaname || '.' || tablename, schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 \\gexec",
    "SQL",
    "done",
].join("\n");

/** mysql script: `db.table count checksum` for every table outside MySQL's own schemas. Root's password from MYSQL_PWD. */
export const MYSQL_FINGERPRINT_SCRIPT = [
    "set -e",
    'q() { mysql --protocol=socket -uroot -N -B -e "$1"; }',
    "q \"SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema') ORDER BY 1\" | while read -r t; do",
    "  s=${t%%.*}; n=${t#*.}",
    '  c=$(q "SELECT COUNT(*) FROM \\`$s\\`.\\`$n\\`")',
    "  k=$(q \"CHECKSUM TABLE \\`$s\\`.\\`$n\\` EXTENDED\" | awk '{print $2}')",
    '  echo "$t $c $k"',
    "done",
].join("\n");

/**
 * sh script over a directory (the volume mounted at /v): `files <count> <sha256 of the sorted
 * per-file sha256 list>`. Its arguments are the paths under /v it covers (the whole volume without
 * any); a path that does not exist holds no files.
 */
export const FILES_FINGERPRINT_SCRIPT =
    '[ $# -gt 0 ] || set -- .; cd /v && n=$(find "$@" -type f 2>/dev/null | wc -l) && sum=$(find "$@" -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum | sha256sum | cut -d" " -f1) && echo "files $n $sum"';

/** Parses `name count checksum` lines under a prefix. */
export function parseFingerprint(prefix: string, output: string): Fingerprint {
    const out: Record<string, { count: number; checksum: string }> = {};
    for (const line of output.split("\n")) {
        // An empty table's checksum is empty: the line ends after its count.
        const m = /^(\S+) (\d+)(?: (\S+))?$/.exec(line.trim());
        if (m) out[`${prefix}/${m[1]}`] = { count: Number(m[2]), checksum: m[3] ?? "" };
    }
    return out;
}

export interface FingerprintDifference {
    readonly key: string;
    readonly before?: { readonly count: number; readonly checksum: string };
    readonly after?: { readonly count: number; readonly checksum: string };
    /** Rows (or files) in `before` that `after` lacks, at least: count difference when positive. */
    readonly lost: number;
}

/**
 * Every entry that differs between two fingerprints: missing on one side, another count or another
 * checksum. `lost` counts rows/files `before` had beyond `after` (0 when only contents changed).
 */
export function compareFingerprints(before: Fingerprint, after: Fingerprint): FingerprintDifference[] {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const diffs: FingerprintDifference[] = [];
    for (const key of keys) {
        const b = before[key];
        const a = after[key];
        if (b && a && b.count === a.count && b.checksum === a.checksum) continue;
        diffs.push({ key, before: b, after: a, lost: Math.max(0, (b?.count ?? 0) - (a?.count ?? 0)) });
    }
    return diffs;
}

/** Sentences that say what a rollback would lose: what the stack holds beyond what it held at cutover. */
export function describeWritesSince(atCutover: Fingerprint, now: Fingerprint): string[] {
    return compareFingerprints(atCutover, now).map((d) => {
        if (!d.before) return `${d.key}: created since the cutover (${d.after!.count} rows/files) — lost by a rollback`;
        if (!d.after) return `${d.key}: gone since the cutover`;
        const more = d.after.count - d.before.count;
        return more > 0
            ? `${d.key}: ${more} rows/files written since the cutover (${d.before.count} → ${d.after.count}) — lost by a rollback`
            : `${d.key}: changed since the cutover (${d.before.count} → ${d.after.count}, checksum differs) — the changes are lost by a rollback`;
    });
}
