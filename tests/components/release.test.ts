import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import { beforeEach, describe, expect, it } from "vitest";
import { createReleasedContainer, RELEASE_GATE_SCRIPT, releaseContainerName, releaseFingerprint } from "../../components/docker/release";
import { createServiceContainer, type ServiceContainerArgs } from "../../components/docker/service";
import { RELEASE_SWITCH_SCRIPT, releaseUpstreamImport, renderReleaseUpstream } from "../../components/edge/upstreams";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { DOCKER_HOST, dockerProvider, EDGE_NETWORK, STACK, T, testParent, urnOf } from "./support";

const ARGS: ServiceContainerArgs = {
    stack: STACK,
    service: "shop",
    role: "app",
    containerName: "nexora-staging-shop",
    image: "registry.example/shop:1.0.0",
    envs: ["A=1"],
    networks: [EDGE_NETWORK],
    healthcheck: { test: ["CMD-SHELL", "wget -q --spider http://127.0.0.1:8000/ || exit 1"] },
    stopGraceSeconds: 30,
};

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function release(args: ServiceContainerArgs = ARGS) {
    const caddyReload = new docker.Network("caddy-reload-marker", { name: "marker" });
    const parent = testParent();
    const r = createReleasedContainer(
        "shop",
        args,
        {
            service: "shop",
            port: 8000,
            timeoutSeconds: 45,
            dockerHost: DOCKER_HOST,
            edge: { caddyContainerName: "nexora-staging-caddy", after: [caddyReload] },
        },
        parent,
        { provider: dockerProvider() },
    );
    return { r, caddyReload };
}

describe("createReleasedContainer", () => {
    it("starts each release beside the old one: a name of its own (base + release id), create-before-delete, the old one stopped within its grace period", async () => {
        release();
        await mocks.settled();
        const c = mocks.get(T.container, "shop-container");
        const id = mocks.get(T.randomId, "shop-release");
        expect(c.inputs.name).toBe(`nexora-staging-shop-${id.outputs.hex as string}`);
        expect(c.options.deleteBeforeReplace).toBe(false);
        expect(c.inputs).toMatchObject({ destroyGraceSeconds: 30, stopTimeout: 30, wait: false });
        expect(id.inputs).toMatchObject({ byteLength: 4 });
    });

    it("renews the release id from a fingerprint of every container input but the name, and that fingerprint is not secret", async () => {
        release();
        await mocks.settled();
        const id = mocks.get(T.randomId, "shop-release");
        const keepers = id.inputs.keepers as { fingerprint: string };
        expect(keepers.fingerprint).toMatch(/^[0-9a-f]{32}$/);
        expect(id.secretInputs).not.toContain("keepers");
    });

    it("gates on the new container's own health check, with the app, the container and the timeout in the environment, re-run for every new container", async () => {
        release();
        await mocks.settled();
        const c = mocks.get(T.container, "shop-container");
        const gate = mocks.get(T.command, "shop-gate");
        expect(gate.inputs.create).toBe(RELEASE_GATE_SCRIPT);
        expect(gate.inputs.environment).toEqual({
            DOCKER_HOST,
            NEXORA_RELEASE_SERVICE: "shop",
            NEXORA_RELEASE_CONTAINER: c.inputs.name,
            NEXORA_RELEASE_TIMEOUT: "45",
            NEXORA_RELEASE_HEALTH: "wget -q --spider http://127.0.0.1:8000/ || exit 1",
        });
        expect(gate.inputs.triggers).toEqual([c.outputs.id ?? expect.any(String)]);
        expect(gate.options.dependencies).toContain(c.urn);
    });

    it("switches Caddy only after the gate passed and Caddy's own reload ran: the new container's upstream on stdin", async () => {
        const { caddyReload } = release();
        await mocks.settled();
        const c = mocks.get(T.container, "shop-container");
        const sw = mocks.get(T.command, "shop-switch");
        expect(sw.options.dependencies).toEqual(expect.arrayContaining([mocks.get(T.command, "shop-gate").urn, await urnOf(caddyReload)]));
        expect(sw.inputs.stdin).toBe(`reverse_proxy ${c.inputs.name as string}:8000\n`);
        expect(sw.inputs.create as string).toMatch(/^docker exec -i nexora-staging-caddy sh -c '.*' sh 'shop'$/s);
    });

    it("refuses a health check that is not a shell line (the gate runs it with sh -c)", async () => {
        expect(() => release({ ...ARGS, healthcheck: { test: ["CMD", "true"] } })).toThrow(/release of shop: the health check must be a CMD-SHELL test/);
        await mocks.settled();
    });
});

describe("fixed-name containers (data stores, GitLab, Caddy, frpc)", () => {
    it("are replaced delete-first, so one never runs twice on its volume", async () => {
        createServiceContainer("postgres", { ...ARGS, service: "postgres", role: "datastore", containerName: "nexora-staging-postgres" }, testParent(), {
            provider: dockerProvider(),
        });
        await mocks.settled();
        expect(mocks.get(T.container, "postgres-container").options.deleteBeforeReplace).toBe(true);
    });
});

