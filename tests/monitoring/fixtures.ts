import type { MonitorInputs } from "../../components/monitoring/monitors";
import { prodTable } from "../edge/fixtures";

/** The monitor inputs of a prod-like stack (one app with a health path, PostgreSQL and Redis, two backup stores). */
export function prodMonitorInputs(overrides: Partial<MonitorInputs> = {}): MonitorInputs {
    return {
        routes: prodTable,
        caddyHost: "nexora-prod-caddy",
        tls: "acme",
        appHealthPaths: { pyerp: "/api/health" },
        dataStores: [
            { name: "postgres", host: "nexora-prod-postgres", port: 5432 },
            { name: "redis", host: "nexora-prod-redis", port: 6379 },
        ],
        backupStores: ["postgres", "gitlab"],
        backupMaxAgeHours: 13,
        diskFreePercent: 10,
        certificateDays: 14,
        overrides: {},
        ...overrides,
    };
}
