import { beforeAll, describe, expect, it } from "vitest";
import { cidrsOverlap, environments, PlatformSettings } from "../../components/config";
import { buildRouteTable } from "../../components/edge/routes";
import { PlanResource, PlanResult, placeholderSecret } from "../../tools/plan/evaluate";
import { mockRandomValue } from "../../tools/plan/mock-engine";
import { baseContainerName, settingsOf } from "../support/stacks";
import { stackPlan } from "../support/plans";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const plans: Record<string, PlanResult> = {};

beforeAll(async () => {
    // Sequential: the Pulumi runtime (mocks, config) is process-global.
    for (const stack of environments) plans[stack] = await stackPlan(stack);
});

const ofType = (plan: PlanResult, type: string): PlanResource[] => plan.resources.filter((r) => r.type === type);
const labelsOf = (c: PlanResource): Record<string, string> =>
    Object.fromEntries((c.plainInputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));

/** Services every stack runs, each in its own container. */
const CORE_SERVICES = ["postgres", "redis", "gitlab", "outline", "uptime", "portainer", "portal", "caddy"];

/** Platform services (not apps) a stack's settings switch on: the core ones plus the optional ones. */
function platformServicesOf(s: PlatformSettings): string[] {
    return [
        ...CORE_SERVICES,
        ...(s.apps.some((a) => a.database) ? ["mysql"] : []),
        ...(s.features.grafana ? ["grafana"] : []),
        ...(s.features.gitlabRunner ? ["gitlab-runner"] : []),
        ...(s.tunnel.enabled ? ["frpc"] : []),
        ...(s.backup.enabled ? ["backup"] : []),
        ...(s.features.monitoring ? ["prometheus", "blackbox", "alertmanager", "node-exporter", "healer"] : []),
        ...(s.features.monitoring && s.features.uptimeKuma && s.monitoring.uptimeKumaUser !== "" ? ["autokuma"] : []),
    ];
}

/** The named volumes each platform service keeps its state in (apps keep none). */
const VOLUMES_OF: Record<string, readonly string[]> = {
    postgres: ["postgres-data"],
    redis: ["redis-data"],
    mysql: ["mysql-data"],
    gitlab: ["gitlab-config", "gitlab-data", "gitlab-logs"],
    outline: ["outline-data"],
    uptime: ["uptime-data"],
    portainer: ["portainer-data"],
    portal: ["portal-content"],
    caddy: ["caddy-data", "caddy-config", "caddy-etc"],
    grafana: ["grafana-data"],
    "gitlab-runner": ["gitlab-runner-config"],
    frpc: ["frpc-config"],
    backup: ["backup-repo", "backup-spool"],
    // Monitoring keeps no protected state: probe history is not worth a volume (docs/monitoring.md).
    prometheus: [],
    blackbox: [],
    alertmanager: [],
    "node-exporter": [],
    healer: [],
    autokuma: [],
};

/** Services whose health is a checker binary rather than an HTTP probe of their routed port. */
const HEALTH_CHECKERS: Record<string, RegExp> = {
    postgres: /^pg_isready -U postgres /,
    redis: /^redis-cli ping$/,
    mysql: /^mysqladmin ping /,
    gitlab: /^\/opt\/gitlab\/bin\/gitlab-healthcheck --fail /,
    uptime: /^extra\/healthcheck$/,
    // Caddy answers on its admin endpoint whatever the routes are.
    caddy: /^wget -qO- http:\/\/127\.0\.0\.1:2019\/config\/ /,
    "gitlab-runner": /^gitlab-runner list /,
    frpc: /^pgrep -x frpc /,
    // Fails when the last cycle failed or a store's last good snapshot is too old.
    backup: /^\/usr\/local\/bin\/nexora-backup health$/,
    // The monitoring containers answer on their own health endpoints.
    prometheus: /^wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:9090\/-\/healthy /,
    blackbox: /^wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:9115\/-\/healthy /,
    alertmanager: /^wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:9093\/-\/healthy /,
    "node-exporter": /^wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:9100\/metrics /,
    // Its loop touches the marker after every check.
    healer: /^test -n "\$\(find \/var\/lib\/nexora-heal\/alive -mmin -5/,
    // Reaches Uptime Kuma, which it syncs with.
    autokuma: /^bash -c '<\/dev\/tcp\/nexora-[a-z0-9-]+-uptime\/3001'$/,
};
/** A command that succeeds whatever the service does: `true`, `:`, `exit 0`, or anything ending in `|| true`. */
const NO_OP = /(^|[;&|]\s*)(true|:|exit 0)\s*$/;

