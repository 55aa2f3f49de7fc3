import type { PlatformSettings } from "../config";
import { mysqlIdentifier } from "../mysql/mysql";
import { dockerName } from "../naming";
import { runningServices } from "../catalog";
import type { BackupStore } from "./manifest";

/**
 * The stores a stack backs up, from its settings alone: the PostgreSQL databases and backup stores
 * of every service the stack runs (their catalog entries' `postgres` and `backup`), and the apps'
 * MySQL databases. Not backed up, on purpose: Redis (Outline's cache and job queues, rebuilt on
 * start), and services whose catalog entry has no `backup` (their state is rendered from config or
 * minted again by `pulumi up`).
 */
export function backupStores(settings: Pick<PlatformSettings, "stack" | "features" | "apps">): BackupStore[] {
    const { stack } = settings;
    const name = (container: string) => dockerName(stack, container);
    const running = runningServices(settings.features);
    const stores: BackupStore[] = [];
    const pgConsumers = running.flatMap((s) => (s.postgres ? [[s.postgres.database, name(s.container)]] : []));
    stores.push({ key: "postgres", kind: "postgres", container: name("postgres"), consumers: Object.fromEntries(pgConsumers) });
    const appsWithDb = settings.apps.filter((a) => a.database);
    if (appsWithDb.length > 0) {
        stores.push({
            key: "mysql",
            kind: "mysql",
            container: name("mysql"),
            consumers: Object.fromEntries(appsWithDb.map((a) => [mysqlIdentifier(a.key), name(a.key)])),
        });
    }
    for (const s of running) {
        if (s.backup?.kind === "gitlab") stores.push({ key: "gitlab", kind: "gitlab", container: name(s.container) });
    }
    // A volume store is named after its service's container name (deployed state: the repository's tags).
    for (const s of running) {
        if (s.backup?.kind !== "volume") continue;
        stores.push({
            key: s.container,
            kind: "volume",
            volume: dockerName(stack, s.container, "data"),
            container: name(s.container),
            pauseDuringBackup: s.backup.pauseDuringBackup,
        });
    }
    return stores;
}
