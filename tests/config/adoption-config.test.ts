// adoptImports / adoptOutlineClientSecret: the import IDs an adopted Compose deployment brings, validated like every key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { ConfigError, parseSettings, requiredSecretKeys, toPlatformConfig } from "../../components/config";
import { main as plan } from "../../tools/plan/cli";
import { stackFileConfig } from "../support/stacks";
import { prodLikeRaw } from "../support/raw-config";

const ZONE = "0123456789abcdef0123456789abcdef";
const RECORD = "fedcba9876543210fedcba9876543210";
const CLIENT_SECRET = "gloas-4f1c2d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";

/** A prod-like raw config with DNS on. */
const raw = prodLikeRaw;

const secret = (): boolean => true;

function issues(r: Record<string, string>): { key: string; expected: string }[] {
    try {
        parseSettings(r, { project: "nexora", stack: "prod", isSecret: secret });
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

describe("adoptImports", () => {
    it("is empty by default: nothing imported", () => {
        const { settings } = parseSettings(raw(), { project: "nexora", stack: "prod" });
        expect(settings.adoption).toEqual({ dnsRecords: {}, credentials: [] });
        expect(requiredSecretKeys(raw()).map((r) => r.key)).not.toContain("adoptOutlineClientSecret");
    });

    it("carries the Outline application's id (a number or a string of digits) and DNS import IDs by route, with the client secret as a secret", async () => {
        const r = raw({
            adoptImports: JSON.stringify({
                outlineOAuthApplication: 7,
                dnsRecords: { gitlab: `${ZONE}/${RECORD}`, "gitlab-ssh": `${ZONE}/${"1".repeat(32)}` },
            }),
            adoptOutlineClientSecret: CLIENT_SECRET,
        });
        const { settings, secretValues } = parseSettings(r, { project: "nexora", stack: "prod", isSecret: secret });
        expect(settings.adoption).toEqual({
            outlineOAuthApplication: "7",
            dnsRecords: { gitlab: `${ZONE}/${RECORD}`, "gitlab-ssh": `${ZONE}/${"1".repeat(32)}` },
            credentials: [],
        });
        expect(JSON.stringify(settings)).not.toContain(CLIENT_SECRET);
        const config = toPlatformConfig(settings, secretValues);
        const value = await new Promise<string>((resolve) => config.secrets.adoptOutlineClientSecret!.apply((v) => resolve(v)));
        expect(value).toBe(CLIENT_SECRET);
    });

    it("requires the client secret once an Outline application is imported, and refuses it in plaintext", () => {
        const r = raw({ adoptImports: JSON.stringify({ outlineOAuthApplication: "12", dnsRecords: {} }) });
        expect(requiredSecretKeys(r).map((x) => x.key)).toContain("adoptOutlineClientSecret");
        expect(issues(r).map((i) => i.key)).toContain("nexora:adoptOutlineClientSecret");
        const plain = (() => {
            try {
                parseSettings(
                    { ...r, adoptOutlineClientSecret: CLIENT_SECRET },
                    { project: "nexora", stack: "prod", isSecret: (k) => k !== "nexora:adoptOutlineClientSecret" },
                );
            } catch (err) {
                return [...(err as ConfigError).issues];
            }
            return [];
        })();
        expect(plain).toEqual([expect.objectContaining({ key: "nexora:adoptOutlineClientSecret", expected: expect.stringContaining("as a secret") })]);
        // null: nothing imported, nothing required.
        expect(requiredSecretKeys(raw({ adoptImports: JSON.stringify({ outlineOAuthApplication: null }) })).map((x) => x.key)).not.toContain(
            "adoptOutlineClientSecret",
        );
    });

    it("names every bad entry: a non-numeric id, an unknown field, a route without a record, a malformed import ID", () => {
        const found = issues(
            raw({
                adoptImports: JSON.stringify({
                    outlineOAuthApplication: "abc; rm -rf /",
                    dnsRecrods: {},
                    dnsRecords: { nosuch: `${ZONE}/${RECORD}`, gitlab: "zone/record", outline: `${ZONE.toUpperCase()}/${RECORD}` },
                }),
                adoptOutlineClientSecret: CLIENT_SECRET,
            }),
        );
        expect(found.map((i) => i.key).sort()).toEqual(
            [
                "nexora:adoptImports.dnsRecords.gitlab",
                "nexora:adoptImports.dnsRecords.nosuch",
                "nexora:adoptImports.dnsRecords.outline",
                "nexora:adoptImports.dnsRecrods",
                "nexora:adoptImports.outlineOAuthApplication",
            ].sort(),
        );
        // Hostile values are described, never echoed.
        expect(JSON.stringify(found)).not.toContain("rm -rf");
    });

    it("refuses imports of objects the stack does not declare: DNS off, Outline off", () => {
        const dnsOff = issues(raw({ dnsEnabled: "false", adoptImports: JSON.stringify({ dnsRecords: { gitlab: `${ZONE}/${RECORD}` } }) }));
        expect(dnsOff).toEqual([expect.objectContaining({ key: "nexora:adoptImports.dnsRecords.gitlab", expected: expect.stringContaining("dnsEnabled") })]);
        const outlineOff = issues(
            raw({ outlineEnabled: "false", adoptImports: JSON.stringify({ outlineOAuthApplication: "7" }), adoptOutlineClientSecret: CLIENT_SECRET }),
        );
        expect(outlineOff).toEqual([
            expect.objectContaining({ key: "nexora:adoptImports.outlineOAuthApplication", expected: expect.stringContaining("outlineEnabled") }),
        ]);
    });

    it("lists the adopted credentials the program sets, each once, only for services the stack runs", () => {
        const { settings } = parseSettings(raw({ adoptImports: JSON.stringify({ credentials: ["gitlab-root", "portainer-admin"] }) }), {
            project: "nexora",
            stack: "prod",
        });
        expect(settings.adoption.credentials).toEqual(["gitlab-root", "portainer-admin"]);
        const found = issues(
            raw({ portainerEnabled: "false", adoptImports: JSON.stringify({ credentials: ["gitlab-root", "gitlab-root", "mysql-root", "portainer-admin"] }) }),
        );
        expect(found.map((i) => i.key)).toEqual([
            "nexora:adoptImports.credentials[1]",
            "nexora:adoptImports.credentials[2]",
            "nexora:adoptImports.credentials[3]",
        ]);
        expect(issues(raw({ adoptImports: JSON.stringify({ credentials: "gitlab-root" }) })).map((i) => i.key)).toEqual(["nexora:adoptImports.credentials"]);
    });

    it("takes exactly the ID forms the providers import by (property)", () => {
        const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
        fc.assert(
            fc.property(fc.string({ maxLength: 80 }), hex32, hex32, (junk, zone, record) => {
                const good = issues(raw({ adoptImports: JSON.stringify({ dnsRecords: { gitlab: `${zone}/${record}` } }) }));
                expect(good).toEqual([]);
                const valid = /^[0-9a-f]{32}\/[0-9a-f]{32}$/.test(junk);
                const bad = issues(raw({ adoptImports: JSON.stringify({ dnsRecords: { gitlab: junk } }) }));
                expect(bad.length === 0).toBe(valid);
            }),
            { numRuns: 60 },
        );
    });
});

describe("npm run plan with a bad adoptImports", () => {
    const work = mkdtempSync(path.join(tmpdir(), "nexora-adopt-config-"));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it("exits 2 naming the key before registering anything", async () => {
        const file = path.join(work, "bad.yaml");
        writeFileSync(
            file,
            toYaml({ config: { ...stackFileConfig("prod"), "nexora:adoptImports": { outlineOAuthApplication: "x1", dnsRecords: { nosuch: "a/b" } } } }),
        );
        let stdout = "";
        let stderr = "";
        const code = await plan(["prod", "--config", file], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toContain("nexora:adoptImports.outlineOAuthApplication: expected");
        expect(stderr).toContain("nexora:adoptImports.dnsRecords.nosuch: expected");
    });
});