describe.each(environments)("stack %s", (stack) => {
    const plan = () => plans[stack]!;

    it("runs every core service and each configured app in its own container", () => {
        const settings = settingsOf(stack);
        const names = ofType(plan(), CONTAINER)
            .map((c) => baseContainerName(String(c.inputs.name)))
            .sort();
        for (const svc of CORE_SERVICES) expect(names).toContain(`nexora-${stack}-${svc}`);
        // Every committed stack configures apps; without them this test would not cover apps at all.
        expect(settings.apps.length).toBeGreaterThan(0);
        for (const app of settings.apps) expect(names, app.key).toContain(`nexora-${stack}-${app.key}`);
        // Exactly one container per switched-on service and per app: none missing, none extra.
        const services = [...platformServicesOf(settings), ...settings.apps.map((a) => a.key)];
        expect(names).toHaveLength(services.length);
        expect(names).toEqual(services.map((s) => `nexora-${stack}-${s}`).sort());
    });

    it("protects and retains every volume", () => {
        const volumes = ofType(plan(), VOLUME);
        const expected = platformServicesOf(settingsOf(stack)).flatMap((svc) => VOLUMES_OF[svc]!.map((v) => `nexora-${stack}-${v}`));
        expect(volumes.map((v) => String(v.inputs.name)).sort()).toEqual(expected.sort());
        for (const v of volumes) {
            expect(v.protect, v.urn).toBe(true);
            expect(v.retainOnDelete, v.urn).toBe(true);
            expect(v.inputs.name).toMatch(new RegExp(`^nexora-${stack}-`));
        }
    });

    it("pins every image", () => {
        for (const image of ofType(plan(), IMAGE)) {
            const ref = String(image.inputs.name);
            expect(ref, image.urn).toMatch(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$|@sha256:/);
            expect(ref, image.urn).not.toMatch(/:latest$/);
        }
    });

    it("gives every container a restart policy, a health check and owner labels", () => {
        for (const c of ofType(plan(), CONTAINER)) {
            expect(c.inputs.restart, c.urn).toBe("unless-stopped");
            const labels = labelsOf(c);
            expect(labels["nexora.stack"]).toBe(stack);
            expect(labels["nexora.service"]).toBeTruthy();
        }
    });

    it("health-checks every container with a real probe of its own service, never a no-op", () => {
        const settings = settingsOf(stack);
        const routes = buildRouteTable(settings);
        for (const c of ofType(plan(), CONTAINER)) {
            const service = labelsOf(c)["nexora.service"]!;
            const [kind, ...args] = (c.plainInputs.healthcheck as { tests: string[] } | undefined)?.tests ?? [];
            expect(["CMD", "CMD-SHELL"], c.urn).toContain(kind);
            const command = args.join(" ");
            expect(command, c.urn).not.toMatch(NO_OP);
            const checker = HEALTH_CHECKERS[service];
            if (checker) {
                expect(command, c.urn).toMatch(checker);
                continue;
            }
            // Everything else is probed over HTTP on the port Caddy routes to, at the app's health path.
            const route = routes.http.find((r) => r.upstream.host === baseContainerName(String(c.inputs.name)));
            expect(route, `${c.urn}: no route and no known health checker`).toBeDefined();
            const app = settings.apps.find((a) => a.key === service);
            expect(command, c.urn).toContain(`http://127.0.0.1:${route!.upstream.port}${app ? app.healthPath : "/"}`);
        }
    });

    it("lets every stateful service shut down cleanly on a replacement, destroy or daemon restart", () => {
        const minimum: Record<string, number> = { postgres: 60, mysql: 60, redis: 30, gitlab: 180, grafana: 20, uptime: 20, portainer: 20, outline: 20 };
        const containers = ofType(plans[stack]!, CONTAINER);
        let checked = 0;
        for (const c of containers) {
            const service = labelsOf(c)["nexora.service"]!;
            const grace = c.plainInputs.destroyGraceSeconds as number;
            expect({ service, stopTimeout: c.plainInputs.stopTimeout }).toEqual({ service, stopTimeout: grace });
            if (minimum[service] === undefined) continue;
            checked++;
            expect({ service, enough: grace >= minimum[service]! }).toEqual({ service, enough: true });
        }
        expect(checked).toBeGreaterThanOrEqual(6);
    });

    it("keeps data stores on the internal network with no host port", () => {
        const networks = ofType(plan(), NETWORK);
        const internal = new Set(networks.filter((n) => n.inputs.internal === true).map((n) => n.inputs.name));
        const datastores = ofType(plan(), CONTAINER).filter((c) => labelsOf(c)["nexora.role"] === "datastore");
        expect(datastores.map((c) => c.inputs.name)).toEqual(expect.arrayContaining([`nexora-${stack}-postgres`, `nexora-${stack}-redis`]));
        for (const c of datastores) {
            expect(c.plainInputs.ports ?? [], c.urn).toEqual([]);
            const nets = (c.plainInputs.networksAdvanced as { name: string }[]).map((n) => n.name);
            expect(
                nets.every((n) => internal.has(n)),
                c.urn,
            ).toBe(true);
        }
    });

    it("publishes host ports only where the stack config asks", () => {
        const published = ofType(plan(), CONTAINER).flatMap((c) =>
            ((c.plainInputs.ports as { external: number }[] | undefined) ?? []).map((p) => `${String(c.inputs.name)}:${p.external}`),
        );
        const expected = stack === "dev" ? [`nexora-dev-caddy:18080`, `nexora-dev-caddy:18443`, `nexora-dev-gitlab:12222`] : [];
        expect(published.sort()).toEqual(expected.sort());
    });

    it("never passes a generated or configured secret in plaintext", () => {
        const recorder = plan().recorder;
        const secrets = ofType(plan(), PASSWORD).map((p) => mockRandomValue(p.name, Number(p.inputs.length)));
        expect(secrets.length).toBeGreaterThan(5);
        secrets.push(...plan().placeholders.map((p) => placeholderSecret(stack, p.split(" ")[0]!)));
        for (const secret of secrets) expect(recorder.plaintextLeaks(secret), secret.slice(0, 6)).toEqual([]);
        // And the masked JSON inputs show none of them.
        const json = JSON.stringify(plan().resources.map((r) => r.inputs));
        for (const secret of secrets) expect(json.includes(secret)).toBe(false);
    });

    it("generates passwords no shorter than the policy minimum", () => {
        for (const p of ofType(plan(), PASSWORD)) expect(Number(p.inputs.length), p.urn).toBeGreaterThanOrEqual(24);
    });
});

