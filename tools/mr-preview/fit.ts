// Fits a note into GitLab's size limit. Every resource first gets its one-line form, in
// the order given (most dangerous first); then, while room is left, lines are upgraded to
// their folded property diffs. What does not fit is counted in the footer, which always
// points at the job log.
import { byteLength } from "./markdown";

export interface NoteItem {
    /** Heading of the section the item is listed under. */
    readonly section: string;
    /** One line, always shown if anything of the item is. */
    readonly compact: string;
    /** The line with its folded detail. */
    readonly full: string;
}

export interface FitResult {
    readonly body: string;
    readonly listed: number;
    readonly withDetail: number;
    readonly total: number;
    readonly truncated: boolean;
}

/**
 * Assembles head blocks, sectioned items and the footer within `budgetBytes`.
 * `footer(listed, withDetail, total)` must not grow with its arguments beyond a few digits.
 */
export function fitNote(
    head: readonly string[],
    items: readonly NoteItem[],
    footer: (listed: number, withDetail: number, total: number) => string,
    budgetBytes: number,
): FitResult {
    const join = (blocks: readonly string[]) => blocks.join("\n\n");
    const sectionCount = new Map<string, number>();
    for (const item of items) sectionCount.set(item.section, (sectionCount.get(item.section) ?? 0) + 1);
    const heading = (section: string) => `${section} — ${sectionCount.get(section) ?? 0}`;

    // The footer is measured at its longest (everything cut) so it always fits afterwards.
    let used = byteLength(join(head)) + 2 + byteLength(footer(items.length, 0, items.length)) + 16;
    const form: Array<"none" | "compact" | "full"> = items.map(() => "none");
    const headed = new Set<string>();
    for (let i = 0; i < items.length; i += 1) {
        const headingCost = headed.has(items[i].section) ? 0 : byteLength(heading(items[i].section)) + 2;
        const cost = headingCost + byteLength(items[i].compact) + 2;
        if (used + cost > budgetBytes) break;
        used += cost;
        headed.add(items[i].section);
        form[i] = "compact";
    }
    for (let i = 0; i < items.length && form[i] === "compact"; i += 1) {
        const delta = byteLength(items[i].full) - byteLength(items[i].compact);
        if (used + delta > budgetBytes) continue;
        used += delta;
        form[i] = "full";
    }

    const blocks: string[] = [...head];
    let current: string | undefined;
    items.forEach((item, i) => {
        if (form[i] === "none") return;
        if (item.section !== current) {
            current = item.section;
            blocks.push(heading(current));
        }
        blocks.push(form[i] === "full" ? item.full : item.compact);
    });
    const listed = form.filter((f) => f !== "none").length;
    const withDetail = form.filter((f) => f === "full").length;
    blocks.push(footer(listed, withDetail, items.length));
    return { body: join(blocks), listed, withDetail, total: items.length, truncated: listed < items.length || withDetail < listed };
}
