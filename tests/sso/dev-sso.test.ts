/**
 * Dev SSO (`tls internal`): GitLab's public name resolves to Caddy inside the edge network, and
 * Caddy's internal root CA is read after its config is applied and handed to every service that
 * exchanges tokens with GitLab, through that service's own trust setting. Stacks on ACME get none of it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";
import { shellQuote } from "../../components/docker/exec";
import { INTERNAL_CA_DIR, INTERNAL_CA_FILE, READ_INTERNAL_CA_SCRIPT } from "../../components/edge/internal-ca";
import { lastHostAddress } from "../../components/validators";
import { evaluateStack, type PlanResource, type PlanResult } from "../../tools/plan/evaluate";
import { settingsOf, stackFileConfig } from "../support/stacks";
import { stackPlan } from "../support/plans";

const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

let dev: PlanResult;
let prod: PlanResult;
beforeAll(async () => {
    // Sequential: the Pulumi runtime (mocks, config) is process-global.
    dev = await stackPlan("dev");
    prod = await stackPlan("prod");
});

const named = (plan: PlanResult, type: string, name: string): PlanResource => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).toHaveLength(1);
    return found[0];
};
const envsOf = (r: PlanResource): string[] => (r.plainInputs.envs as string[] | undefined) ?? [];
const CONSUMERS: Record<string, string[]> = {
    "outline-container": [`NODE_EXTRA_CA_CERTS=${INTERNAL_CA_FILE}`],
    "grafana-container": [`GF_AUTH_GITLAB_TLS_CLIENT_CA=${INTERNAL_CA_FILE}`],
    "portainer-container": [`SSL_CERT_DIR=${INTERNAL_CA_DIR}:/etc/ssl/certs`],
    "app-pyerp-container": [`OAUTH_CA_FILE=${INTERNAL_CA_FILE}`],
};

describe("dev SSO with Caddy's internal CA", () => {
    it("gives Caddy GitLab's public hostname as an alias on the edge network, and only that", () => {
        const gitlabHost = new URL((dev.outputs.urls as Record<string, string>).gitlab).hostname;
        expect(gitlabHost).toBe("dev-gitlab.nexora.restry.cn");
        const networks = named(dev, CONTAINER, "caddy-container").plainInputs.networksAdvanced as { aliases?: string[]; ipv4Address?: string }[];
        expect(networks[0].aliases).toEqual([gitlabHost]);
        expect(networks[0].ipv4Address).toBe(lastHostAddress(settingsOf("dev").edgeSubnet));
        expect(networks.slice(1).every((n) => n.aliases === undefined)).toBe(true);
    });

    it("reads the root certificate from Caddy's data volume after the Caddyfile is applied, with a constant script", () => {
        const read = named(dev, COMMAND, "caddy-internal-ca");
        expect(read.plainInputs.create).toBe(`docker exec -i nexora-dev-caddy sh -c ${shellQuote(READ_INTERNAL_CA_SCRIPT)}`);
        expect(read.dependencies).toContain(named(dev, COMMAND, "caddy-reload").urn);
        expect(read.dependencies).toContain(named(dev, CONTAINER, "caddy-container").urn);
    });

    it.each(Object.entries(CONSUMERS))("%s gets the root at %s's path, trusts it through its own setting and starts after it is read", (name, entries) => {
        const container = named(dev, CONTAINER, name);
        expect(container.plainInputs.uploads).toEqual([{ file: INTERNAL_CA_FILE, content: expect.any(String), executable: false }]);
        for (const entry of entries) expect(envsOf(container)).toContain(entry);
        expect(container.dependencies).toContain(named(dev, COMMAND, "caddy-internal-ca").urn);
    });

    it("lets Outline's SSRF guard reach Caddy's edge address only", () => {
        const allowed = envsOf(named(dev, CONTAINER, "outline-container")).filter((e) => e.startsWith("ALLOWED_PRIVATE_IP_ADDRESSES="));
        expect(allowed).toEqual([`ALLOWED_PRIVATE_IP_ADDRESSES=${lastHostAddress(settingsOf("dev").edgeSubnet)}`]);
    });

    it("registers none of it on a stack with ACME certificates", () => {
        expect(prod.resources.filter((r) => r.name.includes("internal-ca"))).toEqual([]);
        const networks = named(prod, CONTAINER, "caddy-container").plainInputs.networksAdvanced as { aliases?: string[] }[];
        expect(networks.every((n) => n.aliases === undefined)).toBe(true);
        for (const name of Object.keys(CONSUMERS).filter((n) => prod.resources.some((r) => r.type === CONTAINER && r.name === n))) {
            const container = named(prod, CONTAINER, name);
            expect(container.plainInputs.uploads, name).toBeUndefined();
            expect(
                envsOf(container).filter((e) =>
                    /^(NODE_EXTRA_CA_CERTS|GF_AUTH_GITLAB_TLS_CLIENT_CA|SSL_CERT_DIR|OAUTH_CA_FILE|ALLOWED_PRIVATE_IP_ADDRESSES)=/.test(e),
                ),
            ).toEqual([]);
        }
    });

    it("registers none of it on a dev stack without GitLab (no SSO to serve)", async () => {
        const config = stackFileConfig("dev");
        const lean = await evaluateStack({
            stack: "dev",
            config: {
                ...config,
                "nexora:gitlabEnabled": false,
                "nexora:outlineEnabled": false,
                "nexora:grafanaEnabled": false,
                "nexora:apps": { shop: { image: "registry.example.cn/shop/shop:1.0.0", port: 8080 } },
            },
        });
        expect(lean.resources.filter((r) => r.name.includes("internal-ca"))).toEqual([]);
        const networks = named(lean, CONTAINER, "caddy-container").plainInputs.networksAdvanced as { aliases?: string[] }[];
        expect(networks.every((n) => n.aliases === undefined)).toBe(true);
    });
});

describe("what dev cannot do with Caddy's internal CA is a config error", () => {
    const raw = (extra: Record<string, string>): Record<string, string> => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(stackFileConfig("dev"))) out[k.replace(/^nexora:/, "")] = typeof v === "string" ? v : JSON.stringify(v);
        return { ...out, ...extra };
    };
    const issuesOf = (extra: Record<string, string>) => {
        try {
            parseSettings(raw(extra), { project: "nexora", stack: "dev", isSecret: () => true });
            return [];
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            return e.issues;
        }
    };

    it("accepts the dev stack file as it is", () => {
        expect(issuesOf({})).toEqual([]);
    });

    it("refuses the runner, naming nexora:runnerEnabled", () => {
        expect(issuesOf({ runnerEnabled: "true" })).toEqual([{ key: "nexora:runnerEnabled", expected: expect.stringContaining("false when tls is internal") }]);
    });

    it("refuses an external Mattermost, naming nexora:mattermostUrl", () => {
        expect(issuesOf({ mattermostUrl: "https://chat.restry.cn" })).toEqual([
            { key: "nexora:mattermostUrl", expected: expect.stringContaining("tls is internal") },
        ]);
    });

    it("keeps OAUTH_CA_FILE for the platform: an SSO app's env may not set it", () => {
        const apps = JSON.stringify({ pyerp: { image: "registry.example.cn/erp/pyerp:1.0.0", port: 8000, sso: true, env: { OAUTH_CA_FILE: "/tmp/x" } } });
        expect(issuesOf({ apps }).map((i) => i.key)).toEqual([expect.stringContaining("apps.pyerp.env")]);
    });
});
