/**
 * Releases on the real engine (see tools/e2e/run.sh): a stack of its own (`dev-release`) with
 * one business app. Under a request loop against that app through the relay: an image bump, a
 * release that never becomes healthy, a good release again. Then drift: a container removed
 * with the daemon's CLI and `up --refresh`; the daemon restarted and `preview --refresh`. Last,
 * PostgreSQL's container replaced under a write load: every acknowledged write must survive.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    caddyRootCa,
    changed,
    docker,
    env,
    envOf,
    eventually,
    explainSteps,
    nameOf,
    type PreviewStep,
    previewSteps,
    PulumiWorkspace,
    RequestLoop,
    requestViaRelay,
    ROOT,
    stackContainers,
    tail,
} from "./harness";
import { printFigures, record } from "./figures";

const STACK = "dev-release";
const PREFIX = `nexora-${STACK}`;
const DOMAIN = "nexora.restry.cn";
const APP = "till";
const HOST = `rel-${APP}.${DOMAIN}`;
const IMAGE = (tag: string) => `nexora-e2e/business-app:${tag}`;
/** The refused release's wait: short, so the e2e stays lean; the default is 180 s. */
const RELEASE_TIMEOUT_SECONDS = 20;
const CONTAINER = "docker:index/container:Container";

const ws = new PulumiWorkspace(STACK);
let ca = "";

const answersAs = (version: string) => (body: string) => {
    try {
        const doc = JSON.parse(body) as { app?: string; version?: string };
        return doc.app === APP && (version === "" || doc.version === version);
    } catch {
        return false;
    }
};

function setApp(image: string): void {
    ws.writeConfig((c) => {
        c["nexora:apps"] = {
            [APP]: {
                image,
                port: 8000,
                healthPath: "/healthz",
                releaseTimeoutSeconds: RELEASE_TIMEOUT_SECONDS,
                env: { APP_NAME: APP, HEALTH_PATH: "/healthz" },
            },
        };
    });
}

/** The app's containers (every release of it), by name. */
async function appContainers(): Promise<string[]> {
    return [...(await stackContainers(STACK)).values()].filter((c) => c.labels["nexora.service"] === APP).map((c) => c.name);
}

/** The upstream Caddy routes the app to, as the release switch wrote it. */
async function caddyUpstream(): Promise<string> {
    return (await docker(["exec", `${PREFIX}-caddy`, "cat", `/etc/caddy/upstreams/${APP}/upstream.caddy`])).stdout.trim();
}

/** What a preview would change: neither unchanged resources nor the refresh steps of `--refresh`. */
const changes = (steps: readonly PreviewStep[]) => changed(steps).filter((s) => s.op !== "refresh");

async function preview(extra: string[] = []): Promise<PreviewStep[]> {
    const r = await ws.pulumi(["preview", "--json", "--diff", ...extra]);
    if (r.code !== 0) throw new Error(`pulumi preview ${extra.join(" ")} exited ${r.code}\n${tail(r.stdout)}\n${tail(r.stderr)}`);
    return previewSteps(r.stdout);
}

/** `pulumi up` while the loop asks the app itself; the loop's counts and the CLI's result. */
async function upUnderLoop(expectBody: (body: string) => boolean, upArgs: string[] = []) {
    const loop = new RequestLoop([{ hostname: HOST, path: "/", expect: expectBody }], ca, 200);
    await new Promise((r) => setTimeout(r, 1000));
    const up = await ws.pulumi(["up", "--yes", "--skip-preview", ...upArgs]);
    await new Promise((r) => setTimeout(r, 1000));
    const counts = (await loop.stop()).get(HOST)!;
    return { up, failed: counts.failed, requests: counts.ok + counts.failed, errors: counts.errors.slice(0, 5) };
}

beforeAll(async () => {
    ws.writeConfig((c) => {
        c["nexora:dockerHost"] = env.dockerHost();
        c["nexora:frpServerAddr"] = env.relayAddress();
        c["nexora:hostnamePattern"] = "rel-{service}.{domain}";
        c["nexora:edgeSubnet"] = "10.204.57.0/24";
        c["nexora:dataSubnet"] = "10.204.58.0/24";
        c["nexora:backupEnabled"] = false;
    });
    setApp(IMAGE("1.0.0"));
    await ws.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
    await ws.setSecret("frpToken", env.frpToken());
});

afterAll(async () => {
    printFigures();
    await ws.destroyAll();
});

