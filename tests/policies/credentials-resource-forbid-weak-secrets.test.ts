import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { assessSecret } from "../../policies/lib/strength";
import { compliantStack, generatePassword, policiesOf, setEnv, withChange } from "./fixture";

const POLICY = "credentials-resource-forbid-weak-secrets";

function omnibusWith(r: OfflineResource, key: string, value: string): void {
    const envs = r.props.envs as string[];
    r.props.envs = envs.map((e) =>
        e.startsWith("GITLAB_OMNIBUS_CONFIG=")
            ? e.replace(new RegExp(`gitlab_rails\\['${key}'\\] = '(?:\\\\.|[^'\\\\])*'`), `gitlab_rails['${key}'] = '${value}'`)
            : e,
    );
}

const base = compliantStack();

// Each case changes one thing in the compliant stack; [title, resource, change, expected message fragments].
const cases: [string, string, (r: OfflineResource) => void, string[]][] = [
    ["a vendor default in a container env", "pyerp", (r) => setEnv(r, "DB_PASSWORD", "changeme"), ["container 'pyerp' envs[DB_PASSWORD]", "vendor default"]],
    ["a vendor default that zxcvbn rates fair", "pyerp", (r) => setEnv(r, "DB_PASSWORD", "minioadmin"), ["envs[DB_PASSWORD]", "vendor default"]],
    ["a strong but short value", "pyerp", (r) => setEnv(r, "DB_PASSWORD", generatePassword(14)), ["envs[DB_PASSWORD]", "shorter than 15 characters"]],
    ["a long value zxcvbn scores low", "pyerp", (r) => setEnv(r, "DB_PASSWORD", "Pyerp2024Pyerp2024"), ["envs[DB_PASSWORD]", "zxcvbn score"]],
    [
        "a value made of the service names",
        "pyerp",
        (r) => setEnv(r, "DB_PASSWORD", "nexora-pyerp-2024"),
        ["envs[DB_PASSWORD]", "service, image, resource or user names"],
    ],
    [
        "a password equal to its user name",
        "pyerp",
        (r) => {
            const same = generatePassword(32);
            setEnv(r, "DB_USER", same);
            setEnv(r, "DB_PASSWORD", same);
        },
        ["envs[DB_PASSWORD]", "the same as its user name"],
    ],
    // The stack's own words: the app, the key the value sits under, and filler between them.
    [
        "an app's words with filler",
        "pyerp",
        (r) => setEnv(r, "SMTP_PASSWORD", "pyerp_smtp_pass_2024!"),
        ["envs[SMTP_PASSWORD]", "service, image, resource or user names"],
    ],
    // The domain (restry.cn, from the app's own URLs) and the company (the project, nexora).
    ["the domain and company name", "outline", (r) => setEnv(r, "SMTP_PASSWORD", "Restry-Nexora-Outline#2025"), ["envs[SMTP_PASSWORD]", "service, image"]],
    ["the stack name with filler", "outline", (r) => setEnv(r, "SMTP_PASSWORD", "dev.outline.secret.2026!!"), ["envs[SMTP_PASSWORD]", "service, image"]],
    [
        "a weak password in a DSN",
        "outline",
        (r) => setEnv(r, "DATABASE_URL", "postgres://outline:outline123@postgres:5432/outline"),
        ["envs[DATABASE_URL] URL password"],
    ],
    [
        "a weak db_password in the omnibus config",
        "gitlab",
        (r) => omnibusWith(r, "db_password", "gitlab"),
        ["envs[GITLAB_OMNIBUS_CONFIG] gitlab_rails['db_password']"],
    ],
    [
        "the old GitLab root default",
        "gitlab",
        (r) => omnibusWith(r, "initial_root_password", "5iveL!fe"),
        ["gitlab_rails['initial_root_password']", "vendor default"],
    ],
    ["a weak gitlab provider token", "gitlab-admin", (r) => (r.props.token = "password"), ["gitlab provider 'gitlab-admin' token"]],
    ["a weak cloudflare provider apiToken", "cloudflare-dns", (r) => (r.props.apiToken = "secret"), ["cloudflare provider 'cloudflare-dns' apiToken"]],
    [
        "a weak command environment entry",
        "outline-database",
        (r) => ((r.props.environment as Record<string, string>).PGPASSWORD = "postgres"),
        ["local command 'outline-database' environment.PGPASSWORD"],
    ],
    ["a weak redis --requirepass", "redis", (r) => ((r.props.command as string[])[2] = "redis"), ["container 'redis' command --requirepass"]],
    [
        "a weak password in an uploaded config file",
        "pyerp",
        (r) => (r.props.uploads = [{ file: "/app/config.toml", content: '[database]\nhost = "postgres"\npassword = "pyerp123"\n' }]),
        ["uploads[0].content password"],
    ],
    [
        "a weak password in a command script",
        "outline-database",
        (r) => (r.props.create = "PGPASSWORD=admin psql -h postgres -c 'select 1'"),
        ["create PGPASSWORD"],
    ],
];

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each(cases)("catches %s", (_title, name, change, fragments) => {
        const violations = runPolicyPack(withChange(base, name, change));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0].level).toBe("mandatory");
        for (const fragment of fragments) {
            expect(violations[0].message).toContain(fragment);
        }
    });

    it("catches a weak value in a {key, value} pair such as a GitLab project variable", () => {
        const stack = [
            ...base,
            {
                urn: "urn:pulumi:dev::nexora::gitlab:index/projectVariable:ProjectVariable::deploy-token",
                type: "gitlab:index/projectVariable:ProjectVariable",
                name: "deploy-token",
                props: { project: "42", key: "DEPLOY_TOKEN", value: "deploy", masked: true, protected: true },
                protect: false,
            },
        ];
        const violations = runPolicyPack(stack);
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0].message).toContain("value (DEPLOY_TOKEN)");
    });

    it("applies minLength from the config (the fixture's 32-character passwords fail at 40)", () => {
        const violations = runPolicyPack(base, { minLength: 40 });
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations.some((v) => v.message.includes("container 'pyerp' envs[DB_PASSWORD]") && v.message.includes("shorter than 40"))).toBe(true);
    });

    it("applies minScore from the config", () => {
        const stack = withChange(base, "pyerp", (r) => setEnv(r, "DB_PASSWORD", "Pyerp2024Pyerp2024"));
        expect(runPolicyPack(stack, { minScore: 0 }).filter((v) => v.policy === POLICY)).toEqual([]);
        expect(runPolicyPack(stack, { minScore: 3 }).filter((v) => v.policy === POLICY)).toHaveLength(1);
    });

    it("applies additionalDenylist from the config, as whole values, case-insensitively", () => {
        const strong = generatePassword(32, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
        const stack = withChange(base, "pyerp", (r) => setEnv(r, "DB_PASSWORD", strong));
        expect(runPolicyPack(stack, { additionalDenylist: [strong.slice(1)] }).filter((v) => v.policy === POLICY)).toEqual([]);
        const violations = runPolicyPack(stack, { additionalDenylist: [strong.toLowerCase()] });
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations[0].message).toContain("denylisted");
    });

    it("refuses stack-word passwords only because it knows the stack's words, and keeps strong ones that contain them", () => {
        const rules = { minScore: 3, minLength: 15 };
        // Without the stack's words zxcvbn rates these strong: the words are what make them weak.
        for (const value of ["pyerp_smtp_pass_2024!", "Restry-Nexora-Outline#2025"]) {
            expect(assessSecret(value, rules)).toEqual([]);
        }
        // A dot in a strong password does not make its halves "known words" (they are not a URL's host).
        for (const value of [
            `pyerp-${generatePassword(20)}`,
            "correct horse battery staple pyerp",
            "Kq8mZt3Rw9Xp2Lv.NbJhFdSyGcWq",
            "https://Kq8mZt3Rw9.NbJhFdSyGcWq",
        ]) {
            const stack = withChange(base, "pyerp", (r) => setEnv(r, "SMTP_PASSWORD", value));
            expect(runPolicyPack(stack).filter((v) => v.policy === POLICY)).toEqual([]);
        }
    });

    it("leaves empty values to credentials-resource-forbid-empty-auth", () => {
        const violations = runPolicyPack(withChange(base, "pyerp", (r) => setEnv(r, "DB_PASSWORD", "")));
        expect(policiesOf(violations)).toEqual(["credentials-resource-forbid-empty-auth"]);
    });
});
