import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { BackupOffsiteSettings, BackupSecrets } from "../config";
import { createServiceContainer } from "../docker/service";
import { persistentVolume } from "../docker/volume";
import { dockerName } from "../naming";
import { generatedPassword } from "../secrets/random";
import { BackupStore, BackupTarget, DATA_PATH, renderManifest, REPO_PATH, Retention, SPOOL_PATH } from "./manifest";
import type { HostContext } from "../docker/host";

/** The script the backup container runs (scheduler, dumps, restic, status, restore). */
export const BACKUP_SCRIPT_PATH = path.join(__dirname, "nexora-backup.sh");
export const BACKUP_SCRIPT_IN_CONTAINER = "/usr/local/bin/nexora-backup";
export const BACKUP_MANIFEST_IN_CONTAINER = "/etc/nexora-backup/manifest.sh";

export interface BackupArgs {
    /** The Docker host: the edge network is the backup's only way out (off-host target, webhook, heartbeat); its socket runs the dumps. */
    readonly host: HostContext;
    /** Pinned docker CLI image the scheduler runs in. */
    readonly image: string;
    /** Pinned restic image restic runs in. */
    readonly resticImage: string;
    /** Five-field cron expression, UTC. */
    readonly schedule: string;
    readonly retention: Retention;
    readonly maxAgeHours: number;
    /** @default no off-host copy */
    readonly offsite?: BackupOffsiteSettings;
    readonly secrets: BackupSecrets;
    /** Every store of the stack to back up, in order. */
    readonly stores: readonly BackupStore[];
    /** The data volume of each volume store, by store key (mounted read-only). */
    readonly volumes: Readonly<Record<string, docker.Volume>>;
}

/**
 * Scheduled, encrypted, deduplicated backups of every store of the stack into restic
 * repositories: a protected local volume, and optionally an off-host SFTP or S3 repository.
 * One container (`nexora-<stack>-backup`) runs the schedule; it has the Docker socket, because
 * the dumps run inside the stores' own containers (pg_dump, mysqldump, gitlab-backup) and restic
 * runs in its pinned image. The repository password is generated here and is a stack output:
 * without it the backups cannot be read.
 */
