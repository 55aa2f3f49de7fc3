// Pulumi.yaml's config section and docs/configuration.md's config table are generated from the key
// declarations (components/config/keys.ts, `npm run gen:config`): this fails when either file is
// stale, and checks that the generator keeps the rest of each file, that its output is what Pulumi
// and a reader get, and that each declaration says what parseSettings does.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ConfigError, environments, OBJECT_KEYS, parseSettings, SCALAR_DEFAULTS, SECRET_KEYS } from "../../components/config";
import { CONFIG_KEYS, type KeyDeclaration, type ScalarKeyDeclaration } from "../../components/config/keys";
import {
    CONFIG_DOC,
    configSectionText,
    configTableText,
    GENERATE_COMMAND,
    GENERATED_FILES,
    generateConfigDoc,
    generatePulumiYaml,
    PROJECT_FILE,
    TABLE_MARKER,
} from "../../tools/config/generate";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const declared = Object.entries(CONFIG_KEYS) as [string, KeyDeclaration][];
const scalars = declared.filter((e): e is [string, ScalarKeyDeclaration] => e[1].kind === "scalar");

describe("the generated config files", () => {
    for (const [file, generate] of Object.entries(GENERATED_FILES)) {
        it(`${file} is what \`${GENERATE_COMMAND}\` writes from components/config/keys.ts`, () => {
            const current = read(file);
            // toBe on strings shows the diff; the message says what to run.
            expect(current, `${file} is stale: run \`${GENERATE_COMMAND}\` and commit the result`).toBe(generate(current));
        });

        it(`${file}: generating again changes nothing, whatever the generated part held before`, () => {
            const once = generate(read(file));
            expect(generate(once)).toBe(once);
        });
    }

    // The generated file (not the committed one, which the staleness check above covers) is the reference below.
    it("Pulumi.yaml: a config section that was edited by hand, reordered or removed is generated the same", () => {
        const current = generatePulumiYaml(read(PROJECT_FILE));
        const start = current.indexOf("\nconfig:\n") + 1;
        const shuffled = current.slice(0, start) + "config:\n  zzz:\n    type: string\n  environment:\n    type: integer\n";
        expect(generatePulumiYaml(shuffled)).toBe(current);
        // Without a config section (nor its comment), the section goes at the end.
        const commentStart = current.indexOf("# Every key is validated");
        expect(commentStart).toBeGreaterThan(0);
        expect(generatePulumiYaml(current.slice(0, commentStart))).toBe(current);
    });

    it("Pulumi.yaml: keys before and after the config section are kept byte for byte", () => {
        const current = generatePulumiYaml(read(PROJECT_FILE));
        fc.assert(
            fc.property(
                fc.constantFrom("plain", "'single quoted: x'", '"double \\" quoted"', "|\n    a block\n    scalar"),
                fc.stringMatching(/^[ -~]{0,40}$/).map((s) => s.replace(/^\s+|\s+$/g, "")),
                (value, comment) => {
                    const extra = `template:\n  note: ${value}\n# ${comment}\nbackend:\n  url: file://~\n`;
                    const generated = generatePulumiYaml(current + extra);
                    expect(generated).toBe(current + extra);
                    const head = `# ${comment}\n${current}`;
                    expect(generatePulumiYaml(head)).toBe(head);
                },
            ),
            { numRuns: 25 },
        );
    });

    it(`${CONFIG_DOC}: the text around the table is kept byte for byte, and a hand-edited table is replaced whole`, () => {
        const table = configTableText();
        // Lines that cannot continue a table (they do not start with "|").
        const line = fc.stringMatching(/^[^|\n][^\n]{0,30}$/);
        fc.assert(
            fc.property(fc.array(line, { maxLength: 4 }), fc.array(line, { maxLength: 4 }), fc.boolean(), (before, after, marked) => {
                const head = before.length > 0 ? `${before.join("\n")}\n` : "";
                const tail = after.length > 0 ? `\n${after.join("\n")}` : "";
                const stale = `${head}${marked ? `${TABLE_MARKER}\n` : ""}| key | default | meaning |\n|---|---|---|\n| \`old\` | — | gone |\n${tail}`;
                expect(generateConfigDoc(stale)).toBe(`${head}${table}${tail}`);
            }),
            { numRuns: 60 },
        );
    });

    it(`${CONFIG_DOC} without a config table is an error naming the file, not a silent append`, () => {
        expect(() => generateConfigDoc("# Configuration reference\n")).toThrow(CONFIG_DOC);
    });
});

