import type * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Dns, dnsRecordsFor } from "../../components/edge/dns";
import type { HttpRoute, RouteTable } from "../../components/edge/types";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { inventoryOf, T } from "./support";

const ZONE_ID = "0123456789abcdef0123456789abcdef";
const RELAY = "40.162.94.187";
const GET_ZONE = "cloudflare:index/getZone:getZone";

const http = (name: string, proxied: boolean): HttpRoute => ({
    name,
    hostname: `staging-${name}.nexora.restry.cn`,
    upstream: { host: `nexora-staging-${name}`, port: 80 },
    securityHeaders: true,
    restricted: false,
    proxied,
});

const TABLE: RouteTable = {
    stack: "staging",
    httpPort: 80,
    httpsPort: 443,
    http: [http("gitlab", true), http("outline", true), http("pyerp", true)],
    tcp: [{ name: "gitlab-ssh", hostname: "staging-ssh.nexora.restry.cn", upstream: { host: "nexora-staging-gitlab", port: 22 }, remotePort: 2222 }],
};

let mocks: MockRecorder;
let calls: pulumi.runtime.MockCallArgs[];
beforeEach(() => {
    calls = [];
    mocks = setupMocks({
        stack: "staging",
        call: (args) => {
            calls.push(args);
            if (args.token !== GET_ZONE) throw new Error(`unexpected invoke ${args.token}`);
            return { id: ZONE_ID, zoneId: ZONE_ID, name: "restry.cn" };
        },
    });
});

describe("dnsRecordsFor", () => {
    it("lists every HTTP hostname with its proxy setting and the TCP name never proxied", () => {
        expect(dnsRecordsFor(TABLE)).toEqual([
            { route: "gitlab", name: "staging-gitlab.nexora.restry.cn", proxied: true },
            { route: "outline", name: "staging-outline.nexora.restry.cn", proxied: true },
            { route: "pyerp", name: "staging-pyerp.nexora.restry.cn", proxied: true },
            { route: "gitlab-ssh", name: "staging-ssh.nexora.restry.cn", proxied: false },
        ]);
    });
});

describe("Dns", () => {
    it("creates one A record per HTTP route plus the TCP route, all children of the component", async () => {
        new Dns("dns", { table: TABLE, zone: "restry.cn", relayAddress: RELAY });
        await mocks.settled();
        expect(mocks.ofType(T.dnsRecord)).toHaveLength(4);
        expect(inventoryOf(mocks, mocks.get("nexora:edge:Dns", "dns"))).toEqual(
            [`${T.dnsRecord} dns-gitlab`, `${T.dnsRecord} dns-outline`, `${T.dnsRecord} dns-pyerp`, `${T.dnsRecord} dns-gitlab-ssh`].sort(),
        );
    });

    it("points every fully qualified name at the relay with automatic TTL in the looked-up zone", async () => {
        new Dns("dns", { table: TABLE, zone: "restry.cn", relayAddress: RELAY });
        await mocks.settled();
        expect(mocks.get(T.dnsRecord, "dns-outline").inputs).toEqual({
            zoneId: ZONE_ID,
            name: "staging-outline.nexora.restry.cn",
            type: "A",
            content: RELAY,
            ttl: 1,
            proxied: true,
            comment: "nexora staging: outline (managed by Pulumi)",
        });
        for (const record of mocks.ofType(T.dnsRecord)) {
            expect(record.inputs).toMatchObject({ zoneId: ZONE_ID, type: "A", content: RELAY, ttl: 1 });
            expect(record.inputs.name).toMatch(/\.nexora\.restry\.cn$/);
        }
    });

    it("never proxies the SSH name, even when the web names are proxied", async () => {
        new Dns("dns", { table: TABLE, zone: "restry.cn", relayAddress: RELAY });
        await mocks.settled();
        expect(mocks.get(T.dnsRecord, "dns-gitlab-ssh").inputs).toMatchObject({ name: "staging-ssh.nexora.restry.cn", proxied: false });
        expect(mocks.get(T.dnsRecord, "dns-gitlab").inputs.proxied).toBe(true);
    });

    it("keeps web names DNS-only when the routes say so", async () => {
        new Dns("dns", { table: { ...TABLE, http: [http("gitlab", false)] }, zone: "restry.cn", relayAddress: RELAY });
        await mocks.settled();
        expect(mocks.ofType(T.dnsRecord).map((r) => [r.name, r.inputs.proxied])).toEqual([
            ["dns-gitlab", false],
            ["dns-gitlab-ssh", false],
        ]);
    });

    it("looks the configured zone up by name through Cloudflare's getZone", async () => {
        new Dns("dns", { table: TABLE, zone: "nexora.restry.cn", relayAddress: RELAY });
        await mocks.settled();
        expect(calls.map((c) => [c.token, c.inputs])).toEqual([[GET_ZONE, { filter: { name: "nexora.restry.cn" } }]]);
    });

    it("creates no record for an empty route table", async () => {
        new Dns("dns", { table: { stack: "staging", httpPort: 80, httpsPort: 443, http: [], tcp: [] }, zone: "restry.cn", relayAddress: RELAY });
        await mocks.settled();
        expect(mocks.ofType(T.dnsRecord)).toEqual([]);
    });
});