describe("releases of a business app on a real engine", () => {
    it("comes up with the app behind Caddy, at its first release", async () => {
        const up = await ws.pulumi(["up", "--yes", "--skip-preview"]);
        if (up.code !== 0) throw new Error(`cold up exited ${up.code}\n${tail(up.stdout, 120)}\n${tail(up.stderr)}`);
        ca = await caddyRootCa(`${PREFIX}-caddy`);
        const r = await eventually(
            () => requestViaRelay(HOST, "/", ca),
            (res) => res.status === 200 && answersAs("1.0.0")(res.body),
            60_000,
        );
        expect(r.status).toBe(200);
        const names = await appContainers();
        expect(names).toEqual([expect.stringMatching(new RegExp(`^${PREFIX}-${APP}-[0-9a-f]{8}$`))]);
        expect(await caddyUpstream()).toBe(`reverse_proxy ${names[0]}:8000`);
    });

    it("releases an image bump with no failed request of the app's own, and leaves one container", async () => {
        const before = await appContainers();
        setApp(IMAGE("1.1.0"));
        const r = await upUnderLoop(answersAs(""));
        if (r.up.code !== 0) throw new Error(`release exited ${r.up.code}\n${tail(r.up.stdout)}\n${tail(r.up.stderr)}`);
        record("release failed requests", r.failed);
        record("release seconds", r.up.seconds);
        record("release requests", { requests: r.requests, errors: r.errors });
        const after = await appContainers();
        expect(after).toHaveLength(1);
        expect(after).not.toEqual(before);
        expect(await caddyUpstream()).toBe(`reverse_proxy ${after[0]}:8000`);
        expect(answersAs("1.1.0")((await requestViaRelay(HOST, "/", ca)).body)).toBe(true);
        expect(r.failed).toBe(0);
    });

    let serving = "";
    it("refuses a release that never becomes healthy: up fails naming the app and its last health output, the old one keeps serving", async () => {
        [serving] = await appContainers();
        setApp(IMAGE("never-healthy"));
        const r = await upUnderLoop(answersAs("1.1.0"));
        record("broken release up exit", r.up.code);
        record("broken release failed requests", r.failed);
        record("broken release requests", { requests: r.requests, errors: r.errors, seconds: r.up.seconds });
        const output = r.up.stdout + r.up.stderr;
        expect(r.up.code).not.toBe(0);
        expect(output).toMatch(
            new RegExp(
                `release of ${APP} refused: its new container ${PREFIX}-${APP}-[0-9a-f]{8} did not pass its health check within ${RELEASE_TIMEOUT_SECONDS} s`,
            ),
        );
        // The health check's own words: wget cannot connect (and the image has no curl to try next).
        expect(output).toMatch(/last health check output: exit \d+: [\s\S]*(refused|can't connect|not found)/);
        expect(await caddyUpstream()).toBe(`reverse_proxy ${serving}:8000`);
        expect((await appContainers()).includes(serving)).toBe(true);
        expect(r.failed).toBe(0);
    });

    it("after the refused release, a preview shows only the release still to be done", async () => {
        const steps = changed(await preview());
        // The gate runs again, then the switch, then the old container goes: nothing outside the app.
        const outside = steps.filter((s) => !s.urn.includes("nexora:apps:BusinessApp"));
        expect(outside, explainSteps(outside)).toEqual([]);
        expect(steps.map((s) => `${nameOf(s.urn)} ${s.op}`).sort()).toEqual(
            expect.arrayContaining([
                expect.stringMatching(new RegExp(`^app-${APP}-gate (create|replace)$`)),
                expect.stringMatching(new RegExp(`^app-${APP}-switch (replace|create-replacement|update)$`)),
            ]),
        );
    });

    it("goes back to the previous image in one up, with no failed request, and nothing lingers", async () => {
        setApp(IMAGE("1.1.0"));
        const r = await upUnderLoop(answersAs(""));
        if (r.up.code !== 0) throw new Error(`release after the refused one exited ${r.up.code}\n${tail(r.up.stdout)}\n${tail(r.up.stderr)}`);
        record("release after refused release failed requests", { failed: r.failed, requests: r.requests, errors: r.errors, seconds: r.up.seconds });
        const after = await appContainers();
        expect(after).toHaveLength(1);
        expect(after[0]).not.toBe(serving);
        expect(await caddyUpstream()).toBe(`reverse_proxy ${after[0]}:8000`);
        expect(changed(await preview()), "a preview after the release").toEqual([]);
        expect(r.failed).toBe(0);
    });
});

describe("drift repaired exactly", () => {
    it("recreates a container removed by hand and changes nothing else", async () => {
        const [removed] = await appContainers();
        await docker(["rm", "-f", removed!]);
        const steps = changes(await preview(["--refresh"]));
        // The removed container comes back, and its gate runs for it; nothing else may move.
        const others = steps.filter((s) => !new RegExp(`::app-${APP}-(container|gate)$`).test(s.urn));
        record("refresh after removal replacements", others.filter((s) => s.op === "replace" || s.op === "create-replacement").length);
        record(
            "refresh after removal steps",
            steps.map((s) => `${nameOf(s.urn)} ${s.op}`),
        );
        expect(others, explainSteps(others)).toEqual([]);
        const up = await ws.pulumi(["up", "--yes", "--skip-preview", "--refresh"]);
        if (up.code !== 0) throw new Error(`up --refresh exited ${up.code}\n${tail(up.stdout)}\n${tail(up.stderr)}`);
        expect(await appContainers()).toEqual([removed]);
        const r = await eventually(
            () => requestViaRelay(HOST, "/", ca),
            (res) => res.status === 200,
            60_000,
        );
        expect(r.status).toBe(200);
    });

    it("shows no change at all after a restart of the Docker daemon", async () => {
        const daemon = (action: string) =>
            new Promise<number>((resolve) => {
                const child = spawn("bash", [path.join(ROOT, "tools/e2e/dockerd.sh"), action], { stdio: "inherit" });
                child.on("close", (code) => resolve(code ?? -1));
            });
        expect(await daemon("stop")).toBe(0);
        expect(await daemon("start")).toBe(0);
        // Containers come back by their restart policy; wait until the app answers again.
        await eventually(
            () => requestViaRelay(HOST, "/", ca),
            (res) => res.status === 200,
            120_000,
            2000,
        );
        const steps = changes(await preview(["--refresh"]));
        record("refresh after daemon restart changes", steps.length);
        if (steps.length > 0) record("refresh after daemon restart steps", explainSteps(steps).split("\n"));
        expect(steps, explainSteps(steps)).toEqual([]);
    });
});

describe("PostgreSQL replaced under a write load", () => {
    it("loses no acknowledged write: the old container stops cleanly before the new one starts", async () => {
        const pg = `${PREFIX}-postgres`;
        const password = envOf((await stackContainers(STACK)).get(pg)!, "POSTGRES_PASSWORD")!;
        const psql = (sql: string) => docker(["exec", "-u", "postgres", pg, "psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]);
        await psql("CREATE TABLE IF NOT EXISTS e2e_writes (id integer PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())");
        // A writer on the data network, over TCP like the services: it prints "ack N" only after the INSERT committed.
        const writer = `${PREFIX}-e2e-writer`;
        const script = [
            "i=0",
            "while :; do",
            "  i=$((i+1))",
            `  if psql -h ${pg} -U postgres -d postgres -qAt -c "INSERT INTO e2e_writes (id) VALUES ($i)" >/dev/null 2>&1; then echo "ack $i $(date +%s.%N)"; fi`,
            "  sleep 0.05",
            "done",
        ].join("\n");
        const pgImage = (await stackContainers(STACK)).get(pg)!.image;
        await docker([
            "run",
            "-d",
            "--name",
            writer,
            "--network",
            `${PREFIX}-data`,
            "-e",
            `PGPASSWORD=${password}`,
            "--entrypoint",
            "sh",
            pgImage,
            "-c",
            script,
        ]);
        try {
            await new Promise((r) => setTimeout(r, 3000));
            const urn = `urn:pulumi:${STACK}::nexora::nexora:platform:Platform$nexora:postgres:Postgres$${CONTAINER}::postgres-container`;
            const before = (await stackContainers(STACK)).get(pg)!.id;
            const up = await ws.pulumi(["up", "--yes", "--skip-preview", "--replace", urn]);
            if (up.code !== 0) throw new Error(`replacing PostgreSQL exited ${up.code}\n${tail(up.stdout)}\n${tail(up.stderr)}`);
            expect((await stackContainers(STACK)).get(pg)!.id).not.toBe(before);
            // Writes go on against the new container.
            await new Promise((r) => setTimeout(r, 3000));
        } finally {
            await docker(["stop", "-t", "1", writer], { allowFail: true });
        }
        const acks = (await docker(["logs", writer])).stdout
            .split("\n")
            .map((l) => /^ack (\d+) ([\d.]+)$/.exec(l))
            .filter((m): m is RegExpExecArray => m !== null)
            .map((m) => ({ id: Number(m[1]), at: Number(m[2]) }));
        await docker(["rm", "-f", writer], { allowFail: true });
        const stored = new Set((await psql("SELECT id FROM e2e_writes")).stdout.split("\n").filter(Boolean).map(Number));
        const lost = acks.filter((a) => !stored.has(a.id));
        let gap = 0;
        for (let i = 1; i < acks.length; i++) gap = Math.max(gap, acks[i]!.at - acks[i - 1]!.at);
        record("postgres replacement acknowledged writes lost", lost.length);
        record("postgres replacement writes", { acknowledged: acks.length, stored: stored.size, downtimeSeconds: Number(gap.toFixed(1)) });
        expect(acks.length).toBeGreaterThan(20);
        expect(gap, "the writes paused while PostgreSQL was replaced").toBeGreaterThan(0.5);
        expect(lost.map((a) => a.id)).toEqual([]);
    });
});
