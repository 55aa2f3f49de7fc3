/**
 * One compliant stack — the shape the platform program declares — that every policy spec starts
 * from, changing one thing per failing case. Credentials are fresh random values on every call, as
 * RandomPassword would produce them, so no test can pass because of a lucky constant.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { OfflineResource, Violation } from "../../policies/offline";

// RandomPassword's default alphabet: letters, digits and its default special characters.
export const RANDOM_PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%&*()-_=+[]{}<>:?";
const URL_SAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A password like RandomPassword makes: `length` characters drawn uniformly from `alphabet`. */
export function generatePassword(length: number, alphabet = RANDOM_PASSWORD_ALPHABET): string {
    let out = "";
    for (let i = 0; i < length; i++) {
        out += alphabet[randomInt(alphabet.length)];
    }
    return out;
}

const STACK = "dev";
const PROJECT = "nexora";

export function urn(type: string, name: string, parentType?: string): string {
    const qualified = parentType === undefined ? type : `${parentType}$${type}`;
    return `urn:pulumi:${STACK}::${PROJECT}::${qualified}::${name}`;
}

function resource(type: string, name: string, props: Record<string, unknown>, extra: Partial<OfflineResource> = {}): OfflineResource {
    return { urn: urn(type, name), type, name, props, protect: false, ...extra };
}

/** The credentials the compliant stack uses, so tests can reuse or replace them. */
export interface FixtureSecrets {
    readonly postgresPassword: string;
    readonly pyerpDbPassword: string;
    readonly outlineDbPassword: string;
    readonly outlineSecretKey: string;
    readonly gitlabDbPassword: string;
    readonly gitlabRootPassword: string;
    readonly gitlabToken: string;
    readonly cloudflareToken: string;
    readonly redisPassword: string;
    readonly portalDeployToken: string;
}

export function freshSecrets(): FixtureSecrets {
    return {
        postgresPassword: generatePassword(32),
        pyerpDbPassword: generatePassword(32),
        // Goes into a URL: RandomPassword with special: false, as the program does for DSNs.
        outlineDbPassword: generatePassword(32, URL_SAFE_ALPHABET),
        outlineSecretKey: randomBytes(32).toString("hex"),
        gitlabDbPassword: generatePassword(32),
        gitlabRootPassword: generatePassword(32),
        gitlabToken: `glpat-${generatePassword(20, URL_SAFE_ALPHABET)}`,
        cloudflareToken: generatePassword(40, URL_SAFE_ALPHABET),
        redisPassword: generatePassword(32, URL_SAFE_ALPHABET),
        // Masked CI/CD variables take GitLab's restricted alphabet.
        portalDeployToken: generatePassword(32, URL_SAFE_ALPHABET),
    };
}

const CONTAINER = "docker:index/container:Container";

