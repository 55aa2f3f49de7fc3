import { describe, expect, it } from "vitest";
import { PlanParseError, changeEffect, diffPlans, parsePlanDocument, renderOfflineNote } from "../../tools/mr-preview/offline-diff";
import { stackMarker } from "../../tools/mr-preview/markdown";
import type { PlanDocument } from "../../tools/plan/report";
import { PASTED_GITLAB_TOKEN, WEAK_DB_PASSWORD, readFixture } from "./fixtures";

const base = () => parsePlanDocument(readFixture("plan-staging-base.json"), "base");
const head = () => parsePlanDocument(readFixture("plan-staging-head.json"), "head");
const names = (resources: ReadonlyArray<{ name: string }>) => resources.map((r) => r.name).sort();

/** A one-resource plan of `inputs`, for what the staging fixture does not show. */
function planOf(resources: ReadonlyArray<{ name: string; type?: string; parent?: string | null; inputs: Record<string, unknown> }>): PlanDocument {
    return {
        stack: "dev",
        resources: resources.map((r) => {
            const type = r.type ?? "docker:index/container:Container";
            return {
                urn: `urn:pulumi:dev::nexora::${type}::${r.name}`,
                type,
                name: r.name,
                parent: r.parent ?? null,
                protect: false,
                retainOnDelete: false,
                inputs: r.inputs,
            };
        }),
        violations: [],
    };
}

