import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { buildPlan, parsePlan, PlanError, renderPlan, validatePlan, type AdoptionPlan, type LiveNames } from "../../tools/adopt/plan";
import { adoptionTargets } from "../../tools/adopt/targets";
import { settingsOf } from "../support/stacks";
import { clawBot, WEAK } from "./fixtures";

const prod = settingsOf("prod");
const targets = adoptionTargets(prod);
const routes = prod.routes.http.map((r) => r.name);
const discovery = clawBot();
const live: LiveNames = { volumes: new Set(discovery.volumes.map((v) => v.Name)), containers: new Set(discovery.containers.map((c) => c.Name.slice(1))) };

function edit(plan: AdoptionPlan, f: (p: { -readonly [K in keyof AdoptionPlan]: AdoptionPlan[K] }) => void): AdoptionPlan {
    const copy = structuredClone(plan) as { -readonly [K in keyof AdoptionPlan]: AdoptionPlan[K] };
    f(copy);
    return copy;
}

describe("discovery to plan", () => {
    const plan = buildPlan(discovery, targets);

    it("maps every Compose volume of a service the program runs to that service's volume, by the mount path", () => {
        const adoptAs = Object.fromEntries(plan.volumes.map((v) => [v.name, v.adoptAs]));
        expect(adoptAs).toEqual({
            claw_pgdata: "postgres-data",
            claw_mysqldata: "mysql-data",
            claw_redisdata: "redis-data",
            claw_caddy_data: "caddy-data",
            // Caddy's config is rendered by the program: nothing to copy.
            claw_caddy_config: null,
            claw_gitlab_config: "gitlab-config",
            claw_gitlab_data: "gitlab-data",
            claw_gitlab_logs: "gitlab-logs",
            claw_outline_data: "outline-data",
            claw_uptime: "uptime-data",
            claw_portainer: "portainer-data",
            claw_portal: "portal-content",
            mailrelay_spool: null,
            orphan_cache: null,
        });
        expect(targets.volumes.find((t) => t.key === "gitlab-config")?.name).toBe("nexora-prod-gitlab-config");
    });

    it("takes over the program's services and the apps by Compose service name, and leaves the rest running", () => {
        const by = Object.fromEntries(plan.containers.map((c) => [c.name, c.takenOverBy]));
        expect(by).toMatchObject({ claw_postgres_1: "postgres", claw_uptime_1: "uptime", claw_pyerp_1: "pyerp", mailrelay: null });
        expect(plan.networks).toEqual([{ name: "claw_default", project: "claw" }]);
    });

    it("maps databases of the program's own names and keeps the others unwired", () => {
        expect(plan.postgres?.databases).toEqual([
            { name: "gitlab", owner: "gitlab" },
            { name: "outline", owner: "outline" },
            { name: "legacy_wiki", owner: null },
        ]);
        expect(plan.mysql?.databases).toEqual([
            { name: "pyerp", owner: "pyerp" },
            { name: "xylferp", owner: "xylferp" },
            { name: "scratch", owner: null },
        ]);
    });

    it("writes YAML with one comment per entry and env keys without a single value", () => {
        const text = renderPlan(plan, targets);
        expect(text).not.toContain(WEAK);
        expect(text).toContain("- POSTGRES_PASSWORD");
        expect(text).toMatch(/# claw_pgdata: copied into nexora-prod-postgres-data at cutover; this volume is not changed/);
        expect(text).toMatch(/# mailrelay: left alone \(keeps running, never stopped\)/);
        expect(text).toMatch(/# claw_postgres_1: stopped at cutover \(docker stop, 120 s grace\)/);
        expect(text).toMatch(/# legacy_wiki: copied with the data, not wired/);
        for (const entry of [...plan.volumes, ...plan.containers, ...plan.networks]) expect(text).toMatch(new RegExp(`^ *# ${entry.name}: `, "m"));
        expect(validatePlan(parsePlan(text), targets, live, routes)).toEqual([]);
    });

    it("reads back what it wrote, after an operator's edit with comments kept", () => {
        const doc = YAML.parseDocument(renderPlan(plan, targets));
        doc.setIn(["volumes", 0, "adoptAs"], null);
        const text = doc.toString();
        expect(text).toContain("# claw_pgdata: copied into");
        expect(parsePlan(text).volumes[0]!.adoptAs).toBeNull();
    });

    it("round-trips any plan through the file", () => {
        const name = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.:#'"\- ]{0,20}$/);
        const nullable = fc.option(name, { nil: null });
        fc.assert(
            fc.property(
                fc.array(fc.record({ name, project: nullable, driver: name, mountedBy: fc.array(name, { maxLength: 2 }), adoptAs: nullable }), {
                    maxLength: 4,
                }),
                fc.array(
                    fc.record({
                        name,
                        project: nullable,
                        service: nullable,
                        image: name,
                        state: name,
                        mounts: fc.array(name),
                        ports: fc.array(name),
                        envKeys: fc.array(name),
                        takenOverBy: nullable,
                    }),
                    { maxLength: 3 },
                ),
                (volumes, containers) => {
                    const p: AdoptionPlan = { ...plan, volumes, containers, networks: [], postgres: null, mysql: null };
                    expect(parsePlan(renderPlan(p, targets))).toEqual(p);
                },
            ),
            { numRuns: 60 },
        );
    });
});

describe("plan validation", () => {
    const plan = buildPlan(discovery, targets);
    const issues = (p: AdoptionPlan, l: LiveNames = live) => validatePlan(p, targets, l, routes);

    it("refuses two volumes copied into one, naming both entries", () => {
        const bad = edit(plan, (p) => {
            p.volumes = p.volumes.map((v) => (v.name === "claw_caddy_config" ? { ...v, adoptAs: "postgres-data" } : v));
        });
        const found = issues(bad);
        expect(found).toHaveLength(1);
        expect(found[0]!.entry).toBe("volumes[4] (claw_caddy_config).adoptAs");
        expect(found[0]!.message).toContain("already the target of volumes[0] (claw_pgdata)");
    });

    it("refuses a volume that does not exist on the daemon", () => {
        const gone = { ...live, volumes: new Set([...live.volumes].filter((v) => v !== "claw_mysqldata")) };
        expect(issues(plan, gone)).toEqual([{ entry: "volumes[1] (claw_mysqldata)", message: "volume claw_mysqldata does not exist on the Docker host" }]);
    });

    it("refuses a required store left unmapped, naming the store", () => {
        const bad = edit(plan, (p) => {
            p.volumes = p.volumes.map((v) => (v.name === "claw_gitlab_config" ? { ...v, adoptAs: null } : v));
        });
        expect(issues(bad).map((i) => i.entry)).toEqual(["volumes (gitlab-config)"]);
    });

    it("refuses an adopted volume whose writer the plan leaves running", () => {
        const bad = edit(plan, (p) => {
            p.containers = p.containers.map((c) => (c.name === "claw_portal_1" ? { ...c, takenOverBy: null } : c));
        });
        expect(issues(bad)[0]!.message).toContain("mounted by claw_portal_1, which the plan leaves running");
    });

    it("refuses unknown targets, owners, and import ids, each by entry", () => {
        const bad = edit(plan, (p) => {
            p.volumes = [{ ...p.volumes[0]!, adoptAs: "postgres-wal" }, ...p.volumes.slice(1)];
            p.postgres = {
                ...p.postgres!,
                databases: [
                    { name: "gitlabhq_production", owner: "gitlab" },
                    { name: "x", owner: "mattermost" },
                ],
            };
            p.imports = { outlineOAuthApplication: "abc", dnsRecords: { gitlab: "zone/record", nosuch: `${"a".repeat(32)}/${"b".repeat(32)}` } };
        });
        const entries = issues(bad).map((i) => i.entry);
        expect(entries).toEqual(
            expect.arrayContaining([
                "volumes[0] (claw_pgdata).adoptAs",
                "volumes (postgres-data)",
                "postgres.databases[0] (gitlabhq_production).owner",
                "postgres.databases[1] (x).owner",
                "imports.outlineOAuthApplication",
                "imports.dnsRecords.gitlab",
                "imports.dnsRecords.nosuch",
            ]),
        );
    });

    it("accepts the import ids in the providers' formats", () => {
        const ok = edit(plan, (p) => {
            p.imports = { outlineOAuthApplication: "7", dnsRecords: { gitlab: `${"0".repeat(32)}/${"f".repeat(32)}` } };
        });
        expect(issues(ok)).toEqual([]);
    });

    it("names the entry of every malformed plan file instead of throwing anything else", () => {
        fc.assert(
            fc.property(fc.anything(), (junk) => {
                const text = YAML.stringify({ ...structuredClone(plan), volumes: [junk] });
                try {
                    parsePlan(text);
                } catch (err) {
                    expect(err).toBeInstanceOf(PlanError);
                    expect((err as PlanError).issues[0]!.entry).toMatch(/^volumes\[0\]/);
                }
            }),
            { numRuns: 100 },
        );
        expect(() => parsePlan("stack: [")).toThrow(PlanError);
        expect(() => parsePlan("a: &x 1\nb: *x\n")).toThrow(PlanError);
    });
});
