// The credentials adopted data brings along: GitLab's root and Portainer's admin are set to the
// program's generated passwords. No GitLab or Portainer runs here: the registered commands run
// for real against a fake docker, a fake curl playing Portainer's API and a Ruby stand-in for
// GitLab's User model.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitlabRootPassword, rootPasswordRuby } from "../../components/gitlab/root-password";
import { PORTAINER_PREVIOUS_PASSWORD_RECORD, PortainerAdminPassword, portainerAdminPasswordScript } from "../../components/portainer/admin-password";
import { outputOf, setupMocks } from "../support/mocks";

const COMMAND = "command:local:Command";
const NEW = "GeneratedAdminPassw0rd0123456789";
// An operator's old password with the characters JSON and the shell care about.
const OLD = `we"ak\\1 $x %s`;

function fakeBin(dir: string, name: string, lines: string[]): void {
    writeFileSync(join(dir, name), ["#!/bin/sh", ...lines].join("\n"));
    chmodSync(join(dir, name), 0o755);
}

describe("GitLab root password", () => {
    let dir: string;
    let create: string;
    let stdin: string;
    let environment: Record<string, string>;

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "nexora-root-"));
        const mocks = setupMocks({ stack: "prod" });
        const r = new GitlabRootPassword("gitlab-root-password", {
            containerName: "nexora-prod-gitlab",
            dockerHost: "ssh://deploy@192.168.31.141",
            password: pulumi.secret(NEW),
        });
        await outputOf(r.command.urn);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "gitlab-root-password-set");
        create = cmd.inputs.create;
        stdin = cmd.inputs.stdin;
        environment = cmd.inputs.environment;
        expect(cmd.secretInputs).toEqual(expect.arrayContaining(["stdin", "triggers"]));
        expect(cmd.secretInputs).not.toContain("create");
        expect(mocks.plaintextLeaks(NEW)).toEqual([]);
        expect(cmd.options.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
        // A stand-in for GitLab's User model: the password is kept in a file, save! writes it.
        writeFileSync(
            join(dir, "user.rb"),
            [
                "class User",
                "  attr_accessor :username, :password, :password_confirmation, :password_automatically_set",
                "  def self.find_by!(username:)",
                `    raise "no user #{username}" unless username == "root"`,
                "    u = new; u.username = username; u",
                "  end",
                `  def valid_password?(v) = File.read(ENV.fetch("FAKE_PASSWORD_FILE")) == v`,
                "  def save!",
                `    raise "confirmation differs" unless password == password_confirmation`,
                `    File.write(ENV.fetch("FAKE_PASSWORD_FILE"), password)`,
                `    File.write(ENV.fetch("FAKE_PASSWORD_FILE") + ".auto", password_automatically_set.inspect)`,
                "  end",
                "end",
            ].join("\n"),
        );
        fakeBin(dir, "docker", [
            `printf '%s\\n' "$*" >> "$FAKE_DIR/docker-argv.log"`,
            `[ "$1 $2 $3 $4 $5" = "exec -i nexora-prod-gitlab gitlab-rails runner" ] || exit 64`,
            `exec ruby -r "$FAKE_DIR/user.rb" -e "$6"`,
        ]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const run = () =>
        spawnSync("/bin/sh", ["-c", create], {
            input: stdin,
            encoding: "utf8",
            env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_PASSWORD_FILE: join(dir, "password"), ...environment },
        });

    it("is Ruby that parses, with no credential in it", () => {
        expect(spawnSync("ruby", ["-c", "-e", rootPasswordRuby()], { encoding: "utf8" }).stdout).toContain("Syntax OK");
        expect(create).not.toContain(NEW);
        expect(environment).toEqual({ DOCKER_HOST: "ssh://deploy@192.168.31.141" });
    });

    it("sets root's password from stdin through gitlab-rails runner, then leaves a matching one alone", () => {
        writeFileSync(join(dir, "password"), OLD);
        const first = run();
        expect(first.stderr).toBe("");
        expect(first.status).toBe(0);
        expect(first.stdout).toContain("root's password set");
        expect(readFileSync(join(dir, "password"), "utf8")).toBe(NEW);
        expect(readFileSync(join(dir, "password.auto"), "utf8")).toBe("false");
        const again = run();
        expect(again.status).toBe(0);
        expect(again.stdout).toBe("");
        expect(readFileSync(join(dir, "docker-argv.log"), "utf8")).not.toContain(NEW);
    });

    it("fails loudly without a password on stdin", () => {
        const r = spawnSync("/bin/sh", ["-c", create], {
            input: "",
            encoding: "utf8",
            env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_PASSWORD_FILE: join(dir, "password"), ...environment },
        });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("no root password on stdin");
    });
});

