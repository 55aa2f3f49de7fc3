// The review program's resource graph under Pulumi mocks: what `npm run review -- up` declares
// (isolation from the host and from other reviews, its own database and secrets), and the policy pack on it.
import { beforeEach, describe, expect, it } from "vitest";
import { runPolicyPack } from "../../policies/offline";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { fakeBackend, hostConfig, HOST_APPS, LEDGER_API_KEY, offlineResources, runReview } from "./support";

const T = {
    network: "docker:index/network:Network",
    container: "docker:index/container:Container",
    volume: "docker:index/volume:Volume",
    command: "command:local:Command",
    randomPassword: "random:index/randomPassword:RandomPassword",
} as const;

const IMAGE = "registry.example.com/erp/ledger:mr-12-3f2a9c1";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "review-ledger-mr12" });
});

async function upLedger(mr = 12, config = hostConfig()): Promise<{ code: number; stdout: string; stderr: string }> {
    const r = await runReview(["up", "--app", "ledger", "--mr", String(mr), "--image", IMAGE, "--json"], fakeBackend(config));
    await mocks.settled();
    return r;
}

const names = (type: string) => mocks.ofType(type).map((r) => String(r.inputs.name));
const command = (suffix: string) => mocks.ofType(T.command).find((c) => c.name === `review-${suffix}`)!;

describe("a review's resource graph", () => {
    it("is its own container from the MR's image, on its own two networks, with the review memory limit", async () => {
        const r = await upLedger();
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ stack: "review-ledger-mr12", url: "https://dev-mr12-ledger.nexora.restry.cn", image: IMAGE });
        expect(names(T.network).sort()).toEqual(["nexora-dev-mr12-ledger-data", "nexora-dev-mr12-ledger-web"]);
        const data = mocks.ofType(T.network).find((n) => n.inputs.name === "nexora-dev-mr12-ledger-data")!;
        expect(data.inputs.internal).toBe(true);
        const [container, ...others] = mocks.ofType(T.container);
        expect(others).toEqual([]);
        // Released like the host's apps: each release's container is `<base>-<release id>`.
        expect(container!.inputs.name).toMatch(/^nexora-dev-mr12-ledger-[0-9a-f]{8}$/);
        expect(mocks.ofType("docker:index/remoteImage:RemoteImage").map((i) => i.inputs.name)).toEqual([IMAGE]);
        expect(container!.inputs.memory).toBe(512);
        expect(container!.inputs.networksAdvanced.map((n: { name: string }) => n.name).sort()).toEqual([
            "nexora-dev-mr12-ledger-data",
            "nexora-dev-mr12-ledger-web",
        ]);
        expect(container!.inputs.labels).toContainEqual({ label: "nexora.stack", value: "dev-mr12" });
        // No volume: the review's data is its database on the host's MySQL, dropped with it.
        expect(mocks.ofType(T.volume)).toEqual([]);
    });

    it("declares nothing of the host stack: no host network, container or volume, only attachments that are undone on delete", async () => {
        await upLedger();
        const hostNames = [
            "nexora-dev-edge",
            "nexora-dev-data",
            "nexora-dev-apps-data",
            "nexora-dev-admin",
            "nexora-dev-caddy",
            "nexora-dev-frpc",
            "nexora-dev-mysql",
            "nexora-dev-ledger",
        ];
        for (const type of [T.network, T.container, T.volume]) for (const n of names(type)) expect(hostNames).not.toContain(n);
        const caddy = command("caddy-attach");
        expect(caddy.inputs.create).toBe(
            "docker network disconnect -f nexora-dev-mr12-ledger-web 'nexora-dev-caddy' >/dev/null 2>&1 || true; docker network connect nexora-dev-mr12-ledger-web 'nexora-dev-caddy'",
        );
        expect(caddy.inputs.delete).toContain("docker network disconnect -f nexora-dev-mr12-ledger-web 'nexora-dev-caddy'");
        const mysql = command("mysql-attach");
        expect(mysql.inputs.create).toContain("docker network connect nexora-dev-mr12-ledger-data 'nexora-dev-mysql'");
        expect(mysql.inputs.delete).toContain("docker network disconnect -f nexora-dev-mr12-ledger-data 'nexora-dev-mysql'");
    });

    it("gets its own database and user (mr12_ledger), created with a generated password and dropped on delete", async () => {
        await upLedger();
        const db = command("database");
        expect(db.secretInputs).toContain("stdin");
        expect(db.inputs.create).toContain("docker exec -i 'nexora-dev-mysql'");
        expect(db.inputs.stdin).toContain("CREATE DATABASE IF NOT EXISTS `mr12_ledger`");
        expect(db.inputs.stdin).toContain("GRANT ALL PRIVILEGES ON `mr12\\_ledger`.* TO 'mr12_ledger'@'%'");
        expect(db.inputs.stdin).not.toMatch(/`ledger`/);
        expect(db.inputs.delete).toContain("DROP DATABASE IF EXISTS `mr12_ledger`; DROP USER IF EXISTS ");
        expect(db.inputs.delete).toContain("mr12_ledger");
        expect(db.inputs.delete).not.toMatch(/`ledger`/);
        expect(db.inputs.logging).toBe("none");
        const env = mocks.ofType(T.container)[0]!.inputs.envs as string[];
        expect(env).toContain("DB_NAME=mr12_ledger");
        expect(env).toContain("DB_USER=mr12_ledger");
        expect(env).toContain("DB_HOST=nexora-dev-mysql");
        const password = env.find((e) => e.startsWith("DB_PASSWORD="))!.slice("DB_PASSWORD=".length);
        expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(mocks.plaintextLeaks(password)).toEqual([]);
    });

    it("generates its own secrets and passes the host's secret config only as secrets", async () => {
        await upLedger();
        expect(
            mocks
                .ofType(T.randomPassword)
                .map((p) => p.name)
                .sort(),
        ).toEqual(["review-app-secret-key", "review-db-password"]);
        const env = mocks.ofType(T.container)[0]!.inputs.envs as string[];
        expect(env).toContain(`LEDGER_API_KEY=${LEDGER_API_KEY}`);
        expect(mocks.plaintextLeaks(LEDGER_API_KEY)).toEqual([]);
    });

    it("adds its site to the host's Caddy and its proxies to the host's frpc through their include directories", async () => {
        await upLedger();
        const site = command("caddy-site");
        expect(site.inputs.create).toContain("docker exec -i 'nexora-dev-caddy'");
        expect(site.inputs.create).toContain("/etc/caddy/reviews/review-ledger-mr12.caddy");
        expect(site.inputs.stdin).toContain("dev-mr12-ledger.nexora.restry.cn {");
        // The route imports the upstream the review's release switches, in a directory of the review's own.
        expect(site.inputs.stdin).toContain("import /etc/caddy/upstreams/review-ledger-mr12/*.caddy");
        expect(site.inputs.delete).toContain("rm -rf /etc/caddy/upstreams/review-ledger-mr12");
        expect(site.inputs.delete).toContain("rm -f /etc/caddy/reviews/review-ledger-mr12.caddy");
        const proxies = command("frpc-proxies");
        expect(proxies.inputs.create).toContain("docker exec -i 'nexora-dev-frpc'");
        expect(proxies.inputs.stdin).toContain('customDomains = [ "dev-mr12-ledger.nexora.restry.cn" ]');
        expect(proxies.inputs.stdin).toContain('localIP = "nexora-dev-caddy"');
        expect(proxies.inputs.delete).toContain("rm -f /etc/frp/reviews/review-ledger-mr12.toml");
        // Both wait for the container: no route points at nothing.
        const container = mocks.ofType(T.container)[0]!;
        expect(site.options.dependencies.some((d) => d.includes("review-app"))).toBe(true);
        expect(container.urn).toBeTruthy();
    });

    it("shares no name with another MR's review of the same app", async () => {
        await upLedger(12);
        const first = new Set([...names(T.network), ...names(T.container)]);
        mocks = setupMocks({ stack: "review-ledger-mr13" });
        await upLedger(13);
        for (const n of [...names(T.network), ...names(T.container)]) expect(first).not.toContain(n);
        expect(command("database").inputs.stdin).toContain("`mr13_ledger`");
    });

    it("leaves an app without a database without a data network or MySQL", async () => {
        const r = await runReview(["up", "--app", "brochure", "--mr", "3", "--image", "registry.example.com/web/brochure:mr-3"], fakeBackend());
        await mocks.settled();
        expect(r.code, r.stderr).toBe(0);
        expect(names(T.network)).toEqual(["nexora-dev-mr3-brochure-web"]);
        expect(
            mocks
                .ofType(T.command)
                .map((c) => c.name)
                .sort(),
        ).toEqual(["review-app-gate", "review-app-switch", "review-caddy-attach", "review-caddy-site", "review-frpc-proxies"]);
    });
});