/** A realistic small dev stack that passes the whole pack. */
export function compliantStack(secrets: FixtureSecrets = freshSecrets()): OfflineResource[] {
    const omnibus = [
        "external_url 'https://dev-gitlab.nexora.restry.cn'",
        "nginx['listen_port'] = 80",
        "nginx['listen_https'] = false",
        "letsencrypt['enable'] = false",
        "postgresql['enable'] = false",
        "gitlab_rails['db_host'] = 'postgres'",
        "gitlab_rails['db_port'] = 5432",
        "gitlab_rails['db_username'] = 'gitlab'",
        `gitlab_rails['db_password'] = '${secrets.gitlabDbPassword.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
        "gitlab_rails['db_database'] = 'gitlabhq_production'",
        `gitlab_rails['initial_root_password'] = '${secrets.gitlabRootPassword.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
        "gitlab_rails['gitlab_shell_ssh_port'] = 2222",
    ].join("\n");
    return [
        resource("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`, {}),
        resource("pulumi:providers:gitlab", "gitlab-admin", { baseUrl: "https://dev-gitlab.nexora.restry.cn/api/v4/", token: secrets.gitlabToken }),
        resource("pulumi:providers:cloudflare", "cloudflare-dns", { apiToken: secrets.cloudflareToken }),
        resource("docker:index/network:Network", "data-network", { name: "nexora-dev-data", internal: true, attachable: false }),
        resource("docker:index/network:Network", "edge-network", { name: "nexora-dev-edge", internal: false }),
        resource("docker:index/volume:Volume", "postgres-data", { name: "nexora-dev-postgres-data" }, { protect: true }),
        resource("random:index/randomPassword:RandomPassword", "postgres-password", { length: 32, special: true }),
        resource("random:index/randomString:RandomString", "name-suffix", { length: 6, special: false, upper: false, result: "k3x9qa" }),
        resource("docker:index/remoteImage:RemoteImage", "postgres-image", { name: "postgres:16.6-bookworm", keepLocally: true }),
        resource(CONTAINER, "postgres", {
            name: "nexora-dev-postgres",
            image: "postgres:16.6-bookworm",
            envs: ["POSTGRES_USER=nexora_admin", `POSTGRES_PASSWORD=${secrets.postgresPassword}`, "PGDATA=/var/lib/postgresql/data/pgdata"],
            networksAdvanced: [{ name: "nexora-dev-data", aliases: ["postgres"] }],
            mounts: [{ type: "volume", source: "nexora-dev-postgres-data", target: "/var/lib/postgresql/data" }],
            labels: [
                { label: "nexora.service", value: "postgres" },
                { label: "nexora.role", value: "datastore" },
            ],
            restart: "unless-stopped",
        }),
        resource(CONTAINER, "redis", {
            name: "nexora-dev-redis",
            image: "redis:7.4-alpine",
            command: ["redis-server", "--requirepass", secrets.redisPassword],
            networksAdvanced: [{ name: "nexora-dev-data", aliases: ["redis"] }],
            labels: [{ label: "nexora.service", value: "redis" }],
        }),
        resource(CONTAINER, "pyerp", {
            name: "nexora-dev-pyerp",
            image: "registry.nexora.restry.cn/apps/pyerp:1.8.2",
            envs: ["DB_HOST=postgres", "DB_PORT=5432", "DB_NAME=pyerp", "DB_USER=pyerp", `DB_PASSWORD=${secrets.pyerpDbPassword}`, "TZ=Asia/Shanghai"],
            networksAdvanced: [
                { name: "nexora-dev-data", aliases: ["pyerp"] },
                { name: "nexora-dev-edge", aliases: ["pyerp"] },
            ],
            labels: [{ label: "nexora.service", value: "pyerp" }],
        }),
        resource(CONTAINER, "outline", {
            name: "nexora-dev-outline",
            image: "outlinewiki/outline:0.82.0",
            envs: [
                "URL=https://dev-outline.nexora.restry.cn",
                "PORT=3000",
                `DATABASE_URL=postgres://outline:${secrets.outlineDbPassword}@postgres:5432/outline`,
                "PGSSLMODE=disable",
                `REDIS_URL=redis://:${secrets.redisPassword}@redis:6379`,
                `SECRET_KEY=${secrets.outlineSecretKey}`,
                "FILE_STORAGE=local",
                "OIDC_AUTH_URI=https://dev-gitlab.nexora.restry.cn/oauth/authorize",
                "OIDC_TOKEN_URI=https://dev-gitlab.nexora.restry.cn/oauth/token",
            ],
            networksAdvanced: [
                { name: "nexora-dev-data", aliases: ["outline"] },
                { name: "nexora-dev-edge", aliases: ["outline"] },
            ],
            labels: [{ label: "nexora.service", value: "outline" }],
        }),
        resource(CONTAINER, "gitlab", {
            name: "nexora-dev-gitlab",
            image: "gitlab/gitlab-ce:18.11.2-ce.0",
            envs: [`GITLAB_OMNIBUS_CONFIG=${omnibus}`],
            ports: [{ internal: 22, external: 2222 }],
            networksAdvanced: [
                { name: "nexora-dev-data", aliases: ["gitlab"] },
                { name: "nexora-dev-edge", aliases: ["gitlab"] },
            ],
            shmSize: 256,
            labels: [{ label: "nexora.service", value: "gitlab" }],
        }),
        resource(CONTAINER, "portainer", {
            name: "nexora-dev-portainer",
            image: "portainer/portainer-ce:2.27.3",
            command: ["--http-enabled", "--admin-password-file", "/run/secrets/portainer-admin"],
            mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }],
            networksAdvanced: [{ name: "nexora-dev-edge", aliases: ["portainer"] }],
            labels: [{ label: "nexora.service", value: "portainer" }],
        }),
        resource(
            "gitlab:index/application:Application",
            "outline-oauth",
            {
                name: "Outline (dev)",
                redirectUrl: "https://dev-outline.nexora.restry.cn/auth/oidc.callback",
                scopes: ["openid", "profile", "email"],
                confidential: true,
            },
            { provider: `${urn("pulumi:providers:gitlab", "gitlab-admin")}::5e1f0c4a-provider-id` },
        ),
        resource(
            "gitlab:index/project:Project",
            "product-portal",
            { name: "nexora-portal", path: "nexora-portal", namespaceId: 41, visibilityLevel: "private", defaultBranch: "main" },
            { protect: true },
        ),
        resource("gitlab:index/projectVariable:ProjectVariable", "product-portal-var-DEPLOY_TOKEN", {
            project: "913798",
            key: "DEPLOY_TOKEN",
            value: secrets.portalDeployToken,
            masked: true,
            protected: true,
            environmentScope: "*",
        }),
        resource("gitlab:index/projectVariable:ProjectVariable", "product-portal-var-SITE_TITLE", {
            project: "913798",
            key: "SITE_TITLE",
            value: "Nexora",
            masked: false,
            protected: false,
            environmentScope: "*",
        }),
        resource("command:local:Command", "outline-database", {
            create: "psql -h postgres -U nexora_admin -c 'CREATE DATABASE outline'",
            environment: { PGUSER: "nexora_admin", PGPASSWORD: secrets.postgresPassword },
        }),
    ];
}

/** A deep copy of `resources` with `change` applied to the props of the resource named `name`. */
export function withChange(resources: readonly OfflineResource[], name: string, change: (r: OfflineResource) => void): OfflineResource[] {
    const copy = structuredClone(resources) as OfflineResource[];
    const targets = copy.filter((r) => r.name === name);
    if (targets.length !== 1) {
        throw new Error(`fixture has ${targets.length} resources named ${name}`);
    }
    const target = targets[0];
    change(target);
    return copy;
}

/** Replaces (or adds) one env entry of a container. */
export function setEnv(r: OfflineResource, key: string, value: string): void {
    const envs = ((r.props.envs as string[] | undefined) ?? []).filter((e) => !e.startsWith(`${key}=`) && e !== key);
    envs.push(`${key}=${value}`);
    r.props.envs = envs;
}

/** The distinct policy names of a violation list, sorted. */
export function policiesOf(violations: readonly Violation[]): string[] {
    return [...new Set(violations.map((v) => v.policy))].sort();
}

/** The violations of `policy` only. */
export function of(violations: readonly Violation[], policy: string): Violation[] {
    return violations.filter((v) => v.policy === policy);
}

/** Renames a resource in place, URN included (the URN ends with the name). */
export function rename(r: OfflineResource, name: string): void {
    r.urn = r.urn.slice(0, r.urn.length - r.name.length) + name;
    r.name = name;
}
