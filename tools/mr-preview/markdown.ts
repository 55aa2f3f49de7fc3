// Markdown building blocks for GitLab notes. Every value that came from a plan goes
// through code spans or fenced blocks: GitLab turns bare `@name`, `#12` and `!3` in
// note text into mentions and links, and Caddyfile matchers look exactly like mentions.

/** Characters GitLab stores for one note (`Gitlab::Database::MAX_TEXT_SIZE_LIMIT`). */
export const GITLAB_NOTE_LIMIT_CHARS = 1_000_000;

/**
 * The budget a rendered note is cut to, in UTF-8 bytes. Bytes are never fewer than
 * characters, so a note within this budget fits whether GitLab counts characters
 * (the model validation) or bytes (the later 1 MiB column limit); the margin leaves room
 * for the marker and the pointer to the job log added after the cut.
 */
export const DEFAULT_NOTE_BUDGET_BYTES = GITLAB_NOTE_LIMIT_CHARS - 16_000;

export function byteLength(text: string): number {
    return Buffer.byteLength(text, "utf8");
}

export function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An inline code span that survives backticks and newlines inside the value. */
export function inlineCode(text: string): string {
    const flat = text.replace(/\r?\n/g, " ⏎ ");
    if (flat.length === 0) return "` `";
    const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longestRun + 1);
    const pad = flat.startsWith("`") || flat.endsWith("`") || longestRun > 0 ? " " : "";
    return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the content. */
export function fencedBlock(content: string, language = ""): string {
    const longestRun = Math.max(2, ...(content.match(/`{3,}/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longestRun + 1);
    return `${fence}${language}\n${content}\n${fence}`;
}

export function details(summaryHtml: string, bodyMarkdown: string): string {
    // Blank lines around the body are what makes GitLab render Markdown inside <details>.
    return `<details><summary>${summaryHtml}</summary>\n\n${bodyMarkdown}\n\n</details>`;
}

/** Stack names become part of an HTML comment: keep only characters that cannot end it. */
function markerSafe(stack: string): string {
    return stack.replace(/[^A-Za-z0-9._/-]/g, "_");
}

/**
 * The hidden line that lets a later run find the note it wrote for this stack. One
 * marker per stack, shared by the real preview and the offline diff, so a pipeline that
 * gains backend credentials replaces the offline note instead of adding a second one.
 */
export function stackMarker(stack: string): string {
    return `<!-- nexora-mr-preview stack="${markerSafe(stack)}" -->`;
}

export function hasStackMarker(noteBody: string, stack: string): boolean {
    return noteBody.includes(stackMarker(stack));
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
    return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The pointer every note ends with: the full preview always lives in the job log. */
export function jobLogPointer(jobUrl: string | undefined): string {
    return jobUrl ? `[job log](${jobUrl})` : "the log of the CI job that posted this note";
}
