import { describe, expect, it } from "vitest";
import { stackPlan } from "../support/plans";

/**
 * A volume's URN is its identity in state: a changed URN is a delete + create, which for a
 * volume means losing its data (protect stops the plan; retainOnDelete leaves it orphaned).
 * These URNs may only change together with an `aliases` entry for the old one.
 */
const PROD_VOLUME_URNS = [
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:postgres:Postgres$docker:index/volume:Volume::postgres-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:redis:Redis$docker:index/volume:Volume::redis-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:mysql:Mysql$docker:index/volume:Volume::mysql-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:gitlab:Gitlab$docker:index/volume:Volume::gitlab-config",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:gitlab:Gitlab$docker:index/volume:Volume::gitlab-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:gitlab:Gitlab$docker:index/volume:Volume::gitlab-logs",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:edge:Caddy$docker:index/volume:Volume::caddy-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:edge:Caddy$docker:index/volume:Volume::caddy-config",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:edge:Caddy$docker:index/volume:Volume::caddy-etc",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:edge:Tunnel$docker:index/volume:Volume::frpc-config",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:portainer:Portainer$docker:index/volume:Volume::portainer-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:outline:Outline$docker:index/volume:Volume::outline-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:monitoring:UptimeKuma$docker:index/volume:Volume::uptime-data",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:portal:Portal$docker:index/volume:Volume::portal-content",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:backup:Backup$docker:index/volume:Volume::backup-repo",
    "urn:pulumi:prod::nexora::nexora:platform:Platform$nexora:backup:Backup$docker:index/volume:Volume::backup-spool",
];

describe("volume URNs", () => {
    it("stay exactly as deployed in prod", async () => {
        const plan = await stackPlan("prod");
        const urns = plan.resources.filter((r) => r.type === "docker:index/volume:Volume").map((r) => r.urn);
        expect([...urns].sort()).toEqual([...PROD_VOLUME_URNS].sort());
    });
});
