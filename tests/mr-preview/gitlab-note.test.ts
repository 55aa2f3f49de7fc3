import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MissingVariableError, NoteTarget, noteTargetFromEnv, upsertStackNote } from "../../tools/mr-preview/gitlab-note";
import { stackMarker } from "../../tools/mr-preview/markdown";
import { FAKE_GITLAB_TOKEN, FakeGitLab, seedNote, startFakeGitLab } from "./fake-gitlab";

const note = (stack: string, text: string) => `${stackMarker(stack)}\n\n### Pulumi preview · stack \`${stack}\`\n\n${text}`;

describe("upsertStackNote against a local GitLab", () => {
    let gitlab: FakeGitLab;
    let target: NoteTarget;
    beforeEach(async () => {
        gitlab = await startFakeGitLab();
        target = { serverUrl: gitlab.url, projectId: "12", mergeRequestIid: 34, token: FAKE_GITLAB_TOKEN };
    });
    afterEach(async () => {
        await gitlab.close();
    });

    it("creates the note on the first run and updates that same note on the second", async () => {
        const first = await upsertStackNote(target, "staging", note("staging", "run 1: 3 to create"));
        expect(first.action).toBe("created");
        const second = await upsertStackNote(target, "staging", note("staging", "run 2: 1 to update"));
        expect(second).toEqual({ action: "updated", noteId: first.noteId });

        const notes = gitlab.notes.get("12/34") ?? [];
        expect(notes).toHaveLength(1);
        expect(notes[0].body).toContain("run 2: 1 to update");
        const writes = gitlab.requests.filter((r) => r.method !== "GET");
        expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
            "POST /api/v4/projects/12/merge_requests/34/notes",
            `PUT /api/v4/projects/12/merge_requests/34/notes/${first.noteId}`,
        ]);
        expect(gitlab.requests.every((r) => r.token === FAKE_GITLAB_TOKEN)).toBe(true);
    });

    it("leaves the note alone when a rerun renders the same body", async () => {
        const first = await upsertStackNote(target, "staging", note("staging", "same"));
        const rerun = await upsertStackNote(target, "staging", note("staging", "same"));
        expect(rerun).toEqual({ action: "unchanged", noteId: first.noteId });
        expect(gitlab.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
    });

    it("gives a different stack its own note", async () => {
        const staging = await upsertStackNote(target, "staging", note("staging", "staging preview"));
        const prod = await upsertStackNote(target, "prod", note("prod", "prod preview"));
        expect(prod.action).toBe("created");
        expect(prod.noteId).not.toBe(staging.noteId);
        const again = await upsertStackNote(target, "prod", note("prod", "prod preview, run 2"));
        expect(again).toEqual({ action: "updated", noteId: prod.noteId });
        const bodies = (gitlab.notes.get("12/34") ?? []).map((n) => n.body);
        expect(bodies).toEqual([note("staging", "staging preview"), note("prod", "prod preview, run 2")]);
    });

    it("finds its note past the first page of a busy merge request", async () => {
        const mine = await upsertStackNote(target, "staging", note("staging", "old"));
        for (let i = 0; i < 45; i += 1) {
            seedNote(gitlab, "12/34", { id: 1 + i, body: `review comment ${i}`, system: false, author: { id: 5, username: "alice" } });
        }
        // Reviewer comments are newer: the bot's note is on page 3 of 20.
        for (const n of gitlab.notes.get("12/34") ?? []) if (n.id !== mine.noteId) n.updated_at = `2026-02-01T00:00:${String(n.id % 60).padStart(2, "0")}.000Z`;
        const result = await upsertStackNote(target, "staging", note("staging", "new"));
        expect(result).toEqual({ action: "updated", noteId: mine.noteId });
        expect(gitlab.requests.some((r) => r.path.endsWith("/notes") && r.query.page === "3")).toBe(true);
    });

    it("never takes over a reviewer's comment that quotes the marker", async () => {
        seedNote(gitlab, "12/34", {
            id: 1,
            body: `> ${note("staging", "quoted by a reviewer")}\n\nWhy is gitlab-data replaced?`,
            system: false,
            author: { id: 5, username: "alice" },
        });
        const result = await upsertStackNote(target, "staging", note("staging", "bot"));
        expect(result.action).toBe("created");
        expect(gitlab.notes.get("12/34")?.[0].body).toContain("Why is gitlab-data replaced?");
    });

    it("fails with GitLab's message when the token is refused", async () => {
        await expect(upsertStackNote({ ...target, token: "glpat-wrong" }, "staging", "x")).rejects.toThrow(/401 Unauthorized/);
    });
});

describe("noteTargetFromEnv", () => {
    const env = {
        NEXORA_MR_NOTE_TOKEN: "glpat-x",
        CI_SERVER_URL: "https://gitlab.nexora.restry.cn/",
        CI_PROJECT_ID: "99",
        CI_MERGE_REQUEST_PROJECT_ID: "12",
        CI_MERGE_REQUEST_IID: "34",
    };

    it("reads the standard CI variables, preferring the merge request's own project", () => {
        expect(noteTargetFromEnv(env)).toEqual({ serverUrl: "https://gitlab.nexora.restry.cn", projectId: "12", mergeRequestIid: 34, token: "glpat-x" });
        expect(noteTargetFromEnv({ ...env, CI_MERGE_REQUEST_PROJECT_ID: undefined }).projectId).toBe("99");
    });

    it.each(["NEXORA_MR_NOTE_TOKEN", "CI_SERVER_URL", "CI_MERGE_REQUEST_IID"])("names %s when it is missing", (variable) => {
        const without = { ...env, [variable]: "" };
        expect(() => noteTargetFromEnv(without)).toThrow(MissingVariableError);
        expect(() => noteTargetFromEnv(without)).toThrow(new RegExp(`CI variable ${variable} is not set`));
    });
});
