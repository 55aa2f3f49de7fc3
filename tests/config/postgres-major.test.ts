import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";

/** A minimal valid dev-like raw config (strings, objects as JSON, as the engine hands them over). */
function raw(overrides: Record<string, string> = {}): Record<string, string> {
    return { environment: "dev", edgeSubnet: "172.30.30.0/24", dataSubnet: "172.30.31.0/24", ...overrides };
}

function issuesOf(config: Record<string, string>): { key: string; expected: string }[] {
    try {
        parseSettings(config, { project: "nexora", stack: "dev" });
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

const postgres = (ref: string) => ({ images: JSON.stringify({ postgres: ref }) });

describe("PostgreSQL's major version against the data directory", () => {
    it("accepts the default image on the default data major (16), and patch releases within it", () => {
        expect(issuesOf(raw())).toEqual([]);
        expect(issuesOf(raw(postgres("postgres:16.99-bookworm")))).toEqual([]);
        expect(issuesOf(raw(postgres("postgres:16")))).toEqual([]);
    });

    it("refuses a major bump on an existing stack: the new server would refuse the old data directory", () => {
        const issues = issuesOf(raw(postgres("postgres:17.6-bookworm")));
        expect(issues).toHaveLength(1);
        expect(issues[0]!.key).toBe("nexora:images.postgres");
        expect(issues[0]!.expected).toMatch(/PostgreSQL 16, the major the data directory was initialised with \(nexora:postgresDataMajor\), got 17/);
        expect(issues[0]!.expected).toMatch(/dump and restore \(or pg_upgrade\)/);
        expect(issues[0]!.expected).not.toMatch(/raise images\.postgres/);
    });

    it("accepts the new major once the data was migrated and the stack says so", () => {
        expect(issuesOf(raw({ ...postgres("postgres:17.6-bookworm"), postgresDataMajor: "17" }))).toEqual([]);
        // ... and then refuses going back, which would fail just the same.
        expect(issuesOf(raw({ postgresDataMajor: "17" }))[0]).toMatchObject({ key: "nexora:images.postgres" });
    });

    it("needs a tag that names the major, and a sane postgresDataMajor", () => {
        const digestOnly = `postgres@sha256:${"a".repeat(64)}`;
        expect(issuesOf(raw(postgres(digestOnly)))[0]).toMatchObject({
            key: "nexora:images.postgres",
            expected: expect.stringMatching(/starts with the PostgreSQL major/),
        });
        expect(issuesOf(raw({ postgresDataMajor: "sixteen" }))[0]).toMatchObject({ key: "nexora:postgresDataMajor" });
    });

    it("no longer advises an image bump for GitLab 19: it points at the data migration", () => {
        const issues = issuesOf(raw({ images: JSON.stringify({ gitlab: "gitlab/gitlab-ce:19.2.0-ce.0" }) }));
        const gitlab = issues.find((i) => i.key === "nexora:images.gitlab");
        expect(gitlab?.expected).toMatch(/GitLab 19 requires PostgreSQL 17\+/);
        expect(gitlab?.expected).toMatch(/dump and restore or pg_upgrade/);
        expect(gitlab?.expected).not.toMatch(/raise images\.postgres/);
    });
});