export class Backup extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;
    /** The restic repository password (secret). Losing it loses every backup. */
    readonly repositoryPassword: pulumi.Output<string>;
    readonly repositoryVolume: docker.Volume;
    /** Dumps in transit, restic's cache, the lock and the status files (metrics.prom under status/). */
    readonly spoolVolume: docker.Volume;
    readonly stores: readonly string[];
    readonly targets: readonly BackupTarget[];
    /** Where the backups go, for people: the schedule (UTC cron), the stores, and each repository. */
    readonly summary: { readonly schedule: string; readonly stores: readonly string[]; readonly targets: Readonly<Record<string, string>> };

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:backup:Backup", name, {}, opts);
        this.containerName = dockerName(args.host.stack, "backup");
        const password = generatedPassword(`${name}-repository-password`, this);
        this.repositoryPassword = password.result;
        // The local repository: protected and retained like every data volume.
        this.repositoryVolume = persistentVolume({ stack: args.host.stack, service: "backup", role: "platform", purpose: "repo" }, this, args.host.provider);
        // Dumps in transit, restore staging, restic's cache and the status files.
        const spool = (this.spoolVolume = persistentVolume(
            { stack: args.host.stack, service: "backup", role: "platform", purpose: "spool" },
            this,
            args.host.provider,
        ));
        const resticImage = new docker.RemoteImage(
            `${name}-restic-image`,
            { name: args.resticImage, keepLocally: true },
            { parent: this, provider: args.host.provider },
        );

        this.targets = [
            { name: "local", repository: REPO_PATH, offHost: false },
            ...(args.offsite ? [{ name: "offsite", repository: args.offsite.repository, offHost: true }] : []),
        ];
        this.stores = args.stores.map((s) => s.key);
        this.summary = {
            schedule: args.schedule,
            stores: this.stores,
            targets: Object.fromEntries(
                this.targets.map((t) => [
                    t.name,
                    t.offHost ? t.repository : `Docker volume ${dockerName(args.host.stack, "backup", "repo")} on the stack's Docker host`,
                ]),
            ),
        };
        const manifest = renderManifest({
            stack: args.host.stack,
            containerName: this.containerName,
            schedule: args.schedule,
            retention: args.retention,
            maxAgeSeconds: args.maxAgeHours * 3600,
            targets: this.targets,
            stores: args.stores,
            resticImage: args.resticImage,
            repoVolume: dockerName(args.host.stack, "backup", "repo"),
            spoolVolume: dockerName(args.host.stack, "backup", "spool"),
            edgeNetwork: args.host.edgeNetworkName,
        });

        const s = args.secrets;
        const envs: pulumi.Input<string>[] = [
            pulumi.interpolate`RESTIC_PASSWORD=${password.result}`,
            ...(s.alertWebhook ? [pulumi.interpolate`NEXORA_BACKUP_ALERT_WEBHOOK=${s.alertWebhook}`] : []),
            ...(s.heartbeatUrl ? [pulumi.interpolate`NEXORA_BACKUP_HEARTBEAT_URL=${s.heartbeatUrl}`] : []),
            ...(s.offsiteAccessKeyId ? [pulumi.interpolate`AWS_ACCESS_KEY_ID=${s.offsiteAccessKeyId}`] : []),
            ...(s.offsiteSecretAccessKey ? [pulumi.interpolate`AWS_SECRET_ACCESS_KEY=${s.offsiteSecretAccessKey}`] : []),
            ...(s.offsiteSshKey ? [pulumi.interpolate`NEXORA_BACKUP_SSH_IDENTITY=${s.offsiteSshKey}`] : []),
            ...(args.offsite?.kind === "sftp" ? [`NEXORA_BACKUP_SSH_KNOWN_HOSTS=${args.offsite.knownHosts}`] : []),
        ];
        const volumeMounts = args.stores.flatMap((store) => {
            if (store.kind !== "volume") return [];
            const volume = args.volumes[store.key];
            if (!volume) throw new Error(`backup: no volume given for store ${store.key}`);
            return [{ volume, target: `${DATA_PATH}/${store.key}`, readOnly: true }];
        });

        this.container = createServiceContainer(
            name,
            {
                stack: args.host.stack,
                service: "backup",
                role: "platform",
                containerName: this.containerName,
                image: args.image,
                entrypoint: [BACKUP_SCRIPT_IN_CONTAINER],
                command: ["serve"],
                envs,
                networks: [args.host.networks.edge],
                volumes: [{ volume: this.repositoryVolume, target: REPO_PATH }, { volume: spool, target: SPOOL_PATH }, ...volumeMounts],
                // Root-equivalent on the host, like Portainer and the runner: it runs the dumps in the
                // stores' containers and restic in its own image.
                binds: [{ source: args.host.socketPath, target: "/var/run/docker.sock" }],
                uploads: [
                    { file: BACKUP_SCRIPT_IN_CONTAINER, content: readFileSync(BACKUP_SCRIPT_PATH, "utf8"), executable: true },
                    { file: BACKUP_MANIFEST_IN_CONTAINER, content: manifest },
                ],
                // Unhealthy when the last cycle failed or a store's last good snapshot is too old. Checked
                // every minute: it only reads the status files, and the first result comes a minute after a start.
                healthcheck: {
                    test: ["CMD", BACKUP_SCRIPT_IN_CONTAINER, "health"],
                    intervalSeconds: 60,
                    timeoutSeconds: 30,
                    retries: 1,
                    startPeriodSeconds: 30,
                },
                // A cycle in progress is abandoned; the next one starts over (restic leaves no partial snapshot).
                stopGraceSeconds: 30,
            },
            this,
            { provider: args.host.provider, dependsOn: [resticImage] },
        ).container;
        this.registerOutputs({ containerName: this.containerName, stores: this.stores });
    }
}
