/**
 * What a stack watches, derived from its route table and stores: plain data in, plain data out.
 * prometheus.yml, the alert rules, blackbox.yml and Uptime Kuma's monitors (render.ts, kuma.ts)
 * are all rendered from this one list, so adding an app adds its monitors and removing it removes them.
 */
import { webRoutes } from "../catalog";
import type { RouteTable } from "../edge/types";

export type MonitorKind = "http" | "datastore" | "backup" | "certificate" | "disk";

/** A blackbox-exporter probe: which module, against which target. */
export interface ProbeSpec {
    /** Module name in blackbox.yml (render.ts BLACKBOX_MODULES). */
    readonly module: ProbeModule;
    /** host:port (TCP) or URL (HTTP) the exporter probes. */
    readonly target: string;
    /** HTTP only: the Host header and TLS server name (the blackbox exporter's `hostname` parameter). */
    readonly hostname?: string;
}

/** The probe modules blackbox.yml defines: fixed, so a route change never touches the exporter. */
export type ProbeModule = "http_2xx" | "http_401" | "http_2xx_401" | "tcp_connect" | "redis_ping";

function httpModule(statuses: readonly number[]): ProbeModule {
    const key = [...statuses].sort().join(",");
    if (key === "") return "http_2xx";
    if (key === "401") return "http_401";
    if (key === "200,401") return "http_2xx_401";
    throw new Error(`no probe module accepts HTTP statuses ${key}`);
}

export interface Monitor {
    /** Unique per stack, [a-z0-9-]: the `monitor` label, the alert's group and Uptime Kuma's monitor id. */
    readonly id: string;
    readonly kind: MonitorKind;
    /** What the message names: the public hostname, the store, or "host disk". */
    readonly subject: string;
    /** What failed, in a sentence (the alert's summary). */
    readonly summary: string;
    /** The container the healer would restart for this monitor, when there is one. */
    readonly container?: string;
    /** Present for blackbox-probed monitors. */
    readonly probe?: ProbeSpec;
    /** PromQL: the monitor is failing while this returns a series (Uptime Kuma's keyword monitors ask it). */
    readonly expr: string;
}

/** A data store the stack runs, reached on its own network. */
export interface DataStoreSpec {
    readonly name: "postgres" | "redis" | "mysql";
    /** Container name (Docker DNS name on its network). */
    readonly host: string;
    readonly port: number;
}

/** Per-route monitor overrides (`nexora:monitorOverrides`), by route name (the `urls` output key). */
export interface MonitorOverride {
    /** @default the route's health path */
    readonly healthPath?: string;
    /** @default true */
    readonly enabled?: boolean;
}

export interface MonitorInputs {
    readonly routes: RouteTable;
    /** Docker name of the stack's Caddy (probes go through it). */
    readonly caddyHost: string;
    readonly tls: "acme" | "internal";
    /** Health path of each business app, by app key. */
    readonly appHealthPaths: Readonly<Record<string, string>>;
    readonly dataStores: readonly DataStoreSpec[];
    /** Store keys the backup covers; absent when backups are off. */
    readonly backupStores?: readonly string[];
    readonly backupMaxAgeHours: number;
    /** Alert when the Docker data disk has less than this share free, in percent. */
    readonly diskFreePercent: number;
    /** Alert when a certificate expires within this many days. */
    readonly certificateDays: number;
    readonly overrides: Readonly<Record<string, MonitorOverride>>;
}

/** Route names the overrides may name (a route the table has). */
export function overridableRoutes(routes: RouteTable): string[] {
    return routes.http.map((r) => r.name);
}

const PROBE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A PromQL string literal's content: ids are checked to be plain, so quoting them is enough. */
function label(value: string): string {
    if (!PROBE_ID.test(value)) throw new Error(`monitor id ${JSON.stringify(value)} is not [a-z0-9-]`);
    return value;
}

function monitoredRoutes(inputs: MonitorInputs) {
    return inputs.routes.http.flatMap((route) => {
        const override = Object.hasOwn(inputs.overrides, route.name) ? inputs.overrides[route.name] : undefined;
        if (override?.enabled === false) return [];
        const spec = webRoutes.find((w) => w.name === route.name);
        const appPath = Object.hasOwn(inputs.appHealthPaths, route.name) ? inputs.appHealthPaths[route.name] : undefined;
        const path = override?.healthPath ?? appPath ?? spec?.health?.path ?? "/";
        const statuses = route.restricted ? [401] : [...(spec?.health?.statuses ?? [])];
        return [{ route, path, statuses }];
    });
}

/** Every monitor of the stack, in a stable order: routes, stores, backups, certificates, disk. */
export function monitorList(inputs: MonitorInputs): Monitor[] {
    const out: Monitor[] = [];
    const routes = monitoredRoutes(inputs);
    for (const { route, path, statuses } of routes) {
        const id = label(`http-${route.name}`);
        out.push({
            id,
            kind: "http",
            subject: route.hostname,
            summary: `https://${route.hostname}${path} does not answer as expected through Caddy`,
            container: route.upstream.host,
            probe: { module: httpModule(statuses), target: `https://${inputs.caddyHost}:${inputs.routes.httpsPort}${path}`, hostname: route.hostname },
            expr: `probe_success{monitor="${id}"} == 0`,
        });
    }
    for (const store of inputs.dataStores) {
        const id = label(`datastore-${store.name}`);
        out.push({
            id,
            kind: "datastore",
            subject: store.name,
            summary: `${store.name} does not answer on ${store.host}:${store.port}`,
            container: store.host,
            probe: { module: store.name === "redis" ? "redis_ping" : "tcp_connect", target: `${store.host}:${store.port}` },
            expr: `probe_success{monitor="${id}"} == 0`,
        });
    }
    const maxAge = inputs.backupMaxAgeHours * 3600;
    for (const store of inputs.backupStores ?? []) {
        const id = label(`backup-${store}`);
        const series = `nexora_backup_last_success_timestamp_seconds{store="${label(store)}",target="local"}`;
        out.push({
            id,
            kind: "backup",
            subject: `backup of ${store}`,
            summary: `no good snapshot of ${store} in the last ${inputs.backupMaxAgeHours} h`,
            // A store never backed up reports 0; before the first cycle there is no series at all.
            expr: `(time() - ${series} > ${maxAge}) or absent(${series})`,
        });
    }
    // Caddy's internal CA issues short-lived certificates it renews itself: expiry is only watched for public ones.
    if (inputs.tls === "acme") {
        for (const { route } of routes) {
            const id = label(`certificate-${route.name}`);
            out.push({
                id,
                kind: "certificate",
                subject: route.hostname,
                summary: `the certificate of ${route.hostname} expires within ${inputs.certificateDays} days`,
                expr: `probe_ssl_earliest_cert_expiry{monitor="http-${label(route.name)}"} - time() < ${inputs.certificateDays * 86400}`,
            });
        }
    }
    out.push({
        id: "disk-docker",
        kind: "disk",
        subject: "host disk",
        summary: `the disk holding Docker's data has less than ${inputs.diskFreePercent}% free`,
        // node-exporter's own root is an overlay on Docker's data disk: its free space is that disk's.
        expr: `node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} * 100 < ${inputs.diskFreePercent}`,
    });
    return out;
}
