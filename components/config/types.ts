// The shapes of a stack's validated config: settings, per-app settings, the ConfigError that names keys.
import * as pulumi from "@pulumi/pulumi";
import { type RouteTable } from "../edge/types";
import { type PlatformFeatures } from "../features";
import { ImageName } from "../images";
import { type OAuthScope } from "../sso/consumers";
import { type BackupSecrets, type BackupSettings } from "./backup";
import { type GitlabGroupSettings, type ProductSettings } from "./products";
import { type MonitoringSettings } from "./monitoring";
import { type AdoptionImports } from "./adoption";

export const CONFIG_NAMESPACE = "nexora";

export type Environment = "dev" | "staging" | "prod";
export const environments: readonly Environment[] = ["dev", "staging", "prod"];
export type TlsMode = "acme" | "internal";

/** Scopes an app may ask for in config: sign-in and read access only; write scopes need code review. */
export const APP_OAUTH_SCOPES: readonly OAuthScope[] = ["openid", "profile", "email", "read_user", "read_api"];

export interface AppSsoSettings {
    /** Path on the app's own hostname GitLab redirects back to, e.g. "/oauth/callback". */
    readonly redirectPath: string;
    /** @default ["openid", "profile", "email"] */
    readonly scopes: readonly OAuthScope[];
}

/** One business web app from `nexora:apps`: its container, optional MySQL database, route and SSO. */
export interface AppSettings {
    /** Catalog key (the key under `nexora:apps`), also the container's service label. */
    readonly key: string;
    /** The `{service}` part of its hostname. @default the key */
    readonly subdomain: string;
    readonly image: string;
    /** Port the app listens on inside its container. */
    readonly port: number;
    /** HTTP path answering 2xx when the app is healthy. @default "/" */
    readonly healthPath: string;
    /** Plain environment variables. */
    readonly env: Readonly<Record<string, string>>;
    /** Environment variables filled from secret stack config: ENV name → config key under `nexora:`. */
    readonly secretEnv: Readonly<Record<string, string>>;
    /** Environment variables filled with a generated 48-character secret. */
    readonly generatedSecrets: readonly string[];
    /** Gets a database + user on the consolidated MySQL (DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD). */
    readonly database: boolean;
    /** Gets a GitLab OAuth application (OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_ISSUER). */
    readonly sso?: AppSsoSettings;
    /** Memory limit in MiB. @default no limit */
    readonly memoryMiB?: number;
    /**
     * Set when `image` is `@project:<tag>`: the image is the product project's own in this stack's
     * GitLab registry (`image` then holds the resolved reference), pulled with the product's deploy token.
     */
    readonly registry?: { readonly product: string; readonly address: string };
    /** Seconds a release waits for the new container to pass its health check before it is refused. @default 180 */
    readonly releaseTimeoutSeconds: number;
}

/** GitLab content: groups, products (one project each) and the ops bot's webhook. */
export interface GitlabContentSettings {
    readonly groups: readonly GitlabGroupSettings[];
    readonly products: readonly ProductSettings[];
    /** The ops bot's webhook endpoint; "" = no hooks. */
    readonly hookUrl: string;
}

export interface DnsSettings {
    readonly enabled: boolean;
    /** Cloudflare zone (domain) the records go in; its id is looked up. */
    readonly zone: string;
    /** Public IPv4 of the relay host running frps. */
    readonly relayAddress: string;
    /** Cloudflare proxy (orange cloud) for the web hostnames; the SSH name is always DNS-only. */
    readonly proxied: boolean;
}

export interface TunnelSettings {
    readonly enabled: boolean;
    readonly serverAddr: string;
    readonly serverPort: number;
    /** Port frps opens on the relay for this stack's GitLab SSH; unique per stack. */
    readonly sshRemotePort: number;
}

/** Host ports published by this stack (0 = not published). Only for stacks without a tunnel. */
export interface PublishSettings {
    readonly http: number;
    readonly https: number;
    readonly ssh: number;
}

