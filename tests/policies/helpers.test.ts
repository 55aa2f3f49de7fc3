/** The shared readers the policies stand on: key names, rendered config, image references, socket paths. */
import { describe, expect, it } from "vitest";
import { credentialAssignments, urlCredentials } from "../../policies/lib/config-text";
import { extractCredentials } from "../../policies/lib/credentials";
import { exposesDockerSocket, parseImageReference } from "../../policies/lib/docker";
import { isCredentialKey, pairedUsername } from "../../policies/lib/keys";
import { isDenylisted } from "../../policies/lib/vendor-defaults";

describe("isCredentialKey", () => {
    it.each([
        "POSTGRES_PASSWORD",
        "MYSQL_ROOT_PASSWORD",
        "PGPASSWORD",
        "DB_PASSWD",
        "DB_PWD",
        "SECRET_KEY",
        "UTILS_SECRET",
        "OIDC_CLIENT_SECRET",
        "GITLAB_TOKEN",
        "apiToken",
        "token",
        "API_KEY",
        "privateKey",
        "secret_key_base",
        "auth.token",
        "--admin-password",
        "requirepass",
        "GF_SECURITY_ADMIN_PASSWORD",
        "NEXORA_HEAL_WEBHOOK",
        "NEXORA_BACKUP_ALERT_WEBHOOK",
    ])("%s is a credential", (key) => expect(isCredentialKey(key)).toBe(true));

    it.each([
        "POSTGRES_USER",
        "DATABASE_URL",
        "OIDC_TOKEN_URI",
        "MYSQL_ALLOW_EMPTY_PASSWORD",
        "MYSQL_RANDOM_ROOT_PASSWORD",
        "POSTGRES_PASSWORD_FILE",
        "AWS_ACCESS_KEY_ID",
        "PWD",
        "key",
        "GITLAB_OMNIBUS_CONFIG",
        "PASSWORD_MIN_LENGTH",
        "publicKey",
    ])("%s is not", (key) => expect(isCredentialKey(key)).toBe(false));
});

describe("pairedUsername", () => {
    const siblings = new Map([
        ["DB_USER", "pyerp"],
        ["GF_SECURITY_ADMIN_USER", "ops"],
        ["db_username", "gitlab"],
    ]);
    it.each([
        ["DB_PASSWORD", "pyerp"],
        ["GF_SECURITY_ADMIN_PASSWORD", "ops"],
        ["db_password", "gitlab"],
        ["MYSQL_ROOT_PASSWORD", "root"],
        ["initial_root_password", "root"],
        ["POSTGRES_PASSWORD", "postgres"],
        ["SECRET_KEY", undefined],
    ])("%s pairs with %s", (key, user) => expect(pairedUsername(key, siblings)).toBe(user));
});

describe("credentials in rendered config", () => {
    it("reads gitlab.rb assignments, hash entries and runner one-liners", () => {
        const text = [
            "gitlab_rails['db_password'] = 'a\\'b'",
            "gitlab_rails['omniauth_providers'] = [{ name: 'openid_connect', args: { client_options: { secret: \"s3\" } } }]",
            "t = User.find_by_username('root').personal_access_tokens.create(scopes: ['api'], name: 'pulumi'); t.set_token('tok'); t.save!",
        ].join("\n");
        expect(credentialAssignments(text).map((a) => [a.label, a.value])).toEqual([
            ["gitlab_rails['db_password']", "a'b"],
            ["secret", "s3"],
            ["set_token(...)", "tok"],
        ]);
    });

    it("reads TOML, YAML, env files, shell assignments and flags; skips references", () => {
        const text = 'auth.token = "t1"\npassword: p2\nSMTP_PASSWORD=p3\nPGPASSWORD=$PGPASSWORD psql --password=p4\nsecret: "{{ .Envs.X }}"';
        expect(credentialAssignments(text).map((a) => [a.key, a.value])).toEqual([
            ["auth.token", "t1"],
            ["SMTP_PASSWORD", "p3"],
            ["password", "p2"],
            ["--password", "p4"],
        ]);
    });

    it("decodes passwords in URLs and skips variable references", () => {
        expect(urlCredentials("DATABASE_URL=postgres://app:p%40ss@db:5432/app redis://:r3dis@redis:6379 postgres://u:${PW}@h/d")).toEqual([
            { scheme: "postgres", username: "app", password: "p@ss" },
            { scheme: "redis", username: "", password: "r3dis" },
        ]);
    });

    it("finds flags split over argv elements, with their paired user", () => {
        const found = extractCredentials({ command: ["server", "--admin-user", "ops", "--admin-password", "pw one"] });
        expect(found).toEqual([{ location: "command --admin-password", value: "pw one", username: "ops" }]);
    });

    it("takes an uploaded file named for a credential as that credential, and no other upload", () => {
        const hook = "https://chat.example/hooks/9x2kq7wz4mtr8bvn3hyd6pfc1s";
        const found = extractCredentials({
            uploads: [
                { file: "/etc/alertmanager/webhook", content: hook },
                { file: "/etc/alertmanager/alertmanager.yml", content: "route:\n  receiver: bot\n" },
            ],
        });
        expect(found).toEqual([{ location: "uploads[0].content", value: hook }]);
    });
});

