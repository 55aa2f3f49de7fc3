import { afterEach, describe, expect, it } from "vitest";
import { backupStores } from "../../components/backup/stores";
import { serviceList, services, type ServiceSpec } from "../../components/catalog";
import { SCALAR_DEFAULTS } from "../../components/config/keys";
import { featureKeys, featuresNeedingGitlab, type PlatformFeatures } from "../../components/features";
import { defaultImages, imageNames } from "../../components/images";
import { adoptionTargets } from "../../tools/adopt/targets";
import { settingsOf } from "../support/stacks";

/**
 * A catalog entry is the service's whole descriptor: its feature switch, image pin, PostgreSQL
 * database and backup store are read from it by the config, the images, the backup and the
 * adoption tool. A service added to the catalog (and only there) must show up in each of them.
 */
const catalog = services as unknown as Record<string, ServiceSpec>;

afterEach(() => {
    delete catalog.wiki;
});

const wiki: ServiceSpec = {
    key: "wiki",
    container: "wiki",
    ports: { http: 8080 },
    feature: { configKey: "wikiEnabled", needsGitlab: true },
    image: "example/wiki:1.2.3",
    postgres: { database: "wiki", extensions: ["pg_trgm"] },
    backup: { kind: "volume", pauseDuringBackup: true },
};

describe("a service's catalog entry", () => {
    it("declares each feature switch's config key as a boolean scalar key", () => {
        for (const [feature, key] of Object.entries(featureKeys())) {
            const declared = (SCALAR_DEFAULTS as Record<string, string | undefined>)[key];
            expect({ feature, key, declared }).toEqual({ feature, key, declared: expect.stringMatching(/^(true|false)$/) });
        }
    });

    it("reaches the feature switches, the images, the backup's stores and the adoption targets when a service is added there alone", () => {
        const staging = settingsOf("staging");
        catalog.wiki = wiki;
        expect(featureKeys()).toMatchObject({ wiki: "wikiEnabled" });
        expect(featuresNeedingGitlab()).toContain("wiki");
        expect(imageNames()).toContain("wiki");
        expect(defaultImages()).toMatchObject({ wiki: "example/wiki:1.2.3" });

        const withWiki = { ...staging, features: { ...staging.features, wiki: true } as PlatformFeatures };
        const stores = backupStores(withWiki);
        expect(stores.find((s) => s.key === "postgres")).toMatchObject({ consumers: { wiki: "nexora-staging-wiki" } });
        expect(stores.find((s) => s.key === "wiki")).toEqual({
            key: "wiki",
            kind: "volume",
            volume: "nexora-staging-wiki-data",
            container: "nexora-staging-wiki",
            pauseDuringBackup: true,
        });
        expect(adoptionTargets({ ...withWiki, tunnel: staging.tunnel }).postgresConsumers).toContain("wiki");

        // Switched off, it has neither database nor store.
        const off = backupStores({ ...staging, features: { ...staging.features, wiki: false } as PlatformFeatures });
        expect(off.find((s) => s.key === "postgres")).not.toMatchObject({ consumers: { wiki: expect.anything() } });
        expect(off.map((s) => s.key)).not.toContain("wiki");
    });

    it("keeps the stores' and databases' deployed names: the catalog's container and database names, in backup order", () => {
        const stores = backupStores(settingsOf("staging"));
        expect(stores.map((s) => s.key)).toEqual(["postgres", "mysql", "gitlab", "outline", "uptime", "portainer", "grafana", "caddy"]);
        expect(stores.find((s) => s.key === "postgres")).toMatchObject({
            consumers: { gitlab: "nexora-staging-gitlab", outline: "nexora-staging-outline", grafana: "nexora-staging-grafana" },
        });
        expect(serviceList().flatMap((s) => (s.postgres ? [s.postgres.database] : []))).toEqual(["gitlab", "outline", "grafana"]);
    });
});
