/** A claw-bot-like Compose deployment as `docker inspect` shows it: the adoption tests' input. */
import type { Discovery, InspectedContainer, InspectedVolume } from "../../tools/adopt/plan";

export const WEAK = "claw123";
/** The Compose Outline's OAuth client secret (GitLab generated it): carried over with an imported application. */
export const OUTLINE_CLIENT_SECRET = "gloas-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

function container(name: string, image: string, service: string, mounts: [string, string][], env: string[] = [], project = "claw"): InspectedContainer {
    return {
        Id: `${name}-id`,
        Name: `/${name}`,
        Config: {
            Image: image,
            Env: env,
            Labels: project ? { "com.docker.compose.project": project, "com.docker.compose.service": service } : {},
        },
        State: { Status: "running" },
        Mounts: mounts.map(([source, destination]) => ({ Type: "volume", Name: source, Destination: destination })),
        NetworkSettings: { Ports: service === "caddy" ? { "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "443" }] } : {}, Networks: { claw_default: {} } },
    };
}

export function clawBot(): Discovery {
    const containers = [
        container(
            "claw_postgres_1",
            "postgres:16",
            "postgres",
            [["claw_pgdata", "/var/lib/postgresql/data"]],
            [`POSTGRES_PASSWORD=${WEAK}`, "POSTGRES_USER=postgres"],
        ),
        container("claw_mysql_1", "mysql:8.0", "mysql", [["claw_mysqldata", "/var/lib/mysql"]], [`MYSQL_ROOT_PASSWORD=${WEAK}`]),
        container("claw_redis_1", "redis:7", "redis", [["claw_redisdata", "/data"]]),
        container("claw_caddy_1", "caddy:2.8", "caddy", [
            ["claw_caddy_data", "/data"],
            ["claw_caddy_config", "/config"],
        ]),
        container(
            "claw_gitlab_1",
            "gitlab/gitlab-ce:17.5.1-ce.0",
            "gitlab",
            [
                ["claw_gitlab_config", "/etc/gitlab"],
                ["claw_gitlab_data", "/var/opt/gitlab"],
                ["claw_gitlab_logs", "/var/log/gitlab"],
            ],
            [`GITLAB_ROOT_PASSWORD=${WEAK}`],
        ),
        container(
            "claw_outline_1",
            "outlinewiki/outline:0.80",
            "outline",
            [["claw_outline_data", "/var/lib/outline/data"]],
            [`SECRET_KEY=${WEAK}`, `OIDC_CLIENT_SECRET=${OUTLINE_CLIENT_SECRET}`],
        ),
        container("claw_uptime_1", "louislam/uptime-kuma:1", "uptime", [["claw_uptime", "/app/data"]]),
        container("claw_portainer_1", "portainer/portainer-ce:2.21", "portainer", [["claw_portainer", "/data"]]),
        container("claw_portal_1", "nginx:1.27", "portal", [["claw_portal", "/usr/share/nginx/html"]]),
        container("claw_pyerp_1", "registry.example/pyerp:3", "pyerp", [], [`DB_PASSWORD=${WEAK}`]),
        container("mailrelay", "alpine:3.20", "", [["mailrelay_spool", "/spool"]], [`RELAY_TOKEN=${WEAK}`], ""),
    ];
    const volumes = [...new Set(containers.flatMap((c) => (c.Mounts ?? []).map((m) => m.Name!)))].map((Name): InspectedVolume => ({
        Name,
        Driver: "local",
        Labels: Name.startsWith("claw_")
            ? ({ "com.docker.compose.project": "claw", "com.docker.compose.volume": Name.slice(5) } as Record<string, string>)
            : {},
    }));
    return {
        containers,
        volumes: [...volumes, { Name: "orphan_cache", Driver: "local", Labels: {} }],
        networks: [
            { Name: "bridge", Id: "b", Labels: {} },
            { Name: "claw_default", Id: "n1", Labels: { "com.docker.compose.project": "claw" } },
        ],
        databases: {
            postgres: {
                container: "claw_postgres_1",
                superuser: "postgres",
                databases: ["gitlab", "outline", "legacy_wiki"],
                roles: ["gitlab", "outline", "postgres", "wiki"],
            },
            mysql: { container: "claw_mysql_1", databases: ["pyerp", "xylferp", "scratch"], users: ["pyerp@%", "root@%", "xylferp@%"] },
        },
    };
}
