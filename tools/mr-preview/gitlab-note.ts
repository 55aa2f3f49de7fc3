// Posts a stack's note on the merge request: updates the note that carries this stack's
// marker, or creates one. Only notes written by the token's own user count, so a reviewer
// quoting the bot (marker included) never has their comment overwritten.
import { MergeRequestNotes, Users } from "@gitbeaker/rest";
import { hasStackMarker } from "./markdown";

/** The CI variable holding the token that writes notes (a project access token, `api` scope, Reporter). */
export const NOTE_TOKEN_VARIABLE = "NEXORA_MR_NOTE_TOKEN";

export interface NoteTarget {
    /** GitLab base URL, e.g. https://gitlab.nexora.restry.cn ($CI_SERVER_URL). */
    readonly serverUrl: string;
    /** The merge request's (target) project ($CI_MERGE_REQUEST_PROJECT_ID). */
    readonly projectId: string;
    readonly mergeRequestIid: number;
    readonly token: string;
}

export class MissingVariableError extends Error {
    constructor(
        readonly variable: string,
        why: string,
    ) {
        super(`CI variable ${variable} is not set: ${why}`);
    }
}

/** Reads the note target from the standard CI_* variables and the token variable. */
export function noteTargetFromEnv(env: Readonly<Record<string, string | undefined>>): NoteTarget {
    const need = (name: string, why: string): string => {
        const value = env[name];
        if (value === undefined || value.trim() === "") throw new MissingVariableError(name, why);
        return value.trim();
    };
    const token = need(
        NOTE_TOKEN_VARIABLE,
        "set it in Settings > CI/CD > Variables to a project access token with the api scope (masked, not protected, so merge-request pipelines get it)",
    );
    const serverUrl = need("CI_SERVER_URL", "the GitLab base URL; GitLab sets it in every job");
    // The target project owns the merge request, also when the pipeline runs for a fork.
    const projectId = env.CI_MERGE_REQUEST_PROJECT_ID?.trim() || need("CI_PROJECT_ID", "GitLab sets it in every job");
    const iid = need("CI_MERGE_REQUEST_IID", 'GitLab sets it only in merge-request pipelines (rules: $CI_PIPELINE_SOURCE == "merge_request_event")');
    if (!/^\d+$/.test(iid)) throw new MissingVariableError("CI_MERGE_REQUEST_IID", `expected a number, got ${JSON.stringify(iid)}`);
    return { serverUrl: serverUrl.replace(/\/+$/, ""), projectId, mergeRequestIid: Number(iid), token };
}

export interface PostResult {
    readonly action: "created" | "updated" | "unchanged";
    readonly noteId: number;
}

interface NoteLike {
    readonly id: number;
    readonly body?: string;
    readonly system?: boolean;
    readonly author?: { readonly id?: number };
}

/** Creates or updates the note for `stack` on the merge request. */
export async function upsertStackNote(target: NoteTarget, stack: string, body: string): Promise<PostResult> {
    const options = { host: target.serverUrl, token: target.token };
    const notes = new MergeRequestNotes(options);
    const me = (await new Users(options).showCurrentUser()) as { id: number };
    const all = (await notes.all(target.projectId, target.mergeRequestIid, { sort: "desc", orderBy: "updated_at" })) as unknown as NoteLike[];
    const mine = all.find((note) => !note.system && note.author?.id === me.id && typeof note.body === "string" && hasStackMarker(note.body, stack));
    if (mine?.body === body) {
        // An identical edit would still mark the note "edited" and notify for nothing.
        return { action: "unchanged", noteId: mine.id };
    }
    if (mine) {
        await notes.edit(target.projectId, target.mergeRequestIid, mine.id, { body });
        return { action: "updated", noteId: mine.id };
    }
    const created = (await notes.create(target.projectId, target.mergeRequestIid, body)) as unknown as NoteLike;
    return { action: "created", noteId: created.id };
}
