import type { PlatformSettings } from "../config";
import { mysqlIdentifier } from "../mysql/mysql";
import { dockerName } from "../naming";
import { services, type ServiceKey } from "../catalog";
import type { BackupStore, BackupStoreKey } from "./manifest";

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
        stores.push({
            key: "mysql",
            kind: "mysql",
            container: name("mysql"),
            consumers: Object.fromEntries(appsWithDb.map((a) => [mysqlIdentifier(a.key), name(a.key)])),
        });
    }
    if (features.gitlab) stores.push({ key: "gitlab", kind: "gitlab", container: name(services.gitlab.container) });
    // A volume store is named after its service's container (deployed state: the repository's tags).
    const volume = (service: ServiceKey, pauseDuringBackup: boolean): BackupStore => {
        const container = services[service].container;
        return {
            key: container as Exclude<BackupStoreKey, "postgres" | "mysql" | "gitlab">,
            kind: "volume",
            volume: dockerName(stack, container, "data"),
            container: name(container),
            pauseDuringBackup,
        };
    };
    if (features.outline) stores.push(volume("outline", false));
    // Uptime Kuma (SQLite) and Portainer (BoltDB) write live database files: paused while read.
    if (features.uptimeKuma) stores.push(volume("uptimeKuma", true));
    if (features.portainer) stores.push(volume("portainer", true));
    if (features.grafana) stores.push(volume("grafana", false));
    stores.push(volume("caddy", false));
    return stores;
}
