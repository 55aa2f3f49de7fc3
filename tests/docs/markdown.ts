// What the docs tests read out of the Markdown files: fenced blocks, shell command lines and links,
// and GitHub's heading anchors.
//
// Hand-written: no Markdown or shell parser is among the project's dependencies, and the guides
// use a small, regular subset of both (fenced blocks, inline links; simple commands joined by
// pipes and &&, quotes, $(…), heredocs). A construct outside that subset fails the tests loudly
// (an unterminated quote, an unknown fence) rather than being skipped.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** README.md and every Markdown file of docs/, as paths relative to the repository. */
export function docFiles(): string[] {
    const docs = readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`);
    return ["README.md", ...docs];
}

export const readDoc = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");

export interface FencedBlock {
    readonly file: string;
    /** 1-based line of the opening fence. */
    readonly line: number;
    readonly lang: string;
    /** The block's lines, the fence's indentation removed. */
    readonly body: string;
}

/** Every fenced block of a Markdown text (``` fences, indented inside list items too). */
export function fencedBlocks(file: string, text: string): FencedBlock[] {
    const lines = text.split("\n");
    const blocks: FencedBlock[] = [];
    for (let i = 0; i < lines.length; i++) {
        const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
        if (!open) continue;
        const indent = open[1]!.length;
        const body: string[] = [];
        let j = i + 1;
        for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++)
            body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
        if (j === lines.length) throw new Error(`${file}:${i + 1}: fenced block never closed`);
        blocks.push({ file, line: i + 1, lang: open[2]!, body: body.join("\n") });
        i = j;
    }
    return blocks;
}

export const SHELL_LANGS = new Set(["sh", "bash", "shell"]);

/**
 * The command lines of a shell block: continuation lines joined, comment lines and heredoc
 * bodies left out (a heredoc's text is data, not a command).
 */
export function commandLines(body: string): string[] {
    const lines = body.split("\n");
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
        let line = lines[i]!;
        while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
        const heredoc = /<<-?\s*'?([A-Za-z_]\w*)'?/.exec(line);
        if (heredoc) {
            const end = lines.findIndex((l, k) => k > i && l.trim() === heredoc[1]);
            if (end < 0) throw new Error(`heredoc ${heredoc[1]} never ends: ${line}`);
            i = end;
        }
        if (line.trim() === "" || line.trim().startsWith("#")) continue;
        out.push(line.trim());
    }
    return out;
}

/** One simple command: its leading VAR=value assignments, its words (quotes removed) and the files it redirects to or from. */
export interface SimpleCommand {
    readonly env: string[];
    readonly words: string[];
    readonly redirects: string[];
}

/**
 * Splits a command line into simple commands at `|`, `&&`, `||`, `;`, `(` and `)`, the way a
 * POSIX shell reads the subset the guides use. `$(…)` stays inside its word, unexpanded.
 */
export function simpleCommands(line: string): SimpleCommand[] {
    const commands: SimpleCommand[] = [];
    let words: string[] = [];
    let redirects: string[] = [];
    let word: string | undefined;
    let redirectNext = false;
    const endWord = () => {
        if (word === undefined) return;
        if (redirectNext) redirects.push(word);
        else words.push(word);
        word = undefined;
        redirectNext = false;
    };
    const endCommand = () => {
        endWord();
        const firstWord = words.findIndex((w) => !/^[A-Za-z_]\w*=/.test(w));
        if (words.length > 0)
            commands.push({ env: firstWord < 0 ? words : words.slice(0, firstWord), words: firstWord < 0 ? [] : words.slice(firstWord), redirects });
        words = [];
        redirects = [];
    };
    let i = 0;
    while (i < line.length) {
        const c = line[i]!;
        if (/\s/.test(c)) {
            endWord();
            i++;
        } else if (c === "#" && word === undefined) {
            break;
        } else if (c === "'") {
            const end = line.indexOf("'", i + 1);
            if (end < 0) throw new Error(`unterminated ' in: ${line}`);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end + 1;
        } else if (c === '"') {
            let j = i + 1;
            let text = "";
            while (j < line.length && line[j] !== '"') {
                if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
                text += line[j];
                j++;
            }
            if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
            word = (word ?? "") + text;
            i = j + 1;
        } else if (c === "$" && line[i + 1] === "(") {
            // Command substitution: kept verbatim up to its matching parenthesis (quotes respected).
            let depth = 0;
            let j = i + 1;
            let quote: string | undefined;
            for (; j < line.length; j++) {
                const d = line[j]!;
                if (quote) {
                    if (d === quote) quote = undefined;
                } else if (d === "'" || d === '"') quote = d;
                else if (d === "(") depth++;
                else if (d === ")" && --depth === 0) break;
            }
            if (j >= line.length) throw new Error(`unterminated $( in: ${line}`);
            word = (word ?? "") + line.slice(i, j + 1);
            i = j + 1;
        } else if (line.startsWith("&&", i) || line.startsWith("||", i)) {
            endCommand();
            i += 2;
        } else if (c === "|" || c === ";" || c === "(" || c === ")") {
            endCommand();
            i++;
        } else if (c === ">" || c === "<") {
            endWord();
            redirectNext = true;
            i += line.startsWith(">>", i) ? 2 : 1;
        } else {
            word = (word ?? "") + c;
            i++;
        }
    }
    endCommand();
    return commands;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2… */
export function headingAnchors(text: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    const withoutCode = text.replace(/^\s*```[\s\S]*?^\s*```/gm, "");
    for (const m of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const slug = m[1]!
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const n = seen.get(slug) ?? 0;
        anchors.add(n === 0 ? slug : `${slug}-${n}`);
        seen.set(slug, n + 1);
    }
    return anchors;
}

/** The targets of the inline links of a Markdown text (not those shown as code). */
export function linkTargets(text: string): string[] {
    const prose = text.replace(/^\s*```[\s\S]*?^\s*```/gm, "").replace(/`[^`\n]*`/g, "");
    return [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}
