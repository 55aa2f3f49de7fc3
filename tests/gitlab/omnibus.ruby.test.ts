/**
 * The rendered gitlab.rb checked by a real Ruby (Debian: `apt-get install -y ruby`): `ruby -c`
 * for syntax, then evaluated the way omnibus does (instance_eval on a config object) inside a
 * harness that records every setting and dumps it as JSON. A harness built on BasicObject has no
 * Kernel methods, so an escaping bug that let code run (system, backticks…) shows up as an
 * unexpected setting instead of being executed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderGitlabOmnibusConfig, type GitlabOmnibusSettings } from "../../components/gitlab/omnibus";

const harness = String.raw`
require 'json'

# Records gitlab.rb the way omnibus reads it: bare calls with one argument are top-level settings
# (external_url 'x'), bare names without arguments are auto-vivifying sections (nginx['k'] = v).
class GitlabRbRecorder < BasicObject
  def initialize
    @settings = {}
  end

  def __settings
    @settings
  end

  def method_missing(name, *args, &block)
    key = name.to_s
    ::Kernel.raise ::ArgumentError, "unexpected block passed to #{key}" if block
    case args.length
    when 0
      @settings[key] ||= ::Hash.new { |hash, k| hash[k] = ::Hash.new(&hash.default_proc) }
    when 1
      ::Kernel.raise ::ArgumentError, "#{key} set twice" if @settings.key?(key)
      @settings[key] = args[0]
    else
      ::Kernel.raise ::ArgumentError, "#{key} called with #{args.length} arguments"
    end
  end

  def respond_to_missing?(_name, _include_private = false)
    true
  end
end

path = ARGV.fetch(0)
recorder = GitlabRbRecorder.new
recorder.instance_eval(File.read(path, encoding: 'UTF-8'), path, 1)
puts JSON.generate(recorder.__settings)
`;

// Each could end the literal early, interpolate, or run a command if escaping were wrong.
const hostileDbPassword = String.raw`it's a \' trap \\' #{system('touch /tmp/nexora-pwned')} ${"`id`"} "; exit 1; " \ `;
const hostileRootPassword = "ends with a backslash \\";

const settings: GitlabOmnibusSettings = {
    externalUrl: "https://gitlab.nexora.restry.cn",
    sshHost: "ssh.nexora.restry.cn",
    trustedProxies: ["172.30.0.0/24"],
    monitoringWhitelist: ["172.30.0.0/24"],
    database: { host: "nexora-prod-postgres", port: 5432, username: "gitlab", password: hostileDbPassword, name: "gitlabhq_production" },
    initialRootPassword: hostileRootPassword,
};

let workDir: string;
let ruby: string;

beforeAll(() => {
    const found = (process.env.PATH ?? "")
        .split(":")
        .map((dir) => join(dir, "ruby"))
        .find((path) => existsSync(path));
    if (found === undefined) throw new Error("ruby not found on PATH: apt-get install -y ruby");
    ruby = found;
    workDir = mkdtempSync(join(tmpdir(), "nexora-gitlab-rb-"));
    writeFileSync(join(workDir, "harness.rb"), harness);
});

afterAll(() => {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

function writeConfig(config: string, name: string): string {
    const path = join(workDir, name);
    writeFileSync(path, config);
    return path;
}

function evaluate(config: string): Record<string, unknown> {
    const result = spawnSync(ruby, [join(workDir, "harness.rb"), writeConfig(config, "gitlab.rb")], { encoding: "utf8", timeout: 20_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
}

const proxyHeaders = { "X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on" };

describe("gitlab.rb evaluated by Ruby", () => {
    it("passes ruby -c", () => {
        const path = writeConfig(renderGitlabOmnibusConfig({ ...settings, registryExternalUrl: "https://registry.nexora.restry.cn" }), "syntax.rb");
        const result = spawnSync(ruby, ["-c", path], { encoding: "utf8", timeout: 20_000 });
        expect(result.stderr).toBe("");
        expect(result.stdout.trim()).toBe("Syntax OK");
    });

    it("sets exactly the intended settings, with hostile passwords intact", () => {
        expect(evaluate(renderGitlabOmnibusConfig(settings))).toEqual({
            external_url: "https://gitlab.nexora.restry.cn",
            gitlab_rails: {
                time_zone: "Asia/Shanghai",
                gitlab_ssh_host: "ssh.nexora.restry.cn",
                gitlab_shell_ssh_port: 2222,
                initial_root_password: hostileRootPassword,
                display_initial_root_password: false,
                store_initial_root_password: false,
                trusted_proxies: ["172.30.0.0/24"],
                monitoring_whitelist: ["127.0.0.0/8", "::1/128", "172.30.0.0/24"],
                db_adapter: "postgresql",
                db_encoding: "unicode",
                db_host: "nexora-prod-postgres",
                db_port: 5432,
                db_username: "gitlab",
                db_password: hostileDbPassword,
                db_database: "gitlabhq_production",
                registry_enabled: false,
            },
            letsencrypt: { enable: false },
            nginx: {
                listen_port: 80,
                listen_https: false,
                proxy_set_headers: proxyHeaders,
                real_ip_trusted_addresses: ["172.30.0.0/24"],
                real_ip_header: "X-Forwarded-For",
                real_ip_recursive: "on",
            },
            postgresql: { enable: false },
            registry: { enable: false },
            puma: { worker_processes: 2 },
            sidekiq: { concurrency: 10 },
            prometheus_monitoring: { enable: false },
        });
        expect(existsSync("/tmp/nexora-pwned")).toBe(false);
    });

    it("serves the registry on its own URL and port when one is given", () => {
        const evaluated = evaluate(renderGitlabOmnibusConfig({ ...settings, registryExternalUrl: "https://registry.nexora.restry.cn" }));
        expect(evaluated.registry_external_url).toBe("https://registry.nexora.restry.cn");
        expect(evaluated.registry_nginx).toEqual({
            listen_port: 5050,
            listen_https: false,
            proxy_set_headers: proxyHeaders,
            real_ip_trusted_addresses: ["172.30.0.0/24"],
            real_ip_header: "X-Forwarded-For",
            real_ip_recursive: "on",
        });
        expect(evaluated.registry).toBeUndefined();
        expect((evaluated.gitlab_rails as Record<string, unknown>).registry_enabled).toBeUndefined();
    });

    it("keeps non-ASCII secrets byte for byte", () => {
        const password = "密码-пароль-🔐-'\\";
        const evaluated = evaluate(renderGitlabOmnibusConfig({ ...settings, initialRootPassword: password }));
        expect((evaluated.gitlab_rails as Record<string, unknown>).initial_root_password).toBe(password);
    });
});