describe("Pulumi.yaml's generated config section", () => {
    const project = parseYaml(configSectionText()) as { config: Record<string, { type: string; default?: unknown; description: string }> };

    const typed = scalars.filter(([, d]) => d.defaultByEnvironment === undefined);

    it("declares every scalar key with one default or none, in declaration order, with its type, its default as that type and a description", () => {
        expect(Object.keys(project.config)).toEqual(typed.map(([k]) => k));
        for (const [key, d] of typed) {
            const decl = project.config[key]!;
            expect(decl.type, key).toBe(d.type);
            expect(decl.description, key).toMatch(/^\S.*\S$/);
            if (d.default === undefined) {
                expect(decl, key).not.toHaveProperty("default");
                continue;
            }
            // A string default that looks like a number (gitlabTokenRotation "1") must stay a string.
            expect(typeof decl.default, key).toBe({ string: "string", integer: "number", boolean: "boolean" }[d.type]);
            expect(String(decl.default), key).toBe(d.default);
        }
    });

    it("lists every object and secret key in the comment above it, once", () => {
        const comment = configSectionText().split("\nconfig:\n")[0]!;
        for (const key of [...OBJECT_KEYS, ...SECRET_KEYS]) expect(comment.match(new RegExp(`nexora:${key}\\s`, "g")), key).toHaveLength(1);
        expect(comment.split("\n").every((l) => l.startsWith("#"))).toBe(true);
    });

    it("leaves a key with a per-environment default to the comment: Pulumi requires every key it declares without a default", () => {
        expect(project.config).not.toHaveProperty("backupEnabled");
        const comment = configSectionText().split("\nconfig:\n")[0]!;
        expect(comment).toMatch(/^# {3}nexora:backupEnabled {2}.* \(boolean; unset: false in dev, true in staging and prod\)$/m);
        // What the engine then requires of every stack file: exactly the keys parseSettings requires.
        const withoutDefault = Object.entries(project.config).filter(([, d]) => !("default" in d));
        expect(withoutDefault.map(([k]) => k).sort()).toEqual(["dataSubnet", "edgeSubnet", "environment"]);
    });
});

describe(`${CONFIG_DOC}'s generated table`, () => {
    const rows = configTableText()
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        .map((l) =>
            l
                .split(/(?<!\\)\|/)
                .slice(1, -1)
                .map((c) => c.trim()),
        );

    it("names every declared key once, as a three-cell row", () => {
        for (const r of rows) expect(r).toHaveLength(3);
        const keys = rows.flatMap((r) => [...r[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
        expect(keys).toEqual(declared.map(([k]) => k));
    });

    it("gives each key's default: its value, (required), a value per environment, — for a secret", () => {
        const cellOf = (key: string) => rows.find((r) => r[0]!.split(", ").includes(`\`${key}\``))![1]!;
        expect(cellOf("environment")).toBe("(required)");
        expect(cellOf("acmeEmail")).toBe('`""`');
        expect(cellOf("frpServerAddr")).toBe('`""`, `7000`');
        expect(cellOf("gitlabEnabled")).toBe("`true`");
        expect(cellOf("backupEnabled")).toBe("`false` in dev, `true` in staging and prod");
        expect(cellOf("backupRetention")).toBe("`{daily: 7, weekly: 4, monthly: 6}`");
        for (const key of SECRET_KEYS) expect(cellOf(key), key).toBe("—");
        for (const r of rows.filter((x) => x[1] === "—")) expect(r[2], r[0]).toMatch(/^secret: /);
    });

    it("refuses a key that shares a row it is not declared next to", () => {
        const keys = CONFIG_KEYS as Record<string, KeyDeclaration>;
        const saved = keys.dataSubnet!;
        try {
            keys.dataSubnet = { ...saved, docRowOf: "baseDomain" };
            expect(() => configTableText()).toThrow(/dataSubnet shares the table row of baseDomain/);
        } finally {
            keys.dataSubnet = saved;
        }
    });
});

/** The declarations against the parser: what a declaration says, parseSettings does. */
describe("the key declarations", () => {
    const minimal = (environment: string): Record<string, string> => ({ environment, edgeSubnet: "172.30.10.0/24", dataSubnet: "172.30.11.0/24" });
    const issueKeys = (raw: Record<string, string>, stack: string): string[] => {
        try {
            parseSettings(raw, { project: "nexora", stack });
            return [];
        } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            return err.issues.map((i) => i.key);
        }
    };

    it("a minimal config of each environment is valid: every key without a default is set in it", () => {
        for (const env of environments) expect(issueKeys(minimal(env), env), env).toEqual([]);
        const required = scalars.filter(([, d]) => d.default === undefined && d.defaultByEnvironment === undefined).map(([k]) => k);
        expect(required.sort()).toEqual(Object.keys(minimal("dev")).sort());
    });

    it("a key without a default (required) is reported by name when unset", () => {
        for (const key of Object.keys(minimal("dev"))) {
            const raw = minimal("dev");
            delete raw[key];
            expect(issueKeys(raw, "dev"), key).toContain(`nexora:${key}`);
        }
    });

    it("an integer key refuses a value that is not an integer, a boolean key one that is not true or false, naming the key", () => {
        fc.assert(
            fc.property(fc.constantFrom(...scalars.filter(([, d]) => d.type !== "string")), fc.stringMatching(/^[a-z0-9.]{1,8}$/), ([key, d], value) => {
                fc.pre(d.type === "boolean" ? !["true", "false"].includes(value) : !/^[0-9]+$/.test(value));
                expect(issueKeys({ ...minimal("dev"), [key]: value }, "dev")).toContain(`nexora:${key}`);
            }),
            { numRuns: 200 },
        );
    });

    it("a per-environment default is the one parseSettings applies", () => {
        for (const env of environments) {
            const { settings } = parseSettings(minimal(env), { project: "nexora", stack: env });
            expect(String(settings.backup.enabled), env).toBe(CONFIG_KEYS.backupEnabled.defaultByEnvironment[env]);
        }
    });

    it("a key turned on outside its environments is refused by name", () => {
        for (const [key, d] of scalars.filter(([, x]) => x.onlyIn !== undefined)) {
            expect(d.type, key).toBe("boolean");
            for (const env of environments) {
                const issues = issueKeys({ ...minimal(env), [key]: "true" }, env);
                if (d.onlyIn!.includes(env)) expect(issues, `${key} in ${env}`).not.toContain(`nexora:${key}`);
                else expect(issues, `${key} in ${env}`).toContain(`nexora:${key}`);
            }
        }
    });

    it("SCALAR_DEFAULTS, OBJECT_KEYS and SECRET_KEYS are the declarations of each kind", () => {
        expect(Object.keys(SCALAR_DEFAULTS)).toEqual(scalars.map(([k]) => k));
        for (const [key, d] of scalars) expect(SCALAR_DEFAULTS[key as keyof typeof SCALAR_DEFAULTS], key).toBe(d.default);
        expect(OBJECT_KEYS).toEqual(declared.filter(([, d]) => d.kind === "object").map(([k]) => k));
        expect(SECRET_KEYS).toEqual(declared.filter(([, d]) => d.kind === "secret").map(([k]) => k));
    });
});
