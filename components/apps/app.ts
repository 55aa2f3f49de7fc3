import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppSettings } from "../config";
import { createServiceContainer, withExtraEnv } from "../docker/service";
import { dockerName } from "../naming";
import type { DatabaseCredentials } from "../postgres/postgres";
import { generatedPassword } from "../secrets/random";

export interface BusinessAppArgs {
    readonly stack: string;
    readonly app: AppSettings;
    readonly provider: docker.Provider;
    readonly edgeNetwork: pulumi.Input<string>;
    readonly dataNetwork: pulumi.Input<string>;
    /** Its MySQL database, when `database: true`. */
    readonly database?: DatabaseCredentials;
    /** Values of the secret config keys its `secretEnv` names. */
    readonly secretValues: Readonly<Record<string, pulumi.Output<string>>>;
    /** OAuth settings ("KEY=value") from the SSO component, when `sso` is set. */
    readonly ssoEnv?: pulumi.Input<pulumi.Input<string>[]>;
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** Length of secrets generated for `generatedSecrets` (session keys and the like). */
const APP_SECRET_LENGTH = 48;

/**
 * A business web app from `nexora:apps`: one container on the edge network (and the data
 * network when it has a database), its env assembled from config, generated secrets, its
 * database and its SSO client.
 */
export class BusinessApp extends pulumi.ComponentResource {
    readonly containerName: string;
    readonly container: docker.Container;

    constructor(name: string, args: BusinessAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("nexora:apps:BusinessApp", name, {}, opts);
        const app = args.app;
        this.containerName = dockerName(args.stack, app.key);
        const env: pulumi.Input<string>[] = Object.entries(app.env).map(([k, v]) => `${k}=${v}`);
        for (const [envName, configKey] of Object.entries(app.secretEnv)) {
            const value = args.secretValues[configKey];
            // Config validation guarantees it; a wiring bug must not ship "KEY=undefined".
            if (value === undefined) throw new Error(`app ${app.key}: secret config key nexora:${configKey} (for ${envName}) was not passed in`);
            env.push(pulumi.interpolate`${envName}=${value}`);
        }
        for (const envName of app.generatedSecrets) {
            const secret = generatedPassword(`${name}-${envName.toLowerCase().replace(/_/g, "-")}`, this, APP_SECRET_LENGTH);
            env.push(pulumi.interpolate`${envName}=${secret.result}`);
        }
        if (args.database) {
            const db = args.database;
            env.push(`DB_HOST=${db.host}`, `DB_PORT=${db.port}`, `DB_NAME=${db.database}`, `DB_USER=${db.username}`);
            env.push(pulumi.interpolate`DB_PASSWORD=${db.password}`);
        }
        // Sorted: the order of config keys must not replace the container.
        const envs = withExtraEnv(env, args.ssoEnv).apply((entries) => [...entries].sort());
        this.container = createServiceContainer(
            name,
            {
                stack: args.stack,
                service: app.key,
                role: "app",
                containerName: this.containerName,
                image: app.image,
                envs,
                networks: args.database ? [args.edgeNetwork, args.dataNetwork] : [args.edgeNetwork],
                // Apps finish in-flight requests and close their database connections.
                stopGraceSeconds: 30,
                healthcheck: {
                    // App images differ in tooling: use whichever HTTP client the image has.
                    test: [
                        "CMD-SHELL",
                        `wget -q --spider http://127.0.0.1:${app.port}${app.healthPath} || curl -fsS -o /dev/null http://127.0.0.1:${app.port}${app.healthPath} || exit 1`,
                    ],
                    startPeriodSeconds: 60,
                },
                memoryMiB: app.memoryMiB,
            },
            this,
            { provider: args.provider, dependsOn: args.dependsOn },
        ).container;
        this.registerOutputs({ containerName: this.containerName });
    }
}