describe("releaseFingerprint", () => {
    const base = { image: "sha256:1", envs: ["B=2", "A=1"], labels: [{ label: "x", value: "y" }] };
    it("is the same for the same inputs whatever the key order, and differs for any change", () => {
        expect(releaseFingerprint(base)).toBe(releaseFingerprint({ labels: base.labels, envs: base.envs, image: base.image }));
        expect(releaseFingerprint(base)).toBe(releaseFingerprint({ ...base, unset: undefined }));
        expect(releaseFingerprint({ ...base, image: "sha256:2" })).not.toBe(releaseFingerprint(base));
        expect(releaseFingerprint({ ...base, envs: ["B=2", "A=2"] })).not.toBe(releaseFingerprint(base));
        expect(releaseFingerprint({ ...base, labels: [{ label: "x", value: "z" }] })).not.toBe(releaseFingerprint(base));
    });
});

describe("release names and Caddy's upstream files", () => {
    it("names a release after its service and id, and refuses anything else", () => {
        expect(releaseContainerName("nexora-dev-shop", "0a1b2c3d")).toBe("nexora-dev-shop-0a1b2c3d");
        for (const [n, id] of [
            ["Nexora", "00"],
            ["a b", "00"],
            ["shop", "xyz"],
            ["shop", ""],
        ]) {
            expect(() => releaseContainerName(n!, id!)).toThrow(/not a Docker name part/);
        }
    });

    it("renders the upstream line and the route's import, refusing names that are not container names", () => {
        expect(renderReleaseUpstream("nexora-dev-shop-0a1b2c3d", 8000)).toBe("reverse_proxy nexora-dev-shop-0a1b2c3d:8000\n");
        expect(releaseUpstreamImport("shop")).toBe("import /etc/caddy/upstreams/shop/*.caddy");
        expect(() => renderReleaseUpstream("a;b", 80)).toThrow();
        expect(() => renderReleaseUpstream("ok", 0)).toThrow();
        expect(() => releaseUpstreamImport("../x")).toThrow();
    });
});

/** A fake `docker` on PATH: `inspect` prints $FAKE_STATE, `exec` runs nothing and exits $FAKE_HEALTH_EXIT with a line of output. */
function fakeDocker(dir: string): void {
    fs.writeFileSync(
        path.join(dir, "docker"),
        [
            "#!/bin/sh",
            'case "$1" in',
            '  container) echo "$FAKE_STATE" ;;',
            '  exec) echo "wget: can\'t connect to remote host (127.0.0.1): Connection refused"; exit "$FAKE_HEALTH_EXIT" ;;',
            '  logs) echo "app log line" ;;',
            "esac",
        ].join("\n"),
        { mode: 0o755 },
    );
}

describe("the release gate script (sh, with a fake docker)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexora-gate-"));
    fakeDocker(dir);
    const run = (env: Record<string, string>) =>
        spawnSync("sh", ["-c", RELEASE_GATE_SCRIPT], {
            env: {
                PATH: `${dir}:${process.env.PATH ?? ""}`,
                NEXORA_RELEASE_SERVICE: "shop",
                NEXORA_RELEASE_CONTAINER: "nexora-dev-shop-0a1b2c3d",
                NEXORA_RELEASE_HEALTH: "exit 1",
                ...env,
            },
            encoding: "utf8",
        });

    it("passes as soon as the health check passes", () => {
        const r = run({ FAKE_STATE: "running", FAKE_HEALTH_EXIT: "0", NEXORA_RELEASE_TIMEOUT: "30" });
        expect(r.status).toBe(0);
        expect(r.stderr).toMatch(/release of shop: nexora-dev-shop-0a1b2c3d passed its health check/);
    });

    it("refuses after the timeout, naming the app, quoting the last health output and saying what to do", () => {
        const r = run({ FAKE_STATE: "running", FAKE_HEALTH_EXIT: "1", NEXORA_RELEASE_TIMEOUT: "1" });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/release of shop refused: its new container nexora-dev-shop-0a1b2c3d did not pass its health check within 1 s/);
        expect(r.stderr).toMatch(/last health check output: exit 1: wget: can't connect .* Connection refused/);
        expect(r.stderr).toMatch(/previous release keeps serving.*docs\/releases\.md/);
    });

    it("reports a container that is not running with its last log lines", () => {
        const r = run({ FAKE_STATE: "restarting", FAKE_HEALTH_EXIT: "0", NEXORA_RELEASE_TIMEOUT: "1" });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/last health check output: container restarting; its last log lines: app log line/);
    });
});

describe("the switch script", () => {
    it("is valid sh and takes the service as its first argument", () => {
        execFileSync("sh", ["-n", "-c", RELEASE_SWITCH_SCRIPT]);
        expect(RELEASE_SWITCH_SCRIPT).toContain('dir="/etc/caddy/upstreams/$1"');
    });
});
