import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppSettings } from "../config";
import type { HostContext, HostNetworks } from "../docker/host";
import { createReleasedContainer, type ReleaseArgs } from "../docker/release";
import { withExtraEnv } from "../docker/service";
import { INTERNAL_CA_FILE, type InternalCa, internalCaUploads } from "../edge/internal-ca";
import { dockerName, generatedSecretName } from "../naming";
import type { DatabaseCredentials } from "../postgres/postgres";
import { generatedPassword } from "../secrets/random";
import { isPort, isUrlPathWithQuery, shellWord } from "../validators";

/**
 * What an app needs of its Docker host: the stack (its Docker names), the provider that pulls its
 * image, DOCKER_HOST for the release's gate and Caddy switch, the edge network and the apps-data
 * network (MySQL's, joined with a database). The platform's HostContext, or a review environment's own.
 */
export type AppHost = Pick<HostContext, "stack" | "provider" | "dockerHost"> & { readonly networks: Pick<HostNetworks, "edge" | "appsData"> };

export interface BusinessAppArgs {
    readonly host: AppHost;
    readonly app: AppSettings;
    /** Its MySQL database, when `database: true`. */
    readonly database?: DatabaseCredentials;
    /** Values of the secret config keys its `secretEnv` names. */
    readonly secretValues: Readonly<Record<string, pulumi.Output<string>>>;
    /** OAuth settings ("KEY=value") from the SSO component, when `sso` is set. */
    readonly ssoEnv?: pulumi.Input<pulumi.Input<string>[]>;
    /** Caddy's internal CA, for an SSO app's token exchange with GitLab (`tls internal` stacks). @default none */
    readonly internalCa?: InternalCa;
    /**
     * How Docker health-checks the app: seconds between checks, failures in a row that make it
     * unhealthy (what the healer acts on), and the start grace. @default 30 s, 5, 60 s
     */
    readonly health?: { readonly intervalSeconds: number; readonly retries: number; readonly startSeconds: number };
    /** Caddy's container and its reload, which the release's switch follows. */
    readonly edge: ReleaseArgs["edge"];
    /** The released route's key: the upstream directory in Caddy the release switches. @default the app's key */
    readonly releaseService?: string;
}

/**
 * The app's health check. App images differ in tooling, so it is a shell line trying wget then
 * curl; the URL is one shell word: the config admits only a strict URL-path grammar, and any
 * character the shell reads as syntax (a query's "&" or "?") is single-quoted on top. Paths
 * without such characters stay unquoted, so existing containers see the same test.
 */
export function appHealthcheck(port: number, healthPath: string): string[] {
    if (!isPort(port) || !isUrlPathWithQuery(healthPath)) throw new Error("app health check: port or health path failed validation");
    const url = shellWord(`http://127.0.0.1:${port}${healthPath}`);
    return ["CMD-SHELL", `wget -q --spider ${url} || curl -fsS -o /dev/null ${url} || exit 1`];
}

/** Length of secrets generated for `generatedSecrets` (session keys and the like). */
const APP_SECRET_LENGTH = 48;

/**
 * A business web app from `nexora:apps`: one container on the edge network (and the data
 * network when it has a database), its env assembled from config, generated secrets, its
 * database and its SSO client. Every change is a health-gated release (docker/release.ts).
 */
export class BusinessApp extends pulumi.ComponentResource {
    /** The base of its containers' names; each release adds its id (`<base>-<id>`). */
    readonly containerName: string;
    readonly container: docker.Container;
    /** Passes once the release's container is healthy; Caddy switches to it after. */
    readonly gate: pulumi.Resource;

    constructor(name: string, args: BusinessAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:apps:BusinessApp", name, {}, opts);
        const app = args.app;
        this.containerName = dockerName(args.host.stack, app.key);
        const env: pulumi.Input<string>[] = Object.entries(app.env).map(([k, v]) => `${k}=${v}`);
        for (const [envName, configKey] of Object.entries(app.secretEnv)) {
            const value = args.secretValues[configKey];
            // Config validation guarantees it; a wiring bug must not ship "KEY=undefined".
            if (value === undefined) throw new Error(`app ${app.key}: secret config key nexora:${configKey} (for ${envName}) was not passed in`);
            env.push(pulumi.interpolate`${envName}=${value}`);
        }
        for (const envName of app.generatedSecrets) {
            const secret = generatedPassword(generatedSecretName(name, envName), this, APP_SECRET_LENGTH);
            env.push(pulumi.interpolate`${envName}=${secret.result}`);
        }
        if (args.database) {
            const db = args.database;
            env.push(`DB_HOST=${db.host}`, `DB_PORT=${db.port}`, `DB_NAME=${db.database}`, `DB_USER=${db.username}`);
            env.push(pulumi.interpolate`DB_PASSWORD=${db.password}`);
        }
        // The app's contract (docs/add-app.md, "What the app receives"): trust this CA file for calls to GitLab.
        const internalCa = app.sso ? args.internalCa : undefined;
        if (internalCa) env.push(`OAUTH_CA_FILE=${INTERNAL_CA_FILE}`);
        // Sorted: the order of config keys must not replace the container.
        const envs = withExtraEnv(env, args.ssoEnv).apply((entries) => [...entries].sort());
        // What the component waits for comes in opts.dependsOn (the Pulumi idiom): the container is what waits.
        const release = createReleasedContainer(
            name,
            {
                stack: args.host.stack,
                service: app.key,
                role: "app",
                containerName: this.containerName,
                image: app.image,
                envs,
                networks: args.database ? [args.host.networks.edge, args.host.networks.appsData] : [args.host.networks.edge],
                uploads: internalCaUploads(internalCa),
                // Apps finish in-flight requests and close their database connections.
                stopGraceSeconds: 30,
                healthcheck: {
                    test: appHealthcheck(app.port, app.healthPath),
                    intervalSeconds: args.health?.intervalSeconds ?? 30,
                    retries: args.health?.retries ?? 5,
                    startPeriodSeconds: args.health?.startSeconds ?? 60,
                },
                memoryMiB: app.memoryMiB,
            },
            {
                service: args.releaseService ?? app.key,
                port: app.port,
                timeoutSeconds: app.releaseTimeoutSeconds,
                dockerHost: args.host.dockerHost,
                edge: args.edge,
            },
            this,
            { provider: args.host.provider, dependsOn: opts?.dependsOn },
        );
        this.container = release.container;
        this.gate = release.gate;
        this.registerOutputs({ containerName: this.containerName });
    }
}
