import { describe, expect, it } from "vitest";
import { renderGitlabOmnibusConfig, type GitlabOmnibusSettings } from "../../components/gitlab/omnibus";
import { gitlabRbKeys, KNOWN_GITLAB_RB_KEYS, REMOVED_GITLAB_RB_KEYS } from "../../components/gitlab/omnibus-keys";

const settings: GitlabOmnibusSettings = {
    externalUrl: "https://gitlab.nexora.restry.cn",
    sshHost: "ssh.nexora.restry.cn",
    trustedProxies: ["172.30.0.0/24"],
    monitoringWhitelist: ["172.30.0.0/24"],
    database: { host: "nexora-prod-postgres", port: 5432, username: "gitlab", password: "db-secret", name: "gitlabhq_production" },
    initialRootPassword: "root-secret-123",
};

/** Every optional branch of the renderer: registry off and on, every tunable set. */
const variants: Record<string, GitlabOmnibusSettings> = {
    defaults: settings,
    "registry on": { ...settings, registryExternalUrl: "https://registry.nexora.restry.cn" },
    "every tunable": { ...settings, sshPort: 22, timeZone: "UTC", pumaWorkerProcesses: 0, sidekiqConcurrency: 5 },
};

describe("gitlab.rb keys", () => {
    it.each(Object.entries(variants))("renders only settings the omnibus 18.11 template knows (%s)", (_, variant) => {
        const keys = gitlabRbKeys(renderGitlabOmnibusConfig(variant));
        expect(keys.length).toBeGreaterThan(20);
        expect(keys.filter((k) => !KNOWN_GITLAB_RB_KEYS.includes(k))).toEqual([]);
        expect(keys.filter((k) => k in REMOVED_GITLAB_RB_KEYS)).toEqual([]);
    });

    it("sets Sidekiq's threads with sidekiq['concurrency'] (max_concurrency was removed in 17.0)", () => {
        expect(renderGitlabOmnibusConfig(settings).split("\n")).toContain("sidekiq['concurrency'] = 10");
    });

    it("lists no removed key as known", () => {
        expect(KNOWN_GITLAB_RB_KEYS.filter((k) => k in REMOVED_GITLAB_RB_KEYS)).toEqual([]);
        expect(new Set(KNOWN_GITLAB_RB_KEYS).size).toBe(KNOWN_GITLAB_RB_KEYS.length);
    });

    it("reads settings and directives, skipping comments, and refuses anything else without quoting it", () => {
        expect(gitlabRbKeys("# c\nexternal_url 'https://x'\n\ngitlab_rails['db_password'] = 'p'\nnginx['a']['b'] = 1\n")).toEqual([
            "external_url",
            "gitlab_rails['db_password']",
            "nginx['a']['b']",
        ]);
        expect(() => gitlabRbKeys("eval('secret-value')")).toThrow(/^gitlab\.rb line 1 is neither/);
        expect(() => gitlabRbKeys("eval('secret-value')")).not.toThrow(/secret-value/);
    });
});