/** Review environments hosted by this stack (`npm run review`): off unless `reviewsEnabled`. */
export interface ReviewSettings {
    /** The stack's Caddyfile imports review site snippets and its frpc.toml includes review proxies. */
    readonly enabled: boolean;
    /** How many review environments may run on this host at once. */
    readonly maxConcurrent: number;
    /** Memory limit of each review's app container, in MiB. */
    readonly memoryMiB: number;
}

/** Plain, validated settings: everything but secret values. */
export interface PlatformSettings {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly baseDomain: string;
    /** Hostname pattern with `{service}` (and optionally `{domain}`), e.g. "staging-{service}.{domain}". */
    readonly hostnamePattern: string;
    /** Docker host: `unix:///var/run/docker.sock` or `ssh://user@host`. */
    readonly dockerHost: string;
    readonly tls: TlsMode;
    readonly acmeEmail: string;
    /** Subnets of the stack's two Docker networks; distinct per stack on one host. */
    readonly edgeSubnet: string;
    readonly dataSubnet: string;
    readonly publish: PublishSettings;
    readonly dns: DnsSettings;
    readonly tunnel: TunnelSettings;
    /** Which platform services run. PostgreSQL and Redis always run: they are the data stores. */
    readonly features: PlatformFeatures;
    readonly images: Readonly<Record<ImageName, string>>;
    /** Public URL of the external Mattermost that gets a GitLab OAuth app; "" = none. */
    readonly mattermostUrl: string;
    /** Change to rotate the generated GitLab admin API token. */
    readonly gitlabTokenRotation: string;
    readonly apps: readonly AppSettings[];
    readonly gitlabContent: GitlabContentSettings;
    /** Names of the secret config keys that were set (values are never kept here). */
    readonly secretKeysSet: readonly string[];
    readonly backup: BackupSettings;
    readonly monitoring: MonitoringSettings;
    readonly reviews: ReviewSettings;
    /** The stack's route table, built from the settings above and validated with them. */
    readonly routes: RouteTable;
    /** Existing objects outside Docker the stack imports (an adopted Compose deployment's OAuth application and DNS records). */
    readonly adoption: AdoptionImports;
}

/** Settings plus the secret values, wrapped as secret Outputs. */
export interface PlatformConfig extends PlatformSettings {
    readonly secrets: {
        /** frps auth token; present when the tunnel is on. */
        readonly frpToken?: pulumi.Output<string>;
        /** API token of an existing GitLab; when absent the program creates one. */
        readonly gitlabApiToken?: pulumi.Output<string>;
        /** Values of every secret config key apps reference, by config key. */
        readonly appSecrets: Readonly<Record<string, pulumi.Output<string>>>;
        /** Values of every secret config key product variables reference, by config key. */
        readonly productSecrets: Readonly<Record<string, pulumi.Output<string>>>;
        /** The ops bot's webhook token; present when gitlabHookUrl is set and products exist. */
        readonly gitlabHookToken?: pulumi.Output<string>;
        /** Secret backup settings that were set (webhook URLs, off-host credentials). */
        readonly backup: BackupSecrets;
        /** The alert webhook URL; present when monitoring is on. */
        readonly alertWebhook?: pulumi.Output<string>;
        /** AutoKuma's Uptime Kuma password; present when uptimeKumaUser is set. */
        readonly uptimeKumaPassword?: pulumi.Output<string>;
        /** Client secret of the imported Outline OAuth application; present with adoptImports.outlineOAuthApplication. */
        readonly adoptOutlineClientSecret?: pulumi.Output<string>;
    };
}

/** One problem with the stack config: the key and what was expected. */
export interface ConfigIssue {
    readonly key: string;
    readonly expected: string;
    /** For a misspelt name: the known name it most likely meant (as written in the stack file). */
    readonly didYouMean?: string;
}

/**
 * Bad stack config. A `RunError` so the Pulumi CLI prints the message without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly issues: readonly ConfigIssue[]) {
        super(
            `invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  - ${i.key}: ${i.didYouMean === undefined ? "" : `did you mean ${i.didYouMean}? `}expected ${i.expected}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