describe("stacks on one Docker host", () => {
    it("never share a container, volume or network name", () => {
        const names = environments.flatMap((s) => [CONTAINER, VOLUME, NETWORK].flatMap((t) => ofType(plans[s]!, t).map((r) => String(r.inputs.name))));
        expect(new Set(names).size).toBe(names.length);
    });

    it("use disjoint subnets", () => {
        const subnets = environments.flatMap((s) =>
            ofType(plans[s]!, NETWORK).flatMap((n) => ((n.inputs.ipamConfigs as { subnet: string }[] | undefined) ?? []).map((c) => c.subnet)),
        );
        for (const [i, a] of subnets.entries()) for (const b of subnets.slice(i + 1)) expect(cidrsOverlap(a, b), `${a} vs ${b}`).toBe(false);
    });

    it("never publish the same host port twice", () => {
        const ports = environments.flatMap((s) =>
            ofType(plans[s]!, CONTAINER).flatMap((c) => ((c.plainInputs.ports as { external: number }[] | undefined) ?? []).map((p) => p.external)),
        );
        expect(new Set(ports).size).toBe(ports.length);
    });
});

describe.each(environments)("stack outputs of %s", (stack) => {
    const prefix = stack === "prod" ? "" : `${stack}-`;
    const outputs = () =>
        plans[stack]!.outputs as {
            environment: string;
            urls: Record<string, string>;
            gitlabSsh?: { host: string; port: number };
            monitors: { url: string }[];
            adminCredentials: Record<string, string>;
            mattermostOAuth?: Record<string, string>;
        };

    it("give the URL of every routed service, with the stack's hostname pattern and port", () => {
        const { urls, environment } = outputs();
        expect(environment).toBe(stack);
        const port = stack === "dev" ? ":18443" : "";
        expect(urls.gitlab).toBe(`https://${prefix}gitlab.nexora.restry.cn${port}`);
        expect(urls.portal).toBe(`https://${prefix}www.nexora.restry.cn${port}`);
        expect(urls.pyerp).toBe(`https://${prefix}pyerp.nexora.restry.cn${port}`);
        expect(Object.keys(urls).sort()).toEqual(
            settingsOf(stack)
                .apps.map((a) => a.key)
                .concat(coreWebServices(stack))
                .sort(),
        );
        expect(
            outputs()
                .monitors.map((m) => m.url)
                .sort(),
        ).toEqual(
            Object.values(urls)
                .map((u) => `${u}/`)
                .sort(),
        );
    });

    it("say where to clone over SSH", () => {
        expect(outputs().gitlabSsh).toEqual({ host: `${prefix}git.nexora.restry.cn`, port: { dev: 12222, staging: 2223, prod: 2222 }[stack] });
    });

    it("hand over every first-login credential, and Mattermost's settings where it is configured", () => {
        const grafana = settingsOf(stack).features.grafana;
        expect(Object.keys(outputs().adminCredentials).sort()).toEqual(
            ["edgeAdmin", "gitlabRoot", "portainerAdmin", ...(grafana ? ["grafanaAdmin"] : [])].sort(),
        );
        for (const value of Object.values(outputs().adminCredentials)) expect(value.length).toBeGreaterThanOrEqual(24);
        if (stack === "prod") expect(outputs().mattermostOAuth).toMatchObject({ MM_GITLABSETTINGS_ENABLE: "true", MM_GITLABSETTINGS_SCOPE: "read_user" });
        else expect(outputs().mattermostOAuth).toBeUndefined();
    });
});

/** Core web services the stack runs, from its feature switches. */
function coreWebServices(stack: string): string[] {
    const f = settingsOf(stack).features;
    return ["gitlab", "outline", "uptime", "portainer", "portal", ...(f.grafana ? ["grafana"] : []), ...(f.registry ? ["registry"] : [])];
}
