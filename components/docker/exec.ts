import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { shellQuote } from "../validators";

export interface DockerExecArgs {
    /** DOCKER_HOST for the docker CLI on the machine running Pulumi (the same host the provider uses). */
    readonly dockerHost: string;
    /** Container to run in. */
    readonly containerName: pulumi.Input<string>;
    /** Shell script run with `sh -c` inside the container. Must not contain secrets. */
    readonly script: string;
    /** Positional arguments of the script ($1, $2, …), each quoted. @default none */
    readonly args?: readonly string[];
    /** Fed to the script's standard input (the place for secret payloads); a change re-runs the script. */
    readonly stdin?: pulumi.Input<string>;
    /** Further values that re-run the script when they change. */
    readonly triggers?: pulumi.Input<unknown>[];
    /**
     * What reaches Pulumi's logs. "none" where a tool may echo part of a secret payload in an
     * error (a database client quoting the failing SQL statement).
     * @default "stderr"
     */
    readonly logging?: "stderr" | "none";
}

/**
 * Runs a script inside a running container with the docker CLI. Used where a change must be
 * applied to a container without replacing it (reloading Caddy/frpc, provisioning databases,
 * minting a GitLab token). The script re-runs on every change of stdin (its hash is a trigger, so
 * the re-run shows in plans) or of the other triggers.
 */
export function dockerExec(name: string, args: DockerExecArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
    const positional = args.args?.length ? ` sh ${args.args.map(shellQuote).join(" ")}` : "";
    const create = pulumi.interpolate`docker exec -i ${args.containerName} sh -c ${shellQuote(args.script)}${positional}`;
    return new command.local.Command(
        name,
        {
            create,
            // An update runs the same script: the container stays, only its config moves.
            update: create,
            stdin: args.stdin,
            environment: { DOCKER_HOST: args.dockerHost },
            triggers: [...(args.triggers ?? []), ...(args.stdin === undefined ? [] : [payloadHash(args.stdin)])],
            // Scripts echo config they apply; keep logs to stderr so nothing on stdout is logged.
            logging: args.logging ?? "stderr",
        },
        // Tools echo parts of what they apply (psql notices, validation errors): keep it out of plain state.
        { ...opts, additionalSecretOutputs: ["stdout", "stderr"] },
    );
}

export function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/**
 * sha256 of a payload, deliberately not secret: it reveals nothing of the high-entropy secrets
 * inside (generated passwords, tokens), and plans and reviews can see that it changed.
 */
export function payloadHash(payload: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.output(payload).apply(sha256));
}

export { shellQuote };
