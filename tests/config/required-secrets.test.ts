// Which secret keys a config requires is said once (requiredSecretKeys): parseSettings reports each
// missing one, and the offline plan gives each a placeholder instead of repeating the rules.
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings, requiredSecretKeys } from "../../components/config";
import { toEngineConfig } from "../../tools/plan/evaluate";

const apps = JSON.stringify({ pyerp: { image: "registry.example.cn/erp/pyerp:1.2.3", port: 8000, secretEnv: { SMTP_PASS: "pyerpSmtpPass" } } });

describe("requiredSecretKeys", () => {
    it("needs frpToken only when the tunnel is on", () => {
        expect(requiredSecretKeys({ tunnelEnabled: "true" }).map((r) => r.key)).toEqual(["frpToken"]);
        expect(requiredSecretKeys({ tunnelEnabled: "false" })).toEqual([]);
        expect(requiredSecretKeys({})).toEqual([]);
    });

    it("needs the off-site credentials of the repository's kind", () => {
        expect(requiredSecretKeys({ backupOffsiteRepository: "sftp:backup@40.162.94.187:/srv/restic/prod" }).map((r) => r.key)).toEqual([
            "backupOffsiteSshKey",
        ]);
        expect(requiredSecretKeys({ backupOffsiteRepository: "s3:https://s3.example.cn/bucket/prod" }).map((r) => r.key)).toEqual([
            "backupOffsiteAccessKeyId",
            "backupOffsiteSecretAccessKey",
        ]);
    });

    it("needs every key an app's secretEnv names, reported under the variable", () => {
        expect(requiredSecretKeys({ apps })).toEqual([
            {
                key: "pyerpSmtpPass",
                reportAt: "apps.pyerp.secretEnv.SMTP_PASS",
                message: "secret config key nexora:pyerpSmtpPass to be set (pulumi config set --secret pyerpSmtpPass ...)",
            },
        ]);
    });

    it("is what parseSettings reports missing", () => {
        const raw = { environment: "dev", tunnelEnabled: "true", frpServerAddr: "40.162.94.187", sshRemotePort: "2222", apps };
        let issues: { key: string; expected: string }[] = [];
        try {
            parseSettings(raw, { project: "nexora", stack: "dev" });
        } catch (err) {
            expect(err).toBeInstanceOf(ConfigError);
            issues = [...(err as ConfigError).issues];
        }
        const expected = requiredSecretKeys(raw).map((r) => ({ key: `nexora:${r.reportAt}`, expected: r.message }));
        expect(expected).toHaveLength(2);
        for (const issue of expected) expect(issues).toContainEqual(expect.objectContaining(issue));
    });
});

describe("toEngineConfig gives exactly the required secrets a placeholder", () => {
    it("follows the rules, not a copy of them", () => {
        const config = {
            "nexora:tunnelEnabled": true,
            "nexora:apps": JSON.parse(apps),
            "nexora:backupOffsiteRepository": "s3:https://s3.example.cn/bucket/dev",
        };
        const { values, secretKeys } = toEngineConfig("dev", config);
        const wanted = ["frpToken", "backupOffsiteAccessKeyId", "backupOffsiteSecretAccessKey", "pyerpSmtpPass"].map((k) => `nexora:${k}`);
        expect([...secretKeys].sort()).toEqual([...wanted].sort());
        for (const key of wanted) expect(values[key]).toMatch(/^plan-/);
        expect(toEngineConfig("dev", { "nexora:tunnelEnabled": false }).secretKeys).toEqual([]);
    });
});
