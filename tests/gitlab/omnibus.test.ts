import { describe, expect, it } from "vitest";
import { renderGitlabOmnibusConfig, rubyString, type GitlabOmnibusSettings } from "../../components/gitlab/omnibus";

const settings: GitlabOmnibusSettings = {
    externalUrl: "https://gitlab.nexora.restry.cn",
    sshHost: "ssh.nexora.restry.cn",
    trustedProxies: ["172.30.0.0/24"],
    monitoringWhitelist: ["172.30.0.0/24"],
    database: { host: "nexora-prod-postgres", port: 5432, username: "gitlab", password: "db-secret", name: "gitlabhq_production" },
    initialRootPassword: "root-secret-123",
};

function lines(config: string): string[] {
    return config.split("\n");
}

describe("renderGitlabOmnibusConfig", () => {
    it("sets the public URL, SSH clone address and time zone, with documented defaults", () => {
        const config = lines(renderGitlabOmnibusConfig(settings));
        expect(config).toContain("external_url 'https://gitlab.nexora.restry.cn'");
        expect(config).toContain("gitlab_rails['gitlab_ssh_host'] = 'ssh.nexora.restry.cn'");
        expect(config).toContain("gitlab_rails['gitlab_shell_ssh_port'] = 2222");
        expect(config).toContain("gitlab_rails['time_zone'] = 'Asia/Shanghai'");
        expect(config).toContain("puma['worker_processes'] = 2");
        expect(config).toContain("sidekiq['concurrency'] = 10");
        expect(config).toContain("prometheus_monitoring['enable'] = false");
    });

    it("serves plain HTTP on port 80 behind the TLS-terminating proxy and trusts its X-Forwarded-For", () => {
        const config = lines(renderGitlabOmnibusConfig(settings));
        expect(config).toEqual(
            expect.arrayContaining([
                "letsencrypt['enable'] = false",
                "nginx['listen_port'] = 80",
                "nginx['listen_https'] = false",
                "nginx['proxy_set_headers'] = { 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Ssl' => 'on' }",
                "nginx['real_ip_trusted_addresses'] = ['172.30.0.0/24']",
                "nginx['real_ip_header'] = 'X-Forwarded-For'",
                "nginx['real_ip_recursive'] = 'on'",
                "gitlab_rails['trusted_proxies'] = ['172.30.0.0/24']",
            ]),
        );
    });

    it("always lets loopback reach the health endpoints, without duplicates", () => {
        expect(lines(renderGitlabOmnibusConfig(settings))).toContain("gitlab_rails['monitoring_whitelist'] = ['127.0.0.0/8', '::1/128', '172.30.0.0/24']");
        const repeated = renderGitlabOmnibusConfig({ ...settings, monitoringWhitelist: ["127.0.0.0/8", "10.0.0.0/8", "10.0.0.0/8"] });
        expect(lines(repeated)).toContain("gitlab_rails['monitoring_whitelist'] = ['127.0.0.0/8', '::1/128', '10.0.0.0/8']");
    });

    it("uses the external PostgreSQL and turns the bundled one off", () => {
        const config = lines(renderGitlabOmnibusConfig(settings));
        expect(config).toEqual(
            expect.arrayContaining([
                "postgresql['enable'] = false",
                "gitlab_rails['db_adapter'] = 'postgresql'",
                "gitlab_rails['db_encoding'] = 'unicode'",
                "gitlab_rails['db_host'] = 'nexora-prod-postgres'",
                "gitlab_rails['db_port'] = 5432",
                "gitlab_rails['db_username'] = 'gitlab'",
                "gitlab_rails['db_password'] = 'db-secret'",
                "gitlab_rails['db_database'] = 'gitlabhq_production'",
            ]),
        );
    });

    it("seeds the root password without printing or storing it", () => {
        const config = lines(renderGitlabOmnibusConfig(settings));
        expect(config).toContain("gitlab_rails['initial_root_password'] = 'root-secret-123'");
        expect(config).toContain("gitlab_rails['display_initial_root_password'] = false");
        expect(config).toContain("gitlab_rails['store_initial_root_password'] = false");
    });

    it("turns the registry off explicitly unless a registry URL is given", () => {
        const off = lines(renderGitlabOmnibusConfig(settings));
        expect(off).toContain("registry['enable'] = false");
        expect(off).toContain("gitlab_rails['registry_enabled'] = false");
        expect(off.some((line) => line.startsWith("registry_external_url") || line.startsWith("registry_nginx"))).toBe(false);

        const on = lines(renderGitlabOmnibusConfig({ ...settings, registryExternalUrl: "https://registry.nexora.restry.cn/" }));
        expect(on).toEqual(
            expect.arrayContaining([
                "registry_external_url 'https://registry.nexora.restry.cn'",
                "registry_nginx['listen_port'] = 5050",
                "registry_nginx['listen_https'] = false",
                "registry_nginx['proxy_set_headers'] = { 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Ssl' => 'on' }",
                "registry_nginx['real_ip_trusted_addresses'] = ['172.30.0.0/24']",
            ]),
        );
        expect(on).not.toContain("registry['enable'] = false");
    });

    it("takes overrides for every optional setting", () => {
        const config = lines(renderGitlabOmnibusConfig({ ...settings, sshPort: 22, timeZone: "UTC", pumaWorkerProcesses: 0, sidekiqConcurrency: 5 }));
        expect(config).toContain("gitlab_rails['gitlab_shell_ssh_port'] = 22");
        expect(config).toContain("gitlab_rails['time_zone'] = 'UTC'");
        expect(config).toContain("puma['worker_processes'] = 0");
        expect(config).toContain("sidekiq['concurrency'] = 5");
    });

    it("normalizes URLs to their origin and is deterministic", () => {
        const first = renderGitlabOmnibusConfig(settings);
        expect(renderGitlabOmnibusConfig({ ...settings, externalUrl: "https://GitLab.nexora.restry.cn:443/" })).toBe(first);
        expect(renderGitlabOmnibusConfig(settings)).toBe(first);
        expect(lines(renderGitlabOmnibusConfig({ ...settings, externalUrl: "https://gitlab.example.com:8443" }))).toContain(
            "external_url 'https://gitlab.example.com:8443'",
        );
    });

    it("escapes secrets as single-quoted Ruby strings", () => {
        const config = renderGitlabOmnibusConfig({ ...settings, database: { ...settings.database, password: String.raw`a'b\c#{x}` } });
        expect(lines(config)).toContain(String.raw`gitlab_rails['db_password'] = 'a\'b\\c#{x}'`);
    });
});

