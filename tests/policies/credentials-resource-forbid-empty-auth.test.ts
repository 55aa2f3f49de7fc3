import { describe, expect, it } from "vitest";
import type { OfflineResource } from "../../policies/offline";
import { runPolicyPack } from "../../policies/offline";
import { compliantStack, policiesOf, setEnv, withChange } from "./fixture";

const POLICY = "credentials-resource-forbid-empty-auth";
const base = compliantStack();

const cases: [string, string, (r: OfflineResource) => void, string][] = [
    ["POSTGRES_HOST_AUTH_METHOD=trust", "postgres", (r) => setEnv(r, "POSTGRES_HOST_AUTH_METHOD", "trust"), "envs[POSTGRES_HOST_AUTH_METHOD] turns on trust"],
    ["trust in initdb arguments", "postgres", (r) => setEnv(r, "POSTGRES_INITDB_ARGS", "--auth-host=trust"), "envs[POSTGRES_INITDB_ARGS]"],
    ["MYSQL_ALLOW_EMPTY_PASSWORD set to anything", "postgres", (r) => setEnv(r, "MYSQL_ALLOW_EMPTY_PASSWORD", "no"), "envs[MYSQL_ALLOW_EMPTY_PASSWORD] is set"],
    [
        "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
        "postgres",
        (r) => setEnv(r, "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1"),
        "envs[MARIADB_ALLOW_EMPTY_ROOT_PASSWORD] is set",
    ],
    ["an empty *_PASSWORD", "pyerp", (r) => setEnv(r, "DB_PASSWORD", ""), "envs[DB_PASSWORD] is empty"],
    [
        "a bare *_PASSWORD entry without '='",
        "pyerp",
        (r) => (r.props.envs = (r.props.envs as string[]).map((e) => (e.startsWith("DB_PASSWORD=") ? "DB_PASSWORD" : e))),
        "envs[DB_PASSWORD] is empty",
    ],
    [
        "an empty password in rendered config",
        "gitlab",
        (r) =>
            (r.props.envs = (r.props.envs as string[]).map((e) =>
                e.replace(/gitlab_rails\['db_password'\] = '(?:\\.|[^'\\])*'/, "gitlab_rails['db_password'] = ''"),
            )),
        "gitlab_rails['db_password'] is empty",
    ],
    ["an empty provider token", "cloudflare-dns", (r) => (r.props.apiToken = ""), "apiToken is empty"],
];

describe(POLICY, () => {
    it("passes the compliant stack", () => {
        expect(runPolicyPack(base).filter((v) => v.policy === POLICY)).toEqual([]);
    });

    it.each(cases)("catches %s", (_title, name, change, fragment) => {
        const violations = runPolicyPack(withChange(base, name, change));
        expect(policiesOf(violations)).toEqual([POLICY]);
        expect(violations).toHaveLength(1);
        expect(violations[0]).toMatchObject({ level: "mandatory" });
        expect(violations[0].message).toContain(fragment);
    });

    it("accepts POSTGRES_HOST_AUTH_METHOD=scram-sha-256", () => {
        const violations = runPolicyPack(withChange(base, "postgres", (r) => setEnv(r, "POSTGRES_HOST_AUTH_METHOD", "scram-sha-256")));
        expect(violations).toEqual([]);
    });
});
