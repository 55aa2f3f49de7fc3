import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as docker from "@pulumi/docker";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN_ENV, ADMIN_TOKEN_LIFETIME_DAYS, adminTokenCreateRuby, GitlabAdminToken, gitlabApiBaseUrl } from "../../components/gitlab/admin-token";
import { Provider } from "../../components/gitlab/provider";
import { isSecretOutput, type MockRecorder, mockRandomValue, outputOf, setupMocks } from "../support/mocks";

const COMMAND = "command:local:Command";
const CONTAINER = "nexora-staging-gitlab";
const DOCKER_HOST = "ssh://deploy@claw-bot";

describe("gitlabApiBaseUrl", () => {
    it("appends /api/v4/ and always ends with a slash", () => {
        expect(gitlabApiBaseUrl("https://gitlab.nexora.restry.cn")).toBe("https://gitlab.nexora.restry.cn/api/v4/");
        expect(gitlabApiBaseUrl("https://gitlab.nexora.restry.cn/")).toBe("https://gitlab.nexora.restry.cn/api/v4/");
        expect(gitlabApiBaseUrl("http://localhost:8080")).toBe("http://localhost:8080/api/v4/");
    });

    it("keeps a relative URL root", () => {
        expect(gitlabApiBaseUrl("https://example.test/gitlab//")).toBe("https://example.test/gitlab/api/v4/");
    });

    it("rejects what is not a plain http(s) URL", () => {
        expect(() => gitlabApiBaseUrl("gitlab.nexora.restry.cn")).toThrow(/absolute http\(s\) URL/);
        expect(() => gitlabApiBaseUrl("ftp://gitlab.test")).toThrow(/plain http\(s\) URL/);
        expect(() => gitlabApiBaseUrl("https://gitlab.test/?x=1")).toThrow(/plain http\(s\) URL/);
    });
});

describe("adminTokenCreateRuby", () => {
    it("refuses names that would need escaping in Ruby or the shell", () => {
        expect(() => adminTokenCreateRuby({ tokenName: `x"; system("id")`, adminUsername: "root" })).toThrow(/token name/);
        expect(() => adminTokenCreateRuby({ tokenName: "nexora-pulumi", adminUsername: "root'" })).toThrow(/username/);
    });

    it("is valid Ruby and never contains a token value", () => {
        const ruby = adminTokenCreateRuby({ tokenName: "nexora-pulumi", adminUsername: "root" });
        const check = spawnSync("ruby", ["-c", "-e", ruby], { encoding: "utf8" });
        expect(check.stderr).toBe("");
        expect(check.stdout.trim()).toBe("Syntax OK");
        expect(ruby).toContain(`ENV.fetch("${ADMIN_TOKEN_ENV}")`);
        expect(ruby).not.toMatch(/glpat-/);
    });
});

describe("GitlabAdminToken under mocks", () => {
    let mocks: MockRecorder;
    beforeEach(() => {
        mocks = setupMocks({ stack: "staging" });
    });

    function build(rotationTrigger?: string) {
        const gitlab = new docker.Container("gitlab", { name: CONTAINER, image: "gitlab/gitlab-ce:18.11.12-ce.0", wait: true });
        const token = new GitlabAdminToken("gitlab-token", { containerName: gitlab.name, dockerHost: DOCKER_HOST, rotationTrigger }, { dependsOn: [gitlab] });
        return { gitlab, token };
    }
    const expectedToken = "glpat-" + mockRandomValue("gitlab-token-value", 40);

    it("yields a glpat- token as a secret output", async () => {
        const { token } = build("2026-11");
        expect(await outputOf(token.token)).toBe(expectedToken);
        expect(await isSecretOutput(token.token)).toBe(true);
    });

    it("runs gitlab-rails inside the GitLab container only after the container (healthy) exists", async () => {
        const { gitlab, token } = build("2026-11");
        await outputOf(token.token);
        await mocks.settled();
        const component = mocks.get("nexora:gitlab:AdminToken", "gitlab-token");
        const cmd = mocks.get(COMMAND, "gitlab-token-issue");
        expect(cmd.options.parent).toBe(component.urn);
        expect(cmd.options.dependencies).toContain(await outputOf(gitlab.urn));
        expect(cmd.inputs.create).toMatch(new RegExp(`^docker exec -e ${ADMIN_TOKEN_ENV} ${CONTAINER} gitlab-rails runner '`));
    });

    it("passes the token only through the command's environment, as a secret", async () => {
        const { token } = build("2026-11");
        await outputOf(token.token);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "gitlab-token-issue");
        expect(cmd.secretInputs).toContain("environment");
        expect(cmd.inputs.environment).toEqual({ DOCKER_HOST, [ADMIN_TOKEN_ENV]: expectedToken });
        expect(cmd.secretInputs).not.toContain("create");
        expect(cmd.secretInputs).not.toContain("triggers");
        expect(cmd.inputs.create).not.toContain(expectedToken);
        expect(cmd.inputs.delete).not.toContain(expectedToken);
        expect(mocks.plaintextLeaks(expectedToken)).toEqual([]);
        expect(mocks.plaintextLeaks(mockRandomValue("gitlab-token-value", 40))).toEqual([]);
    });

    it("keeps command output out of logs and plain state", async () => {
        const { token } = build();
        await outputOf(token.token);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "gitlab-token-issue");
        expect(cmd.inputs.logging).toBe("stderr");
        expect(cmd.inputs.addPreviousOutputInEnv).toBe(false);
        expect(cmd.options.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
    });

    it("ties rotation to the trigger: it re-runs the command and regenerates the value", async () => {
        const { token } = build("2026-11");
        await outputOf(token.token);
        await mocks.settled();
        expect(mocks.get(COMMAND, "gitlab-token-issue").inputs.triggers).toEqual(["2026-11"]);
        expect(mocks.get("random:index/randomPassword:RandomPassword", "gitlab-token-value").inputs).toMatchObject({
            length: 40,
            special: false,
            keepers: { rotation: "2026-11" },
        });
    });

    it("refuses a bad token name before registering anything", async () => {
        expect(() => new GitlabAdminToken("bad", { containerName: CONTAINER, dockerHost: DOCKER_HOST, tokenName: "it's" })).toThrow(/token name/);
        await mocks.settled();
        expect(mocks.resources).toEqual([]);
    });

    it("makes a provider configured with the token wait for the token command", async () => {
        const { token } = build("1");
        const provider = new Provider("gitlab", { baseUrl: gitlabApiBaseUrl("https://staging-gitlab.nexora.restry.cn"), token: token.token });
        await outputOf(provider.urn);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "gitlab-token-issue");
        const rec = mocks.get("pulumi:providers:gitlab", "gitlab");
        expect(rec.options.propertyDependencies.token).toContain(cmd.urn);
        expect(rec.secretInputs).toContain("token");
        expect(rec.inputs.baseUrl).toBe("https://staging-gitlab.nexora.restry.cn/api/v4/");
    });
});

