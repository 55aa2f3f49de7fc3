/**
 * Loopback stand-ins for the edge's neighbours: upstream services that answer with their own
 * name, and a client that reaches a hostname through a local Caddy by SNI and Host header.
 */
import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";

/** How long one request may take before the test calls Caddy unresponsive. */
const REQUEST_TIMEOUT_MS = 30_000;

/** What an upstream saw of a request, echoed back as the JSON body. */
export interface UpstreamEcho {
    readonly upstream: string;
    readonly host: string | undefined;
    readonly method: string | undefined;
    readonly path: string | undefined;
    readonly bodyBytes: number;
    readonly xForwardedFor: string | undefined;
    readonly xForwardedProto: string | undefined;
}

/** One request as it reached an upstream, with the body bytes received so far. */
export interface ReceivedRequest {
    readonly host: string | undefined;
    readonly method: string | undefined;
    readonly path: string | undefined;
    /** Grows while the body streams in: counts bytes of a body cut off midway too. */
    readonly bodyBytes: number;
    /** The body arrived in full (false while streaming, and for good when the sender aborted). */
    readonly complete: boolean;
    /** The request is over: answered, or aborted by the sender. */
    readonly closed: boolean;
}

export interface Upstream {
    readonly name: string;
    readonly port: number;
    /** Every request (WebSocket upgrades included) that reached this upstream, in arrival order. */
    readonly received: readonly ReceivedRequest[];
    close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 that answers every request with an UpstreamEcho naming itself,
 * sends its own `Server` header (so tests can see Caddy strip it), sets `X-Frame-Options: DENY`
 * on /own-frame-policy, and echoes WebSocket-style upgraded connections as "<name>:<data>".
 */
export async function startUpstream(name: string): Promise<Upstream> {
    const received: { -readonly [K in keyof ReceivedRequest]: ReceivedRequest[K] }[] = [];
    const record = (req: IncomingMessage) => {
        const entry = { host: req.headers.host, method: req.method, path: req.url, bodyBytes: 0, complete: false, closed: false };
        received.push(entry);
        req.on("close", () => (entry.closed = true));
        return entry;
    };
    const server = createServer((req, res) => {
        const entry = record(req);
        req.on("data", (chunk: Buffer) => (entry.bodyBytes += chunk.length));
        req.on("end", () => {
            entry.complete = true;
            const echo: UpstreamEcho = {
                upstream: name,
                host: req.headers.host,
                method: req.method,
                path: req.url,
                bodyBytes: entry.bodyBytes,
                xForwardedFor: req.headers["x-forwarded-for"] as string | undefined,
                xForwardedProto: req.headers["x-forwarded-proto"] as string | undefined,
            };
            const headers: OutgoingHttpHeaders = { "content-type": "application/json", server: `upstream-${name}` };
            if (req.url === "/own-frame-policy") headers["x-frame-options"] = "DENY";
            res.writeHead(200, headers).end(JSON.stringify(echo));
        });
    });
    const sockets = new Set<Socket>();
    server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
        record(req).complete = true;
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${String(req.headers.upgrade)}\r\nConnection: Upgrade\r\n\r\n`);
        socket.on("data", (data: Buffer) => socket.write(`${name}:${data.toString()}`));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return {
        name,
        port: (server.address() as AddressInfo).port,
        received,
        close: async () => {
            for (const socket of sockets) socket.destroy();
            server.close();
            await once(server, "close");
        },
    };
}

export interface SiteRequest {
    /** Public hostname: sent as SNI (HTTPS) and as the Host header. */
    readonly hostname: string;
    /** Local port Caddy listens on. */
    readonly port: number;
    readonly tls: boolean;
    /** CA to verify Caddy's certificate against (the local CA's root for `tls internal`). */
    readonly ca?: string;
    readonly path?: string;
    readonly method?: string;
    readonly headers?: OutgoingHttpHeaders;
    readonly body?: Buffer;
}

export interface SiteResponse {
    readonly status: number;
    readonly headers: IncomingHttpHeaders;
    readonly body: string;
}

/** One request to 127.0.0.1:port as if to `hostname`; the certificate is verified against `ca` for `hostname`. */
export function requestSite(req: SiteRequest): Promise<SiteResponse> {
    return new Promise((resolve, reject) => {
        const options = {
            host: "127.0.0.1",
            port: req.port,
            path: req.path ?? "/",
            method: req.method ?? "GET",
            headers: { host: req.hostname, ...req.headers },
            agent: false as const,
            ...(req.tls ? { servername: req.hostname, ca: req.ca } : {}),
        };
        const client = (req.tls ? httpsRequest : httpRequest)(options, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
            res.on("error", reject);
        });
        client.on("error", reject);
        // A liveness bound, not a speed check: a bcrypt-checked request on a loaded 2-core machine took over 5 s.
        client.setTimeout(REQUEST_TIMEOUT_MS, () => client.destroy(new Error(`request to ${req.hostname} timed out`)));
        client.end(req.body);
    });
}

/**
 * Opens an HTTP/1.1 Upgrade (WebSocket handshake shape) to `hostname` through Caddy, sends
 * `message` over the upgraded connection and resolves with the first reply.
 */
export function upgradeAndEcho(req: Omit<SiteRequest, "method" | "body">, message: string): Promise<{ status: number; reply: string }> {
    return new Promise((resolve, reject) => {
        const client = httpsRequest({
            host: "127.0.0.1",
            port: req.port,
            path: req.path ?? "/",
            servername: req.hostname,
            ca: req.ca,
            agent: false,
            headers: {
                host: req.hostname,
                connection: "Upgrade",
                upgrade: "websocket",
                "sec-websocket-version": "13",
                "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
                ...req.headers,
            },
        });
        client.on("upgrade", (res, socket: Socket) => {
            socket.once("data", (data: Buffer) => {
                socket.destroy();
                resolve({ status: res.statusCode ?? 0, reply: data.toString() });
            });
            socket.write(message);
        });
        client.on("response", (res) => {
            res.resume();
            reject(new Error(`expected 101 Switching Protocols, got ${res.statusCode}`));
        });
        client.on("error", reject);
        client.setTimeout(REQUEST_TIMEOUT_MS, () => client.destroy(new Error("upgrade timed out")));
        client.end();
    });
}