describe("Portainer admin password", () => {
    let dir: string;
    let data: string;
    let create: string;
    let stdin: string;
    let environment: Record<string, string>;

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "nexora-portainer-admin-"));
        data = join(dir, "data");
        mkdirSync(data);
        const mocks = setupMocks({ stack: "prod" });
        const r = new PortainerAdminPassword("portainer-admin-password", {
            dockerHost: "unix:///var/run/docker.sock",
            portainerContainer: "nexora-prod-portainer",
            dataVolume: "nexora-prod-portainer-data",
            password: pulumi.secret(NEW),
        });
        await outputOf(r.command.urn);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "portainer-admin-password-rotate");
        create = cmd.inputs.create;
        stdin = cmd.inputs.stdin;
        environment = cmd.inputs.environment;
        expect(cmd.secretInputs).toEqual(expect.arrayContaining(["stdin", "triggers"]));
        expect(mocks.plaintextLeaks(NEW)).toEqual([]);
        expect(create).toMatch(
            /^docker run --rm -i --network container:nexora-prod-portainer -v nexora-prod-portainer-data:\/data -e PORTAINER_API -e PORTAINER_USER --entrypoint sh curlimages\/curl:[0-9.]+ -c '/,
        );
        expect(environment).toEqual({ DOCKER_HOST: "unix:///var/run/docker.sock", PORTAINER_API: "http://127.0.0.1:9000/api", PORTAINER_USER: "admin" });
        // `docker run`: only the -e variables reach the container, and the volume's /data is a directory here.
        fakeBin(dir, "docker", [
            `printf '%s\\n' "$*" >> "$FAKE_DIR/docker-argv.log"`,
            `[ "$1" = run ] || exit 2; shift`,
            `pass=""`,
            `while [ $# -gt 0 ]; do case "$1" in`,
            `  --rm|-i) shift ;;`,
            `  --network) [ "$2" = container:nexora-prod-portainer ] || exit 1; shift 2 ;;`,
            `  -v) [ "$2" = nexora-prod-portainer-data:/data ] || exit 1; shift 2 ;;`,
            `  -e) pass="$pass $2"; shift 2 ;;`,
            `  --entrypoint) shift 2 ;;`,
            `  *) break ;;`,
            `esac; done`,
            `shift; [ "$1" = -c ] || exit 64`,
            `for v in $(env | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'); do`,
            `  case " $pass PATH FAKE_DIR " in *" $v "*) ;; *) unset "$v" 2>/dev/null || true ;; esac`,
            `done`,
            `TMPDIR="$FAKE_DIR" exec sh -c "$(printf '%s' "$2" | sed "s#/data/#$FAKE_DIR/data/#g")"`,
        ]);
        fakeBin(dir, "sleep", ["exit 0"]);
        // Portainer's API: /auth checks the password, /users lists, /users/{id}/passwd wants the current one.
        fakeBin(dir, "curl", [
            `printf '%s\\n' "$*" >> "$FAKE_DIR/curl-argv.log"`,
            `method=GET; url=""; data=""`,
            `while [ $# -gt 0 ]; do case "$1" in`,
            `  -X) method="$2"; shift 2 ;;`,
            `  -H|-o) shift 2 ;;`,
            `  --data-binary) data=1; shift 2 ;;`,
            `  -*) shift ;;`,
            `  *) url="$1"; shift ;;`,
            `esac; done`,
            `body=""; [ -z "$data" ] || body=$(cat)`,
            `current=$(cat "$FAKE_DIR/portainer-password")`,
            `esc() { printf '%s' "$1" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g'; }`,
            `case "$url" in`,
            `  */api/auth)`,
            `    [ "$body" = "{\\"Username\\":\\"admin\\",\\"Password\\":\\"$(esc "$current")\\"}" ] || exit 22`,
            `    printf '{"jwt":"jwt-admin"}' ;;`,
            `  */api/users) printf '[{"Id":3,"Username":"ops","Role":2},{"Id":1,"Username":"admin","Role":1,"PortainerAuthorizations":{"a":true}}]' ;;`,
            `  */api/users/1/passwd)`,
            `    [ "$method" = PUT ] || exit 22`,
            `    printf '%s' "$body" > "$FAKE_DIR/passwd-body.json"`,
            `    node -e 'const b = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const cur = require("fs").readFileSync(process.argv[2], "utf8"); if (b.Password !== cur) process.exit(22); require("fs").writeFileSync(process.argv[2], b.NewPassword);' "$FAKE_DIR/passwd-body.json" "$FAKE_DIR/portainer-password" || exit 22 ;;`,
            `  *) exit 22 ;;`,
            `esac`,
        ]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const record = () => join(data, PORTAINER_PREVIOUS_PASSWORD_RECORD.replace(/^\/data\//, ""));
    const run = () =>
        spawnSync("/bin/sh", ["-c", create], { input: stdin, encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, ...environment } });

    it("is a script sh accepts, with no credential in it", () => {
        expect(spawnSync("/bin/sh", ["-n", "-c", portainerAdminPasswordScript()]).status).toBe(0);
        expect(create).not.toContain(NEW);
    });

    it("does nothing on data Portainer initialised itself (no recorded previous password)", () => {
        writeFileSync(join(dir, "portainer-password"), NEW);
        const r = run();
        expect(r.status).toBe(0);
        expect(r.stderr).toContain("nothing to rotate");
        expect(existsSync(join(dir, "curl-argv.log"))).toBe(false);
    });

    it("logs in with the recorded old password, changes the admin's to the generated one, removes the record", () => {
        writeFileSync(join(dir, "portainer-password"), OLD);
        writeFileSync(record(), OLD, { mode: 0o600 });
        const r = run();
        expect(r.stderr).toContain("admin password rotated");
        expect(r.status).toBe(0);
        expect(readFileSync(join(dir, "portainer-password"), "utf8")).toBe(NEW);
        expect(JSON.parse(readFileSync(join(dir, "passwd-body.json"), "utf8"))).toEqual({ Password: OLD, NewPassword: NEW });
        expect(existsSync(record())).toBe(false);
        const argv = readFileSync(join(dir, "docker-argv.log"), "utf8") + readFileSync(join(dir, "curl-argv.log"), "utf8");
        for (const secret of [NEW, OLD, "jwt-admin"]) expect(argv).not.toContain(secret);
    });

    it("a re-run whose record is still there finds the new password already working and only removes the record", () => {
        writeFileSync(record(), OLD, { mode: 0o600 });
        const r = run();
        expect(r.status).toBe(0);
        expect(r.stderr).toContain("already rotated");
        expect(existsSync(record())).toBe(false);
        expect(readFileSync(join(dir, "portainer-password"), "utf8")).toBe(NEW);
    });

    it("fails with a message when neither the recorded nor the new password logs in", () => {
        writeFileSync(join(dir, "portainer-password"), "someone-else-changed-it");
        writeFileSync(record(), OLD, { mode: 0o600 });
        const r = run();
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("admin login with the recorded previous password failed");
        expect(existsSync(record())).toBe(true);
    });
});