describe("renderGitlabOmnibusConfig validation", () => {
    const db = settings.database;
    const cases: ReadonlyArray<readonly [string, GitlabOmnibusSettings, RegExp]> = [
        ["http external URL", { ...settings, externalUrl: "http://gitlab.nexora.restry.cn" }, /^externalUrl: .* must use https/],
        ["external URL with a path", { ...settings, externalUrl: "https://nexora.restry.cn/gitlab" }, /^externalUrl: .* without path/],
        ["external URL with credentials", { ...settings, externalUrl: "https://u:p@gitlab.nexora.restry.cn" }, /^externalUrl: .* credentials/],
        ["external URL that is no URL", { ...settings, externalUrl: "gitlab.nexora.restry.cn" }, /^externalUrl: .* is not a URL/],
        ["external URL with a quote in the host", { ...settings, externalUrl: "https://git'lab.example" }, /^externalUrl: .* is not a host name/],
        ["http registry URL", { ...settings, registryExternalUrl: "http://registry.nexora.restry.cn" }, /^registryExternalUrl: .* must use https/],
        ["registry on the GitLab URL", { ...settings, registryExternalUrl: "https://gitlab.nexora.restry.cn" }, /^registryExternalUrl: must differ/],
        ["SSH host with a space", { ...settings, sshHost: "ssh nexora" }, /^sshHost: .* is not a host name/],
        ["SSH host with a quote", { ...settings, sshHost: "ssh'.nexora" }, /^sshHost: /],
        ["SSH port 0", { ...settings, sshPort: 0 }, /^sshPort: 0 must be an integer from 1 to 65535/],
        ["SSH port 2222.5", { ...settings, sshPort: 2222.5 }, /^sshPort: /],
        ["no trusted proxy", { ...settings, trustedProxies: [] }, /^trustedProxies: needs at least/],
        ["trusted proxy that is no CIDR", { ...settings, trustedProxies: ["172.30.0.0/33"] }, /^trustedProxies: "172.30.0.0\/33" is not an IP address or CIDR/],
        ["trusted proxy host name", { ...settings, trustedProxies: ["caddy"] }, /^trustedProxies: "caddy"/],
        ["monitoring entry with junk", { ...settings, monitoringWhitelist: ["10.0.0.0/8'; x"] }, /^monitoringWhitelist: /],
        ["database host with a slash", { ...settings, database: { ...db, host: "pg/x" } }, /^database\.host: /],
        ["database port 70000", { ...settings, database: { ...db, port: 70000 } }, /^database\.port: 70000 must be/],
        ["uppercase database user", { ...settings, database: { ...db, username: "GitLab" } }, /^database\.username: /],
        ["database name with a quote", { ...settings, database: { ...db, name: "git'lab" } }, /^database\.name: /],
        ["empty database password", { ...settings, database: { ...db, password: "" } }, /^database\.password: must not be empty/],
        ["database password with a newline", { ...settings, database: { ...db, password: "secret\n" } }, /^database\.password: .*trailing newline/],
        ["root password with NUL", { ...settings, initialRootPassword: "root-secret\0" }, /^initialRootPassword: must not contain control characters/],
        ["short root password", { ...settings, initialRootPassword: "short" }, /^initialRootPassword: must be at least 8 characters/],
        ["unknown time zone", { ...settings, timeZone: "Mars/Olympus" }, /^timeZone: "Mars\/Olympus" is not an IANA time zone/],
        ["offset time zone", { ...settings, timeZone: "+08:00" }, /^timeZone: /],
        ["negative Puma workers", { ...settings, pumaWorkerProcesses: -1 }, /^pumaWorkerProcesses: -1 must be an integer from 0 to 32/],
        ["Sidekiq concurrency 0", { ...settings, sidekiqConcurrency: 0 }, /^sidekiqConcurrency: 0 must be an integer from 1 to 50/],
    ];

    it("uses Asia/Shanghai by default, an IANA zone Intl knows (the renderer takes its default on trust)", () => {
        expect(lines(renderGitlabOmnibusConfig({ ...settings, timeZone: undefined }))).toContain("gitlab_rails['time_zone'] = 'Asia/Shanghai'");
        expect(new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai" }).resolvedOptions().timeZone).toBe("Asia/Shanghai");
    });

    it.each(cases)("rejects %s, naming the setting", (_name, bad, message) => {
        expect(() => renderGitlabOmnibusConfig(bad)).toThrow(message);
    });

    it("accepts IPv6 and single-address proxies", () => {
        expect(() => renderGitlabOmnibusConfig({ ...settings, trustedProxies: ["fd00::/64", "172.30.0.2"] })).not.toThrow();
    });

    it("never prints a secret in an error", () => {
        expect(() => renderGitlabOmnibusConfig({ ...settings, initialRootPassword: "hunter2\n" })).toThrow(/^(?!.*hunter2)/s);
        expect(() => renderGitlabOmnibusConfig({ ...settings, database: { ...db, password: "hunter2\n" } })).toThrow(/^(?!.*hunter2)/s);
    });
});

describe("rubyString", () => {
    it("escapes only backslash and single quote, leaving interpolation syntax inert", () => {
        expect(rubyString(String.raw`it's \ #{x} "y"`)).toBe(String.raw`'it\'s \\ #{x} "y"'`);
        expect(rubyString("ends with \\")).toBe("'ends with \\\\'");
    });

    it("refuses control characters", () => {
        expect(() => rubyString("a\nb")).toThrow(/control characters/);
    });
});
