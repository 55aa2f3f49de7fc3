import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_IMAGES, type ImageName } from "../../components/images";

const SOURCE = readFileSync(path.resolve(__dirname, "../../components/images.ts"), "utf8").split("\n");

/** The comment block right above a pin in components/images.ts. */
function commentAbove(name: ImageName): string {
    const i = SOURCE.findIndex((l) => l.trimStart().startsWith(`${name}: "${DEFAULT_IMAGES[name]}"`));
    if (i < 0) throw new Error(`no pin line for ${name}`);
    const lines: string[] = [];
    for (let j = i - 1; j >= 0 && SOURCE[j]!.trimStart().startsWith("//"); j--) lines.unshift(SOURCE[j]!);
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
