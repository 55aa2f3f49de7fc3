/**
 * Values shipped as defaults or examples by the software on the platform, and the generic ones
 * everybody tries first. zxcvbn scores some of them as fair or strong (minioadmin,
 * generate_a_new_key), so they are rejected as whole values (case-insensitively) on their own.
 */
export const VENDOR_DEFAULTS: readonly string[] = Object.freeze([
    // generic first guesses
    "admin",
    "administrator",
    "root",
    "toor",
    "password",
    "passw0rd",
    "p@ssw0rd",
    "secret",
    "changeme",
    "change_me",
    "changeit",
    "default",
    "guest",
    "test",
    "letmein",
    "welcome",
    "admin123",
    "adminadmin",
    "123456",
    "12345678",
    "qwerty",
    // PostgreSQL / MySQL / MariaDB / Redis images and their docs
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "example",
    "my-secret-pw",
    // GitLab (the old omnibus root default, the product name)
    "5iveL!fe",
    "gitlab",
    "gitlab-ce",
    // Outline's .env.sample placeholder for SECRET_KEY / UTILS_SECRET
    "generate_a_new_key",
    "outline",
    // MinIO, Grafana, Mattermost sample credentials; product names of the other services
    "minioadmin",
    "minio123",
    "portainer",
    "grafana",
    "uptime-kuma",
    "uptimekuma",
    "mattermost",
    "mostest",
    "mmuser_password",
    "caddy",
    "frp",
    // this platform's own names
    "nexora",
]);

/** Whole-value, case-insensitive membership in the vendor list or the configured extras. */
export function isDenylisted(value: string, additional: readonly string[] = []): boolean {
    const normalized = value.trim().toLowerCase();
    return VENDOR_DEFAULTS.some((d) => d.toLowerCase() === normalized) || additional.some((d) => d.trim().toLowerCase() === normalized);
}
