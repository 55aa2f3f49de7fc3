import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "../docker/exec";
import { CADDY_LOCAL_ROOT_CERT } from "../edge/internal-ca";

export interface PublicReadinessScriptOptions {
    /** URL polled until GitLab itself answers it, e.g. `https://gitlab.nexora.restry.cn/api/v4/version`. */
    readonly url: string;
    /** The whole wait is bounded by this many seconds; then the script fails. */
    readonly timeoutSeconds: number;
    /** Pause between attempts. @default 10 */
    readonly intervalSeconds?: number;
    /** Per-attempt limit of one HTTP request. @default 10 */
    readonly requestTimeoutSeconds?: number;
    /**
     * A shell command printing the PEM of the CA to trust instead of the system's (Caddy's internal
     * root, for `tls: internal`). Retried until it prints something, within the same bound.
     * @default undefined — the system trust store (public ACME certificates)
     */
    readonly caCommand?: string;
}

/**
 * POSIX sh that waits until `url` is served by GitLab over verified TLS: the name resolves, the relay
 * and tunnel carry it, Caddy holds a valid certificate for it and routes it to GitLab. Certificate
 * verification is never turned off; only which CA to trust can change. GitLab's API answers
 * `/api/v4/version` with 200 to a token and with 401 and a JSON `message` without one (docs:
 * "Responds with 200 OK for authenticated users"), so either is proof; a 502 from Caddy, frps's
 * "not found" page or Caddy's basic-auth 401 (no JSON body) are not.
 */
export function publicReadinessScript(opts: PublicReadinessScriptOptions): string {
    for (const [name, value] of Object.entries({
        timeoutSeconds: opts.timeoutSeconds,
        intervalSeconds: opts.intervalSeconds ?? 10,
        requestTimeoutSeconds: opts.requestTimeoutSeconds ?? 10,
    })) {
        if (!Number.isInteger(value) || value < 1 || value > 24 * 3600)
            throw new Error(`${name} must be a whole number of seconds from 1 to 86400, got ${value}`);
    }
    let parsed: URL;
    try {
        parsed = new URL(opts.url);
    } catch {
        throw new Error(`readiness URL must be an absolute https URL, got ${JSON.stringify(opts.url)}`);
    }
    if (parsed.protocol !== "https:") throw new Error(`readiness URL must use https (TLS is what is being waited for), got ${JSON.stringify(opts.url)}`);
    const interval = opts.intervalSeconds ?? 10;
    const lines = [
        "set -u",
        `url=${shellQuote(opts.url)}`,
        `deadline=$(( $(date +%s) + ${opts.timeoutSeconds} ))`,
        `work=$(mktemp -d)`,
        `trap 'rm -rf "$work"' EXIT`,
        `late() { [ "$(date +%s)" -ge "$deadline" ]; }`,
        // Positional parameters carry curl's CA options: no word splitting of a path, no eval.
        "set --",
    ];
    if (opts.caCommand !== undefined) {
        lines.push(
            `until ( ${opts.caCommand} ) > "$work/ca.pem" 2>/dev/null && grep -q 'BEGIN CERTIFICATE' "$work/ca.pem"; do`,
            `  if late; then echo "gitlab-public-ready: no CA certificate to trust within ${opts.timeoutSeconds}s" >&2; exit 1; fi`,
            `  sleep ${interval}`,
            "done",
            `set -- --cacert "$work/ca.pem"`,
        );
    }
    lines.push(
        "while :; do",
        `  code=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time ${opts.requestTimeoutSeconds ?? 10} "$@" "$url" 2>"$work/err") || code=000`,
        `  case "$code" in`,
        `    200) echo "gitlab-public-ready: $url answers" >&2; exit 0 ;;`,
        `    401) if grep -q '"message"' "$work/body"; then echo "gitlab-public-ready: $url answers" >&2; exit 0; fi ;;`,
        "  esac",
        "  if late; then",
        `    echo "gitlab-public-ready: $url not served by GitLab within ${opts.timeoutSeconds}s (last: HTTP $code $(head -c 300 "$work/err" | tr '\\n' ' '))" >&2`,
        "    exit 1",
        "  fi",
        `  sleep ${interval}`,
        "done",
    );
    return lines.join("\n");
}

export interface GitlabPublicReadinessArgs {
    /** GitLab's public URL, from the route table. */
    readonly gitlabUrl: string;
    /** DOCKER_HOST for the docker CLI (used only to read Caddy's internal CA). */
    readonly dockerHost: string;
    /**
     * Caddy's container, when the stack's certificates come from Caddy's internal CA: its root is
     * read from there and trusted for this check. @default undefined — public certificates
     */
    readonly internalCaFromCaddy?: pulumi.Input<string>;
    /** Values whose change waits again (the GitLab container id: a new container re-runs the check). */
    readonly triggers: pulumi.Input<unknown>[];
    /** @default 1200 (20 minutes: a failed first ACME attempt is retried after about a minute, then more) */
    readonly timeoutSeconds?: number;
}

/** The API path polled: the gitlab provider's first calls go to `/api/v4/`. */
export const READINESS_PATH = "/api/v4/version";

/**
 * A gate on GitLab's public URL: a local command (on the machine running Pulumi, where the gitlab
 * provider runs too) that returns once GitLab answers there with a certificate the client verifies.
 * Pass the route's prerequisites (Caddy's reload, DNS records, the tunnel) in `opts.dependsOn`;
 * whatever talks to GitLab's public URL depends on {@link gate}.
 */
export class GitlabPublicReadiness extends pulumi.ComponentResource {
    readonly gate: command.local.Command;

    constructor(name: string, args: GitlabPublicReadinessArgs, opts?: pulumi.ComponentResourceOptions) {
        const url = `${args.gitlabUrl.replace(/\/+$/, "")}${READINESS_PATH}`;
        const script = (caCommand: string | undefined) => publicReadinessScript({ url, timeoutSeconds: args.timeoutSeconds ?? 1200, caCommand });
        // Rendered once before anything is registered, so a bad URL fails the program, not the deployment.
        script(undefined);
        super("nexora:identity:GitlabPublicReadiness", name, {}, opts);
        const create =
            args.internalCaFromCaddy === undefined
                ? pulumi.output(script(undefined))
                : pulumi.output(args.internalCaFromCaddy).apply((caddy) => script(`docker exec ${shellQuote(caddy)} cat ${CADDY_LOCAL_ROOT_CERT}`));
        this.gate = new command.local.Command(
            `${name}-gate`,
            {
                create,
                environment: { DOCKER_HOST: args.dockerHost },
                triggers: args.triggers,
                logging: command.types.enums.local.Logging.Stderr,
                addPreviousOutputInEnv: false,
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