describe("diffPlans: target branch vs merge request, by URN", () => {
    const diff = diffPlans(base(), head());

    it("finds the added app with its image, release id, container, gate, switch and DNS record", () => {
        expect(names(diff.added)).toEqual([
            "app-erp-dev",
            "app-erp-dev-container",
            "app-erp-dev-gate",
            "app-erp-dev-image",
            "app-erp-dev-release",
            "app-erp-dev-switch",
            "dns-erp-dev",
        ]);
    });

    it("finds the removed service with its protected volume", () => {
        expect(names(diff.removed)).toEqual([
            "gitlab-runner",
            "gitlab-runner-config",
            "gitlab-runner-container",
            "gitlab-runner-image",
            "gitlab-runner-register",
            "gitlab-runner-registration",
        ]);
        expect(diff.removed.find((r) => r.name === "gitlab-runner-config")?.protect).toBe(true);
    });

    it("reports what changed at its input path, and nothing for what only the engine would see change", () => {
        expect(diff.changed.map((c) => `${c.head.name}: ${c.changes.map((ch) => `${ch.kind} ${ch.path}`).join(", ")}`)).toEqual([
            "postgres-data: add labels[4]",
            "tunnel-apply: update triggers[0]",
            "caddy-reload: update triggers[0]",
            "app-hjhs-image: update name",
        ]);
        // The new image's id is only known after the pull: the plans show hjhs's release id,
        // container, gate and switch unchanged (the release fingerprint hashes that id).
        for (const name of ["app-hjhs-release", "app-hjhs-container", "app-hjhs-gate", "app-hjhs-switch"]) {
            expect(
                diff.changed.some((c) => c.head.name === name),
                name,
            ).toBe(false);
        }
        expect(diff.unchanged).toBe(135);
    });

    it("compares [secret] with [secret] as unchanged and counts it as not compared", () => {
        // The Caddyfile and frpc.toml go to their reload commands on stdin, as secrets: only their hashes show a change.
        for (const name of ["caddy-reload", "tunnel-apply"]) {
            const changed = diff.changed.find((c) => c.head.name === name);
            expect(changed?.base.inputs.stdin).toBe("[secret]");
            expect(changed?.changes.map((c) => c.path)).toEqual(["triggers[0]"]);
        }
        expect(diff.secretPathsNotCompared).toBe(2);
    });

    it("shows a value turning secret as a change", () => {
        const changes = diffPlans(
            planOf([{ name: "app", inputs: { envs: ["PORT=80", "SMTP_PASSWORD=Outl1ne-Smtp-2026"] } }]),
            planOf([{ name: "app", inputs: { envs: ["PORT=80", "[secret]"] } }]),
        ).changed[0].changes;
        expect(changes).toEqual([{ path: "envs[1]", segments: ["envs", 1], kind: "update", before: "SMTP_PASSWORD=Outl1ne-Smtp-2026", after: "[secret]" }]);
    });

    it("suggests no rename between resources of different parents", () => {
        // gitlab-runner-image and app-erp-dev-image are both RemoteImages, of different components.
        expect(diff.possibleRenames).toEqual([]);
    });

    it("suggests a renamed route's DNS record as a rename, and nothing else", () => {
        const dns = (name: string, host: string) => ({
            name,
            type: "cloudflare:index/dnsRecord:DnsRecord",
            parent: "urn:pulumi:dev::nexora::nexora:edge:Dns::dns",
            inputs: { name: host },
        });
        const renamed = diffPlans(
            planOf([dns("dns-erp-dev", "dev-erp-dev.nexora.restry.cn"), dns("dns-hjhs", "dev-hjhs.nexora.restry.cn")]),
            planOf([dns("dns-pyerp-dev", "dev-pyerp-dev.nexora.restry.cn"), dns("dns-gold", "dev-gold.nexora.restry.cn")]),
        );
        expect(renamed.possibleRenames.map((r) => `${r.from.name} → ${r.to.name}`)).toEqual(["dns-erp-dev → dns-pyerp-dev"]);
    });

    it("marks which policy violations the merge request introduces", () => {
        expect(diff.violations.map((v) => `${v.level} ${v.policy} ${v.isNew ? "new" : "existing"}`)).toEqual([
            "mandatory credentials-resource-forbid-weak-secrets new",
            "advisory credentials-resource-flag-plaintext-literals new",
        ]);
        expect(diffPlans(head(), head()).violations.every((v) => !v.isNew)).toBe(true);
    });

    it("aligns env lists so one inserted entry is one add, not a shifted tail", () => {
        const changes = diffPlans(
            planOf([{ name: "app", inputs: { envs: ["A=1", "B=2", "C=3"] } }]),
            planOf([{ name: "app", inputs: { envs: ["A=1", "NEW=0", "B=2", "C=4"] } }]),
        ).changed[0].changes;
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
        expect(
            body.startsWith(
                `${stackMarker("staging")}\n\n### Offline desired-state diff · stack \`staging\`\n\n> ℹ️ **This is an offline desired-state diff: no state backend was reached.** It is not a \`pulumi preview\`.`,
            ),
        ).toBe(true);
        expect(body).toContain("target branch `develop` at `9f8e7d6c` with this merge request at `1a2b3c4d`");
        expect(body).toContain("a changed secret does not show here (2 secret values not compared)");
    });

    it("warns loudly about the removed protected volume", () => {
        expect(body).toContain("> 🛑 **DATA-LOSS RISK — 1 stateful or protected resource disappears from the program.**");
        expect(body).toContain(
            "> - 🗑️ `gitlab-runner-config` · `docker:index/volume:Volume` · **Docker volume: kept on the host but no longer managed (retainOnDelete); protected resource**",
        );
        expect(body).toContain("> ⚠️ **5 resources disappear from the program** and would be deleted.");
    });

    it("shows counts and each change as a diff", () => {
        expect(body).toContain("| added | changed | removed | unchanged |\n| ---: | ---: | ---: | ---: |\n| 7 | 4 | **6** | 135 |");
        expect(body).not.toContain("**Possible renames**");
        expect(body).toContain(
            "@@ name · changed @@\n- registry.cn-hangzhou.aliyuncs.com/nexora-shop/hjhs:1.4.1\n+ registry.cn-hangzhou.aliyuncs.com/nexora-shop/hjhs:1.4.2",
        );
        expect(body).toContain('@@ labels[4] · added @@\n+ {\n+   "label": "nexora.backup",');
    });

    it("shows a changed multi-line value as changed lines", () => {
        const caddyfile = (route: string) =>
            `{\n\tadmin :2019\n}\n\ndev-gitlab.nexora.restry.cn {\n\treverse_proxy nexora-dev-gitlab:80\n}\n\n${route}.nexora.restry.cn {\n\treverse_proxy nexora-dev-pyerp:8000\n}\n`;
        const note = renderOfflineNote(
            diffPlans(
                planOf([{ name: "caddy-config", inputs: { content: caddyfile("dev-erp") } }]),
                planOf([{ name: "caddy-config", inputs: { content: caddyfile("dev-pyerp") } }]),
            ),
            {
                stack: "dev",
            },
        ).body;
        expect(note).toContain("  }\n  \n- dev-erp.nexora.restry.cn {\n+ dev-pyerp.nexora.restry.cn {\n  \treverse_proxy nexora-dev-pyerp:8000");
    });

    it("masks the credentials the merge request puts in plain config", () => {
        for (const leaked of [WEAK_DB_PASSWORD, PASTED_GITLAB_TOKEN]) expect(body).not.toContain(leaked);
        expect(body).toContain('"DB_PASSWORD=[masked]"');
        expect(body).toContain("private_token=[masked]");
    });

    it("lists the new mandatory violation first", () => {
        const rows = body.split("\n").filter((l) => l.startsWith("| 🚫") || l.startsWith("| ⚠️"));
        expect(rows[0]).toBe(
            "| 🚫 mandatory | **new** | `credentials-resource-forbid-weak-secrets` | `app-erp-dev-container` | `container 'app-erp-dev-container' envs[DB_PASSWORD] is weak: shorter than 15 characters; zxcvbn score 1, needs 3.` |",
        );
        expect(rows[1]).toMatch(/^\| ⚠️ advisory \| \*\*new\*\* \| `credentials-resource-flag-plaintext-literals` \| `app-erp-dev-container` \|/);
    });

    it("says when a violation is already on the target branch", () => {
        const again = renderOfflineNote(diffPlans(head(), head()), { stack: "staging" }).body;
        expect(again).toMatch(/^\| 🚫 mandatory \| already on target \| `credentials-resource-forbid-weak-secrets` \|/m);
    });

    it("says so when the two plans declare the same resources", () => {
        const same = renderOfflineNote(diffPlans(base(), base()), { stack: "staging" }).body;
        expect(same).toContain("✅ **No differences** in the declared resources.");
        expect(same).not.toMatch(/DATA-LOSS|disappear/);
    });
});

