import { describe, expect, it } from "vitest";
import { PlanDocument, PlanParseError, diffPlans, parsePlanDocument, renderOfflineNote } from "../../tools/mr-preview/offline-diff";
import { stackMarker } from "../../tools/mr-preview/markdown";
import { readFixture } from "./fixtures";

const base = () => parsePlanDocument(readFixture("plan-staging-base.json"), "base");
const head = () => parsePlanDocument(readFixture("plan-staging-head.json"), "head");
const names = (resources: ReadonlyArray<{ name: string }>) => resources.map((r) => r.name).sort();

describe("diffPlans: target branch vs merge request, by URN", () => {
    const diff = diffPlans(base(), head());

    it("finds the added app with its password and DNS record", () => {
        expect(names(diff.added)).toEqual(["dns-staging-mazugift", "dns-staging-pyerp-dev", "mazugift", "mazugift-container", "mazugift-db-password"]);
    });

    it("finds the removed service with its protected volume", () => {
        expect(names(diff.removed)).toEqual(["dns-staging-erp-dev", "dns-staging-uptime", "uptime", "uptime-kuma-container", "uptime-kuma-data"]);
        expect(diff.removed.find((r) => r.name === "uptime-kuma-data")?.protect).toBe(true);
    });

    it("suggests the renamed route's DNS record as a rename, and nothing else", () => {
        expect(diff.possibleRenames.map((r) => `${r.from.name} → ${r.to.name}`)).toEqual(["dns-staging-erp-dev → dns-staging-pyerp-dev"]);
    });

    it("reports the renamed route in the Caddyfile as changed lines at their input paths", () => {
        const caddy = diff.changed.find((c) => c.head.name === "caddy-reload");
        expect(caddy?.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(["update stdin", "update triggers[0]"]);
        expect(caddy?.changes[0].before).toContain("staging-erp-dev.nexora.restry.cn {");
        expect(caddy?.changes[0].after).toContain("staging-pyerp-dev.nexora.restry.cn {");
    });

    it("compares [secret] with [secret] as unchanged and counts it as not compared; a value turning secret is a change", () => {
        const outline = diff.changed.find((c) => c.head.name === "outline-container");
        expect(outline?.changes).toEqual([{ path: "envs[5]", segments: ["envs", 5], kind: "update", before: "SMTP_PASSWORD=Outl1ne-Smtp-2026", after: "[secret]" }]);
        // Outline's two secret env entries, mazugift's are new (not compared).
        expect(diff.secretPathsNotCompared).toBe(2);
        expect(diff.unchanged).toBe(5);
    });

    it("marks which policy violations the merge request introduces", () => {
        expect(diff.violations.map((v) => `${v.level} ${v.policy} ${v.isNew ? "new" : "existing"}`)).toEqual([
            "advisory docker-image-require-pinned-tag existing",
            "mandatory credentials-resource-flag-plaintext-literals new",
        ]);
    });

    it("aligns env lists so one inserted entry is one add, not a shifted tail", () => {
        const resource = (envs: string[]): PlanDocument => ({
            stack: "dev",
            resources: [{ urn: "urn:pulumi:dev::nexora::docker:index/container:Container::app", type: "docker:index/container:Container", name: "app", parent: null, protect: false, inputs: { envs } }],
            violations: [],
        });
        const changes = diffPlans(resource(["A=1", "B=2", "C=3"]), resource(["A=1", "NEW=0", "B=2", "C=4"])).changed[0].changes;
        expect(changes.map((c) => `${c.kind} ${c.path}`)).toEqual(["add envs[1]", "update envs[3]"]);
    });
});

describe("renderOfflineNote", () => {
    const body = renderOfflineNote(diffPlans(base(), head()), {
        stack: "staging",
        baseRef: "develop",
        baseSha: "9f8e7d6c",
        headSha: "1a2b3c4d",
        jobUrl: "https://gitlab.nexora.restry.cn/nexora/platform/-/jobs/4243",
    }).body;

    it("is labelled, before anything else, as an offline desired-state diff that reached no state backend", () => {
        expect(body.startsWith(`${stackMarker("staging")}\n\n### Offline desired-state diff · stack \`staging\`\n\n> ℹ️ **This is an offline desired-state diff: no state backend was reached.** It is not a \`pulumi preview\`.`)).toBe(true);
        expect(body).toContain("target branch `develop` at `9f8e7d6c` with this merge request at `1a2b3c4d`");
        expect(body).toContain("a changed secret does not show here (2 secret values not compared)");
    });

    it("warns loudly about the removed protected volume", () => {
        expect(body).toContain("> 🛑 **DATA-LOSS RISK — 1 stateful or protected resource disappears from the program.**");
        expect(body).toContain("> - 🗑️ `uptime-kuma-data` · `docker:index/volume:Volume` · **Docker volume: its data is deleted with it; protected resource**");
    });

    it("shows counts, the rename hint and the Caddyfile change as a line diff", () => {
        expect(body).toContain("| 5 | 2 | **5** | 5 |");
        expect(body).toContain("- `dns-staging-erp-dev` → `dns-staging-pyerp-dev` · `cloudflare:index/dnsRecord:DnsRecord`");
        expect(body).toContain("- staging-erp-dev.nexora.restry.cn {\n- \treverse_proxy nexora-staging-pyerp-dev:8000\n+ staging-mazugift.nexora.restry.cn {");
    });

    it("masks the credential that was plain on the target branch", () => {
        expect(body).not.toContain("Outl1ne-Smtp-2026");
        expect(body).toContain("- SMTP_PASSWORD=[masked]\n+ [secret]");
    });

    it("lists the new mandatory violation first", () => {
        const rows = body.split("\n").filter((l) => l.startsWith("| 🚫") || l.startsWith("| ⚠️"));
        expect(rows[0]).toMatch(/^\| 🚫 mandatory \| \*\*new\*\* \| `credentials-resource-flag-plaintext-literals` \| `mazugift-container` \|/);
        expect(rows[1]).toMatch(/^\| ⚠️ advisory \| already on target \|/);
    });

    it("says so when the two plans declare the same resources", () => {
        const same = renderOfflineNote(diffPlans(base(), base()), { stack: "staging" }).body;
        expect(same).toContain("✅ **No differences** in the declared resources.");
        expect(same).not.toMatch(/DATA-LOSS|disappear/);
    });
});

describe("parsePlanDocument", () => {
    it("names the file when the document is not a plan", () => {
        expect(() => parsePlanDocument("> nexora@0.1.0 plan\n{", "--offline-base")).toThrow(PlanParseError);
        expect(() => parsePlanDocument('{"stack":"dev"}', "--offline-head")).toThrow(/--offline-head: expected/);
    });
});
