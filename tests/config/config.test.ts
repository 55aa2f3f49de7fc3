import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";
import { DEFAULT_IMAGES, parseImageRef } from "../../components/images";
import { BUSINESS_APP_SSO_DEFAULT } from "../../components/sso/consumers";
import { prodLikeRaw } from "../support/raw-config";

/** A valid prod-like raw config with one business app. */
function validRaw(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    return prodLikeRaw({
        apps: JSON.stringify({ pyerp: { image: "registry.example.cn/erp/pyerp:1.2.3", port: 8000, database: true } }),
        ...overrides,
    });
}

function issuesOf(raw: Record<string, string>, stack = "prod"): { key: string; expected: string; didYouMean?: string }[] {
    try {
        parseSettings(raw, { project: "nexora", stack });
    } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).issues];
    }
    return [];
}

describe("parseSettings", () => {
    it("accepts a valid config and applies defaults", () => {
        const { settings, secretValues } = parseSettings(validRaw(), { project: "nexora", stack: "prod" });
        expect(settings.baseDomain).toBe("nexora.restry.cn");
        expect(settings.hostnamePattern).toBe("{service}.{domain}");
        expect(settings.images.gitlab).toBe(DEFAULT_IMAGES.gitlab);
        expect(settings.apps).toHaveLength(1);
        expect(settings.apps[0]).toMatchObject({ key: "pyerp", subdomain: "pyerp", port: 8000, database: true, healthPath: "/" });
        expect(settings.secretKeysSet).toEqual(["frpToken"]);
        expect(secretValues.frpToken).toBe("a-strong-relay-token-value-123456");
        expect(Object.isFrozen(settings.apps[0])).toBe(true);
    });

    it("never keeps secret values in the settings it returns", () => {
        const { settings } = parseSettings(validRaw(), { project: "nexora", stack: "prod" });
        expect(JSON.stringify(settings)).not.toContain("a-strong-relay-token-value-123456");
    });

    /**
     * A bad value and the one key it must be reported under. `alsoReported` lists keys the same
     * override legitimately breaks as well; anything else reported is a cascade of the first error.
     */
    type BadCase = [label: string, overrides: Record<string, string | undefined>, key: string, expected: RegExp, alsoReported?: readonly string[]];
    const badCases: BadCase[] = [
        ["environment not matching the stack", { environment: "staging" }, "nexora:environment", /stack's environment/],
        ["unknown key", { enableGrafana: "true" }, "nexora:enableGrafana", /a known key/],
        ["pattern without {service}", { hostnamePattern: "gitlab.{domain}" }, "nexora:hostnamePattern", /\{service\} exactly once/],
        ["pattern yielding a bad hostname", { hostnamePattern: "{service}_x.{domain}" }, "nexora:hostnamePattern", /valid hostnames/],
        // DNS is on in validRaw, and the zone restry.cn does not contain "nexora": a second, real problem.
        ["bad base domain", { baseDomain: "nexora" }, "nexora:baseDomain", /DNS domain/, ["nexora:cloudflareZone"]],
        ["bad docker host", { dockerHost: "claw-bot" }, "nexora:dockerHost", /ssh:\/\/user@host/],
        ["bad tls", { tls: "letsencrypt" }, "nexora:tls", /acme, internal/],
        ["acme without email", { acmeEmail: "" }, "nexora:acmeEmail", /email address/],
        ["bad edge subnet", { edgeSubnet: "172.30.10.0" }, "nexora:edgeSubnet", /CIDR/],
        ["misaligned subnet", { dataSubnet: "172.30.11.7/24" }, "nexora:dataSubnet", /CIDR/],
        ["overlapping subnets", { dataSubnet: "172.30.10.0/25" }, "nexora:dataSubnet", /does not overlap/],
        ["non-boolean flag", { dnsEnabled: "yes" }, "nexora:dnsEnabled", /true or false/],
        ["dns without relay", { relayAddress: "" }, "nexora:relayAddress", /IPv4/],
        ["zone not containing the domain", { cloudflareZone: "example.com" }, "nexora:cloudflareZone", /contains baseDomain/],
        ["tunnel without token", { frpToken: undefined }, "nexora:frpToken", /secret/],
        ["tunnel without ssh port", { sshRemotePort: "0" }, "nexora:sshRemotePort", /relay port/],
        ["port out of range", { frpServerPort: "70000" }, "nexora:frpServerPort", /1-65535/],
        ["tunnel and host ports at once", { publishHttpPort: "8080" }, "nexora:tunnelEnabled", /not both/],
        [
            "duplicate published ports",
            { tunnelEnabled: "false", publishHttpPort: "8080", publishHttpsPort: "8080" },
            "nexora:publishHttpsPort",
            /not already published/,
        ],
        ["bad mattermost url", { mattermostUrl: "http://mm.cn.restry.cn/" }, "nexora:mattermostUrl", /https:\/\/ origin/],
        ["images not a mapping", { images: "[1,2]" }, "nexora:images", /an object/],
        ["unknown image", { images: JSON.stringify({ jenkins: "jenkins/jenkins:2.4" }) }, "nexora:images.jenkins", /known images/],
        ["image on latest", { images: JSON.stringify({ redis: "redis:latest" }) }, "nexora:images.redis", /pinned tag/],
        ["image without a tag", { images: JSON.stringify({ redis: "redis" }) }, "nexora:images.redis", /no tag means latest/],
        ["GitLab 19 on PostgreSQL 16", { images: JSON.stringify({ gitlab: "gitlab/gitlab-ce:19.2.0-ce.0" }) }, "nexora:images.gitlab", /PostgreSQL 17/],
        ["apps not JSON", { apps: "{nope" }, "nexora:apps", /an object/],
        ["app named like a core service", { apps: JSON.stringify({ gitlab: { image: "a/b:1", port: 80 } }) }, "nexora:apps.gitlab", /not a platform service/],
        [
            "app subdomain of a core service",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, subdomain: "www" } }) },
            "nexora:apps.shop.subdomain",
            /not used by a platform service/,
        ],
        ["app with a bad name", { apps: JSON.stringify({ "My App": { image: "a/b:1", port: 80 } }) }, "nexora:apps.My App", /lowercase/],
        ["app without image", { apps: JSON.stringify({ shop: { port: 80 } }) }, "nexora:apps.shop.image", /image reference/],
        ["app with unpinned image", { apps: JSON.stringify({ shop: { image: "a/b", port: 80 } }) }, "nexora:apps.shop.image", /pinned/],
        ["app port out of range", { apps: JSON.stringify({ shop: { image: "a/b:1", port: 0 } }) }, "nexora:apps.shop.port", /1-65535/],
        [
            "app with an unknown field",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, replicas: 2 } }) },
            "nexora:apps.shop.replicas",
            /known app field/,
        ],
        [
            "app health path without slash",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, healthPath: "health" } }) },
            "nexora:apps.shop.healthPath",
            /starting with "\/"/,
        ],
        [
            "app env with a bad name",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, env: { "BAD-NAME": "x" } } }) },
            "nexora:apps.shop.env.BAD-NAME",
            /environment variable name/,
        ],
        [
            "app env overriding managed DB settings",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, database: true, env: { DB_PASSWORD: "x" } } }) },
            "nexora:apps.shop.env.DB_PASSWORD",
            /platform sets/,
        ],
        [
            "app secretEnv naming an unset key",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, secretEnv: { API_KEY: "shopApiKey" } } }) },
            "nexora:apps.shop.secretEnv.API_KEY",
            /pulumi config set --secret shopApiKey/,
        ],
        [
            "app sso with an unknown scope",
            { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, sso: { scopes: ["sudo"] } } }) },
            "nexora:apps.shop.sso.scopes",
            /GitLab scopes/,
        ],
        [
            "two apps on one subdomain",
            { apps: JSON.stringify({ a1: { image: "a/b:1", port: 80, subdomain: "shop" }, a2: { image: "a/b:1", port: 80, subdomain: "shop" } }) },
            "nexora:apps.a2.subdomain",
            /also apps.a1/,
        ],
        ["app memory too small", { apps: JSON.stringify({ shop: { image: "a/b:1", port: 80, memoryMiB: 1 } }) }, "nexora:apps.shop.memoryMiB", /MiB >= 16/],
    ];

    it.each(badCases)("rejects %s, naming that key once and nothing unrelated", (_label, overrides, key, expected, alsoReported = []) => {
        const issues = issuesOf(validRaw(overrides));
        expect(issues.map((i) => i.key).sort(), `issues were: ${JSON.stringify(issues)}`).toEqual([key, ...alsoReported].sort());
        expect(issues.find((i) => i.key === key)!.expected).toMatch(expected);
    });

    // Reported once: a stack-name mismatch is only checked against a valid environment.
    it.each([
        ["missing environment", undefined, /one of dev, staging, prod, got undefined/],
        ["unknown environment", "qa", /one of dev, staging, prod, got "qa"/],
    ] as const)("rejects a %s under nexora:environment, once", (_label, environment, expected) => {
        const issues = issuesOf(validRaw({ environment }));
        expect(issues, `issues were: ${JSON.stringify(issues)}`).toEqual([{ key: "nexora:environment", expected: expect.stringMatching(expected) }]);
    });

    it("reports every problem at once, in one message", () => {
        const raw = validRaw({ tls: "nope", edgeSubnet: "x", apps: JSON.stringify({ gitlab: { image: "a/b:1", port: 1 } }) });
        const err = (() => {
            try {
                parseSettings(raw, { project: "nexora", stack: "prod" });
            } catch (e) {
                return e as ConfigError;
            }
            throw new Error("expected a ConfigError");
        })();
        expect(err.issues.map((i) => i.key)).toEqual(expect.arrayContaining(["nexora:tls", "nexora:edgeSubnet", "nexora:apps.gitlab"]));
        expect(err.message).toMatch(/^invalid stack config \(\d+ problems\):\n {2}- nexora:/);
    });

    it("never prints a secret value in an error", () => {
        const issues = issuesOf(validRaw({ sshRemotePort: "0", frpToken: "s3cr3t-do-not-print-me-0000" }));
        expect(JSON.stringify(issues)).not.toContain("s3cr3t-do-not-print-me");
    });

    it("gives a business app with sso: true the business-app SSO default, and fills an omitted field from it", () => {
        const appsOf = (sso: unknown) => JSON.stringify({ shop: { image: "a/b:1", port: 80, sso } });
        const shop = (sso: unknown) =>
            parseSettings(validRaw({ apps: appsOf(sso), gitlabEnabled: "true" }), { project: "nexora", stack: "prod" }).settings.apps[0]!;
        expect(shop(true).sso).toEqual(BUSINESS_APP_SSO_DEFAULT);
        expect(shop({ scopes: ["openid"] }).sso).toEqual({ redirectPath: BUSINESS_APP_SSO_DEFAULT.redirectPath, scopes: ["openid"] });
        expect(shop({ redirectPath: "/login/callback" }).sso).toEqual({ redirectPath: "/login/callback", scopes: BUSINESS_APP_SSO_DEFAULT.scopes });
    });

    it("suggests the nearest known key, app field or sso field for a misspelt one, and nothing for a name far from all", () => {
        const issues = issuesOf(
            validRaw({
                backupShedule: "0 3 * * *",
                DNSenabled: "true",
                xyz: "1",
                apps: JSON.stringify({ ledger: { image: "registry.example.cn/ledger:1.0.0", prot: 8080, sso: { scope: ["openid"] } } }),
            }),
        );
        const issue = (key: string) => issues.find((i) => i.key === key);
        expect(issue("nexora:backupShedule")).toMatchObject({ didYouMean: "nexora:backupSchedule", expected: expect.stringMatching(/^a known key \(/) });
        expect(issue("nexora:DNSenabled")?.didYouMean).toBe("nexora:dnsEnabled");
        expect(issue("nexora:xyz")).toMatchObject({ expected: expect.stringMatching(/^a known key \(/) });
        expect(issue("nexora:xyz")).not.toHaveProperty("didYouMean");
        expect(issue("nexora:apps.ledger.prot")?.didYouMean).toBe("port");
        expect(issue("nexora:apps.ledger.sso.scope")?.didYouMean).toBe("scopes");
        // The message puts the suggestion before the long list of known keys.
        expect(() => parseSettings(validRaw({ backupShedule: "0 3 * * *" }), { project: "nexora", stack: "prod" })).toThrow(
            /- nexora:backupShedule: did you mean nexora:backupSchedule\? expected a known key \(/,
        );
    });

    it("refuses two apps whose generated secrets would get one resource name, naming both apps and variables", () => {
        const apps = {
            ledger: { image: "registry.example.cn/ledger:1.0.0", port: 8080, generatedSecrets: ["A_KEY"] },
            "ledger-a": { image: "registry.example.cn/ledger:1.0.0", port: 8080, generatedSecrets: ["KEY"] },
        };
        const issues = issuesOf(validRaw({ apps: JSON.stringify(apps) }));
        expect(issues).toHaveLength(1);
        expect(issues[0]!.key).toBe("nexora:apps.ledger-a.generatedSecrets");
        expect(issues[0]!.expected).toContain('ledger-a + KEY and ledger + A_KEY both name a secret "ledger-a-key"');
    });

    it("refuses the Docker-name collision of stack dev + app x-ledger with stack dev-x + app ledger, from either side", () => {
        const devRaw = (appKey: string) =>
            validRaw({
                environment: "dev",
                tls: "internal",
                dnsEnabled: "false",
                tunnelEnabled: "false",
                apps: JSON.stringify({ [appKey]: { image: "registry.example.cn/ledger:1.0.0", port: 8080 } }),
            });
        const issuesWith = (raw: Record<string, string>, stack: string, siblingStacks: { stack: string; appKeys: string[] }[]) => {
            try {
                parseSettings(raw, { project: "nexora", stack, siblingStacks });
            } catch (err) {
                return [...(err as ConfigError).issues];
            }
            return [];
        };
        // Planning dev, whose app x-ledger would be nexora-dev-x-ledger: stack dev-x's ledger.
        const fromDev = issuesWith(devRaw("x-ledger"), "dev", [{ stack: "dev-x", appKeys: ["ledger"] }]);
        expect(fromDev.map((i) => i.key)).toEqual(["nexora:apps.x-ledger"]);
        expect(fromDev[0]!.expected).toContain("stack dev-x owns the Docker names nexora-dev-x-");
        // Planning dev-x next to dev's x-ledger.
        const fromDevX = issuesWith(devRaw("ledger"), "dev-x", [{ stack: "dev", appKeys: ["x-ledger"] }]);
        expect(fromDevX.map((i) => i.key)).toEqual(["nexora:(stack name)"]);
        // No sibling with that prefix: nothing to refuse.
        expect(issuesWith(devRaw("x-ledger"), "dev", [{ stack: "staging", appKeys: ["ledger"] }])).toEqual([]);
    });

    it("accepts stacks named after their environment with a suffix", () => {
        expect(issuesOf(validRaw({ environment: "dev", tls: "internal", tunnelEnabled: "false", dnsEnabled: "false" }), "dev-alice")).toEqual([]);
    });

    describe("route table", () => {
        /** A pattern whose sample hostname ("svc") is exactly `sampleLength` long, under nexora.restry.cn. */
        const patternOf = (sampleLength: number): string => {
            const labels: string[] = [];
            let rest = sampleLength - "svc.".length - "nexora.restry.cn".length;
            while (rest > 0) {
                const n = Math.min(63, rest - 1);
                labels.push("x".repeat(n));
                rest -= n + 1;
            }
            return ["{service}", ...labels, "{domain}"].join(".");
        };

        it("is part of the settings, built from them", () => {
            const { settings } = parseSettings(validRaw(), { project: "nexora", stack: "prod" });
            expect(settings.routes.http.map((r) => r.name)).toEqual(["gitlab", "outline", "uptime", "portainer", "portal", "pyerp"]);
            expect(settings.routes.tcp.map((r) => r.remotePort)).toEqual([2222]);
        });

        it("reports a route that is too long under the app's own key, with every other problem", () => {
            const pattern = patternOf(240);
            const issues = issuesOf(
                validRaw({
                    hostnamePattern: pattern,
                    apps: JSON.stringify({ pyerp: { image: "registry.example.cn/erp/pyerp:1.2.3", port: 8000, subdomain: "p".repeat(40) } }),
                    backupSchedule: "every day",
                }),
            );
            expect(issues.map((i) => i.key).sort()).toEqual(["nexora:apps.pyerp.subdomain", "nexora:backupSchedule"]);
            expect(issues.find((i) => i.key === "nexora:apps.pyerp.subdomain")!.expected).toMatch(/valid route: http route #\d+ \(route "pyerp".*253/);
        });

        it("reports a platform route that is too long under hostnamePattern", () => {
            const issues = issuesOf(validRaw({ hostnamePattern: patternOf(250), apps: "{}" }));
            expect(new Set(issues.map((i) => i.key))).toEqual(new Set(["nexora:hostnamePattern"]));
            const routes = issues.map((i) => /route "([a-z]+)"/.exec(i.expected)?.[1]).sort();
            // Subdomains of up to 6 characters fit in 253 (gitlab, uptime, www); outline and portainer do not.
            expect(routes).toEqual(["outline", "portainer"]);
        });
    });
});

describe("parseImageRef", () => {
    it.each([
        ["gitlab/gitlab-ce:18.11.12-ce.0", { repository: "gitlab/gitlab-ce", tag: "18.11.12-ce.0" }],
        ["postgres:16.15-bookworm", { repository: "postgres", tag: "16.15-bookworm" }],
        [
            "registry.cn-hangzhou.aliyuncs.com/nexora-erp/pyerp:1.0",
            { registry: "registry.cn-hangzhou.aliyuncs.com", repository: "nexora-erp/pyerp", tag: "1.0" },
        ],
        ["localhost:5000/app:2", { registry: "localhost:5000", repository: "app", tag: "2" }],
        ["redis", { repository: "redis", tag: undefined }],
    ])("parses %s", (ref, expected) => {
        expect(parseImageRef(ref)).toMatchObject(expected);
    });

    it("rejects malformed references", () => {
        expect(parseImageRef("Redis:7")).toBeUndefined();
        expect(parseImageRef("redis:")).toBeUndefined();
    });

    it("pins every default image", () => {
        for (const ref of Object.values(DEFAULT_IMAGES)) {
            const parsed = parseImageRef(ref);
            expect(parsed?.tag, ref).toBeTruthy();
            expect(parsed?.tag, ref).not.toBe("latest");
        }
    });
});
