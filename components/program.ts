import * as pulumi from "@pulumi/pulumi";
import { readPlatformConfig } from "./config";
import { Platform } from "./platform";

/** The stack outputs: a public contract other tools (monitoring, docs, CI) read. */
export interface StackOutputs {
    readonly environment: string;
    /** Public URL of every routed service and app, by service key. */
    readonly urls: Record<string, string>;
    /** Clone host and port for GitLab over SSH. */
    readonly gitlabSsh: { host: string; port: number };
    /** The HTTP monitors Uptime Kuma should run (it has no write API to create them). */
    readonly monitors: readonly { name: string; url: string; intervalSeconds: number }[];
    /** First-login credentials (secret). */
    readonly adminCredentials: pulumi.Output<Record<string, string>>;
    /** The external Mattermost's GitLab OAuth client (secret), when configured. */
    readonly mattermostOAuth?: pulumi.Output<{ clientId: string; clientSecret: string }>;
}

/** The program: read config, build the platform. `index.ts` exports its outputs; `plan` runs it under mocks. */
export function main(): { platform: Platform; outputs: StackOutputs } {
    const config = readPlatformConfig();
    const platform = new Platform("nexora", config);
    const ssh = platform.routes.tcp[0]!;
    return {
        platform,
        outputs: {
            environment: config.environment,
            urls: { ...platform.urls },
            gitlabSsh: { host: ssh.hostname, port: ssh.remotePort },
            monitors: platform.monitors,
            adminCredentials: platform.adminCredentials,
            mattermostOAuth: platform.mattermostOAuth,
        },
    };
}