/**
 * The registered shell commands run for real against a fake `docker` that plays
 * `docker exec -e VAR <container> gitlab-rails runner CODE` with real Ruby and a small stand-in
 * for GitLab's token model (state in a JSON file). This checks the quoting, the env passing and
 * the token life cycle; the GitLab model calls themselves are checked only for their names.
 */
describe("admin token commands against a fake GitLab", () => {
    let dir: string;
    let create: string;
    let del: string;
    const TOKEN_A = "glpat-" + "a".repeat(40);
    const TOKEN_B = "glpat-" + "b".repeat(40);

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "nexora-admin-token-"));
        const mocks = setupMocks({ stack: "staging" });
        const t = new GitlabAdminToken("tok", { containerName: CONTAINER, dockerHost: DOCKER_HOST });
        await outputOf(t.token);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "tok-issue");
        create = cmd.inputs.create;
        del = cmd.inputs.delete;

        writeFileSync(join(dir, "gitlab.rb"), FAKE_GITLAB_RUBY);
        writeFileSync(
            join(dir, "docker"),
            [
                "#!/bin/sh",
                // Every argv the program hands to docker, to prove no token is on a command line.
                `printf '%s\\n' "$*" >> "${dir}/argv.log"`,
                `case "$1" in`,
                `  container) [ "$2" = inspect ] && [ "$3" = "$FAKE_CONTAINER" ]; exit $? ;;`,
                `  exec) shift; pass=""; while [ "$1" = "-e" ]; do pass="$pass $2"; shift 2; done`,
                `    [ "$1" = "$FAKE_CONTAINER" ] || { echo "no such container: $1" >&2; exit 1; }`,
                `    [ "$2" = gitlab-rails ] && [ "$3" = runner ] || exit 64`,
                `    exec ruby "${dir}/gitlab.rb" "$4" $pass ;;`,
                `esac`,
                `exit 2`,
            ].join("\n"),
        );
        chmodSync(join(dir, "docker"), 0o755);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function run(script: string, token: string, container = CONTAINER) {
        const r = spawnSync("/bin/sh", ["-c", script], {
            encoding: "utf8",
            env: {
                PATH: `${dir}:${process.env.PATH}`,
                DOCKER_HOST,
                [ADMIN_TOKEN_ENV]: token,
                FAKE_CONTAINER: container,
                FAKE_GITLAB_STATE: join(dir, "state.json"),
            },
        });
        return { status: r.status, stderr: r.stderr, stdout: r.stdout };
    }
    function tokens(): { name: string; scopes: string[]; revoked: boolean; expires_at: string; organization_id: number }[] {
        const file = join(dir, "state.json");
        return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];
    }

    it("creates one api token for root that expires within GitLab's 365-day cap", () => {
        const r = run(create, TOKEN_A);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const [t, ...rest] = tokens();
        expect(rest).toEqual([]);
        expect(t).toMatchObject({ name: "nexora-pulumi", scopes: ["api"], revoked: false, organization_id: 1 });
        const days = (Date.parse(t.expires_at) - Date.parse(new Date().toISOString().slice(0, 10))) / 86_400_000;
        expect(days).toBe(ADMIN_TOKEN_LIFETIME_DAYS);
    });

    it("is a no-op when re-run with the same value", () => {
        expect(run(create, TOKEN_A).status).toBe(0);
        expect(tokens().filter((t) => !t.revoked)).toHaveLength(1);
        expect(tokens()).toHaveLength(1);
    });

    it("rotates: a new value revokes the old token of the same name", () => {
        expect(run(create, TOKEN_B).status).toBe(0);
        expect(tokens().map((t) => t.revoked)).toEqual([true, false]);
    });

    it("deleting the replaced command revokes only its own token", () => {
        expect(run(del, TOKEN_A).status).toBe(0);
        expect(tokens().map((t) => t.revoked)).toEqual([true, false]);
    });

    it("refuses to reuse a revoked value and says how to fix it", () => {
        const r = run(create, TOKEN_A);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/change the rotation trigger/);
    });

    it("deleting revokes the token while GitLab runs, and tolerates a GitLab container that is gone", () => {
        const gone = run(del, TOKEN_B, "some-other-container");
        expect(gone.status).toBe(0);
        expect(gone.stderr).toMatch(/container gone/);
        expect(tokens().map((t) => t.revoked)).toEqual([true, false]);
        expect(run(del, TOKEN_B).status).toBe(0);
        expect(tokens().map((t) => t.revoked)).toEqual([true, true]);
    });

    it("never put a token on docker's command line", () => {
        const argv = readFileSync(join(dir, "argv.log"), "utf8");
        expect(argv).toContain(`exec -e ${ADMIN_TOKEN_ENV} ${CONTAINER} gitlab-rails runner`);
        expect(argv).not.toContain("glpat-");
        expect(readFileSync(join(dir, "state.json"), "utf8")).not.toContain("glpat-");
    });
});

