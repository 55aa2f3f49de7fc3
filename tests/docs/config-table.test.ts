// The config reference's table (docs/configuration.md) and Pulumi.yaml's config declarations agree:
// every key in both (plus the object and secret keys Pulumi.yaml can only list in comments), and
// the same defaults.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { DEFAULT_BACKUP_RETENTION, OBJECT_KEYS, SECRET_KEYS } from "../../components/config";

const ROOT = path.resolve(__dirname, "..", "..");

interface Row {
    readonly keys: string[];
    readonly defaultCell: string;
    readonly meaning: string;
}

const CONFIG_DOC = "docs/configuration.md";

/** The first table of the config reference, under its "# Configuration reference" title. */
function configTable(doc: string): Row[] {
    const start = doc.indexOf("# Configuration reference\n");
    expect(start, `${CONFIG_DOC} has a "# Configuration reference" title`).toBe(0);
    const lines = doc.slice(start).split("\n");
    const header = lines.findIndex((l) => l.startsWith("| key | default | meaning |"));
    expect(header, "the config table's header").toBeGreaterThan(0);
    const rows: Row[] = [];
    for (const line of lines.slice(header + 2)) {
        if (!line.startsWith("|")) break;
        const cells = line
            .split(/(?<!\\)\|/)
            .slice(1, -1)
            .map((c) => c.trim());
        expect(cells, line).toHaveLength(3);
        rows.push({ keys: [...cells[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!), defaultCell: cells[1]!, meaning: cells[2]! });
    }
    return rows;
}

/** `a`, `b` → ["a", "b"] when the cell is nothing but backticked values; `""` is the empty string. */
function literalDefaults(cell: string): string[] | undefined {
    if (!/^`[^`]*`(, `[^`]*`)*$/.test(cell)) return undefined;
    return [...cell.matchAll(/`([^`]*)`/g)].map((m) => (/^"[^"]*"$/.test(m[1]!) ? m[1]!.slice(1, -1) : m[1]!));
}

describe(`${CONFIG_DOC}'s config table`, () => {
    const rows = configTable(readFileSync(path.join(ROOT, CONFIG_DOC), "utf8"));
    const declared = (parseYaml(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> }).config;
    const tableKeys = rows.flatMap((r) => r.keys);

    it("lists every key Pulumi.yaml declares, every object key and every secret key, each once and nothing else", () => {
        const expected = [...Object.keys(declared), ...OBJECT_KEYS, ...SECRET_KEYS].sort();
        expect([...tableKeys].sort()).toEqual(expected);
    });

    it("states Pulumi.yaml's default for every declared key, and none where Pulumi.yaml has none", () => {
        let compared = 0;
        for (const row of rows.filter((r) => r.keys.every((k) => k in declared))) {
            const literals = literalDefaults(row.defaultCell);
            if (literals === undefined) {
                // "(required)", or a default that depends on the stack (said in words): none declared.
                for (const key of row.keys) expect(declared[key]!.default, `${key}: ${CONFIG_DOC} says ${row.defaultCell}`).toBeUndefined();
                continue;
            }
            expect([1, row.keys.length], `${row.keys.join(", ")}: one default for all, or one each`).toContain(literals.length);
            for (const [i, key] of row.keys.entries()) {
                const fallback = declared[key]!.default;
                expect(fallback, `${key}: ${CONFIG_DOC} states a default, Pulumi.yaml declares none`).toBeDefined();
                expect(literals[literals.length === 1 ? 0 : i], key).toBe(String(fallback));
                compared += 1;
            }
        }
        expect(compared).toBeGreaterThan(20);
    });

    it("marks every secret key as a secret with no default", () => {
        for (const row of rows.filter((r) => r.keys.some((k) => (SECRET_KEYS as readonly string[]).includes(k)))) {
            expect(
                row.keys.every((k) => (SECRET_KEYS as readonly string[]).includes(k)),
                row.keys.join(", "),
            ).toBe(true);
            expect(row.defaultCell, row.keys.join(", ")).toBe("—");
            expect(row.meaning, row.keys.join(", ")).toMatch(/^secret: /);
        }
    });

    it("states the object keys' defaults", () => {
        const cell = (key: string) => rows.find((r) => r.keys.includes(key))!.defaultCell;
        expect(cell("apps")).toBe("`{}`");
        expect(cell("images")).toBe("see `components/images.ts`");
        const { daily, weekly, monthly } = DEFAULT_BACKUP_RETENTION;
        expect(cell("backupRetention")).toBe(`\`{daily: ${daily}, weekly: ${weekly}, monthly: ${monthly}}\``);
    });
});
