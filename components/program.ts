import * as pulumi from "@pulumi/pulumi";
import type { Backup } from "./backup/backup";
import { readPlatformConfig } from "./config";
import { gitlabSshRoute } from "./edge/routes";
import type { MonitorSpec } from "./monitoring/uptime-kuma";
import { Platform } from "./platform";

/** The stack outputs: a public contract other tools (monitoring, docs, CI) read. */
export interface StackOutputs {
    readonly environment: string;
    /** Public URL of every routed service and app, by service key. */
    readonly urls: Record<string, string>;
    /** Clone host and port for GitLab over SSH, when the stack routes SSH. */
    readonly gitlabSsh?: { host: string; port: number };
    /** The HTTP monitors Uptime Kuma should run (it has no write API to create them). */
    readonly monitors: readonly MonitorSpec[];
    /** What Prometheus watches and alerts on, when monitoring is on (docs/monitoring.md). */
    readonly watched?: readonly { readonly id: string; readonly kind: string; readonly subject: string }[];
    /** First-login credentials (secret). */
    readonly adminCredentials: pulumi.Output<Record<string, string>>;
    /** The external Mattermost's GitLab login settings (MM_GITLABSETTINGS_*, secret), when configured. */
    readonly mattermostOAuth?: pulumi.Output<Record<string, string>>;
    /** Where the backups go (schedule, stores, repositories), when backups are on. */
    readonly backups?: Backup["summary"];
    /** Password of the backup repositories (secret), when backups are on. Losing it loses the backups. */
    readonly backupRepositoryPassword?: pulumi.Output<string>;
    /**
     * The GitLab admin API token `npm run review` creates a review's OAuth application with
     * (secret), when the stack hosts reviews and runs GitLab. Whoever can decrypt it can decrypt
     * the state that holds it already.
     */
    readonly reviewGitlabToken?: pulumi.Output<string>;
}

/** The program: read config, build the platform. `index.ts` exports its outputs; `plan` runs it under mocks. */
export function main(): { platform: Platform; outputs: StackOutputs } {
    const config = readPlatformConfig();
    const platform = new Platform("nexora", config);
    const ssh = gitlabSshRoute(platform.routes);
    return {
        platform,
        outputs: {
            environment: config.environment,
            urls: { ...platform.urls },
            gitlabSsh: ssh ? { host: ssh.hostname, port: ssh.remotePort } : undefined,
            monitors: platform.monitors,
            watched: platform.watch?.monitors.map((m) => ({ id: m.id, kind: m.kind, subject: m.subject })),
            adminCredentials: platform.adminCredentials,
            mattermostOAuth: platform.mattermostOAuth,
            backups: platform.backup?.summary,
            backupRepositoryPassword: platform.backup ? pulumi.secret(platform.backup.repositoryPassword) : undefined,
            reviewGitlabToken: platform.reviewGitlabToken,
        },
    };
}
