import { expect } from "vitest";
/**
 * Shared fixtures for the per-component tests under Pulumi mocks: the staging stack's literal
 * names, the type tokens the components register, and small readers over the recorded graph
 * (env lists, provider references, dependency chains). The recorder itself is tests/support/mocks.ts.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HostContext } from "../../components/docker/host";
import type { DatabaseCredentials } from "../../components/postgres/postgres";
import { dockerSocketPath } from "../../components/validators";
import { type MockRecorder, outputOf, type RecordedResource } from "../support/mocks";

export const STACK = "staging";
export const DOCKER_HOST = "ssh://deploy@claw-bot";
export const EDGE_NETWORK = "nexora-staging-edge";
export const DATA_NETWORK = "nexora-staging-data";
export const APPS_DATA_NETWORK = "nexora-staging-apps-data";
export const ADMIN_NETWORK = "nexora-staging-admin";
export const EDGE_SUBNET = "172.30.10.0/24";
export const DATA_SUBNET = "172.30.11.0/24";

/** Type tokens, spelled out: a test must fail when a component registers another type. */
export const T = {
    dockerProvider: "pulumi:providers:docker",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    image: "docker:index/remoteImage:RemoteImage",
    container: "docker:index/container:Container",
    command: "command:local:Command",
    randomPassword: "random:index/randomPassword:RandomPassword",
    randomBytes: "random:index/randomBytes:RandomBytes",
    randomId: "random:index/randomId:RandomId",
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    gitlabProvider: "pulumi:providers:gitlab",
    application: "gitlab:index/application:Application",
    adminToken: "nexora:gitlab:AdminToken",
    ssoApplication: "nexora:sso:Application",
} as const;

/** The Docker provider every component test passes in (built by the test, not by the component). */
export function dockerProvider(): docker.Provider {
    return new docker.Provider("docker", { host: DOCKER_HOST });
}

/** The staging stack's Docker host as components take it: a test's own provider, the staging network names. */
export function testHost(overrides: Partial<HostContext> = {}): HostContext {
    return {
        stack: STACK,
        provider: overrides.provider ?? dockerProvider(),
        dockerHost: DOCKER_HOST,
        socketPath: dockerSocketPath(DOCKER_HOST),
        networks: { edge: EDGE_NETWORK, data: DATA_NETWORK, appsData: APPS_DATA_NETWORK, admin: ADMIN_NETWORK },
        edgeNetworkName: EDGE_NETWORK,
        ...overrides,
    };
}

/** A bare parent for the helpers that take one (volume, service container). */
export function testParent(name = "parent"): pulumi.ComponentResource {
    return new pulumi.ComponentResource("nexora:test:Parent", name, {});
}

/** The provider reference the engine records on a resource: `urn::id`. */
export async function providerRef(provider: pulumi.ProviderResource): Promise<string> {
    return `${await outputOf(provider.urn)}::${await outputOf(provider.id)}`;
}

export function urnOf(resource: pulumi.Resource): Promise<string> {
    return outputOf(resource.urn);
}

/** Database credentials as Postgres/Mysql hand them out: the password a secret Output. */
export function databaseCredentials(service: string, password: string, host = "nexora-staging-postgres", port = 5432): DatabaseCredentials {
    return { host, port, database: service, username: service, password: pulumi.secret(password) };
}

/** "K=V" entries as a map; throws on a duplicate key (Docker would keep only one). */
export function envMap(entries: readonly string[] | undefined): Record<string, string> {
    const map: Record<string, string> = {};
    for (const entry of entries ?? []) {
        const i = entry.indexOf("=");
        if (i <= 0) throw new Error(`env entry without a key: ${entry}`);
        const key = entry.slice(0, i);
        if (key in map) throw new Error(`duplicate env key ${key}`);
        map[key] = entry.slice(i + 1);
    }
    return map;
}

/**
 * A container's labels: exactly the owner labels, then the settings labels the provider cannot
 * diff itself (docker/service.ts settingsLabels: healthcheck hash, log options, memory).
 */
export function containerLabelsFor(service: string, role: string, memoryMiB?: number): unknown {
    return [
        ...ownerLabelsFor(service, role),
        { label: "nexora.healthcheck-sha256", value: expect.stringMatching(/^[0-9a-f]{16}$/) },
        { label: "nexora.log-opts", value: "max-size=20m,max-file=5" },
        ...(memoryMiB === undefined ? [] : [{ label: "nexora.memory-mib", value: String(memoryMiB) }]),
    ];
}

/** The owner labels every container and volume carries, written out literally. */
export function ownerLabelsFor(service: string, role: string): { label: string; value: string }[] {
    return [
        { label: "nexora.stack", value: STACK },
        { label: "nexora.service", value: service },
        { label: "nexora.role", value: role },
        { label: "nexora.managed-by", value: "pulumi" },
    ];
}

/** `type name` of every direct child of a resource, sorted: the component's exact inventory. */
export function inventoryOf(mocks: MockRecorder, parent: RecordedResource): string[] {
    return mocks
        .childrenOf(parent.urn)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

/** The URN a recorded provider reference (`urn::id`) points at. */
function providerUrn(rec: RecordedResource): string | undefined {
    return rec.provider?.split("::").slice(0, -1).join("::");
}

/**
 * Every URN the engine must finish before creating `rec`: recorded dependencies and the explicit
 * provider, followed transitively. Parents are not followed: a parent does not order creation.
 */
export function upstreamOf(mocks: MockRecorder, rec: RecordedResource): Set<string> {
    const seen = new Set<string>();
    const queue = [rec];
    while (queue.length > 0) {
        const current = queue.pop()!;
        const next = [...current.options.dependencies, ...(providerUrn(current) ? [providerUrn(current)!] : [])];
        for (const urn of next) {
            if (seen.has(urn)) continue;
            seen.add(urn);
            const dep = mocks.byUrn(urn);
            if (dep) queue.push(dep);
        }
    }
    return seen;
}
