// The layout picture of docs/architecture.md names real files and folders, and every folder of
// components/ and tools/ is in it: a folder added, moved or removed fails here until the picture follows.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");

const LAYOUT_DOC = "docs/architecture.md";

/** The paths of the ```text block under the doc's "## Layout" heading, nested by two-space indentation. */
function layoutPaths(doc: string): string[] {
    const start = doc.indexOf("\n## Layout\n");
    expect(start, `${LAYOUT_DOC} has a "## Layout" section`).toBeGreaterThanOrEqual(0);
    const open = doc.indexOf("```text\n", start);
    expect(open, "the layout picture is a ```text block").toBeGreaterThan(start);
    const block = doc.slice(open + "```text\n".length, doc.indexOf("\n```", open + 1));
    const parents: string[] = [];
    const out: string[] = [];
    for (const line of block.split("\n")) {
        const depth = (line.length - line.trimStart().length) / 2;
        expect(Number.isInteger(depth) && depth <= parents.length, `indentation of ${JSON.stringify(line)}`).toBe(true);
        const name = line.trim().split(/\s+/)[0]!;
        parents.length = depth;
        const full = [...parents, name].join("");
        out.push(full);
        if (name.endsWith("/")) parents.push(name);
    }
    return out;
}

const folders = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && e.name !== "node_modules")
        .map((e) => `${dir}/${e.name}/`);

describe(`${LAYOUT_DOC}'s layout picture`, () => {
    const paths = layoutPaths(readFileSync(path.join(ROOT, LAYOUT_DOC), "utf8"));

    it("names only files and folders that exist, folders with a trailing slash", () => {
        expect(paths.length).toBeGreaterThan(10);
        for (const p of paths) {
            expect(existsSync(path.join(ROOT, p)), p).toBe(true);
            expect(p.endsWith("/"), `${p}: a folder ends in "/", a file does not`).toBe(statSync(path.join(ROOT, p)).isDirectory());
        }
    });

    it("shows every folder of components/ and tools/", () => {
        for (const folder of [...folders("components"), ...folders("tools")]) expect(paths, folder).toContain(folder);
    });

    it("shows every top-level folder of the repository (not the ignored ones: dependencies, CI output)", () => {
        // Plain names (`out/`, `node_modules`): the ignored folders a checkout may hold.
        const ignored = readFileSync(path.join(ROOT, ".gitignore"), "utf8")
            .split("\n")
            .map((l) => l.trim().replace(/\/$/, ""))
            .filter((l) => /^[\w.-]+$/.test(l));
        const top = readdirSync(ROOT, { withFileTypes: true })
            .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !ignored.includes(e.name))
            .map((e) => `${e.name}/`);
        for (const folder of top) expect(paths, folder).toContain(folder);
    });
});
