// A stack that adopted a Compose deployment imports its Outline OAuth application and its DNS
// records (nexora:adoptImports) instead of creating them a second time; without the key nothing
// carries an import ID.
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateStack, placeholderSecret, type PlanResult } from "../../tools/plan/evaluate";
import type { RecordedResource } from "../../tools/plan/mock-engine";
import { stackPlan } from "../support/plans";
import { stackFileConfig } from "../support/stacks";

const APPLICATION = "gitlab:index/application:Application";
const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const ZONE = "0123456789abcdef0123456789abcdef";
const GITLAB_RECORD = `${ZONE}/${"a".repeat(32)}`;
const OUTLINE_RECORD = `${ZONE}/${"b".repeat(32)}`;

let adopted: PlanResult;
let plain: PlanResult;

beforeAll(async () => {
    plain = await stackPlan("staging");
    adopted = await evaluateStack({
        stack: "staging",
        config: {
            ...stackFileConfig("staging"),
            "nexora:adoptImports": {
                outlineOAuthApplication: "7",
                dnsRecords: { gitlab: GITLAB_RECORD, outline: OUTLINE_RECORD },
                credentials: ["gitlab-root", "portainer-admin"],
            },
        },
    });
}, 120_000);

const recorded = (p: PlanResult, type: string): RecordedResource[] => p.recorder.resources.filter((r) => r.type === type && r.urn !== "");
const one = (p: PlanResult, type: string, name: string): RecordedResource => {
    const r = recorded(p, type).find((x) => x.name === name);
    if (!r) throw new Error(`no ${type} ${name}`);
    return r;
};

describe("nexora:adoptImports on a stack", () => {
    it("imports the Outline application by GitLab's id, keeps its name and scopes, retains it on delete; the others are created", () => {
        const outline = one(adopted, APPLICATION, "identity-outline-app");
        expect(outline.id).toBe("7");
        expect(outline.options.ignoreChanges).toEqual(["name", "scopes"]);
        expect(outline.options.retainOnDelete).toBe(true);
        // Declared as the program would create it: a different redirect URL shows as a replacement in the preview.
        expect(outline.inputs).toMatchObject({ redirectUrl: "https://staging-outline.nexora.restry.cn/auth/oidc.callback", confidential: true });
        for (const app of recorded(adopted, APPLICATION).filter((a) => a.name !== "identity-outline-app")) {
            expect(app.id, app.name).toBeUndefined();
            expect(app.options.retainOnDelete, app.name).toBeFalsy();
        }
    });

    it("gives Outline the client secret from adoptOutlineClientSecret, as a secret (GitLab never reads an imported secret back)", () => {
        const secret = placeholderSecret("staging", "nexora:adoptOutlineClientSecret");
        expect(adopted.placeholders.join("\n")).toContain("nexora:adoptOutlineClientSecret");
        const outline = recorded(adopted, CONTAINER).find((c) => c.name.startsWith("outline"))!;
        expect(outline.inputs.envs).toContain(`OIDC_CLIENT_SECRET=${secret}`);
        expect(outline.secretInputs).toContain("envs");
        expect(adopted.recorder.plaintextLeaks(secret)).toEqual([]);
    });

    it("imports the named DNS records by <zone_id>/<record_id> and retains them on delete; the other records are created", () => {
        expect(one(adopted, DNS_RECORD, "dns-gitlab").id).toBe(GITLAB_RECORD);
        expect(one(adopted, DNS_RECORD, "dns-outline").id).toBe(OUTLINE_RECORD);
        for (const name of ["dns-gitlab", "dns-outline"]) expect(one(adopted, DNS_RECORD, name).options.retainOnDelete).toBe(true);
        const others = recorded(adopted, DNS_RECORD).filter((r) => !["dns-gitlab", "dns-outline"].includes(r.name));
        expect(others.length).toBeGreaterThan(0);
        for (const r of others) expect(r.id, r.name).toBeUndefined();
    });

    it("sets GitLab root's and Portainer admin's passwords in the adopted data, before anything logs in to Portainer with the generated one", () => {
        const root = one(adopted, COMMAND, "gitlab-root-password-set");
        expect(root.inputs.create).toMatch(/^docker exec -i nexora-staging-gitlab gitlab-rails runner '/);
        expect(root.secretInputs).toContain("stdin");
        expect(root.options.dependencies).toContain(one(adopted, CONTAINER, "gitlab-container").urn);
        const rotate = one(adopted, COMMAND, "portainer-admin-password-rotate");
        expect(rotate.inputs.create).toContain("-v nexora-staging-portainer-data:/data");
        expect(rotate.options.dependencies).toContain(one(adopted, CONTAINER, "portainer-container").urn);
        expect(one(adopted, COMMAND, "identity-portainer-oauth-apply").options.dependencies).toContain(rotate.urn);
        for (const name of ["gitlab-root-password-set", "portainer-admin-password-rotate"])
            expect(recorded(plain, COMMAND).map((r) => r.name)).not.toContain(name);
    });

    it("changes nothing else: same resources but the two rotations, same URNs, same inputs but the Outline secret", () => {
        const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
        const added = [
            "nexora:gitlab:RootPassword gitlab-root-password",
            `${COMMAND} gitlab-root-password-set`,
            "nexora:portainer:AdminPassword portainer-admin-password",
            `${COMMAND} portainer-admin-password-rotate`,
        ];
        expect(adopted.resources.map(key).sort()).toEqual([...plain.resources.map(key), ...added].sort());
        const rotations = new Set(adopted.resources.filter((r) => added.includes(key(r))).map((r) => r.urn));
        expect(
            adopted.resources
                .map((r) => r.urn)
                .filter((u) => !rotations.has(u))
                .sort(),
        ).toEqual(plain.resources.map((r) => r.urn).sort());
        for (const r of plain.resources) {
            const a = adopted.resources.find((x) => x.urn === r.urn)!;
            if (r.type === CONTAINER && r.name.startsWith("outline")) continue;
            expect(a.inputs, r.urn).toEqual(r.inputs);
        }
    });

    it("without the key, nothing is imported", () => {
        for (const r of [...recorded(plain, APPLICATION), ...recorded(plain, DNS_RECORD)]) expect(r.id, r.name).toBeUndefined();
    });
});