describe("the policy pack on a review stack", () => {
    it("passes a review built from a compliant host config", async () => {
        await upLedger();
        expect(offlineResources(mocks).length).toBeGreaterThan(8);
        expect(runPolicyPack(offlineResources(mocks))).toEqual([]);
    });

    it("refuses a weak secret the host's config hands the review, as it does for the host", async () => {
        await upLedger(12, hostConfig({ "nexora:ledgerApiKey": "ledger123" }));
        const violations = runPolicyPack(offlineResources(mocks));
        expect(violations.map((v) => v.policy)).toContain("credentials-resource-forbid-weak-secrets");
        // The message names where, never the value.
        for (const v of violations) expect(v.message).not.toContain("ledger123");
    });

    it("refuses a plaintext credential in the host's app env before anything runs (exit 2, config key named)", async () => {
        const apps = { ...HOST_APPS, ledger: { ...HOST_APPS.ledger, env: { APP_NAME: "ledger", DB_ROOT_PASSWORD: "Zq4uV9mR2tLx8bN6wK3pJ7sY" } } };
        const backend = fakeBackend(hostConfig({}, apps));
        const r = await runReview(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], backend);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/nexora:apps\.ledger\.env/);
        expect(r.stderr).not.toContain("Zq4uV9mR2tLx8bN6wK3pJ7sY");
        expect(backend.calls.filter((c) => c.startsWith("up"))).toEqual([]);
        expect(mocks.resources).toEqual([]);
    });
});
