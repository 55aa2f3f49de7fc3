import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_BACKUP_RETENTION, parseSettings } from "../../components/config";
import { cronProblem } from "../../components/backup/manifest";

function raw(environment: string, overrides: Record<string, string> = {}): Record<string, string> {
    return { environment, edgeSubnet: "172.30.30.0/24", dataSubnet: "172.30.31.0/24", tls: "internal", ...overrides };
}

function parse(environment: string, overrides: Record<string, string> = {}) {
    return parseSettings(raw(environment, overrides), { project: "nexora", stack: environment }).settings;
}

function issuesOf(environment: string, overrides: Record<string, string>): { key: string; expected: string }[] {
    try {
        parse(environment, overrides);
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

describe("backup config", () => {
    it("is on by default in staging and prod, off in dev, and either way when set", () => {
        expect(parse("prod").backup.enabled).toBe(true);
        expect(parse("staging").backup.enabled).toBe(true);
        expect(parse("dev").backup.enabled).toBe(false);
        expect(parse("dev", { backupEnabled: "true" }).backup.enabled).toBe(true);
        expect(parse("prod", { backupEnabled: "false" }).backup.enabled).toBe(false);
    });

    it("defaults to every 6 hours, 7 daily, 4 weekly and 6 monthly snapshots, stale after 13 hours, no off-host copy", () => {
        expect(parse("prod").backup).toEqual({
            enabled: true,
            schedule: "30 */6 * * *",
            retention: { daily: 7, weekly: 4, monthly: 6 },
            maxAgeHours: 13,
            offsite: undefined,
        });
        expect(DEFAULT_BACKUP_RETENTION).toEqual({ daily: 7, weekly: 4, monthly: 6 });
    });

    it("takes a schedule, a partial retention and an off-host target from config", () => {
        const b = parse("prod", {
            backupSchedule: "0 2 * * 1-5",
            backupRetention: JSON.stringify({ daily: 14, monthly: 12 }),
            backupOffsiteRepository: "sftp:backup@40.162.94.187:/srv/restic/prod",
            backupOffsiteKnownHosts: "40.162.94.187 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
            backupOffsiteSshKey: "-----BEGIN OPENSSH PRIVATE KEY-----",
        }).backup;
        expect(b.schedule).toBe("0 2 * * 1-5");
        expect(b.retention).toEqual({ daily: 14, weekly: 4, monthly: 12 });
        expect(b.offsite).toMatchObject({ kind: "sftp", repository: "sftp:backup@40.162.94.187:/srv/restic/prod" });
    });

    it.each([
        [{ backupEnabled: "yes" }, "nexora:backupEnabled", "true or false"],
        [{ backupSchedule: "every day" }, "nexora:backupSchedule", "five fields"],
        [{ backupSchedule: "61 * * * *" }, "nexora:backupSchedule", "minute field within 0-59"],
        [{ backupSchedule: "0 3 * * MON" }, "nexora:backupSchedule", "numbers only"],
        [{ backupSchedule: "0 5-3 * * *" }, "nexora:backupSchedule", "range low-high"],
        [{ backupRetention: JSON.stringify({ daily: -1 }) }, "nexora:backupRetention.daily", "a whole number of snapshots"],
        [{ backupRetention: JSON.stringify({ yearly: 2 }) }, "nexora:backupRetention.yearly", "one of daily, weekly, monthly"],
        [{ backupRetention: JSON.stringify({ daily: 0, weekly: 0, monthly: 0 }) }, "nexora:backupRetention", "at least one snapshot kept"],
        [{ backupRetention: "[7]" }, "nexora:backupRetention", "an object"],
        [{ backupMaxAgeHours: "0" }, "nexora:backupMaxAgeHours", "1-1080"],
        [{ backupOffsiteRepository: "/mnt/usb" }, "nexora:backupOffsiteRepository", "sftp:user@host:/absolute/path"],
        [{ backupOffsiteRepository: "sftp:backup@relay:/srv/restic" }, "nexora:backupOffsiteSshKey", "SSH private key"],
        [{ backupOffsiteRepository: "sftp:backup@relay:/srv/restic", backupOffsiteSshKey: "k" }, "nexora:backupOffsiteKnownHosts", "known_hosts line"],
        [{ backupOffsiteRepository: "s3:https://minio.example:9000/backups/prod" }, "nexora:backupOffsiteAccessKeyId", "S3 credential"],
        [{ backupAlertWebhook: "ftp://hooks.example/x" }, "nexora:backupAlertWebhook", "http(s) URL"],
        [{ backupAlertWebhook: "https://mm.example/hooks/a b" }, "nexora:backupAlertWebhook", "http(s) URL"],
    ])("rejects %j naming the key", (overrides, key, expected) => {
        const issues = issuesOf("prod", overrides as Record<string, string>);
        expect(issues.map((i) => i.key)).toContain(key);
        expect(issues.find((i) => i.key === key)!.expected).toContain(expected);
        // A secret's value never appears in the message.
        for (const issue of issues) expect(issue.expected).not.toContain("mm.example");
    });

    it("rejects an app called backup while backups are on (its container would collide)", () => {
        const apps = JSON.stringify({ backup: { image: "registry.example.cn/backup:1.0.0", port: 80 } });
        expect(issuesOf("prod", { apps }).map((i) => i.key)).toContain("nexora:apps.backup");
    });

    it("keeps secret backup keys out of the plain settings", () => {
        const s = parse("prod", { backupAlertWebhook: "https://mm.example/hooks/t0k3n" });
        expect(JSON.stringify(s)).not.toContain("t0k3n");
        expect(s.secretKeysSet).toContain("backupAlertWebhook");
    });
});

describe("cronProblem", () => {
    it.each(["30 */6 * * *", "0 3 * * *", "*/15 * * * *", "0 0 1 1-12/3 0,7", "5 4 * * 1-5"])("accepts %s", (expr) => {
        expect(cronProblem(expr)).toBeUndefined();
    });
});
