import { beforeEach, describe, expect, it } from "vitest";
import type { RouteTable } from "../../components/edge/types";
import { monitorsFor, UptimeKuma } from "../../components/monitoring/uptime-kuma";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { inventoryOf, containerLabelsFor, T, testHost } from "./support";

const IMAGE = "louislam/uptime-kuma:2.0.2";
const ADMIN_NETWORK = "nexora-staging-admin";

const route = (name: string, hostname: string) => ({
    name,
    hostname,
    upstream: { host: `nexora-staging-${name}`, port: 80 },
    securityHeaders: true,
    restricted: false,
    proxied: false,
});

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

describe("monitorsFor", () => {
    it("gives one HTTP monitor per routed hostname and none for TCP routes", () => {
        const table: RouteTable = {
            stack: "staging",
            httpPort: 80,
            httpsPort: 443,
            http: [
                route("gitlab", "staging-gitlab.nexora.restry.cn"),
                route("pyerp", "staging-pyerp.nexora.restry.cn"),
                { ...route("uptime", "staging-uptime.nexora.restry.cn"), restricted: true },
            ],
            tcp: [{ name: "gitlab-ssh", hostname: "staging-ssh.nexora.restry.cn", upstream: { host: "nexora-staging-gitlab", port: 22 }, remotePort: 2222 }],
        };
        expect(monitorsFor(table)).toEqual([
            { name: "staging/gitlab", url: "https://staging-gitlab.nexora.restry.cn/", intervalSeconds: 60, acceptedStatusCodes: ["200-399"] },
            { name: "staging/pyerp", url: "https://staging-pyerp.nexora.restry.cn/", intervalSeconds: 60, acceptedStatusCodes: ["200-399"] },
            // Behind the edge basic auth: a 401 proves the whole path up to Caddy.
            { name: "staging/uptime", url: "https://staging-uptime.nexora.restry.cn/", intervalSeconds: 60, acceptedStatusCodes: ["401"] },
        ]);
    });

    it("checks the published HTTPS port when the stack is reached without the relay", () => {
        const table: RouteTable = { stack: "dev", httpPort: 18080, httpsPort: 18443, http: [route("outline", "dev-outline.nexora.restry.cn")], tcp: [] };
        expect(monitorsFor(table)).toEqual([
            { name: "dev/outline", url: "https://dev-outline.nexora.restry.cn:18443/", intervalSeconds: 60, acceptedStatusCodes: ["200-399"] },
        ]);
    });

    it("gives no monitors for an empty table", () => {
        expect(monitorsFor({ stack: "dev", httpPort: 80, httpsPort: 443, http: [], tcp: [] })).toEqual([]);
    });
});

describe("UptimeKuma", () => {
    it("registers exactly its data volume, image and container", async () => {
        new UptimeKuma("uptime", { host: testHost(), image: IMAGE });
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:monitoring:UptimeKuma", "uptime"))).toEqual(
            [`${T.volume} uptime-data`, `${T.image} uptime-image`, `${T.container} uptime-container`].sort(),
        );
    });

    it("runs on the admin network (apps cannot reach its first-visit setup), keeps NET_RAW for ping, with its SQLite data on a protected local volume and the image's own health check", async () => {
        const kuma = new UptimeKuma("uptime", { host: testHost(), image: IMAGE });
        await mocks.settled();
        expect(kuma.containerName).toBe("nexora-staging-uptime");
        expect(mocks.get(T.image, "uptime-image").inputs.name).toBe(IMAGE);
        expect(mocks.get(T.container, "uptime-container").inputs).toMatchObject({
            name: "nexora-staging-uptime",
            networksAdvanced: [{ name: ADMIN_NETWORK }],
            capabilities: { drops: ["CAP_AUDIT_WRITE", "CAP_MKNOD", "CAP_SETFCAP"] },
            securityOpts: ["no-new-privileges:true"],
            ports: [],
            mounts: [{ type: "volume", source: "nexora-staging-uptime-data", target: "/app/data", readOnly: false }],
            labels: containerLabelsFor("uptime", "platform"),
            healthcheck: { tests: ["CMD", "extra/healthcheck"], startPeriod: "1m0s" },
            // The server and extra/healthcheck both read it: the catalog's port, Uptime Kuma's default.
            envs: ["UPTIME_KUMA_PORT=3001"],
            wait: false,
        });
        const volume = mocks.get(T.volume, "uptime-data");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });
});
