// A review on a host that publishes DNS gets its hostname's Cloudflare record as the host's Dns
// component makes one for a route; a review of an app with `sso` gets its own OAuth application on
// the host's GitLab, the app the env it gets on the host. Both through tokens that stay secrets.
import type * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { parseSettings } from "../../components/config";
import { Dns } from "../../components/edge/dns";
import { routeOf } from "../../components/edge/routes";
import { appOauthEnv } from "../../components/sso/env";
import { runPolicyPack } from "../../policies/offline";
import { REVIEW_GITLAB_TOKEN_OUTPUT } from "../../tools/review/cli";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { fakeBackend, hostConfig, HOST_APPS, HOST_SECRET_KEYS, offlineResources, runReview } from "./support";

const T = {
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    cloudflare: "pulumi:providers:cloudflare",
    gitlab: "pulumi:providers:gitlab",
    application: "gitlab:index/application:Application",
    container: "docker:index/container:Container",
    command: "command:local:Command",
} as const;
const GET_ZONE = "cloudflare:index/getZone:getZone";
const ZONE_ID = "0123456789abcdef0123456789abcdef";
const RELAY = "40.162.94.187";
const CF_TOKEN = "cFt0kEn9Qp4Rs7Tv1Wx6Yz3Ab8Cd5Ef0GhJk2Lm";
const GITLAB_TOKEN = "glpat-Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6Kl";
const IMAGE = "registry.example.com/erp/ledger:mr-12-3f2a9c1";

let mocks: MockRecorder;
let invokes: pulumi.runtime.MockCallArgs[];
beforeEach(() => {
    invokes = [];
    mocks = setupMocks({
        stack: "review-ledger-mr12",
        call: (args) => {
            invokes.push(args);
            if (args.token !== GET_ZONE) throw new Error(`unexpected invoke ${args.token}`);
            return { id: ZONE_ID, zoneId: ZONE_ID, name: "restry.cn" };
        },
    });
});

/** The dev host publishing DNS through Cloudflare, its API token a secret of its config. */
function dnsHost(proxied = "true"): Record<string, string> {
    return hostConfig({
        "nexora:dnsEnabled": "true",
        "nexora:cloudflareZone": "restry.cn",
        "nexora:relayAddress": RELAY,
        "nexora:dnsProxied": proxied,
        "cloudflare:apiToken": CF_TOKEN,
    });
}
const DNS_SECRETS = new Set([...HOST_SECRET_KEYS, "cloudflare:apiToken"]);

