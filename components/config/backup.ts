// Backup settings: schedules, retention, the off-site target and its secrets.
import * as pulumi from "@pulumi/pulumi";
import { type Retention, cronProblem, offsiteRepositoryProblem } from "../backup/manifest";
import { Checker, describe, readBoolean, readJsonObject } from "./checker";
import { BACKUP_SECRET_KEYS, CONFIG_KEYS, DEFAULT_BACKUP_RETENTION, SCALAR_DEFAULTS, type ScalarKey } from "./keys";
import { undiallableHost } from "../validators";
import { type Environment } from "./types";

// --- backups ------------------------------------------------------------------------------------

export type BackupSecretKey = (typeof BACKUP_SECRET_KEYS)[number];

export { DEFAULT_BACKUP_RETENTION };

export interface BackupOffsiteSettings {
    /** restic repository URL: `sftp:user@host:/path` or `s3:https://host/bucket/path`. */
    readonly repository: string;
    readonly kind: "sftp" | "s3";
    /** known_hosts line(s) of the SFTP host (host keys are checked). */
    readonly knownHosts: string;
}

export interface BackupSettings {
    /** @default true for staging and prod, false for dev */
    readonly enabled: boolean;
    /** Five-field cron expression, UTC. @default "30 *\/6 * * *" (every 6 hours) */
    readonly schedule: string;
    readonly retention: Retention;
    /** A store whose last good snapshot is older than this is reported stale. @default 13 */
    readonly maxAgeHours: number;
    readonly offsite?: BackupOffsiteSettings;
}

export interface BackupSecrets {
    readonly alertWebhook?: pulumi.Output<string>;
    readonly heartbeatUrl?: pulumi.Output<string>;
    readonly offsiteAccessKeyId?: pulumi.Output<string>;
    readonly offsiteSecretAccessKey?: pulumi.Output<string>;
    readonly offsiteSshKey?: pulumi.Output<string>;
}

export function readBackupSettings(c: Checker, raw: Readonly<Record<string, string>>, environment: Environment, appKeys: readonly string[]): BackupSettings {
    const get = (key: ScalarKey): string | undefined => raw[key] ?? SCALAR_DEFAULTS[key];
    const enabled = readBoolean(c, "backupEnabled", raw.backupEnabled ?? CONFIG_KEYS.backupEnabled.defaultByEnvironment[environment]);

    const schedule = get("backupSchedule")!.trim();
    const problem = cronProblem(schedule);
    if (problem) c.fail("backupSchedule", `a cron expression (UTC) like "30 */6 * * *": ${problem}`);

    const retention = { ...DEFAULT_BACKUP_RETENTION };
    const retentionRaw = readJsonObject(c, "backupRetention", raw.backupRetention);
    for (const [key, value] of Object.entries(retentionRaw)) {
        if (!(key in retention)) {
            c.fail(`backupRetention.${key}`, "one of daily, weekly, monthly");
            continue;
        }
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 1000) {
            c.fail(`backupRetention.${key}`, `a whole number of snapshots 0-1000, got ${describe(value)}`);
            continue;
        }
        retention[key as keyof Retention] = value;
    }
    if (retention.daily + retention.weekly + retention.monthly === 0) {
        c.fail("backupRetention", "at least one snapshot kept (daily, weekly and monthly are all 0: every snapshot would be deleted)");
    }

    const maxAgeRaw = get("backupMaxAgeHours")!;
    const maxAgeHours = /^\d+$/.test(maxAgeRaw) ? Number(maxAgeRaw) : NaN;
    if (!(maxAgeHours >= 1 && maxAgeHours <= 24 * 45)) c.fail("backupMaxAgeHours", `a whole number of hours 1-1080, got ${describe(maxAgeRaw)}`);

    let offsite: BackupOffsiteSettings | undefined;
    const repository = get("backupOffsiteRepository")!;
    if (repository !== "") {
        const repoProblem = offsiteRepositoryProblem(repository);
        const host = /^(?:sftp:[^@]*@|s3:https?:\/\/)([^:/]+)/.exec(repository)?.[1];
        const undiallable = host === undefined ? undefined : undiallableHost(host, true);
        if (repoProblem) c.fail("backupOffsiteRepository", repoProblem);
        else if (undiallable)
            c.fail("backupOffsiteRepository", `an off-host repository restic can reach from its container, not on ${undiallable}, got ${describe(repository)}`);
        else {
            const kind = repository.startsWith("sftp:") ? "sftp" : "s3";
            const knownHosts = get("backupOffsiteKnownHosts")!;
            if (kind === "sftp") {
                if (!/^\S+ (ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256) [A-Za-z0-9+/=]+/.test(knownHosts)) {
                    c.fail(
                        "backupOffsiteKnownHosts",
                        `the sftp host's known_hosts line ("host ssh-ed25519 AAAA..."; ssh-keyscan), got ${describe(knownHosts)}`,
                    );
                }
            }
            offsite = { repository, kind, knownHosts };
        }
    }
    for (const key of ["backupAlertWebhook", "backupHeartbeatUrl"] as const) {
        const value = raw[key];
        // Only the form is checked (an encrypted value the offline plan cannot read has a placeholder).
        if (value !== undefined && (!/^[^\s"'\\]+$/.test(value) || (value.includes("://") && !/^https?:\/\//.test(value)))) {
            c.fail(key, "an http(s) URL without spaces or quotes (its value is not shown)");
        }
    }
    if (enabled && appKeys.includes("backup")) c.fail("apps.backup", "an app name other than backup (the backup container is nexora-<stack>-backup)");
    return { enabled, schedule, retention, maxAgeHours: Number.isNaN(maxAgeHours) ? 13 : maxAgeHours, offsite };
}

export function backupSecretsOf(settings: BackupSettings, secretValues: Readonly<Record<string, string>>): BackupSecrets {
    const secret = (key: BackupSecretKey) => (secretValues[key] === undefined ? undefined : pulumi.secret(secretValues[key]!));
    return {
        alertWebhook: secret("backupAlertWebhook"),
        heartbeatUrl: secret("backupHeartbeatUrl"),
        offsiteAccessKeyId: settings.offsite?.kind === "s3" ? secret("backupOffsiteAccessKeyId") : undefined,
        offsiteSecretAccessKey: settings.offsite?.kind === "s3" ? secret("backupOffsiteSecretAccessKey") : undefined,
        offsiteSshKey: settings.offsite?.kind === "sftp" ? secret("backupOffsiteSshKey") : undefined,
    };
}
