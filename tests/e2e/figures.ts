/**
 * The e2e's figures: every e2e file records its measurements here and prints the whole set at its
 * end as one `[e2e] figures` JSON, so the last print holds the figures of every file of the run.
 * The files run one after another in their own processes: the set lives in a file of the run
 * (tools/e2e/run.sh empties it at the start).
 */
import * as fs from "node:fs";
import * as path from "node:path";

function figuresFile(): string {
    return path.join(process.env.NEXORA_E2E_RUN ?? "/run/nexora-e2e", "figures.json");
}

function read(): Record<string, unknown> {
    try {
        return JSON.parse(fs.readFileSync(figuresFile(), "utf8")) as Record<string, unknown>;
    } catch {
        return {};
    }
}

/** Records one figure (and prints it as it is measured). */
export function record(key: string, value: unknown): void {
    const all = read();
    all[key] = value;
    fs.mkdirSync(path.dirname(figuresFile()), { recursive: true });
    fs.writeFileSync(figuresFile(), JSON.stringify(all, null, 2));
    console.log(`[e2e] ${key}: ${JSON.stringify(value)}`);
}

/** Prints every figure of the run so far. */
export function printFigures(): void {
    console.log(`[e2e] figures ${JSON.stringify(read(), null, 2)}`);
}