describe("image references", () => {
    it.each([
        ["postgres", { repository: "postgres" }],
        ["postgres:16.6", { repository: "postgres", tag: "16.6" }],
        ["registry.nexora.restry.cn:5000/apps/pyerp:1.8.2", { registry: "registry.nexora.restry.cn:5000", repository: "apps/pyerp", tag: "1.8.2" }],
        ["localhost/app", { registry: "localhost", repository: "app" }],
        [`gitlab/gitlab-ce@sha256:${"1".repeat(64)}`, { repository: "gitlab/gitlab-ce", digest: `sha256:${"1".repeat(64)}` }],
    ])("%s", (image, expected) => {
        expect(parseImageReference(image)).toEqual({ registry: undefined, tag: undefined, digest: undefined, ...expected });
    });
});

describe("Docker socket paths", () => {
    it.each([
        ["/var/run/docker.sock", true],
        ["/run/docker.sock", true],
        ["/var/run", true],
        ["/var/run/", true],
        ["/run", true],
        ["/var", true],
        ["/", true],
        ["/var/run/../run/docker.sock", true],
        ["/var/lib/docker", false],
        // A second or rootless daemon's socket is just as much root on its host.
        ["/run/user/1000/docker.sock", true],
        ["/run/nexora-e2e/docker.sock", true],
        ["/srv/docker.sock.bak", false],
        ["/srv/my-docker.sock", false],
        ["docker.sock", false],
    ])("%s exposes the socket: %s", (hostPath, expected) => expect(exposesDockerSocket(hostPath)).toBe(expected));
});

describe("vendor denylist", () => {
    it("matches whole values case-insensitively, not substrings", () => {
        expect(isDenylisted("MinioAdmin")).toBe(true);
        expect(isDenylisted(" changeme ")).toBe(true);
        expect(isDenylisted("changeme-now-please")).toBe(false);
        expect(isDenylisted("Extra", ["extra"])).toBe(true);
    });
});

describe("references to credentials defined elsewhere", () => {
    it("skip whole-value references only: generated passwords may contain ${ or #{", () => {
        const text = "a_password = '${A_PASSWORD}'\nb_password = '#{ENV[\"B\"]}'\nc_password = 'x#{y}z${w}v'\nd_password = \"{{ .Envs.D }}\"";
        expect(credentialAssignments(text).map((a) => a.key)).toEqual(["c_password"]);
    });

    it("skip code that computes the value at run time, but not a literal with dots or parentheses", () => {
        const text = [
            'value = ENV.fetch("TOKEN")',
            '  token = user.personal_access_tokens.new(name: "nexora-pulumi", scopes: ["api"])',
            "api_token = ab.cd(ef",
            "db_password = a.b.c",
            "secret: s3(cr3t).x",
            'quoted_token = "user.tokens.new(x)"',
        ].join("\n");
        expect(credentialAssignments(text).map((a) => [a.key, a.value])).toEqual([
            ["quoted_token", "user.tokens.new(x)"],
            ["api_token", "ab.cd(ef"],
            ["db_password", "a.b.c"],
            ["secret", "s3(cr3t).x"],
        ]);
    });

    it("skip a shell function's positional parameters, but not a literal that starts with $ and a digit", () => {
        const text = 'login() { MYSQL_PWD="$1" mysql; }\nA_PASSWORD="${10}"\nB_PASSWORD="$1abc"';
        expect(credentialAssignments(text).map((a) => [a.key, a.value])).toEqual([["B_PASSWORD", "$1abc"]]);
    });
});
