/**
 * CrossGuard hands policies secrets in plaintext and prints their messages in CI logs and merge
 * requests: no message may contain a credential value (or the user name of a password equal to it).
 */
import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { VENDOR_DEFAULTS } from "../../policies/lib/vendor-defaults";
import { compliantStack, freshSecrets, generatePassword, setEnv, withChange } from "./fixture";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Weak values chosen not to occur in resource names or keys, so finding one in a message means it leaked.
const weak = {
    env: "changeme",
    short: generatePassword(12, ALNUM),
    lowScore: "Pyerp2024Pyerp2024",
    dsn: "dsnpass1",
    omnibus: "5iveL!fe",
    root: "rootroot",
    provider: "letmein",
    apiToken: "qwerty123",
    command: "hunter2",
    argv: "foobared",
    upload: "frptok",
    shell: "trustno1",
    same: generatePassword(32),
    literal: `glpat-${generatePassword(20, ALNUM)}`,
    randomString: generatePassword(32, ALNUM),
};

function leakyStack(): OfflineResource[] {
    let stack = compliantStack();
    const change = (name: string, f: (r: OfflineResource) => void) => (stack = withChange(stack, name, f));
    change("pyerp", (r) => {
        setEnv(r, "DB_PASSWORD", weak.env);
        setEnv(r, "SMTP_PASSWORD", weak.short);
        setEnv(r, "REPORT_TOKEN", weak.lowScore);
        setEnv(r, "ADMIN_USER", weak.same);
        setEnv(r, "ADMIN_PASSWORD", weak.same);
        setEnv(r, "NOTE", weak.literal);
        setEnv(r, "CACHE_SECRET", weak.randomString);
        r.props.uploads = [{ file: "/app/frpc.toml", content: `auth.method = "token"\nauth.token = "${weak.upload}"\n` }];
    });
    change("outline", (r) => setEnv(r, "DATABASE_URL", `postgres://outline:${weak.dsn}@postgres:5432/outline`));
    change("gitlab", (r) => {
        r.props.envs = (r.props.envs as string[]).map((e) =>
            e
                .replace(/gitlab_rails\['db_password'\] = '(?:\\.|[^'\\])*'/, `gitlab_rails['db_password'] = '${weak.omnibus}'`)
                .replace(/gitlab_rails\['initial_root_password'\] = '(?:\\.|[^'\\])*'/, `gitlab_rails['initial_root_password'] = '${weak.root}'`),
        );
    });
    change("gitlab-admin", (r) => (r.props.token = weak.provider));
    change("cloudflare-dns", (r) => (r.props.apiToken = weak.apiToken));
    change("outline-database", (r) => {
        (r.props.environment as Record<string, string>).PGPASSWORD = weak.command;
        r.props.create = `PGPASSWORD=${weak.shell} psql -h postgres -c 'select 1'`;
    });
    change("redis", (r) => ((r.props.command as string[])[2] = weak.argv));
    change("name-suffix", (r) => (r.props.result = weak.randomString));
    return stack;
}

describe("violation messages", () => {
    it("name the resource and the key, never the value", () => {
        const violations = runPolicyPack(leakyStack());
        // Every planted weakness is reported...
        for (const location of [
            "envs[DB_PASSWORD]",
            "envs[SMTP_PASSWORD]",
            "envs[REPORT_TOKEN]",
            "envs[ADMIN_PASSWORD]",
            "envs[DATABASE_URL] URL password",
            "gitlab_rails['db_password']",
            "gitlab_rails['initial_root_password']",
            "gitlab provider 'gitlab-admin' token",
            "apiToken",
            "environment.PGPASSWORD",
            "create PGPASSWORD",
            "command --requirepass",
            "uploads[0].content auth.token",
            "envs[NOTE]",
            "envs[CACHE_SECRET] contains its result",
        ]) {
            expect(
                violations.some((v) => v.message.includes(location)),
                location,
            ).toBe(true);
        }
        // ...and no message carries any planted value.
        for (const v of violations) {
            for (const [name, value] of Object.entries(weak)) {
                expect(v.message.includes(value), `${v.policy} message leaks ${name}`).toBe(false);
            }
        }
    });

    it("never echo a vendor default used as a password", () => {
        // The message is the fixed template and nothing else: there is no slot a value could be in.
        const reason = String.raw`(a vendor default or denylisted value|the same as its user name|shorter than \d+ characters|zxcvbn score \d, needs \d|made of the service, image, resource or user names \(the rest scores below \d\))`;
        const template = new RegExp(String.raw`^container 'pyerp' envs\[DB_PASSWORD\] is weak: ${reason}(; ${reason})*\.$`);
        // One set of the stack's other secrets for all 45 defaults: the pack has scored them once
        // (zxcvbn, about 8 ms each) and only the default differs from run to run.
        const secrets = freshSecrets();
        for (const value of VENDOR_DEFAULTS) {
            const stack = withChange(compliantStack(secrets), "pyerp", (r) => setEnv(r, "DB_PASSWORD", value));
            const violations = runPolicyPack(stack);
            expect(
                violations.map((v) => v.policy),
                value,
            ).toEqual(["credentials-resource-forbid-weak-secrets"]);
            expect(violations[0].message).toMatch(template);
        }
    });
});