async function up(config: Record<string, string>, secretKeys: ReadonlySet<string>, outputs: Record<string, { value: unknown; secret: boolean }> = {}) {
    const backend = fakeBackend(config, [], secretKeys, outputs);
    const r = await runReview(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--json"], backend);
    await mocks.settled();
    return { ...r, backend };
}

describe("a review's DNS record on a host that publishes DNS", () => {
    it("is one A record for the review's hostname in the host's zone, at the host's relay, proxied as the host's route", async () => {
        const r = await up(dnsHost(), DNS_SECRETS);
        expect(r.code, r.stderr).toBe(0);
        const [record, ...others] = mocks.ofType(T.dnsRecord);
        expect(others).toEqual([]);
        expect(record!.inputs).toMatchObject({
            type: "A",
            zoneId: ZONE_ID,
            name: "dev-mr12-ledger.nexora.restry.cn",
            content: RELAY,
            proxied: true,
            ttl: 1,
        });
        // The zone id is looked up by the host's zone name.
        expect(invokes.map((i) => [i.token, i.inputs])).toEqual([[GET_ZONE, { filter: { name: "restry.cn" } }]]);
        // dnsProxied false on the host: the review's record is not proxied either.
        mocks = setupMocks({ stack: "review-ledger-mr12", call: () => ({ zoneId: ZONE_ID }) });
        expect((await up(dnsHost("false"), DNS_SECRETS)).code).toBe(0);
        expect(mocks.ofType(T.dnsRecord)[0]!.inputs.proxied).toBe(false);
    });

    it("has the type token and input shape of the host's Dns component's record for the app's route", async () => {
        await up(dnsHost(), DNS_SECRETS);
        const review = mocks.ofType(T.dnsRecord)[0]!;
        const { settings } = parseSettings(
            Object.fromEntries(Object.entries(dnsHost()).flatMap(([k, v]) => (k.startsWith("nexora:") ? [[k.slice(7), v]] : []))),
            { project: "nexora", stack: "dev" },
        );
        mocks = setupMocks({ stack: "dev", call: () => ({ zoneId: ZONE_ID }) });
        new Dns("dns", { table: settings.routes, zone: settings.dns.zone, relayAddress: settings.dns.relayAddress });
        await mocks.settled();
        const host = mocks.ofType(T.dnsRecord).find((d) => d.name === "dns-ledger")!;
        expect(host.inputs.name).toBe(routeOf(settings.routes, "ledger").hostname);
        expect(review.type).toBe(host.type);
        expect(Object.keys(review.inputs).sort()).toEqual(Object.keys(host.inputs).sort());
        for (const key of ["type", "zoneId", "content", "proxied", "ttl"]) expect(review.inputs[key], key).toEqual(host.inputs[key]);
    });

    it("is made through a Cloudflare provider holding the host's token as a secret, before the review's site is loaded", async () => {
        await up(dnsHost(), DNS_SECRETS);
        const [provider, ...others] = mocks.ofType(T.cloudflare);
        expect(others).toEqual([]);
        expect(provider!.inputs.apiToken).toBe(CF_TOKEN);
        expect(provider!.secretInputs).toContain("apiToken");
        expect(mocks.plaintextLeaks(CF_TOKEN)).toEqual([]);
        const record = mocks.ofType(T.dnsRecord)[0]!;
        expect(record.provider).toContain(provider!.urn);
        // The zone lookup goes through the same provider (the token's zone, not the environment's).
        expect(invokes[0]!.provider).toContain(provider!.urn);
        // Destroyed with the review stack: a resource of it, neither protected nor retained.
        expect(record.options.protect ?? false).toBe(false);
        expect(record.urn).toMatch(/^urn:pulumi:review-ledger-mr12::nexora::/);
        const site = mocks.ofType(T.command).find((c) => c.name === "review-caddy-site")!;
        expect(site.options.dependencies).toContain(record.urn);
        expect(runPolicyPack(offlineResources(mocks))).toEqual([]);
    });

    it("refuses a host whose cloudflare:apiToken is plaintext (exit 2 naming the key), nothing created", async () => {
        const r = await up(dnsHost(), HOST_SECRET_KEYS);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("cloudflare:apiToken");
        expect(r.stderr).not.toContain(CF_TOKEN);
        expect(r.backend.calls.filter((c) => c.startsWith("up") || c.startsWith("reserve"))).toEqual([]);
        expect(mocks.resources).toEqual([]);
    });

    it("makes no record, provider or zone lookup on a host without DNS", async () => {
        const r = await up(hostConfig(), HOST_SECRET_KEYS);
        expect(r.code, r.stderr).toBe(0);
        expect(mocks.ofType(T.dnsRecord)).toEqual([]);
        expect(mocks.ofType(T.cloudflare)).toEqual([]);
        expect(invokes).toEqual([]);
    });
});

/** The dev host running GitLab (its routes, an SSH port on the relay) with ledger signing in through it. */
function ssoHost(sso: unknown = true): Record<string, string> {
    return hostConfig({ "nexora:gitlabEnabled": "true", "nexora:sshRemotePort": "2224" }, { ...HOST_APPS, ledger: { ...HOST_APPS.ledger, sso } });
}
const TOKEN_OUTPUT = { [REVIEW_GITLAB_TOKEN_OUTPUT]: { value: GITLAB_TOKEN, secret: true } };

describe("a review of an app with sso", () => {
    it("gets its own confidential OAuth application on the host's GitLab, redirecting to the review's hostname", async () => {
        const r = await up(ssoHost(), HOST_SECRET_KEYS, TOKEN_OUTPUT);
        expect(r.code, r.stderr).toBe(0);
        expect(r.backend.calls).toContain("hostOutputs dev");
        const [app, ...others] = mocks.ofType(T.application);
        expect(others).toEqual([]);
        expect(app!.inputs).toEqual({
            name: "nexora-dev-mr12-app-ledger",
            redirectUrl: "https://dev-mr12-ledger.nexora.restry.cn/oauth/callback",
            scopes: ["openid", "profile", "email"],
            confidential: true,
        });
        const [provider] = mocks.ofType(T.gitlab);
        expect(provider!.inputs).toMatchObject({ baseUrl: "https://dev-gitlab.nexora.restry.cn/api/v4/", token: GITLAB_TOKEN, insecure: "true" });
        expect(provider!.secretInputs).toContain("token");
        expect(app!.provider).toContain(provider!.urn);
        expect(mocks.plaintextLeaks(GITLAB_TOKEN)).toEqual([]);
        expect(runPolicyPack(offlineResources(mocks))).toEqual([]);
    });

    it("follows the app's own redirect path and scopes", async () => {
        const r = await up(ssoHost({ redirectPath: "/auth/gitlab/callback", scopes: ["openid"] }), HOST_SECRET_KEYS, TOKEN_OUTPUT);
        expect(r.code, r.stderr).toBe(0);
        expect(mocks.ofType(T.application)[0]!.inputs).toMatchObject({
            redirectUrl: "https://dev-mr12-ledger.nexora.restry.cn/auth/gitlab/callback",
            scopes: ["openid"],
        });
    });

    it("hands the app the env it gets on the host, the client's id and secret as secrets, and Caddy's internal CA", async () => {
        await up(ssoHost(), HOST_SECRET_KEYS, TOKEN_OUTPUT);
        const container = mocks.ofType(T.container)[0]!;
        const env = container.inputs.envs as string[];
        const keys = (entries: readonly string[]) => entries.map((e) => e.slice(0, e.indexOf("=")));
        const hostEnv = appOauthEnv({ gitlabUrl: "https://dev-gitlab.nexora.restry.cn", clientId: "id", clientSecret: "secret" }) as string[];
        const plain = hostEnv.filter((e) => typeof e === "string");
        expect(keys(env)).toEqual(expect.arrayContaining(["OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_ISSUER", "OAUTH_CA_FILE"]));
        for (const e of plain) expect(env).toContain(e);
        expect(env).toContain("OAUTH_ISSUER=https://dev-gitlab.nexora.restry.cn");
        expect(container.secretInputs).toContain("envs");
        const app = mocks.ofType(T.application)[0]!;
        expect(env).toContain(`OAUTH_CLIENT_ID=${app.outputs.applicationId as string}`);
        // Caddy answers to GitLab's name on the review's web network; its root CA is read from the host's Caddy.
        const attach = mocks.ofType(T.command).find((c) => c.name === "review-caddy-attach")!;
        expect(attach.inputs.create).toContain("docker network connect --alias 'dev-gitlab.nexora.restry.cn' nexora-dev-mr12-ledger-web 'nexora-dev-caddy'");
        const ca = mocks.ofType(T.command).find((c) => c.name === "review-internal-ca")!;
        expect(ca.inputs.create).toContain("docker exec -i nexora-dev-caddy");
    });

    it("refuses (exit 2 naming the app) when the host exports no GitLab token, nothing created", async () => {
        const cases: Record<string, { value: unknown; secret: boolean }>[] = [{}, { [REVIEW_GITLAB_TOKEN_OUTPUT]: { value: GITLAB_TOKEN, secret: false } }];
        for (const outputs of cases) {
            mocks = setupMocks({ stack: "review-ledger-mr12" });
            const r = await up(ssoHost(), HOST_SECRET_KEYS, outputs);
            expect(r.code, r.stderr).toBe(2);
            expect(r.stderr).toMatch(/app ledger has sso/);
            expect(r.stderr).toContain(REVIEW_GITLAB_TOKEN_OUTPUT);
            expect(r.stderr).not.toContain(GITLAB_TOKEN);
            expect(r.backend.calls.filter((c) => c.startsWith("up") || c.startsWith("reserve") || c === "lock")).toEqual([]);
            expect(mocks.resources).toEqual([]);
        }
    });

    it("leaves an app without sso alone: no GitLab provider, application or read of the host's outputs", async () => {
        const r = await runReview(["up", "--app", "brochure", "--mr", "3", "--image", "registry.example.com/web/brochure:mr-3"], fakeBackend(ssoHost()));
        await mocks.settled();
        expect(r.code, r.stderr).toBe(0);
        expect(mocks.ofType(T.application)).toEqual([]);
        expect(mocks.ofType(T.gitlab)).toEqual([]);
        expect(mocks.ofType(T.command).find((c) => c.name === "review-caddy-attach")!.inputs.create).not.toContain("--alias");
    });
});
