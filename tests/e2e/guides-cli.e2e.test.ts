// The `pulumi` commands of the operator guides (README.md, docs/*.md) exist in the real CLI: each
// subcommand is one the CLI lists and each flag one its --help shows. Needs only the engine's
// `pulumi` binary on PATH (tools/e2e/run.sh puts it there), no stack and no daemon: seconds.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commandLines, docFiles, fencedBlocks, readDoc, SHELL_LANGS, simpleCommands } from "../docs/markdown";

function pulumiHelp(words: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("pulumi", [...words, "--help"], { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }, (err, stdout, stderr) =>
            err ? reject(new Error(`pulumi ${words.join(" ")} --help: ${stderr || err.message}`)) : resolve(stdout),
        );
    });
}

/** The names listed under a help text's command headings ("Available Commands:", "Stack Management Commands:", …). */
const subcommands = (help: string): string[] =>
    [...help.matchAll(/^[A-Za-z ]*Commands:\n((?: {2}\S.*\n?)+)/gm)].flatMap((m) =>
        m[1]!
            .split("\n")
            .map((l) => l.trim().split(/\s+/)[0]!)
            .filter((w) => w !== ""),
    );

const flagsIn = (help: string): Set<string> => new Set([...help.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*|-[a-zA-Z])\b/g)].map((m) => m[1]!));

const uses = docFiles()
    .flatMap((f) => fencedBlocks(f, readDoc(f)))
    .filter((b) => SHELL_LANGS.has(b.lang))
    .flatMap((b) => commandLines(b.body).flatMap((text) => simpleCommands(text).map((c) => ({ where: `${b.file}:${b.line}`, text, words: c.words }))))
    .filter((u) => u.words[0] === "pulumi");

describe("the guides' pulumi commands on the real CLI", () => {
    it("are found", () => {
        expect(uses.length).toBeGreaterThan(20);
    });

    it("use subcommands and flags the CLI has", async () => {
        const cache = new Map<string, string>();
        const help = async (words: string[]) => {
            const key = words.join(" ");
            if (!cache.has(key)) cache.set(key, await pulumiHelp(words));
            return cache.get(key)!;
        };
        for (const use of uses) {
            const chain: string[] = [];
            for (const w of use.words.slice(1)) {
                if (w.startsWith("-")) break;
                // A subcommand the parent lists, or an alias its own help declares (`stack init` is `stack new` since 3.27x).
                const isAlias = async () => new RegExp(`^Aliases:\\n\\s+.*\\b${w}\\b`, "m").test(await help([...chain, w]));
                if (!subcommands(await help(chain)).includes(w) && !(await isAlias())) break;
                chain.push(w);
            }
            expect(chain.length, `${use.where}: ${use.text}`).toBeGreaterThan(0);
            const known = flagsIn(await help(chain));
            for (const flag of use.words.filter((w) => /^--?[a-zA-Z]/.test(w)).map((w) => w.replace(/=.*$/, "")))
                expect([...known], `${use.where}: pulumi ${chain.join(" ")} ${flag}`).toContain(flag);
        }
    });
});
