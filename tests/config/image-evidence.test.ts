import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGES, type ImageName } from "../../components/images";

const source = (file: string) => readFileSync(path.resolve(__dirname, "../../components", file), "utf8").split("\n");
const IMAGES = source("images.ts");
const CATALOG = source("catalog.ts");

/** The pin's line: a service's `image:` in its catalog entry, or a support image's line in components/images.ts. */
function pinLine(name: ImageName): { lines: string[]; at: number } {
    const ref = DEFAULT_IMAGES[name];
    const support = IMAGES.findIndex((l) => l.trimStart().startsWith(`${name}: "${ref}"`));
    if (support >= 0) return { lines: IMAGES, at: support };
    const entry = CATALOG.findIndex((l) => l.trimStart().startsWith(`${name}: {`));
    const at = entry < 0 ? -1 : CATALOG.findIndex((l, i) => i > entry && l.trimStart().startsWith(`image: "${ref}"`));
    if (at < 0) throw new Error(`no pin line for ${name}`);
    return { lines: CATALOG, at };
}

/** The comment block right above a pin. */
function commentAbove(name: ImageName): string {
    const { lines: source, at } = pinLine(name);
    const lines: string[] = [];
    for (let j = at - 1; j >= 0 && source[j]!.trimStart().startsWith("//"); j--) lines.unshift(source[j]!);
    return lines.join("\n");
}

// The pins an upstream review could not find: each keeps its evidence beside it.
const REVIEWED: readonly ImageName[] = ["gitlab", "outline", "uptimeKuma", "portainer", "portal", "frpc", "portainerApiClient"];

describe("image pins", () => {
    it.each(REVIEWED)("%s carries the evidence that its tag exists", (name) => {
        const comment = commentAbove(name);
        expect(comment).toMatch(/Evidence/);
        const tag = DEFAULT_IMAGES[name]
            .split(":")
            .pop()!
            .replace(/-(alpine|ce\.0)$/, "");
        expect(comment).toContain(tag);
    });
});
