// A stand-in for the slice of GitLab's REST API the poster uses, on 127.0.0.1: the
// current user, and merge-request notes with offset pagination (Link + X-Next-Page
// headers, 20 per page by default). It records every request.
import { AddressInfo } from "node:net";
import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly token: string | undefined;
    readonly body: unknown;
}

export interface FakeNote {
    id: number;
    body: string;
    system: boolean;
    author: { id: number; username: string };
    updated_at: string;
}

export interface FakeGitLab {
    readonly url: string;
    readonly requests: RecordedRequest[];
    /** Notes per "projectId/iid". */
    readonly notes: Map<string, FakeNote[]>;
    readonly botUserId: number;
    readonly close: () => Promise<void>;
}

const VALID_TOKEN = "glpat-test-note-token-000";

async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text === "") return undefined;
    return (req.headers["content-type"] ?? "").includes("application/json") ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
}

export async function startFakeGitLab(): Promise<FakeGitLab> {
    const requests: RecordedRequest[] = [];
    const notes = new Map<string, FakeNote[]>();
    const bot = { id: 77, username: "project_12_bot_nexora" };
    let nextId = 1000;
    let clock = 0;

    const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(payload));
    };

    const server: Server = createServer((req, res) => {
        void (async () => {
            const url = new URL(req.url ?? "/", "http://127.0.0.1");
            const body = await readBody(req);
            const token = req.headers["private-token"] as string | undefined;
            requests.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), token, body });
            if (token !== VALID_TOKEN) return send(res, 401, { message: "401 Unauthorized" });
            if (req.method === "GET" && url.pathname === "/api/v4/user") return send(res, 200, { id: bot.id, username: bot.username });
            const match = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(url.pathname);
            if (!match) return send(res, 404, { message: "404 Not Found" });
            const key = `${decodeURIComponent(match[1])}/${match[2]}`;
            const list = notes.get(key) ?? [];
            notes.set(key, list);
            const bodyText = (body as { body?: string } | undefined)?.body;
            if (req.method === "GET" && !match[3]) {
                const sorted = [...list].sort((a, b) => (url.searchParams.get("sort") === "asc" ? 1 : -1) * a.updated_at.localeCompare(b.updated_at));
                const perPage = Number(url.searchParams.get("per_page") ?? 20);
                const page = Number(url.searchParams.get("page") ?? 1);
                const pageItems = sorted.slice((page - 1) * perPage, page * perPage);
                const headers: Record<string, string> = { "x-page": String(page), "x-per-page": String(perPage), "x-total": String(sorted.length) };
                if (page * perPage < sorted.length) {
                    const next = new URL(url);
                    next.searchParams.set("page", String(page + 1));
                    next.searchParams.set("per_page", String(perPage));
                    headers["x-next-page"] = String(page + 1);
                    headers.link = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
                }
                return send(res, 200, pageItems, headers);
            }
            if (req.method === "POST" && !match[3]) {
                if (typeof bodyText !== "string") return send(res, 400, { message: "400 Bad request - body is missing" });
                const note: FakeNote = {
                    id: nextId++,
                    body: bodyText,
                    system: false,
                    author: bot,
                    updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
                };
                list.push(note);
                return send(res, 201, note);
            }
            if (req.method === "PUT" && match[3]) {
                const note = list.find((n) => n.id === Number(match[3]));
                if (!note) return send(res, 404, { message: "404 Note Not Found" });
                if (note.author.id !== bot.id) return send(res, 403, { message: "403 Forbidden" });
                if (typeof bodyText !== "string") return send(res, 400, { message: "400 Bad request - body is missing" });
                note.body = bodyText;
                note.updated_at = new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString();
                return send(res, 200, note);
            }
            return send(res, 405, { message: "405 Method Not Allowed" });
        })().catch((err: unknown) => send(res, 500, { message: String(err) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        notes,
        botUserId: bot.id,
        close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
    };
}

export const FAKE_GITLAB_TOKEN = VALID_TOKEN;

/** A note written by someone else: a reviewer, or the system. */
export function seedNote(gitlab: FakeGitLab, key: string, note: Omit<FakeNote, "updated_at">): void {
    const list = gitlab.notes.get(key) ?? [];
    list.push({ ...note, updated_at: new Date(Date.UTC(2025, 11, 1, 0, 0, list.length)).toISOString() });
    gitlab.notes.set(key, list);
}
