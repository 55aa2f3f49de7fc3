/**
 * What a stack's program owns that a Compose deployment's data can move into: its persistent
 * volumes (by the catalog's container names, the names components/docker/volume.ts gives them),
 * its PostgreSQL consumers and its apps' MySQL databases. Read from the stack's settings alone,
 * like backup/stores.ts, so the adoption plan is checked before anything runs.
 */
import type { PlatformSettings } from "../../components/config";
import { runningServices, services, type ServiceKey } from "../../components/catalog";
import { mysqlIdentifier } from "../../components/mysql/mysql";
import { DEFAULT_STOP_GRACE_SECONDS } from "../../components/docker/service";
import { dockerName, type ServiceRole } from "../../components/naming";
import { OUTLINE_DATA_DIR } from "../../components/outline/outline";
import { PORTAL_CONTENT_DIR } from "../../components/portal/portal";

/** One of the program's persistent volumes. */
export interface TargetVolume {
    /** The plan file's key: `<service>-<purpose>`, the volume's logical (URN) name. */
    readonly key: string;
    /** Docker name the program gives it: `nexora-<stack>-<service>-<purpose>`. */
    readonly name: string;
    /** The container (catalog name) that mounts it. */
    readonly service: string;
    /** Where that container mounts it: discovery maps a Compose mount at the same path to it. */
    readonly mountPath: string;
    /**
     * A store whose data the platform cannot do without: a plan that leaves it unmapped while the
     * Compose deployment has one is refused (exit 2).
     */
    readonly required: boolean;
    /** Seconds the program's container gets to shut down (its stopGraceSeconds): the Compose one gets as much. */
    readonly stopGraceSeconds: number;
    /** The kind of store, for the checks recorded at cutover. */
    readonly kind: "postgres" | "mysql" | "redis" | "files";
    /** The owner labels' role (components/naming.ts): the volume is created with exactly the program's labels. */
    readonly role: ServiceRole;
    /**
     * How rollback weighs a files volume's changes since the cutover: "refuse" — users' data, which a
     * rollback would lose (refused unless --force); "report" — what the service writes by itself as it
     * runs (check history, snapshots, sessions), said but no reason to refuse: a rollback that waited
     * for it to stand still would wait forever; "skip" — not compared (Caddy's certificates, which the
     * Compose Caddy renews itself; GitLab's logs).
     */
    readonly rollback: "refuse" | "report" | "skip";
    /**
     * The paths under the mount that hold users' data, when the service keeps its own runtime state
     * beside them (GitLab's data volume: its bundled Redis, Gitaly's runtime files): only these are
     * compared. @default the whole volume
     */
    readonly userDataPaths?: readonly string[];
}

/**
 * Where omnibus GitLab keeps users' data under /var/opt/gitlab by default (gitlab.rb.template:
 * git_data_dirs "default" => /var/opt/gitlab/git-data, gitlab_rails['uploads_directory'] and
 * gitlab_rails['shared_path'], under which artifacts, LFS objects, packages and pages live):
 * the program's gitlab.rb changes none of them.
 */
export const GITLAB_USER_DATA_PATHS = ["git-data", "gitlab-rails/uploads", "gitlab-rails/shared"] as const;

/** Adoption targets of a stack. */
export interface AdoptionTargets {
    readonly stack: string;
    readonly volumes: readonly TargetVolume[];
    /** PostgreSQL consumers (role = database name) the program provisions. */
    readonly postgresConsumers: readonly string[];
    /** MySQL databases (= user names) of the apps, by app key. */
    readonly mysqlApps: Readonly<Record<string, string>>;
    /** Docker names of the stack's containers, by container name (an app's key for an app): what rollback stops. */
    readonly containers: Readonly<Record<string, string>>;
}

// Mount paths and grace periods are the components' (postgres.ts, mysql.ts, redis.ts, caddy.ts,
// gitlab.ts, uptime-kuma.ts, portainer.ts, grafana.ts); tests/adopt/targets.test.ts checks them
// against the components' rendered containers under mocks.
export function adoptionTargets(settings: Pick<PlatformSettings, "stack" | "features" | "apps" | "tunnel">): AdoptionTargets {
    const { stack, features } = settings;
    const volumes: TargetVolume[] = [];
    const add = (
        service: string,
        purpose: string,
        mountPath: string,
        kind: TargetVolume["kind"],
        required: boolean,
        stopGraceSeconds: number,
        rollback: Pick<TargetVolume, "rollback" | "userDataPaths"> = { rollback: "refuse" },
    ) =>
        volumes.push({
            ...rollback,
            key: `${service}-${purpose}`,
            name: dockerName(stack, service, purpose),
            service,
            mountPath,
            required,
            stopGraceSeconds,
            kind,
            role: kind === "files" ? (service === services.caddy.container ? "edge" : "platform") : "datastore",
        });
    const c = (key: ServiceKey) => services[key].container;
    add("postgres", "data", "/var/lib/postgresql/data", "postgres", true, 120);
    add("redis", "data", "/data", "redis", false, 60);
    const mysqlApps = Object.fromEntries(settings.apps.filter((a) => a.database).map((a) => [a.key, mysqlIdentifier(a.key)]));
    if (Object.keys(mysqlApps).length > 0) add("mysql", "data", "/var/lib/mysql", "mysql", true, 120);
    if (features.gitlab) {
        // gitlab-secrets.json lives in config: without it CI variables and 2FA secrets are unreadable.
        add(c("gitlab"), "config", "/etc/gitlab", "files", true, 300);
        add(c("gitlab"), "data", "/var/opt/gitlab", "files", true, 300, { rollback: "refuse", userDataPaths: GITLAB_USER_DATA_PATHS });
        add(c("gitlab"), "logs", "/var/log/gitlab", "files", false, 300, { rollback: "skip" });
    }
    if (features.outline) add(c("outline"), "data", OUTLINE_DATA_DIR, "files", true, 30);
    // Each writes its own database as it runs: Uptime Kuma a heartbeat per check, Portainer its
    // environment snapshots, Grafana sessions and alert state.
    if (features.uptimeKuma) add(c("uptimeKuma"), "data", "/app/data", "files", false, 30, { rollback: "report" });
    if (features.portainer) add(c("portainer"), "data", "/data", "files", false, 30, { rollback: "report" });
    if (features.grafana) add(c("grafana"), "data", "/var/lib/grafana", "files", false, 30, { rollback: "report" });
    // The portal takes the containers' default grace (it serves static files).
    if (features.portal) add(c("portal"), "content", PORTAL_CONTENT_DIR, "files", false, DEFAULT_STOP_GRACE_SECONDS);
    // Caddy's certificates and ACME account: without them every name asks for a new certificate at once.
    add(c("caddy"), "data", "/data", "files", false, 30, { rollback: "skip" });
    const postgresConsumers = runningServices(features).flatMap((s) => (s.postgres ? [s.postgres.database] : []));
    const containers: Record<string, string> = {};
    for (const v of volumes) containers[v.service] = dockerName(stack, v.service);
    for (const app of settings.apps) containers[app.key] = dockerName(stack, app.key);
    // The tunnel holds the public hostnames on the relay: a Compose frpc left running would keep them.
    if (settings.tunnel.enabled) containers[c("frpc")] = dockerName(stack, c("frpc"));
    return { stack, volumes, postgresConsumers, mysqlApps, containers };
}
