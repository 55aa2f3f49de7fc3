// Turning reviewsEnabled on for a host stack under mocks: the same resources (nothing added, nothing
// that would be replaced), its Caddyfile gains only the import of the review sites, its frpc.toml
// only the includes of the review proxies, and the tunnel's apply creates that directory first.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { evaluateStack, type PlanResult } from "../../tools/plan/evaluate";
import { readStackFile } from "../../tools/plan/evaluate";
import { ROOT } from "../support/stacks";

let off: PlanResult;
let on: PlanResult;

beforeAll(async () => {
    const config = readStackFile(path.join(ROOT, "tests/e2e/stack.yaml"));
    off = await evaluateStack({ stack: "dev-e2e", config });
    on = await evaluateStack({ stack: "dev-e2e", config: { ...config, "nexora:reviewsEnabled": true } });
});

const inputsOf = (plan: PlanResult) => new Map(plan.resources.map((r) => [r.urn, r.inputs]));

describe("a host stack with reviewsEnabled", () => {
    it("declares exactly the same resources", () => {
        expect(on.resources.map((r) => r.urn).sort()).toEqual(off.resources.map((r) => r.urn).sort());
    });

    it("changes no container, volume or network input: only the Caddy reload and the frpc apply re-run", () => {
        const before = inputsOf(off);
        const changedUrns = on.resources.filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(before.get(r.urn))).map((r) => `${r.type} ${r.name}`);
        expect(changedUrns.sort()).toEqual(["command:local:Command caddy-reload", "command:local:Command tunnel-apply"]);
    });

    it("imports the review sites at the end of the Caddyfile, and nothing else changes in it", () => {
        const before = off.artifacts["Caddyfile"]!;
        const after = on.artifacts["Caddyfile"]!;
        expect(after).toBe(`${before}\nimport /etc/caddy/reviews/*.caddy\n`);
    });

    it("includes the review proxies in frpc.toml, and creates their directory before frpc verifies it", () => {
        const toml = parse(on.artifacts["frpc.toml"]!) as { includes?: string[] };
        expect(toml.includes).toEqual(["/etc/frp/reviews/*.toml"]);
        expect((parse(off.artifacts["frpc.toml"]!) as { includes?: string[] }).includes).toBeUndefined();
        const apply = on.resources.find((r) => r.name === "tunnel-apply")!;
        // Before `frpc verify` of the new file: frpc refuses includes whose directory is missing.
        expect(String(apply.inputs.create)).toMatch(/set -e\nmkdir -p '\\''\/etc\/frp\/reviews'\\''\ncat > \/etc\/frp\/frpc.toml.next\nfrpc verify/);
        expect(String(off.resources.find((r) => r.name === "tunnel-apply")!.inputs.create)).not.toContain("/etc/frp/reviews");
    });
});

describe("a host stack with reviewsEnabled and GitLab", () => {
    it("exports its GitLab API token as a secret output for reviews of SSO apps, and only then", async () => {
        const config = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"));
        const withReviews = await evaluateStack({ stack: "dev", config: { ...config, "nexora:reviewsEnabled": true } });
        expect(withReviews.outputs.reviewGitlabToken).toEqual(expect.any(String));
        expect(withReviews.secretOutputs).toContain("reviewGitlabToken");
        // The token the host's own OAuth applications are made with.
        const [provider] = withReviews.recorder.ofType("pulumi:providers:gitlab");
        expect(provider!.inputs.token).toBe(withReviews.outputs.reviewGitlabToken);
        const without = await evaluateStack({ stack: "dev", config: { ...config, "nexora:reviewsEnabled": false } });
        expect(without.outputs.reviewGitlabToken).toBeUndefined();
        // Reviews on, GitLab off: nothing to export.
        expect(on.outputs.reviewGitlabToken).toBeUndefined();
    });
});
