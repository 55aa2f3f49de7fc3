import { beforeAll, describe, expect, it } from "vitest";
import type { PlanResource, PlanResult } from "../../tools/plan/evaluate";
import { stackPlan } from "../support/plans";

const COMMAND = "command:local:Command";
let plan: PlanResult;
let dev: PlanResult;

beforeAll(async () => {
    plan = await stackPlan("staging");
    dev = await stackPlan("dev");
});

const byName = (p: PlanResult, type: string, name: string): PlanResource => {
    const r = p.resources.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no ${type} ${name}`);
    return r;
};

/** URNs a resource waits for, transitively (explicit and input dependencies). */
function upstream(p: PlanResult, r: PlanResource): Set<string> {
    const byUrn = new Map(p.resources.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const queue = [...r.dependencies];
    while (queue.length > 0) {
        const urn = queue.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        queue.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return seen;
}

describe("the public route before anything calls GitLab by its public name (staging: DNS and tunnel on)", () => {
    it("applies a Caddyfile only after the DNS records and the tunnel, so ACME's first challenge can reach Caddy", () => {
        const reload = byName(plan, COMMAND, "caddy-reload");
        const dnsRecords = plan.resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord");
        expect(dnsRecords.length).toBeGreaterThan(0);
        for (const record of dnsRecords) expect(reload.dependencies).toContain(record.urn);
        expect(reload.dependencies).toContain(byName(plan, COMMAND, "tunnel-apply").urn);
    });

    it("gates the gitlab provider, and so every OAuth application, on GitLab answering at its public URL", () => {
        const gate = byName(plan, COMMAND, "identity-public-ready-gate");
        const before = upstream(plan, gate);
        for (const name of ["caddy-reload", "tunnel-apply"]) expect(before).toContain(byName(plan, COMMAND, name).urn);
        expect(before).toContain(byName(plan, "docker:index/container:Container", "gitlab-container").urn);
        const provider = byName(plan, "pulumi:providers:gitlab", "identity-gitlab");
        expect(provider.dependencies).toContain(gate.urn);
        expect(gate.plainInputs.create).toContain("https://staging-gitlab.nexora.restry.cn/api/v4/version");
    });

    it("on dev (Caddy's internal CA), verifies against the root read from the stack's Caddy", () => {
        const gate = byName(dev, COMMAND, "identity-public-ready-gate");
        expect(gate.plainInputs.create).toContain("https://dev-gitlab.nexora.restry.cn:18443/api/v4/version");
        expect(gate.plainInputs.create).toContain("docker exec 'nexora-dev-caddy' cat /data/caddy/pki/authorities/local/root.crt");
    });
});
