import type { PlatformSettings } from "../config";
import { mysqlIdentifier } from "../mysql/mysql";
import { dockerName } from "../naming";
import type { BackupStore } from "./manifest";

/**
 * The stores a stack backs up, from its settings alone: every store of a service the stack runs.
 * Not backed up, on purpose: Redis (Outline's cache and job queues, rebuilt on start), the portal's
 * content (published into it from its source), frpc's and Caddy's config (rendered from config),
 * the runner's registration (minted again by `pulumi up`).
 */
export function backupStores(settings: Pick<PlatformSettings, "stack" | "features" | "apps">): BackupStore[] {
    const { stack, features } = settings;
    const name = (service: string) => dockerName(stack, service);
    const stores: BackupStore[] = [];
    const pgConsumers = (["gitlab", "outline", "grafana"] as const).filter((k) => features[k]);
    stores.push({ key: "postgres", kind: "postgres", container: name("postgres"), consumers: Object.fromEntries(pgConsumers.map((k) => [k, name(k)])) });
    const appsWithDb = settings.apps.filter((a) => a.database);
    if (appsWithDb.length > 0) {
        stores.push({ key: "mysql", kind: "mysql", container: name("mysql"), consumers: Object.fromEntries(appsWithDb.map((a) => [mysqlIdentifier(a.key), name(a.key)])) });
    }
    if (features.gitlab) stores.push({ key: "gitlab", kind: "gitlab", container: name("gitlab") });
    if (features.outline) stores.push({ key: "outline", kind: "volume", volume: dockerName(stack, "outline", "data"), container: name("outline"), pauseDuringBackup: false });
    // Uptime Kuma (SQLite) and Portainer (BoltDB) write live database files: paused while read.
    if (features.uptimeKuma) stores.push({ key: "uptime", kind: "volume", volume: dockerName(stack, "uptime", "data"), container: name("uptime"), pauseDuringBackup: true });
    if (features.portainer) stores.push({ key: "portainer", kind: "volume", volume: dockerName(stack, "portainer", "data"), container: name("portainer"), pauseDuringBackup: true });
    if (features.grafana) stores.push({ key: "grafana", kind: "volume", volume: dockerName(stack, "grafana", "data"), container: name("grafana"), pauseDuringBackup: false });
    stores.push({ key: "caddy", kind: "volume", volume: dockerName(stack, "caddy", "data"), container: name("caddy"), pauseDuringBackup: false });
    return stores;
}
