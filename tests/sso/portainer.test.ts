import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PORTAINER_API_CLIENT_IMAGE, PortainerOAuthSettings, portainerOAuthSettingsPayload, portainerSettingsScript } from "../../components/sso";
import { type MockRecorder, outputOf, setupMocks } from "../support/mocks";

const GITLAB_URL = "https://staging-gitlab.nexora.restry.cn";
const REDIRECT_URL = "https://staging-portainer.nexora.restry.cn/";
const CONTAINER = "nexora-staging-portainer";
const ADMIN_PASSWORD = "PortainerAdminPassword0123456789";
const CLIENT_ID = "cid-portainer-0123";
const CLIENT_SECRET = "gloas-portainer-secret-0123456789";
const COMMAND = "command:local:Command";

const expectedPayload = {
    AuthenticationMethod: 3,
    OAuthSettings: {
        ClientID: CLIENT_ID,
        ClientSecret: CLIENT_SECRET,
        AuthorizationURI: `${GITLAB_URL}/oauth/authorize`,
        AccessTokenURI: `${GITLAB_URL}/oauth/token`,
        ResourceURI: `${GITLAB_URL}/oauth/userinfo`,
        RedirectURI: REDIRECT_URL,
        UserIdentifier: "preferred_username",
        Scopes: "openid",
        OAuthAutoCreateUsers: true,
        DefaultTeamID: 0,
        SSO: true,
        LogoutURI: "",
        AuthStyle: 0,
    },
};

describe("portainerOAuthSettingsPayload", () => {
    it("switches Portainer to its custom OAuth provider pointed at GitLab", () => {
        expect(
            portainerOAuthSettingsPayload({
                gitlabUrl: GITLAB_URL,
                redirectUrl: REDIRECT_URL,
                clientId: CLIENT_ID,
                clientSecret: CLIENT_SECRET,
                scopes: ["openid"],
                autoCreateUsers: true,
            }),
        ).toEqual(expectedPayload);
    });

    it("is a shell script sh accepts, with no credential in it", () => {
        for (const mode of ["from-env", "internal-auth"] as const) {
            const script = portainerSettingsScript(mode);
            expect(spawnSync("/bin/sh", ["-n", "-c", script]).status).toBe(0);
            expect(script).not.toContain(ADMIN_PASSWORD);
        }
    });
});

function build() {
    const portainer = new docker.Container("portainer", { name: CONTAINER, image: "portainer/portainer-ce:2.45.1-alpine", wait: true });
    const settings = new PortainerOAuthSettings(
        "portainer-oauth",
        {
            dockerHost: "unix:///var/run/docker.sock",
            portainerContainer: portainer.name,
            adminPassword: pulumi.secret(ADMIN_PASSWORD),
            gitlabUrl: GITLAB_URL,
            redirectUrl: REDIRECT_URL,
            clientId: pulumi.secret(CLIENT_ID),
            clientSecret: pulumi.secret(CLIENT_SECRET),
        },
        { dependsOn: [portainer] },
    );
    return { portainer, settings };
}

describe("PortainerOAuthSettings under mocks", () => {
    let mocks: MockRecorder;
    beforeEach(() => {
        mocks = setupMocks({ stack: "staging" });
    });

    it("runs after Portainer exists, through a curl container in Portainer's network namespace", async () => {
        const { portainer, settings } = build();
        await outputOf(settings.settingsCommand.urn);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "portainer-oauth-apply");
        expect(cmd.options.dependencies).toContain(await outputOf(portainer.urn));
        expect(cmd.options.parent).toBe(mocks.get("nexora:sso:PortainerOAuthSettings", "portainer-oauth").urn);
        expect(cmd.inputs.create).toMatch(
            new RegExp(
                `^docker run --rm --network container:${CONTAINER} -e PORTAINER_API -e PORTAINER_LOGIN -e PORTAINER_SETTINGS --entrypoint sh ${PORTAINER_API_CLIENT_IMAGE} -c '`,
            ),
        );
    });

    it("hands the admin password and client secret over only in the secret environment", async () => {
        const { settings } = build();
        await outputOf(settings.settingsCommand.urn);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "portainer-oauth-apply");
        expect(cmd.secretInputs).toEqual(["environment"]);
        expect(JSON.parse(cmd.inputs.environment.PORTAINER_SETTINGS)).toEqual(expectedPayload);
        expect(JSON.parse(cmd.inputs.environment.PORTAINER_LOGIN)).toEqual({ Username: "admin", Password: ADMIN_PASSWORD });
        expect(cmd.inputs.environment.PORTAINER_API).toBe("http://127.0.0.1:9000/api");
        for (const secret of [ADMIN_PASSWORD, CLIENT_SECRET, CLIENT_ID]) expect(mocks.plaintextLeaks(secret)).toEqual([]);
        expect(cmd.inputs.logging).toBe("stderr");
        expect(cmd.options.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
    });
});

/**
 * The registered commands run for real against a fake `docker run` (keeps only the -e variables,
 * like a container) and a fake `curl` playing Portainer's /api/auth and /api/settings.
 */