describe("which offline changes replace", () => {
    const COMMAND = "command:local:Command";
    const reload = (inputs: Record<string, unknown>) => ({
        name: "caddy-reload",
        type: COMMAND,
        inputs: { create: "docker exec -i caddy sh -c reload", environment: { DOCKER_HOST: "ssh://a" }, triggers: ["h1"], ...inputs },
    });
    const container = (inputs: Record<string, unknown>) => ({
        name: "app-container",
        inputs: {
            image: "sha256:1",
            envs: ["A=1"],
            restart: "unless-stopped",
            memory: 512,
            memorySwap: 1024,
            wait: true,
            waitTimeout: 120,
            destroyGraceSeconds: 10,
            healthcheck: { tests: ["CMD", "true"] },
            ...inputs,
        },
    });
    const image = (name: string) => ({ name: "app-image", type: "docker:index/remoteImage:RemoteImage", inputs: { name } });
    const baseline = planOf([reload({}), container({}), image("shop:1")]);
    const effects = (head: PlanDocument) => Object.fromEntries(diffPlans(baseline, head).changed.map((c) => [c.head.name, changeEffect(c)?.text]));

    it("marks a command whose triggers changed as replaced, and a container with an input the provider cannot update", () => {
        const head = planOf([reload({ triggers: ["h2"] }), container({ envs: ["A=2"], memory: 1024 }), image("shop:2")]);
        expect(effects(head)).toEqual({
            "caddy-reload": "replaced (triggers are replace-on-change)",
            "app-container": "replaced",
            // Nothing is said where the provider's rules are not known here.
            "app-image": undefined,
        });
        expect(diffPlans(baseline, head).changed.map((c) => changeEffect(c)?.keys)).toEqual([["triggers"], ["envs"], undefined]);
        const note = renderOfflineNote(diffPlans(baseline, head), { stack: "dev" }).body;
        expect(note).toContain(
            "<summary>♻️ <code>caddy-reload</code> · <code>command:local:Command</code> · 1 change · <b>replaced (triggers are replace-on-change)</b></summary>",
        );
        expect(note).toContain(
            "<summary>♻️ <code>app-container</code> · <code>docker:index/container:Container</code> · 2 changes · <b>replaced</b> · forced by <code>envs</code></summary>",
        );
        expect(note).toContain("<summary>✏️ <code>app-image</code> · <code>docker:index/remoteImage:RemoteImage</code> · 1 change</summary>");
        // Cut to fit a smaller budget, the one-line entries say it too.
        const cut = Array.from({ length: 30 }, (_, i) => renderOfflineNote(diffPlans(baseline, head), { stack: "dev", maxBytes: 1000 + 100 * i }).body).join(
            "\n",
        );
        expect(cut).toContain("- ♻️ `caddy-reload` · `command:local:Command` · `triggers[0]` · **replaced (triggers are replace-on-change)**");
        expect(cut).toContain("- ♻️ `app-container` · `docker:index/container:Container` · `envs[0]`, `memory` · **replaced** · forced by `envs`");
    });

    it("keeps in place what the engine updates in place: a command's other inputs, a container's restart and memory, its wait and stop settings", () => {
        const head = planOf([
            reload({ environment: { DOCKER_HOST: "ssh://b" }, create: "docker exec -i caddy sh -c 'reload --force'" }),
            container({ restart: "always", memory: 1024, memorySwap: 2048, wait: false, waitTimeout: 300, destroyGraceSeconds: 60 }),
            image("shop:1"),
        ]);
        expect(effects(head)).toEqual({ "caddy-reload": "updated in place", "app-container": "updated in place" });
        expect(effects(planOf([reload({}), container({ wait: false, destroyGraceSeconds: 60 }), image("shop:1")]))).toEqual({
            "app-container": "state only: the running container does not change",
        });
        const note = renderOfflineNote(diffPlans(baseline, head), { stack: "dev" }).body;
        expect(note).not.toContain("♻️");
        expect(note).toContain("<summary>✏️ <code>caddy-reload</code> · <code>command:local:Command</code> · 2 changes · <b>updated in place</b></summary>");
        expect(note).toContain(
            "<summary>✏️ <code>app-container</code> · <code>docker:index/container:Container</code> · 6 changes · <b>updated in place</b></summary>",
        );
    });

    it("says a healthcheck change does not reach the running container (kreuzwerker #988)", () => {
        const head = planOf([reload({}), container({ healthcheck: { tests: ["CMD", "false"] } }), image("shop:1")]);
        expect(changeEffect(diffPlans(baseline, head).changed[0])).toMatchObject({ kind: "not-applied", keys: ["healthcheck"] });
        expect(renderOfflineNote(diffPlans(baseline, head), { stack: "dev" }).body).toContain(
            "· 1 change · <b>not applied to the running container (the provider's update ignores it)</b>: <code>healthcheck</code></summary>",
        );
    });

    it("marks the staging merge request's reload commands as replaced", () => {
        const diff = diffPlans(base(), head());
        expect(diff.changed.filter((c) => changeEffect(c)?.kind === "replace").map((c) => c.head.name)).toEqual(["tunnel-apply", "caddy-reload"]);
    });
});

describe("parsePlanDocument", () => {
    it("names the file when the document is not a plan", () => {
        expect(() => parsePlanDocument("> nexora@0.1.0 plan\n{", "--offline-base")).toThrow(PlanParseError);
        expect(() => parsePlanDocument('{"stack":"dev"}', "--offline-head")).toThrow(/--offline-head: expected/);
    });

    it("accepts only the policy pack's levels, naming the violation", () => {
        const doc = (level: string) => JSON.stringify({ stack: "dev", resources: [], violations: [{ policy: "p", urn: "u", level, message: "m" }] });
        expect(parsePlanDocument(doc("mandatory"), "--offline-head").violations[0]?.level).toBe("mandatory");
        expect(() => parsePlanDocument(doc("warning"), "--offline-head")).toThrow('--offline-head: violations[0].level must be "mandatory" or "advisory"');
    });
});
