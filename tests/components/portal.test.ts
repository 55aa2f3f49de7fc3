import { beforeEach, describe, expect, it } from "vitest";
import { Portal, renderPortalServerConf } from "../../components/portal/portal";
import { type MockRecorder, outputOf, setupMocks } from "../support/mocks";
import { DOCKER_HOST, EDGE_NETWORK, inventoryOf, containerLabelsFor, T, testHost } from "./support";

const IMAGE = "nginx:1.27.3-alpine";
const EDGE = { dockerHost: DOCKER_HOST, edge: { caddyContainerName: "nexora-staging-caddy", after: [] } };

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

describe("Portal", () => {
    it("registers exactly its content volume, image and container", async () => {
        new Portal("portal", { host: testHost(), image: IMAGE, ...EDGE });
        await mocks.settled();
        expect(inventoryOf(mocks, mocks.get("nexora:portal:Portal", "portal"))).toEqual(
            [
                `${T.volume} portal-content`,
                `${T.image} portal-image`,
                `${T.randomId} portal-release`,
                `${T.container} portal-container`,
                `${T.command} portal-gate`,
                `${T.command} portal-switch`,
            ].sort(),
        );
    });

    it("serves the content volume read-only from nginx's root, on the edge network, memory-bounded", async () => {
        const portal = new Portal("portal", { host: testHost(), image: IMAGE, ...EDGE });
        await mocks.settled();
        expect(await outputOf(portal.contentVolume.name)).toBe("nexora-staging-portal-content");
        expect(mocks.get(T.container, "portal-container").inputs.name).toMatch(/^nexora-staging-portal-[0-9a-f]{8}$/);
        expect(mocks.get(T.container, "portal-container").inputs).toMatchObject({
            networksAdvanced: [{ name: EDGE_NETWORK }],
            ports: [],
            mounts: [{ type: "volume", source: "nexora-staging-portal-content", target: "/usr/share/nginx/html", readOnly: true }],
            labels: containerLabelsFor("portal", "platform", 128),
            memory: 128,
            restart: "unless-stopped",
        });
        const volume = mocks.get(T.volume, "portal-content");
        expect([volume.options.protect, volume.options.retainOnDelete]).toEqual([true, true]);
    });

    it("replaces the image's default server with one on the catalog's port, serving the content root", async () => {
        new Portal("portal", { host: testHost(), image: IMAGE, ...EDGE });
        await mocks.settled();
        const uploads = mocks.get(T.container, "portal-container").inputs.uploads as { file: string; content: string }[];
        expect(uploads.map((u) => u.file)).toEqual(["/etc/nginx/conf.d/default.conf"]);
        expect(uploads[0]!.content).toBe(renderPortalServerConf(80));
    });
});

describe("renderPortalServerConf", () => {
    it("listens on the given port as the default server and serves the content volume", () => {
        const conf = renderPortalServerConf(8081);
        expect(conf).toMatch(/^\s*listen 8081 default_server;$/m);
        expect(conf).toMatch(/^\s*root \/usr\/share\/nginx\/html;$/m);
        expect(conf.match(/^\s*listen /gm)).toHaveLength(1);
        expect(conf.endsWith("}\n")).toBe(true);
    });

    it("refuses what is not a TCP port (a catalog bug, never config)", () => {
        for (const bad of [0, -1, 65536, 80.5, Number.NaN]) expect(() => renderPortalServerConf(bad)).toThrow(/not a TCP port/);
    });
});