/** Stand-in for the GitLab models the runner scripts use; keeps token digests in a JSON file. */
const FAKE_GITLAB_RUBY = String.raw`
require "json"
require "date"
require "digest"
STATE = ENV.fetch("FAKE_GITLAB_STATE")
code, *passed = ARGV
# docker exec -e: only the named variables exist inside the container (the token must be among them).
ENV.keys.each { |k| ENV.delete(k) unless passed.include?(k) }

class Date
  def self.current = Date.today
end
module Organizations
  class Organization
    def self.first = Struct.new(:id).new(1)
  end
end
class FakeToken
  attr_accessor :name, :scopes, :expires_at, :revoked, :digest, :organization_id
  def initialize(name:, scopes:, expires_at:, revoked: false, digest: nil, organization_id: nil)
    @name, @scopes, @expires_at, @revoked, @digest, @organization_id = name, scopes, expires_at, revoked, digest, organization_id
  end
  def has_attribute?(attr) = attr == :organization_id
  def set_token(value) = (@digest = Digest::SHA256.hexdigest(value))
  def active? = !revoked && expires_at > Date.today
  def revoke! = (@revoked = true)
  def save!
    raise "organization_id required" if organization_id.nil?
    raise "token digest already taken" if TOKENS.any? { |t| !t.equal?(self) && t.digest == digest }
    raise "expires_at beyond the maximum lifetime" if expires_at > Date.today + 365
    TOKENS << self unless TOKENS.include?(self)
    true
  end
  def to_h = { name:, scopes:, expires_at: expires_at.iso8601, revoked:, digest:, organization_id: }
end
TOKENS = File.exist?(STATE) ? JSON.parse(File.read(STATE)).map { |h| FakeToken.new(name: h["name"], scopes: h["scopes"], expires_at: Date.iso8601(h["expires_at"]), revoked: h["revoked"], digest: h["digest"], organization_id: h["organization_id"]) } : []
class TokenRelation
  def initialize(list) = (@list = list)
  def active = TokenRelation.new(@list.select(&:active?))
  def where(name:) = TokenRelation.new(@list.select { |t| t.name == name })
  def each(&block) = @list.each(&block)
  def new(**attrs) = FakeToken.new(**attrs)
end
class FakeUser
  def personal_access_tokens = TokenRelation.new(TOKENS)
end
class User
  def self.find_by!(username:) = username == "root" ? FakeUser.new : raise("ActiveRecord::RecordNotFound")
end
class PersonalAccessToken
  def self.find_by_token(value) = TOKENS.find { |t| t.digest == Digest::SHA256.hexdigest(value) }
end
begin
  eval(code, TOPLEVEL_BINDING)
ensure
  File.write(STATE, JSON.generate(TOKENS.map(&:to_h)))
end
`;