describe("Portainer commands against a fake Portainer API", () => {
    let dir: string;
    let create: string;
    let del: string;
    let environment: Record<string, string>;

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "nexora-portainer-"));
        const mocks = setupMocks({ stack: "staging" });
        const { settings } = build();
        await outputOf(settings.settingsCommand.urn);
        await mocks.settled();
        const cmd = mocks.get(COMMAND, "portainer-oauth-apply");
        create = cmd.inputs.create;
        del = cmd.inputs.delete;
        environment = cmd.inputs.environment;
        const script = (name: string, lines: string[]) => {
            writeFileSync(join(dir, name), ["#!/bin/sh", ...lines].join("\n"));
            chmodSync(join(dir, name), 0o755);
        };
        script("docker", [
            `printf '%s\\n' "$*" >> "$FAKE_DIR/docker-argv.log"`,
            `[ "$1" = run ] || exit 2; shift`,
            `pass=""`,
            `while [ $# -gt 0 ]; do case "$1" in`,
            `  --rm) shift ;;`,
            `  --network) [ "$2" = "container:$FAKE_CONTAINER" ] || { echo "no such container: $2" >&2; exit 1; }; shift 2 ;;`,
            `  -e) pass="$pass $2"; shift 2 ;;`,
            `  --entrypoint) [ "$2" = sh ] || exit 64; shift 2 ;;`,
            `  *) break ;;`,
            `esac; done`,
            `shift  # the image`,
            `[ "$1" = -c ] || exit 64`,
            // Inside the container only the -e variables exist.
            `for v in $(env | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'); do`,
            `  case " $pass PATH FAKE_DIR " in *" $v "*) ;; *) unset "$v" 2>/dev/null || true ;; esac`,
            `done`,
            `TMPDIR="$FAKE_DIR" exec sh -c "$2"`,
        ]);
        script("sleep", ["exit 0"]);
        script("curl", [
            `printf '%s\\n' "$*" >> "$FAKE_DIR/curl-argv.log"`,
            `method=POST; url=""; headers=""`,
            `while [ $# -gt 0 ]; do case "$1" in`,
            `  -X) method="$2"; shift 2 ;;`,
            `  -H) case "$2" in @*) headers="$headers$(cat "\${2#@}");" ;; *) headers="$headers$2;" ;; esac; shift 2 ;;`,
            `  --data-binary|-o) shift 2 ;;`,
            `  -*) shift ;;`,
            `  *) url="$1"; shift ;;`,
            `esac; done`,
            `body=$(cat)`,
            `case "$url" in`,
            `  http://127.0.0.1:9000/api/auth)`,
            `    n=$(cat "$FAKE_DIR/auth-fails" 2>/dev/null || echo 0)`,
            `    if [ "$n" -gt 0 ]; then echo $((n - 1)) > "$FAKE_DIR/auth-fails"; exit 7; fi`,
            `    printf '%s' "$body" > "$FAKE_DIR/auth-body.json"; printf '{"jwt":"jwt-from-portainer"}' ;;`,
            `  http://127.0.0.1:9000/api/settings)`,
            `    printf '%s %s' "$method" "$headers" > "$FAKE_DIR/settings-request"; printf '%s' "$body" > "$FAKE_DIR/settings-body.json" ;;`,
            `  *) exit 22 ;;`,
            `esac`,
        ]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function run(command: string, container = CONTAINER) {
        const r = spawnSync("/bin/sh", ["-c", command], {
            encoding: "utf8",
            env: { PATH: `${dir}:${process.env.PATH}`, FAKE_DIR: dir, FAKE_CONTAINER: container, ...environment },
        });
        return { status: r.status, stderr: r.stderr };
    }
    const read = (name: string) => readFileSync(join(dir, name), "utf8");

    it("logs in as admin, waiting while Portainer starts, then PUTs the OAuth settings with the session token", () => {
        writeFileSync(join(dir, "auth-fails"), "2");
        const r = run(create);
        expect(r.stderr).toContain("authentication settings applied");
        expect(r.status).toBe(0);
        expect(JSON.parse(read("auth-body.json"))).toEqual({ Username: "admin", Password: ADMIN_PASSWORD });
        expect(read("settings-request")).toBe("PUT Authorization: Bearer jwt-from-portainer;Content-Type: application/json;");
        expect(JSON.parse(read("settings-body.json"))).toEqual(expectedPayload);
    });

    it("gives up with a message when Portainer never accepts the admin login", () => {
        writeFileSync(join(dir, "auth-fails"), "100");
        const r = run(create);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("admin login failed");
        rmSync(join(dir, "auth-fails"));
    });

    it("switches back to internal authentication on delete, and does not block a destroy when Portainer is gone", () => {
        expect(run(del).status).toBe(0);
        expect(JSON.parse(read("settings-body.json"))).toEqual({ AuthenticationMethod: 1 });
        const gone = run(del, "another-container");
        expect(gone.status).toBe(0);
        expect(gone.stderr).toContain("could not switch back");
    });

    it("never put a credential on a command line", () => {
        const argv = read("docker-argv.log") + read("curl-argv.log");
        for (const secret of [ADMIN_PASSWORD, CLIENT_SECRET, "jwt-from-portainer"]) expect(argv).not.toContain(secret);
        expect(existsSync(join(dir, "portainer-auth"))).toBe(true);
    });
});
